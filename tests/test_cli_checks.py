"""The command line's one-line answers, run as the real command: an internal error (its
details in the log, never the SQL and customer data on stderr), a --db or --server that is
no database we can open, `server` commands run by someone who is not the database's owner,
`check` on a damaged or a newer file, `kpi --k` out of range."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import uuid

import pytest
from conftest import REPO, one_line_error, run_cli
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.db import head_revision, open_database
from app.services import team


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli_checks") / "demo.sqlite"
    proc = run_cli("demo", "--deals", "12", "--seed", "5", "--end", "2026-06-30", "--db", path)
    assert proc.returncode == 0, proc.stderr
    return path


def test_an_internal_error_is_one_line_and_the_sql_with_its_data_goes_to_the_log(small_db, tmp_path, monkeypatch):
    broken = tmp_path / "broken.sqlite"
    src, dst = sqlite3.connect(small_db), sqlite3.connect(broken)
    src.backup(dst)
    src.close()
    dst.execute("ALTER TABLE account RENAME TO account_gone")  # a query of `deals` now fails in SQL
    dst.commit()
    dst.close()
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # platformdirs' user log folder on Linux
    proc = run_cli("deals", "--search", "Hanbit Secret Project", "--db", broken)
    log = tmp_path / "state" / "pipeline-manager" / "log" / "crash.log"
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [
        "pipeline-manager: internal error: OperationalError: (sqlite3.OperationalError) no such table: account, "
        f"details in {log}"]
    details = log.read_text(encoding="utf-8")
    assert "Traceback" in details and "[parameters: ('%hanbit secret project%'" in details  # the details stay
    assert details.startswith("--- 20")  # each entry starts with when


@pytest.mark.parametrize("k", ["-1", "0", "nan", "inf", "-inf", "1e400"])
def test_kpi_k_must_be_a_finite_number_above_0(small_db, k):
    proc = run_cli("kpi", f"--k={k}", "--json", "--db", small_db)
    assert proc.returncode == 2 and proc.stdout == ""
    assert f"argument --k: '{k}': k must be a finite number above 0, e.g. 1.5" in proc.stderr


def test_kpi_k_a_usual_value_still_works(small_db):
    import json

    proc = run_cli("kpi", "--k", "0.5", "--json", "--from", "2026-01-01", "--to", "2026-06-30", "--db", small_db)
    assert proc.returncode == 0, proc.stderr
    json.loads(proc.stdout)  # valid JSON


def test_check_says_a_file_of_a_newer_version_is_not_opened(small_db, tmp_path):
    newer = tmp_path / "newer.sqlite"
    src, dst = sqlite3.connect(small_db), sqlite3.connect(newer)
    src.backup(dst)
    src.close()
    dst.execute("UPDATE alembic_version SET version_num = '0099'")
    dst.commit()
    dst.close()
    proc = run_cli("check", "--db", newer)
    assert proc.returncode == 1, proc.stderr
    assert (f"schema: 0099 (written by a newer version of the program; this version expects {head_revision()} "
            "and does not open it: update the program)") in proc.stdout.splitlines()
    assert "migrated when opened" not in proc.stdout
    assert "newer version" in one_line_error(run_cli("deals", "--db", newer))  # and opening refuses it


def test_check_reports_a_damaged_file_that_opening_refuses(tmp_path):
    from test_db import _damaged_file

    path = tmp_path / "damaged.sqlite"
    _damaged_file(path)
    line = one_line_error(run_cli("deals", "--db", path))
    # the first problem and how many more, or (the file's state decides, as below) only "malformed"
    assert re.search(r"and [1-9][0-9]* more problem\(s\); run pipeline-manager check\)$", line) \
        or line.endswith("cannot open the database (database disk image is malformed)"), line
    proc = run_cli("check", "--db", path)  # which does not refuse it, but lists what it finds
    assert proc.returncode == 1 and proc.stderr == "", proc.stderr
    database, integrity = proc.stdout.splitlines()  # one line each, nothing else (no counts of a damaged file)
    assert database == f"database: {path}"
    # SQLite lists the damage (five problems on the line) or, depending on the file's state, only
    # says it is malformed
    assert integrity.startswith("integrity: On tree page 4 cell 19: Offset 65535 out of range") \
        or integrity == "integrity: database disk image is malformed", integrity
    if "On tree page" in integrity:
        assert integrity.count("; On tree page") == 4 and integrity.endswith(" more)")
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database " * 300)
    proc = run_cli("check", "--db", garbage)
    assert proc.returncode == 1 and proc.stdout.splitlines()[1] == "integrity: file is not a database"


@pytest.mark.parametrize("argv, says", [
    (["deals", "--db", "foo://bar"], "foo://bar: not a database this program can open"),
    (["deals", "--db", "://nothing"], "://nothing: not a database file path or URL"),
    (["server", "init", "--db", "../demo.sqlite"], "team mode needs a PostgreSQL server"),
    (["server", "add-user", "Kim", "--role", "rep", "--login", "kim", "--password-stdin", "--db", "foo://bar"],
     "team mode needs a PostgreSQL server"),
    (["replica", "create", "--server", "../demo.sqlite", "--db", "{tmp}/r.sqlite"],
     "--server: the server must be a PostgreSQL URL"),
    (["replica", "create", "--server", "foo://bar", "--db", "{tmp}/r.sqlite"],
     "--server: the server must be a PostgreSQL URL"),
])
def test_a_db_or_server_that_is_no_database_we_can_open_is_one_line(argv, says, tmp_path):
    proc = run_cli(*[a.format(tmp=tmp_path) for a in argv])
    assert says in one_line_error(proc)
    assert not (tmp_path / "r.sqlite").exists()


def _cli_with_input(*args, stdin: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "app", *map(str, args)], cwd=REPO, env=env, input=stdin,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


@pytest.mark.postgresql
def test_server_commands_by_a_manager_who_is_not_the_owner_say_who_must_run_them(pg_url):
    tag = uuid.uuid4().hex[:8]
    team.init_server(pg_url)
    kim = team.add_member(pg_url, "Kim Min-su", "rep", f"kim_{tag}", "kim-pw")
    lee = team.add_member(pg_url, "Lee Ji-eun", "manager", f"lee_{tag}", "lee-pw")
    as_lee = make_url(pg_url).set(username=lee.db_role, password="lee-pw").render_as_string(hide_password=False)
    owner = make_url(pg_url).username
    expected = (f"run this as the database's owner ({owner}), a role that may create roles; "
                f"you are connected as {lee.db_role}")
    for argv in (["server", "set-role", kim.db_role, "manager"], ["server", "remove-user", kim.db_role],
                 ["server", "init"]):
        proc = run_cli(*argv, "--db", as_lee)
        assert expected in one_line_error(proc), argv
        assert "lee-pw" not in proc.stderr
    proc = _cli_with_input("server", "add-user", "Park", "--role", "rep", "--login", f"park_{tag}",
                           "--password-stdin", "--db", as_lee, stdin="park-pw\n")
    assert expected in one_line_error(proc)
    db = open_database(pg_url)
    try:  # nothing changed
        with db.read() as s:
            assert s.scalar(text("SELECT role FROM app_user WHERE db_role = :r"), {"r": kim.db_role}) == "rep"
            assert s.scalar(text("SELECT count(*) FROM pg_roles WHERE rolname = :r"), {"r": f"park_{tag}"}) == 0
    finally:
        db.dispose()
    # the owner still may
    proc = run_cli("server", "set-role", kim.db_role, "manager", "--db", pg_url)
    assert proc.returncode == 0, proc.stderr


def test_login_with_no_terminal_and_nothing_piped_in_says_how_to_give_the_password():
    """`login` run by a script with nothing on standard input: one line naming
    --password-stdin (getpass read an empty stdin and raised EOFError: an internal error)."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run([sys.executable, "-m", "app", "login", "--db",
                           "postgresql+psycopg://kim@127.0.0.1:1/pipeline", "--user", "kim"], cwd=REPO, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8",
                          timeout=60, start_new_session=True)  # no controlling terminal: getpass reads stdin
    line = one_line_error(proc)
    assert "no terminal to type the password in" in line and "--password-stdin" in line
