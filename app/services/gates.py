"""The stage-gate rule: the one place that decides whether a deal may move.

Every front (kanban drop, deal dialog, keyboard shortcut, importer, CLI) calls
:func:`move_deal`. A forward move from stage k needs the exit deliverables of stage k;
skipping needs those of every stage passed over; moving back or reopening needs a reason;
a manager may override a gate with a written reason, a rep may not; won means passing the
last stage's gate; lost needs a loss reason. Each move is one transaction: the transition
row, the closing of the previous visit (``left_at``), the deal's stage and its version.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import String, and_, case, exists, func, literal, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.db import Database
from app.errors import (
    AppError,
    ConflictError,
    Localized,
    Message,
    NotFound,
    PermissionDenied,
    ValidationError,
    listed,
)
from app.models import (
    Activity,
    DeliverableKind,
    Evidence,
    Opportunity,
    Role,
    StageTransition,
    Status,
    TransitionKind,
    User,
    utcnow,
)
from app.services import history
from app.services.outbox import operation
from app.services.process import DeliverableDef, StageDef, active_stages

WON, LOST = "won", "lost"


@dataclass(frozen=True)
class MissingDeliverable:
    stage_position: int
    stage_key: str
    stage_name_en: str
    stage_name_ko: str
    deliverable_id: uuid.UUID
    key: str
    kind: str
    name_en: str
    name_ko: str
    fields: tuple[str, ...] = ()
    activity_types: tuple[str, ...] = ()
    requires_note: bool = False

    def name(self, lang: str = "en") -> str:
        return self.name_ko if lang == "ko" else self.name_en

    def stage_name(self, lang: str = "en") -> str:
        return self.stage_name_ko if lang == "ko" else self.stage_name_en


class GateRefused(AppError):
    """A move refused because deliverables are missing; ``missing`` lists every one, by stage."""

    def __init__(self, missing: list[MissingDeliverable]):
        self.missing = missing
        parts: dict[int, list[MissingDeliverable]] = {}
        for m in missing:
            parts.setdefault(m.stage_position, []).append(m)
        # stage and deliverable names are the process template's own data, in both its languages
        stages = [Message("stage {position} {stage}: {deliverables}", position=p,
                          stage=Localized(ms[0].stage_name_en, ko=ms[0].stage_name_ko),
                          deliverables=Localized(", ".join(m.name_en for m in ms),
                                                 ko=", ".join(m.name_ko for m in ms)))
                  for p, ms in sorted(parts.items())]
        super().__init__(Message("gate refused, missing deliverables: {missing}", missing=listed(stages)))

    def by_stage(self) -> dict[int, list[MissingDeliverable]]:
        out: dict[int, list[MissingDeliverable]] = {}
        for m in self.missing:
            out.setdefault(m.stage_position, []).append(m)
        return out


@dataclass(frozen=True)
class MoveResult:
    deal_id: uuid.UUID
    transition_id: uuid.UUID
    kind: str
    from_stage: int
    to_stage: int
    from_status: str
    to_status: str
    version: int
    overridden: bool = False


@dataclass(frozen=True)
class ChecklistItem:
    deliverable_id: uuid.UUID
    stage_position: int
    key: str
    kind: str
    name_en: str
    name_ko: str
    satisfied: bool
    requires_note: bool = False
    evidence_id: uuid.UUID | None = None
    by: str | None = None
    at: datetime | None = None
    note: str | None = None
    file_path: str | None = None
    link: str | None = None
    fields: tuple[str, ...] = ()
    activity_types: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)

    def name(self, lang: str = "en") -> str:
        return self.name_ko if lang == "ko" else self.name_en


# ------------------------------------------------------------------ satisfaction

def _field_filled(column):
    if isinstance(column.type, String):
        return and_(column.is_not(None), func.trim(column) != "")
    return column.is_not(None)


def satisfied_clause(d: DeliverableDef):
    """The one rule for "deliverable ``d`` is satisfied", as an SQL truth value over the
    Opportunity row of the enclosing query. The gate, the checklist and the card's progress
    all use it: a field deliverable needs every named field filled (text not blank), an
    activity deliverable a done activity of one of its types logged in its stage, a check
    or document deliverable evidence that was not withdrawn."""
    kind = DeliverableKind(d.kind)
    if kind is DeliverableKind.FIELD:
        parts = [_field_filled(getattr(Opportunity, f)) for f in d.field_list]
        return and_(*parts) if parts else literal(True)
    if kind is DeliverableKind.ACTIVITY:
        return exists().where(
            Activity.opportunity_id == Opportunity.id, Activity.stage_id == d.stage_id,
            Activity.type.in_(d.activity_type_list), Activity.done_at.is_not(None),
        )
    return exists().where(
        Evidence.opportunity_id == Opportunity.id, Evidence.deliverable_id == d.id,
        Evidence.withdrawn_at.is_(None),
    )


def progress_clauses(stages: list[StageDef]):
    """(satisfied, total) of the *required* exit deliverables of the deal's current stage,
    as SQL over the enclosing Opportunity row: the card's "2/3". Optional deliverables
    never block a move, so they are not counted."""
    done_whens, total_whens = [], []
    for st in stages:
        required = [d for d in st.deliverables if d.required]
        if not required:
            continue
        done = sum((case((satisfied_clause(d), 1), else_=0) for d in required), literal(0))
        done_whens.append((Opportunity.stage_id == st.id, done))
        total_whens.append((Opportunity.stage_id == st.id, len(required)))
    if not done_whens:
        return literal(0), literal(0)
    return case(*done_whens, else_=0), case(*total_whens, else_=0)


def _active_evidence(session: Session, deal_id: uuid.UUID, deliverable_ids: list[uuid.UUID]) -> dict:
    """The evidence rows (who, when, note) behind check/document deliverables, for display."""
    rows = session.scalars(
        select(Evidence).where(
            Evidence.opportunity_id == deal_id,
            Evidence.deliverable_id.in_(deliverable_ids),
            Evidence.withdrawn_at.is_(None),
        ).order_by(Evidence.at)
    )
    return {e.deliverable_id: e for e in rows}


def satisfied_map(session: Session, deal: Opportunity, deliverables: list[DeliverableDef]) -> dict[uuid.UUID, bool]:
    """Which of ``deliverables`` the deal satisfies: one SELECT for all of them (pending
    changes of the session are flushed first, so a field filled in this transaction counts)."""
    if not deliverables:
        return {}
    row = session.execute(
        select(*[satisfied_clause(d) for d in deliverables]).where(Opportunity.id == deal.id)
    ).one()
    return {d.id: bool(v) for d, v in zip(deliverables, row, strict=True)}


def missing_deliverables(session: Session, deal: Opportunity, stages: list[StageDef]) -> list[MissingDeliverable]:
    """Every required deliverable of ``stages`` that ``deal`` has not yet satisfied."""
    done = satisfied_map(session, deal, [d for st in stages for d in st.deliverables if d.required])
    missing = []
    for st in stages:
        for d in st.deliverables:
            if d.required and not done[d.id]:
                missing.append(MissingDeliverable(
                    stage_position=st.position, stage_key=st.key, stage_name_en=st.name_en,
                    stage_name_ko=st.name_ko, deliverable_id=d.id, key=d.key, kind=d.kind,
                    name_en=d.name_en, name_ko=d.name_ko, fields=tuple(d.field_list),
                    activity_types=tuple(d.activity_type_list), requires_note=d.requires_note,
                ))
    return missing


def checklist(db: Database, deal_id: uuid.UUID, stage_position: int | None = None) -> list[ChecklistItem]:
    """The exit checklist of the deal's current stage (or of ``stage_position``)."""
    with db.read() as s:
        deal = _get_deal(s, deal_id)
        stages = active_stages(s)
        pos = stage_position or _position(stages, deal.stage_id)
        stage = stages[pos - 1]
        ev = _active_evidence(s, deal.id, [d.id for d in stage.deliverables])
        done = satisfied_map(s, deal, list(stage.deliverables))
        users = {u.id: u.name for u in s.scalars(select(User))}
        items = []
        for d in stage.deliverables:
            e = ev.get(d.id)
            items.append(ChecklistItem(
                deliverable_id=d.id, stage_position=pos, key=d.key, kind=d.kind,
                name_en=d.name_en, name_ko=d.name_ko,
                satisfied=done[d.id], requires_note=d.requires_note,
                evidence_id=e.id if e else None, by=users.get(e.user_id) if e else None,
                at=e.at if e else None, note=e.note if e else None,
                file_path=e.file_path if e else None, link=e.link if e else None,
                fields=tuple(d.field_list), activity_types=tuple(d.activity_type_list),
            ))
        return items


