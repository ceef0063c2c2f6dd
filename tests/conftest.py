from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import keyring
import keyring.backend
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.db import open_database  # noqa: E402
from app.models import DeliverableKind  # noqa: E402
from app.services import activities, evidence, people  # noqa: E402
from app.services.process import active_stages  # noqa: E402

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[1]


def run_cli(*args, timeout=120) -> subprocess.CompletedProcess:
    """The real command, ``python -m app ARGS``, in a child process (UTF-8 output)."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "app", *map(str, args)], cwd=REPO, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)


def one_line_error(proc) -> str:
    """A refused command: exit 1, no traceback, one ``pipeline-manager: error:`` line on stderr."""
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("pipeline-manager: error: "), lines[0]
    return lines[0]

class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring backend in memory, so no test touches the system's keyring (see
    :func:`memory_keyring`)."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    """The keyring module's backend replaced by a :class:`MemoryKeyring` (yielded)."""
    old = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(old)



def pytest_configure(config):
    config.addinivalue_line(
        "markers", "both_engines: run the test's `db` on SQLite and on PostgreSQL (a parameter)")
    config.addinivalue_line("markers", "postgresql: needs the test PostgreSQL server")


def pytest_generate_tests(metafunc):
    if "engine_name" in metafunc.fixturenames:
        if metafunc.definition.get_closest_marker("postgresql"):
            engines = ["postgresql"]
        elif metafunc.definition.get_closest_marker("both_engines"):
            engines = ["sqlite", "postgresql"]
        else:
            engines = ["sqlite"]
        metafunc.parametrize("engine_name", engines)


@pytest.fixture(scope="session")
def pg_server():
    """The session's PostgreSQL server (see tests/pg_server.py). Skips where PostgreSQL is
    not installed, except under CI, where a missing server is a failure."""
    from pg_server import PgServer, PgUnavailable

    try:
        server = PgServer()
    except PgUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL test server: {exc}")
        pytest.skip(f"PostgreSQL test server: {exc}")
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server):
    """Superuser URL of a fresh, migrated PostgreSQL database, dropped afterwards."""
    url = pg_server.create_database()
    yield url
    pg_server.drop_database(url)


@pytest.fixture
def db_url(engine_name, tmp_path, request):
    """What ``--db`` gets for this test: a SQLite file path or a PostgreSQL URL."""
    if engine_name == "postgresql":
        return request.getfixturevalue("pg_url")
    return str(tmp_path / "test.sqlite")


@pytest.fixture
def db(db_url):
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def rep(db):
    return people.create_user(db, "Kim Min-su", "rep")


@pytest.fixture
def manager(db):
    return people.create_user(db, "Lee Ji-eun", "manager")


@pytest.fixture
def heard(ctx):
    """Every announcement on the views' change signal, as (changes, initiator); needs the
    test module's ``ctx`` fixture."""
    seen = []
    ctx.hub.pipeline_changed.connect(lambda changes, initiator: seen.append((changes, initiator)))
    return seen


@pytest.fixture
def warnings(monkeypatch):
    """Every QMessageBox.warning shown, as (title, text), instead of a modal box."""
    from PySide6.QtWidgets import QMessageBox

    seen = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a, **k: seen.append((title, text)))
    return seen


def satisfy_stage(db, deal_id, position, actor_id, at=None):
    """Record whatever stage ``position`` needs for the deal (test helper)."""
    from app.models import Opportunity

    with db.read() as s:
        stage = active_stages(s)[position - 1]
        deal = s.get(Opportunity, deal_id)
        dels = list(stage.deliverables)
    for d in dels:
        kind = DeliverableKind(d.kind)
        if kind is DeliverableKind.CHECK:
            evidence.record_evidence(db, deal_id, d.id, actor_id=actor_id, note="ok", at=at)
        elif kind is DeliverableKind.DOCUMENT:
            evidence.record_evidence(db, deal_id, d.id, actor_id=actor_id, link="https://example.com/doc", at=at)
        elif kind is DeliverableKind.ACTIVITY:
            activities.log_activity(db, type=d.activity_type_list[0], subject=d.name_en, owner_id=actor_id,
                                    deal_id=deal_id, stage_id=stage.id, done_at=at or T0, at=at)
        elif kind is DeliverableKind.FIELD:
            assert all(getattr(deal, f) is not None for f in d.field_list), d.key


# the process template (stages, deliverables) stays; everything a user enters goes, and the
# sync bookkeeping about it (a replica's own replica_state stays)
_TEMPLATE_TABLES = {"process_template", "stage", "deliverable"}
_SYNC_TABLES = ("outbox", "tombstone", "access_change", "applied_operation")


def empty_database(db) -> None:
    """Delete every user, account, deal, its history, marketing figure and target, keeping
    the migrated schema and the process template: a database reused by several tests (or
    hypothesis examples) of a module starts each one as a new company would."""
    from sqlalchemy import inspect, text

    from app.models import Base

    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name not in _TEMPLATE_TABLES]
    with db.write_engine.begin() as conn:
        present = set(inspect(conn).get_table_names())
        tables += [name for name in _SYNC_TABLES if name in present]
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        else:
            for name in tables:  # children first: the foreign keys hold
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture(scope="module")
def _module_databases():
    made: dict[str, tuple] = {}
    yield made
    for database, drop in made.values():
        database.dispose()
        if drop is not None:
            drop()


