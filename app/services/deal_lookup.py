"""Deals by id as plain rows, for drill-down lists (the exact deals behind a chart bar)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from app.db import Database
from app.models import Opportunity
from app.services.collation import text_key
from app.services.deals import DealRow, deal_rows_query

CHUNK = 500  # stays below SQLite's bound-parameter limit


def deal_rows(db: Database, ids: Iterable[uuid.UUID]) -> list[DealRow]:
    """The deals with these ids (unknown ids are skipped), ordered by stage, then title
    (app.services.collation), as deals.list_deals orders them."""
    wanted = list(dict.fromkeys(ids))
    q, _owner = deal_rows_query()
    rows: list[DealRow] = []
    with db.read() as s:
        for i in range(0, len(wanted), CHUNK):
            rows.extend(DealRow(*r) for r in s.execute(q.where(Opportunity.id.in_(wanted[i:i + CHUNK]))))
    rows.sort(key=lambda r: (r.stage, text_key(r.title), str(r.id)))
    return rows
