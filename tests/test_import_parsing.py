"""Property tests (hypothesis) for the import parsers: an amount or a date written in every
supported style parses back to the same value; junk raises nothing but a ValueError."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.importer.parsing import (
    ParseError,
    detect_encoding,
    parse_amount,
    parse_date,
    parse_when,
)

amounts = st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2,
                      allow_nan=False, allow_infinity=False)


def us(d: Decimal) -> str:
    return f"{d:,.2f}"


def eu(d: Decimal) -> str:  # 1.234.567,89
    return us(d).replace(",", "_").replace(".", ",").replace("_", ".")


AMOUNT_STYLES = {
    "plain": lambda d: f"{d}",
    "us": us,
    "us_dollar": lambda d: "$" + us(d),
    "eu_euro": lambda d: eu(d) + " €",
    "space_grouped": lambda d: us(d).replace(",", " ").replace(".", ","),
    "swiss": lambda d: us(d).replace(",", "'"),
    "iso_prefix": lambda d: "USD " + us(d),
    "iso_suffix": lambda d: us(d) + " KRW",
    "won_suffix": lambda d: us(d) + "원",
}


@settings(max_examples=150, deadline=None)
@given(amounts, st.sampled_from(sorted(AMOUNT_STYLES)))
def test_amount_round_trip(d, style):
    value, _cur = parse_amount(AMOUNT_STYLES[style](d))
    assert value == d


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=10**13))
def test_whole_amounts_with_symbols(n):
    d = Decimal(n)
    assert parse_amount(f"₩{n:,}") == (d, "KRW")
    assert parse_amount(f"${n:,}") == (d, "USD")
    assert parse_amount(f"{n}.0") == (d, None)
    assert parse_amount(f"-{n:,}")[0] == -d
    assert parse_amount(f"({n:,})")[0] == -d
    assert parse_amount(n) == (d, None)
    assert parse_amount(float(n) if n < 2**53 else n)[0] == d


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=20), st.text(alphabet="0123456789.,-()$€₩ '원USDKRW", max_size=16)))
def test_amount_junk_raises_only_value_error(s):
    try:
        value, cur = parse_amount(s)
    except ValueError as exc:
        assert isinstance(exc, ParseError)
        return
    assert value is None or isinstance(value, Decimal)


def test_amount_examples_from_real_exports():
    assert parse_amount("$1,234,567") == (Decimal("1234567"), "USD")
    assert parse_amount("₩1,500,000") == (Decimal("1500000"), "KRW")
    assert parse_amount("1.234,56 €") == (Decimal("1234.56"), "EUR")
    assert parse_amount("15000.0") == (Decimal("15000.0"), None)
    assert parse_amount("1,234") == (Decimal("1234"), None)  # a comma with 3 digits: thousands
    assert parse_amount("12,5") == (Decimal("12.5"), None)  # otherwise a decimal comma
    assert parse_amount("") == (None, None)
    for junk in ("abc", "1,23,4", "1.2.3,4,5", "$", "--5", "1e5"):
        with pytest.raises(ParseError):
            parse_amount(junk)


moments = st.datetimes(min_value=datetime(1969, 1, 1), max_value=datetime(2068, 12, 31)).map(
    lambda t: t.replace(microsecond=0))


def serial(t: datetime) -> str:
    delta = t - datetime(1899, 12, 30)
    return repr(delta.days + delta.seconds / 86400)


DATE_STYLES = {
    "iso": lambda t: t.date().isoformat(),
    "us_yyyy": lambda t: f"{t.month}/{t.day}/{t.year}",
    "us_yy_padded": lambda t: f"{t.month:02}/{t.day:02}/{t.year % 100:02}",
    "dots": lambda t: f"{t.year}. {t.month}. {t.day}.",
}
DATETIME_STYLES = {
    "iso_t": lambda t: t.isoformat(),
    "iso_space": lambda t: t.strftime("%Y-%m-%d %H:%M:%S"),
    "us_ampm": lambda t: t.strftime("%m/%d/%y %I:%M:%S %p"),
    "us_ampm_yyyy": lambda t: f"{t.month}/{t.day}/{t.year} {(t.hour % 12) or 12}:{t.minute:02}:{t.second:02} "
                              + ("PM" if t.hour >= 12 else "AM"),
    "us_24h": lambda t: t.strftime("%m/%d/%Y %H:%M:%S"),
    "korean": lambda t: t.strftime("%Y-%m-%d ") + ("오후" if t.hour >= 12 else "오전")
                        + f" {(t.hour % 12) or 12}:{t.minute:02}:{t.second:02}",
}


@settings(max_examples=200, deadline=None)
@given(moments, st.sampled_from(sorted(DATE_STYLES)))
def test_date_round_trip(t, style):
    assert parse_date(DATE_STYLES[style](t)) == t.date()


@settings(max_examples=200, deadline=None)
@given(moments, st.sampled_from(sorted(DATETIME_STYLES)))
def test_datetime_round_trip(t, style):
    got = parse_when(DATETIME_STYLES[style](t))
    assert got == t


@settings(max_examples=50, deadline=None)
@given(moments)
def test_cells_from_xlsx(t):
    assert parse_when(t) == t
    assert parse_date(t.date()) == t.date()
    assert parse_date((t.date() - date(1899, 12, 30)).days) == t.date()
    assert abs(parse_when(float(serial(t))) - t) <= timedelta(seconds=1)


@settings(max_examples=200, deadline=None)
@given(moments, st.booleans())
def test_a_plain_number_as_text_is_never_a_date(t, with_fraction):
    text = serial(t) if with_fraction else str((t.date() - date(1899, 12, 30)).days)
    with pytest.raises(ParseError, match="numeric XLSX cell"):
        parse_when(text)
    with pytest.raises(ParseError, match="numeric XLSX cell"):
        parse_date(f" {text} ")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=25), st.text(alphabet="0123456789/-.: APMapm오전후TZ+", max_size=22),
                 st.floats(allow_nan=True), st.integers()))
def test_date_junk_raises_only_value_error(s):
    try:
        parse_when(s)
    except ValueError as exc:
        assert isinstance(exc, ParseError)


def test_date_examples_from_real_exports():
    assert parse_when("02/23/26 08:55 PM") == datetime(2026, 2, 23, 20, 55)
    assert parse_date("02/03/24") == date(2024, 2, 3)
    assert parse_when("2023-10-28T20:45:25.000Z").isoformat() == "2023-10-28T20:45:25+00:00"
    assert parse_date(45000) == date(2023, 3, 15)  # a numeric XLSX cell
    assert parse_date("23/02/26", "dmy") == date(2026, 2, 23)
    for junk in ("2016-02-30", "13/01/2020", "02/23/26 13:00 PM", "yesterday", "0"):
        with pytest.raises(ParseError):
            parse_when(junk)


def test_encoding_detection():
    text = "제목,금액\n협상 건,￦1,000\n"  # cp949 has the full-width won sign
    assert detect_encoding(text.encode("utf-8")) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbf" + text.encode("utf-8")) == "utf-8-sig"
    assert detect_encoding(text.encode("cp949")) == "cp949"


ACCENTED = "ÀÁÂÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÖØÙÚÛÜàáâäåæçèéêëìíîïñòóôöøùúûüß"
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
western_word = st.builds(lambda a, c, b: a + c + b, st.text(LETTERS, min_size=1, max_size=6),
                         st.sampled_from(ACCENTED), st.text(LETTERS, min_size=1, max_size=6))
KS_HANGUL = [c for c in map(chr, range(0xAC00, 0xD7A4)) if c.encode("cp949")[1] >= 0xA1]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(western_word, st.text(LETTERS + "0123456789 ", max_size=8)), min_size=1, max_size=12)
       .filter(lambda ws: any(c in ACCENTED for w in ws for c in w)))
def test_windows_1252_text_is_never_read_as_cp949(words):
    data = ",".join(words).encode("cp1252") + b"\r\n"
    try:
        enc = detect_encoding(data)
    except ParseError as exc:
        assert "--encoding" in str(exc) and "Windows-1252" in str(exc)
    else:
        assert enc != "cp949"
        assert data.decode(enc) == ",".join(words) + "\r\n"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(st.sampled_from(KS_HANGUL), min_size=1, max_size=6),
                          st.text(LETTERS + "0123456789 ", max_size=6)), min_size=1, max_size=10)
       .filter(lambda ws: any(ord(c) > 0x7F for w in ws for c in w)))
def test_korean_cp949_text_is_detected(words):
    text = ",".join(words)
    data = text.encode("cp949")
    enc = detect_encoding(data)
    # a very short CP949 text can also be valid UTF-8 (b"\xc7\xb4"); then UTF-8 wins
    assert enc == "cp949" or data.decode("utf-8", errors="strict") is not None
    assert enc == "utf-8" or data.decode(enc) == text


def test_windows_1252_examples_are_refused_with_the_option_named():
    for text in ("Ärger,Ñandú\n", "Société Générale,Müller\n", "ÄPFEL,Öl\n", "Zürich AG,€ 1.500\n"):
        with pytest.raises(ParseError, match="--encoding cp1252"):
            detect_encoding(text.encode("cp1252"))