# ------------------------------------------------------------------ moving

def _get_deal(session: Session, deal_id: uuid.UUID) -> Opportunity:
    deal = session.get(Opportunity, deal_id)
    if deal is None:
        raise NotFound(Message("deal {deal} not found", deal=deal_id))
    return deal


def _position(stages: list[StageDef], stage_id: uuid.UUID) -> int:
    for st in stages:
        if st.id == stage_id:
            return st.position
    raise NotFound(Message("the deal's stage is not part of the active process"))


def parse_target(target: str | int) -> str | int:
    """'won', 'lost', or a stage number 1..7 (as int or text)."""
    if isinstance(target, int):
        return target
    t = str(target).strip().lower()
    if t in (WON, LOST):
        return t
    if t.isdigit():
        return int(t)
    raise ValidationError({"to": Message("'{target}' is not a stage number, 'won' or 'lost'", target=target)})


ReasonKind = Literal["loss", "reopen", "back"]


def reason_needed(status: str, stage_position: int, target: str | int) -> ReasonKind | None:
    """Which written reason moving a deal (``status``, at ``stage_position``) to ``target``
    needs: "loss" (a loss reason) to lost, "reopen" to reopen a closed deal into a stage,
    "back" to move an open deal to an earlier stage; None otherwise (forward, won, or the
    column the deal is already in). The one rule: the move dialog asks by it, ``_move``
    refuses by it. ``target`` is 'won', 'lost' or a stage number (as int or text)."""
    target = parse_target(target)
    column = stage_position if status == Status.OPEN.value else status
    if target == column:
        return None
    if target == LOST:
        return "loss"
    if target == WON:
        return None
    if status != Status.OPEN.value:
        return "reopen"
    if isinstance(target, int) and target < stage_position:
        return "back"
    return None


