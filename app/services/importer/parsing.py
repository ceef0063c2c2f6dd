"""Reading import files and parsing the values found in them. No Qt, no database.

- :func:`read_table`: CSV (UTF-8, UTF-8 with BOM, UTF-16 with BOM, else strict UTF-8, else
  CP949 as Korean Excel writes it when the text reads as Korean, else refused unless an
  encoding is given; comma, semicolon or tab detected from the header line)
  and XLSX (openpyxl read-only, first sheet). Rows carry the number a spreadsheet user sees
  (the header is row 1).
- :func:`parse_amount`: "$1,234,567", "₩1,500,000", "1.234,56 €", "15000.0", "(1,200)";
  a workbook's float cell without its binary noise (:func:`float_amount`).
- :func:`parse_datetime` / :func:`parse_date`: ISO, year-first with dots or slashes,
  US m/d/yy and m/d/yyyy (d/m with date_order "dmy") with an optional time and AM/PM,
  dotted d.m.yyyy day first (month first only with date_order "mdy-dots"); Excel serial
  numbers only as numeric cells (int/float, as openpyxl gives them), never as text.

Every parse error is a :class:`ParseError` (a ``ValueError``) with a short message, an
:class:`app.errors.Message` (its ``.message``) so that the desktop app can show it in the
interface language; the messages are built only when a value is bad.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from itertools import islice
from pathlib import Path

from app.errors import Message
from app.services.validation import currencies


class ParseError(ValueError):
    """A value that cannot be read; str() says what is wrong with it, :attr:`message` is
    the same as a :class:`Message` (when it was raised with one)."""

    @property
    def message(self) -> str:
        return self.args[0] if self.args and isinstance(self.args[0], str) else str(self)


# ------------------------------------------------------------------ tables

@dataclass
class Table:
    """The cells of one file: a header and data rows with their spreadsheet row numbers."""

    path: Path
    headers: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)
    encoding: str | None = None  # None for XLSX

    @property
    def name(self) -> str:
        return self.path.name


class EncodingUndetected(ParseError):
    """A CSV file whose text encoding detection cannot tell (not UTF-8, not Korean CP949)."""


ENCODING_HINT = Message("pass the file's encoding with --encoding (e.g. --encoding cp1252 for Western "
                        "European Excel, --encoding cp949 for Korean), or save the file as UTF-8")


def _korean_char(c: str) -> bool:
    o = ord(c)
    return (o < 0x80 or 0xAC00 <= o <= 0xD7A3 or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F
            or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or 0x2010 <= o <= 0x203B
            or o in (0xB7, 0xD7))


def looks_korean(data: bytes, text: str) -> bool:
    """True when CP949-decoded ``text`` reads as Korean: every non-ASCII character is Hangul,
    CJK punctuation or a full-width form, and most two-byte characters come from KS X 1001
    (both bytes 0xA1 or more). Windows-1252 text that happens to decode as CP949 ("Ärger",
    "Ñandú") gives Hanja, symbols, or UHC-extension syllables whose second byte is an ASCII
    letter: an accented capital followed by a lowercase letter."""
    if not all(_korean_char(c) for c in text):
        return False
    pairs = ascii_trail = 0
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b < 0x80:
            i += 1
            continue
        pairs += 1
        if i + 1 < n and data[i + 1] < 0xA1:
            ascii_trail += 1
        i += 2
    return pairs > 0 and ascii_trail * 4 <= pairs


def detect_encoding(data: bytes) -> str:
    """BOM first; else UTF-8 if the bytes decode strictly; else CP949 (Korean Excel) when the
    text reads as Korean (:func:`looks_korean`). Anything else (Windows-1252, Latin-1, ...)
    is refused with a message naming ``--encoding``: never silently read as CP949."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        text = None
    if text is not None and looks_korean(data, text):
        return "cp949"
    if _cp1252_like(data):
        raise EncodingUndetected(Message("the file is not UTF-8 and does not read as CP949 (Korean Excel); it looks like "
                                 "Windows-1252 (Western European) or another 8-bit encoding: {hint}",
                                 hint=ENCODING_HINT))
    raise EncodingUndetected(Message("the file is not UTF-8 and does not read as CP949 (Korean Excel); it "
                                     "looks like an unknown encoding: {hint}", hint=ENCODING_HINT))


