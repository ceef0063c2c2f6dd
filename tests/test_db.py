"""Storage: pragmas, migrations with automatic backup, refusal of newer/damaged files,
two processes writing to one file."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.db import (
    backup_sqlite,
    create_db_engine,
    current_revision,
    head_revision,
    open_database,
    to_url,
    upgrade,
)
from app.errors import DatabaseError
from app.models import Opportunity, ProcessTemplate, Stage, StageTransition, User
from app.models.process import build_template, default_template_data

REPO = Path(__file__).resolve().parents[1]


def open_files(folder: Path) -> list[str]:
    """Files under ``folder`` this process holds open (Linux /proc; empty elsewhere)."""
    fd_dir = Path("/proc/self/fd")
    out = []
    for fd in fd_dir.iterdir() if fd_dir.exists() else []:
        try:
            target = str(fd.readlink())
        except OSError:
            continue
        if target.startswith(str(folder)):
            out.append(target)
    return out


def test_fresh_database_is_at_head_with_pragmas(tmp_path):
    db = open_database(tmp_path / "fresh.sqlite")
    try:
        assert head_revision() == "0007"
        assert current_revision(db.engine) == head_revision()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15_000
        with db.read() as s:  # the default template is loaded once, with its 7 stages
            assert s.scalar(select(func.count()).select_from(ProcessTemplate)) == 1
            assert s.scalar(select(func.count()).select_from(Stage)) == 7
    finally:
        db.dispose()
    assert not list(tmp_path.glob("*.bak"))  # nothing to back up for a new file
    db = open_database(tmp_path / "fresh.sqlite")  # opening again changes nothing
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(ProcessTemplate)) == 1
    db.dispose()


def _old_database(path: Path):
    """A database written by the program at schema 0001, with a user and a deal."""
    engine, _write = create_db_engine(to_url(path))
    upgrade(engine, "0001")
    with Session(engine) as s, s.begin():
        template = build_template(default_template_data())
        s.add(template)
        s.flush()
        # Core insert: only the columns schema 0001 has (app_user.db_role came with 0003)
        user_id = uuid.uuid4()
        s.execute(insert(User).values(id=user_id, name="김민수", role="rep"))
        deal_id = uuid.uuid4()
        now = datetime.now(UTC)
        s.execute(insert(Opportunity).values(  # no title_key: that came with 0006
            id=deal_id, title="한빛정밀 MES", owner_id=user_id, stage_id=template.stages[0].id,
            status="open", currency="KRW", forecast_category="pipeline", stage_entered_at=now, version=1))
        ids = user_id, deal_id
    engine.dispose()
    return ids


def test_older_database_is_backed_up_then_migrated(tmp_path):
    path = tmp_path / "team.sqlite"
    user_id, deal_id = _old_database(path)
    db = open_database(path)
    try:
        assert current_revision(db.engine) == head_revision()
        with db.read() as s:
            assert s.get(User, user_id).name == "김민수"
            assert s.get(Opportunity, deal_id).title == "한빛정밀 MES"
            # 0006 computed the name keys of the rows already there
            assert s.get(User, user_id).name_key == "김민수"
            assert s.get(Opportunity, deal_id).title_key == "한빛정밀 mes"
            assert s.scalar(select(func.count()).select_from(ProcessTemplate)) == 1
            # a table of migration 0002 is usable
            s.execute(select(func.count()).select_from(StageTransition)).scalar()
    finally:
        db.dispose()
    (backup,) = tmp_path.glob(f"team.before-{head_revision()}-*.sqlite.bak")
    con = sqlite3.connect(backup)
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
        assert con.execute("SELECT name FROM app_user").fetchall() == [("김민수",)]
        assert con.execute("SELECT title FROM opportunity").fetchall() == [("한빛정밀 MES",)]
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "marketing_spend" not in tables
    finally:
        con.close()


def test_newer_database_is_refused_and_untouched(tmp_path):
    path = tmp_path / "newer.sqlite"
    open_database(path).dispose()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '0099'")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError) as ei:
        open_database(path)
    message = str(ei.value)
    assert "newer version" in message and "0099" in message and "\n" not in message
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.bak"))
    assert open_files(tmp_path) == []  # the refused file is not left open


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_damaged_file_gives_a_clear_error(tmp_path, damage):
    path = tmp_path / "damaged.sqlite"
    if damage == "garbage":
        path.write_bytes(b"this is not a database, just some bytes \x00\x01\x02" * 200)
    else:
        db = open_database(path)
        with db.write() as s:
            s.add_all(User(name=f"user {i}", email="x" * 200) for i in range(500))
        db.dispose()
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    with pytest.raises(DatabaseError) as ei:
        open_database(path)
    assert str(path) in str(ei.value) and "\n" not in str(ei.value)
    assert open_files(tmp_path) == []


def test_missing_file_folder_and_backup_target(tmp_path):
    with pytest.raises(DatabaseError, match="no such database file"):
        open_database(tmp_path / "missing.sqlite", create=False)
    with pytest.raises(DatabaseError, match="folder does not exist"):
        open_database(tmp_path / "no" / "such" / "x.sqlite")
    with pytest.raises(DatabaseError, match="is a folder"):
        open_database(tmp_path)
    path = tmp_path / "a.sqlite"
    open_database(path).dispose()
    out = backup_sqlite(path, tmp_path / "copy.sqlite")
    assert sqlite3.connect(out).execute("SELECT count(*) FROM stage").fetchone() == (7,)
    with pytest.raises(DatabaseError, match="already exists"):
        backup_sqlite(path, out)


WRITER = textwrap.dedent("""
    import sys
    from sqlalchemy import func, select
    from app.db import open_database
    from app.models import User

    db = open_database(sys.argv[1])
    print("ready", flush=True)
    sys.stdin.readline()  # both processes start writing together
    for i in range(int(sys.argv[3])):
        with db.write() as s:  # read, then write, in one transaction
            n = s.scalar(select(func.count()).select_from(User))
            s.add(User(name=f"{sys.argv[2]} {i} after {n}"))
    db.dispose()
    print("done", flush=True)
