"""Our own export read back: `pipeline-manager deals` -> `pipeline-manager import` updates
the deals it lists (by their id) and gives titles back without the export's formula guard."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from test_analytics_common import D, new_deal, path

from app.cli import main
from app.db import open_database
from app.models import Opportunity, StageTransition
from app.services import analytics
from app.services.analytics import Filters
from app.services.deals import create_deal_named, list_deals
from app.services.importer import ImportFailed, import_file
from app.services.importer.engine import FORMULA_START, spreadsheet_quoted, spreadsheet_unquoted

TITLES = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\tTabbed", "'=already quoted", "'90s revival",
          "Plain"]


pytestmark = pytest.mark.both_engines

def export(db_url, capsys) -> str:
    assert main(["deals", "--db", str(db_url)]) == 0
    return capsys.readouterr().out


def counts(db) -> tuple[int, int]:
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(Opportunity)),
                s.scalar(select(func.count()).select_from(StageTransition)))


def won_revenue(db) -> Decimal:
    return analytics.kpis(db, Filters(date(2025, 1, 1), date(2026, 12, 31), now=D(1, month=6))).won_revenue


def team(db, rep, manager) -> None:
    """Deals made in the app (no source id): open, won, lost, titles a spreadsheet would run."""
    for i, title in enumerate(TITLES):
        deal = create_deal_named(db, title=title, owner_id=rep.id, at=D(1 + i), amount=f"{100 * (i + 1)}",
                                 account="@Acme" if i == 1 else "Hanil", lead_source="Web",
                                 description="line1\nline2").id  # not in the export: kept
        if i % 3 == 1:
            path(db, manager, deal, [(3, D(12)), ("won", D(20))])
        elif i % 3 == 2:
            path(db, manager, deal, [(2, D(13)), ("lost", D(21))])
        else:
            path(db, manager, deal, [(4, D(14))])


def test_export_then_import_into_the_same_database_changes_nothing(db, db_url, rep, manager, tmp_path, capsys):
    team(db, rep, manager)
    text = export(db_url, capsys)
    assert "'=HYPERLINK" in text  # the export's guard is there
    before, revenue, titles = counts(db), won_revenue(db), sorted(d.title for d in list_deals(db))
    assert {'=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "'=already quoted", "'90s revival"} <= set(titles)
    assert revenue == Decimal("1500.00")  # won: "+1" 200, "\tTabbed" 500, "Plain" 800

    f = tmp_path / "deals.csv"
    f.write_text(text, encoding="utf-8")
    res = import_file(db, f)  # the generic layout, guessed from the header

    assert (res.created, res.updated, res.unchanged, res.history_rows) == (0, 0, len(TITLES), 0)
    assert counts(db) == before and won_revenue(db) == revenue
    assert sorted(d.title for d in list_deals(db)) == titles
    with db.read() as s:  # what the export does not carry stays
        assert set(s.scalars(select(Opportunity.description))) == {"line1\nline2"}
        assert s.scalar(select(func.count()).select_from(Opportunity).where(Opportunity.lead_source_id.is_(None))) == 0
    with db.read() as s:  # a deal made in the app keeps having no source id
        assert s.scalar(select(func.count()).select_from(Opportunity).where(Opportunity.source_id.is_not(None))) == 0
    assert export(db_url, capsys) == text


def test_export_into_an_empty_database_gives_the_same_deals(db, db_url, rep, manager, tmp_path, capsys):
    team(db, rep, manager)
    text = export(db_url, capsys)
    f = tmp_path / "deals.csv"
    f.write_text(text, encoding="utf-8")
    other = tmp_path / "other.sqlite"
    db2 = open_database(str(other))
    try:
        res = import_file(db2, f)
        assert (res.created, res.updated) == (len(TITLES), 0)
        assert won_revenue(db2) == Decimal("1500.00")
        # the same deals: same ids, titles, accounts, owners, stages, amounts and dates; only
        # the version (each move bumped it in the first database) differs
        def rows(t):
            return [{k: v for k, v in r.items() if k != "version"} for r in csv.DictReader(io.StringIO(t))]
        assert rows(export(other, capsys)) == rows(text)
        # and a deal created by the import keeps its source id: importing again updates it
        again = import_file(db2, f)
        assert (again.created, again.unchanged) == (0, len(TITLES))
        # a deal exported from the second database comes back to the first as the same deal
        back = import_file(db, f)
        assert (back.created, back.updated) == (0, 0)
    finally:
        db2.dispose()


def test_an_id_of_ours_wins_over_a_source_id(db, rep, tmp_path):
    """A row whose id is one of our deals updates that deal, whatever its source system; a
    deal created by an import (source id 'S1') is still found by its source id."""
    f = tmp_path / "a.csv"
    f.write_text("source_id,title,amount\nS1,From a sheet,10\n", encoding="utf-8")
    import_file(db, f, preset="generic")
    ours = new_deal(db, rep, "Made here", D(2), amount="5")
    f.write_text(f"id,title,amount\n{ours},Renamed,6\nS1,From a sheet,11\n", encoding="utf-8")
    res = import_file(db, f, preset="generic")
    assert (res.created, res.updated) == (0, 2)
    got = {d.title: (d.amount, d.id) for d in list_deals(db)}
    assert got == {"Renamed": (Decimal("6.00"), ours), "From a sheet": (Decimal("11.00"), got["From a sheet"][1])}
    with db.read() as s:
        assert s.get(Opportunity, ours).source_id is None


def test_quote_prefix_only_in_csv_not_in_a_workbook(db, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["source_id", "title"])
    wb.active.append(["x1", "'-2"])  # a workbook cell's text is its text
    wb.save(tmp_path / "w.xlsx")
    import_file(db, tmp_path / "w.xlsx", preset="generic")
    (tmp_path / "c.csv").write_text("source_id,title,account\nc1,'-2,'@Acme\nc2,'90s,x\n", encoding="utf-8")
    import_file(db, tmp_path / "c.csv", preset="generic")
    assert sorted((d.title, d.account) for d in list_deals(db)) == [("'-2", None), ("'90s", "x"), ("-2", "@Acme")]


@given(st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "@", "\t", "\r", "a", " ", "1"]), max_size=8)
       | st.text(max_size=12))
def test_quote_then_unquote_is_the_text(text):
    quoted = spreadsheet_quoted(text)
    assert spreadsheet_unquoted(quoted) == text
    assert not quoted.startswith(FORMULA_START)  # a spreadsheet never runs it
    assert quoted in (text, "'" + text)
    # what the export leaves alone, an import leaves alone
    if quoted == text:
        assert spreadsheet_unquoted(text) == text


def test_two_rows_for_one_deal_are_refused(db, rep, tmp_path):
    """One row names the deal by our id, another by its source id: the file is refused,
    naming both rows (it would otherwise update the deal twice)."""
    f = tmp_path / "a.csv"
    f.write_text("source_id,title\nS1,From a sheet\n", encoding="utf-8")
    import_file(db, f, preset="generic")
    (deal,) = list_deals(db)
    f.write_text(f"id,title\n{deal.id},Renamed\nS1,Renamed again\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as info:
        import_file(db, f, preset="generic")
    assert [(p.row, p.column, p.message) for p in info.value.problems] == [
        (3, "id", "the same deal as row 2 (one row names it by its id, the other by its source id)")]
    assert [d.title for d in list_deals(db)] == ["From a sheet"]
