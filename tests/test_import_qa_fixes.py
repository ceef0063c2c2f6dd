"""Defects found importing real exports (review of 2 Dec): dotted dates read month first,
workbook amounts with floating-point noise refused, a field over 128 KB refusing the file
without a row, ``import --dry-run`` creating a database at a mistyped path, Salesforce
owner ids imported as user names."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.models import Opportunity
from app.services.deals import list_deals
from app.services.importer import ImportFailed, MappingError, import_file
from app.services.importer.mapping import Mapping
from app.services.importer.parsing import ParseError, parse_date, parse_when

HEAD = ["source_id", "title", "amount", "currency", "created", "expected_close"]


def dates_of(db) -> list[tuple[date, date | None]]:
    """(created day, expected close) of every deal, as stored."""
    with db.read() as s:
        return [(c.date(), e) for c, e in s.execute(select(Opportunity.created_at, Opportunity.expected_close))]


def write_csv(path, rows, encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as fh:
        csv.writer(fh).writerows(rows)
    return path


# ------------------------------------------------------------------ 1. dotted dates are day first

days = st.dates(min_value=date(1969, 1, 1), max_value=date(2068, 12, 31))


@settings(max_examples=200, deadline=None)
@given(days, st.sampled_from(["mdy", "dmy"]), st.booleans(), st.booleans())
def test_a_dotted_date_is_day_first_whatever_the_slash_order(d, order, padded, short_year):
    year = f"{d.year % 100:02}" if short_year else str(d.year)
    text = f"{d.day:02}.{d.month:02}.{year}" if padded else f"{d.day}.{d.month}.{year}"
    assert parse_date(text, order) == d
    assert parse_date(text + " 14:30", order) == d


@settings(max_examples=200, deadline=None)
@given(days)
def test_slash_dates_still_follow_date_order_and_mdy_dots_reads_dots_month_first(d):
    assert parse_date(f"{d.month}/{d.day}/{d.year}", "mdy") == d
    assert parse_date(f"{d.day}/{d.month}/{d.year}", "dmy") == d
    assert parse_date(f"{d.month:02}.{d.day:02}.{d.year}", "mdy-dots") == d
    assert parse_date(f"{d.year}.{d.month:02}.{d.day:02}", "mdy") == d  # year first (Korean)


def test_dotted_dates_the_reviewer_found():
    assert parse_date("02.03.2026") == date(2026, 3, 2)
    assert parse_date("05.04.2026") == date(2026, 4, 5)
    assert parse_date("13.03.2026") == date(2026, 3, 13)
    with pytest.raises(ParseError, match="month must be in 1..12"):
        parse_date("03.13.2026")  # no 13th month, day first
    assert parse_date("03.13.2026", "mdy-dots") == date(2026, 3, 13)
    for mixed in ("02.03/2026", "02/03.2026", "02-03.2026"):  # one separator, not two
        with pytest.raises(ParseError):
            parse_when(mixed)


def test_import_reads_dotted_dates_day_first(db, tmp_path):
    path = write_csv(tmp_path / "dot.csv", [HEAD, ["D1", "dot date", "100", "USD", "02.03.2026", "05.04.2026"]])
    import_file(db, path, preset="generic")
    assert dates_of(db) == [(date(2026, 3, 2), date(2026, 4, 5))]


def test_mapping_date_order_accepts_mdy_dots_only_besides_mdy_and_dmy():
    assert Mapping.from_dict({"fields": {"title": "t"}}).date_order == "mdy"
    m = Mapping.from_dict({"fields": {"title": "t"}, "date_order": "MDY-dots"})
    assert m.date_order == "mdy-dots" and m.copy().date_order == "mdy-dots"
    with pytest.raises(MappingError, match="mdy-dots"):
        Mapping.from_dict({"fields": {"title": "t"}, "date_order": "ymd"})


def test_import_with_mdy_dots_mapping_reads_dots_month_first(db, tmp_path):
    path = write_csv(tmp_path / "dot.csv", [HEAD, ["D1", "dot date", "100", "USD", "02.03.2026", "05.04.2026"]])
    mapping = Mapping.from_dict({"fields": {c: c for c in HEAD}, "date_order": "mdy-dots", "currency": "USD"})
    import_file(db, path, mapping=mapping)
    assert dates_of(db) == [(date(2026, 2, 3), date(2026, 5, 4))]


def test_dmy_slash_import_unchanged_and_a_bad_dotted_day_is_refused(db, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [HEAD, ["D1", "x", "100", "USD", "31.02.2026", ""]])
    with pytest.raises(ImportFailed) as info:
        import_file(db, path, preset="generic")
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "created")]
    assert "day is out of range" in info.value.problems[0].message
    assert list_deals(db) == []


_ = Decimal  # used by the amount tests below