def _cp1252_like(data: bytes) -> bool:
    try:
        data.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def _decode(data: bytes, encoding: str) -> str:
    import codecs

    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ParseError(Message("'{encoding}' is not an encoding Python knows (e.g. utf-8, cp949, cp1252)",
                                 encoding=encoding)) from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ParseError(Message("the file is not {encoding} text (byte {byte}: {detail})",
                                 encoding=encoding, byte=exc.start, detail=exc.reason)) from None


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def clean_header(text) -> str:
    """Header as matched: surrounding spaces and a trailing required-marker ``*`` removed."""
    return str(text if text is not None else "").strip().rstrip("*").strip()


def read_companion(path: str | Path, encoding: str | None = None) -> Table:
    """A file read beside the one imported (its stage history, a lookup file): its own
    encoding detected, and ``encoding`` (the one chosen for the imported file) used only
    when detection cannot tell. A UTF-8 history beside a Windows-1252 export stays UTF-8:
    Windows-1252 decodes almost any bytes, so forcing it would misread it silently."""
    try:
        return read_table(path)
    except EncodingUndetected:
        if encoding is None:
            raise
        return read_table(path, encoding=encoding)


def is_workbook(path: str | Path) -> bool:
    """An Excel workbook (read with openpyxl, no text encoding) rather than a CSV file."""
    return Path(path).suffix.lower() in (".xlsx", ".xlsm")


def read_table(path: str | Path, limit: int | None = None, encoding: str | None = None) -> Table:
    """Read a CSV or XLSX file (``limit`` data rows at most, for a preview). ``encoding``
    overrides the detection of a CSV's encoding. Error messages do not repeat the file
    name: the caller names the file once."""
    path = Path(path)
    if not path.exists():
        raise ParseError(Message("no such file"))
    if is_workbook(path):
        return _read_xlsx(path, limit)
    data = path.read_bytes()
    enc = encoding or detect_encoding(data)
    text = _decode(data, enc)
    if text.startswith("\ufeff"):
        text = text[1:]
    first = text.split("\n", 1)[0]
    delimiter = _delimiter(first)
    csv.field_size_limit(FIELD_LIMIT)  # process-wide; the same value every time
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    n = 0  # the last record read (the header is 1)
    try:
        try:
            headers = [clean_header(h) for h in next(reader)]
        except StopIteration:
            raise ParseError(Message("the file is empty")) from None
        n = 1
        table = Table(path=path, headers=headers, encoding=enc)
        rows = table.rows
        for n, rec in enumerate(reader, start=2):
            if not (rec and rec[0].strip()) and not "".join(rec).strip():  # a blank line
                continue
            rows.append((n, rec))
            if limit is not None and len(rows) >= limit:
                break
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise _field_too_large(text, delimiter, n + 1) from None
        raise ParseError(Message("not a readable CSV file ({detail})", detail=str(exc))) from exc
    return table


FIELD_LIMIT = 10 * 1024 * 1024  # characters in one CSV field (Python's default is 128 KB)


class FieldTooLarge(ParseError):
    """A CSV field longer than :data:`FIELD_LIMIT`: the message says where (``row``, the
    spreadsheet row number, and ``column``, its header, or None beyond the header or in it;
    ``number`` counts columns from 1), ``reason`` what is wrong."""

    def __init__(self, row: int, column: str | None, number: int, reason: Message):
        if column:
            text = Message("row {row}, column '{column}': {reason}", row=row, column=column, reason=reason)
        else:  # a field beyond the header, or in it
            text = Message("row {row}, column {number}: {reason}", row=row, number=number, reason=reason)
        super().__init__(text)
        self.row, self.column, self.number, self.reason = row, column, number, reason