def _require_text(value: str | None, field_name: str, message: Message) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field_name: message})
    return text


def plan_move(session: Session, deal: Opportunity, target: str | int, stages: list[StageDef]):
    """Decide what a move means: (kind, to_position, to_status, stages whose gates apply)."""
    cur = _position(stages, deal.stage_id)
    target = parse_target(target)
    last = len(stages)
    if isinstance(target, int) and not 1 <= target <= last:
        raise ValidationError({"to": Message("stage {stage} does not exist (stages are 1 to {last})",
                                             stage=target, last=last)})
    if deal.status == Status.OPEN:
        if target == LOST:
            return TransitionKind.LOST, cur, Status.LOST, []
        if target == WON:
            # won passes the last gate: the deal is recorded in the last stage, also when a
            # manager overrode the gates of the stages in between
            return TransitionKind.WON, last, Status.WON, stages[cur - 1:]
        if target == cur:
            raise ValidationError({"to": Message("the deal is already in stage {stage}", stage=cur)})
        if target > cur:
            return TransitionKind.FORWARD, target, Status.OPEN, stages[cur - 1:target - 1]
        return TransitionKind.BACKWARD, target, Status.OPEN, []
    refusal = closed_deal_refusal(deal.status, target)
    if refusal:
        raise ValidationError({"to": refusal})
    gated = stages[cur - 1:target - 1] if target > cur else []
    return TransitionKind.REOPENED, target, Status.OPEN, gated


def neighbour_target(stage_position: int, delta: int, stage_count: int) -> int | str | None:
    """Where "next stage" / "previous stage" (``delta`` +1 / -1) leads from a deal's stage:
    past the last stage is Won (passing its gate); before the first there is nothing."""
    target = stage_position + delta
    if target > stage_count:
        return WON
    return target if target >= 1 else None


def closed_deal_refusal(status: str, target: str | int) -> Message | None:
    """Why a won or lost deal cannot go to ``target`` (None when it can): a closed deal only
    reopens into a stage. Asked before any prompt (the board does not ask a loss reason for
    a won deal dropped on Lost) and by the move itself."""
    if status == Status.OPEN.value or parse_target(target) not in (WON, LOST):
        return None
    if parse_target(target) == status:
        return Message("the deal is already won") if status == WON else Message("the deal is already lost")
    if status == WON:
        return Message("the deal is won; reopen it into a stage first")
    return Message("the deal is lost; reopen it into a stage first")


def missing_for_move(db: Database, deal_id: uuid.UUID, target: str | int) -> list[MissingDeliverable]:
    """What a move would still need, without moving: for the gate dialog."""
    with db.read() as s:
        deal = _get_deal(s, deal_id)
        stages = active_stages(s)
        _kind, _to, _status, gated = plan_move(s, deal, target, stages)
        return missing_deliverables(s, deal, gated)


@operation("move_deal")
def move_deal(
    db: Database,
    deal_id: uuid.UUID,
    target: str | int,
    *,
    actor_id: uuid.UUID,
    expected_version: int | None = None,
    reason: str | None = None,
    override_reason: str | None = None,
    loss_reason: str | None = None,
    at: datetime | None = None,
) -> MoveResult:
    """Move a deal to stage ``target`` (1..7), 'won' or 'lost', enforcing the gates."""
    with db.write() as s:
        return _move(s, deal_id, target, actor_id=actor_id, expected_version=expected_version,
                     reason=reason, override_reason=override_reason, loss_reason=loss_reason, at=at)


