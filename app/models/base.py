"""Declarative base and the column types every table shares (UUID keys, UTC times, money)."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, DateTime, MetaData, TypeDecorator, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CENT = Decimal("0.01")


# (namespace, [counter]) while a named operation runs: its new rows get ids uuid5(op_id, n),
# so that a replica's row and the server's replay of the same operation are the same row
id_seed: ContextVar[tuple[uuid.UUID, list[int]] | None] = ContextVar("pm_id_seed", default=None)


def new_id() -> uuid.UUID:
    seed = id_seed.get()
    if seed is None:
        return uuid.uuid4()
    ns, counter = seed
    counter[0] += 1
    return uuid.uuid5(ns, str(counter[0]))


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC; refuses naive input so no local time slips in."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # raw SQLite text from an aggregate
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC)


class Money(TypeDecorator):
    """A Decimal with two places, stored as an integer number of hundredths.

    SQLite has no decimal type; integers keep sums exact in SQL (SUM over cents) on
    every engine, and no float ever touches an amount.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, Decimal):
            value = Decimal(str(value))
        return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(CENT)


def money(cents: int | None) -> Decimal | None:
    """Convert an integer of hundredths read by raw SQL into a Decimal amount."""
    return None if cents is None else (Decimal(int(cents)) / 100).quantize(CENT)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, Decimal: Money, uuid.UUID: Uuid}


class Keyed:
    """UUID key and created/updated timestamps, so databases can later merge without renumbering."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
