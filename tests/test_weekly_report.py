"""The weekly workbook, read back with openpyxl (normal mode: formulas, formats, charts).

One small pipeline is built through the services with fixed timestamps around ISO week
2026-W47 (Monday 2026-11-16 to Sunday 2026-11-22, UTC); every expected figure below is
worked out by hand from that story.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from conftest import SERVERS, clone_pg_database, database_url_for
from openpyxl import load_workbook
from sqlalchemy import event, update

from app.db import backup_sqlite, open_database
from app.errors import AppError, NotFound, ValidationError
from app.models import Opportunity
from app.services import activities, deals, evidence, gates, people
from app.services.process import active_stages
from app.services.report.labels import check_sheet_names
from app.services.weekly_report import (
    ExportCancelled,
    current_iso_week,
    last_complete_iso_week,
    parse_iso_week,
    write_weekly_report,
)

WEEK = "2026-W47"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the Monday after the week
HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\t=1", "\r=1"]
EN_SHEETS = ["Summary", "Pipeline by stage", "Open deals", "Stage moves this week",
             "Won and lost this week", "Slipping deals", "At-risk deals", "Forecast by month",
             "Dwell time by stage", "Activities"]
KO_SHEETS = ["요약", "단계별 파이프라인", "진행 중 영업기회", "이번 주 단계 이동", "이번 주 수주·실주",
             "일정 지연 영업기회", "위험 영업기회", "월별 예측", "단계별 체류 기간", "활동"]


def at(month, day, hour=10):
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def ooxml_unescape(s: str) -> str:
    """Excel's reading of _xHHHH_ escapes (openpyxl returns them as stored)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), s)


def _tell_story(db, rep, manager) -> dict[str, uuid.UUID]:
    """The week's events. Returns the deal ids by name."""
    acme = people.create_account(db, "Acme")
    src = people.create_lead_source(db, "Web")
    d = {}

    def new(name, title, amount=None, close=None, when=None, **kw):
        d[name] = deals.create_deal(db, title=title, owner_id=rep.id, at=when or at(11, 2), amount=amount,
                                    expected_close=close, account_id=acme.id, **kw).id

    new("d1", "Alpha upgrade", Decimal("1500000"), date(2026, 12, 15), lead_source_id=src.id)
    for i in range(len(HOSTILE)):
        new(f"h{i}", f"hostile {i}")
    # the services strip what users type; an import or another client may not: store the
    # hostile titles exactly as they are
    with db.write() as s:
        for i, title in enumerate(HOSTILE):
            s.execute(update(Opportunity).where(Opportunity.id == d[f"h{i}"]).values(title=title))
    new("d3", "Beta rollout", Decimal("2000000"), date(2026, 12, 1))
    new("d4", "Gamma deal", Decimal("3000000"), date(2026, 11, 30))
    new("d5", "Delta deal", Decimal("500000"), date(2026, 12, 10))
    new("d6", "Zeta deal", Decimal("700000"), date(2027, 1, 20))
    new("d7", "Epsilon deal", Decimal("1000000"), date(2027, 2, 1), when=at(11, 16, 9))  # new this week
    new("d8", "Old lead", Decimal("400000"), date(2026, 12, 31), when=at(10, 1))

    # last week: d6 forward with a gate override
    gates.move_deal(db, d["d6"], 2, actor_id=manager.id, override_reason="pilot", at=at(11, 10))
    # this week: d3 forward (override), two of its four stage-2 checks, two close-date pushes
    gates.move_deal(db, d["d3"], 2, actor_id=manager.id, override_reason="CEO asked", at=at(11, 17))
    with db.read() as s:
        checks = [x.id for x in active_stages(s)[1].deliverables][:2]
    for did in checks:
        evidence.record_evidence(db, d["d3"], did, actor_id=rep.id, note="ok", at=at(11, 17, 11))
    v = deals.get_deal(db, d["d3"]).version
    deals.change_close_date(db, d["d3"], date(2026, 12, 20), expected_version=v, actor_id=rep.id, at=at(11, 18))
    v = deals.get_deal(db, d["d3"]).version
    deals.change_close_date(db, d["d3"], date(2027, 1, 10), expected_version=v, actor_id=rep.id, at=at(11, 19))
    gates.move_deal(db, d["d4"], "won", actor_id=manager.id, override_reason="signed early", at=at(11, 18))
    gates.move_deal(db, d["d5"], "lost", actor_id=rep.id, loss_reason="-2", at=at(11, 19))
    gates.move_deal(db, d["d6"], 1, actor_id=rep.id, reason="\t=1", at=at(11, 20))

    activities.log_activity(db, type="call", subject="@SUM(A1)", owner_id=rep.id, deal_id=d["d1"],
                            due_at=at(11, 17), done_at=at(11, 17, 15), notes="\r=1", at=at(11, 17))
    activities.log_activity(db, type="task", subject="Send quote", owner_id=rep.id, deal_id=d["d3"],
                            due_at=at(11, 20), at=at(11, 16))
    activities.log_activity(db, type="email", subject="Old mail", owner_id=rep.id, deal_id=d["d1"],
                            due_at=at(11, 11), done_at=at(11, 11), at=at(11, 11))
    return d


@pytest.fixture(scope="module")
def story_file(tmp_path_factory):
    """The story told once per module into a database file that tests copy."""
    folder = tmp_path_factory.mktemp("story")
    database = open_database(folder / "story.sqlite")
    try:
        rep = people.create_user(database, "Kim Min-su", "rep")
        manager = people.create_user(database, "Lee Ji-eun", "manager")
        ids = _tell_story(database, rep, manager)
    finally:
        database.dispose()
    return folder / "story.sqlite", ids


