"""Data fixes of issue 9 outside the importer: won by override, the dwell period rule,
``deals --format csv`` with formula-like text."""

from __future__ import annotations

import csv
import io
from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from test_analytics_common import D, move, new_deal

from app.commands.deals import FORMULA_START, csv_safe
from app.models import StageTransition
from app.services import analytics, deals, gates
from app.services.analytics import Filters
from app.services.process import active_stages


def test_won_from_stage_2_by_override_records_stage_7(db, rep, manager):
    deal_id = new_deal(db, rep, "Early win", D(1))
    move(db, deal_id, 2, D(2), manager)
    result = gates.move_deal(db, deal_id, "won", actor_id=manager.id, override_reason="signed early", at=D(3))
    assert (result.from_stage, result.to_stage, result.to_status, result.overridden) == (2, 7, "won", True)
    with db.read() as s:
        pos = {st.id: st.position for st in active_stages(s)}
        last = s.query(StageTransition).filter_by(opportunity_id=deal_id).order_by(StageTransition.at.desc()).first()
        assert (pos[last.from_stage_id], pos[last.to_stage_id], last.to_status) == (2, 7, "won")
        assert last.override_reason == "signed early"
    assert pos[deals.get_deal(db, deal_id).stage_id] == 7


def test_dwell_ignores_a_visit_that_left_exactly_at_the_period_start(db, rep, manager):
    # stage 1: Jan 1 -> Jan 10 00:00 (left exactly when the period starts), then stage 2
    deal_id = new_deal(db, rep, "Boundary", D(1))
    move(db, deal_id, 2, D(10), manager)
    move(db, deal_id, "lost", D(12), manager)
    f = Filters(date(2026, 1, 10), date(2026, 1, 31), now=D(1, month=2))
    by = {d.stage: d for d in analytics.dwell_by_stage(db, f)}
    assert by[1].lost.count == 0
    assert by[2].lost.count == 1
    # a period starting a day earlier overlaps the stage-1 visit
    f = Filters(date(2026, 1, 9), date(2026, 1, 31), now=D(1, month=2))
    by = {d.stage: d for d in analytics.dwell_by_stage(db, f)}
    assert by[1].lost.count == 1


def test_deals_csv_writes_formula_like_text_as_text(db, db_url, rep, capsys):
    from app.cli import main

    for title in ("=HYPERLINK(\"http://x\",\"y\")", "+82 deal", "-1", "@SUM(A1)", "Plain"):
        new_deal(db, rep, title, D(1), amount="100")
    assert main(["deals", "--db", db_url, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    titles = sorted(r["title"] for r in rows)
    assert titles == ["'+82 deal", "'-1", "'=HYPERLINK(\"http://x\",\"y\")", "'@SUM(A1)", "Plain"]
    assert all(not r["amount"].startswith("'") for r in rows)


@given(st.text(max_size=20))
def test_csv_safe_never_leaves_a_formula_start(text):
    out = csv_safe(text)
    assert not out.startswith(FORMULA_START)
    assert out == text or out == "'" + text


def test_editing_only_the_amount_follows_the_deals_currency(db, rep):
    """A KRW deal's amount edited alone still refuses cents; a USD deal's keeps them."""
    from decimal import Decimal

    import pytest

    from app.errors import ValidationError

    krw = deals.create_deal(db, title="Won deal", owner_id=rep.id, amount="1000", currency="KRW")
    with pytest.raises(ValidationError) as exc:
        deals.update_deal(db, krw.id, expected_version=krw.version, actor_id=rep.id, amount="1500.50")
    assert "amount" in exc.value.errors and "KRW" in exc.value.errors["amount"]
    assert deals.get_deal(db, krw.id).amount == Decimal("1000")
    usd = deals.create_deal(db, title="Dollar deal", owner_id=rep.id, amount="10", currency="USD")
    after = deals.update_deal(db, usd.id, expected_version=usd.version, actor_id=rep.id, amount="12.34")
    assert after.amount == Decimal("12.34") and after.currency == "USD"
