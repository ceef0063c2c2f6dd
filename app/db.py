"""Engine, sessions, SQLite pragmas (and PostgreSQL's session time zone), migrations and
backups. No Qt.

Every database is opened through :func:`open_database`, which applies pending Alembic
migrations (backing the file up first), refuses a database newer than this program and
loads the default process template into an empty database.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.orm import Session, sessionmaker

from app.errors import DatabaseError, Message

BUSY_TIMEOUT_MS = 15_000
_IMMEDIATE = "pm_begin_immediate"
# called with (database, session) at the end of every write() block, inside its transaction:
# app/services/outbox.py uses it to add the outbox row / applied_operation row atomically
write_hook: ContextVar[Callable | None] = ContextVar("pm_write_hook", default=None)


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("pipeline-manager", appauthor=False, ensure_exists=True) / "pipeline.sqlite"


def to_url(target: str | Path | None) -> str:
    """``--db`` accepts a file path or any SQLAlchemy URL."""
    if target is None:
        return f"sqlite:///{default_db_path()}"
    s = str(target)
    if "://" in s:
        return s
    return f"sqlite:///{Path(s).expanduser().resolve()}"


def parse_url(url: str) -> URL:
    """``url`` parsed, or a :class:`DatabaseError` saying in one line that ``--db`` is neither
    a file path nor a URL this program can open (never SQLAlchemy's own error)."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise DatabaseError(Message("{url}: not a database file path or URL ({reason})", url=_shown(url),
                                    reason=_first_line(exc))) from exc


def _shown(url: str) -> str:
    """``url`` to show: without its password, even when it cannot be parsed."""
    try:
        return url_without_password(url)
    except (ArgumentError, ValueError):
        return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1@", str(url))


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def url_without_password(url: str) -> str:
    """``url`` with any password taken out (to store or show it). ``URL.set(password=None)``
    would keep it: None there means "unchanged"."""
    u = make_url(url)
    return URL.create(u.drivername, u.username, None, u.host, u.port, u.database, u.query) \
        .render_as_string(hide_password=False)


def sqlite_path(url: str) -> Path | None:
    u = parse_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def _install_sqlite_hooks(engine: Engine) -> None:
    """WAL, foreign keys, busy timeout; and SQLAlchemy (not pysqlite) owns BEGIN, so that
    write transactions can start with BEGIN IMMEDIATE: a deferred read-then-write
    transaction fails at once with "database is locked" while another process writes."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get(_IMMEDIATE):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _install_postgresql_hooks(engine: Engine) -> None:
    """Every session in UTC, whatever the server or the database is set to (a team server in
    Seoul has Asia/Seoul): the app stores naive UTC, and a timestamptz expression or a cast
    is read in the session's time zone (the weekly report was once 9 hours off)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("SET TIME ZONE 'UTC'")
        cur.close()
        dbapi_conn.commit()  # a SET in a transaction that is rolled back would be undone with it


