"""Core executemany inserts for large writes (demo data, imports).

On SQLite the values are put in the stored form the column types write (UUID hex,
'YYYY-MM-DD HH:MM:SS.ffffff' UTC text, whole hundredths, ISO dates, 0/1) and written with
the driver's ``executemany`` of tuples and one prepared INSERT per table: SQLAlchemy's
per-row parameter processing and per-value bind processing are most of the cost of a big
write. Other engines go through the typed table (SQLAlchemy Core ``insert()``).

Two ways in: :meth:`BulkInserter.insert` takes dicts carrying every column of the table;
:meth:`BulkInserter.insert_tuples` takes tuples in a given column order, already encoded
with the inserter's :class:`Encoder` (what callers that build many rows use: no dict per
row, no generic conversion loop).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Boolean, Date, Table, Uuid, insert

from app.models.base import Money, UTCDateTime


def _stored_datetime(v: datetime | str) -> str:
    if isinstance(v, str):  # already in stored form (the demo pre-stamps its times)
        return v
    tz = v.tzinfo
    if tz is None:
        raise ValueError("naive datetime given where a UTC timestamp is required")
    if tz is not UTC:
        v = v.astimezone(UTC)
    # 'YYYY-MM-DD HH:MM:SS.ffffff+00:00' without its offset: what UTCDateTime stores
    return v.isoformat(" ", "microseconds")[:26]


def _stored_money(v: Decimal) -> int:
    if type(v) is Decimal and v.is_finite():
        q = v * 100
        i = int(q)
        if i == q:  # whole hundredths, the common case
            return i
    return int((Decimal(v) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _stored_uuid(v) -> str:
    return v if isinstance(v, str) else v.hex


def _stored_day(v) -> str:
    return v if isinstance(v, str) else date.isoformat(v)


def _random_hex_ids(n: int) -> list[str]:
    """``n`` random version-4 UUIDs as 32 hex digits (what ``uuid.uuid4().hex`` gives)."""
    h = os.urandom(16 * n).hex()
    return [h[i:i + 12] + "4" + h[i + 13:i + 16] + "89ab"[int(h[i + 16], 16) & 3] + h[i + 17:i + 32]
            for i in range(0, 32 * n, 32)]


def random_uuids(n: int) -> list[uuid.UUID]:
    """``n`` random version-4 UUIDs from one read of the system's random source (a read per
    id, as ``uuid.uuid4()`` does, costs more than the id itself in a big write)."""
    b = os.urandom(16 * n)
    return [uuid.UUID(bytes=b[i:i + 16], version=4) for i in range(0, 16 * n, 16)]


class Encoder:
    """Value conversions to what the inserter writes; each takes None to None.

    SQLite: stored form (see the module docstring). Other engines: the Python values
    unchanged (the typed table converts them)."""

    def __init__(self, sqlite: bool):
        self.sqlite = sqlite
        if sqlite:
            self.uuid: Callable = lambda v: None if v is None else _stored_uuid(v)
            self.datetime: Callable = lambda v: None if v is None else _stored_datetime(v)
            self.money: Callable = lambda v: None if v is None else _stored_money(v)
            self.date: Callable = lambda v: None if v is None else _stored_day(v)
            self.flag: Callable = lambda v: None if v is None else int(v)
        else:
            def same(v):
                return v
            self.uuid = self.datetime = self.money = self.date = self.flag = same
        self._ids: list = []

    def new_id(self):
        """A new random row id in the form this encoder writes (hex text on SQLite, else a UUID)."""
        if not self._ids:
            self._ids = _random_hex_ids(4096) if self.sqlite else random_uuids(4096)
        return self._ids.pop()


class BulkInserter:
    def __init__(self, sqlite: bool):
        self.raw = sqlite
        self.encoder = Encoder(sqlite)
        self._plans: dict[str, tuple] = {}
        self._sql: dict[tuple, str] = {}

    def _plan(self, table: Table):
        plan = self._plans.get(table.name)
        if plan is None:
            convs = []
            for i, c in enumerate(table.columns):
                t = c.type
                if isinstance(t, Uuid):
                    convs.append((i, _stored_uuid))
                elif isinstance(t, UTCDateTime):
                    convs.append((i, _stored_datetime))
                elif isinstance(t, Money):
                    convs.append((i, _stored_money))
                elif isinstance(t, Date):
                    convs.append((i, _stored_day))
                elif isinstance(t, Boolean):
                    convs.append((i, int))
            plan = self._plans[table.name] = ([c.name for c in table.columns], convs)
        return plan

    def _insert_sql(self, table: Table, columns: Sequence[str]) -> str:
        key = (table.name, tuple(columns))
        sql = self._sql.get(key)
        if sql is None:
            known = set(table.columns.keys())
            unknown = [c for c in columns if c not in known]
            if unknown:
                raise ValueError(f"{table.name} has no column(s) {', '.join(unknown)}")
            sql = self._sql[key] = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
                                    f"VALUES ({', '.join('?' * len(columns))})")
        return sql

    def insert(self, s, table: Table, rows: list[dict]) -> None:
        """Insert dict rows, each with every column of ``table``."""
        if not rows:
            return
        if not self.raw:
            s.execute(insert(table), rows)
            return
        names, convs = self._plan(table)
        out = []
        for row in rows:
            vals = [row[n] for n in names]
            for i, conv in convs:
                v = vals[i]
                if v is not None:
                    vals[i] = conv(v)
            out.append(vals)
        self._executemany(s, self._insert_sql(table, names), out)

    def insert_tuples(self, s, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
        """Insert rows given as tuples in ``columns`` order, values made by :attr:`encoder`.
        Give every column: on SQLite a column left out gets its SQL default (usually NULL),
        never the model's Python-side default."""
        if not rows:
            return
        if not self.raw:
            s.execute(insert(table), [dict(zip(columns, r, strict=True)) for r in rows])
            return
        self._executemany(s, self._insert_sql(table, columns), rows)

    @staticmethod
    def _executemany(s, sql: str, rows: list) -> None:
        # the session's own connection, inside its transaction (BEGIN already sent)
        cur = s.connection().connection.driver_connection.cursor()
        try:
            cur.executemany(sql, rows)
        finally:
            cur.close()


def drop_secondary_indexes(s, tables: Sequence[str]) -> list[str]:
    """SQLite bulk load: drop the secondary indexes of ``tables`` (primary keys stay) in the
    session's transaction and return their own CREATE statements for
    :func:`create_indexes`. Building an index once over sorted keys is much cheaper than
    growing it row by row with random UUID keys. SQLite's DDL is transactional: a rollback
    brings the indexes back, and other connections keep seeing them until the commit."""
    conn = s.connection().connection.driver_connection
    marks = ", ".join("?" * len(tables))
    rows = conn.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                        f"AND tbl_name IN ({marks}) ORDER BY name", tuple(tables)).fetchall()
    for name, _sql in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in rows]


def create_indexes(s, statements: Sequence[str]) -> None:
    """Create again the indexes :func:`drop_secondary_indexes` dropped (before the commit)."""
    conn = s.connection().connection.driver_connection
    for sql in statements:
        conn.execute(sql)