def _module_database(kind: str, made: dict, request, tmp_path_factory):
    entry = made.get(kind)
    if entry is None:
        url, drop = database_url_for(kind, request, tmp_path_factory.mktemp("module_db"))
        entry = made[kind] = (open_database(url), drop)
    database = entry[0]
    empty_database(database)
    return database


@pytest.fixture
def module_db(engine_name, _module_databases, tmp_path_factory, request):
    """One migrated database per engine for the whole test module (on PostgreSQL a database
    of its own on the session's server, dropped after the module), emptied of its data
    (:func:`empty_database`) before each test that asks for it. For tests that build many
    small worlds (hypothesis examples: call ``empty_database`` per example)."""
    return _module_database(engine_name, _module_databases, request, tmp_path_factory)


@pytest.fixture(params=["sqlite", "postgresql", "postgresql-ko"])
def module_db_any_server(request, _module_databases, tmp_path_factory):
    """:func:`module_db` on SQLite, PostgreSQL and a Korean team's PostgreSQL (see SERVERS)."""
    return _module_database(request.param, _module_databases, request, tmp_path_factory)


def clone_pg_database(server, url: str) -> str:
    """A new database on ``server`` (a PgServer) copied from the one at ``url``, which must
    have no open connection (``CREATE DATABASE ... TEMPLATE``: a fraction of a second, where
    telling a story again through the services takes seconds). Drop it with
    ``server.drop_database``."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"pm_clone_{uuid.uuid4().hex[:12]}"
    engine = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(url).database}"'))
    finally:
        engine.dispose()
    return server.url_for(name)


KOREAN_SERVER_TZ = "Asia/Seoul"


class KoreanServer:
    """Databases on the test server set up as a Korean team's server might be: ICU ko-KR
    collation (Hangul before Latin letters, case ignored first) and the session time zone
    Asia/Seoul, where the test cluster itself has C.UTF-8 and UTC. Same API as PgServer's
    create_database / drop_database; each database is cloned from a migrated template."""

    def __init__(self, server):
        self.server = server
        self._template: str | None = None

    def _admin(self, sql: str) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.server.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(sql))
        finally:
            engine.dispose()

    def create_database(self) -> str:
        import uuid

        if self._template is None:
            name = f"pm_ko_template_{uuid.uuid4().hex[:8]}"
            try:
                self._admin(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                            "LOCALE_PROVIDER icu ICU_LOCALE 'ko-KR' LOCALE 'C.UTF-8'")
            except Exception as exc:  # PostgreSQL before 15, or built without ICU
                pytest.skip(f"no ICU ko-KR database on the test server: {str(exc).splitlines()[0]}")
            open_database(self.server.url_for(name)).dispose()
            self._template = name
        name = f"pm_ko_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        self._admin(f"ALTER DATABASE \"{name}\" SET timezone TO '{KOREAN_SERVER_TZ}'")
        return self.server.url_for(name)

    def drop_database(self, url: str) -> None:
        self.server.drop_database(url)

    def stop(self) -> None:
        if self._template is not None:
            self._admin(f'DROP DATABASE IF EXISTS "{self._template}" WITH (FORCE)')


@pytest.fixture(scope="session")
def korean_server(pg_server):
    """:class:`KoreanServer` on the session's PostgreSQL server."""
    server = KoreanServer(pg_server)
    yield server
    server.stop()


SERVERS = ("sqlite", "postgresql", "postgresql-ko")


def database_url_for(kind: str, request, folder) -> tuple[str, object]:
    """(url, drop or None) of a new migrated database of ``kind`` (one of SERVERS); a SQLite
    file goes into ``folder``."""
    if kind == "sqlite":
        return str(folder / "test.sqlite"), None
    server = request.getfixturevalue("pg_server" if kind == "postgresql" else "korean_server")
    url = server.create_database()
    return url, lambda: server.drop_database(url)


@pytest.fixture(params=SERVERS)
def db_any_server(request, tmp_path):
    """The test's database on SQLite, on PostgreSQL, and on PostgreSQL set up as a Korean
    team's server (:class:`KoreanServer`): for what must not depend on the server's
    collation or time zone (the order of names, days between two moments)."""
    url, drop = database_url_for(request.param, request, tmp_path)
    database = open_database(url)
    yield database
    database.dispose()
    if drop is not None:
        drop()


@pytest.fixture
def korean(qapp):
    """The interface in Korean for the test (Qt's and our translators, QLocale), English after."""
    from app.views.i18n import install_translators

    install_translators(qapp, "ko")
    yield qapp
    install_translators(qapp, "en")


def admin_query(url: str, sql: str, **params) -> list:
    """Rows of ``sql`` run on ``url`` by its own short-lived engine (a test reading the
    server as its administrator, past row-level security)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).fetchall()
    finally:
        engine.dispose()
