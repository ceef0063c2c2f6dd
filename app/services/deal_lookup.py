"""Deals by id as plain rows, for drill-down lists (the exact deals behind a chart bar)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.db import Database
from app.models import Account, Opportunity, Stage, User
from app.services.deals import DealRow

CHUNK = 500  # stays below SQLite's bound-parameter limit


def deal_rows(db: Database, ids: Iterable[uuid.UUID]) -> list[DealRow]:
    """The deals with these ids (unknown ids are skipped), ordered by stage, then title."""
    wanted = list(dict.fromkeys(ids))
    owner_u = aliased(User)
    rows: list[DealRow] = []
    with db.read() as s:
        for i in range(0, len(wanted), CHUNK):
            q = (
                select(Opportunity.id, Opportunity.title, Account.name, owner_u.name, Stage.position,
                       Stage.name_en, Stage.name_ko, Opportunity.status, Opportunity.amount,
                       Opportunity.currency, Stage.probability, Opportunity.expected_close,
                       Opportunity.stage_entered_at, Opportunity.version, Opportunity.loss_reason)
                .join(Stage, Opportunity.stage_id == Stage.id)
                .join(owner_u, Opportunity.owner_id == owner_u.id)
                .outerjoin(Account, Opportunity.account_id == Account.id)
                .where(Opportunity.id.in_(wanted[i:i + CHUNK]))
            )
            rows.extend(DealRow(*r) for r in s.execute(q))
    rows.sort(key=lambda r: (r.stage, r.title.lower(), str(r.id)))
    return rows
