"""Deals, close-date log, activities, users, accounts: validation names the field."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from conftest import T0
from sqlalchemy import select

from app.errors import ConflictError, NotFound, ValidationError
from app.models import CloseDateChange, StageTransition
from app.services import activities, deals, people

pytestmark = pytest.mark.both_engines


def errors_of(call, *args, **kwargs) -> dict[str, str]:
    with pytest.raises(ValidationError) as ei:
        call(*args, **kwargs)
    assert str(ei.value)  # one line a user can read
    return ei.value.errors


# ------------------------------------------------------------------ deals

@pytest.mark.parametrize(("values", "field", "words"), [
    (dict(title="  "), "title", "title is required"),
    (dict(title="x" * 301), "title", "300"),
    (dict(amount="-1"), "amount", "0 or more"),
    (dict(amount="abc"), "amount", "not a number"),
    (dict(amount="1.005", currency="USD"), "amount", "two decimal"),
    (dict(amount="1.5"), "amount", "KRW has no minor unit"),  # the default currency is KRW
    (dict(currency="XYZ"), "currency", "not a known ISO 4217"),
    (dict(expected_close="2026-13-45"), "expected_close", "not a valid date"),
    (dict(expected_close="31/12/2026"), "expected_close", "YYYY-MM-DD"),
    (dict(forecast_category="maybe"), "forecast_category", "not one of"),
])
def test_create_deal_validation_names_the_field(db, rep, values, field, words):
    values = {"title": "MES 구축", **values}
    title = values.pop("title")
    errors = errors_of(deals.create_deal, db, title=title, owner_id=rep.id, **values)
    assert list(errors) == [field]
    assert words in errors[field]


def test_unknown_owner_and_references(db, rep):
    errors = errors_of(deals.create_deal, db, title="Deal", owner_id=uuid.uuid4())
    assert errors == {"owner_id": "owner does not exist"}
    errors = errors_of(deals.create_deal, db, title="Deal", owner_id=rep.id, contact_id=uuid.uuid4(),
                       account_id=uuid.uuid4())
    assert set(errors) == {"contact_id", "account_id"}
    errors = errors_of(deals.create_deal, db, title="Deal", owner_id=rep.id, colour="red")
    assert errors == {"colour": "not a deal field"}
    # several bad values at once: every field is named
    errors = errors_of(deals.create_deal, db, title="", owner_id=rep.id, amount="-5", currency="??")
    assert set(errors) == {"title", "amount", "currency"}


def test_create_deal_defaults_and_first_transition(db, rep):
    deal = deals.create_deal(db, title=" Vision inspection ", owner_id=rep.id, amount="1,500,000",
                             currency="usd", at=T0)
    assert deal.title == "Vision inspection" and deal.amount == Decimal("1500000.00")
    assert deal.currency == "USD" and deal.status == "open" and deal.version == 1
    with db.read() as s:
        (tr,) = s.scalars(select(StageTransition).where(StageTransition.opportunity_id == deal.id))
        assert (tr.kind, tr.from_stage_id, tr.to_status, tr.at) == ("created", None, "open", T0)
        # no expected close date: nothing to log yet
        assert s.scalars(select(CloseDateChange)).all() == []
    row = deals.list_deals(db)[0]
    assert (row.stage, row.status, row.owner, row.probability) == (1, "open", rep.name, 10)


def test_update_deal_validation_and_conflict(db, rep):
    deal = deals.create_deal(db, title="ERP upgrade", owner_id=rep.id, amount=100, currency="USD")
    assert errors_of(deals.update_deal, db, deal.id, expected_version=1, actor_id=rep.id,
                     amount=-3) == {"amount": "must be 0 or more"}
    assert list(errors_of(deals.update_deal, db, deal.id, expected_version=1, actor_id=rep.id,
                          owner_id=None)) == ["owner_id"]
    assert list(errors_of(deals.update_deal, db, deal.id, expected_version=1, actor_id=rep.id,
                          status="won")) == ["status"]
    updated = deals.update_deal(db, deal.id, expected_version=1, actor_id=rep.id, amount="250.50")
    assert updated.amount == Decimal("250.50") and updated.version == 2
    with pytest.raises(ConflictError):
        deals.update_deal(db, deal.id, expected_version=1, actor_id=rep.id, amount=1)
    assert deals.get_deal(db, deal.id).amount == Decimal("250.50")
    with pytest.raises(NotFound):
        deals.update_deal(db, uuid.uuid4(), expected_version=1, actor_id=rep.id, amount=1)


def test_close_date_changes_are_logged(db, rep, manager):
    deal = deals.create_deal(db, title="Data platform", owner_id=rep.id, expected_close="2026-03-31", at=T0)
    d1 = T0 + timedelta(days=30)
    d2 = T0 + timedelta(days=60)
    deal = deals.change_close_date(db, deal.id, "2026-04-30", expected_version=1, actor_id=rep.id, at=d1)
    deal = deals.change_close_date(db, deal.id, date(2026, 6, 15), expected_version=deal.version,
                                   actor_id=manager.id, at=d2)
    # the same date again is no change
    deal = deals.change_close_date(db, deal.id, "2026-06-15", expected_version=deal.version, actor_id=rep.id)
    assert deal.expected_close == date(2026, 6, 15)
    with db.read() as s:
        rows = [(r.old_date, r.new_date, r.at, r.user_id) for r in s.scalars(
            select(CloseDateChange).where(CloseDateChange.opportunity_id == deal.id).order_by(CloseDateChange.at))]
    assert rows == [
        (None, date(2026, 3, 31), T0, rep.id),
        (date(2026, 3, 31), date(2026, 4, 30), d1, rep.id),
        (date(2026, 4, 30), date(2026, 6, 15), d2, manager.id),
    ]
    assert list(errors_of(deals.change_close_date, db, deal.id, "next week", expected_version=deal.version,
                          actor_id=rep.id)) == ["expected_close"]


def test_list_deals_filters_and_resolve_id(db, rep, manager):
    a = deals.create_deal(db, title="Alpha robots", owner_id=rep.id)
    deals.create_deal(db, title="Beta sensors", owner_id=manager.id)
    assert [r.title for r in deals.list_deals(db, owner=rep.name.upper())] == ["Alpha robots"]
    assert [r.title for r in deals.list_deals(db, search="sens")] == ["Beta sensors"]
    assert deals.list_deals(db, status="won") == []
    assert len(deals.list_deals(db, stage=1)) == 2
    assert deals.resolve_deal_id(db, a.id.hex[:10]) == a.id
    assert deals.resolve_deal_id(db, str(a.id)) == a.id
    with pytest.raises(NotFound):
        deals.resolve_deal_id(db, "xyz")
    with pytest.raises(NotFound):
        deals.resolve_deal_id(db, "000000000000")


# ------------------------------------------------------------------ activities

def test_log_activity_validation(db, rep):
    deal = deals.create_deal(db, title="Deal", owner_id=rep.id)
    assert list(errors_of(activities.log_activity, db, type="fax", subject="x", owner_id=rep.id)) == ["type"]
    assert list(errors_of(activities.log_activity, db, type="call", subject=" ", owner_id=rep.id)) == ["subject"]
    assert errors_of(activities.log_activity, db, type="call", subject="x",
                     owner_id=uuid.uuid4()) == {"owner_id": "owner does not exist"}
    assert list(errors_of(activities.log_activity, db, type="call", subject="x", owner_id=rep.id,
                          deal_id=uuid.uuid4())) == ["deal_id"]
    act = activities.log_activity(db, type="meeting", subject="Discovery", owner_id=rep.id, deal_id=deal.id,
                                  at=T0)
    assert act.stage_id == deal.stage_id and act.done_at is None and act.created_at == T0


def test_activities_list_complete_and_buckets(db, rep, manager):
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    deal = deals.create_deal(db, title="Cloud migration", owner_id=rep.id)
    overdue = activities.log_activity(db, type="call", subject="Call back", owner_id=rep.id, deal_id=deal.id,
                                      due_at=now - timedelta(days=2))
    today = activities.log_activity(db, type="email", subject="Send quote", owner_id=rep.id,
                                    due_at=now + timedelta(hours=3))
    later = activities.log_activity(db, type="task", subject="Prepare PoC", owner_id=rep.id,
                                    due_at=now + timedelta(days=4))
    someday = activities.log_activity(db, type="note", subject="Idea", owner_id=rep.id)
    activities.log_activity(db, type="call", subject="Manager call", owner_id=manager.id)

    rows = activities.list_activities(db, owner_id=rep.id)
    assert [r.subject for r in rows] == ["Call back", "Send quote", "Prepare PoC", "Idea"]  # by due date
    assert rows[0].deal_title == "Cloud migration"
    assert [activities.bucket(r, now, UTC) for r in rows] == ["overdue", "today", "upcoming", "someday"]
    assert [r.id for r in activities.list_activities(db, owner_id=rep.id, due_before=now)] == [overdue.id]
    assert [r.id for r in activities.list_activities(db, deal_id=deal.id)] == [overdue.id]
    assert {r.id for r in activities.list_activities(db, types=["email", "task"])} == {today.id, later.id}

    activities.complete_activity(db, overdue.id, at=now)
    open_ids = [r.id for r in activities.list_activities(db, owner_id=rep.id, open_only=True)]
    assert open_ids == [today.id, later.id, someday.id]
    done_row = activities.list_activities(db, deal_id=deal.id)[0]
    assert done_row.done_at == now and activities.bucket(done_row, now) == "done"
    assert activities.complete_activity(db, overdue.id, done=False).done_at is None
    with pytest.raises(NotFound):
        activities.complete_activity(db, uuid.uuid4())


# ------------------------------------------------------------------ people

def test_users_roles_and_lookup(db, rep, manager):
    assert (rep.role, manager.role) == ("rep", "manager")
    assert errors_of(people.create_user, db, " ") == {"name": "a name is required"}
    assert list(errors_of(people.create_user, db, "New Person", "boss")) == ["role"]
    assert list(errors_of(people.create_user, db, rep.name.upper())) == ["name"]  # case-insensitive
    assert [u.name for u in people.list_users(db)] == sorted([rep.name, manager.name])
    assert people.find_user(db, rep.name.lower()).id == rep.id
    assert people.find_user(db, str(manager.id)).id == manager.id
    with pytest.raises(NotFound):
        people.find_user(db, "nobody")


def test_accounts_contacts_lead_sources(db):
    acc = people.create_account(db, "Nexus Robotics", industry="Robotics", country="US")
    other = people.create_account(db, "한빛정밀")
    people.create_contact(db, "Sarah Kim", account_id=acc.id, job_title="CIO")
    people.create_contact(db, "박지훈", account_id=other.id)
    assert [c.name for c in people.list_contacts(db, acc.id)] == ["Sarah Kim"]
    assert len(people.list_contacts(db)) == 2
    assert [a.name for a in people.list_accounts(db)] == ["Nexus Robotics", "한빛정밀"]
    assert list(errors_of(people.create_account, db, "")) == ["name"]
    assert list(errors_of(people.create_contact, db, "X", account_id=uuid.uuid4())) == ["account"]
    people.create_lead_source(db, "Webinar", "events")
    assert list(errors_of(people.create_lead_source, db, "Webinar")) == ["name"]
    assert [s.name for s in people.list_lead_sources(db)] == ["Webinar"]


def test_a_typed_amount_is_read_like_an_imported_one(db, rep):
    """One amount reader for the deal form, the marketing grid and the importer."""
    from decimal import Decimal

    from app.services import marketing

    d = deals.create_deal(db, title="Press line", owner_id=rep.id, amount="₩1,500,000")
    assert d.amount == Decimal("1500000") and d.currency == "KRW"
    eur = deals.create_deal(db, title="Line EU", owner_id=rep.id, amount="1.234,56", currency="EUR")
    assert eur.amount == Decimal("1234.56")
    with pytest.raises(ValidationError) as err:
        deals.update_deal(db, d.id, expected_version=d.version, actor_id=rep.id, amount="$1,234")
    assert err.value.errors == {"amount": "the amount is written in USD but the deal is in KRW"}
    with pytest.raises(ValidationError) as err:
        deals.update_deal(db, d.id, expected_version=d.version, actor_id=rep.id, amount="lots")
    assert err.value.errors == {"amount": "'lots' is not a number"}
    web = marketing.create_lead_source(db, "Web")
    assert marketing.create_spend(db, web.id, "2026-05-01", "₩1,200,000").amount == Decimal("1200000")


def test_what_falls_due_is_the_owners_open_activities_due_in_the_window(db, rep, manager):
    from datetime import UTC, datetime, timedelta

    t = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    log = activities.log_activity
    before = log(db, type="call", subject="overdue already", owner_id=rep.id, due_at=t - timedelta(minutes=5))
    edge = log(db, type="call", subject="due right now", owner_id=rep.id, due_at=t + timedelta(minutes=10))
    inside = log(db, type="task", subject="due inside", owner_id=rep.id, due_at=t + timedelta(minutes=3))
    log(db, type="call", subject="done", owner_id=rep.id, due_at=t + timedelta(minutes=4),
        done_at=t + timedelta(minutes=4))
    log(db, type="call", subject="someone else's", owner_id=manager.id, due_at=t + timedelta(minutes=4))
    log(db, type="call", subject="later", owner_id=rep.id, due_at=t + timedelta(minutes=11))
    got = activities.falling_due(db, rep.id, since=t, now=t + timedelta(minutes=10))
    assert [r.id for r in got] == [inside.id, edge.id]
    assert before.id not in {r.id for r in got}


def test_which_activities_are_logged_as_done():
    assert [t for t in ("call", "meeting", "email", "task", "note") if not activities.done_when_logged(t)] == ["task"]