def _move(s: Session, deal_id, target, *, actor_id, expected_version=None, reason=None,
          override_reason=None, loss_reason=None, at=None, skip_gates=False) -> MoveResult:
    # the deal and the actor in one SELECT (no actor row: an unknown user)
    row = s.execute(
        select(Opportunity, User).outerjoin(User, User.id == actor_id).where(Opportunity.id == deal_id)
    ).first()
    if row is None:
        raise NotFound(Message("deal {deal} not found", deal=deal_id))
    deal, actor = row
    if expected_version is not None and deal.version != expected_version:
        raise ConflictError(Message(
            "deal '{title}' was changed by someone else (version {version}, you had {expected}); reload it",
            title=deal.title, version=deal.version, expected=expected_version), current_version=deal.version)
    if actor is None:
        raise NotFound(Message("user {user} not found", user=actor_id))
    stages = active_stages(s)
    from_pos = _position(stages, deal.stage_id)
    from_status = deal.status
    kind, to_pos, to_status, gated = plan_move(s, deal, target, stages)

    needed = reason_needed(from_status, from_pos, target)
    if needed == "back":
        reason = _require_text(reason, "reason", Message("moving a deal back needs a reason"))
    elif needed == "reopen":
        reason = _require_text(reason, "reason", Message("reopening a closed deal needs a reason"))
    elif needed == "loss":
        loss_reason = _require_text(loss_reason or reason, "loss_reason",
                                    Message("a lost deal needs a loss reason"))

    overridden = None
    missing = [] if skip_gates else missing_deliverables(s, deal, gated)
    if missing:
        if not (override_reason or "").strip():
            raise GateRefused(missing)
        if actor.role != Role.MANAGER:
            raise PermissionDenied(Message("{user} is a rep; only a manager can override a stage gate",
                                           user=actor.name))
        overridden = override_reason.strip()

    now = at or utcnow()
    s.execute(
        update(StageTransition)
        .where(StageTransition.opportunity_id == deal.id, StageTransition.left_at.is_(None))
        .values(left_at=now)
    )
    tr = StageTransition(
        opportunity_id=deal.id, from_stage_id=deal.stage_id, to_stage_id=stages[to_pos - 1].id,
        from_status=from_status, to_status=to_status.value, kind=kind.value, at=now,
        user_id=actor.id, reason=reason if kind is not TransitionKind.LOST else loss_reason,
        override_reason=overridden,
    )
    s.add(tr)
    deal.stage_id = stages[to_pos - 1].id
    deal.status = to_status.value
    deal.stage_entered_at = now
    if to_status is Status.OPEN:
        deal.closed_at = None
        deal.loss_reason = None
    else:
        deal.closed_at = now
        deal.loss_reason = loss_reason if to_status is Status.LOST else None
    try:
        s.flush()
    except StaleDataError as exc:
        raise ConflictError(Message("deal '{title}' was changed by someone else; reload it",
                                    title=deal.title)) from exc
    return MoveResult(
        deal_id=deal.id, transition_id=tr.id, kind=kind.value, from_stage=from_pos, to_stage=to_pos,
        from_status=from_status, to_status=to_status.value, version=deal.version,
        overridden=overridden is not None,
    )


@operation("undo_move")
def undo_move(db: Database, transition_id: uuid.UUID, *, actor_id: uuid.UUID,
              expected_version: int | None = None, at: datetime | None = None) -> MoveResult:
    """Reverse the deal's latest move, recorded as a new transition (history stays complete).

    The deal returns to the stage and status it legitimately had just before, so no gate
    is re-checked; only the latest move of a deal can be undone.
    """
    with db.write() as s:
        tr = s.get(StageTransition, transition_id)
        if tr is None:
            raise NotFound(Message("move {move} not found", move=transition_id))
        latest = s.scalars(
            select(StageTransition).where(StageTransition.opportunity_id == tr.opportunity_id)
            .order_by(StageTransition.at.desc()).limit(1)
        ).first()
        if latest is None or latest.id != tr.id:
            raise ConflictError(Message("the deal has moved since; only its latest move can be undone"))
        if tr.from_stage_id is None or tr.from_status is None:
            raise ValidationError({"move": Message("a deal's creation cannot be undone as a move")})
        stages = active_stages(s)
        back_pos = _position(stages, tr.from_stage_id)
        target: str | int = tr.from_status if tr.from_status != Status.OPEN else back_pos
        deal = _get_deal(s, tr.opportunity_id)
        loss_reason = None
        if target == LOST:  # undoing a reopen of a lost deal: restore its loss reason
            loss_reason = s.scalar(
                select(StageTransition.reason).where(
                    StageTransition.opportunity_id == deal.id,
                    StageTransition.to_status == Status.LOST.value,
                    StageTransition.at <= tr.at,
                ).order_by(StageTransition.at.desc()).limit(1)
            ) or history.UNDO_REOPEN
        return _move(s, deal.id, target, actor_id=actor_id, expected_version=expected_version,
                     reason=history.undo_reason(tr.kind), loss_reason=loss_reason,
                     at=at, skip_gates=True)
