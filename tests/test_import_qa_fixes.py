"""Defects found importing real exports (review of 2 Dec): dotted dates read month first,
workbook amounts with floating-point noise refused, a field over 128 KB refusing the file
without a row, ``import --dry-run`` creating a database at a mistyped path, Salesforce
owner ids imported as user names."""

from __future__ import annotations

import csv
import math
from datetime import date
from decimal import Decimal

import pytest
from conftest import one_line_error, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.models import Opportunity
from app.services.deals import list_deals
from app.services.importer import ImportFailed, MappingError, import_file, parsing
from app.services.importer.mapping import Mapping
from app.services.importer.parsing import (
    FIELD_LIMIT,
    FieldTooLarge,
    ParseError,
    is_salesforce_id,
    parse_amount,
    parse_date,
    parse_when,
    read_table,
)
from app.services.validation import currencies

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


# ------------------------------------------------------------------ 2. workbook floats with noise

def noisy(x: float, ulps: int) -> float:
    for _ in range(abs(ulps)):
        x = math.nextafter(x, math.inf if ulps > 0 else -math.inf)
    return x


cents = st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2)


@settings(max_examples=300, deadline=None)
@given(cents, st.integers(min_value=-64, max_value=64))
def test_a_float_a_few_ulps_from_an_amount_is_that_amount(c, ulps):
    amount, currency = parse_amount(noisy(float(c), ulps))
    assert amount == c and currency is None
    assert amount.as_tuple().exponent >= -2  # no noise digits left for the decimals check


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=10_000), st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2))
def test_quantity_times_price_as_excel_computes_it(quantity, price):
    amount, _ = parse_amount(quantity * float(price))  # the cached value of =A2*B2
    assert amount == quantity * price


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=0, max_value=Decimal("999999999.999"), places=3).filter(lambda d: d * 100 % 1))
def test_a_real_third_decimal_in_a_float_stays(d):
    amount, _ = parse_amount(float(d))
    assert amount == d


def test_the_reviewers_cells():
    assert parse_amount(0.1 * 3 * 1000) == (Decimal("300"), None)
    assert parse_amount(300.0000000000001) == (Decimal("300"), None)  # as openpyxl read it
    assert parse_amount(sum([0.1] * 1000)) == (Decimal("100"), None)  # 99.9999999999986
    assert parse_amount(1500000.0000000002) == (Decimal("1500000"), None)
    assert parse_amount(300.005) == (Decimal("300.005"), None)
    assert parse_amount(10_000_000.01) == (Decimal("10000000.01"), None)  # a real cent kept
    assert parse_amount(1_000_000_000.5) == (Decimal("1000000000.5"), None)  # a real half won kept
    with pytest.raises(ParseError):
        parse_amount(float("nan"))


def test_the_fewest_decimals_tried_cover_every_currency():
    assert parsing._MOST_MINOR_DIGITS == max(currencies().values())


def write_xlsx(path, rows):
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    return path


XHEAD = ["source_id", "title", "amount", "currency"]


def test_workbook_amounts_with_float_noise_import(db, tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", [XHEAD, ["x1", "float amt", 0.1 * 3 * 1000, "USD"],
                                            ["x2", "won", 0.1 * 3 * 5_000_000, "KRW"],
                                            ["x3", "euro", 1.1 * 1.1 * 100, "EUR"]])
    import_file(db, path, preset="generic")
    assert sorted((d.title, d.amount, d.currency) for d in list_deals(db)) == [
        ("euro", Decimal("121.00"), "EUR"), ("float amt", Decimal("300.00"), "USD"), ("won", Decimal("1500000"), "KRW")]


def test_workbook_amounts_with_a_real_extra_decimal_are_still_refused(db, tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", [XHEAD, ["x1", "dollars", 300.005, "USD"],
                                            ["x2", "won", 1500.5, "KRW"], ["x3", "text", "300.005", "USD"]])
    with pytest.raises(ImportFailed) as info:
        import_file(db, path, preset="generic")
    assert [(p.row, p.column, str(p.message)) for p in info.value.problems] == [
        (2, "amount", "amount 300.005: at most two decimal places"),
        (3, "amount", "amount 1500.5: KRW has no minor unit: a whole amount, no cents"),
        (4, "amount", "amount 300.005: at most two decimal places")]
    assert list_deals(db) == []


# ------------------------------------------------------------------ 3. a field over the CSV limit

def test_a_field_of_200_kb_imports(db, tmp_path):
    path = write_csv(tmp_path / "huge.csv", [["title", "description"], ["big", "x" * 200_000]])
    import_file(db, path, preset="generic")
    with db.read() as s:
        assert s.scalars(select(Opportunity.description)).all() == ["x" * 200_000]


def test_a_field_over_the_limit_is_one_problem_naming_file_row_and_column(db, tmp_path):
    big = "x" * (FIELD_LIMIT + 1)
    path = write_csv(tmp_path / "big.csv", [["title", "description"], ["ok", "fine"], [], ["big", big], ["after", "1"]])
    with pytest.raises(ImportFailed) as info:
        import_file(db, path, preset="generic")
    assert [str(p) for p in info.value.problems] == [
        "big.csv: row 4, column 'description': 10,485,761 characters, more than the 10,485,760 a value may have"]
    assert list_deals(db) == []