@dataclass
class Database:
    """An open database: ``read()`` for queries, ``write()`` for one transaction."""

    url: str
    engine: Engine
    write_engine: Engine
    path: Path | None

    def __post_init__(self) -> None:
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def location(self) -> str:
        """Where the data is, to show or remember: the file's path, or the URL without any
        password (a team server's password comes from the keyring, never from here)."""
        return str(self.path) if self.path is not None else url_without_password(self.url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as s:  # closing (not rolling back) keeps loaded objects usable
            yield s

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: commits when the block ends normally, rolls back otherwise."""
        with self._write() as s, s.begin():
            yield s
            hook = write_hook.get()
            if hook is not None:
                hook(self, s)

    def dispose(self) -> None:
        self.engine.dispose()
        self.write_engine.dispose()


def create_db_engine(url: str) -> tuple[Engine, Engine]:
    """(engine, write engine) for ``url``; a URL of no database this program can open (an
    unknown kind, a driver not installed, a bad port) is a one-line :class:`DatabaseError`."""
    u = parse_url(url)
    try:
        if u.get_backend_name() == "sqlite":
            engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
            _install_sqlite_hooks(engine)
            return engine, engine.execution_options(**{_IMMEDIATE: True})
        engine = create_engine(url, pool_pre_ping=True)
    except NoSuchModuleError as exc:
        raise DatabaseError(Message(
            "{url}: not a database this program can open (a file path, or a URL such as "
            "postgresql+psycopg://user@host/db)", url=_shown(url))) from exc
    except ImportError as exc:
        raise DatabaseError(Message("{url}: the database driver is not installed ({reason})",
                                    url=_shown(url), reason=_first_line(exc))) from exc
    except (ArgumentError, ValueError) as exc:
        raise DatabaseError(Message("{url}: not a database file path or URL ({reason})", url=_shown(url),
                                    reason=_first_line(exc))) from exc
    if u.get_backend_name() == "postgresql":
        _install_postgresql_hooks(engine)
    return engine, engine


# ---------------------------------------------------------------- migrations

def _alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "app:migrations")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {r.revision for r in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _has_tables(bind) -> bool:
    from sqlalchemy import inspect

    return bool(inspect(bind).get_table_names())


def backup_sqlite(src: Path, dest: Path) -> Path:
    """Online, consistent copy with the SQLite backup API (safe while others have it open)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        raise DatabaseError(Message("{path}: backup target already exists", path=dest))
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        target = sqlite3.connect(dest)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    return dest


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), revision)


# the key of the PostgreSQL advisory lock two programs migrating one database take in turn
_MIGRATION_LOCK = 0x706D_6D67  # "pmmg"


def _refuse_newer(current: str | None, engine: Engine, path: Path | None) -> None:
    if current is not None and current not in known_revisions():
        raise DatabaseError(Message(
            "{path}: the database was written by a newer version of this program (schema {schema}); "
            "update the program. The file was not changed.", path=path or _shown(str(engine.url)), schema=current))


def _backup_path(path: Path, head: str) -> Path:
    """``NAME.before-HEAD-STAMP.sqlite.bak`` next to ``path``, with ``-2``, ``-3`` ... added
    when that name is taken (the stamp has one-second resolution)."""
    base = f"{path.stem}.before-{head}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
    dest, n = path.with_name(f"{base}{path.suffix}.bak"), 2
    while dest.exists():
        dest, n = path.with_name(f"{base}-{n}{path.suffix}.bak"), n + 1
    return dest


