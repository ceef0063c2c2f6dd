"""KPIs, funnel, slippage, previous period and the undefined cases: figures worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from test_analytics_common import D, build_dwell_world, new_deal, path, set_close

from app.services import analytics
from app.services.analytics import Filters

pytestmark = pytest.mark.both_engines

JAN = Filters(date(2026, 1, 1), date(2026, 1, 31), now=D(1, month=2))


def test_kpis_by_hand(db, rep, manager):
    build_dwell_world(db, rep, manager)
    k = analytics.kpis(db, JAN)
    # closed in January: won A, B, C, D; lost E, F, G  -> win rate 4 / 7
    assert (k.won_count, k.lost_count) == (4, 3)
    assert k.win_rate == pytest.approx(4 / 7)
    # won revenue 100 + 200 + 300 + 400 = 1000; average 1000 / 4 = 250
    assert k.won_revenue == Decimal("1000.00")
    assert k.avg_won_size == Decimal("250.00")
    # cycle: mean of 9, 5, 6, 12 = 8 days
    assert k.cycle_days == pytest.approx(8.0)
    # new deals created in January: A..H = 8 (X was created in December)
    assert k.new_deals == 8
    # open now: H with 1000
    assert (k.open_count, k.open_pipeline) == (1, Decimal("1000.00"))
    # velocity: 1 open deal x 4/7 x 250 / 8 days = 1000 / 56 = 17.857... per day
    assert k.velocity == Decimal("17.86")
    assert k.currency == "KRW" and k.excluded_deals == 0


def test_kpis_previous_period_and_undefined(db, rep, manager):
    build_dwell_world(db, rep, manager)
    prev = analytics.previous_period(JAN)
    assert (prev.start, prev.end, prev.now) == (date(2025, 12, 1), date(2025, 12, 31), JAN.now)
    k = analytics.kpis(db, prev)
    # December: X lost, nothing won: win rate 0 / 1 = 0 (defined), averages undefined
    assert (k.won_count, k.lost_count, k.win_rate) == (0, 1, 0.0)
    assert (k.avg_won_size, k.cycle_days, k.velocity) == (None, None, None)
    assert k.won_revenue == Decimal("0.00") and k.new_deals == 1


def test_kpis_empty_database_all_undefined(db):
    k = analytics.kpis(db, JAN)
    assert (k.win_rate, k.avg_won_size, k.cycle_days, k.velocity) == (None, None, None, None)
    assert (k.new_deals, k.won_count, k.lost_count, k.open_count) == (0, 0, 0, 0)
    assert k.won_revenue == Decimal("0.00") and k.open_pipeline == Decimal("0.00")
    fn = analytics.funnel(db, JAN)
    assert fn.lead_to_won is None and all(s.share is None and s.reached == 0 for s in fn.steps)
    assert all(d.lost_won_ratio is None and d.won.count == 0 for d in analytics.dwell_by_stage(db, JAN))
    assert analytics.cycle_length(db, JAN).overall == analytics.EMPTY
    assert analytics.at_risk_deals(db, JAN) == [] and analytics.marketing(db, JAN) == []
    assert analytics.targets_attainment(db, JAN) == []
    sl = analytics.slippage(db, JAN)
    assert sl.per_deal == [] and sl.pushed_twice_or_more == [] and all(n == 0 for _w, n in sl.by_week)


def test_zero_cycle_makes_velocity_undefined(db, rep, manager):
    a = new_deal(db, rep, "instant", D(5), amount="10")
    path(db, manager, a, [("won", D(5))])  # created and won at the same instant: cycle 0 days
    new_deal(db, rep, "open", D(6), amount="20")
    k = analytics.kpis(db, JAN)
    assert k.cycle_days == 0.0 and k.win_rate == 1.0 and k.avg_won_size == Decimal("10.00")
    assert k.velocity is None


def test_other_currency_excluded_and_counted(db, rep, manager):
    for i in range(2):
        a = new_deal(db, rep, f"krw {i}", D(2), amount="100")
        path(db, manager, a, [("won", D(3))])
    u = new_deal(db, rep, "usd", D(2), amount="7", currency="USD")
    path(db, manager, u, [("won", D(3))])
    k = analytics.kpis(db, JAN)
    # most common currency KRW: 2 deals of 100; the USD deal is left out and counted
    assert (k.currency, k.won_count, k.won_revenue, k.excluded_deals) == ("KRW", 2, Decimal("200.00"), 1)
    k = analytics.kpis(db, Filters(JAN.start, JAN.end, currency="USD", now=JAN.now))
    assert (k.currency, k.won_count, k.won_revenue, k.excluded_deals) == ("USD", 1, Decimal("7.00"), 2)


def test_funnel_with_a_skip(db, rep, manager):
    m = manager
    p = new_deal(db, rep, "P skips 2", D(2))
    path(db, m, p, [(3, D(3)), ("lost", D(4))])
    q = new_deal(db, rep, "Q", D(2))
    path(db, m, q, [(2, D(3)), ("lost", D(4))])
    new_deal(db, rep, "R stays", D(2))
    s = new_deal(db, rep, "S back", D(2))
    path(db, m, s, [(2, D(3)), (3, D(4)), (4, D(5)), (2, D(6)), ("lost", D(7))])
    w = new_deal(db, rep, "W won early", D(2))
    path(db, m, w, [(2, D(3)), ("won", D(4))])  # a manager closed it from stage 2: passed every stage
    old = new_deal(db, rep, "old", D(20, month=12, year=2025))  # not in the January cohort
    path(db, m, old, [(5, D(3))])
    fn = analytics.funnel(db, JAN)
    steps = {st.stage: st for st in fn.steps}
    # highest stage reached: P 3 (through 2 by the skip), Q 2, R 1, S 4, W 7 (won)
    reached = {1: 5, 2: 4, 3: 3, 4: 2, 5: 1, 6: 1, 7: 1}
    went_on = {1: 4, 2: 3, 3: 2, 4: 1, 5: 1, 6: 1, 7: 1}
    assert {k: v.reached for k, v in steps.items()} == reached
    assert {k: v.went_on for k, v in steps.items()} == went_on
    assert steps[1].share == pytest.approx(4 / 5)
    assert steps[2].share == pytest.approx(3 / 4)
    assert steps[3].share == pytest.approx(2 / 3)
    assert steps[4].share == pytest.approx(1 / 2)
    assert steps[7].share == 1.0
    assert fn.lead_to_won == pytest.approx(1 / 5) and (fn.cohort, fn.won) == (5, 1)
    assert analytics.deals_for(db, JAN, chart="funnel", key=3) == [p, s, w]  # by title


def test_funnel_share_undefined_when_nobody_reached(db, rep, manager):
    a = new_deal(db, rep, "a", D(2))
    path(db, manager, a, [(2, D(3))])
    steps = {st.stage: st for st in analytics.funnel(db, JAN).steps}
    assert (steps[1].reached, steps[1].went_on, steps[1].share) == (1, 1, 1.0)
    assert (steps[2].reached, steps[2].went_on, steps[2].share) == (1, 0, 0.0)
    assert (steps[3].reached, steps[3].share) == (0, None)


def test_slippage_by_hand(db, rep):
    # now: Wednesday Jan 21 2026 -> ISO week Mon Jan 19 .. Sun Jan 25
    f = Filters(date(2026, 1, 1), date(2026, 1, 31), now=D(21, 12))
    s1 = new_deal(db, rep, "S1", D(2), expected_close=date(2026, 2, 1))  # first date: not a push
    set_close(db, s1, date(2026, 2, 15), D(6), rep)  # push of 14 days
    set_close(db, s1, date(2026, 2, 10), D(13), rep)  # pull-in: not a push
    set_close(db, s1, date(2026, 3, 2), D(20), rep)  # push Feb 10 -> Mar 2: 20 days
    s2 = new_deal(db, rep, "S2", D(2), expected_close=date(2026, 1, 31))
    set_close(db, s2, date(2026, 2, 5), D(7, 9), rep)  # push of 5 days
    s3 = new_deal(db, rep, "S3", D(1, month=12, year=2025), expected_close=date(2025, 12, 31))
    set_close(db, s3, date(2026, 1, 15), D(15, month=12, year=2025), rep)  # December: outside
    s4 = new_deal(db, rep, "S4", D(2))
    set_close(db, s4, date(2026, 2, 1), D(8), rep)  # first date set: not a push
    sl = analytics.slippage(db, f)
    assert [(x.deal_id, x.pushes, x.days_pushed, x.last_pushed_at) for x in sl.per_deal] == [
        (s1, 2, 14 + 20, D(20)), (s2, 1, 5, D(7, 9))]
    assert sl.per_deal[0].title == "S1" and sl.per_deal[0].owner == rep.name
    assert sl.pushed_twice_or_more == [s1]
    assert sl.pushed_this_week == [s1]  # Jan 20 is in the week of Jan 21
    # weeks from Monday Dec 29 (week of Jan 1): S1 Jan 6 + S2 Jan 7 in week Jan 5; S1 Jan 20
    assert sl.by_week == [(date(2025, 12, 29), 0), (date(2026, 1, 5), 2), (date(2026, 1, 12), 0),
                          (date(2026, 1, 19), 1), (date(2026, 1, 26), 0)]
    assert analytics.deals_for(db, f, chart="slippage", key=date(2026, 1, 5)) == [s1, s2]
    assert analytics.deals_for(db, f, chart="slippage", key=date(2026, 1, 12)) == []
    # the week after: nothing pushed in the week of Jan 28
    assert analytics.slippage(db, Filters(f.start, f.end, now=D(28))).pushed_this_week == []


def test_previous_period_shapes():
    q2 = Filters(date(2026, 4, 1), date(2026, 6, 30))
    prev = analytics.previous_period(q2)  # whole months: the quarter before
    assert (prev.start, prev.end) == (date(2026, 1, 1), date(2026, 3, 31))
    mar = analytics.previous_period(Filters(date(2026, 3, 1), date(2026, 3, 31)))
    assert (mar.start, mar.end) == (date(2026, 2, 1), date(2026, 2, 28))
    days = analytics.previous_period(Filters(date(2026, 1, 10), date(2026, 1, 16)))  # 7 days
    assert (days.start, days.end) == (date(2026, 1, 3), date(2026, 1, 9))
    assert analytics.current_quarter(date(2026, 11, 23)) == (date(2026, 10, 1), date(2026, 12, 31))


def build_three_weeks(db, rep, manager) -> dict[str, object]:
    """Weeks W02 (Jan 5-11), W03 (Jan 12-18) and W04 (Jan 19-25, not over at NOW_W04).

    P 100 created Jan 2, won Jan 8       Q 300 created Jan 2, lost Jan 9       (closed in W02)
    R 400 created Jan 3, won Jan 14      L  50 created Jan 3, lost Jan 15      (closed in W03)
    S 1000 created Jan 5, won Jan 20 10:00; X 80 created Jan 7, lost Jan 20 11:00 (this week)
    T 200 created Jan 6, W 600 created Jan 13, U 5000 created Jan 19 09:00: open now.

    Open at the end of W02 (Jan 12 00:00): R, L, S, T, X = 5 deals, 1730
    Open at the end of W03 (Jan 19 00:00): S, T, W, X     = 4 deals, 1880
    Open now (Jan 21 12:00):               T, W, U        = 3 deals, 5800
    """
    ids: dict[str, object] = {}
    for name, amount, created, closes in (
            ("P", "100", D(2), [("won", D(8))]), ("Q", "300", D(2), [("lost", D(9))]),
            ("R", "400", D(3), [(2, D(10)), ("won", D(14))]), ("L", "50", D(3), [("lost", D(15))]),
            ("S", "1000", D(5), [(2, D(12)), (3, D(16)), ("won", D(20, 10))]),
            ("X", "80", D(7), [("lost", D(20, 11))]), ("T", "200", D(6), [(2, D(15))]),
            ("W", "600", D(13), []), ("U", "5000", D(19, 9), [])):
        ids[name] = deal = new_deal(db, rep, name, created, amount=amount)
        path(db, manager, deal, closes)
    return ids


NOW_W04 = D(21, 12)
W02 = Filters(date(2026, 1, 5), date(2026, 1, 11), now=NOW_W04)
W03 = Filters(date(2026, 1, 12), date(2026, 1, 18), now=NOW_W04)
W04 = Filters(date(2026, 1, 19), date(2026, 1, 25), now=NOW_W04)


def test_open_pipeline_and_velocity_of_a_past_period_as_at_its_end(db, rep, manager):
    build_three_weeks(db, rep, manager)
    k = analytics.kpis(db, W03)
    # W03: R won (400, 11 days from creation), L lost; open at Jan 19 00:00: S, T, W, X
    assert (k.won_count, k.lost_count, k.avg_won_size, k.cycle_days) == (1, 1, Decimal("400.00"), 11.0)
    assert (k.open_count, k.open_pipeline) == (4, Decimal("1880.00"))
    # 4 open x 1/2 x 400 / 11 days = 800 / 11 = 72.727... (today's 3 open deals would give 54.55)
    assert k.velocity == Decimal("72.73")
    prev = analytics.kpis(db, analytics.previous_period(W03))
    assert (prev.open_count, prev.open_pipeline) == (5, Decimal("1730.00"))
    # W02: P won (100, 6 days), Q lost; 5 open x 1/2 x 100 / 6 = 41.666... (today's 3: 25.00)
    assert (prev.avg_won_size, prev.cycle_days, prev.velocity) == (Decimal("100.00"), 6.0, Decimal("41.67"))
    # the period before that had no closes: velocity undefined, but its end's pipeline is
    # known (Jan 5 00:00: P, Q, R, L = 4 deals, 850)
    w01 = analytics.kpis(db, analytics.previous_period(W02))
    assert (w01.velocity, w01.open_count, w01.open_pipeline) == (None, 4, Decimal("850.00"))


def test_a_period_not_over_counts_the_pipeline_of_now(db, rep, manager):
    build_three_weeks(db, rep, manager)
    k = analytics.kpis(db, W04)
    # now (Jan 21 12:00), not Jan 26: T, W, U; S won after 15 days 10 hours, X lost
    assert (k.open_count, k.open_pipeline) == (3, Decimal("5800.00"))
    assert k.cycle_days == pytest.approx(15 + 10 / 24)
    # 3 x 1/2 x 1000 / 15.41666 days = 97.297...
    assert k.velocity == Decimal("97.30")
    # an earlier "now" reads the history as it was then: Jan 20 10:30, S just won, X still open
    k = analytics.kpis(db, replace(W04, now=D(20, 10, 30)))
    assert (k.open_count, k.open_pipeline) == (4, Decimal("5880.00"))  # T, W, U, X


def test_a_reopened_deal_is_open_again_from_its_reopening(db, rep, manager):
    build_three_weeks(db, rep, manager)
    q = new_deal(db, rep, "reopened", D(6), amount="7")
    path(db, manager, q, [("lost", D(10)), (1, D(16))])  # lost in W02, reopened in W03
    assert analytics.kpis(db, W02).open_count == 5  # closed at the end of W02
    k = analytics.kpis(db, W03)
    assert (k.open_count, k.open_pipeline) == (5, Decimal("1887.00"))
