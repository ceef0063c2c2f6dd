"""Core executemany inserts for large writes (demo data, imports).

On SQLite the values are put in the stored form the column types write (UUID hex,
'YYYY-MM-DD HH:MM:SS.ffffff' UTC text, whole hundredths, ISO dates, 0/1) and inserted
through an untyped table: per-value bind processing is most of the cost of a big write.
Other engines go through the typed table. Every row must carry every column of the table.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Boolean, Date, Table, Uuid, insert
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table

from app.models.base import Money, UTCDateTime


def _stored_datetime(v: datetime | str) -> str:
    if isinstance(v, str):  # already in stored form (the demo pre-stamps its times)
        return v
    if v.tzinfo is None:
        raise ValueError("naive datetime given where a UTC timestamp is required")
    v = v.astimezone(UTC)
    return (f"{v.year:04d}-{v.month:02d}-{v.day:02d} "
            f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}.{v.microsecond:06d}")


def _stored_money(v: Decimal) -> int:
    return int((Decimal(v) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


class BulkInserter:
    def __init__(self, sqlite: bool):
        self.raw = sqlite
        self._plans: dict[str, tuple] = {}

    def _plan(self, table: Table):
        plan = self._plans.get(table.name)
        if plan is None:
            convs = []
            for c in table.columns:
                t = c.type
                if isinstance(t, Uuid):
                    convs.append((c.name, lambda v: v.hex))
                elif isinstance(t, UTCDateTime):
                    convs.append((c.name, _stored_datetime))
                elif isinstance(t, Money):
                    convs.append((c.name, _stored_money))
                elif isinstance(t, Date):
                    convs.append((c.name, date.isoformat))
                elif isinstance(t, Boolean):
                    convs.append((c.name, int))
            untyped = sa_table(table.name, *(sa_column(c.name) for c in table.columns))
            plan = self._plans[table.name] = (convs, untyped)
        return plan

    def insert(self, s, table: Table, rows: list[dict]) -> None:
        if not rows:
            return
        if not self.raw:
            s.execute(insert(table), rows)
            return
        convs, untyped = self._plan(table)
        out = []
        for row in rows:
            row = dict(row)
            for name, conv in convs:
                v = row[name]
                if v is not None:
                    row[name] = conv(v)
            out.append(row)
        s.execute(insert(untyped), out)
