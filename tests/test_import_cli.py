"""``pipeline-manager import`` as a real subprocess: counts on success, every problem on its
own stderr line and exit 1 on a bad file, nothing written by --dry-run, never a traceback.
On SQLite (the raw DBAPI fast path) and on PostgreSQL (the typed SQLAlchemy path)."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import one_line_error
from conftest import run_cli as run
from sqlalchemy import func, select

from app.db import open_database
from app.models import Base, Opportunity, Stage, User

pytestmark = pytest.mark.both_engines

REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata"
SF_OPP = REAL / "salesforce-sample" / "Opportunity.csv"



TEMPLATE_TABLES = {"process_template", "stage", "deliverable"}  # what a new database holds


def row_counts(db_url: str) -> dict[str, int]:
    """Rows per table of the database, read through SQLAlchemy (opening it as the CLI does)."""
    db = open_database(db_url)
    try:
        with db.read() as s:
            return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}
    finally:
        db.dispose()


def deal_count(db_url: str) -> int:
    return row_counts(db_url)["opportunity"]


def imported_deals(db_url: str) -> list[tuple]:
    """What the import wrote, read back through the column types (same on both write paths)."""
    db = open_database(db_url)
    try:
        with db.read() as s:
            return [tuple(r) for r in s.execute(
                select(Opportunity.source_id, Opportunity.title, User.name, Opportunity.amount,
                       Opportunity.expected_close, Stage.position, Opportunity.status, Opportunity.version)
                .join(User, User.id == Opportunity.owner_id).join(Stage, Stage.id == Opportunity.stage_id)
                .order_by(Opportunity.title))]
    finally:
        db.dispose()


def deal_titles(db_url: str) -> list[str]:
    db = open_database(db_url)
    try:
        with db.read() as s:
            return list(s.scalars(select(Opportunity.title).order_by(Opportunity.title)))
    finally:
        db.dispose()


def write_deals(path: Path, bad: bool = False, price: int = 1000) -> Path:
    rows = [["source_id", "title", "owner", "amount", "expected_close", "stage", "status"]]
    for i in range(1, 21):
        rows.append([f"d{i}", f"Deal {i}", "Mina Choi", f"{i * price:,}", "2026-06-30", str(1 + i % 7), "open"])
    if bad:
        rows[10][4] = "2026-13-01"  # spreadsheet row 11
        rows[12][3] = "-5"  # spreadsheet row 13
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def expected_deals(price: int, version: int) -> list[tuple]:
    return sorted(((f"d{i}", f"Deal {i}", "Mina Choi", Decimal(i * price).quantize(Decimal("0.01")),
                    date(2026, 6, 30), 1 + i % 7, "open", version) for i in range(1, 21)), key=lambda r: r[1])


def test_good_bad_and_dry_run(tmp_path, db_url, engine_name):
    db = db_url
    good = write_deals(tmp_path / "deals.csv")
    bad = write_deals(tmp_path / "bad.csv", bad=True)

    if engine_name == "sqlite":  # the file does not exist yet: a dry run refuses it, creating nothing
        refused = one_line_error(run("import", good, "--db", db, "--dry-run"))
        assert refused == f"pipeline-manager: error: {db}: no such database file"
        assert not Path(db).exists()
    row_counts(db)  # opened as the CLI does: a new SQLite file gets the schema, no row
    dry = run("import", good, "--db", db, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would import 20 rows: 20 created, 0 updated, 0 unchanged, 20 history rows" in dry.stdout
    counts = row_counts(db)
    assert {t: n for t, n in counts.items() if n and t not in TEMPLATE_TABLES} == {}, counts

    ok = run("import", good, "--db", db, "--preset", "generic")
    assert ok.returncode == 0, ok.stderr
    assert "imported 20 rows: 20 created, 0 updated, 0 unchanged, 20 history rows" in ok.stdout
    assert imported_deals(db) == expected_deals(1000, version=1)
    again = run("import", good, "--db", db)
    assert "0 created, 0 updated, 20 unchanged, 0 history rows" in again.stdout
    assert deal_count(db) == 20
    dearer = run("import", write_deals(tmp_path / "dearer.csv", price=1500), "--db", db)
    assert dearer.returncode == 0, dearer.stderr
    assert "imported 20 rows: 0 created, 20 updated, 0 unchanged, 0 history rows" in dearer.stdout
    assert imported_deals(db) == expected_deals(1500, version=2)
    imported = row_counts(db)

    fail = run("import", bad, "--db", db)
    assert fail.returncode == 1
    assert "Traceback" not in fail.stderr + fail.stdout
    lines = fail.stderr.strip().splitlines()
    assert lines[0].startswith("bad.csv, row 11, column 'expected_close': '2026-13-01' is not a date")
    assert lines[1].startswith("bad.csv, row 13, column 'amount': amount -5: must be 0 or more")
    assert lines[2] == ("pipeline-manager: error: import refused: 2 problem(s) in 2 row(s); "
                        "nothing was imported")
    assert len(lines) == 3
    assert row_counts(db) == imported


def test_mapping_file_errors_are_one_line(tmp_path, db_url):
    mapping = tmp_path / "m.json"
    mapping.write_text('{"fields": {"title": 5}}', "utf-8")
    before = row_counts(db_url)
    proc = run("import", write_deals(tmp_path / "d.csv"), "--db", db_url, "--mapping", mapping)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("pipeline-manager: error: ")
    assert "fields.title" in proc.stderr
    missing = run("import", tmp_path / "nope.csv", "--db", db_url)
    assert missing.returncode == 1 and "nope.csv" in missing.stderr and "Traceback" not in missing.stderr
    assert row_counts(db_url) == before


@pytest.mark.skipif(not SF_OPP.exists(), reason=f"real data file missing: {SF_OPP}")
def test_salesforce_with_history_and_as_user(db_url):
    db = db_url
    proc = run("import", SF_OPP, "--db", db, "--preset", "salesforce",
               "--history", SF_OPP.parent / "OpportunityHistory.csv")
    assert proc.returncode == 0, proc.stderr
    assert "imported 36 rows: 36 created" in proc.stdout
    assert "OpportunityHistory.csv" in proc.stdout
    assert deal_count(db) == 36
    imported = row_counts(db)
    unknown = run("import", SF_OPP, "--db", db, "--as", "Nobody Here")
    assert unknown.returncode == 1 and "Nobody Here" in unknown.stderr
    assert row_counts(db) == imported


def test_windows_1252_file_refused_naming_encoding_then_imported_with_it(tmp_path, db_url):
    db = db_url
    path = tmp_path / "western.csv"
    with open(path, "w", newline="", encoding="cp1252") as fh:
        csv.writer(fh).writerows([["source_id", "title", "account"], ["w1", "Ärger", "Société Générale"]])
    before = row_counts(db)
    proc = run("import", path, "--db", db, "--preset", "generic")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith("western.csv: ") and first.count("western.csv") == 1 and "--encoding" in first
    assert row_counts(db) == before and before["opportunity"] == 0
    proc = run("import", path, "--db", db, "--preset", "generic", "--encoding", "cp1252")
    assert proc.returncode == 0, proc.stderr
    assert deal_titles(db) == ["Ärger"]
