"""Dwell per stage, risk thresholds, at-risk deals, cycle length: figures worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest
from test_analytics_common import D, build_dwell_world, new_deal, path

from app.services import analytics
from app.services.analytics import Filters, Stats

pytestmark = pytest.mark.both_engines

JAN = Filters(date(2026, 1, 1), date(2026, 1, 31), now=D(1, month=2))


@pytest.fixture
def world(db, rep, manager):
    return build_dwell_world(db, rep, manager)


def approx_stats(st: Stats, count, mean, median, p75):
    assert st.count == count
    if count == 0:
        assert (st.mean, st.median, st.p75) == (None, None, None)
    else:
        assert (st.mean, st.median, st.p75) == pytest.approx((mean, median, p75))


def test_dwell_with_reentry_even_and_odd_counts_ratio_and_open(db, world):
    by = {d.stage: d for d in analytics.dwell_by_stage(db, JAN)}
    assert sorted(by) == [1, 2, 3, 4, 5, 6, 7]
    s2 = by[2]
    # won, sorted [2, 4, 6, 10] (A's two visits 2 + 4 added up): mean 22/4 = 5.5;
    # median (4 + 6) / 2 = 5; p75 at rank (4-1)*0.75 = 2.25: 6 + (10-6)*0.25 = 7
    approx_stats(s2.won, 4, 5.5, 5.0, 7.0)
    # lost [9, 12, 15]: mean 12, median 12, p75 at rank 1.5: 12 + (15-12)*0.5 = 13.5
    approx_stats(s2.lost, 3, 12.0, 12.0, 13.5)
    # open H: Jan 29 12:00 -> injected now Feb 1 00:00 = 2.5 days
    approx_stats(s2.open, 1, 2.5, 2.5, 2.5)
    # lost/won ratio of medians: 12 / 5
    assert s2.lost_won_ratio == pytest.approx(2.4)
    # stage 1, won: A 1, B 2, C 1, D 1 -> [1, 1, 1, 2]: mean 5/4, median 1, p75 1 + (2-1)*0.25
    approx_stats(by[1].won, 4, 1.25, 1.0, 1.25)
    # lost E, F, G: 1 day each; X (December) is outside the period
    approx_stats(by[1].lost, 3, 1.0, 1.0, 1.0)
    # open H in stage 1: Jan 20 -> Jan 29 12:00 = 9.5
    approx_stats(by[1].open, 1, 9.5, 9.5, 9.5)
    assert by[1].lost_won_ratio == pytest.approx(1.0)
    # stage 3, won: A 1 + 1 (two visits), B 1, C 1, D 1 -> [1, 1, 1, 2]
    approx_stats(by[3].won, 4, 1.25, 1.0, 1.25)
    # nobody lost in stage 3: ratio undefined
    approx_stats(by[3].lost, 0, None, None, None)
    assert by[3].lost_won_ratio is None
    assert by[5] == analytics.StageDwell(5, by[5].name_en, by[5].name_ko, analytics.EMPTY, analytics.EMPTY,
                                         analytics.EMPTY, None)


def test_dwell_counts_deals_with_a_visit_overlapping_the_period(db, world):
    f = Filters(date(2026, 1, 10), date(2026, 1, 31), now=D(1, month=2))
    s2 = {d.stage: d for d in analytics.dwell_by_stage(db, f)}[2]
    # stage-2 visits overlapping [Jan 10, Feb 1): A's end Jan 4 and Jan 9 (no), B Jan 5 (no),
    # C Jan 6 (no), D Jan 2->12 (yes, 10 days)
    approx_stats(s2.won, 1, 10.0, 10.0, 10.0)
    # E Jan 2->11, F ->14, G ->17 all overlap
    approx_stats(s2.lost, 3, 12.0, 12.0, 13.5)
    assert set(analytics.deals_for(db, f, chart="dwell", key=(2, "won"))) == {world["D"]}
    assert analytics.deals_for(db, JAN, chart="dwell", key=(2, "lost")) == [world["E"], world["F"], world["G"]]


def test_dwell_owner_filter(db, world, rep):
    s2 = {d.stage: d for d in analytics.dwell_by_stage(db, Filters(JAN.start, JAN.end, owner_id=rep.id,
                                                                    now=JAN.now))}[2]
    # rep's deals: A (6), B (2) won; E (9) lost; H open
    approx_stats(s2.won, 2, 4.0, 4.0, 5.0)  # [2, 6]: p75 at rank 0.75: 2 + 4*0.75 = 5
    approx_stats(s2.lost, 1, 9.0, 9.0, 9.0)


def test_risk_thresholds_and_template_fallback(db, world):
    th = analytics.stage_risk_thresholds(db, 1.5)
    # stage 1 won median 1 -> 1.5; stage 2 median 5 -> 7.5; stage 3 median 1 -> 1.5
    assert th[1] == pytest.approx(1.5)
    assert th[2] == pytest.approx(7.5)
    assert th[3] == pytest.approx(1.5)
    # no won history in stages 4-7: the template's dwell limits (21, 30, 21, 14 days)
    assert (th[4], th[5], th[6], th[7]) == (21.0, 30.0, 21.0, 14.0)
    assert analytics.stage_risk_thresholds(db, 2.0)[2] == pytest.approx(10.0)


def test_at_risk_boundary_is_not_at_risk(db, world, rep, manager):
    now = D(1, month=2)
    f = Filters(date(2026, 1, 1), date(2026, 1, 31), now=now)
    # stage 2 threshold 1.5 x 5 = 7.5 days before Feb 1 00:00 = Jan 24 12:00
    i = new_deal(db, rep, "I exactly", D(20))
    path(db, manager, i, [(2, D(24, 12))])  # 7.5 days: equal, not over
    j = new_deal(db, rep, "J over", D(20))
    path(db, manager, j, [(2, D(24, 11))])  # 7.5 + 1/24 days: over by 1 hour
    k = new_deal(db, manager, "K stage 4", D(1))
    path(db, manager, k, [(4, D(1, 1))])  # Jan 1 01:00 -> Feb 1 = 30 d 23 h; limit 21
    risky = analytics.at_risk_deals(db, f, 1.5)
    assert [a.deal_id for a in risky] == [k, j]  # most days over first
    assert risky[0].days_in_stage == pytest.approx(30 + 23 / 24)
    assert risky[0].threshold_days == 21.0
    assert risky[0].days_over == pytest.approx(9 + 23 / 24)
    assert risky[0].owner == manager.name and risky[0].stage == 4 and risky[0].title == "K stage 4"
    assert risky[1].days_in_stage == pytest.approx(7.5 + 1 / 24)
    assert risky[1].days_over == pytest.approx(1 / 24)
    # H: stage 2 since Jan 29 12:00 = 2.5 days, under 7.5; I exactly at the threshold
    assert world["H"] not in {a.deal_id for a in risky} and i not in {a.deal_id for a in risky}
    assert analytics.deals_for(db, f, chart="at_risk", key=2) == [j]
    assert analytics.deals_for(db, f, chart="at_risk", key=4) == [k]
    # owner filter: the rep's at-risk deals only
    assert [a.deal_id for a in analytics.at_risk_deals(db, Filters(f.start, f.end, owner_id=rep.id, now=now))] == [j]


def test_cycle_length_overall_by_owner_and_source(db, world, rep, manager):
    cyc = analytics.cycle_length(db, JAN)
    # created Jan 1, won: A Jan 10 (9 d), B Jan 6 (5), C Jan 7 (6), D Jan 13 (12)
    # [5, 6, 9, 12]: mean 8, median 7.5, p75 at 2.25: 9 + 3*0.25 = 9.75
    approx_stats(cyc.overall, 4, 8.0, 7.5, 9.75)
    # rep: A 9, B 5 -> mean 7, median 7, p75 5 + 4*0.75 = 8; manager: C 6, D 12 -> 9, 9, 10.5
    approx_stats(cyc.by_owner[rep.name], 2, 7.0, 7.0, 8.0)
    approx_stats(cyc.by_owner[manager.name], 2, 9.0, 9.0, 10.5)
    assert list(cyc.by_source) == [analytics.NO_SOURCE]
    approx_stats(cyc.by_source[analytics.NO_SOURCE], 4, 8.0, 7.5, 9.75)
    # nothing won in December
    dec = analytics.cycle_length(db, Filters(date(2025, 12, 1), date(2025, 12, 31), now=JAN.now))
    assert dec.overall == analytics.EMPTY and dec.by_owner == {} and dec.by_source == {}