ON_BOTH_ENGINES = pytest.mark.parametrize("story_db", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture(scope="module")
def story_pg(request):
    """The story told once per module into a PostgreSQL database (its URL) that tests clone."""
    server = request.getfixturevalue("pg_server")
    url = server.create_database()
    database = open_database(url)
    try:
        rep = people.create_user(database, "Kim Min-su", "rep")
        manager = people.create_user(database, "Lee Ji-eun", "manager")
        _tell_story(database, rep, manager)
    finally:
        database.dispose()  # no connection left: it can be a template
    yield url
    server.drop_database(url)


@pytest.fixture
def story_db(request, story_file, tmp_path):
    """A fresh copy of the story database for one test: on SQLite, and on PostgreSQL too for
    the tests marked ``@ON_BOTH_ENGINES`` (the report's other SQL paths: an owner, a week not
    over, a past week's pipeline, several currencies)."""
    drop = None
    if getattr(request, "param", "sqlite") == "postgresql":
        server = request.getfixturevalue("pg_server")
        url = clone_pg_database(server, request.getfixturevalue("story_pg"))
        drop = lambda: server.drop_database(url)  # noqa: E731
    else:
        src, _ids = story_file
        url = backup_sqlite(src, tmp_path / "copy.sqlite")
    database = open_database(url)
    yield database
    database.dispose()
    if drop is not None:
        drop()


@pytest.fixture(scope="module", params=SERVERS)
def workbook(request, story_file, tmp_path_factory):
    """The English workbook of the story, written once per engine and read back (tests only
    read it): every test of the workbook holds on SQLite, on PostgreSQL, and on a PostgreSQL
    server with a Korean collation and time zone (the same rows, in the same order)."""
    folder = tmp_path_factory.mktemp("wb")
    drop = None
    if request.param == "sqlite":
        src, _ids = story_file
        database = open_database(backup_sqlite(src, folder / "db.sqlite"))
    elif request.param == "postgresql":
        database = open_database(request.getfixturevalue("story_pg"))  # only read
    else:
        url, drop = database_url_for(request.param, request, folder)
        database = open_database(url)
        rep = people.create_user(database, "Kim Min-su", "rep")
        manager = people.create_user(database, "Lee Ji-eun", "manager")
        _tell_story(database, rep, manager)
    try:
        summary = write_weekly_report(database, folder / "weekly.xlsx", week=WEEK, now=NOW)
    finally:
        database.dispose()
        if drop is not None:
            drop()
    return summary, load_workbook(folder / "weekly.xlsx")


def rows_of(ws, first=4):
    return [[c.value for c in row] for row in ws.iter_rows(min_row=first)]


def find_row(ws, col: int, value, first=4):
    for row in ws.iter_rows(min_row=first):
        if row[col].value == value:
            return row
    raise AssertionError(f"{value!r} not in {ws.title}")


# ------------------------------------------------------------------ weeks

def test_iso_weeks():
    assert parse_iso_week("2026-W47") == (date(2026, 11, 16), date(2026, 11, 22))
    assert parse_iso_week("2026-W01") == (date(2025, 12, 29), date(2026, 1, 4))
    assert parse_iso_week("2020-W53") == (date(2020, 12, 28), date(2021, 1, 3))
    for bad in ("2026-W99", "2026-W54", "2025-W53", "2026-47", "", "W47"):
        with pytest.raises(ValidationError) as exc:
            parse_iso_week(bad)
        assert exc.value.errors["week"] == f"'{bad}' is not an ISO week like 2026-W47"
    assert current_iso_week(NOW, UTC) == "2026-W48"
    # Monday 09:00 of W48: the last complete week is W47, all the way to Sunday night
    assert last_complete_iso_week(NOW, UTC) == "2026-W47"
    assert last_complete_iso_week(datetime(2026, 11, 29, 23, 59, tzinfo=UTC), UTC) == "2026-W47"
    assert last_complete_iso_week(datetime(2026, 11, 30, 0, 0, tzinfo=UTC), UTC) == "2026-W48"
    assert last_complete_iso_week(datetime(2027, 1, 4, 8, 0, tzinfo=UTC), UTC) == "2026-W53"
    seoul = timezone(timedelta(hours=9))  # already Monday in Seoul at Sunday 20:00 UTC
    assert last_complete_iso_week(datetime(2026, 11, 29, 20, 0, tzinfo=UTC), seoul) == "2026-W48"


def test_sheet_names_are_valid_excel_names():
    assert check_sheet_names() == []


# ------------------------------------------------------------------ structure

# the desktop app's Korean for these words (resources/translations/pipeline_ko.ts); the
# workbook a manager mails round must not call the same thing by another name
APP_TERMS = {"Won": "수주", "Lost": "실주", "Stage": "단계", "Pipeline": "파이프라인", "Commit": "확정",
             "Best case": "최상의 경우", "Forward": "진행", "Moved forward": "진행", "Back": "되돌림",
             "Moved back": "되돌림", "Reopened": "재개", "Overdue": "기한 초과", "Call": "통화",
             "Meeting": "미팅", "Win rate": "수주율", "Days in stage": "단계 체류 일수", "Owner": "담당 영업",
             "Won revenue": "수주 매출", "Due": "기한", "Kind": "종류"}


def test_report_labels_use_the_apps_korean_terms():
    import xml.etree.ElementTree as ET
    from importlib import resources

    from app.services.report.labels import TEXT

    used = {en: ko for en, ko in TEXT.values() if en in APP_TERMS}
    assert set(used) >= {"Best case", "Forward", "Moved forward", "Back", "Moved back", "Call", "Owner",
                         "Won revenue", "Due", "Kind"}
    for en, ko in TEXT.values():
        if en in APP_TERMS:
            assert ko == APP_TERMS[en], (en, ko)
    # a deal is 영업기회 in the app, never 딜 (the report's sheets once said 진행 중 딜)
    assert [ko for _en, ko in TEXT.values() if "딜" in ko] == []
    assert TEXT["col.deal"][1] == "영업기회" and TEXT["sheet.open"][1] == "진행 중 영업기회"
    # and the app still says so (else this table is stale, not the report)
    ts = resources.files("resources.translations").joinpath("pipeline_ko.ts").read_text(encoding="utf-8")
    app_words: dict[str, set[str]] = {}
    for msg in ET.fromstring(ts).iter("message"):
        app_words.setdefault(msg.findtext("source"), set()).add(msg.findtext("translation"))
    for en, ko in APP_TERMS.items():
        if en not in ("Moved forward", "Back"):  # the report's wording; the app says Forward, Moved back
            assert ko in app_words.get(en, set()), (en, ko, app_words.get(en))


def test_sheets_headers_and_layout(workbook):
    summary, wb = workbook
    assert wb.sheetnames == EN_SHEETS
    assert summary.sheets == EN_SHEETS
    assert summary.week == WEEK and summary.start == date(2026, 11, 16) and summary.end == date(2026, 11, 22)
    ws = wb["Open deals"]
    assert [c.value for c in ws[3]] == ["Owner", "Account", "Deal", "Stage", "Amount", "Currency", "Probability",
                                        "Expected close", "Days in stage", "Checklist", "Close date pushes",
                                        "At risk"]
    assert ws["A1"].value == "Weekly pipeline report: Open deals"
    assert ws["A2"].value.startswith("Week 2026-W47: 2026-11-16 to 2026-11-22")
    for name in EN_SHEETS:
        sheet = wb[name]
        assert sheet.freeze_panes == "A4", name
        assert sheet.page_setup.orientation == ("portrait" if name == "Summary" else "landscape"), name
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage, name
        assert sheet.print_title_rows == ("$1:$3" if name == "Summary" else "$3:$3"), name
        if name != "Summary":
            assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A3:"), name
        widths = [d.width for d in sheet.column_dimensions.values() if d.width]
        assert widths and all(5 <= w <= 60 for w in widths), name
    # 11 open deals: d1, six hostile, d3, d6, d7, d8 -> data rows 4..14, totals below
    assert ws.auto_filter.ref == "A3:L14"
    assert summary.rows["open"] == 11
    assert len(wb["Forecast by month"]._charts) == 1
    assert len(wb["Dwell time by stage"]._charts) == 1


def test_numeric_headers_right_aligned_and_text_wraps(workbook):
    _s, wb = workbook
    ws = wb["Open deals"]
    for ref in ("E3", "G3", "I3", "K3"):  # Amount, Probability, Days in stage, Close date pushes
        assert ws[ref].alignment.horizontal == "right" and ws[ref].alignment.wrap_text, ref
    assert ws["H3"].alignment.horizontal == "right"  # Expected close: dates are right-aligned too
    for ref in ("A3", "C3", "J3", "L3"):  # Owner, Deal, Checklist, At risk: text, indented off the left
        assert ws[ref].alignment.horizontal == "left" and ws[ref].alignment.indent == 1, ref
        assert ws[ref].alignment.wrap_text, ref
    row = find_row(ws, 2, "Beta rollout")
    assert row[2].alignment.wrap_text and row[2].alignment.vertical == "top"  # a long title wraps
    assert row[5].alignment.indent == 1  # "KRW" does not touch the amount on its left
    assert not row[4].alignment.wrap_text and row[4].alignment.vertical == "top"  # numbers level with it
    summary = wb["Summary"]
    assert [summary.cell(3, c).alignment.horizontal for c in (2, 3, 4)] == ["right"] * 3
    moves = wb["Stage moves this week"]
    assert moves["I3"].alignment.wrap_text and moves["F3"].alignment.horizontal == "right"  # When: a date


def test_ratios_show_the_precision_they_have(workbook):
    _s, wb = workbook
    dw = wb["Dwell time by stage"]
    stage1 = find_row(dw, 1, "Lead generation")
    # stage 1: d5 lost after 17 days, d4 won after 16: 17 / 16 = 1.0625, shown and stored as 1.06
    assert stage1[2].value == 16.0 and stage1[3].value == 17.0
    assert stage1[10].value == 1.06 and stage1[10].number_format == "0.00"
    # a rate: one decimal of a percent
    assert find_row(wb["Summary"], 0, "Win rate")[1].number_format == "0.0%"


def test_coverage_shows_two_decimals(story_db, tmp_path):
    from app.services import marketing

    marketing.create_target(story_db, "won_revenue", date(2026, 12, 1), date(2026, 12, 31), Decimal("3000000"))
    path = tmp_path / "w.xlsx"
    write_weekly_report(story_db, path, week=WEEK, now=NOW)
    fc = load_workbook(path)["Forecast by month"]
    assert fc["I3"].value == "Coverage" and fc["A5"].value == datetime(2026, 12, 1)
    # December: open d1 1.5M + d8 0.4M = 1.9M against a 3.0M target, nothing won: 0.6333 -> 0.63
    assert fc["H5"].value == 3000000 and fc["I5"].value == 0.63 and fc["I5"].number_format == "0.00"


def test_column_widths_fit_the_longest_title(db, rep, tmp_path):
    long_title = "A very long deal title that goes on " * 3  # 108 characters: capped at 60
    deals.create_deal(db, title=long_title.strip(), owner_id=rep.id, at=at(11, 2))
    deals.create_deal(db, title="short", owner_id=rep.id, at=at(11, 2))
    path = tmp_path / "w.xlsx"
    write_weekly_report(db, path, week=WEEK, now=NOW)
    ws = load_workbook(path)["Open deals"]
    assert ws.column_dimensions["C"].width == 60
    # no accounts: the header's width, with margin and the text's indent
    assert ws.column_dimensions["B"].width == len("Account") + 4


# ------------------------------------------------------------------ values

def test_pipeline_by_stage_with_subtotals(workbook):
    _s, wb = workbook
    ws = wb["Pipeline by stage"]
    data = rows_of(ws)
    # one row per stage (one currency), then the totals row
    assert [r[0] for r in data[:7]] == [1, 2, 3, 4, 5, 6, 7]
    stage1, stage2 = data[0], data[1]
    # stage 1: d1 1.5M, d6 0.7M, d7 1.0M, d8 0.4M and six hostile deals without amount
    assert stage1[1:] == ["Lead generation", 0.1, "KRW", 10, 3600000, 360000]
    assert stage2[1:] == ["Qualification", 0.2, "KRW", 1, 2000000, 400000]
    assert data[2][4:] == [0, 0, 0]
    total = data[7]
    assert total[0] == "Total"
    assert total[4:] == ["=SUBTOTAL(109,E4:E10)", "=SUBTOTAL(109,F4:F10)", "=SUBTOTAL(109,G4:G10)"]
    assert ws["F4"].number_format == '"₩"#,##0'
    assert ws["F11"].number_format == '"₩"#,##0'
    assert ws["C4"].number_format == "0%"


def test_open_deals_rows(workbook):
    _s, wb = workbook
    ws = wb["Open deals"]
    d3 = [c for c in find_row(ws, 2, "Beta rollout")]
    assert [c.value for c in d3][:7] == ["Kim Min-su", "Acme", "Beta rollout", "Qualification", 2000000, "KRW", 0.2]
    assert d3[4].number_format == '"₩"#,##0'
    assert d3[7].value == datetime(2027, 1, 10) and d3[7].is_date and d3[7].number_format == "yyyy-mm-dd"
    # in stage 2 since 11-17 10:00; now 11-23 09:00: 5 days 23 hours
    assert d3[8].value == 6.0
    assert [c.value for c in d3][9:] == ["2/4", 2, "No"]
    d1 = [c.value for c in find_row(ws, 2, "Alpha upgrade")]
    # stage 1: lead source set and a call logged (2 of 3: no contact); 20 d 23 h in stage,
    # risk threshold of stage 1 = 1.5 x 16 days (d4 was won after 16 days in stage 1) = 24
    assert d1[8:] == [21.0, "2/3", 0, "No"]
    d8 = [c.value for c in find_row(ws, 2, "Old lead")]
    assert d8[8:] == [53.0, "0/3", 0, "Yes"]  # 52 days 23 hours > 24
    total = find_row(ws, 0, "Total")
    assert total[4].value == "=SUBTOTAL(109,E4:E14)"
    rules = {str(cf.sqref): [r.formula for r in cf.rules] for cf in ws.conditional_formatting}
    assert rules == {"A4:L14": [['$L4="Yes"'], ["$K4>0"]]}


def test_hostile_text_is_stored_as_text(workbook):
    _s, wb = workbook
    ws = wb["Open deals"]
    titles = {}
    for row in ws.iter_rows(min_row=4):
        c = row[2]
        if c.value is not None:
            titles[ooxml_unescape(c.value)] = c
    for hostile in HOSTILE:
        cell = titles[hostile]
        assert cell.data_type == "s", hostile
        assert ooxml_unescape(cell.value) == hostile
    # the carriage return is kept with Excel's own escape (a raw CR would become LF in XML)
    assert titles["\r=1"].value == "_x000D_=1"
    assert titles["\t=1"].value == "\t=1"
    # reasons and notes typed by users, on other sheets
    moves = wb["Stage moves this week"]
    back = find_row(moves, 0, "Zeta deal")
    assert back[8].value == "=1" and back[8].data_type == "s"  # the move service strips the reason
    closed = wb["Won and lost this week"]
    lost = find_row(closed, 0, "Delta deal")
    assert lost[8].value == "-2" and lost[8].data_type == "s"
    acts = wb["Activities"]
    done = find_row(acts, 0, "Done this week")
    assert done[2].value == "@SUM(A1)" and done[2].data_type == "s"
    assert ooxml_unescape(done[8].value) == "\r=1" and done[8].data_type == "s"
    # no user text anywhere became a formula: the only formulas are our totals and changes
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                if c.data_type == "f":
                    assert re.match(r"=(SUBTOTAL|SUMPRODUCT|IF)\(", c.value), (sheet.title, c.value)


def test_user_text_literal_escape_sequences_survive(db, rep, tmp_path):
    deals.create_deal(db, title="code _x0041_ and \x07bell", owner_id=rep.id, at=at(11, 2))
    path = tmp_path / "w.xlsx"
    write_weekly_report(db, path, week=WEEK, now=NOW)
    cell = load_workbook(path)["Open deals"]["C4"]
    assert ooxml_unescape(cell.value) == "code _x0041_ and \x07bell"


def test_moves_and_closes_of_the_week(workbook):
    _s, wb = workbook
    moves = rows_of(wb["Stage moves this week"])
    # this week's moves (creation not listed), oldest first: d3 forward, d4 won, d5 lost, d6 back
    assert [(r[0], r[3], r[4], r[7]) for r in moves] == [
        ("Beta rollout", "Lead generation", "Qualification", "Forward"),
        ("Gamma deal", "Lead generation", "Won", "Won"),
        ("Delta deal", "Lead generation", "Lost", "Lost"),
        ("Zeta deal", "Qualification", "Lead generation", "Back"),
    ]
    assert moves[0][5] == datetime(2026, 11, 17, 10, 0)
    assert moves[0][6] == "Lee Ji-eun" and moves[0][9] == "CEO asked"
    assert moves[1][9] == "signed early"
    assert moves[2][6] == "Kim Min-su"
    ws = wb["Stage moves this week"]
    assert ws["F4"].number_format == "yyyy-mm-dd hh:mm"
    closed = rows_of(wb["Won and lost this week"])
    assert [(r[0], r[3], r[5], r[8]) for r in closed[:2]] == [
        ("Gamma deal", "Won", 3000000, None), ("Delta deal", "Lost", 500000, "-2")]
    assert closed[0][9] == "signed early"
    assert closed[0][10] == 16.0 and closed[1][10] == 17.0  # days from creation (11-02) to the close
    # won and lost are totalled apart, each following the filter
    assert [r[0] for r in closed[2:]] == ["Total won", "Total lost"]
    ws = wb["Won and lost this week"]
    assert ws["F6"].value == ('=SUMPRODUCT(SUBTOTAL(109,OFFSET(F4,ROW(F4:F5)-ROW(F4),0)),'
                              '--($D$4:$D$5="Won"))')
    assert ws["F7"].value == ('=SUMPRODUCT(SUBTOTAL(109,OFFSET(F4,ROW(F4:F5)-ROW(F4),0)),'
                              '--($D$4:$D$5="Lost"))')
    assert ws["F6"].number_format == ws["F7"].number_format == '"₩"#,##0'


def block(ws, title: str) -> list[list]:
    """The rows of a Summary block: below its title and header, up to the next empty row."""
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    start = next(i for i, r in enumerate(rows) if r and r[0] == title) + 2
    out = []
    for r in rows[start:]:
        if not r or all(v is None for v in r):
            break
        out.append(r)
    return out


def test_summary_kpis_and_changes(workbook):
    _s, wb = workbook
    ws = wb["Summary"]
    kpis = {r[0]: r[1:4] for r in rows_of(ws)[:10]}
    # this week: d4 won (3.0M), d5 lost; last week nothing closed
    assert kpis["Win rate"][:2] == [0.5, None]
    assert kpis["Won revenue"][:2] == [3000000, 0]
    assert kpis["Deals won"][:2] == [1, 0]
    assert kpis["Deals lost"][:2] == [1, 0]
    assert kpis["New deals"][:2] == [1, 0]
    # open at the end of each week, from the history: at 11-15 24:00 d1, six hostile, d3, d4,
    # d5, d6 (created 11-02) and d8 (10-01) = 12; at 11-22 24:00: + d7, - d4, - d5 = 11
    assert kpis["Open deals"][:2] == [11, 12]
    # 1.5M + 2.0M + 3.0M + 0.5M + 0.7M + 0.4M = 8.1M; then + 1.0M - 3.0M - 0.5M = 5.6M
    assert kpis["Open pipeline"][:2] == [5600000, 8100000]
    assert ws["A14"].value == ("Open deals, pipeline and velocity: at the end of each week, from the stage "
                               "history (amounts as they are today).")
    win = find_row(ws, 0, "Win rate")
    assert win[1].number_format == "0.0%"
    # the change of a rate is in percentage points: (B - C) x 100 shown as "+4.5 pp"
    assert win[3].value == '=IF(AND(ISNUMBER(B4),ISNUMBER(C4)),(B4-C4)*100,"")'
    assert win[3].number_format == '+0.0" pp";-0.0" pp";0.0" pp"'
    assert find_row(ws, 0, "Won revenue")[1].number_format == '"₩"#,##0'
    opened = find_row(ws, 0, "Open pipeline")
    assert opened[3].value == '=IF(AND(ISNUMBER(B13),ISNUMBER(C13)),B13-C13,"")'
    # moves: counted from the stage history and the close-date log of each week (KRW deals)
    moves = {r[0]: r[1:3] for r in block(ws, "Moves since last week (KRW deals)")}
    assert moves == {"Moved forward": [1, 1], "Moved back": [1, 0], "Reopened": [0, 0],
                     "Close dates pushed": [2, 0], "Gate overrides": [2, 1]}


def test_summary_open_pipeline_against_last_week(workbook):
    _s, wb = workbook
    ws = wb["Summary"]
    bridge = block(ws, "Open pipeline, last week to this week (KRW deals)")
    assert [r[:3] for r in bridge] == [
        ["Open at the end of last week (2026-11-15 24:00)", 8100000, 12],
        ["New deals", 1000000, 1],  # d7
        ["Won", -3000000, -1],  # d4
        ["Lost", -500000, -1],  # d5
        ["Reopened and other", 0, 0],
        ["Open at the end of this week (2026-11-22 24:00)", 5600000, 11],
    ]
    row = find_row(ws, 0, "Won", first=18)
    assert row[1].number_format == '+"₩"#,##0;-"₩"#,##0;"₩"#,##0'
    assert row[2].number_format == "+#,##0;-#,##0;#,##0"
    deals_ = block(ws, "Deals behind each change")
    assert deals_ == [
        ["New deal", 1000000, 1, "Lead generation", "Epsilon deal", "Acme", "Kim Min-su"],
        ["Won", -3000000, -1, "Won", "Gamma deal", "Acme", "Kim Min-su"],
        ["Lost", -500000, -1, "Lost", "Delta deal", "Acme", "Kim Min-su"],
    ]
    # the key figures and the bridge count the same deals
    kpis = {r[0]: r[1] for r in rows_of(ws)[:10]}
    steps = {r[0]: r[2] for r in bridge}
    assert (kpis["New deals"], kpis["Deals won"], kpis["Deals lost"]) == (1, 1, 1)
    assert (steps["New deals"], -steps["Won"], -steps["Lost"]) == (1, 1, 1)
    assert sum(r[2] for r in bridge[:-1]) == bridge[-1][2]
    assert sum(r[1] for r in bridge[:-1]) == bridge[-1][1]


@ON_BOTH_ENGINES
def test_a_past_week_shows_its_pipeline_from_the_history(story_db, tmp_path):
    path = tmp_path / "w46.xlsx"
    write_weekly_report(story_db, path, week="2026-W46", now=NOW)
    wb = load_workbook(path)
    pipe = wb["Pipeline by stage"]
    assert pipe["A2"].value.endswith("· Open deals at the end of the week (2026-11-15 24:00), from the stage "
                                      "history; amounts as they are today")
    data = rows_of(pipe)
    # at 11-15 24:00: stage 1 held d1 1.5M, d3 2.0M, d4 3.0M, d5 0.5M, d8 0.4M and the six
    # hostile deals; d6 (0.7M) was in stage 2 since 11-10. Today d4/d5 are closed, d3 in 2.
    assert data[0][1:] == ["Lead generation", 0.1, "KRW", 11, 7400000, 740000]
    assert data[1][1:] == ["Qualification", 0.2, "KRW", 1, 700000, 140000]
    summary = wb["Summary"]
    kpis = {r[0]: r[1:3] for r in rows_of(summary)[:10]}
    assert kpis["Open deals"] == [12, 12] and kpis["Open pipeline"] == [8100000, 8100000]
    bridge = block(summary, "Open pipeline, last week to this week (KRW deals)")
    assert bridge[0][0] == "Open at the end of last week (2026-11-08 24:00)"
    assert bridge[-1][0] == "Open at the end of this week (2026-11-15 24:00)"
    assert block(summary, "Deals behind each change")[0][0] == "No deal changed the open pipeline."
    # the lists of today's state say so plainly
    assert wb["Open deals"]["A2"].value.endswith("· As of today (2026-11-23 09:00), not at the end of the week")
    assert wb["At-risk deals"]["A2"].value.endswith("· As of today (2026-11-23 09:00), not at the end of the week")


@pytest.mark.both_engines
def test_velocity_of_each_week_uses_the_pipeline_at_its_end(db, rep, manager, tmp_path):
    """The default report (the last complete week) beside the week before, on a pipeline
    that changed since: velocity = open deals at the week's end × win rate × average won
    deal / cycle days, with the open deals of that week's end, not today's."""
    from test_analytics_common import D
    from test_analytics_kpis import NOW_W04, W02, W03, build_three_weeks

    from app.services import analytics

    build_three_weeks(db, rep, manager)
    week = last_complete_iso_week(NOW_W04, UTC)
    assert week == "2026-W03"
    path = tmp_path / "w03.xlsx"
    write_weekly_report(db, path, week=week, now=NOW_W04)
    ws = load_workbook(path)["Summary"]
    kpis = {r[0]: r[1:4] for r in rows_of(ws)[:10]}
    # W03: R won (400, 11 days), L lost; W02: P won (100, 6 days), Q lost
    assert kpis["Win rate"][:2] == [0.5, 0.5]
    assert kpis["Average won deal size"][:2] == [400, 100]
    assert kpis["Sales cycle (days)"][:2] == [11.0, 6.0]
    # open at 01-18 24:00: S, T, W, X (4, 1880); at 01-11 24:00: R, L, S, T, X (5, 1730);
    # today's 3 deals (T, W, U: 5800) are neither
    assert kpis["Open deals"][:2] == [4, 5]
    assert kpis["Open pipeline"][:2] == [1880, 1730]
    # 4 x 1/2 x 400 / 11 = 72.73 and 5 x 1/2 x 100 / 6 = 41.67 (with today's 3: 54.55 and 25.00)
    velocity = find_row(ws, 0, "Pipeline velocity (per day)")
    assert [c.value for c in velocity[1:3]] == [72.73, 41.67]
    assert velocity[3].value == '=IF(AND(ISNUMBER(B7),ISNUMBER(C7)),B7-C7,"")'  # 31.06
    # the analytics service gives the same figures for both weeks
    for col, f in ((1, W03), (2, W02)):
        k = analytics.kpis(db, f)
        assert velocity[col].value == float(k.velocity)
        assert [kpis["Open deals"][col - 1], kpis["Open pipeline"][col - 1]] == [k.open_count, k.open_pipeline]
    # the bridge starts and ends on the same pipelines, its steps adding up
    bridge = block(ws, "Open pipeline, last week to this week (KRW deals)")
    assert [r[:3] for r in bridge] == [
        ["Open at the end of last week (2026-01-11 24:00)", 1730, 5],
        ["New deals", 600, 1],  # W
        ["Won", -400, -1],  # R
        ["Lost", -50, -1],  # L
        ["Reopened and other", 0, 0],
        ["Open at the end of this week (2026-01-18 24:00)", 1880, 4],
    ]
    # the week in progress: its velocity counts the pipeline of now (T, W, U)
    write_weekly_report(db, path, week="2026-W04", now=D(21, 12))
    ws = load_workbook(path)["Summary"]
    kpis = {r[0]: r[1:3] for r in rows_of(ws)[:10]}
    assert kpis["Open deals"] == [3, 4] and kpis["Pipeline velocity (per day)"] == [97.3, 72.73]


@ON_BOTH_ENGINES
def test_a_week_not_over_says_as_of_today(story_db, tmp_path):
    path = tmp_path / "w47.xlsx"
    saturday = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # after the story's last event
    write_weekly_report(story_db, path, week=WEEK, now=saturday)
    wb = load_workbook(path)
    assert wb["Pipeline by stage"]["A2"].value.endswith("· As of today (2026-11-21 12:00)")
    assert wb["Open deals"]["A2"].value.endswith("· As of today (2026-11-21 12:00)")
    summary = wb["Summary"]
    assert summary["A14"].value.startswith("Open deals, pipeline and velocity: this week as of today (the week is not")
    bridge = block(summary, "Open pipeline, last week to this week (KRW deals)")
    assert bridge[-1][:3] == ["Open now (2026-11-21 12:00)", 5600000, 11]


@ON_BOTH_ENGINES
def test_won_and_lost_totals_per_currency(story_db, tmp_path):
    rep = people.find_user(story_db, "Kim Min-su")
    usd = deals.create_deal(story_db, title="Dollar deal", owner_id=rep.id, at=at(11, 2), amount=Decimal("1200.50"),
                            currency="USD").id
    gates.move_deal(story_db, usd, "won", actor_id=people.find_user(story_db, "Lee Ji-eun").id,
                    override_reason="signed", at=at(11, 20))
    path = tmp_path / "w.xlsx"
    write_weekly_report(story_db, path, week=WEEK, now=NOW)
    ws = load_workbook(path)["Won and lost this week"]
    data = rows_of(ws)
    # rows: Gamma (won KRW), Dollar (won USD), Delta (lost KRW); no lost USD deal, no total of it
    assert [r[0] for r in data] == ["Gamma deal", "Dollar deal", "Delta deal", "Total won KRW",
                                    "Total won USD", "Total lost KRW"]
    assert ws["F8"].value == ('=SUMPRODUCT(SUBTOTAL(109,OFFSET(F4,ROW(F4:F6)-ROW(F4),0)),'
                              '--($D$4:$D$6="Won"),--($G$4:$G$6="USD"))')
    assert ws["F8"].number_format == '"$"#,##0.00'
    assert ws["F9"].value.endswith('--($D$4:$D$6="Lost"),--($G$4:$G$6="KRW"))')
    # the Summary counts KRW deals in every block: the USD win and its override are left out
    summary_ws = load_workbook(path)["Summary"]
    kpis = {r[0]: r[1] for r in rows_of(summary_ws)[:10]}
    assert kpis["Deals won"] == 1
    assert {r[0]: r[2] for r in block(summary_ws, "Open pipeline, last week to this week (KRW deals)")}["Won"] == -1
    moves = {r[0]: r[1] for r in block(summary_ws, "Moves since last week (KRW deals)")}
    assert moves["Gate overrides"] == 2


def test_slipping_and_at_risk(workbook):
    _s, wb = workbook
    slip = rows_of(wb["Slipping deals"])
    assert len(slip) == 1
    row = slip[0]
    # 12-01 -> 12-20 (19 days) -> 2027-01-10 (21 days)
    assert row[0] == "Beta rollout" and row[7:9] == [2, 40]
    assert row[9] == datetime(2026, 11, 19, 10, 0) and row[10] == "Yes"
    ws = wb["Slipping deals"]
    assert [r.formula for cf in ws.conditional_formatting for r in cf.rules] == [["$H4>=2"], ['$K4="Yes"']]
    risk = rows_of(wb["At-risk deals"])
    assert [r[0] for r in risk] == ["Old lead"]
    assert risk[0][3] == "Lead generation"
    assert risk[0][8] == 24.0 and round(risk[0][7], 1) == 53.0 and round(risk[0][9], 1) == 29.0


def test_activities_done_this_week_and_overdue(workbook):
    _s, wb = workbook
    acts = rows_of(wb["Activities"])
    assert [(r[0], r[1], r[3]) for r in acts] == [("Done this week", "Call", "Alpha upgrade"),
                                                   ("Overdue", "Task", "Beta rollout")]
    assert acts[1][2] == "Send quote" and acts[1][6] == datetime(2026, 11, 20, 10, 0) and acts[1][7] is None


def test_forecast_and_dwell_sheets_with_charts(workbook):
    _s, wb = workbook
    fc = wb["Forecast by month"]
    months = [r[0] for r in rows_of(fc)][:6]
    assert months == [datetime(2026, m, 1) for m in (11, 12)] + [datetime(2027, m, 1) for m in (1, 2, 3, 4)]
    assert fc["A4"].number_format == "yyyy-mm"
    nov = rows_of(fc)[0]
    assert nov[1] == 3000000  # won in November: d4
    chart = fc._charts[0]
    assert chart.grouping == "stacked" and len(chart.series) == 4
    # the chart counts in millions (the largest figure, 3.0M, is below a billion), from a
    # copy of the figures in that unit under the list: totals on row 10, title on 12
    assert fc["A12"].value == "Chart figures (KRW, millions)"
    assert [c.value for c in fc[13]][:6] == ["Month", "Won", "Commit", "Best case", "Pipeline", "Target"]
    assert [c.value for c in fc[14]][:5] == [datetime(2026, 11, 1), 3.0, 0, 0, 0]
    assert fc["E15"].value == 1.9 and fc["E15"].number_format == "#,##0.0"  # d1 1.5M + d8 0.4M in December
    assert chart.series[0].val.numRef.f == "'Forecast by month'!$B$14:$B$19"
    assert chart.series[0].cat.numRef.f == "'Forecast by month'!$A$14:$A$19"
    assert chart.y_axis.numFmt.formatCode == "#,##0.0"
    assert chart.y_axis.title.tx.rich.p[0].r[0].t == "Amount (KRW, millions)"
    dw = wb["Dwell time by stage"]
    assert [r[1] for r in rows_of(dw)][:7][0] == "Lead generation"
    assert len(dw._charts[0].series) == 3


def test_chart_axis_in_billions_or_eok(db, rep, tmp_path):
    deals.create_deal(db, title="Big one", owner_id=rep.id, at=at(11, 2), amount=Decimal("2500000000"),
                      expected_close=date(2026, 12, 15))
    for lang, title, unit, dec in (("en", "Amount (KRW, billions)", "Chart figures (KRW, billions)", 2.5),
                                   ("ko", "금액 (KRW, 억)", "차트 수치 (KRW, 억)", 25.0)):
        path = tmp_path / f"{lang}.xlsx"
        write_weekly_report(db, path, week=WEEK, now=NOW, lang=lang)
        wb = load_workbook(path)
        fc = wb[wb.sheetnames[7]]
        chart = fc._charts[0]
        assert chart.y_axis.title.tx.rich.p[0].r[0].t == title
        assert fc["A12"].value == unit
        december = [c.value for c in fc[15]]
        assert december[0] == datetime(2026, 12, 1) and sum(v or 0 for v in december[1:6]) == dec, lang


# ------------------------------------------------------------------ language, owner

def test_korean_workbook(story_db, tmp_path):
    path = tmp_path / "ko.xlsx"
    summary = write_weekly_report(story_db, path, week=WEEK, lang="ko", now=NOW)
    wb = load_workbook(path)
    assert wb.sheetnames == KO_SHEETS == summary.sheets
    ws = wb["진행 중 영업기회"]
    assert [c.value for c in ws[3]][:4] == ["담당 영업", "고객사", "영업기회", "단계"]
    d8 = [c.value for c in find_row(ws, 2, "Old lead")]
    assert d8[3] == "가망고객 발굴" and d8[11] == "예"
    rules = [r.formula for cf in ws.conditional_formatting for r in cf.rules]
    assert ['$L4="예"'] in rules
    assert wb["요약"]["A4"].value == "수주율"
    summary_ws = wb["요약"]
    win = find_row(summary_ws, 0, "수주율")
    assert win[3].number_format == '+0.0"%p";-0.0"%p";0.0"%p"'  # percentage points: %p
    bridge = block(summary_ws, "진행 중 파이프라인: 지난주 → 이번 주 (KRW 영업기회)")
    assert [r[0] for r in bridge] == ["지난주 말 진행 중 (2026-11-15 24:00)", "신규 영업기회", "수주", "실주",
                                      "재개 및 기타", "이번 주 말 진행 중 (2026-11-22 24:00)"]
    assert block(summary_ws, "변동별 영업기회")[0][:5] == ["신규 영업기회", 1000000, 1, "가망고객 발굴", "Epsilon deal"]
    closed = [r[0] for r in rows_of(wb["이번 주 수주·실주"])]
    assert closed[-2:] == ["수주 합계", "실주 합계"]
    assert wb["단계별 파이프라인"]["A2"].value.endswith("· 주 말(2026-11-22 24:00) 기준 진행 중 영업기회, 단계 이력으로 "
                                                 "계산; 금액은 오늘 기준")
    assert wb["진행 중 영업기회"]["A2"].value.endswith("· 주 말이 아닌 오늘 기준 (2026-11-23 09:00)")
    # the app's words for a forward and a backward move and for the best case (not 전진 / 후퇴 / 최선)
    moves = rows_of(wb["이번 주 단계 이동"])
    assert [r[7] for r in moves] == ["진행", "수주", "실주", "되돌림"]
    changes = {r[0]: r[1:3] for r in block(summary_ws, "지난주 이후 이동 (KRW 영업기회)")}
    assert changes["진행"] == [1, 1] and changes["되돌림"] == [1, 0]
    forecast = wb["월별 예측"]
    assert [c.value for c in forecast[3]][:5] == ["월", "수주", "확정", "최상의 경우", "파이프라인"]


@ON_BOTH_ENGINES
def test_owner_filter(story_db, tmp_path):
    db = story_db
    manager = people.find_user(db, "Lee Ji-eun")
    deals.create_deal(db, title="Manager's own", owner_id=manager.id, at=at(11, 2))
    path = tmp_path / "mine.xlsx"
    summary = write_weekly_report(db, path, week=WEEK, owner="kim min-su", now=NOW)
    assert summary.owner == "Kim Min-su"
    titles = [r[2] for r in rows_of(load_workbook(path)["Open deals"]) if r[0] != "Total"]
    assert "Manager's own" not in titles and "Beta rollout" in titles
    with pytest.raises(NotFound):
        write_weekly_report(db, tmp_path / "x.xlsx", week=WEEK, owner="nobody", now=NOW)


# ------------------------------------------------------------------ progress, cancel, errors

def test_progress_reaches_the_end(story_db, tmp_path):
    seen = []
    write_weekly_report(story_db, tmp_path / "w.xlsx", week=WEEK, now=NOW, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1]
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:], strict=False))