""")


def test_two_processes_write_to_one_file(tmp_path):
    path = tmp_path / "shared.sqlite"
    open_database(path).dispose()
    n = 150
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag, str(n)], cwd=REPO,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for tag in ("A", "B")]
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert "locked" not in err
    db = open_database(path)
    with db.read() as s:
        names = list(s.scalars(select(User.name)))
    db.dispose()
    assert len(names) == 2 * n
    # every transaction saw a consistent count: the counts seen are exactly 0 .. 2n-1
    assert sorted(int(name.rsplit(" ", 1)[1]) for name in names) == list(range(2 * n))


def test_url_without_password():
    from app.db import url_without_password

    assert url_without_password("postgresql+psycopg://kim:pw@host:5433/pipe?sslmode=require") == \
        "postgresql+psycopg://kim@host:5433/pipe?sslmode=require"
    assert url_without_password("postgresql+psycopg://kim@host/pipe") == "postgresql+psycopg://kim@host/pipe"


def test_where_a_database_is_shown_or_remembered_never_holds_a_password(tmp_path):
    """Database.location: what the status bar shows, the settings remember and `check`
    prints; a team server's URL there has no password (the keyring keeps it)."""
    from app.db import Database

    local = open_database(tmp_path / "a.sqlite")
    try:
        assert local.location == str(tmp_path / "a.sqlite")
        server_like = Database(url="postgresql+psycopg://kim:pw-from-keyring@db.example/pipe",
                               engine=local.engine, write_engine=local.write_engine, path=None)
        assert server_like.location == "postgresql+psycopg://kim@db.example/pipe"
    finally:
        local.dispose()