def migrate(engine: Engine, path: Path | None) -> Path | None:
    """Bring the schema to head. Returns the backup made before migrating, if any.

    A database at head is only read. Otherwise the migration runs in one transaction that
    first takes the write lock (SQLite's BEGIN IMMEDIATE, a PostgreSQL advisory lock) and
    reads the revision again: of two programs opening an old file at once, one backs it up
    and migrates it, the other waits and then finds it migrated."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    head = head_revision()
    current = current_revision(engine)
    if current == head:
        return None
    _refuse_newer(current, engine, path)
    with engine.execution_options(**{_IMMEDIATE: True}).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        current = MigrationContext.configure(conn).get_current_revision()
        if current == head:  # another program migrated it while this one waited
            return None
        _refuse_newer(current, engine, path)
        backup = None
        if path is not None and (current is not None or _has_tables(conn)):
            backup = backup_sqlite(path, _backup_path(path, head))
        command.upgrade(_alembic_config(conn), "head")
    return backup


def _ensure_template(db: Database) -> None:
    """Load the default process template into a database without one. Only reads when the
    template is there (every open but the first), so that opening a file another program
    is writing to does not wait for its write lock."""
    from app.models import ProcessTemplate
    from app.models.process import build_template, default_template_data
    from app.services.process import invalidate_template

    with db.read() as s:
        if s.scalar(select(ProcessTemplate.id).limit(1)) is not None:
            return
    with db.write() as s:
        if s.scalar(select(ProcessTemplate.id).limit(1)) is not None:  # another program loaded it
            return
        s.add(build_template(default_template_data()))
    invalidate_template(db)  # the template is read once per database and cached


def _pragma_rows(engine: Engine, pragma: str) -> list:
    """``PRAGMA quick_check`` / ``integrity_check`` outside any transaction: on a damaged
    file in WAL mode, inside one, SQLite may only say "database disk image is malformed"
    instead of listing what it found."""
    conn = engine.raw_connection()
    try:
        cur = conn.cursor()
        try:
            return [r[0] for r in cur.execute(f"PRAGMA {pragma}").fetchall()]
        finally:
            cur.close()
    finally:
        conn.close()


def _problems(rows: list) -> list[str]:
    """The problems ``PRAGMA quick_check`` / ``integrity_check`` found, one per line (a row
    can hold several lines, the first under a ``*** in database main ***`` heading)."""
    return [line.strip() for row in rows for line in str(row).splitlines()
            if line.strip() and not line.startswith("*** in database")]


def open_database(target: str | Path | None = None, *, create: bool = True, migrate_schema: bool = True,
                  quick_check: bool = True) -> Database:
    """Open (and if needed create and migrate) a database. Raises :class:`DatabaseError`
    with a one-line message for a missing, damaged or too-new database. ``quick_check=False``
    (with ``migrate_schema=False``) opens a damaged file too, for ``check`` to report on it."""
    url = to_url(target)
    path = sqlite_path(url)
    if path is not None:
        if not path.exists():
            if not create:
                raise DatabaseError(Message("{path}: no such database file", path=path))
            if not path.parent.exists():
                raise DatabaseError(Message("{path}: folder does not exist", path=path.parent))
        elif path.is_dir():
            raise DatabaseError(Message("{path}: is a folder, not a database file", path=path))
    engine = None
    try:
        engine, write_engine = create_db_engine(url)
        if quick_check and path is not None and path.exists() and path.stat().st_size > 0:
            rows = _pragma_rows(engine, "quick_check")
            if rows != ["ok"]:  # the first problem, in one line; `check` lists them
                problems = _problems(rows) or ["?"]
                if len(problems) == 1:
                    raise DatabaseError(Message("{path}: the database is damaged ({result})", path=path,
                                                result=problems[0]))
                raise DatabaseError(Message(
                    "{path}: the database is damaged ({result}, and {count} more problem(s); "
                    "run pipeline-manager check)", path=path, result=problems[0], count=len(problems) - 1))
        db = Database(url=url, engine=engine, write_engine=write_engine, path=path)
        if migrate_schema:
            migrate(engine, path)
            _ensure_template(db)
        elif path is None:  # a server: a wrong password or host is said now, in one line, not mid-sync
            with engine.connect():
                pass
        return db
    except DatabaseError:
        if engine is not None:  # a refused file must not stay open (and locked on Windows)
            engine.dispose()
        raise
    except (SADatabaseError, OperationalError, sqlite3.DatabaseError) as exc:
        if engine is not None:
            engine.dispose()
        orig = getattr(exc, "orig", exc)
        where = path or _shown(url)  # never the password that came with the URL
        raise DatabaseError(Message("{path}: cannot open the database ({reason})", path=where,
                                    reason=" ".join(str(orig).split()))) from exc


def integrity_check(db: Database) -> str:
    """Full ``PRAGMA integrity_check`` (slow, used by ``pipeline-manager check``)."""
    if not db.is_sqlite:
        return "ok"
    rows = None
    for pragma in ("integrity_check", "quick_check"):  # the full check can stop at damage the quick one lists
        try:
            rows = _pragma_rows(db.engine, pragma)
            break
        except (SADatabaseError, sqlite3.DatabaseError) as exc:  # e.g. "file is not a database"
            error = _first_line(getattr(exc, "orig", exc))
    if rows is None:
        return error
    if rows == ["ok"]:
        return "ok"
    problems = _problems(rows)
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return "; ".join(problems[:5]) + more


def execute_script(db: Database, sql: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(sql))