def test_cancel_leaves_no_file_and_keeps_an_older_one(story_db, tmp_path):
    db = story_db
    path = tmp_path / "w.xlsx"
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(ExportCancelled):
        write_weekly_report(db, path, week=WEEK, now=NOW, cancelled=cancelled)
    assert not path.exists()
    assert not [p.name for p in tmp_path.iterdir() if not p.name.startswith("copy.sqlite")]
    path.write_bytes(b"last week's report")
    calls.clear()
    with pytest.raises(ExportCancelled):
        write_weekly_report(db, path, week=WEEK, now=NOW, cancelled=cancelled)
    assert path.read_bytes() == b"last week's report"


def test_bad_week_and_unwritable_paths(db, tmp_path):
    """Each refusal is a Message (shown in the interface language), its path a field."""
    with pytest.raises(ValidationError) as bad_week:
        write_weekly_report(db, tmp_path / "w.xlsx", week="2026-W99")
    assert bad_week.value.errors["week"].fields == {"week": "2026-W99"}
    with pytest.raises(AppError, match="folder does not exist") as missing:
        write_weekly_report(db, tmp_path / "missing" / "w.xlsx", week=WEEK)
    assert missing.value.message.template == "{path}: folder does not exist"
    assert missing.value.message.fields == {"path": str(tmp_path / "missing")}
    with pytest.raises(AppError, match="is a folder") as folder:
        write_weekly_report(db, tmp_path, week=WEEK)
    assert folder.value.message.template == "{path}: is a folder, not a file"
    assert ExportCancelled().message.template == "export cancelled; no file was written"