@pytest.mark.postgresql
def test_postgresql_sessions_are_in_utc_on_a_server_in_seoul(korean_server):
    """A team server in Seoul (its database set to Asia/Seoul) gives the app's sessions UTC,
    set on every new connection as the SQLite pragmas are: a stored naive-UTC timestamp read
    as timestamptz is that moment, not 9 hours earlier, whichever connection reads it, and
    after a transaction that was rolled back."""
    from datetime import UTC, datetime

    from sqlalchemy import create_engine, text

    url = korean_server.create_database()
    stored = "SELECT CAST(TIMESTAMP '2026-01-05 00:00' AS timestamptz)"
    plain = create_engine(url)
    db = open_database(url)
    try:
        with plain.connect() as conn:  # the server as the fixture set it up, without the app
            assert conn.execute(text("SHOW TimeZone")).scalar() == "Asia/Seoul"
            assert conn.execute(text(stored)).scalar() == datetime(2026, 1, 4, 15, 0, tzinfo=UTC)
        with db.read() as s:
            assert s.execute(text("SHOW TimeZone")).scalar() == "UTC"
            assert s.execute(text(stored)).scalar() == datetime(2026, 1, 5, 0, 0, tzinfo=UTC)
        with pytest.raises(ZeroDivisionError), db.write() as s:
            s.execute(text("SELECT 1"))
            raise ZeroDivisionError  # rolled back: the time zone stays
        with db.write() as s, db.read() as other:  # two connections from the pool at once
            assert s.execute(text("SHOW TimeZone")).scalar() == "UTC"
            assert other.execute(text("SHOW TimeZone")).scalar() == "UTC"
        db.engine.dispose()  # new connections after the pool was emptied
        with db.read() as s:
            assert s.execute(text("SHOW TimeZone")).scalar() == "UTC"
    finally:
        plain.dispose()
        db.dispose()
        korean_server.drop_database(url)


def _damaged_file(path: Path) -> None:
    """A SQLite file whose two leaf pages have their cell pointers overwritten: quick_check
    finds about 40 bad cells, and the malformed image, in one report of several lines."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode = WAL")  # as every file the program writes
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    con.executemany("INSERT INTO t (v) VALUES (?)", [("x" * 50,)] * 400)
    con.commit()
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the file itself
    con.close()
    data = bytearray(path.read_bytes())
    for page in (3, 4):
        start = (page - 1) * page_size + 8  # the cell pointer array follows the 8-byte leaf header
        data[start:start + 40] = b"\xff" * 40
    path.write_bytes(bytes(data))


def test_a_damaged_file_is_one_line_naming_the_first_problem_and_how_many_more(tmp_path):
    path = tmp_path / "damaged.sqlite"
    _damaged_file(path)
    with pytest.raises(DatabaseError) as ei:
        open_database(path)
    message = str(ei.value)
    assert "\n" not in message and "***" not in message
    # SQLite lists the damage, or (the same bytes give either; about one run in five)
    # only says the image is malformed: either way one line naming the file
    if "malformed" in message:
        assert message == f"{path}: cannot open the database (database disk image is malformed)"
    else:
        assert message.startswith(f"{path}: the database is damaged (On tree page 4 cell 19: Offset 65535 out of range")
        # how many more SQLite finds varies with the machine (39 or 40 seen): any count, named
        assert re.search(r", and [1-9][0-9]* more problem\(s\); run pipeline-manager check\)$", message), message
    assert open_files(tmp_path) == []


HOLD_WRITE_LOCK = textwrap.dedent("""
    import sqlite3, sys
    con = sqlite3.connect(sys.argv[1], isolation_level=None)
    con.execute("BEGIN IMMEDIATE")  # another program in the middle of a write transaction
    print("locked", flush=True)
    sys.stdin.readline()
    con.execute("ROLLBACK")
