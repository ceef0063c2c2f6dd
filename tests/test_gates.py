"""Every stage-gate rule, through the one service that decides it: gates.move_deal."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from conftest import T0, satisfy_stage
from sqlalchemy import func, select

from app.errors import ConflictError, NotFound, PermissionDenied, ValidationError, render
from app.models import Activity, Evidence, Opportunity, StageTransition
from app.services import activities, deals, evidence, gates, people
from app.services.process import active_stages, find_deliverable

pytestmark = pytest.mark.both_engines

STAGE1 = ["lead_source", "decision_maker", "first_contact"]
STAGE2 = ["budget", "authority", "need", "timeline"]
STAGE3 = ["discovery_meeting", "requirements_doc", "buying_committee"]
STAGE4 = ["proposal_doc", "price_quote", "amount_close_date"]
STAGE5 = ["demo_poc", "evaluation_result", "preferred_vendor"]
STAGE6 = ["commercial_terms", "discount_approval", "legal_review"]
STAGE7 = ["signed_contract", "purchase_order"]


def at(days: float):
    return T0 + timedelta(days=days)


@pytest.fixture
def refs(db):
    acc = people.create_account(db, "한빛정밀")
    contact = people.create_contact(db, "박지훈", account_id=acc.id, job_title="구매팀장")
    src = people.create_lead_source(db, "Website")
    return acc, contact, src


def new_deal(db, owner, refs, *, complete=True, **extra):
    acc, contact, src = refs
    values = dict(account_id=acc.id)
    if complete:
        values.update(contact_id=contact.id, lead_source_id=src.id, amount=Decimal("150000000"),
                      expected_close=date(2026, 4, 30))
    values.update(extra)
    return deals.create_deal(db, title="MES 구축", owner_id=owner.id, at=T0, **values)


def deal_state(db, deal_id):
    with db.read() as s:
        d = s.get(Opportunity, deal_id)
        n = s.scalar(select(func.count()).select_from(StageTransition)
                     .where(StageTransition.opportunity_id == deal_id))
        pos = {st.id: st.position for st in active_stages(s)}[d.stage_id]
        return pos, d.status, d.version, n


def transitions(db, deal_id):
    with db.read() as s:
        return list(s.scalars(select(StageTransition).where(StageTransition.opportunity_id == deal_id)
                              .order_by(StageTransition.at)))


def advance(db, deal_id, actor, to_stage, start_day=1):
    """Satisfy and move stage by stage up to ``to_stage``."""
    pos = deal_state(db, deal_id)[0]
    day = start_day
    while pos < to_stage:
        satisfy_stage(db, deal_id, pos, actor.id, at=at(day))
        gates.move_deal(db, deal_id, pos + 1, actor_id=actor.id, at=at(day + 0.5))
        pos += 1
        day += 1
    return day


def missing_keys(exc: gates.GateRefused) -> dict[int, list[str]]:
    return {p: [m.key for m in items] for p, items in exc.by_stage().items()}


# ------------------------------------------------------------------ forward

def test_forward_allowed_when_satisfied(db, rep, refs):
    deal = new_deal(db, rep, refs)
    satisfy_stage(db, deal.id, 1, rep.id, at=at(1))
    result = gates.move_deal(db, deal.id, 2, actor_id=rep.id, expected_version=1, at=at(2))
    assert (result.kind, result.from_stage, result.to_stage, result.to_status) == ("forward", 1, 2, "open")
    assert result.version == 2 and not result.overridden
    assert deal_state(db, deal.id) == (2, "open", 2, 2)
    last = transitions(db, deal.id)[-1]
    assert last.kind == "forward" and last.at == at(2) and last.user_id == rep.id
    assert last.override_reason is None and last.left_at is None


def test_forward_refused_lists_every_missing_deliverable(db, rep, refs):
    deal = new_deal(db, rep, refs, complete=False)
    with pytest.raises(gates.GateRefused) as ei:
        gates.move_deal(db, deal.id, 2, actor_id=rep.id)
    assert missing_keys(ei.value) == {1: STAGE1}
    assert "Lead source recorded" in str(ei.value)
    with pytest.raises(gates.GateRefused) as ei:
        gates.move_deal(db, deal.id, 4, actor_id=rep.id)
    assert missing_keys(ei.value) == {1: STAGE1, 2: STAGE2, 3: STAGE3}
    assert {m.stage_name_ko for m in ei.value.missing} == {"가망고객 발굴", "영업기회 확인", "요구사항 분석"}
    assert deal_state(db, deal.id) == (1, "open", 1, 1)
    # the same list is available without trying the move (the gate dialog uses it)
    assert [m.key for m in gates.missing_for_move(db, deal.id, 2)] == STAGE1


def test_skip_needs_every_skipped_stage(db, rep, refs):
    deal = new_deal(db, rep, refs)
    satisfy_stage(db, deal.id, 1, rep.id, at=at(1))
    satisfy_stage(db, deal.id, 2, rep.id, at=at(1))
    with pytest.raises(gates.GateRefused) as ei:
        gates.move_deal(db, deal.id, 4, actor_id=rep.id)
    assert missing_keys(ei.value) == {3: STAGE3}
    satisfy_stage(db, deal.id, 3, rep.id, at=at(1))
    result = gates.move_deal(db, deal.id, 4, actor_id=rep.id, at=at(2))
    assert (result.kind, result.from_stage, result.to_stage) == ("forward", 1, 4)
    assert deal_state(db, deal.id) == (4, "open", 2, 2)


def test_field_deliverable_satisfied_by_filling_the_field(db, rep, refs):
    _acc, contact, src = refs
    deal = new_deal(db, rep, refs, complete=False, lead_source_id=src.id)
    activities.log_activity(db, type="call", subject="Intro call", owner_id=rep.id, deal_id=deal.id,
                            done_at=at(1), at=at(1))
    with pytest.raises(gates.GateRefused) as ei:
        gates.move_deal(db, deal.id, 2, actor_id=rep.id)
    assert missing_keys(ei.value) == {1: ["decision_maker"]}
    # a tick cannot satisfy a field deliverable
    with db.read() as s:
        d = find_deliverable(s, 1, "decision_maker")
    with pytest.raises(ValidationError) as ve:
        evidence.record_evidence(db, deal.id, d.id, actor_id=rep.id, note="I promise")
    assert "decision_maker" in ve.value.errors
    deals.update_deal(db, deal.id, expected_version=1, actor_id=rep.id, contact_id=contact.id)
    assert gates.move_deal(db, deal.id, 2, actor_id=rep.id).to_stage == 2


def test_activity_deliverable_needs_done_activity_of_right_type_in_that_stage(db, rep, refs):
    deal = new_deal(db, rep, refs)
    with db.read() as s:
        stage2 = active_stages(s)[1]
    # wrong type, not done, logged for another stage: none of them counts
    activities.log_activity(db, type="task", subject="Prepare intro", owner_id=rep.id, deal_id=deal.id,
                            done_at=at(1))
    planned = activities.log_activity(db, type="call", subject="Intro call", owner_id=rep.id,
                                      deal_id=deal.id, due_at=at(2))
    activities.log_activity(db, type="meeting", subject="Later meeting", owner_id=rep.id, deal_id=deal.id,
                            stage_id=stage2.id, done_at=at(1))
    with pytest.raises(gates.GateRefused) as ei:
        gates.move_deal(db, deal.id, 2, actor_id=rep.id)
    assert missing_keys(ei.value) == {1: ["first_contact"]}
    # a tick cannot satisfy it either
    with db.read() as s:
        d = find_deliverable(s, 1, "first_contact")
    with pytest.raises(ValidationError):
        evidence.record_evidence(db, deal.id, d.id, actor_id=rep.id, note="called")
    activities.complete_activity(db, planned.id, at=at(2))
    assert gates.move_deal(db, deal.id, 2, actor_id=rep.id, at=at(3)).to_stage == 2


def test_evidence_withdrawal_makes_the_gate_fail_again(db, rep, refs):
    deal = new_deal(db, rep, refs)
    advance(db, deal.id, rep, 2)
    satisfy_stage(db, deal.id, 2, rep.id, at=at(5))
    assert gates.missing_for_move(db, deal.id, 3) == []
    with db.read() as s:
        budget = find_deliverable(s, 2, "budget")
        ev = s.scalar(select(Evidence).where(Evidence.opportunity_id == deal.id,
                                             Evidence.deliverable_id == budget.id))
    evidence.withdraw_evidence(db, ev.id, actor_id=rep.id, at=at(6))
    with pytest.raises(gates.GateRefused) as ei:
        gates.move_deal(db, deal.id, 3, actor_id=rep.id)
    assert missing_keys(ei.value) == {2: ["budget"]}
    with pytest.raises(ValidationError):
        evidence.withdraw_evidence(db, ev.id, actor_id=rep.id)
    evidence.record_evidence(db, deal.id, budget.id, actor_id=rep.id, note="budget re-approved")
    assert gates.move_deal(db, deal.id, 3, actor_id=rep.id).to_stage == 3


def test_check_with_required_note_and_document_needs_file_or_link(db, rep, refs):
    deal = new_deal(db, rep, refs)
    with db.read() as s:
        result = find_deliverable(s, 5, "evaluation_result")
        vendor = find_deliverable(s, 5, "preferred_vendor")
        doc = find_deliverable(s, 3, "requirements_doc")
    with pytest.raises(ValidationError) as ve:
        evidence.record_evidence(db, deal.id, result.id, actor_id=rep.id, note="   ")
    assert list(ve.value.errors) == ["evaluation_result"]
    ok = evidence.record_evidence(db, deal.id, result.id, actor_id=rep.id, note="PoC passed 98 % accuracy")
    assert ok.note == "PoC passed 98 % accuracy"
    assert evidence.record_evidence(db, deal.id, vendor.id, actor_id=rep.id).note is None  # note optional
    with pytest.raises(ValidationError) as ve:
        evidence.record_evidence(db, deal.id, doc.id, actor_id=rep.id, note="see mail")
    assert list(ve.value.errors) == ["requirements_doc"]
    assert evidence.record_evidence(db, deal.id, doc.id, actor_id=rep.id, file_path="/srv/req.pdf").file_path
    assert evidence.record_evidence(db, deal.id, doc.id, actor_id=rep.id, link="https://x.example/r").link
    with db.read() as s:  # the newer evidence supersedes the older one
        rows = list(s.scalars(select(Evidence).where(Evidence.deliverable_id == doc.id)))
    assert sorted(r.withdrawn_at is None for r in rows) == [False, True]


# ------------------------------------------------------------------ backward, override

def test_backward_needs_a_reason_and_records_it(db, rep, refs):
    deal = new_deal(db, rep, refs)
    advance(db, deal.id, rep, 3)
    for reason in (None, "  "):
        with pytest.raises(ValidationError) as ve:
            gates.move_deal(db, deal.id, 1, actor_id=rep.id, reason=reason)
        assert "reason" in ve.value.errors
    result = gates.move_deal(db, deal.id, 2, actor_id=rep.id, reason="Budget needs re-approval", at=at(10))
    assert (result.kind, result.from_stage, result.to_stage) == ("backward", 3, 2)
    last = transitions(db, deal.id)[-1]
    assert last.kind == "backward" and last.reason == "Budget needs re-approval"
    # the stage-2 evidence is still there: going forward again is allowed
    assert gates.move_deal(db, deal.id, 3, actor_id=rep.id, at=at(11)).to_stage == 3


def test_manager_override_with_reason_is_stored(db, rep, manager, refs):
    deal = new_deal(db, rep, refs)
    with pytest.raises(gates.GateRefused):  # an empty override reason is no override
        gates.move_deal(db, deal.id, 2, actor_id=manager.id, override_reason="   ")
    result = gates.move_deal(db, deal.id, 3, actor_id=manager.id, override_reason="CEO sponsor; docs follow",
                             at=at(1))
    assert result.overridden and result.to_stage == 3
    last = transitions(db, deal.id)[-1]
    assert last.override_reason == "CEO sponsor; docs follow" and last.user_id == manager.id
    # an override is only recorded when a gate actually needed it
    satisfy_stage(db, deal.id, 3, rep.id, at=at(2))
    result = gates.move_deal(db, deal.id, 4, actor_id=manager.id, override_reason="not needed", at=at(3))
    assert not result.overridden and transitions(db, deal.id)[-1].override_reason is None


def test_rep_override_is_denied_and_nothing_written(db, rep, refs):
    deal = new_deal(db, rep, refs)
    before = deal_state(db, deal.id)
    with pytest.raises(PermissionDenied):
        gates.move_deal(db, deal.id, 2, actor_id=rep.id, override_reason="trust me")
    assert deal_state(db, deal.id) == before
    assert transitions(db, deal.id)[-1].left_at is None


# ------------------------------------------------------------------ won, lost, reopen

def test_won_needs_the_stage_7_gate(db, rep, refs):
    deal = new_deal(db, rep, refs)
    day = advance(db, deal.id, rep, 7)
    with pytest.raises(gates.GateRefused) as ei:
        gates.move_deal(db, deal.id, "won", actor_id=rep.id)
    assert missing_keys(ei.value) == {7: STAGE7}
    satisfy_stage(db, deal.id, 7, rep.id, at=at(day))
    result = gates.move_deal(db, deal.id, "won", actor_id=rep.id, at=at(day + 1))
    assert (result.kind, result.from_stage, result.to_stage, result.to_status) == ("won", 7, 7, "won")
    with db.read() as s:
        d = s.get(Opportunity, deal.id)
        assert d.status == "won" and d.closed_at == at(day + 1) and d.loss_reason is None
        stage7 = active_stages(s)[6]
    last = transitions(db, deal.id)[-1]
    assert last.to_stage_id == stage7.id and last.from_stage_id == stage7.id
    assert (last.from_status, last.to_status) == ("open", "won")
    with pytest.raises(ValidationError):
        gates.move_deal(db, deal.id, "won", actor_id=rep.id)


def test_won_from_stage_5_needs_stages_5_6_7(db, rep, refs):
    deal = new_deal(db, rep, refs)
    day = advance(db, deal.id, rep, 5)
    with pytest.raises(gates.GateRefused) as ei:
        gates.move_deal(db, deal.id, "won", actor_id=rep.id)
    assert missing_keys(ei.value) == {5: STAGE5, 6: STAGE6, 7: STAGE7}
    for pos in (5, 6, 7):
        satisfy_stage(db, deal.id, pos, rep.id, at=at(day))
    result = gates.move_deal(db, deal.id, "won", actor_id=rep.id, at=at(day + 1))
    assert (result.from_stage, result.to_stage, result.to_status) == (5, 7, "won")


@pytest.mark.parametrize("stage", [1, 4])
def test_lost_needs_a_loss_reason_from_any_stage(db, rep, refs, stage):
    deal = new_deal(db, rep, refs)
    advance(db, deal.id, rep, stage)
    with pytest.raises(ValidationError) as ve:
        gates.move_deal(db, deal.id, "lost", actor_id=rep.id)
    assert "loss_reason" in ve.value.errors
    result = gates.move_deal(db, deal.id, "lost", actor_id=rep.id, loss_reason="경쟁사 선정", at=at(20))
    assert (result.kind, result.to_stage, result.to_status) == ("lost", stage, "lost")
    with db.read() as s:
        d = s.get(Opportunity, deal.id)
        assert (d.status, d.loss_reason, d.closed_at) == ("lost", "경쟁사 선정", at(20))
    last = transitions(db, deal.id)[-1]
    assert last.kind == "lost" and last.reason == "경쟁사 선정" and last.from_stage_id == last.to_stage_id


def test_reopen_needs_a_reason(db, rep, refs):
    deal = new_deal(db, rep, refs)
    advance(db, deal.id, rep, 3)
    gates.move_deal(db, deal.id, "lost", actor_id=rep.id, loss_reason="No budget", at=at(10))
    with pytest.raises(ValidationError) as ve:
        gates.move_deal(db, deal.id, 3, actor_id=rep.id)
    assert "reason" in ve.value.errors
    with pytest.raises(ValidationError):  # a closed deal is reopened into a stage, not re-closed
        gates.move_deal(db, deal.id, "won", actor_id=rep.id)
    result = gates.move_deal(db, deal.id, 3, actor_id=rep.id, reason="Budget found in Q3", at=at(11))
    assert (result.kind, result.from_status, result.to_status, result.to_stage) == ("reopened", "lost", "open", 3)
    with db.read() as s:
        d = s.get(Opportunity, deal.id)
        assert d.status == "open" and d.closed_at is None and d.loss_reason is None
    assert transitions(db, deal.id)[-1].reason == "Budget found in Q3"


# ------------------------------------------------------------------ conflicts, history, atomicity

def test_stale_version_is_a_conflict_and_changes_nothing(db, rep, manager, refs):
    deal = new_deal(db, rep, refs)
    satisfy_stage(db, deal.id, 1, rep.id, at=at(1))
    gates.move_deal(db, deal.id, 2, actor_id=rep.id, expected_version=1, at=at(2))
    before = deal_state(db, deal.id)
    with pytest.raises(ConflictError) as ei:  # the second manager still has version 1
        gates.move_deal(db, deal.id, 3, actor_id=manager.id, expected_version=1, override_reason="x")
    assert ei.value.current_version == 2
    assert deal_state(db, deal.id) == before
    assert transitions(db, deal.id)[-1].left_at is None


def test_left_at_of_previous_visit_set_by_the_next_move(db, rep, refs):
    deal = new_deal(db, rep, refs)
    advance(db, deal.id, rep, 3)  # moves at day 1.5 and 2.5
    created, to2, to3 = transitions(db, deal.id)
    assert created.at == T0 and created.left_at == at(1.5)
    assert to2.at == at(1.5) and to2.left_at == at(2.5)
    assert to3.at == at(2.5) and to3.left_at is None
    with db.read() as s:
        assert s.get(Opportunity, deal.id).stage_entered_at == at(2.5)


def test_undo_move(db, rep, manager, refs):
    deal = new_deal(db, rep, refs)
    satisfy_stage(db, deal.id, 1, rep.id, at=at(1))
    first = gates.move_deal(db, deal.id, 2, actor_id=rep.id, at=at(2))
    undo = gates.undo_move(db, first.transition_id, actor_id=rep.id, expected_version=2, at=at(3))
    assert (undo.kind, undo.from_stage, undo.to_stage) == ("backward", 2, 1)
    assert deal_state(db, deal.id) == (1, "open", 3, 3)
    assert transitions(db, deal.id)[-1].reason == "Undo of forward move"
    with pytest.raises(ConflictError):  # only the latest move can be undone
        gates.undo_move(db, first.transition_id, actor_id=rep.id)
    # undoing a loss restores the open stage; undoing that reopen restores the loss reason
    lost = gates.move_deal(db, deal.id, "lost", actor_id=rep.id, loss_reason="No budget", at=at(4))
    reopened = gates.undo_move(db, lost.transition_id, actor_id=manager.id, at=at(5))
    assert (reopened.kind, reopened.to_status, reopened.to_stage) == ("reopened", "open", 1)
    again = gates.undo_move(db, reopened.transition_id, actor_id=manager.id, at=at(6))
    assert again.to_status == "lost"
    with db.read() as s:
        assert s.get(Opportunity, deal.id).loss_reason == "No budget"
    with pytest.raises(NotFound):
        gates.undo_move(db, deal.id, actor_id=rep.id)


def test_failed_move_leaves_no_partial_rows(db, rep, refs, monkeypatch):
    deal = new_deal(db, rep, refs)
    satisfy_stage(db, deal.id, 1, rep.id, at=at(1))

    def count():
        with db.read() as s:
            return s.scalar(select(func.count()).select_from(StageTransition))

    n_before, state_before = count(), deal_state(db, deal.id)
    with pytest.raises(gates.GateRefused):
        gates.move_deal(db, deal.id, 3, actor_id=rep.id)
    with pytest.raises(ValidationError):
        gates.move_deal(db, deal.id, 9, actor_id=rep.id)
    with pytest.raises(NotFound):
        gates.move_deal(db, deal.id, 2, actor_id=deal.id)  # no such user

    # a failure after the rows were flushed rolls back all of them (left_at included)
    def boom(**_kw):
        raise RuntimeError("disk full")

    monkeypatch.setattr(gates, "MoveResult", boom)
    with pytest.raises(RuntimeError):
        gates.move_deal(db, deal.id, 2, actor_id=rep.id, at=at(2))
    assert count() == n_before and deal_state(db, deal.id) == state_before
    assert transitions(db, deal.id)[-1].left_at is None
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Activity)) == 1


# ------------------------------------------------------------------ which reason a move needs

@pytest.mark.parametrize(("status", "pos", "target", "needed"), [
    ("open", 3, "lost", "loss"),    # lost from any stage: a loss reason
    ("open", 1, "lost", "loss"),
    ("open", 3, 1, "back"),         # to an earlier stage: a backward-move reason
    ("open", 7, 6, "back"),
    ("open", 3, "2", "back"),       # a stage number as text counts the same
    ("won", 7, 3, "reopen"),        # a closed deal into a stage: a reopen reason
    ("lost", 4, 4, "reopen"),       # also into the stage it was lost in
    ("lost", 2, 5, "reopen"),
    ("open", 3, "won", None),       # won from an open deal: the gate, no reason
    ("open", 3, 4, None),           # forward
    ("open", 2, 5, None),           # skipping forward
    ("open", 3, 3, None),           # the same column: no move at all
    ("won", 7, "won", None),
    ("lost", 2, "lost", None),
    ("won", 7, "lost", "loss"),     # the service refuses it (reopen first), the dialog asks first
    ("lost", 2, "won", None),
])
def test_reason_needed(status, pos, target, needed):
    assert gates.reason_needed(status, pos, target) == needed


def test_move_refuses_by_the_same_rule(db, rep, refs):
    """move_deal refuses a blank reason exactly where reason_needed says one is needed."""
    deal = new_deal(db, rep, refs)
    advance(db, deal.id, rep, 2)
    assert gates.reason_needed("open", 2, 1) == "back"
    with pytest.raises(ValidationError) as ve:
        gates.move_deal(db, deal.id, 1, actor_id=rep.id, reason=" ")
    assert list(ve.value.errors) == ["reason"]
    assert gates.reason_needed("open", 2, "lost") == "loss"
    with pytest.raises(ValidationError) as ve:
        gates.move_deal(db, deal.id, "lost", actor_id=rep.id, loss_reason="\t")
    assert list(ve.value.errors) == ["loss_reason"]
    gates.move_deal(db, deal.id, "lost", actor_id=rep.id, loss_reason="No budget", at=at(5))
    assert gates.reason_needed("lost", 2, 2) == "reopen"
    with pytest.raises(ValidationError) as ve:
        gates.move_deal(db, deal.id, 2, actor_id=rep.id)
    assert list(ve.value.errors) == ["reason"]
    assert gates.move_deal(db, deal.id, 2, actor_id=rep.id, reason="Budget back", at=at(6)).kind == "reopened"


@pytest.mark.parametrize("status, target, refusal", [
    ("open", "lost", None), ("open", "won", None), ("won", 3, None), ("lost", "2", None),
    ("won", "won", "the deal is already won"), ("lost", "lost", "the deal is already lost"),
    ("won", "lost", "the deal is won; reopen it into a stage first"),
    ("lost", "won", "the deal is lost; reopen it into a stage first"),
])
def test_closed_deal_refusal(status, target, refusal):
    assert gates.closed_deal_refusal(status, target) == refusal


@pytest.mark.parametrize("position, delta, target", [(1, 1, 2), (6, 1, 7), (7, 1, "won"), (2, -1, 1), (1, -1, None)])
def test_neighbour_target(position, delta, target):
    assert gates.neighbour_target(position, delta, 7) == target


# ------------------------------------------------------------------ messages a front can translate

KO = {  # as the Korean .ts has them (AppError context), to render without Qt
    "gate refused, missing deliverables: {missing}": "단계 게이트를 통과하지 못했습니다. 누락된 요건: {missing}",
    "stage {position} {stage}: {deliverables}": "{position}단계 {stage}: {deliverables}",
    "{first}; {rest}": "{first}; {rest}",
}


def test_a_gate_refusal_is_a_message_with_each_stage_as_fields(db, rep, refs):
    deal = new_deal(db, rep, refs)
    satisfy_stage(db, deal.id, 1, rep.id, at=at(1))
    evidence.record_evidence(db, deal.id, find_deliverable_id(db, 2, "budget"), actor_id=rep.id, note="ok")
    with pytest.raises(gates.GateRefused) as ei:
        gates.move_deal(db, deal.id, 4, actor_id=rep.id)
    msg = ei.value.message
    assert msg.template == "gate refused, missing deliverables: {missing}"
    assert str(ei.value) == ("gate refused, missing deliverables: stage 2 Qualification: Decision authority "
                             "confirmed, Business need confirmed, Purchase timeline confirmed; stage 3 Needs "
                             "analysis: Discovery meeting held, Requirements document, Buying committee mapped")
    first = msg.fields["missing"].fields["first"]
    assert first.template == "stage {position} {stage}: {deliverables}"
    assert first.fields == {"position": 2, "stage": "Qualification",
                            "deliverables": "Decision authority confirmed, Business need confirmed, "
                                            "Purchase timeline confirmed"}
    assert render(msg, lambda t: KO.get(t, t)) == (
        "단계 게이트를 통과하지 못했습니다. 누락된 요건: 2단계 Qualification: Decision authority confirmed, "
        "Business need confirmed, Purchase timeline confirmed; 3단계 Needs analysis: Discovery meeting held, "
        "Requirements document, Buying committee mapped")


def test_refusals_name_their_values_as_fields(db, rep, manager, refs):
    deal = new_deal(db, rep, refs)
    with pytest.raises(PermissionDenied) as ei:
        gates.move_deal(db, deal.id, 2, actor_id=rep.id, override_reason="trust me")
    assert ei.value.message.template == "{user} is a rep; only a manager can override a stage gate"
    assert ei.value.message.fields == {"user": rep.name}
    with pytest.raises(ConflictError) as ei:
        gates.move_deal(db, deal.id, 2, actor_id=manager.id, expected_version=7, override_reason="x")
    assert ei.value.message.fields == {"title": "MES 구축", "version": 1, "expected": 7}
    assert str(ei.value) == "deal 'MES 구축' was changed by someone else (version 1, you had 7); reload it"
    with pytest.raises(ValidationError) as ei:
        gates.move_deal(db, deal.id, 9, actor_id=manager.id)
    assert ei.value.errors["to"].template == "stage {stage} does not exist (stages are 1 to {last})"
    assert ei.value.errors["to"].fields == {"stage": 9, "last": 7}
    with pytest.raises(ValidationError) as ei:
        gates.move_deal(db, deal.id, 1, actor_id=manager.id)
    assert ei.value.errors["to"] == "the deal is already in stage 1"
    assert str(ei.value) == "to: the deal is already in stage 1"  # the CLI's English, as before
    with pytest.raises(ValidationError) as ei:
        gates.move_deal(db, deal.id, "lost", actor_id=manager.id)
    assert ei.value.errors["loss_reason"].template == "a lost deal needs a loss reason"


def find_deliverable_id(db, position, key):
    with db.read() as s:
        return find_deliverable(s, position, key).id