def test_the_open_deals_list_is_one_streamed_query(db, rep, tmp_path):
    """The number of SQL statements does not grow with the number of deals."""
    def statements(n_more: int) -> int:
        for i in range(n_more):
            deals.create_deal(db, title=f"deal {i}", owner_id=rep.id, amount=Decimal(1000 + i), at=at(11, 2))
        count = [0]

        def on_exec(*_a):
            count[0] += 1

        event.listen(db.engine, "before_cursor_execute", on_exec)
        try:
            write_weekly_report(db, tmp_path / "w.xlsx", week=WEEK, now=NOW)
        finally:
            event.remove(db.engine, "before_cursor_execute", on_exec)
        return count[0]

    assert statements(3) == statements(40)


# ------------------------------------------------------------------ agreement with analytics

@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_workbook(request, tmp_path_factory):
    """A demo company's workbook, and the analytics service's own answers for the same week,
    on each engine (the sheets stream their own SQL; analytics has its own: they must agree)."""
    from dataclasses import replace

    from app.services import analytics, demo

    folder = tmp_path_factory.mktemp("demo")
    drop = None
    if request.param == "postgresql":
        server = request.getfixturevalue("pg_server")
        url = server.create_database()
        drop = lambda: server.drop_database(url)  # noqa: E731
    else:
        url = folder / "demo.sqlite"
    database = open_database(url)
    try:
        demo.generate(database, deals=400, seed=2, end=date(2026, 11, 22))
        write_weekly_report(database, folder / "demo.xlsx", week=WEEK, now=NOW)
        f = analytics.Filters(start=date(2026, 11, 16), end=date(2026, 11, 22), now=NOW)
        expected = {
            "at_risk": analytics.at_risk_deals(database, f),
            "slipping": analytics.slippage(database, replace(f, start=date(2026, 8, 31))).per_deal,
            "kpis": analytics.kpis(database, f),
            "previous": analytics.kpis(database, analytics.previous_period(f)),
        }
    finally:
        database.dispose()
        if drop is not None:
            drop()
    return load_workbook(folder / "demo.xlsx"), expected