def _field_too_large(text: str, delimiter: str, row: int) -> FieldTooLarge:
    """Where the CSV reader met a field over the limit (``row``: the record it was reading):
    the record read again without the limit, for the column and the size."""
    lines = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    csv.field_size_limit(sys.maxsize)
    try:
        headers = [clean_header(h) for h in next(lines)]
        rec = headers if row == 1 else next(islice(lines, row - 2, None))
    finally:
        csv.field_size_limit(FIELD_LIMIT)
    i = max(range(len(rec)), key=lambda k: len(rec[k]))
    column = headers[i] if row > 1 and i < len(headers) and len(headers[i]) <= 300 else None
    if "\n" in rec[i] or "\r" in rec[i]:
        why = Message("{size:,} characters spanning several lines, more than the {limit:,} a value may have: "
                      "a quote that is never closed makes the rest of the file one value",
                      size=len(rec[i]), limit=FIELD_LIMIT)
    else:
        why = Message("{size:,} characters, more than the {limit:,} a value may have", size=len(rec[i]),
                      limit=FIELD_LIMIT)
    return FieldTooLarge(row, column, i + 1, why)


def _read_xlsx(path: Path, limit: int | None) -> Table:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zip/xml errors of a damaged or mislabelled file
        raise ParseError(Message("not a readable XLSX workbook ({detail})", detail=str(exc))) from exc
    try:
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        try:
            headers = [clean_header(h) for h in next(it)]
        except StopIteration:
            raise ParseError(Message("the first sheet is empty")) from None
        while headers and not headers[-1]:
            headers.pop()
        table = Table(path=path, headers=headers)
        for n, rec in enumerate(it, start=2):
            vals = list(rec[:len(headers)])
            if not any(v is not None and str(v).strip() for v in vals):
                continue
            table.rows.append((n, vals))
            if limit is not None and len(table.rows) >= limit:
                break
        return table
    finally:
        wb.close()


_SALESFORCE_ID = re.compile(r"[0-9A-Za-z]{15}(?:[0-5A-Z]{3})?")
_ID_CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def is_salesforce_id(text, prefix: str = "") -> bool:
    """True when ``text`` is a Salesforce record id whose object key prefix is ``prefix``
    ("005" a user, "001" an account): 15 characters, or 18 whose last three are the
    checksum of the letter case of the first 15 (so a word of 18 letters is not one)."""
    if not isinstance(text, str) or not _SALESFORCE_ID.fullmatch(text) or not text.startswith(prefix):
        return False
    if len(text) == 15:
        return any(c.isdigit() for c in text)
    check = "".join(_ID_CHECKSUM[sum(1 << i for i, c in enumerate(text[k:k + 5]) if c.isupper())]
                    for k in (0, 5, 10))
    return text[15:] == check


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ------------------------------------------------------------------ amounts

SYMBOLS = {
    "US$": "USD", "$": "USD", "₩": "KRW", "￦": "KRW", "원": "KRW", "€": "EUR", "£": "GBP",
    "¥": "JPY", "￥": "JPY", "円": "JPY", "元": "CNY",
}
_GROUP = " \u00a0\u202f'’"
_NUMBER = re.compile(r"^[0-9., \u00a0\u202f'’]+$")


