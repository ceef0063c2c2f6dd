"""One order for names and titles, the same on every engine and server. No Qt.

SQLite compares text by code point; PostgreSQL by the database's collation, which on a team
server is whatever it was created with (ko_KR: Hangul before Latin letters and case ignored;
en_US: case and punctuation ignored first; C: code points). A list ordered by name came out
in another order on each. Every list ordered by text uses this order instead:

- by the name's :func:`name_key` (Unicode case folding and compatibility forms), compared by
  code point: ``apple < Bob < zebra`` (what Excel's sort does), 'émile' next to 'Émile',
  'Ａｃｍｅ' with 'Acme'; digits before letters, Latin before Hangul, and Hangul syllables in
  dictionary order (``가 < 나 < 하``; Unicode lays the syllables out that way);
- exact ties of the key by the text itself (code point), then by whatever the caller adds
  (an id).

So the order agrees with matching: two names are the same name when their :func:`name_key`
is ('émile zola' is 'Émile Zola'), and equal names are neighbours. Every named table stores
that key beside the name (``name_key``, ``title_key``): :func:`text_order` orders SQL by the
stored key, :func:`text_key` is the same order in Python (``sorted``), and
:func:`same_name` / :func:`name_contains` compare the key in SQL as plain text. A text
column without a stored key (an activity's subject, a currency code) is ordered in SQL with
ASCII letters lowered only, as SQLite's and PostgreSQL's "C" ``lower()`` do; for ASCII text
that is the same order.
"""

from __future__ import annotations

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String

from app.models.base import name_key


class _folded(FunctionElement):
    """lower(text) with ASCII letters only lowered, compared by code point."""

    name = "folded"
    type = String()
    inherit_cache = True


class _binary(FunctionElement):
    """The text itself, compared by code point."""

    name = "binary"
    type = String()
    inherit_cache = True


@compiles(_folded)
def _folded_default(element, compiler, **kw):  # SQLite: lower() is ASCII-only, BINARY compare
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(_folded, "postgresql")
def _folded_pg(element, compiler, **kw):  # under "C", lower() is ASCII-only and compares bytes
    return f'lower(({compiler.process(element.clauses, **kw)}) COLLATE "C")'


@compiles(_binary)
def _binary_default(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(_binary, "postgresql")
def _binary_pg(element, compiler, **kw):
    return f'({compiler.process(element.clauses, **kw)}) COLLATE "C"'


_STORED_KEYS = {"name": "name_key", "title": "title_key"}


def _stored_key(column):
    """The key column stored beside a name or title column (``User.name`` -> ``User.name_key``,
    also of an alias or a table's column), or None."""
    key = _STORED_KEYS.get(getattr(column, "key", None))
    if key is None:
        return None
    entity = getattr(getattr(column, "parent", None), "entity", None)  # an ORM attribute
    if entity is not None:
        return getattr(entity, key, None)
    table = getattr(column, "table", None)  # a Core column
    return None if table is None else table.c.get(key)


def text_order(column) -> tuple:
    """``ORDER BY`` terms putting ``column`` (a name or title) in the app's order: spread
    them, then add a unique tie-breaker: ``.order_by(*text_order(User.name), User.id)``.
    NULLs sort first on SQLite and last on PostgreSQL: give a nullable column its own
    ``column.is_(None)`` term first."""
    key = _stored_key(column)
    return (_folded(column) if key is None else _binary(key), _binary(column))


def same_name(key_column, value: str):
    """The rows whose name is ``value`` in any case and form: ``key_column`` is the name's
    stored key (``User.name_key``, ``Opportunity.title_key``: :func:`name_key`), compared
    as plain text, so the rule is Python's and the same on every engine and collation.
    ("lower(name) = lower(value)" is not: SQLite's lower() leaves 'É' as it is.)"""
    return key_column == name_key(value)


def name_contains(key_column, text: str):
    """The rows whose name contains ``text`` in any case and form (a search box): a LIKE
    on the stored key, with the typed text's wildcards taken literally."""
    k = name_key(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return key_column.like(f"%{k}%", escape="\\")


def text_key(value: str | None) -> tuple[str, str]:
    """The same order in Python: ``sorted(names, key=text_key)``; None sorts as ''."""
    value = value or ""
    return (name_key(value), value)


def text_sort_string(value: str | None) -> str:
    """The order of :func:`text_key` as one string, for a sort that compares plain strings
    by code (a Qt model's sort role): the folded text, a NUL, the text itself."""
    folded, value = text_key(value)
    return f"{folded}\x00{value}"


__all__ = ["name_contains", "name_key", "same_name", "text_key", "text_order", "text_sort_string"]