def test_at_risk_sheet_lists_what_analytics_finds(demo_workbook):
    wb, expected = demo_workbook
    rows = rows_of(wb["At-risk deals"])
    assert expected["at_risk"], "the demo should have deals at risk"
    assert [(r[0], r[2], r[8]) for r in rows] == [
        (a.title, a.owner, round(a.threshold_days, 1)) for a in expected["at_risk"]]
    # and the open-deals sheet flags exactly those deals as at risk
    flagged = sorted(r[2] for r in rows_of(wb["Open deals"]) if r[11] == "Yes")
    assert flagged == sorted(a.title for a in expected["at_risk"])


def test_slipping_sheet_lists_what_analytics_finds(demo_workbook):
    wb, expected = demo_workbook
    rows = rows_of(wb["Slipping deals"])
    assert expected["slipping"], "the demo should have pushed close dates"
    assert [(r[0], r[7], r[8]) for r in rows] == [(d.title, d.pushes, d.days_pushed) for d in expected["slipping"]]


def test_summary_shows_the_analytics_kpis(demo_workbook):
    wb, expected = demo_workbook
    k = expected["kpis"]
    by_label = {r[0]: r[1] for r in rows_of(wb["Summary"]) if r and r[0]}
    assert by_label["Deals won"] == k.won_count and by_label["Deals lost"] == k.lost_count
    assert by_label["Won revenue"] == k.won_revenue
    assert by_label["Open deals"] == k.open_count
    last = {r[0]: r[2] for r in rows_of(wb["Summary"])[:10]}
    p = expected["previous"]
    assert (last["Open deals"], last["Open pipeline"]) == (p.open_count, p.open_pipeline)
    assert by_label["Pipeline velocity (per day)"] == float(k.velocity)
    assert last["Pipeline velocity (per day)"] == (None if p.velocity is None else float(p.velocity))
    # each week's velocity from that week's own cells: open deals x win rate x average / cycle
    for col in (1, 2):
        cells = {r[0]: r[col] for r in rows_of(wb["Summary"])[:10]}
        won, lost = cells["Deals won"], cells["Deals lost"]
        if cells["Pipeline velocity (per day)"] is None:  # nothing won that week
            assert not won and cells["Average won deal size"] is None
            continue
        assert cells["Pipeline velocity (per day)"] == pytest.approx(
            cells["Open deals"] * won / (won + lost) * cells["Average won deal size"] / cells["Sales cycle (days)"],
            abs=0.005)


