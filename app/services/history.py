"""A deal's history for the deal workspace: stage visits with their dwell, close-date changes.

Qt-free; views show these plain rows. Dwell is ``left_at - at`` (or ``now - at`` while the
deal is still in the stage), read from the stored exit time, never recomputed from neighbours.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.db import Database
from app.errors import Localized, Message, NotFound
from app.models import (
    CloseDateChange,
    Opportunity,
    Stage,
    StageTransition,
    TransitionKind,
    User,
    utcnow,
)

# the reasons the program writes itself (undo of a move), stored in English like any reason;
# fronts show them in their language through system_reason / reason_message
UNDO_REOPEN = "Undo of reopen"
UNDO_KINDS = tuple(k.value for k in TransitionKind if k is not TransitionKind.CREATED)  # what can be undone


def undo_reason(kind: str) -> str:
    """The reason stored on the transition that undoes a move of ``kind``."""
    return f"Undo of {kind} move"


def system_reason(reason: str | None) -> tuple[str, str | None] | None:
    """("undo_move", kind) or ("undo_reopen", None) when ``reason`` is one the program
    wrote itself; None for a person's own words."""
    if reason == UNDO_REOPEN:
        return ("undo_reopen", None)
    for kind in UNDO_KINDS:
        if reason == undo_reason(kind):
            return ("undo_move", kind)
    return None


def reason_message(reason: str | None) -> str | None:
    """A stage move's reason to show: the program's own reasons as Messages (the kind in
    both languages), a person's words as they are."""
    known = system_reason(reason)
    if known is None:
        return reason
    if known[0] == "undo_reopen":
        return Message("Undo of reopen")
    from app.services.report.labels import TEXT  # the kinds' Korean names, as the report gives them

    return Message("Undo of {kind} move", kind=Localized(known[1], ko=TEXT[f"kind.{known[1]}"][1]))


@dataclass(frozen=True)
class HistoryEntry:
    """One visit of the deal to a stage (or to won/lost), oldest first."""

    transition_id: uuid.UUID
    kind: str  # created, forward, backward, won, lost, reopened, imported
    from_position: int | None
    to_position: int
    stage_name_en: str
    stage_name_ko: str
    to_status: str
    at: datetime
    left_at: datetime | None
    by: str | None
    reason: str | None
    override_reason: str | None
    days: float  # time spent in this visit, in days (until now for the current one)

    def stage_name(self, lang: str = "en") -> str:
        return self.stage_name_ko if lang == "ko" else self.stage_name_en

    @property
    def current(self) -> bool:
        return self.left_at is None


@dataclass(frozen=True)
class CloseDateEntry:
    """One change of the expected close date, oldest first."""

    old_date: date | None
    new_date: date | None
    at: datetime
    by: str | None

    @property
    def pushed(self) -> bool:
        """A slip: the close date moved later."""
        return self.old_date is not None and self.new_date is not None and self.new_date > self.old_date

    @property
    def days_moved(self) -> int | None:
        if self.old_date is None or self.new_date is None:
            return None
        return (self.new_date - self.old_date).days


def _require_deal(s, deal_id: uuid.UUID) -> None:
    if s.get(Opportunity, deal_id) is None:
        raise NotFound(Message("deal {deal} not found", deal=deal_id))


def stage_history(db: Database, deal_id: uuid.UUID, now: datetime | None = None) -> list[HistoryEntry]:
    """Every transition of the deal, oldest first, with the days spent in each visit."""
    now = now or utcnow()
    from_stage = aliased(Stage)
    with db.read() as s:
        _require_deal(s, deal_id)
        q = (
            select(StageTransition, Stage.position, Stage.name_en, Stage.name_ko,
                   from_stage.position, User.name)
            .join(Stage, StageTransition.to_stage_id == Stage.id)
            .outerjoin(from_stage, StageTransition.from_stage_id == from_stage.id)
            .outerjoin(User, StageTransition.user_id == User.id)
            .where(StageTransition.opportunity_id == deal_id)
            .order_by(StageTransition.at, StageTransition.id)
        )
        out = []
        for tr, pos, name_en, name_ko, from_pos, by in s.execute(q):
            end = tr.left_at or now
            out.append(HistoryEntry(
                transition_id=tr.id, kind=tr.kind, from_position=from_pos, to_position=pos,
                stage_name_en=name_en, stage_name_ko=name_ko, to_status=tr.to_status, at=tr.at,
                left_at=tr.left_at, by=by, reason=tr.reason, override_reason=tr.override_reason,
                days=max(0.0, (end - tr.at).total_seconds() / 86400.0),
            ))
        return out


def close_date_history(db: Database, deal_id: uuid.UUID) -> list[CloseDateEntry]:
    """Every change of the deal's expected close date, oldest first."""
    with db.read() as s:
        _require_deal(s, deal_id)
        q = (
            select(CloseDateChange.old_date, CloseDateChange.new_date, CloseDateChange.at, User.name)
            .outerjoin(User, CloseDateChange.user_id == User.id)
            .where(CloseDateChange.opportunity_id == deal_id)
            .order_by(CloseDateChange.at, CloseDateChange.id)
        )
        return [CloseDateEntry(old, new, at, by) for old, new, at, by in s.execute(q)]