_SYMBOLS_LONGEST_FIRST = sorted(SYMBOLS, key=len, reverse=True)
_PLAIN = re.compile(r"^\d{1,18}(?:\.\d{1,6})?$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


_CODE_FIRST = re.compile(r"^([A-Za-z]{3})\s*(.*)$")
_CODE_LAST = re.compile(r"^(.*?)\s*([A-Za-z]{3})$")
# the common exported form: an optional one-character symbol, comma-grouped digits, a dot
_SIMPLE = re.compile(r"^([$₩￦€£¥￥])?\s?(\d{1,3}(?:,\d{3})+|\d{1,18})(\.\d{1,6})?$")


def _strip_currency(s: str) -> tuple[str, str | None]:
    found = None
    changed = True
    while changed and s:
        changed = False
        for sym in _SYMBOLS_LONGEST_FIRST:
            if s.startswith(sym) or s.endswith(sym):
                s = (s[len(sym):] if s.startswith(sym) else s[:-len(sym)]).strip()
                found = found or SYMBOLS[sym]
                changed = True
                break
        m = _CODE_FIRST.match(s) or _CODE_LAST.match(s)
        if m:
            code, rest = (m.group(1), m.group(2)) if s[:3].isalpha() else (m.group(2), m.group(1))
            if code.upper() in currencies():
                s, found, changed = rest.strip(), found or code.upper(), True
    return s, found


def _join_groups(int_part: str, seps: str) -> str:
    parts = re.split("[" + re.escape(seps) + "]", int_part)
    if len(parts) > 1 and (not 1 <= len(parts[0]) <= 3 or any(len(p) != 3 for p in parts[1:])):
        raise ParseError(Message("misplaced thousands separator"))
    return "".join(parts)


def _number(s: str) -> Decimal:
    if not s or not _NUMBER.match(s) or not any(c.isdigit() for c in s):
        raise ParseError(Message("not a number"))
    grouped = any(c in _GROUP for c in s)
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        dec = "." if s.rfind(".") > s.rfind(",") else ","
        thou = "," if dec == "." else "."
    elif commas:
        tail = s.rsplit(",", 1)[1]
        dec, thou = (",", "") if commas == 1 and (grouped or len(tail) != 3) else ("", ",")
    elif dots:
        dec, thou = (".", "") if dots == 1 else ("", ".")
    else:
        dec, thou = "", ""
    if dec and s.count(dec) > 1:
        raise ParseError(Message("more than one decimal separator"))
    int_part, _, frac = s.partition(dec) if dec else (s, "", "")
    if dec and (not frac or not frac.isdigit()):
        raise ParseError(Message("nothing after the decimal separator"))
    digits = _join_groups(int_part, thou + _GROUP)
    if not digits.isdigit():
        raise ParseError(Message("not a number"))
    return Decimal(f"{digits}.{frac}" if frac else digits)


# how far a workbook's binary float may sit from the decimal amount it shows, relative to
# the amount (absolute under 1): formulas such as quantity x price or a SUM leave a few
# units in the last place (0.1 * 3 * 1000 is 300.00000000000006), thousands at most, far
# below 1e-12; a tolerance as loose as 1e-9 would swallow a real cent of $10,000,000.01
# and a real half won of 1,000,000,000.5 KRW, 1e-12 only above $5 billion (500 billion won)
FLOAT_NOISE = Decimal("1e-12")
_MOST_MINOR_DIGITS = 3  # BHD, KWD, ... (resources/currencies.json); checked by a test
_MAX_FLOAT_AMOUNT = Decimal("1e18")  # beyond any amount (and Decimal's 28 digits with decimals)


def float_amount(value: float) -> Decimal:
    """The decimal amount a workbook's float cell holds: the value with the fewest decimals
    (0 to 3) within :data:`FLOAT_NOISE` of it, so 300.00000000000006 is 300 and
    1234.5600000000002 is 1234.56; a real third decimal (300.005) stays and is refused
    for a two-decimal currency by the caller, as a typed "300.005" is. Rounding to the
    currency's own minor unit would give the same amount whenever it accepts one: two
    amounts with at most that many decimals are further apart than twice the noise."""
    exact = Decimal(repr(value))
    size = abs(exact)
    if size >= _MAX_FLOAT_AMOUNT:
        return exact  # out of any range, refused by the caller
    noise = max(size, 1) * FLOAT_NOISE  # at least 1e-12: a zero from a formula is 5.5e-17
    for digits in range(_MOST_MINOR_DIGITS + 1):
        near = exact.quantize(Decimal(1).scaleb(-digits))
        if abs(near - exact) <= noise:
            return near if near else abs(near)  # never -0
    return exact


def parse_amount(value) -> tuple[Decimal | None, str | None]:
    """(amount, currency found in the text or None). Blank gives (None, None).

    Separators: when both ``.`` and ``,`` occur, the last one is the decimal separator
    ("1.234,56" and "1,234.56" are both 1234.56). A lone ``.`` is always a decimal point
    ("15000.0"); several dots are thousands ("1.234.567"). Commas alone are thousands
    separators when every group after them has three digits ("1,234" is 1234); a single
    comma followed by one, two or four or more digits is a decimal comma ("12,5").
    Spaces and apostrophes group thousands ("1 234,50", "1'234.50"). A minus sign or
    parentheses make the amount negative. Currency symbols ($ ₩ € £ ¥ 원) and ISO codes
    before or after the number give the currency.
    """
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise ParseError(Message("'{value}' is not an amount", value=value))
        return None, None
    if isinstance(value, Decimal):
        return value, None
    if isinstance(value, int):
        return Decimal(value), None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ParseError(Message("'{value}' is not an amount", value=value))
        return float_amount(value), None
    text = str(value).strip()
    if not text:
        return None, None
    if _PLAIN.match(text):  # the common case: "15000", "15000.0"
        return Decimal(text), None
    m = _SIMPLE.match(text)  # next most common: "₩1,500,000", "$1,234.56", "1,234"
    if m is not None:
        sym, digits, frac = m.groups()
        return Decimal(digits.replace(",", "") + (frac or "")), SYMBOLS[sym] if sym else None
    s = text.replace("\u2212", "-")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    if s.startswith("-"):
        negative, s = not negative, s[1:].strip()
    s, currency = _strip_currency(s)
    if s.startswith("-") and not negative:
        negative, s = True, s[1:].strip()
    try:
        amount = _number(s)
    except ParseError as exc:
        raise ParseError(Message("'{value}' is not an amount ({reason})", value=text, reason=exc.message)) from None
    except InvalidOperation:
        raise ParseError(Message("'{value}' is not an amount ({reason})", value=text,
                                 reason=Message("not a number"))) from None
    return (-amount if negative else amount), currency


# ------------------------------------------------------------------ dates

EXCEL_EPOCH = datetime(1899, 12, 30)
MAX_SERIAL = 2958465  # 9999-12-31

_TIME = r"(?:[ T]+(?P<ampm1>오전|오후|[AaPp]\.?[Mm]\.?)?\s*(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,6})\d*)?)?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
_YMD = re.compile(r"^(?P<y>\d{4})\s*[-./]\s*(?P<m>\d{1,2})\s*[-./]\s*(?P<d>\d{1,2})\.?" + _TIME + "$")
_XDY = re.compile(r"^(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})" + _TIME + "$")
# date_order: "mdy" (the default: 02/23/26 is US month first), "dmy" (23/02/26), and
# "mdy-dots" for the rare source that writes month first with dots too (02.23.2026). A
# dotted date is day first otherwise: every country that writes 02.03.2026 (German,
# Russian, Turkish, ...) means 2 March; year-first dotted dates (Korean 2026.03.02) are _YMD.
DATE_ORDERS = ("mdy", "dmy", "mdy-dots")


def _day_first(sep: str, date_order: str) -> bool:
    if sep == ".":
        return date_order != "mdy-dots"
    return date_order == "dmy"
_SERIAL = re.compile(r"^\d+(?:\.\d+)?$")


def excel_serial_to_datetime(serial: float) -> datetime:
    """Excel's 1900 date system (serials after 1900-02-28, as every real export has)."""
    if not 1 <= serial <= MAX_SERIAL + 0.99999:
        raise ParseError(Message("{serial} is outside the range of Excel dates", serial=serial))
    days = int(serial)
    secs = round((serial - days) * 86400)
    return EXCEL_EPOCH + timedelta(days=days, seconds=secs)


def _no_such_day(y: int, mo: int) -> Message:
    """Why ``date(y, mo, d)`` refused (the wording of Python's own errors)."""
    if not 1 <= y <= 9999:
        return Message("year {year} is out of range", year=y)
    if not 1 <= mo <= 12:
        return Message("month must be in 1..12")
    return Message("day is out of range for month")


def _no_such_time(h: int, mi: int) -> Message:
    """Why ``time(h, mi, s)`` refused (the wording of Python's own errors)."""
    if not 0 <= h <= 23:
        return Message("hour must be in 0..23")
    if not 0 <= mi <= 59:
        return Message("minute must be in 0..59")
    return Message("second must be in 0..59")


def _two_digit_year(y: int) -> int:
    return 2000 + y if y < 69 else 1900 + y  # as strptime's %y


def _parse_text(text: str, date_order: str) -> datetime | date:
    m = _YMD.match(text)
    if m:
        y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    else:
        m = _XDY.match(text)
        if m is None:
            if _SERIAL.match(text):
                # "45123" in a CSV (or a text cell) may be an id, an amount or a serial:
                # never guessed; only a numeric XLSX cell is read as an Excel serial date
                raise ParseError(Message("a plain number is a date only in a numeric XLSX cell; "
                                         "write the date as YYYY-MM-DD"))
            raise ParseError(Message("not a date"))
        a, b = int(m["a"]), int(m["b"])
        mo, d = (b, a) if _day_first(m["sep"], date_order) else (a, b)
        y = int(m["y"]) if len(m["y"]) == 4 else _two_digit_year(int(m["y"]))
    try:
        day = date(y, mo, d)
    except ValueError:
        raise ParseError(_no_such_day(y, mo)) from None
    if m["h"] is None:
        return day
    h, mi, s = int(m["h"]), int(m["mi"]), int(m["s"] or 0)
    us = int((m["f"] or "0").ljust(6, "0"))
    ampm = (m["ampm"] or m["ampm1"] or "").replace(".", "").lower()
    if ampm:
        if not 1 <= h <= 12:
            raise ParseError(Message("hour must be 1 to 12 with AM/PM"))
        pm = ampm in ("pm", "오후")
        h = (h % 12) + (12 if pm else 0)
    try:
        t = time(h, mi, s, us)
    except ValueError:
        raise ParseError(_no_such_time(h, mi)) from None
    tz: tzinfo | None = None
    if m["tz"]:
        z = m["tz"]
        if z == "Z":
            tz = UTC
        else:
            sign = -1 if z[0] == "-" else 1
            hh, mm = int(z[1:3]), int(z[-2:])
            from datetime import timezone

            tz = timezone(sign * timedelta(hours=hh, minutes=mm))
    return datetime.combine(day, t, tz)


# the two commonest exported forms, read without the general pattern: "02/23/2026 9:05 PM"
# (US, also d/m/y by date_order) and "2026-02-23 21:05[:07]"; anything else, or a value
# that is not a real date or time, goes the general way (and gets its error message there)
_FAST_XDY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2}) ([AP]M)")
_FAST_YMD = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?")


