"""The command line run as a real subprocess: demo, check, backup, deals, move; exit codes
0 / 1 / 2, one line on stderr, never a traceback."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
import uuid

import pytest
from conftest import REPO, one_line_error
from conftest import run_cli as run

from app.db import head_revision, open_database
from app.services import gates

N = 150




@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_db(request, tmp_path_factory):
    """The demo written by the real command into a SQLite file, or into a PostgreSQL
    database (its URL): the commands below run on both."""
    if request.param == "postgresql":
        path = request.getfixturevalue("pg_server").create_database()
    else:
        path = tmp_path_factory.mktemp("cli") / "demo.sqlite"
    proc = run("demo", "--db", path, "--deals", N, "--seed", 3, "--end", "2026-06-30")
    assert proc.returncode == 0, proc.stderr
    assert f"generated {N} deals" in proc.stderr
    return path


def is_pg(target) -> bool:
    return "://" in str(target)


def sql(path, query, *params):
    """Rows of a raw query (``?`` placeholders) on either engine; ids as 32-digit hex."""
    if not is_pg(path):
        con = sqlite3.connect(path)
        try:
            return con.execute(query, params).fetchall()
        finally:
            con.close()
    from sqlalchemy import create_engine, text

    parts = query.split("?")
    named = parts[0] + "".join(f":p{i}{rest}" for i, rest in enumerate(parts[1:]))
    engine = create_engine(path)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(named), {f"p{i}": v for i, v in enumerate(params)}).fetchall()
    finally:
        engine.dispose()
    return [tuple(v.hex if isinstance(v, uuid.UUID) else v for v in r) for r in rows]


def test_demo_refuses_a_database_with_deals(demo_db):
    proc = run("--db", demo_db, "demo", "--deals", 5)
    assert proc.returncode == 1
    assert "already has deals" in one_line_error(proc)
    assert sql(demo_db, "SELECT count(*) FROM opportunity") == [(N,)]


def test_check(demo_db, tmp_path):
    proc = run("check", "--db", demo_db)
    assert proc.returncode == 0, proc.stderr
    assert "integrity: ok" in proc.stdout and f"schema: {head_revision()}" in proc.stdout
    expected = sql(demo_db, """SELECT s.position, o.status, count(*) FROM opportunity o
                               JOIN stage s ON s.id = o.stage_id GROUP BY s.position, o.status""")
    for pos, status, n in expected:
        line = next(ln for ln in proc.stdout.splitlines()
                    if ln.startswith(f"stage {pos} ") and ln.split()[-2:] == [status, str(n)])
        assert line
    totals = dict(sql(demo_db, "SELECT status, count(*) FROM opportunity GROUP BY status"))
    assert f"total: lost {totals['lost']}, open {totals['open']}, won {totals['won']}" in proc.stdout

    if is_pg(demo_db):
        return  # a damaged file is a SQLite matter
    damaged = tmp_path / "damaged.sqlite"
    data = demo_db.read_bytes()
    damaged.write_bytes(data[:4096] + b"\xde\xad\xbe\xef" * ((len(data) - 4096) // 4))
    proc = run("check", "--db", damaged)  # opening refuses it and names `check`, which reports on it
    assert proc.returncode == 1 and proc.stderr == "", proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"database: {damaged}" and lines[1].startswith("integrity: ") and lines[1] != "integrity: ok"
    assert len(lines) == 2
    assert "damaged.sqlite: " in one_line_error(run("deals", "--db", damaged))


def test_backup(demo_db, tmp_path):
    if is_pg(demo_db):
        pytest.skip("PostgreSQL: backup refuses and names pg_dump (tests/test_pg_cli.py)")
    out = tmp_path / "copy.sqlite"
    proc = run("backup", "--db", demo_db, "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert sql(out, "SELECT count(*) FROM opportunity") == [(N,)]
    proc = run("backup", "--db", demo_db, "-o", out)  # never overwrites
    assert proc.returncode == 1 and "already exists" in one_line_error(proc)


def test_deals_csv_and_json_with_filters(demo_db):
    proc = run("deals", "--db", demo_db, "--stage", 2, "--status", "open", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    expected = {r[0] for r in sql(demo_db, """SELECT o.id FROM opportunity o JOIN stage s ON s.id = o.stage_id
                                              WHERE s.position = 2 AND o.status = 'open'""")}
    assert expected and {uuid.UUID(r["id"]).hex for r in rows} == expected
    assert {(r["stage"], r["status"]) for r in rows} == {("2", "open")}

    proc = run("deals", "--db", demo_db, "--status", "won", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    won = dict(sql(demo_db, "SELECT id, amount FROM opportunity WHERE status = 'won'"))
    assert {uuid.UUID(d["id"]).hex for d in data} == set(won)
    for d in data:
        assert d["stage"] == 7 and d["status"] == "won"
        cents = won[uuid.UUID(d["id"]).hex]
        assert d["amount"] == f"{cents // 100}.{cents % 100:02d}"


@pytest.fixture(scope="module")
def candidates(demo_db):
    """One open deal whose gate is satisfied and three that would be refused."""
    db = open_database(str(demo_db), create=False)
    ready, blocked = [], []
    try:
        for pos, status in [(p, "open") for p in range(1, 7)]:
            rows = sql(demo_db, """SELECT o.id, o.version FROM opportunity o JOIN stage s ON s.id = o.stage_id
                                   WHERE s.position = ? AND o.status = ? ORDER BY o.id""", pos, status)
            for hex_id, _v in rows:
                missing = gates.missing_for_move(db, uuid.UUID(hex_id), pos + 1)
                (blocked if missing else ready).append((hex_id, pos, missing))
    finally:
        db.dispose()
    assert ready and len(blocked) >= 3
    return ready, blocked


def stage_and_status(path, hex_id):
    return sql(path, """SELECT s.position, o.status, o.version FROM opportunity o JOIN stage s
                        ON s.id = o.stage_id WHERE o.id = ?""", hex_id)[0]


def test_move_allowed(demo_db, candidates):
    hex_id, pos, _ = candidates[0][0]
    before = stage_and_status(demo_db, hex_id)
    proc = run("move", hex_id[:12], "--to", pos + 1, "--db", demo_db)
    assert proc.returncode == 0, proc.stderr
    assert f"to stage {pos + 1}" in proc.stdout
    assert stage_and_status(demo_db, hex_id) == (pos + 1, "open", before[2] + 1)


def test_move_refused_prints_the_missing_deliverables(demo_db, candidates):
    hex_id, pos, missing = candidates[1][0]
    before = stage_and_status(demo_db, hex_id)
    proc = run("move", str(uuid.UUID(hex_id)), "--to", pos + 1, "--db", demo_db)
    assert proc.returncode == 1
    assert "Move refused" in proc.stdout
    for m in missing:
        assert f"- {m.name_en} [{m.kind}: {m.key}]" in proc.stdout
    assert "gate refused" in one_line_error(proc)
    assert stage_and_status(demo_db, hex_id) == before


def test_override_by_manager_and_by_rep(demo_db, candidates):
    (rep_deal, pos_r, _), (mgr_deal, pos_m, _) = candidates[1][1], candidates[1][2]
    proc = run("move", rep_deal, "--to", pos_r + 1, "--as", "김민수", "--override", "trust me", "--db", demo_db)
    assert proc.returncode == 1
    assert "only a manager" in one_line_error(proc)
    proc = run("move", mgr_deal, "--to", pos_m + 1, "--as", "Daniel Park",
               "--override", "Framework agreement signed", "--db", demo_db)
    assert proc.returncode == 0, proc.stderr
    assert "gate overridden" in proc.stdout
    (reason, user), = sql(demo_db, """SELECT t.override_reason, u.name FROM stage_transition t
                                      JOIN app_user u ON u.id = t.user_id
                                      WHERE t.opportunity_id = ? AND t.left_at IS NULL""", mgr_deal)
    assert (reason, user) == ("Framework agreement signed", "Daniel Park")


def run_all(arg_lists, timeout=120) -> list[subprocess.CompletedProcess]:
    """Several independent invocations at once (each process mostly waits on imports)."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    procs = [(args, subprocess.Popen([sys.executable, "-m", "app", *map(str, args)], cwd=REPO, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     encoding="utf-8")) for args in arg_lists]
    out = []
    for args, p in procs:
        stdout, stderr = p.communicate(timeout=timeout)
        out.append(subprocess.CompletedProcess(args, p.returncode, stdout, stderr))
    return out


def test_usage_errors_exit_2(tmp_path):
    db = tmp_path / "x.sqlite"
    for proc in run_all([
        ["move", "abc", "--db", db],                # --to missing
        ["deals", "--stage", "9", "--db", db],      # not a stage
        ["deals", "--format", "xml", "--db", db],
        ["frobnicate", "--db", db],
        ["demo", "--end", "2026-02-30", "--db", db],
    ]):
        assert proc.returncode == 2, proc.args
        assert "usage:" in proc.stderr and "Traceback" not in proc.stderr
    assert not db.exists()


def test_missing_and_damaged_files(tmp_path):
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"\x00garbage" * 1000)
    for proc in run_all([
        ["deals", "--db", tmp_path / "missing.sqlite"],
        ["move", "0123456789ab", "--to", "2", "--db", garbage],
        ["check", "--db", tmp_path / "nofolder" / "x.sqlite"],
        ["backup", "-o", tmp_path / "b.sqlite", "--db", garbage],
    ]):
        assert proc.returncode == 1, (proc.args, proc.stderr)
        line = one_line_error(proc)
        assert str(tmp_path) in line
    assert not (tmp_path / "missing.sqlite").exists()
