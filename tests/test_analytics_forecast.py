"""Forecast columns (won, weighted, categories, historical, target, coverage), marketing
figures and target attainment: worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from test_analytics_common import D, new_deal, path

from app.services import analytics
from app.services import marketing as mkt
from app.services.analytics import Filters

pytestmark = pytest.mark.both_engines

NOW = D(15, 12)
JAN_FEB = Filters(date(2026, 1, 1), date(2026, 2, 28), now=NOW)


def Y25(month, day):
    return D(day, month=month, year=2025)


@pytest.fixture
def fc(db, rep, manager):
    """History for win rates from a stage (closed Jan 15 2025 .. Jan 15 2026 12:00):
    H1 1->2 won, H2 1->2 lost, H3 lost from 1, H4 1->2 won, W1 won from 1 on Jan 10 2026;
    H5 won in 2024 (too old). A deal reached a stage by the funnel's rule (its highest stage is
    that one or later; a won deal reached every stage). Stage 1: won H1, H4, W1 of 5 -> 3/5;
    stage 2: H1, H2, H4 and W1 (won) -> 3/4; stage 3: H1, H4, W1, all won -> 1.
    Open deals: O1 st 1 1000 commit Jan 20; O2 st 2 300 best_case Jan 25; O3 st 2 600 pipeline
    Feb 10; O4 st 1 700 omitted Jan 28; O5 st 3 200 pipeline Feb 20; O6 st 2 no amount Jan 22."""
    m = manager
    ids = {}
    for name, end in (("H1", "won"), ("H2", "lost"), ("H4", "won")):
        ids[name] = x = new_deal(db, rep, name, Y25(6, 1), amount="50")
        path(db, m, x, [(2, Y25(6, 10)), (end, Y25(7, 1))])
    ids["H3"] = x = new_deal(db, rep, "H3", Y25(6, 1))
    path(db, m, x, [("lost", Y25(6, 5))])
    ids["H5"] = x = new_deal(db, rep, "H5", D(1, month=6, year=2024))
    path(db, m, x, [(4, D(2, month=6, year=2024)), ("won", D(1, month=7, year=2024))])
    ids["W1"] = x = new_deal(db, rep, "W1", D(2), amount="500", expected_close=date(2026, 3, 1))
    path(db, m, x, [("won", D(10))])
    for name, stage, amount, cat, close in (
        ("O1", 1, "1000", "commit", date(2026, 1, 20)), ("O2", 2, "300", "best_case", date(2026, 1, 25)),
        ("O3", 2, "600", "pipeline", date(2026, 2, 10)), ("O4", 1, "700", "omitted", date(2026, 1, 28)),
        ("O5", 3, "200", "pipeline", date(2026, 2, 20)), ("O6", 2, None, "commit", date(2026, 1, 22)),
    ):
        ids[name] = x = new_deal(db, rep, name, D(3), amount=amount, forecast_category=cat, expected_close=close)
        if stage > 1:
            path(db, m, x, [(stage, D(4))])
    return ids


def test_forecast_columns_by_hand(db, fc, rep):
    mkt.create_target(db, "won_revenue", date(2026, 1, 1), date(2026, 1, 31), "2000")
    mkt.create_target(db, "won_revenue", date(2026, 1, 1), date(2026, 3, 31), "9000")  # Q1, 90 days
    jan, feb = analytics.forecast(db, JAN_FEB)
    assert (jan.month, feb.month) == (date(2026, 1, 1), date(2026, 2, 1))
    # January: won W1 500 (by the month it was won); open: O1 commit 1000, O2 best case 300
    assert jan.won == Decimal("500.00")
    assert (jan.commit, jan.best_case, jan.pipeline) == (Decimal("1000.00"), Decimal("300.00"), Decimal("0.00"))
    assert jan.open_total == Decimal("1300.00")  # O4 is omitted, O6 has no amount
    # weighted: 1000 x 10 % + 300 x 20 % = 100 + 60
    assert jan.weighted == Decimal("160.00")
    # historical: 1000 x 3/5 + 300 x 3/4 = 600 + 225
    assert jan.historical == Decimal("825.00")
    # target: the January target lies inside the month, so it wins over the Q1 share: 2000
    assert jan.target == Decimal("2000.00")
    # coverage: open 1300 / (2000 - 500)
    assert jan.coverage == pytest.approx(1300 / 1500)
    # February: O3 600 + O5 200 pipeline; weighted 600 x 20 % + 200 x 30 % = 120 + 60
    assert (feb.won, feb.pipeline, feb.weighted) == (Decimal("0.00"), Decimal("800.00"), Decimal("180.00"))
    # O3 600 x 3/4 + O5 200 x 1 (stage 3 was reached by the won deals only) = 450 + 200
    assert feb.historical == Decimal("650.00")
    # target: Q1 prorated, 9000 x 28 / 90 = 2800; coverage 800 / 2800
    assert feb.target == Decimal("2800.00")
    assert feb.coverage == pytest.approx(800 / 2800)
    f = JAN_FEB
    assert analytics.deals_for(db, f, chart="forecast", key=(date(2026, 1, 1), "won")) == [fc["W1"]]
    assert analytics.deals_for(db, f, chart="forecast", key=(date(2026, 1, 1), "commit")) == [fc["O1"]]
    assert analytics.deals_for(db, f, chart="forecast", key=(date(2026, 2, 1), "pipeline")) == [fc["O3"], fc["O5"]]


def test_forecast_owner_target_and_undefined_coverage(db, fc, rep, manager):
    mkt.create_target(db, "won_revenue", date(2026, 1, 1), date(2026, 1, 31), "2000")
    mkt.create_target(db, "won_revenue", date(2026, 1, 1), date(2026, 1, 31), "1000", owner_id=rep.id)
    mkt.create_target(db, "won_revenue", date(2026, 2, 1), date(2026, 2, 28), "400", owner_id=manager.id)
    f = Filters(JAN_FEB.start, JAN_FEB.end, owner_id=rep.id, now=NOW)
    jan, feb = analytics.forecast(db, f)
    # the rep's own target 1000: remaining 1000 - 500 = 500; coverage 1300 / 500
    assert jan.target == Decimal("1000.00") and jan.coverage == pytest.approx(2.6)
    # no target of the rep in February: target and coverage undefined
    assert feb.target is None and feb.coverage is None
    # the manager owns no deals: nothing won, nothing open; target 400, coverage 0 / 400
    mf = analytics.forecast(db, Filters(JAN_FEB.start, JAN_FEB.end, owner_id=manager.id, now=NOW))[1]
    assert (mf.won, mf.open_total, mf.target, mf.coverage) == (Decimal("0.00"), Decimal("0.00"),
                                                                Decimal("400.00"), 0.0)
    # won beyond the target: nothing remains, coverage undefined
    mkt.create_target(db, "won_revenue", date(2026, 1, 1), date(2026, 1, 31), "500", owner_id=manager.id)
    w = new_deal(db, manager, "big win", D(5), amount="900")
    path(db, manager, w, [("won", D(6))])
    mj = analytics.forecast(db, Filters(JAN_FEB.start, JAN_FEB.end, owner_id=manager.id, now=NOW))[0]
    assert (mj.won, mj.target, mj.coverage) == (Decimal("900.00"), Decimal("500.00"), None)


def test_forecast_historical_uses_the_last_12_months_only(db, fc):
    # a later "now" (Jul 2 2026): H1-H4 closed in June/July 2025 fall out except those closed
    # after Jul 2 2025, i.e. none; W1 remains, won, so it reached every stage: rate 1/1 everywhere
    f = Filters(date(2026, 1, 1), date(2026, 1, 31), now=D(2, month=7))
    jan = analytics.forecast(db, f)[0]
    assert jan.historical == Decimal("1300.00")  # O1 1000 x 1 + O2 300 x 1
    # with only stage-1 open amount in March (none) the month's historical is 0
    mar = analytics.forecast(db, Filters(date(2026, 3, 1), date(2026, 3, 31), now=D(2, month=7)))[0]
    assert (mar.historical, mar.open_total, mar.target, mar.coverage) == (Decimal("0.00"), Decimal("0.00"),
                                                                           None, None)


def test_marketing_by_hand(db, rep, manager):
    web = mkt.create_lead_source(db, "Web")
    events = mkt.create_lead_source(db, "Events")
    ads = mkt.create_lead_source(db, "Ads")
    webinar = mkt.create_campaign(db, web.id, "Webinar")
    mkt.create_spend(db, web.id, date(2025, 12, 1), "999")  # outside
    mkt.create_spend(db, web.id, date(2026, 1, 1), "1000")
    mkt.create_spend(db, web.id, date(2026, 1, 1), "500", campaign_id=webinar.id)
    mkt.create_spend(db, web.id, date(2026, 2, 1), "777")  # outside
    mkt.create_spend(db, ads.id, date(2026, 1, 1), "200")
    m = manager
    wa = new_deal(db, rep, "Wa", D(2), lead_source_id=web.id, campaign_id=webinar.id, amount="3000")
    path(db, m, wa, [(3, D(3)), ("won", D(9))])
    wb = new_deal(db, rep, "Wb", D(2), lead_source_id=web.id)
    path(db, m, wb, [(3, D(3)), ("lost", D(9))])
    new_deal(db, rep, "Wc", D(2), lead_source_id=web.id)
    wd = new_deal(db, rep, "Wd", D(2), lead_source_id=web.id, campaign_id=webinar.id)
    path(db, m, wd, [(2, D(3)), ("lost", D(9))])
    ea = new_deal(db, rep, "Ea", D(2), lead_source_id=events.id)
    path(db, m, ea, [(4, D(3))])
    new_deal(db, rep, "Wold", D(20, month=12, year=2025), lead_source_id=web.id)  # December lead
    rows = {(r.kind, r.name): r for r in analytics.marketing(db, Filters(date(2026, 1, 1), date(2026, 1, 31),
                                                                          now=D(1, month=2)))}
    assert list(rows) == [("source", "Ads"), ("source", "Events"), ("source", "Web"), ("campaign", "Webinar")]
    w = rows["source", "Web"]
    # spend 1000 + 500; leads Wa Wb Wc Wd; SQL (stage >= 3): Wa (won), Wb; won Wa 3000
    assert (w.spend, w.leads, w.sql, w.won, w.won_revenue) == (Decimal("1500.00"), 4, 2, 1, Decimal("3000.00"))
    assert w.mql_to_sql == 0.5
    assert (w.cost_per_lead, w.cost_per_opportunity, w.cac) == (Decimal("375.00"), Decimal("750.00"),
                                                                Decimal("1500.00"))
    assert w.roi == pytest.approx((3000 - 1500) / 1500)
    c = rows["campaign", "Webinar"]
    # spend 500; leads Wa, Wd; SQL Wa; won Wa 3000
    assert (c.spend, c.leads, c.sql, c.won, c.won_revenue) == (Decimal("500.00"), 2, 1, 1, Decimal("3000.00"))
    assert (c.mql_to_sql, c.cost_per_lead, c.cost_per_opportunity, c.cac) == (0.5, Decimal("250.00"),
                                                                              Decimal("500.00"), Decimal("500.00"))
    assert c.roi == pytest.approx(5.0) and c.lead_source_id == web.id and c.campaign_id == webinar.id
    e = rows["source", "Events"]
    # no spend entered: every cost figure and the ROI are undefined
    assert (e.spend, e.leads, e.sql, e.won, e.mql_to_sql) == (None, 1, 1, 0, 1.0)
    assert (e.cost_per_lead, e.cost_per_opportunity, e.cac, e.roi) == (None, None, None, None)
    a = rows["source", "Ads"]
    # spend but no leads: ratios per lead undefined, ROI (0 - 200) / 200 = -1
    assert (a.spend, a.leads, a.mql_to_sql, a.cost_per_lead, a.cac) == (Decimal("200.00"), 0, None, None, None)
    assert a.roi == -1.0
    # lead-source filter
    only = analytics.marketing(db, Filters(date(2026, 1, 1), date(2026, 1, 31), lead_source_id=events.id))
    assert [(r.kind, r.name, r.leads) for r in only] == [("source", "Events", 1)]


def test_targets_attainment(db, fc, rep, manager):
    t1 = mkt.create_target(db, "won_revenue", date(2026, 1, 1), date(2026, 1, 31), "2000")
    t2 = mkt.create_target(db, "won_count", date(2026, 1, 1), date(2026, 1, 31), "2", owner_id=rep.id)
    t3 = mkt.create_target(db, "new_deals", date(2026, 1, 1), date(2026, 1, 31), "10")
    t4 = mkt.create_target(db, "win_rate", date(2025, 6, 1), date(2025, 7, 31), "40")
    t5 = mkt.create_target(db, "won_count", date(2026, 1, 1), date(2026, 1, 31), "0", owner_id=manager.id)
    mkt.create_target(db, "won_count", date(2026, 3, 1), date(2026, 3, 31), "3")  # outside the period
    f = Filters(date(2025, 7, 1), date(2026, 1, 31), now=NOW)
    got = {t.target_id: t for t in analytics.targets_attainment(db, f)}
    assert set(got) == {t1.id, t2.id, t3.id, t4.id, t5.id}
    # won revenue in January: W1 500 of 2000 -> 25 %
    assert (got[t1.id].actual, got[t1.id].attainment_pct, got[t1.id].owner) == (Decimal("500.00"), 25.0, None)
    # the rep won 1 deal (W1) of 2 -> 50 %
    assert (got[t2.id].actual, got[t2.id].attainment_pct, got[t2.id].owner) == (1, 50.0, rep.name)
    # new deals in January: W1 + O1..O6 = 7 of 10 -> 70 %
    assert (got[t3.id].actual, got[t3.id].attainment_pct) == (7, pytest.approx(70.0))
    # win rate Jun-Jul 2025: H1, H4 won, H2, H3 lost -> 50 % of 40 % -> 125 %
    assert got[t4.id].actual == pytest.approx(50.0) and got[t4.id].attainment_pct == pytest.approx(125.0)
    # a zero target: attainment undefined
    assert (got[t5.id].actual, got[t5.id].attainment_pct) == (0, None)
    # owner filter: the rep's targets and the team's, not the manager's
    mine = {t.target_id for t in analytics.targets_attainment(db, Filters(f.start, f.end, owner_id=rep.id))}
    assert mine == {t1.id, t2.id, t3.id, t4.id}


def test_target_currency_and_counts(db, rep, manager):
    krw = new_deal(db, rep, "krw", D(2), amount="100")
    path(db, manager, krw, [("won", D(3))])
    usd = new_deal(db, rep, "usd", D(2), amount="5", currency="USD")
    path(db, manager, usd, [("won", D(3))])
    t_krw = mkt.create_target(db, "won_revenue", date(2026, 1, 1), date(2026, 1, 31), "400")
    t_usd = mkt.create_target(db, "won_revenue", date(2026, 1, 1), date(2026, 1, 31), "10", currency="USD")
    t_cnt = mkt.create_target(db, "won_count", date(2026, 1, 1), date(2026, 1, 31), "4", owner_id=rep.id)
    got = {t.target_id: t for t in analytics.targets_attainment(db, Filters(date(2026, 1, 1), date(2026, 1, 31)))}
    # revenue in each target's currency: 100 of 400 KRW = 25 %, 5 of 10 USD = 50 %
    assert (got[t_krw.id].actual, got[t_krw.id].attainment_pct) == (Decimal("100.00"), 25.0)
    assert (got[t_usd.id].actual, got[t_usd.id].attainment_pct) == (Decimal("5.00"), 50.0)
    # a count counts every currency: 2 won of 4 = 50 %
    assert (got[t_cnt.id].actual, got[t_cnt.id].attainment_pct) == (2, 50.0)