def test_a_strange_currency_code_stays_data(db, rep, tmp_path):
    """Currency codes end up in the per-currency totals formulas: they are quoted as text."""
    deals.create_deal(db, title="Normal", owner_id=rep.id, amount=Decimal(100), at=at(11, 2))
    odd = deals.create_deal(db, title="Odd", owner_id=rep.id, amount=Decimal(5), at=at(11, 2))
    with db.write() as s:  # as a careless import could store it
        s.execute(update(Opportunity).where(Opportunity.id == odd.id).values(currency='X")+1+("'))
    path = tmp_path / "w.xlsx"
    write_weekly_report(db, path, week=WEEK, now=NOW)
    ws = load_workbook(path)["Open deals"]
    totals = {r[0].value: r[4] for r in ws.iter_rows(min_row=4) if str(r[0].value).startswith("Total")}
    odd_total = totals['Total X")+1+("']
    assert odd_total.value.endswith('--($F$4:$F$5="X"")+1+("""))')
    assert odd_total.number_format == "#,##0.00"
    assert totals["Total KRW"].number_format == '"₩"#,##0'


# ------------------------------------------------------------------ the order of titles

ORDERED = ["Alpha", "beta", "Zeta", "Émile", "가온", "나래", "하늘"]  # app.services.collation's order
SHUFFLED = ["하늘", "Zeta", "가온", "beta", "Émile", "나래", "Alpha"]


