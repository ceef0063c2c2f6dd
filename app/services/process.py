"""Read the active process template."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.errors import NotFound
from app.models import Deliverable, ProcessTemplate, Stage


def active_stages(session: Session) -> list[Stage]:
    """The 7 stages of the active template, in order, deliverables loaded."""
    return list(
        session.scalars(
            select(Stage)
            .join(ProcessTemplate)
            .where(ProcessTemplate.active.is_(True))
            .order_by(Stage.position)
            .options(selectinload(Stage.deliverables))
        )
    )


def stage_at(session: Session, position: int) -> Stage:
    for st in active_stages(session):
        if st.position == position:
            return st
    raise NotFound(f"stage {position} does not exist (stages are numbered 1 to 7)")


def find_deliverable(session: Session, stage_position: int, key: str) -> Deliverable:
    stage = stage_at(session, stage_position)
    for d in stage.deliverables:
        if d.key == key:
            return d
    keys = ", ".join(d.key for d in stage.deliverables)
    raise NotFound(f"stage {stage_position} has no deliverable '{key}' (it has: {keys})")