""")


def test_opening_and_reading_a_file_another_program_is_writing_to_does_not_wait(tmp_path, monkeypatch):
    """Opening a database at head only reads (the schema revision, the process template), so
    it neither waits for another program's write lock nor fails with "database is locked";
    with a busy timeout of 0.2 s a write would fail at once, and does."""
    import app.db

    path = tmp_path / "busy.sqlite"
    open_database(path).dispose()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_WRITE_LOCK, str(path)], cwd=REPO, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked", holder.stderr.read()
        monkeypatch.setattr(app.db, "BUSY_TIMEOUT_MS", 200)
        db = open_database(path)
        try:
            with db.read() as s:
                assert s.scalar(select(func.count()).select_from(Stage)) == 7
                assert s.scalar(select(func.count()).select_from(User)) == 0
            with pytest.raises(OperationalError, match="database is locked"), db.write() as s:
                s.add(User(name="must wait for the other program"))
        finally:
            db.dispose()
    finally:
        holder.communicate("done\n", timeout=30)
    assert holder.returncode == 0, holder.stderr


def test_two_programs_opening_an_old_file_at_once_migrate_it_once(tmp_path, monkeypatch):
    """The second program to open a file that needs migrating waits for the first one's
    write lock, reads the revision again and finds the file migrated: one backup, no
    "backup target already exists", both open it."""
    import threading

    import app.db
    from app.db import migrate

    path = tmp_path / "old.sqlite"
    _old_database(path)
    first_locked, second_read = threading.Event(), threading.Event()
    real_revision, real_backup = app.db.current_revision, app.db.backup_sqlite

    def revision(engine):
        rev = real_revision(engine)
        if threading.current_thread().name == "second":
            second_read.set()  # it saw the old revision, then asks for the lock
        return rev

    def backup(src, dest):
        first_locked.set()
        assert second_read.wait(10)  # the first one is under the lock, the second one has read
        return real_backup(src, dest)

    monkeypatch.setattr(app.db, "current_revision", revision)
    monkeypatch.setattr(app.db, "backup_sqlite", backup)
    results, errors = {}, []

    def run(name):
        engine, _write = create_db_engine(to_url(path))
        try:
            results[name] = migrate(engine, path)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            engine.dispose()

    first = threading.Thread(target=run, args=("first",), name="first")
    first.start()
    assert first_locked.wait(10)
    second = threading.Thread(target=run, args=("second",), name="second")
    second.start()
    first.join(30)
    second.join(30)
    assert errors == []
    assert results["second"] is None and results["first"] is not None
    assert list(tmp_path.glob("*.bak")) == [results["first"]]
    engine, _write = create_db_engine(to_url(path))
    assert real_revision(engine) == head_revision()
    engine.dispose()


def test_backup_names_stay_unique_within_a_second(tmp_path, monkeypatch):
    import app.db
    from app.db import _backup_path

    class FrozenClock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 12, 2, 18, 2, 11, tzinfo=UTC)

    monkeypatch.setattr(app.db, "datetime", FrozenClock)
    path = tmp_path / "pipeline.sqlite"
    names = []
    for _ in range(3):
        dest = _backup_path(path, "0006")
        dest.write_bytes(b"")
        names.append(dest.name)
    assert names == ["pipeline.before-0006-20261202T180211.sqlite.bak",
                     "pipeline.before-0006-20261202T180211-2.sqlite.bak",
                     "pipeline.before-0006-20261202T180211-3.sqlite.bak"]


@pytest.mark.parametrize("target, says", [
    ("foo://bar", "foo://bar: not a database this program can open"),
    ("mysql://kim:secret@host/db", "mysql://kim@host/db: the database driver is not installed"),
    ("postgresql+psycopg://kim:secret@host:port/db", "not a database file path or URL"),
    ("://nothing", "://nothing: not a database file path or URL"),
])
def test_a_url_of_no_database_we_can_open_is_one_line(target, says):
    with pytest.raises(DatabaseError) as ei:
        open_database(target)
    message = str(ei.value)
    assert says in message and "\n" not in message and "secret" not in message
