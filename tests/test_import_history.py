"""Stage history the importer writes when the file gives little of it, worked out by hand:
won deals without history (win rate from a stage, dwell), the stretch before a "last stage
change" date, an incremental Salesforce history that repeats the current stage, and a
Salesforce "Closed Won" then "Closed Lost"."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.models import Opportunity, Stage, StageTransition
from app.services import analytics
from app.services.analytics import Filters
from app.services.importer import import_file
from app.services.process import active_stages
from app.services.report.queries import pipeline_changes

pytestmark = pytest.mark.both_engines

def write_csv(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def T(month, day, hour=0, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def visits(db, source_id):
    """(at, position, status, kind) of the deal's visits, oldest first."""
    with db.read() as s:
        return [tuple(r) for r in s.execute(
            select(StageTransition.at, Stage.position, StageTransition.to_status, StageTransition.kind)
            .join(Stage, StageTransition.to_stage_id == Stage.id)
            .join(Opportunity, Opportunity.id == StageTransition.opportunity_id)
            .where(Opportunity.source_id == source_id).order_by(StageTransition.at))]


def deal(db, source_id) -> Opportunity:
    with db.read() as s:
        return s.scalars(select(Opportunity).where(Opportunity.source_id == source_id)).one()


def template_limits(db) -> dict[int, float]:
    with db.read() as s:
        return {st.position: float(st.dwell_limit_days) for st in active_stages(s)}


# ------------------------------------------------------------------ won deals without history

HIST = [["source_id", "title", "amount", "currency", "stage", "status", "created", "closed", "expected_close"],
        ["W1", "won one", "1000", "USD", "", "won", "2026-06-01", "2026-07-01", "2026-07-01"],
        ["W2", "won two", "1000", "USD", "", "won", "2026-06-01", "2026-07-15", "2026-07-15"],
        ["W3", "won three", "1000", "USD", "", "won", "2026-06-01", "2026-08-01", "2026-08-01"],
        ["L1", "lost one", "1000", "USD", "2", "lost", "2026-06-01", "2026-08-01", "2026-08-01"],
        ["O1", "open one", "10000", "USD", "2", "open", "2026-09-01", "", "2027-01-15"]]


def test_won_deals_without_history_reach_every_stage_and_leave_dwell_alone(db, tmp_path):
    import_file(db, write_csv(tmp_path / "hist.csv", HIST), preset="generic")
    # a won deal whose row names no stage: open from its creation in stage 1 (kind imported:
    # the file states no stage for that stretch), won at stage 7
    assert visits(db, "W1") == [(T(6, 1), 1, "open", "imported"), (T(7, 1), 7, "won", "won")]
    assert visits(db, "L1") == [(T(6, 1), 2, "open", "created"), (T(8, 1), 2, "lost", "lost")]
    assert visits(db, "O1") == [(T(9, 1), 2, "open", "created")]

    now = T(12, 2)
    # the win rate from stage 2 by the funnel's rule: W1-W3 (won: every stage) and L1 reached
    # it; 3 won of 4 closed -> O1 10,000 x 3/4
    jan = analytics.forecast(db, Filters(date(2027, 1, 1), date(2027, 1, 31), now=now))[0]
    assert jan.historical == Decimal("7500.00")
    f = Filters(date(2026, 6, 1), date(2026, 6, 30), now=now)  # the cohort W1-W3, L1
    step2 = analytics.funnel(db, f).steps[1]
    assert (step2.reached, step2.went_on) == (4, 3)

    # dwell: no won deal has a stated stretch in any stage, so Closing's at-risk threshold is
    # the template's (was 1.5 x the whole cycle: 1.5 x 45 days); L1's 61 days in stage 2 count
    limits = template_limits(db)
    assert analytics.stage_risk_thresholds(db) == limits
    dwell = {d.stage: d for d in analytics.dwell_by_stage(db, Filters(date(2026, 1, 1), date(2026, 12, 31),
                                                                         now=now))}
    assert (dwell[7].won.count, dwell[1].won.count, dwell[2].lost.count, dwell[2].lost.median) == (0, 0, 1, 61.0)


