"""The unit of work: several service calls in one transaction, and what they changed."""

from __future__ import annotations

import pytest
from conftest import T0
from sqlalchemy import func, select

from app.errors import ValidationError
from app.models import Account, Contact, Opportunity
from app.services import activities, deals, evidence, gates, marketing, people
from app.services.unit_of_work import OpChanges, UnitFailed, UnitOfWork, perform


def _count(db, model) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.mark.both_engines
def test_account_contact_and_deal_edit_commit_together(db, rep):
    deal = deals.create_deal(db, title="Press line", owner_id=rep.id, at=T0)

    def work(uow):
        acc = people.create_account(uow, "Hanil Steel")
        con = people.create_contact(uow, "Kim Minji", acc.id)
        return deals.update_deal(uow, deal.id, expected_version=deal.version, actor_id=rep.id,
                                 account_id=acc.id, contact_id=con.id)

    out = perform(db, work)
    assert out.value.account_id is not None
    assert out.changes == OpChanges.of("people", "edited", deals=[deal.id])
    fresh = deals.get_deal(db, deal.id)
    assert (fresh.account_id, fresh.contact_id) == (out.value.account_id, out.value.contact_id)


@pytest.mark.both_engines
def test_a_refused_deal_edit_leaves_no_new_account(db, rep):
    deal = deals.create_deal(db, title="Press line", owner_id=rep.id, at=T0)

    def work(uow):
        acc = people.create_account(uow, "Hanil Steel")
        return deals.update_deal(uow, deal.id, expected_version=deal.version, actor_id=rep.id,
                                 account_id=acc.id, amount="12.5", currency="KRW")  # KRW has no cents

    with pytest.raises(ValidationError) as err:
        perform(db, work)
    assert "amount" in err.value.errors
    assert _count(db, Account) == 0
    assert deals.get_deal(db, deal.id).version == deal.version


def test_a_caught_failure_inside_the_unit_still_rolls_it_back(db, rep):
    deal = deals.create_deal(db, title="Press line", owner_id=rep.id, at=T0)
    with pytest.raises(UnitFailed, match="earlier step failed"):
        with UnitOfWork(db) as uow:
            people.create_contact(uow, "Kim Minji")
            try:
                deals.update_deal(uow, deal.id, expected_version=deal.version + 7, actor_id=rep.id, title="X")
            except Exception:
                pass  # a careless caller carries on
    assert _count(db, Contact) == 0
    assert uow.changes == OpChanges()


def test_changes_name_what_each_service_wrote(db, rep, manager):
    web = marketing.create_lead_source(db, "Web")
    created = perform(db, lambda u: deals.create_deal(u, title="A", owner_id=rep.id, lead_source_id=web.id, at=T0))
    deal = created.value
    assert created.changes == OpChanges.of("created", deals=[deal.id])

    moved = perform(db, lambda u: gates.move_deal(u, deal.id, 2, actor_id=manager.id, override_reason="test"))
    assert "moved" in moved.changes.kinds and moved.changes.deal_ids == {deal.id}

    logged = perform(db, lambda u: activities.log_activity(u, type="call", subject="Intro", owner_id=rep.id,
                                                          deal_id=deal.id))
    assert logged.changes == OpChanges.of("activity", deals=[deal.id])
    alone = perform(db, lambda u: activities.log_activity(u, type="task", subject="Admin", owner_id=rep.id))
    assert alone.changes == OpChanges.of("activity")

    deliverable = next(i for i in gates.checklist(db, deal.id) if not i.satisfied)
    ev = perform(db, lambda u: evidence.record_evidence(u, deal.id, deliverable.deliverable_id, actor_id=rep.id,
                                                        note="ok", link="https://x.example/doc"))
    assert ev.changes == OpChanges.of("evidence", deals=[deal.id])

    src = perform(db, lambda u: marketing.create_lead_source(u, "Fair"))
    assert src.changes == OpChanges.of("marketing")
    gone = perform(db, lambda u: marketing.delete_lead_source(u, src.value.id))
    assert gone.changes == OpChanges.of("marketing")

    slipped = perform(db, lambda u: deals.change_close_date(u, deal.id, "2026-03-31",
                                                            expected_version=deals.get_deal(db, deal.id).version,
                                                            actor_id=rep.id))
    assert slipped.changes == OpChanges.of("edited", deals=[deal.id])


def test_a_unit_that_changes_nothing_reports_nothing(db, rep):
    deal = deals.create_deal(db, title="A", owner_id=rep.id, at=T0)
    out = perform(db, lambda u: deals.update_deal(u, deal.id, expected_version=deal.version, actor_id=rep.id,
                                                  title="A"))
    assert not out.changes
    assert _count(db, Opportunity) == 1


def test_unknown_change_kind_is_refused():
    with pytest.raises(ValueError, match="unknown change kind"):
        OpChanges.of("teleported")
    assert OpChanges.of("reloaded").touches("marketing")
    assert not OpChanges.of("marketing").touches("activity", "moved")


@pytest.mark.postgresql
def test_a_unit_on_a_replica_reaches_the_server_whole(pg_url, tmp_path):
    """On an offline replica, a new account + contact + the deal's update (one unit, as the
    deal dialog saves them) land in the outbox in that transaction and replay on the server
    with the same ids; a refused unit leaves no outbox row."""
    from app.db import open_database
    from app.services import sync

    server = sync.open_server(pg_url)
    try:
        mgr = people.create_user(server, "Lee Ji-eun", "manager")
        deal = deals.create_deal(server, title="Alpha", owner_id=mgr.id)
        sync.create_replica(str(tmp_path / "a.sqlite"), server)
        a = open_database(str(tmp_path / "a.sqlite"))

        with pytest.raises(ValidationError):
            perform(a, lambda u: deals.update_deal(u, deal.id, expected_version=1, actor_id=mgr.id,
                                                   account_id=people.create_account(u, "Ghost").id, amount="x"))
        assert sync.pending_count(a) == 0

        def work(uow):
            acc = people.create_account(uow, "Hanil Steel")
            con = people.create_contact(uow, "Kim Minji", acc.id)
            return deals.update_deal(uow, deal.id, expected_version=1, actor_id=mgr.id,
                                     account_id=acc.id, contact_id=con.id)

        local = perform(a, work).value
        assert sync.pending_count(a) == 3
        assert sync.sync(a, server).push.applied == 3
        on_server = deals.get_deal(server, deal.id)
        assert (on_server.account_id, on_server.contact_id) == (local.account_id, local.contact_id)
        with server.read() as s:
            assert s.get(Account, local.account_id).name == "Hanil Steel"
            assert s.scalar(select(func.count()).select_from(Account).where(Account.name == "Ghost")) == 0
        a.dispose()
    finally:
        server.dispose()
