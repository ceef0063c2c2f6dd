"""Board queries against figures worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from conftest import T0

from app.services import activities, board, deals, gates, people
from app.services.board import BoardFilters, Sort

pytestmark = pytest.mark.both_engines


@pytest.fixture
def pipeline(db, rep, manager):
    """Stage 1: A (Acme, 1000, Mar 1, rep), B (Beta/Choi, USD 2500.50, Feb 1, manager), C (no
    amount, no date, rep); stage 2: D (4000, rep); lost: E (700, rep)."""
    src = people.create_lead_source(db, "Web")
    acme = people.create_account(db, "Acme")
    beta = people.create_account(db, "Beta")
    choi = people.create_contact(db, "Choi", beta.id)
    park = people.create_contact(db, "Park", acme.id)
    a = deals.create_deal(db, title="Alpha ERP", owner_id=rep.id, account_id=acme.id, amount="1000",
                          expected_close="2026-03-01", at=T0)
    b = deals.create_deal(db, title="Beta CRM", owner_id=manager.id, account_id=beta.id, contact_id=choi.id,
                          lead_source_id=src.id, amount="2500.50", currency="USD", expected_close="2026-02-01",
                          at=T0 + timedelta(days=1))
    c = deals.create_deal(db, title="Gamma", owner_id=rep.id, at=T0 + timedelta(days=2))
    d = deals.create_deal(db, title="Delta", owner_id=rep.id, account_id=acme.id, contact_id=park.id,
                          lead_source_id=src.id, amount="4000", at=T0)
    activities.log_activity(db, type="call", subject="intro", owner_id=rep.id, deal_id=d.id, done_at=T0, at=T0)
    gates.move_deal(db, d.id, 2, actor_id=rep.id, at=T0 + timedelta(days=3))
    e = deals.create_deal(db, title="Epsilon", owner_id=rep.id, amount="700", at=T0)
    gates.move_deal(db, e.id, "lost", actor_id=rep.id, loss_reason="price", at=T0 + timedelta(days=4))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "rep": rep, "manager": manager}


def titles(cards):
    return [c.title for c in cards]


def test_column_totals_by_hand(db, pipeline):
    t = board.column_totals(db)
    assert t[1].count == 3
    assert t[1].amounts == {"KRW": Decimal("1000.00"), "USD": Decimal("2500.50")}  # never summed across
    assert t[1].weighted == {"KRW": Decimal("100.00"), "USD": Decimal("250.05")}  # 10 %
    assert t[2].count == 1 and t[2].amounts == {"KRW": Decimal("4000.00")}
    assert t[2].weighted == {"KRW": Decimal("800.00")}  # 20 %
    assert t[3].count == 0 and t[3].amounts == {}
    assert t["lost"].count == 1 and t["lost"].amounts == {"KRW": Decimal("700.00")}
    assert t["lost"].weighted == {"KRW": Decimal("0.00")}
    assert t["won"].count == 0


def test_column_totals_follow_filters(db, pipeline):
    t = board.column_totals(db, BoardFilters(owner_id=pipeline["rep"].id))
    assert t[1].count == 2 and t[1].amounts == {"KRW": Decimal("1000.00")}
    assert t[1].weighted == {"KRW": Decimal("100.00")}
    t = board.column_totals(db, BoardFilters(text="choi"))
    assert t[1].count == 1 and t[2].count == 0


def test_column_page_sorts(db, pipeline):
    assert titles(board.column_page(db, 1, sort=Sort.CLOSE_DATE)) == ["Beta CRM", "Alpha ERP", "Gamma"]
    assert titles(board.column_page(db, 1, sort=Sort.AMOUNT)) == ["Beta CRM", "Alpha ERP", "Gamma"]
    assert titles(board.column_page(db, 1, sort=Sort.DAYS_IN_STAGE)) == ["Alpha ERP", "Beta CRM", "Gamma"]
    assert titles(board.column_page(db, 2)) == ["Delta"]
    assert titles(board.column_page(db, "lost")) == ["Epsilon"]


def test_column_page_pages(db, pipeline):
    assert titles(board.column_page(db, 1, offset=0, limit=2)) == ["Beta CRM", "Alpha ERP"]
    assert titles(board.column_page(db, 1, offset=2, limit=2)) == ["Gamma"]
    assert board.column_page(db, 1, offset=3, limit=2) == []


def test_column_page_filters(db, pipeline):
    rep = pipeline["rep"]
    assert titles(board.column_page(db, 1, filters=BoardFilters(owner_id=rep.id))) == ["Alpha ERP", "Gamma"]
    assert titles(board.column_page(db, 1, filters=BoardFilters(text="choi"))) == ["Beta CRM"]  # contact
    assert titles(board.column_page(db, 1, filters=BoardFilters(text="ACME"))) == ["Alpha ERP"]  # account
    assert titles(board.column_page(db, 1, filters=BoardFilters(text="gam"))) == ["Gamma"]  # title
    assert titles(board.column_page(db, 1, filters=BoardFilters(text="100%"))) == []  # % is literal
    assert titles(board.column_page(db, 1, filters=BoardFilters(close_from=date(2026, 2, 15)))) == ["Alpha ERP"]
    assert titles(board.column_page(db, 1, filters=BoardFilters(close_to=date(2026, 2, 15)))) == ["Beta CRM"]
    ids = frozenset({pipeline["c"].id, pipeline["d"].id})
    assert titles(board.column_page(db, 1, filters=BoardFilters(deal_ids=ids))) == ["Gamma"]
    assert board.column_page(db, 1, filters=BoardFilters(deal_ids=frozenset())) == []


def test_card_facts(db, pipeline):
    rep = pipeline["rep"]
    a, b, c = pipeline["a"], pipeline["b"], pipeline["c"]
    now = T0 + timedelta(days=10)
    cards = {x.title: x for x in board.column_page(db, 1, now=now)}
    assert (cards["Alpha ERP"].checklist_done, cards["Alpha ERP"].checklist_total) == (0, 3)
    assert (cards["Beta CRM"].checklist_done, cards["Beta CRM"].checklist_total) == (2, 3)  # source, contact
    assert cards["Alpha ERP"].days_in_stage == pytest.approx(10.0)
    assert cards["Beta CRM"].days_in_stage == pytest.approx(9.0)
    assert cards["Alpha ERP"].at_risk(9.5) and not cards["Beta CRM"].at_risk(9.5)
    assert not any(x.slipped or x.overdue for x in cards.values())
    assert cards["Beta CRM"].contact == "Choi" and cards["Alpha ERP"].account == "Acme"
    assert cards["Alpha ERP"].owner == rep.name

    # a later close date is a slip; a first date or an earlier one is not
    deals.update_deal(db, a.id, expected_version=1, actor_id=rep.id, expected_close="2026-04-01")
    deals.update_deal(db, b.id, expected_version=1, actor_id=rep.id, expected_close="2026-01-15")
    deals.update_deal(db, c.id, expected_version=1, actor_id=rep.id, expected_close="2026-05-01")
    # an open activity past due is overdue; a done one is not
    activities.log_activity(db, type="task", subject="send deck", owner_id=rep.id, deal_id=a.id,
                            due_at=now - timedelta(days=1))
    activities.log_activity(db, type="call", subject="call back", owner_id=rep.id, deal_id=b.id,
                            due_at=now - timedelta(days=1), done_at=now - timedelta(days=2))
    cards = {x.title: x for x in board.column_page(db, 1, now=now)}
    assert cards["Alpha ERP"].slipped and not cards["Beta CRM"].slipped and not cards["Gamma"].slipped
    assert cards["Alpha ERP"].overdue and not cards["Beta CRM"].overdue
    # the done call counts for Beta's "first contact" deliverable
    assert cards["Beta CRM"].checklist_done == 3

    one = board.card(db, a.id, now=now)
    assert one.slipped and one.overdue and one.version == 2 and one.column == 1
    assert board.card(db, pipeline["e"].id).column == "lost"


def test_matches_and_counts(db, pipeline):
    assert board.matches(db, pipeline["b"].id, BoardFilters(text="choi"))
    assert not board.matches(db, pipeline["a"].id, BoardFilters(text="choi"))
    assert board.deal_counts(db) == {"open": 4, "won": 0, "lost": 1}


def test_risk_days_without_history_are_the_template_limits(db):
    # no won deal yet: every stage falls back to its dwell_limit_days from the template
    assert board.stage_risk_days(db, 1.5) == {1: 14.0, 2: 21.0, 3: 30.0, 4: 21.0, 5: 30.0, 6: 21.0, 7: 14.0}


def test_partial_totals(db, pipeline):
    open_only = board.column_totals(db, closed=False)
    assert set(open_only) == {1, 2, 3, 4, 5, 6, 7} and open_only[1].count == 3
    two = board.column_totals(db, closed=False, positions=[2])
    assert set(two) == {2} and two[2].amounts == {"KRW": Decimal("4000.00")}
    closed = board.column_totals(db, open_deals=False)
    assert set(closed) == {"won", "lost"} and closed["lost"].count == 1


def test_optional_deliverable_counts_nowhere_but_the_checklist(db, pipeline):
    """One rule (gates.satisfied_clause): the card's progress and the gate count required
    deliverables only; the checklist still lists the optional one, with its state."""
    from sqlalchemy import update

    from app.models import Deliverable

    b = pipeline["b"]  # stage 1, lead source and contact filled, no contact activity yet
    with db.write() as s:
        s.execute(update(Deliverable).where(Deliverable.key == "first_contact").values(required=False))
    card = board.card(db, b.id, now=T0 + timedelta(days=10))
    assert (card.checklist_done, card.checklist_total) == (2, 2)
    assert gates.missing_for_move(db, b.id, 2) == []
    # the weekly report's checklist column is the same rule
    from app.services.process import active_stages
    from app.services.report.queries import open_deals_query

    with db.read() as s:
        q = open_deals_query(active_stages(s), T0 + timedelta(days=10), None, {}, db.engine.dialect.name)
        report = {r.title: (r.done, r.total) for r in s.execute(q)}
    assert report["Beta CRM"] == (2, 2) and report["Alpha ERP"] == (0, 2)
    items = {i.key: i.satisfied for i in gates.checklist(db, b.id)}
    assert items == {"lead_source": True, "decision_maker": True, "first_contact": False}
    # the deal that lacks a required field still shows and misses exactly that
    a = pipeline["a"]
    assert (board.card(db, a.id).checklist_done, board.card(db, a.id).checklist_total) == (0, 2)
    assert [m.key for m in gates.missing_for_move(db, a.id, 2)] == ["lead_source", "decision_maker"]


# ------------------------------------------------------------------ the cached process template

def _statements(db):
    from sqlalchemy import event

    seen = []

    def on_execute(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", on_execute)


def _names(db):
    from app.services.process import active_stages

    with db.read() as s:
        stages = active_stages(s)
    return stages[0].name_en, stages[0].deliverables[0].name_en


def test_the_template_is_read_once_per_database(db, tmp_path):
    from app.db import open_database
    from app.services.process import active_stages, find_deliverable

    with db.read() as s:
        first = active_stages(s)
    seen, stop = _statements(db)
    try:
        with db.read() as s:
            again = active_stages(s)
            d = find_deliverable(s, 1, "decision_maker")
    finally:
        stop()
    assert seen == [] and again == first
    # plain frozen values, usable with no session open
    assert [st.position for st in first] == [1, 2, 3, 4, 5, 6, 7]
    assert d.field_list == ["contact_id"] and d.stage_id == first[0].id
    assert {x.kind for st in first for x in st.deliverables} == {"check", "document", "field", "activity"}
    with pytest.raises(AttributeError):
        first[0].name_en = "x"
    other = open_database(tmp_path / "other.db")  # its own rows (UUID keys), its own copy
    try:
        with other.read() as s:
            theirs = active_stages(s)
        assert [st.key for st in theirs] == [st.key for st in first]
        assert {st.id for st in theirs}.isdisjoint(st.id for st in first)
    finally:
        other.dispose()


def test_a_changed_template_is_never_served_stale(db):
    from sqlalchemy import select, update

    from app.db import execute_script, open_database
    from app.models import Deliverable, Stage
    from app.services.process import invalidate_template

    stage1, deliv1 = _names(db)
    with db.write() as s:  # through the ORM
        s.scalars(select(Stage).where(Stage.position == 1)).one().name_en = "Qualify"
    assert _names(db) == ("Qualify", deliv1)
    with db.write() as s:  # Core
        first_id = s.scalars(select(Deliverable.id).join(Stage).where(Stage.position == 1)
                             .order_by(Deliverable.position)).first()
        s.execute(update(Deliverable).where(Deliverable.id == first_id).values(name_en="Source known"))
    assert _names(db) == ("Qualify", "Source known")
    execute_script(db, "UPDATE stage SET name_en = 'Lead in' WHERE position = 1")  # plain SQL text
    assert _names(db) == ("Lead in", "Source known")
    with pytest.raises(RuntimeError), db.write() as s:  # rolled back: the template as it was
        s.execute(update(Stage).where(Stage.position == 1).values(name_en="Never"))
        assert _names(db)[0] == "Lead in"  # another connection reads what is committed ...
        raise RuntimeError
    assert _names(db) == ("Lead in", "Source known")  # ... and did not keep it past the write
    with db.write() as s:
        s.execute(update(Stage).where(Stage.position == 1).values(name_en="Committed"))
        assert _names(db)[0] == "Lead in"
    assert _names(db)[0] == "Committed"
    # another Database object (another engine) on the same database: this process's copy is
    # forgotten by the explicit invalidation, as whoever reloads a template calls it
    other = open_database(db.url, migrate_schema=False)
    try:
        with other.write() as s:
            s.execute(update(Stage).where(Stage.position == 1).values(name_en=stage1))
    finally:
        other.dispose()
    assert _names(db)[0] == "Committed"
    invalidate_template(db)
    assert _names(db) == (stage1, "Source known")