def test_a_won_row_keeps_the_stage_it_names(db, tmp_path):
    rows = [["source_id", "title", "stage", "status", "created", "closed"],
            ["A", "won from 4", "4", "won", "2026-03-01", "2026-03-21"],
            ["B", "won at 7", "7", "won", "2026-03-01", "2026-03-31"]]
    import_file(db, write_csv(tmp_path / "w.csv", rows), preset="generic")
    assert visits(db, "A") == [(T(3, 1), 4, "open", "created"), (T(3, 21), 7, "won", "won")]
    # stage 7 names no open stage for a won deal (won deals are at stage 7)
    assert visits(db, "B") == [(T(3, 1), 1, "open", "imported"), (T(3, 31), 7, "won", "won")]
    # won median in stage 4: A's 20 days -> threshold 1.5 x 20; stage 7 the template's
    th = analytics.stage_risk_thresholds(db)
    assert (th[4], th[7]) == (30.0, template_limits(db)[7])


# ------------------------------------------------------------------ "last stage change"

PIPEDRIVE = [
    ["Deal - ID", "Deal - Title", "Deal - Owner", "Deal - Value", "Deal - Currency of value", "Deal - Stage",
     "Deal - Status", "Deal - Deal created", "Deal - Last stage change", "Deal - Won time", "Deal - Lost time",
     "Deal - Deal closed on"],
    ["1", "Big deal", "Anna", "1.234,56", "USD", "Proposal Made", "Open", "2026-01-05 10:00:00",
     "2026-02-01 10:00:00", "", "", ""],
    ["2", "Won deal", "Anna", "2000", "USD", "Negotiations Started", "Won", "2026-01-06 10:00:00",
     "2026-02-20 10:00:00", "2026-03-01 10:00:00", "", "2026-03-01 10:00:00"],
    ["3", "Lost deal", "Bob", "3000", "USD", "Qualified", "Lost", "2026-01-07 10:00:00",
     "2026-02-10 10:00:00", "", "2026-03-02 10:00:00", "2026-03-02 10:00:00"],
    ["4", "Fresh lead", "Bob", "100", "USD", "Lead In", "Open", "2026-01-08 10:00:00",
     "2026-01-20 10:00:00", "", "", ""],
]


def test_the_stretch_before_the_last_stage_change_is_open(db, tmp_path):
    import_file(db, write_csv(tmp_path / "pd.csv", PIPEDRIVE), preset="pipedrive")
    assert visits(db, "1") == [(T(1, 5, 10), 1, "open", "imported"), (T(2, 1, 10), 4, "open", "forward")]
    assert visits(db, "2") == [(T(1, 6, 10), 1, "open", "imported"), (T(2, 20, 10), 6, "open", "forward"),
                               (T(3, 1, 10), 7, "won", "won")]
    assert visits(db, "3") == [(T(1, 7, 10), 1, "open", "imported"), (T(2, 10, 10), 2, "open", "forward"),
                               (T(3, 2, 10), 2, "lost", "lost")]
    # a deal in stage 1 is there from its creation
    assert visits(db, "4") == [(T(1, 8, 10), 1, "open", "created")]
    assert deal(db, "1").stage_entered_at == T(2, 1, 10)

    # the pipeline at the end of January: all four were open, 1,234.56 + 2,000 + 3,000 + 100
    k = analytics.kpis(db, Filters(date(2026, 1, 1), date(2026, 1, 31), now=T(12, 2)))
    assert (k.open_count, k.open_pipeline) == (4, Decimal("6334.56"))
    # dwell: deal 2's 9 days in stage 6 (Feb 20 -> Mar 1); the stand-ins in stage 1 do not count
    th = analytics.stage_risk_thresholds(db)
    assert (th[6], th[1]) == (13.5, template_limits(db)[1])

    # importing the same file again changes nothing
    again = import_file(db, tmp_path / "pd.csv", preset="pipedrive")
    assert (again.created, again.updated, again.unchanged, again.history_rows) == (0, 0, 4, 0)


# ------------------------------------------------------------------ Salesforce history

OPP_HEAD = ["Id", "Name", "StageName", "Amount", "CloseDate", "CreatedDate"]
HIST_HEAD = ["OpportunityId", "CreatedDate", "StageName", "CloseDate", "IsDeleted"]


def salesforce(tmp_path, name, opps, hist):
    d = tmp_path / name
    write_csv(d / "OpportunityHistory.csv", [HIST_HEAD, *hist])
    return write_csv(d / "Opportunity.csv", [OPP_HEAD, *opps])