def test_lists_with_equal_figures_are_in_title_order_on_every_server(db_any_server, tmp_path):
    """Deals alike in all but their title come out in one order on SQLite, PostgreSQL and a
    Korean team's PostgreSQL (whose own collation puts Hangul first), and the at-risk and
    slipping sheets list them as the analytics service does."""
    from app.services import analytics

    db = db_any_server
    rep = people.create_user(db, "Kim Min-su", "rep")
    manager = people.create_user(db, "Lee Ji-eun", "manager")
    for title in SHUFFLED:
        old = deals.create_deal(db, title=title, owner_id=rep.id, amount=Decimal(100),
                                expected_close=date(2026, 12, 1), at=at(8, 3))
        deals.change_close_date(db, old.id, date(2026, 12, 15), expected_version=old.version, actor_id=rep.id,
                                at=at(11, 18))
        activities.log_activity(db, type="call", subject=title, owner_id=rep.id, deal_id=old.id,
                                done_at=at(11, 19), at=at(11, 19))
        new = deals.create_deal(db, title=f"New {title}", owner_id=rep.id, amount=Decimal(10), at=at(11, 17))
        gates.move_deal(db, new.id, 2, actor_id=manager.id, override_reason="ok", at=at(11, 18))
    path = tmp_path / "w.xlsx"
    write_weekly_report(db, path, week=WEEK, now=NOW)
    wb = load_workbook(path)
    news = [f"New {t}" for t in ORDERED]
    open_rows = [r for r in rows_of(wb["Open deals"]) if r[2]]
    assert [r[2] for r in open_rows] == ORDERED + news  # stage 1 then 2, the same close date within each
    assert [r[0] for r in rows_of(wb["Stage moves this week"])] == news  # all at one moment
    assert [r[2] for r in rows_of(wb["Activities"])] == ORDERED
    assert [r[4] for r in rows_of(wb["Summary"]) if r[0] == "New deal"] == news
    f = analytics.Filters(start=date(2026, 11, 16), end=date(2026, 11, 22), now=NOW)
    risky = [r[0] for r in rows_of(wb["At-risk deals"])]
    assert risky == ORDERED == [a.title for a in analytics.at_risk_deals(db, f)]
    slipping = [r[0] for r in rows_of(wb["Slipping deals"])]
    assert slipping == ORDERED == [s.title for s in analytics.slippage(db, f).per_deal]


