"""`pipeline-manager report` run as a real subprocess: a good week writes a workbook whose
open-deals sheet matches the database; a bad week or an unwritable path is one line on
stderr and exit 1, never a traceback."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import one_line_error
from conftest import run_cli as run
from openpyxl import load_workbook


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("report-cli") / "demo.sqlite"
    proc = run("demo", "--db", path, "--deals", 120, "--seed", 5, "--end", "2026-06-30")
    assert proc.returncode == 0, proc.stderr
    return path


def test_report_for_a_week(demo_db, tmp_path):
    out = tmp_path / "week.xlsx"
    proc = run("report", "--db", demo_db, "--week", "2026-W26", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    wb = load_workbook(out)
    assert wb.sheetnames[:3] == ["Summary", "Pipeline by stage", "Open deals"]
    con = sqlite3.connect(demo_db)
    try:
        n_open, cents = con.execute(
            "SELECT count(*), coalesce(sum(amount), 0) FROM opportunity WHERE status = 'open'").fetchone()
        titles = {r[0] for r in con.execute("SELECT title FROM opportunity WHERE status = 'open'")}
    finally:
        con.close()
    ws = wb["Open deals"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4) if r[0].value is not None]
    data = [r for r in rows if not str(r[0]).startswith("Total")]
    assert len(data) == n_open
    assert {r[2] for r in data} == titles
    # amounts as written equal the stored hundredths
    assert sum(round(float(r[4]) * 100) for r in data if r[4] is not None) == cents


def test_korean_report_for_one_owner(demo_db, tmp_path):
    con = sqlite3.connect(demo_db)
    try:
        owner, n = con.execute(
            "SELECT u.name, count(*) FROM opportunity o JOIN app_user u ON u.id = o.owner_id "
            "WHERE o.status = 'open' GROUP BY u.name ORDER BY count(*) DESC, u.name LIMIT 1").fetchone()
    finally:
        con.close()
    out = tmp_path / "ko.xlsx"
    proc = run("report", "--db", demo_db, "--week", "2026-W26", "--owner", owner, "--lang", "ko", "-o", out)
    assert proc.returncode == 0, proc.stderr
    ws = load_workbook(out)["진행 중 영업기회"]
    owners = [r[0].value for r in ws.iter_rows(min_row=4) if r[0].value and not str(r[0].value).startswith("합계")]
    assert owners == [owner] * n
    # the line names the count the Open deals sheet lists: today's, not the week's end
    assert proc.stderr.rstrip().endswith(f"; {n} deals open as of today)"), proc.stderr


def test_default_week_is_the_last_complete_one(demo_db, tmp_path):
    from datetime import date, timedelta

    out = tmp_path / "default.xlsx"
    proc = run("report", "--db", demo_db, "-o", out)
    assert proc.returncode == 0, proc.stderr
    # the week that ended last Sunday (local time), not the one in progress
    y, w, _ = (date.today() - timedelta(days=7)).isocalendar()
    assert f"(week {y}-W{w:02d}," in proc.stderr
    assert load_workbook(out)["Summary"]["A2"].value.startswith(f"Week {y}-W{w:02d}: ")


def test_bad_week_is_one_line(demo_db, tmp_path):
    proc = run("report", "--db", demo_db, "--week", "2026-W99", "-o", tmp_path / "x.xlsx")
    assert one_line_error(proc) == \
        "pipeline-manager: error: --week: there is no week 99; weeks are numbered 1 to 53"
    proc = run("report", "--db", demo_db, "--week", "2025년 53주차", "-o", tmp_path / "x.xlsx")
    assert one_line_error(proc) == \
        "pipeline-manager: error: --week: 2025 has no week 53; its weeks are numbered 1 to 52"
    line = one_line_error(run("report", "--db", demo_db, "--week", "next week", "-o", tmp_path / "x.xlsx"))
    assert line.startswith("pipeline-manager: error: --week: 'next week' is not a week; type one like ")
    assert not (tmp_path / "x.xlsx").exists()


def test_a_week_typed_in_korean_or_english_is_the_iso_week(demo_db, tmp_path):
    """--week reads what the desktop dialog reads (weekly_report.parse_week_text)."""
    for typed in ("2026년 26주차", "2026년 제26주", "week 26 of 2026"):
        out = tmp_path / "typed.xlsx"
        proc = run("report", "--db", demo_db, "--week", typed, "-o", out)
        assert proc.returncode == 0, proc.stderr
        assert "(week 2026-W26," in proc.stderr, typed
        assert load_workbook(out)["Summary"]["A2"].value.startswith("Week 2026-W26: 2026-06-22 to 2026-06-28"), typed


def test_unwritable_output_is_one_line(demo_db, tmp_path):
    line = one_line_error(run("report", "--db", demo_db, "--week", "2026-W26",
                              "-o", tmp_path / "no-such-folder" / "x.xlsx"))
    assert "no-such-folder: folder does not exist" in line
    line = one_line_error(run("report", "--db", demo_db, "--week", "2026-W26", "-o", tmp_path))
    assert "is a folder" in line
    blocker = tmp_path / "file"
    blocker.write_text("x")
    line = one_line_error(run("report", "--db", demo_db, "--week", "2026-W26", "-o", blocker / "x.xlsx"))
    assert "is not a folder" in line


def test_unknown_owner_is_one_line(demo_db, tmp_path):
    line = one_line_error(run("report", "--db", demo_db, "--week", "2026-W26", "--owner", "Nobody",
                              "-o", tmp_path / "x.xlsx"))
    assert "no user named 'Nobody'" in line


@pytest.mark.postgresql
def test_report_of_one_seed_is_the_same_workbook_on_postgresql(demo_db, pg_url, tmp_path, engine_name):
    """The real command on PostgreSQL: the demo of the same seed gives the same workbook,
    cell by cell, as on SQLite (the report's SQL has a PostgreSQL path for every figure)."""
    proc = run("demo", "--db", pg_url, "--deals", 120, "--seed", 5, "--end", "2026-06-30")
    assert proc.returncode == 0, proc.stderr
    books = {}
    for name, db in (("sqlite", demo_db), ("postgresql", pg_url)):
        out = tmp_path / f"{name}.xlsx"
        proc = run("report", "--db", db, "--week", "2026-W26", "-o", out)
        assert proc.returncode == 0, proc.stderr
        books[name] = load_workbook(out)
    lite, pg = books["sqlite"], books["postgresql"]
    assert lite.sheetnames == pg.sheetnames
    for ws in lite.worksheets:
        other = pg[ws.title]
        lite_rows = [[c.value for c in row] for row in ws.iter_rows()]
        pg_rows = [[c.value for c in row] for row in other.iter_rows()]
        # the line that says when the workbook was made differs by the seconds between runs
        lite_rows = [r for r in lite_rows if not any(isinstance(v, str) and "Generated" in v for v in r)]
        pg_rows = [r for r in pg_rows if not any(isinstance(v, str) and "Generated" in v for v in r)]
        assert lite_rows == pg_rows, ws.title


def test_velocity_of_both_weeks_counts_the_pipeline_at_their_end(demo_db, tmp_path):
    """W24 and W23 ended before the demo's last events: each column's velocity is its own open deals
    (at that week's end, from the stage history) × win rate × average won deal / cycle days."""
    from datetime import UTC, datetime

    out = tmp_path / "week.xlsx"
    proc = run("report", "--db", demo_db, "--week", "2026-W24", "-o", out)
    assert proc.returncode == 0, proc.stderr
    rows = [[c.value for c in r] for r in load_workbook(out)["Summary"].iter_rows(min_row=4, max_row=13)]
    con = sqlite3.connect(demo_db)
    try:
        currency = con.execute("SELECT currency FROM opportunity GROUP BY currency "
                               "ORDER BY count(*) DESC, currency LIMIT 1").fetchone()[0]

        def open_at(moment: datetime) -> int:
            stamp = moment.strftime("%Y-%m-%d %H:%M:%S")
            return con.execute(
                "SELECT count(DISTINCT t.opportunity_id) FROM stage_transition t "
                "JOIN opportunity o ON o.id = t.opportunity_id WHERE o.currency = ? AND t.to_status = 'open' "
                "AND t.at < ? AND (t.left_at IS NULL OR t.left_at >= ?)", (currency, stamp, stamp)).fetchone()[0]

        ends = (open_at(datetime(2026, 6, 15, tzinfo=UTC)), open_at(datetime(2026, 6, 8, tzinfo=UTC)))
        now = con.execute("SELECT count(*) FROM opportunity WHERE status = 'open' AND currency = ?",
                          (currency,)).fetchone()[0]
    finally:
        con.close()
    assert now not in ends, "the demo's pipeline should have changed since the week"
    for col, n_open in ((1, ends[0]), (2, ends[1])):
        cells = {r[0]: r[col] for r in rows}
        assert cells["Open deals"] == n_open
        won, lost = cells["Deals won"], cells["Deals lost"]
        assert won, "the demo should win deals in both weeks"
        assert cells["Pipeline velocity (per day)"] == pytest.approx(
            n_open * won / (won + lost) * cells["Average won deal size"] / cells["Sales cycle (days)"], abs=0.005)