def test_an_incremental_history_repeating_the_current_stage_changes_nothing(db, tmp_path):
    first = salesforce(tmp_path, "full", [["006A", "Generators", "Qualification", "15000", "02/03/24", "02/23/26"]],
                       [["006A", "02/23/26 08:55 PM", "Prospecting", "", "FALSE"],
                        ["006A", "02/24/26 09:00 AM", "Qualification", "", "FALSE"]])
    import_file(db, first, preset="salesforce")
    before = visits(db, "006A")
    assert before == [(T(2, 23, 20, 55), 1, "open", "created"), (T(2, 24, 9), 2, "open", "forward")]
    # the next export's history holds one row: Qualification again on Mar 1
    inc = salesforce(tmp_path, "inc", [["006A", "Generators", "Qualification", "16000", "02/03/24", "02/23/26"]],
                     [["006A", "03/01/26 10:00 AM", "Qualification", "", "FALSE"]])
    res = import_file(db, inc, preset="salesforce")
    assert (res.updated, res.history_rows) == (1, 0)  # the amount changed, the stage did not
    assert visits(db, "006A") == before
    assert deal(db, "006A").stage_entered_at == T(2, 24, 9)
    # then a newer export: the deal went on to Negotiation on Mar 5
    res = import_file(db, salesforce(tmp_path, "inc2", [["006A", "Generators", "Negotiation/Review", "16000",
                                                         "02/03/24", "02/23/26"]],
                                     [["006A", "03/05/26 10:00 AM", "Negotiation/Review", "", "FALSE"]]),
                      preset="salesforce")
    assert res.history_rows == 1
    assert visits(db, "006A")[-1] == (T(3, 5, 10), 6, "open", "forward")


def test_closed_won_then_closed_lost_is_one_closing_and_the_bridge_sees_nothing(db, tmp_path):
    opps = [["006T", "United Oil SLA", "Closed Lost", "120000", "02/03/24", "02/23/26"],
            ["006O", "Open one", "Qualification", "50000", "02/03/24", "02/23/26"]]
    hist = [["006T", "02/23/26 08:55 PM", "Closed Won", "01/27/21", "FALSE"],
            ["006T", "03/07/26 09:00 PM", "Closed Lost", "02/03/24", "FALSE"],
            ["006O", "02/23/26 08:55 PM", "Qualification", "", "FALSE"]]
    import_file(db, salesforce(tmp_path, "sf", opps, hist), preset="salesforce")
    # the deal closed once, on Feb 23, and its outcome is lost, at the stage it was in (7):
    # no won -> lost move, which the app's gates refuse without a reopen
    assert visits(db, "006T") == [(T(2, 23, 20, 55), 7, "lost", "created")]
    t = deal(db, "006T")
    assert (t.status, t.closed_at) == ("lost", T(2, 23, 20, 55))
    # the weekly bridge of 2026-W10 (Mar 2-8): nothing opened, closed or reopened
    with db.read() as s:
        assert pipeline_changes(s, T(3, 2), T(3, 9), T(3, 2), T(3, 9), None, "USD") == []
    # importing it again changes nothing
    again = import_file(db, tmp_path / "sf" / "Opportunity.csv", preset="salesforce")
    assert (again.created, again.updated, again.history_rows) == (0, 0, 0)


def test_a_new_closing_after_a_stored_one_goes_through_a_reopen(db, tmp_path):
    import_file(db, salesforce(tmp_path, "a", [["006W", "Won first", "Closed Won", "100", "02/03/24", "02/23/26"]],
                               [["006W", "02/23/26 08:55 PM", "Closed Won", "", "FALSE"]]), preset="salesforce")
    res = import_file(db, salesforce(tmp_path, "b", [["006W", "Won first", "Closed Lost", "100", "02/03/24",
                                                     "02/23/26"]],
                                     [["006W", "03/07/26 09:00 PM", "Closed Lost", "", "FALSE"]]), preset="salesforce")
    assert res.history_rows == 2
    assert visits(db, "006W") == [(T(2, 23, 20, 55), 7, "won", "created"), (T(3, 7, 21), 7, "open", "reopened"),
                                  (T(3, 7, 21), 7, "lost", "lost")]
    assert deal(db, "006W").status == "lost"


@pytest.mark.parametrize("status", ["won", "lost"])
def test_a_row_closing_a_closed_deal_otherwise_reopens_it_first(db, tmp_path, status):
    head = ["source_id", "title", "stage", "status", "created", "closed"]
    other = "lost" if status == "won" else "won"
    import_file(db, write_csv(tmp_path / "a.csv", [head, ["X", "x", "3", status, "2026-03-01", "2026-03-10"]]),
                preset="generic")
    import_file(db, write_csv(tmp_path / "b.csv", [head, ["X", "x", "3", other, "2026-03-01", "2026-03-20"]]),
                preset="generic")
    got = visits(db, "X")
    assert [(v[2], v[3]) for v in got[-3:]] == [(status, status), ("open", "reopened"), (other, other)]
    assert got[-1][0] == T(3, 20)
