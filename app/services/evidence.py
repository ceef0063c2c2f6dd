"""Record and withdraw evidence for check and document deliverables.

``field`` and ``activity`` deliverables are satisfied by the data itself (a filled field,
a done activity), never by a tick.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from app.db import Database
from app.errors import Message, NotFound, ValidationError
from app.models import Deliverable, DeliverableKind, Evidence, Opportunity, User, utcnow
from app.services.outbox import operation


@operation("record_evidence")
def record_evidence(db: Database, deal_id: uuid.UUID, deliverable_id: uuid.UUID, *, actor_id: uuid.UUID,
                    note: str | None = None, file_path: str | None = None, link: str | None = None,
                    at: datetime | None = None) -> Evidence:
    note = (note or "").strip() or None
    file_path = (file_path or "").strip() or None
    link = (link or "").strip() or None
    with db.write() as s:
        deal = s.get(Opportunity, deal_id)
        if deal is None:
            raise NotFound(Message("deal {deal} not found", deal=deal_id))
        d = s.get(Deliverable, deliverable_id)
        if d is None:
            raise NotFound(Message("deliverable {deliverable} not found", deliverable=deliverable_id))
        if s.get(User, actor_id) is None:
            raise NotFound(Message("user {user} not found", user=actor_id))
        kind = DeliverableKind(d.kind)
        if kind is DeliverableKind.FIELD:
            raise ValidationError({d.key: Message("is satisfied by filling the deal's {fields}, not by a tick",
                                                  fields=" and ".join(d.field_list))})
        if kind is DeliverableKind.ACTIVITY:
            raise ValidationError({d.key: Message("is satisfied by logging a done {types} activity, not by a tick",
                                                  types=" or ".join(d.activity_type_list))})
        if kind is DeliverableKind.DOCUMENT and not (file_path or link):
            raise ValidationError({d.key: Message("a document needs a file or a link")})
        if kind is DeliverableKind.CHECK and d.requires_note and not note:
            raise ValidationError({d.key: Message("this check needs a note")})
        now = at or utcnow()
        for old in s.scalars(select(Evidence).where(
            Evidence.opportunity_id == deal.id, Evidence.deliverable_id == d.id,
            Evidence.withdrawn_at.is_(None),
        )):  # a new piece of evidence supersedes the previous one
            old.withdrawn_at = now
            old.withdrawn_by_id = actor_id
        ev = Evidence(opportunity_id=deal.id, deliverable_id=d.id, user_id=actor_id, at=now,
                      note=note, file_path=file_path, link=link, created_at=now, updated_at=now)
        s.add(ev)
        s.flush()
        return ev


@operation("withdraw_evidence")
def withdraw_evidence(db: Database, evidence_id: uuid.UUID, *, actor_id: uuid.UUID,
                      at: datetime | None = None) -> Evidence:
    with db.write() as s:
        ev = s.get(Evidence, evidence_id)
        if ev is None:
            raise NotFound(Message("evidence {evidence} not found", evidence=evidence_id))
        if ev.withdrawn_at is not None:
            raise ValidationError({"evidence": Message("already withdrawn")})
        ev.withdrawn_at = at or utcnow()
        ev.withdrawn_by_id = actor_id
        s.flush()
        return ev
