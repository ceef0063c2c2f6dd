"""Lead source, campaign, spend and target CRUD with field-named validation."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from app.errors import NotFound, ValidationError
from app.services import deals
from app.services import marketing as mkt

pytestmark = pytest.mark.both_engines


def errors_of(fn, *args, **kw) -> dict[str, str]:
    with pytest.raises(ValidationError) as exc:
        fn(*args, **kw)
    return exc.value.errors


def test_lead_sources_crud(db, rep):
    web = mkt.create_lead_source(db, "  Web ", "inbound")
    assert (web.name, web.channel) == ("Web", "inbound")
    assert "name" in errors_of(mkt.create_lead_source, db, "web")  # case-insensitive duplicate
    assert "name" in errors_of(mkt.create_lead_source, db, "  ")
    ev = mkt.create_lead_source(db, "Events")
    assert [s.name for s in mkt.list_lead_sources(db)] == ["Events", "Web"]
    assert "name" in errors_of(mkt.update_lead_source, db, ev.id, name="WEB")
    ev = mkt.update_lead_source(db, ev.id, name="Trade fairs", channel="")
    assert (ev.name, ev.channel) == ("Trade fairs", None)
    deals.create_deal(db, title="d", owner_id=rep.id, lead_source_id=web.id)
    assert "lead_source" in errors_of(mkt.delete_lead_source, db, web.id)  # in use
    c = mkt.create_campaign(db, ev.id, "Spring fair")
    mkt.create_spend(db, ev.id, date(2026, 3, 1), "100", campaign_id=c.id)
    mkt.delete_lead_source(db, ev.id)  # with its campaigns and spend
    assert [s.name for s in mkt.list_lead_sources(db)] == ["Web"]
    assert mkt.list_campaigns(db) == [] and mkt.list_spend(db) == []
    with pytest.raises(NotFound):
        mkt.delete_lead_source(db, ev.id)


def test_campaigns_crud(db):
    web = mkt.create_lead_source(db, "Web")
    c = mkt.create_campaign(db, web.id, "Webinar", "2026-01-01", date(2026, 3, 31))
    assert (c.starts_on, c.ends_on) == (date(2026, 1, 1), date(2026, 3, 31))
    assert "name" in errors_of(mkt.create_campaign, db, web.id, "webinar")
    errs = errors_of(mkt.create_campaign, db, web.id, "X", "2026-02-01", "2026-01-01")
    assert set(errs) == {"ends_on"}
    assert "starts_on" in errors_of(mkt.create_campaign, db, web.id, "Y", "soon")
    c = mkt.update_campaign(db, c.id, name="Webinars", ends_on=None)
    assert (c.name, c.starts_on, c.ends_on) == ("Webinars", date(2026, 1, 1), None)
    assert [x.name for x in mkt.list_campaigns(db, web.id)] == ["Webinars"]
    mkt.delete_campaign(db, c.id)
    assert mkt.list_campaigns(db) == []


def test_spend_crud_and_validation(db):
    web = mkt.create_lead_source(db, "Web")
    ads = mkt.create_lead_source(db, "Ads")
    other = mkt.create_campaign(db, ads.id, "Banner")
    sp = mkt.create_spend(db, web.id, "2026-01-01", "1,234.50")
    assert (sp.month, sp.amount, sp.currency, sp.campaign_id) == (date(2026, 1, 1), Decimal("1234.50"), "KRW", None)
    errs = errors_of(mkt.create_spend, db, web.id, date(2026, 1, 15), "-1", currency="XXQ")
    assert set(errs) == {"month", "amount", "currency"}
    assert "campaign_id" in errors_of(mkt.create_spend, db, web.id, date(2026, 1, 1), "1", campaign_id=other.id)
    assert "amount" in errors_of(mkt.create_spend, db, web.id, date(2026, 1, 1), "1.234")
    assert "amount" in errors_of(mkt.create_spend, db, web.id, date(2026, 1, 1), None)
    sp = mkt.update_spend(db, sp.id, amount="99", month=date(2026, 2, 1))
    assert (sp.amount, sp.month) == (Decimal("99.00"), date(2026, 2, 1))
    assert "month" in errors_of(mkt.update_spend, db, sp.id, month="2026-02-30")
    assert [x.amount for x in mkt.list_spend(db, web.id)] == [Decimal("99.00")]
    mkt.delete_spend(db, sp.id)
    assert mkt.list_spend(db) == []


def test_targets_crud_and_validation(db, rep):
    t = mkt.create_target(db, "won_revenue", "2026-01-01", "2026-03-31", "1000000", owner_id=rep.id)
    assert (t.metric, t.owner_id, t.value, t.currency) == ("won_revenue", rep.id, Decimal("1000000.00"), "KRW")
    errs = errors_of(mkt.create_target, db, "profit", "2026-02-01", "2026-01-01", "x")
    assert set(errs) == {"metric", "period_end", "value"}
    assert "value" in errors_of(mkt.create_target, db, "win_rate", "2026-01-01", "2026-01-31", "120")
    assert "value" in errors_of(mkt.create_target, db, "won_count", "2026-01-01", "2026-01-31", "2.5")


    assert "owner_id" in errors_of(mkt.create_target, db, "new_deals", "2026-01-01", "2026-01-31", "5",
                                   owner_id=uuid.uuid4())
    team = mkt.create_target(db, "win_rate", "2026-01-01", "2026-01-31", "35")
    assert team.currency is None
    t = mkt.update_target(db, t.id, value="2000000", owner_id=None)
    assert (t.value, t.owner_id) == (Decimal("2000000.00"), None)
    # ordered by period start, then metric name (win_rate before won_revenue)
    assert [x.id for x in mkt.list_targets(db, team_only=True)] == [team.id, t.id]
    mkt.delete_target(db, team.id)
    assert [x.id for x in mkt.list_targets(db)] == [t.id]
    with pytest.raises(NotFound):
        mkt.update_target(db, team.id, value="1")


def _row(kind, spend, leads, sql, won, revenue):
    from app.services.analytics import MarketingRow

    return MarketingRow(kind, uuid.uuid4(), "src", None, None, None if spend is None else Decimal(spend),
                        leads, sql, won, None, None, None, None, Decimal(revenue), None)


def test_marketing_totals_over_the_lead_sources_only():
    from app.services.analytics import MarketingTotals, marketing_totals

    rows = [_row("source", "1000.00", 10, 4, 3, "5000.00"),
            _row("campaign", "999.00", 7, 7, 7, "99999.00"),  # a part of its source: not added
            _row("source", None, 6, 2, 0, "0"),                # no spend entered: counts leads only
            _row("source", "200.00", 4, 2, 1, "700.00")]
    t = marketing_totals(rows)
    # MQL->SQL (4+2+2)/(10+6+4) = 8/20; CAC 1200/4 won = 300.00; ROI (5700-1200)/1200 = 3.75
    assert t == MarketingTotals(mql_to_sql=0.4, cac=Decimal("300.00"), roi=3.75)
    # CAC to the cent: 1000/3 = 333.33
    assert marketing_totals(rows[:1]).cac == Decimal("333.33")
    # nothing spent, nobody won, no leads: every figure undefined, never 0
    assert marketing_totals([]) == MarketingTotals(None, None, None)
    assert marketing_totals([_row("source", None, 5, 1, 2, "10")]) == MarketingTotals(0.2, None, None)
    assert marketing_totals([_row("source", "50", 5, 0, 0, "0")]) == MarketingTotals(0.0, None, -1.0)


@pytest.mark.both_engines
def test_a_month_has_one_spend_figure(db):
    """set_month_spend: the grid's rule, once: set, change, merge extra entries, clear."""
    web = mkt.create_lead_source(db, "Web")
    ads = mkt.create_campaign(db, web.id, "Search ads")
    may = date(2026, 5, 1)
    first = mkt.set_month_spend(db, web.id, may, "1,200,000")
    assert first.amount == Decimal("1200000") and first.campaign_id is None
    mkt.create_spend(db, web.id, may, "300000")  # a second entry, as an import may leave
    mkt.create_spend(db, web.id, may, "50", currency="USD")  # another currency: its own figure
    mkt.create_spend(db, web.id, may, "70000", campaign_id=ads.id)  # the campaign's: its own line

    merged = mkt.set_month_spend(db, web.id, may, "1500000")
    krw_source = [sp for sp in mkt.list_spend(db, web.id) if sp.currency == "KRW" and sp.campaign_id is None]
    assert [(sp.id, sp.amount) for sp in krw_source] == [(merged.id, Decimal("1500000"))]

    with pytest.raises(ValidationError) as err:
        mkt.set_month_spend(db, web.id, may, "-5")
    assert "amount" in err.value.errors
    assert [sp.amount for sp in mkt.list_spend(db, web.id) if sp.id == merged.id] == [Decimal("1500000")]

    assert mkt.set_month_spend(db, web.id, may, "  ") is None
    left = sorted((sp.currency, sp.campaign_id is None, sp.amount) for sp in mkt.list_spend(db, web.id))
    assert left == [("KRW", False, Decimal("70000")), ("USD", True, Decimal("50"))]