def parse_fast(text: str, date_order: str) -> datetime | None:
    """The naive datetime of a stripped text in one of the two commonest forms, else None
    (also for a value that is not a real date or time: the general reading says why)."""
    m = _FAST_XDY.fullmatch(text)
    try:
        if m is not None:
            a, b, y, h, mi, ampm = m.groups()
            h = int(h)
            if not 1 <= h <= 12:
                return None
            h = h % 12 + (12 if ampm == "PM" else 0)
            mo, d = (int(b), int(a)) if date_order == "dmy" else (int(a), int(b))
            return datetime(int(y), mo, d, h, int(mi))
        m = _FAST_YMD.fullmatch(text)
        if m is not None:
            y, mo, d, h, mi, sec = m.groups()
            return datetime(int(y), int(mo), int(d), int(h), int(mi), int(sec) if sec else 0)
    except ValueError:
        return None
    return None


def parse_when(value, date_order: str = "mdy") -> datetime | date | None:
    """A date or a datetime (naive unless the text has an offset); None for blank."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ParseError(Message("'{value}' is not a date", value=value))
    if isinstance(value, int | float):
        return excel_serial_to_datetime(float(value))
    text = str(value).strip()
    if not text:
        return None
    fast = parse_fast(text, date_order)
    if fast is not None:
        return fast
    if _ISO_DAY.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ParseError(Message("'{value}' is not a date ({reason})", value=text,
                                     reason=_no_such_day(int(text[:4]), int(text[5:7])))) from None
    try:
        return _parse_text(text, date_order)
    except ParseError as exc:
        raise ParseError(Message("'{value}' is not a date ({reason})", value=text, reason=exc.message)) from None


def parse_date(value, date_order: str = "mdy") -> date | None:
    """The calendar date written in the cell (a time part is dropped, no zone conversion)."""
    v = parse_when(value, date_order)
    return v.date() if isinstance(v, datetime) else v


def parse_datetime(value, tz: tzinfo = UTC, date_order: str = "mdy") -> datetime | None:
    """An aware UTC datetime; naive values are read in ``tz``; a date is its midnight."""
    v = parse_when(value, date_order)
    if v is None:
        return None
    if not isinstance(v, datetime):
        v = datetime.combine(v, time())
    if v.tzinfo is None:
        if tz is UTC or getattr(tz, "key", None) == "UTC":
            return v.replace(tzinfo=UTC)
        v = v.replace(tzinfo=tz)
    return v.astimezone(UTC)
