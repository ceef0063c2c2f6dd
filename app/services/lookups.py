"""Small read-only lists the deal workspace needs for its pickers (Qt-free)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from app.db import Database
from app.models import Campaign, Opportunity
from app.services.collation import text_order


@dataclass(frozen=True)
class Choice:
    id: uuid.UUID
    name: str


def list_campaigns(db: Database, lead_source_id: uuid.UUID | None = None) -> list[Choice]:
    """Campaigns (of one lead source, or all), by name (app.services.collation)."""
    with db.read() as s:
        q = select(Campaign.id, Campaign.name).order_by(*text_order(Campaign.name), Campaign.id)
        if lead_source_id is not None:
            q = q.where(Campaign.lead_source_id == lead_source_id)
        return [Choice(i, n) for i, n in s.execute(q)]


def deal_titles(db: Database, deal_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Titles of the given deals (for labels), in one query."""
    if not deal_ids:
        return {}
    with db.read() as s:
        rows = s.execute(select(Opportunity.id, Opportunity.title).where(Opportunity.id.in_(deal_ids)))
        return dict(rows.tuples())
