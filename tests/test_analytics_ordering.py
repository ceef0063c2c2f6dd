"""Names and titles come out in one order on every engine and server (app.services.collation):
by the name key (case folded), then by code point (Latin, then Hangul in dictionary order),
whether the database sorts them (ORDER BY) or Python does. On SQLite, PostgreSQL, and a
PostgreSQL set up as a Korean team's server, whose own collation puts Hangul first."""

from __future__ import annotations

from datetime import date

import pytest
from test_analytics_common import D, new_deal, path, set_close

from app.errors import ValidationError
from app.services import analytics, people
from app.services import marketing as mkt
from app.services.analytics import Filters
from app.services.collation import text_key

# as a team's lists hold them, in the order the tests expect them back
NAMES = ["Alpha", "beta", "Zeta", "Émile", "가온", "나래", "하늘"]
SHUFFLED = ["하늘", "Zeta", "가온", "beta", "Émile", "나래", "Alpha"]
JAN = Filters(date(2026, 1, 1), date(2026, 1, 31), now=D(1, month=2))


def test_text_key_is_the_order_the_tests_expect():
    assert sorted(SHUFFLED, key=text_key) == NAMES
    # exact ties of the folded text by the text itself, so the order is total
    assert sorted(["bob", "Bob", "BOB"], key=text_key) == ["BOB", "Bob", "bob"]


# equal names (one name_key) in different case and form, and names that sort between them by code
EQUALS = ["Ärger", "ärger", "Ézra", "émile", "Émile", "ÉMILE", "Ｅｍｉｌｅ", "Öl", "ｅｍｉｌｅ", "zebra"]


def test_names_equal_by_the_matching_rule_are_neighbours_in_sql_and_in_python(db_any_server):
    """The order follows the matching rule (name_key), so 'émile', 'Émile' and a full-width
    'Ｅｍｉｌｅ' (one name to same_name) sit together, in SQL on every server as in Python; an
    ASCII-only fold put 'Öl' and 'Ézra' between them."""
    from app.services import deals

    db = db_any_server
    rep = people.create_user(db, "rep", "rep")
    for title in EQUALS:  # deal titles may repeat (user names may not)
        new_deal(db, rep, title, D(2))
    listed = [d.title for d in deals.list_deals(db)]
    # by hand: keys 'emile' (full-width, NFKC) < 'zebra' < 'ärger' < 'émile' < 'ézra' < 'öl'; ties by code point
    assert listed == ["Ｅｍｉｌｅ", "ｅｍｉｌｅ", "zebra", "Ärger", "ärger", "ÉMILE", "Émile", "émile", "Ézra", "Öl"]
    assert listed == sorted(EQUALS, key=text_key)


def test_marketing_sources_and_campaigns_in_name_order(db_any_server):
    db = db_any_server
    for name in SHUFFLED:
        mkt.create_lead_source(db, name)
    web = mkt.create_lead_source(db, "Web")
    for name in SHUFFLED:
        mkt.create_campaign(db, web.id, name)
    rows = analytics.marketing(db, JAN)
    assert [r.name for r in rows if r.kind == "source"] == ["Alpha", "beta", "Web", *NAMES[2:]]
    assert [r.name for r in rows if r.kind == "campaign"] == NAMES


def test_targets_team_first_then_owners_in_name_order(db_any_server):
    db = db_any_server
    for name in SHUFFLED:
        user = people.create_user(db, name, "rep")
        mkt.create_target(db, "new_deals", date(2026, 1, 1), date(2026, 1, 31), "5", owner_id=user.id)
    mkt.create_target(db, "new_deals", date(2026, 1, 1), date(2026, 1, 31), "20")
    assert [t.owner for t in analytics.targets_attainment(db, JAN)] == [None, *NAMES]


def test_cycle_lengths_by_owner_and_source_in_name_order(db_any_server):
    db = db_any_server
    manager = people.create_user(db, "boss", "manager")
    for name in SHUFFLED:
        owner = people.create_user(db, name, "rep")
        source = mkt.create_lead_source(db, f"{name} source")
        x = new_deal(db, owner, f"{name} deal", D(2), lead_source_id=source.id)
        path(db, manager, x, [("won", D(5))])
    cycle = analytics.cycle_length(db, JAN)
    assert list(cycle.by_owner) == NAMES
    assert list(cycle.by_source) == [f"{n} source" for n in NAMES]
    assert cycle.by_owner["가온"].mean == 3.0


def test_equal_figures_list_deals_in_title_order(db_any_server):
    """At-risk (equally overdue), slippage (equally pushed) and the drill-down behind a chart
    bar: deals with the same figures are listed by title."""
    db = db_any_server
    rep = people.create_user(db, "rep", "rep")
    for title in SHUFFLED:
        x = new_deal(db, rep, title, D(2), amount="10", expected_close=date(2026, 1, 20))
        set_close(db, x, date(2026, 1, 27), D(3), rep)
    f = JAN
    assert [a.title for a in analytics.at_risk_deals(db, f, thresholds={1: 5.0})] == NAMES
    assert [s.title for s in analytics.slippage(db, f).per_deal] == NAMES
    ids = analytics.deals_for(db, f, chart="funnel", key=1)
    titles = _titles(db)
    assert [titles[i] for i in ids] == NAMES
    at_risk_ids = analytics.deals_for(db, f, chart="at_risk", key=1, k=1.5)
    assert [titles[i] for i in at_risk_ids] == NAMES


def _titles(db) -> dict:
    """Deal id -> title."""
    from sqlalchemy import select

    from app.models import Opportunity

    with db.read() as s:
        return dict(s.execute(select(Opportunity.id, Opportunity.title)).all())


def test_an_unknown_chart_or_category_is_refused_with_a_message(db):
    with pytest.raises(ValidationError) as chart:
        analytics.deals_for(db, JAN, chart="pie", key=1)
    assert chart.value.errors["chart"].template.startswith("'{chart}' is not a chart")
    assert chart.value.errors["chart"].fields == {"chart": "pie"}
    with pytest.raises(ValidationError) as category:
        analytics.deals_for(db, JAN, chart="forecast", key=(date(2026, 1, 1), "maybe"))
    assert str(category.value.errors["key"]) == "'maybe' is not a forecast category"
    assert category.value.errors["key"].fields == {"value": "maybe"}


def test_same_name_finds_a_name_in_any_case_and_form_on_every_server(db_any_server):
    """The stored name key is compared as plain text, so the rule is the same on SQLite, a
    C-collation PostgreSQL and a ko-KR one (whose lower() would fold accents away too)."""
    import unicodedata

    from sqlalchemy import select

    from app.models import User
    from app.services.collation import same_name

    db = db_any_server
    for name in NAMES:
        people.create_user(db, name, "rep")
    with db.read() as s:
        def found(value):
            return list(s.scalars(select(User.name).where(same_name(User.name_key, value))))

        assert found("ZETA") == ["Zeta"] and found("alpha") == ["Alpha"]
        assert found("Émile") == ["Émile"] and found("émile") == ["Émile"] and found("ÉMILE") == ["Émile"]
        assert found("emile") == []  # an accent is not a case: another name
        assert found("  가온 ") == ["가온"]
        assert found(unicodedata.normalize("NFD", "가온")) == ["가온"]  # as macOS hands Hangul over
        assert found("ＺＥＴＡ") == ["Zeta"]  # full-width Latin from a Korean input method
