"""Properties: the figures do not depend on the order in which deals were written, nor on
the engine (PostgreSQL's figures are SQLite's); on a generated demo company every analytic
runs, shares stay in [0, 1] and lost deals dwell longer than won ones. Every property runs
on SQLite, on PostgreSQL and on a PostgreSQL set up as a Korean team's server (ko-KR
collation, Asia/Seoul time zone); each reuses one database for the module, emptied per
example."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from conftest import empty_database
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_analytics_common import D, new_deal, path, set_close

from app.db import open_database
from app.services import analytics, demo, people
from app.services import marketing as mkt
from app.services.analytics import Filters

JAN = Filters(date(2026, 1, 1), date(2026, 1, 31), now=D(1, month=2))
_counter = itertools.count()


def _deal_builders(rep, manager, web):
    """Six deals, each a function writing its whole history."""
    def a(db):
        x = new_deal(db, rep, "a", D(1), amount="100", lead_source_id=web, expected_close=date(2026, 1, 20))
        path(db, manager, x, [(2, D(2)), (3, D(4)), (2, D(5)), (3, D(9)), ("won", D(10))])
        set_close(db, x, date(2026, 1, 25), D(6), rep)

    def b(db):
        x = new_deal(db, rep, "b", D(1), amount="200", expected_close=date(2026, 1, 30))
        path(db, manager, x, [(2, D(3)), ("won", D(6))])

    def c(db):
        x = new_deal(db, manager, "c", D(2), lead_source_id=web)
        path(db, manager, x, [(3, D(3)), ("lost", D(12))])

    def d(db):
        x = new_deal(db, manager, "d", D(3), amount="50", forecast_category="commit", expected_close=date(2026, 1, 28))
        path(db, manager, x, [(2, D(4))])
        set_close(db, x, date(2026, 2, 20), D(8), manager)
        set_close(db, x, date(2026, 3, 1), D(9), manager)

    def e(db):
        x = new_deal(db, rep, "e", D(5), amount="70", forecast_category="best_case", expected_close=date(2026, 1, 29))
        path(db, manager, x, [(4, D(6)), (2, D(7)), ("lost", D(20))])

    def f(db):
        new_deal(db, rep, "f", D(25), amount="30", expected_close=date(2026, 1, 31))

    return [a, b, c, d, e, f]


def _figures(db) -> tuple:
    k = analytics.kpis(db, JAN)
    dwell = [(s.stage, s.won, s.lost, s.open) for s in analytics.dwell_by_stage(db, JAN)]
    fn = analytics.funnel(db, JAN)
    sl = analytics.slippage(db, JAN)
    fc = analytics.forecast(db, JAN)
    mk = [(r.kind, r.name, r.leads, r.sql, r.won, r.spend) for r in analytics.marketing(db, JAN)]
    cyc = analytics.cycle_length(db, JAN)
    return (k, dwell, fn.steps, fn.lead_to_won, [(x.title, x.pushes, x.days_pushed) for x in sl.per_deal],
            sl.by_week, fc, mk, cyc.overall, analytics.stage_risk_thresholds(db))


def _tell(db, order) -> tuple:
    """The six deals written in ``order`` into an empty database, and their figures."""
    rep = people.create_user(db, "rep", "rep")
    manager = people.create_user(db, "manager", "manager")
    web = mkt.create_lead_source(db, "Web").id
    mkt.create_spend(db, web, date(2026, 1, 1), "300")
    builders = _deal_builders(rep, manager, web)
    for i in order:
        builders[i](db)
    return _figures(db)


_reference: dict[str, tuple] = {}


def _reference_figures(tmp_path_factory) -> tuple:
    """The figures of the deals written in their natural order on SQLite: what every order
    on every engine must give."""
    if "figures" not in _reference:
        db = open_database(tmp_path_factory.mktemp(f"reference{next(_counter)}") / "t.sqlite")
        try:
            _reference["figures"] = _tell(db, list(range(6)))
        finally:
            db.dispose()
    return _reference["figures"]


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(6)))
def test_results_do_not_depend_on_insertion_order(module_db_any_server, tmp_path_factory, order):
    expected = _reference_figures(tmp_path_factory)
    empty_database(module_db_any_server)  # the fixture empties it per test, not per example
    assert _tell(module_db_any_server, order) == expected


def test_demo_company_smoke(module_db_any_server):
    db = module_db_any_server
    demo.generate(db, deals=300, seed=7, end=date(2026, 6, 30))
    f = Filters(date(2025, 7, 1), date(2026, 6, 30), now=datetime(2026, 6, 30, tzinfo=UTC))
    report = analytics.kpi_report(db, f)
    assert report["kpis"]["new_deals"] > 0
    k = analytics.kpis(db, f)
    assert 0 <= k.win_rate <= 1 and k.cycle_days > 0 and k.velocity > 0
    for step in analytics.funnel(db, f).steps:
        assert step.share is None or 0 <= step.share <= 1
        assert step.went_on <= step.reached
    for row in analytics.marketing(db, f):
        assert row.mql_to_sql is None or 0 <= row.mql_to_sql <= 1
    compared = 0
    for s in analytics.dwell_by_stage(db, f):
        if s.won.count >= 10 and s.lost.count >= 10:
            assert s.lost.median > s.won.median, s.stage
            compared += 1
    assert compared >= 3
    assert all(m.weighted <= m.open_total for m in analytics.forecast(db, f))
    risky = analytics.at_risk_deals(db, f)
    assert all(r.days_over > 0 for r in risky)
    assert [r.days_over for r in risky] == sorted((r.days_over for r in risky), reverse=True)