def test_a_quote_never_closed_says_so_and_where_it_began(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text('title,description\nok,fine\nbad,"opened here\n' + "more text\n" * (FIELD_LIMIT // 10 + 1), "utf-8")
    with pytest.raises(FieldTooLarge) as info:
        read_table(path)
    assert (info.value.row, info.value.column, info.value.number) == (3, "description", 2)
    assert "a quote that is never closed" in str(info.value)


def test_a_field_over_the_limit_beyond_the_header_or_in_it(tmp_path):
    extra = write_csv(tmp_path / "extra.csv", [["title"], ["ok"], ["big", "x" * (FIELD_LIMIT + 1)]])
    with pytest.raises(FieldTooLarge, match=r"^row 3, column 2: 10,485,761 characters"):
        read_table(extra)
    header = write_csv(tmp_path / "header.csv", [["title", "y" * (FIELD_LIMIT + 1)], ["ok", "1"]])
    with pytest.raises(FieldTooLarge, match=r"^row 1, column 2: "):
        read_table(header)
    assert FIELD_LIMIT == 10 * 1024 * 1024


# ------------------------------------------------------------------ 4. a dry run creates no database

def test_dry_run_at_a_mistyped_db_creates_nothing_and_says_so_in_one_line(tmp_path):
    path = write_csv(tmp_path / "dot.csv", [HEAD, ["D1", "dot date", "100", "USD", "02.03.2026", "05.04.2026"]])
    typo = tmp_path / "typo.sqlite"
    line = one_line_error(run_cli("import", path, "--dry-run", "--db", typo))
    assert line == f"pipeline-manager: error: {typo}: no such database file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dot.csv"]
    # a real import into a new file still creates it, and a dry run then reads it
    made = run_cli("import", path, "--db", typo)
    assert made.returncode == 0 and made.stdout.startswith("imported 1 rows: 1 created"), made
    dry = run_cli("import", path, "--dry-run", "--db", typo)
    assert dry.returncode == 0 and dry.stdout.startswith("would import 1 rows: 0 created, 0 updated, 1 unchanged"), dry


# ------------------------------------------------------------------ 5. Salesforce OwnerId and User.csv

SF_HEAD = ["Id", "AccountId", "Name", "StageName", "Amount", "CloseDate", "CreatedDate", "OwnerId"]
KIM, LEE = "005bm00000NCJmQAAX", "005bm00000NCJmRAAX"


def salesforce_export(folder, users: list[list[str]] | None):
    write_csv(folder / "Opportunity.csv", [
        SF_HEAD, ["006bm00000LKJNNAA5", "001bm00001ZL8UCAA1", "Dickenson Mobile Generators", "Qualification",
                  "15000", "02/03/24", "02/23/26", KIM],
        ["006bm00000LKJNOAA5", "001bm00001ZL8UCAA1", "United Oil Office Portable Generators", "Negotiation/Review",
         "125000", "02/03/24", "02/23/26", LEE]])
    write_csv(folder / "Account.csv", [["Id", "Name"], ["001bm00001ZL8UCAA1", "Dickenson plc"]])
    if users is not None:
        write_csv(folder / "User.csv", users)
    return folder / "Opportunity.csv"


def owners(db) -> list[tuple[str, str, str]]:
    return sorted((d.title, d.owner, d.account) for d in list_deals(db))


def test_salesforce_owner_ids_are_named_from_user_csv(db, tmp_path):
    path = salesforce_export(tmp_path, [["Id", "Username", "LastName", "FirstName", "Name", "IsActive"],
                                        [KIM, "kim@example.com", "Kim", "Min-su", "Kim Min-su", "true"],
                                        [LEE, "lee@example.com", "Lee", "Ji-eun", "Lee Ji-eun", "true"]])
    result = import_file(db, path, preset="salesforce")
    assert result.users_created == 2
    assert owners(db) == [("Dickenson Mobile Generators", "Kim Min-su", "Dickenson plc"),
                          ("United Oil Office Portable Generators", "Lee Ji-eun", "Dickenson plc")]


def test_the_salesforce_preset_names_user_csv_beside_account_csv():
    from app.services.importer import preset

    assert [(lk.field, lk.file, lk.key, lk.name) for lk in preset("salesforce").lookups] == [
        ("account", "Account.csv", "Id", "Name"), ("owner", "User.csv", "Id", "Name")]


def test_salesforce_ids_are_told_from_names():
    assert is_salesforce_id(KIM, "005") and is_salesforce_id(KIM[:15], "005")
    assert not is_salesforce_id(KIM[:17] + "Y", "005")  # a wrong case checksum
    assert not is_salesforce_id("001bm00001ZL8U9AAL", "005") and is_salesforce_id("001bm00001ZL8U9AAL", "001")
    for name in ("Kim Min-su", "ChristophersonJrII", "Christopherson", "김민수", "", None):
        assert not is_salesforce_id(name, "")


def test_without_user_csv_an_owner_id_is_a_problem_not_a_user(db, tmp_path):
    path = salesforce_export(tmp_path, None)
    with pytest.raises(ImportFailed) as info:
        import_file(db, path, preset="salesforce")
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "OwnerId"), (3, "OwnerId")]
    assert "User.csv" in info.value.problems[0].message
