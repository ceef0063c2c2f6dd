"""Declarative base and the column types every table shares (UUID keys, UTC times, money)."""

from __future__ import annotations

import unicodedata
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, DateTime, MetaData, Text, TypeDecorator, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates

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


def name_key(text: str) -> str:
    """The form in which two names are the same name: compatibility-normalized (NFKC: a
    full-width 'Ａｃｍｅ' is 'Acme', Hangul typed or pasted decomposed, as macOS stores it, is
    the composed syllables), case-folded over all of Unicode ('Émile' and 'émile', 'STRASSE'
    and 'straße'), whitespace runs one space, no space at either end.

    Stored beside each name (:func:`name_key_column`) and compared in SQL as plain text, so
    that a name typed in any case finds its row the same way on SQLite and PostgreSQL,
    whatever the server's collation; :mod:`app.services.collation` is how services use it."""
    text = unicodedata.normalize("NFKC", text)
    return unicodedata.normalize("NFKC", " ".join(text.split()).casefold())


def name_key_column(index: bool = False):
    """The stored :func:`name_key` of a name column, kept by :func:`keeps_name_key`: text
    without a length (folding can lengthen a name: 'ß' is 'ss'). NULL only where nothing
    wrote it (a bulk insert must write it; a test checks every table)."""
    return mapped_column(Text, nullable=True, index=index)


def keeps_name_key(source: str, key: str):
    """A validator for a model's ``source`` column that keeps its ``key`` column equal to the
    :func:`name_key` of every value set through the ORM: ``_key = keeps_name_key("name",
    "name_key")`` in the class body. Core inserts and updates write the key themselves."""

    @validates(source)
    def _keep(self, _attr, value):
        setattr(self, key, None if value is None else name_key(value))
        return value

    return _keep
