"""Log, complete and list activities (call, meeting, email, task, note). Works offline."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.db import Database
from app.errors import Message, NotFound, ValidationError
from app.models import Activity, ActivityType, Opportunity, User, utcnow
from app.services.outbox import operation


@operation("log_activity")
def log_activity(db: Database, *, type: str, subject: str, owner_id: uuid.UUID,
                 deal_id: uuid.UUID | None = None, contact_id: uuid.UUID | None = None,
                 due_at: datetime | None = None, done_at: datetime | None = None,
                 notes: str | None = None, stage_id: uuid.UUID | None = None,
                 at: datetime | None = None) -> Activity:
    """Log an activity. Linked to a deal, it counts for the stage the deal is in (or for
    ``stage_id``, when it is recorded to satisfy a stage passed over)."""
    errors = {}
    try:
        type = ActivityType(type).value
    except ValueError:
        errors["type"] = Message("'{type}' is not one of {allowed}", type=type,
                                 allowed=", ".join(t.value for t in ActivityType))
    subject = (subject or "").strip()
    if not subject:
        errors["subject"] = Message("a subject is required")
    if errors:
        raise ValidationError(errors)
    with db.write() as s:
        if s.get(User, owner_id) is None:
            raise ValidationError({"owner_id": Message("owner does not exist")})
        if deal_id is not None:
            deal = s.get(Opportunity, deal_id)
            if deal is None:
                raise ValidationError({"deal_id": Message("deal does not exist")})
            stage_id = stage_id or deal.stage_id
        now = at or utcnow()
        act = Activity(type=type, subject=subject, notes=notes, due_at=due_at, done_at=done_at,
                       owner_id=owner_id, opportunity_id=deal_id, contact_id=contact_id,
                       stage_id=stage_id, created_at=now, updated_at=now)
        s.add(act)
        s.flush()
        return act


@operation("complete_activity")
def complete_activity(db: Database, activity_id: uuid.UUID, *, at: datetime | None = None,
                      done: bool = True) -> Activity:
    with db.write() as s:
        act = s.get(Activity, activity_id)
        if act is None:
            raise NotFound(Message("activity {activity} not found", activity=activity_id))
        act.done_at = (at or utcnow()) if done else None
        s.flush()
        return act


@dataclass(frozen=True)
class ActivityRow:
    id: uuid.UUID
    type: str
    subject: str
    due_at: datetime | None
    done_at: datetime | None
    deal_id: uuid.UUID | None
    deal_title: str | None
    notes: str | None


def list_activities(db: Database, *, owner_id: uuid.UUID | None = None, deal_id: uuid.UUID | None = None,
                    types: list[str] | None = None, open_only: bool = False,
                    due_before: datetime | None = None, due_at_latest: bool = False) -> list[ActivityRow]:
    """Activities as plain rows; ``due_before``: due before that time (``due_at_latest``:
    at that time too)."""
    with db.read() as s:
        q = (select(Activity.id, Activity.type, Activity.subject, Activity.due_at, Activity.done_at,
                    Activity.opportunity_id, Opportunity.title, Activity.notes)
             .outerjoin(Opportunity, Activity.opportunity_id == Opportunity.id)
             .order_by(Activity.due_at.is_(None), Activity.due_at, Activity.created_at))
        if owner_id is not None:
            q = q.where(Activity.owner_id == owner_id)
        if deal_id is not None:
            q = q.where(Activity.opportunity_id == deal_id)
        if types:
            q = q.where(Activity.type.in_(types))
        if open_only:
            q = q.where(Activity.done_at.is_(None))
        if due_before is not None:
            q = q.where(Activity.due_at <= due_before if due_at_latest else Activity.due_at < due_before)
        return [ActivityRow(*r) for r in s.execute(q)]


def done_when_logged(type: str) -> bool:
    """Whether an activity of ``type`` is usually logged after the fact (done now) rather than
    planned: a task is something to do later; a call, meeting, email or note has happened."""
    return type != "task"


def falling_due(db: Database, owner_id: uuid.UUID, since: datetime, now: datetime) -> list[ActivityRow]:
    """The owner's open activities that fell due in (``since``, ``now``]: what a reminder
    tells about (those already overdue before ``since`` are the activities view's)."""
    return [r for r in list_activities(db, owner_id=owner_id, open_only=True, due_before=now, due_at_latest=True)
            if r.due_at is not None and r.due_at > since]


def bucket(row: ActivityRow, now: datetime, tz=None) -> str:
    """'done', 'overdue', 'today', 'upcoming' or 'someday' for the activities view."""
    if row.done_at is not None:
        return "done"
    if row.due_at is None:
        return "someday"
    local_now = now.astimezone(tz)
    start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    if row.due_at < now:
        return "overdue"
    if row.due_at < start + timedelta(days=1):
        return "today"
    return "upcoming"