def test_the_programs_own_move_reasons_read_in_the_reports_language():
    """An undo's stored reason ("Undo of forward move") in the Korean workbook reads as the
    app shows it; a person's reason stays as typed; English keeps the stored text."""
    from datetime import UTC

    from app.services import history
    from app.services.weekly_report import _Run

    ko, en = _Run(None, "ko", UTC, None, None), _Run(None, "en", UTC, None, None)
    assert ko.reason(history.undo_reason("forward")) == "진행 이동 실행 취소"
    assert ko.reason(history.undo_reason("won")) == "수주 이동 실행 취소"
    assert ko.reason(history.UNDO_REOPEN) == "재개 실행 취소"
    assert ko.reason("Undo of my budget") == "Undo of my budget" and ko.reason(None) is None
    assert en.reason(history.undo_reason("backward")) == "Undo of backward move"
    # the same words as the app's translation of the same reason
    import xml.etree.ElementTree as ET
    from importlib import resources

    ts = resources.files("resources.translations").joinpath("pipeline_ko.ts").read_text(encoding="utf-8")
    app = {m.findtext("source"): m.findtext("translation") for m in ET.fromstring(ts).iter("message")}
    assert app["Undo of {kind} move"].format(kind="진행") == ko.reason(history.undo_reason("forward"))
    assert app["Undo of reopen"] == ko.reason(history.UNDO_REOPEN)
