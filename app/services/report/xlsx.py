"""Streaming table sheets for openpyxl's write-only mode. No Qt.

One :class:`TableSheet` is one list with a document title, a frozen header row, an
autofilter, fitted column widths, real Excel dates, currency formats, SUBTOTAL totals,
conditional row highlighting and print setup.

Write-only mode writes a sheet's ``<cols>``, ``<sheetViews>`` and ``<sheetPr>`` before the
first row, so widths, frozen panes and fit-to-page are decided before streaming: from
the rows themselves when the caller has them in a list, or from SQL maxima (see
:func:`display_len_sql`) for a streamed list. Autofilter, conditional formatting, page
setup, print titles and charts are written after the rows and can be set at the end.

Every ``str`` becomes a text cell (``data_type = "s"``): no text a user typed can turn
into a formula. Formulas we write ourselves are :class:`Formula` values.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from sqlalchemy import LargeBinary, cast, func

from app.services.validation import minor_digits

TEXT_LIMIT = 32_767  # Excel's maximum characters in a cell
MIN_WIDTH, MAX_WIDTH = 6, 60

DATE_FMT = "yyyy-mm-dd"
DATETIME_FMT = "yyyy-mm-dd hh:mm"
MONTH_FMT = "yyyy-mm"
INT_FMT = "#,##0"
DAYS_FMT = "#,##0.0"
PCT_FMT = "0%"  # whole percents (stage probabilities)
RATE_FMT = "0.0%"  # a computed rate (win rate): one decimal, as the value is rounded
RATIO_FMT = "0.00"  # ratios are rounded to two decimals (see ratio_value)
NUMERIC_KINDS = frozenset({"int", "days", "pct", "rate", "ratio", "money"})
RIGHT_KINDS = NUMERIC_KINDS | {"date", "datetime", "month"}  # Excel right-aligns dates too

SYMBOLS = {"KRW": "₩", "USD": "$", "EUR": "€", "JPY": "¥", "GBP": "£", "CNY": "¥"}

TITLE_FONT = Font(bold=True, size=14)
SUBTITLE_FONT = Font(italic=True, color="595959")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
# text is indented by one step, so that it never touches a right-aligned number on its left
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="left", indent=1)
HEADER_ALIGN_RIGHT = Alignment(wrap_text=True, vertical="center", horizontal="right")  # over numbers, dates
TEXT_ALIGN = Alignment(wrap_text=True, vertical="top", horizontal="left", indent=1)  # long text wraps
VALUE_ALIGN = Alignment(vertical="top")  # numbers and dates level with wrapped text
TOTAL_FONT = Font(bold=True)
TOTAL_BORDER = Border(top=Side(style="thin"), bottom=Side(style="double"))
RISK_FILL = PatternFill("solid", fgColor="F8CBAD", bgColor="F8CBAD")  # bgColor: dxf fills
SLIP_FILL = PatternFill("solid", fgColor="FFE699", bgColor="FFE699")

# characters XML 1.0 cannot carry (and CR, which XML parsers turn into LF): written with
# OOXML's _xHHHH_ escape, which Excel and LibreOffice decode back to the character
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_LITERAL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


_ISO_CODE = re.compile(r"[A-Z]{3}")


def currency_format(currency: str | None) -> str:
    """'"₩"#,##0' for KRW, '"$"#,##0.00' for USD, '#,##0.00 "CHF"' for the rest (a code
    that is not three capital letters, as an import might leave, gets no symbol)."""
    if not currency or not _ISO_CODE.fullmatch(currency):
        return "#,##0.00"
    digits = minor_digits(currency)
    number = "#,##0" + ("." + "0" * digits if digits else "")
    symbol = SYMBOLS.get(currency)
    if symbol:
        return f'"{symbol}"{number}'
    return f'{number} "{currency}"'


def ooxml_text(value: str) -> str:
    """A user's text as it must be stored so Excel shows exactly it, always as text."""
    if "_x" in value:
        value = _LITERAL_ESCAPE.sub(r"_x005F_\1", value)
    if _CONTROL.search(value):
        value = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    if len(value) > TEXT_LIMIT:
        value = value[:TEXT_LIMIT - 1] + "…"
    return value


def display_len(s: str) -> int:
    """Width of a string in Excel columns: East Asian wide characters count double."""
    if s.isascii():
        return len(s)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def display_len_sql(column, dialect_name: str):
    """SQL for the display width of a text column: (bytes + characters) / 2 makes ASCII
    count 1 and Hangul (3 bytes in UTF-8) count 2, without leaving the database."""
    if dialect_name == "sqlite":
        nbytes = func.length(cast(column, LargeBinary))
    else:
        nbytes = func.octet_length(column)
    return (nbytes + func.length(column)) / 2


class Formula(str):
    """A formula written by the report itself (never user text), e.g. '=SUBTOTAL(109,E4:E9)'."""


@dataclass
class Col:
    """A column: header label, kind and (for money) where the currency comes from.

    kind: text, int, days, pct (whole percents), rate (one decimal), ratio, money, date, datetime, month.
    ``currency``: a fixed ISO code, or ``currency_col``: index of the row value holding it.
    ``total``: the totals row sums this column with SUBTOTAL(109, …).
    """

    header: str
    kind: str = "text"
    currency: str | None = None
    currency_col: int | None = None
    total: bool = False
    width: float | None = None  # fixed width; else fitted


@dataclass
class RowRule:
    """Highlight whole rows where ``formula`` (for the first data row, e.g. '$L4="Yes"') holds."""

    formula: str
    fill: PatternFill


def header_alignment(col: Col) -> Alignment:
    """Headers over numbers and dates are right-aligned like them; all wrap."""
    return HEADER_ALIGN_RIGHT if col.kind in RIGHT_KINDS else HEADER_ALIGN


def ratio_value(v) -> float | None:
    """A ratio as it is shown: two decimals (RATIO_FMT), no more precision than that."""
    return None if v is None else round(float(v), 2)


def rate_value(v) -> float | None:
    """A rate (0..1) as it is shown: one decimal of a percent (RATE_FMT)."""
    return None if v is None else round(float(v), 3)


def _fixed_width(col: Col) -> int | None:
    return {"date": 10, "datetime": 16, "month": 8, "pct": 6, "rate": 7, "ratio": 6}.get(col.kind)


def value_width(col: Col, value) -> int:
    if value is None:
        return 0
    if col.kind == "text":
        return display_len(str(value))
    fixed = _fixed_width(col)
    if fixed:
        return fixed
    if isinstance(value, (int, float, Decimal)):
        if col.kind == "money":
            digits = 0 if col.currency == "KRW" else 3
            return len(f"{abs(value):,.0f}") + digits + 2
        if col.kind == "days":
            return len(f"{value:,.1f}")
        return len(f"{value:,}") if isinstance(value, int) else len(f"{value:,.2f}")
    return display_len(str(value))


def fit(width: float) -> float:
    """A column width for text this wide: two characters of margin and one of indent."""
    return float(min(MAX_WIDTH, max(MIN_WIDTH, width + 3)))


@dataclass
class Widths:
    """Widest display length seen per column (headers included)."""

    cols: Sequence[Col]
    widest: list[int] = field(default_factory=list)

    def __post_init__(self):
        self.widest = [display_len(c.header) + 1 for c in self.cols]

    def see(self, row: Sequence) -> None:
        for i, (c, v) in enumerate(zip(self.cols, row, strict=False)):
            w = value_width(c, v)
            if w > self.widest[i]:
                self.widest[i] = w

    def see_max(self, index: int, width: int | float | None) -> None:
        """``width`` from SQL: PostgreSQL answers a Decimal where SQLite answers a float."""
        if width is not None and width > self.widest[index]:
            self.widest[index] = math.ceil(width)

    def final(self) -> list[float]:
        out = []
        for c, w in zip(self.cols, self.widest, strict=True):
            out.append(c.width if c.width is not None else fit(w))
        return out


@dataclass(frozen=True)
class TotalGroup:
    """One totals row: its label, the currency of its amounts and the rows it sums
    (column index -> the value that column must hold)."""

    label: str
    currency: str | None
    conditions: dict[int, str]


class TableSheet:
    """One list on one write-only worksheet. Call :meth:`start`, :meth:`add` per row, :meth:`finish`."""

    HEADER_ROW = 3  # row 1 title, row 2 subtitle, row 3 headers

    def __init__(self, ws, cols: Sequence[Col], *, tz: tzinfo = UTC):
        self.ws = ws
        self.cols = list(cols)
        self.tz = tz
        self.rows = 0
        self._formats = [self._static_format(c) for c in self.cols]

    # -------------------------------------------------------------- before any row
    def start(self, title: str, subtitle: str, widths: Sequence[float]) -> None:
        ws = self.ws
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = f"A{self.HEADER_ROW + 1}"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_options.gridLines = False
        ws.oddFooter.center.text = "&P / &N"
        ws.append([self.text_cell(title, font=TITLE_FONT)])
        ws.append([self.text_cell(subtitle, font=SUBTITLE_FONT)])
        ws.append([self.text_cell(c.header, font=HEADER_FONT, fill=HEADER_FILL, alignment=header_alignment(c))
                   for c in self.cols])

    # -------------------------------------------------------------- cells
    @staticmethod
    def _static_format(c: Col) -> str | None:
        return {
            "int": INT_FMT, "days": DAYS_FMT, "pct": PCT_FMT, "rate": RATE_FMT, "ratio": RATIO_FMT,
            "date": DATE_FMT,
            "datetime": DATETIME_FMT, "month": MONTH_FMT,
            "money": currency_format(c.currency) if c.currency_col is None else None,
        }.get(c.kind)

    def text_cell(self, value: str, **style) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=ooxml_text(value))
        cell.data_type = "s"  # whatever it starts with (=, +, -, @, tab, CR): text
        for k, v in style.items():
            setattr(cell, k, v)
        return cell

    def cell(self, col: Col, fmt: str | None, value, row: Sequence):
        if value is None:
            return None
        if isinstance(value, Formula):
            c = WriteOnlyCell(self.ws, value=str(value))
        elif isinstance(value, str):
            return self.text_cell(value, alignment=TEXT_ALIGN)
        elif isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(self.tz).replace(tzinfo=None)
            c = WriteOnlyCell(self.ws, value=value)
        elif isinstance(value, bool):
            return value
        else:
            c = WriteOnlyCell(self.ws, value=value)
        if col.kind == "money" and col.currency_col is not None:
            fmt = currency_format(row[col.currency_col])
        if fmt:
            c.number_format = fmt
        c.alignment = VALUE_ALIGN
        return c

    def add(self, row: Sequence) -> None:
        cols, fmts = self.cols, self._formats
        self.ws.append([self.cell(cols[i], fmts[i], v, row) for i, v in enumerate(row)])
        self.rows += 1

    # -------------------------------------------------------------- after the rows
    @property
    def first_data_row(self) -> int:
        return self.HEADER_ROW + 1

    @property
    def last_data_row(self) -> int:
        return self.HEADER_ROW + self.rows

    @property
    def last_col(self) -> str:
        return get_column_letter(len(self.cols))

    def finish(self, *, total_label: str | None = None, rules: Iterable[RowRule] = (),
               split_currencies: Sequence[str] = (), groups: Sequence[TotalGroup] = ()) -> None:
        """Totals row(s), autofilter, print titles, row highlighting.

        Totals are SUBTOTAL(109, …) so they follow the filter. With ``split_currencies``
        (a list holding several currencies) there is one totals row per currency, each
        summing the visible rows of that currency only. ``groups`` replaces both: one
        totals row per group, summing the visible rows that match all its conditions
        (e.g. won and lost apart)."""
        ws = self.ws
        first, last, lastcol = self.first_data_row, self.last_data_row, self.last_col
        split_col = next((c.currency_col for c in self.cols if c.currency_col is not None), None)
        if groups:
            for g in groups:
                self._total_row(g.label, g.currency, g.conditions)
        elif total_label is not None and any(c.total for c in self.cols):
            if len(split_currencies) > 1 and split_col is not None:
                for cur in split_currencies:
                    self._total_row(f"{total_label} {cur}", cur, {split_col: cur})
            else:
                self._total_row(total_label, split_currencies[0] if split_currencies else None, {})
        ws.auto_filter.ref = f"A{self.HEADER_ROW}:{lastcol}{max(last, self.HEADER_ROW)}"
        ws.print_title_rows = f"{self.HEADER_ROW}:{self.HEADER_ROW}"
        if self.rows:
            for rule in rules:
                ws.conditional_formatting.add(
                    f"A{first}:{lastcol}{last}",
                    FormulaRule(formula=[rule.formula], fill=rule.fill, stopIfTrue=False),
                )

    def _total_row(self, label: str, currency: str | None, conditions: dict[int, str]) -> None:
        ws = self.ws
        first, last = self.first_data_row, self.last_data_row
        out: list = []
        for i, c in enumerate(self.cols):
            letter = get_column_letter(i + 1)
            if i == 0:
                out.append(self.text_cell(label, font=TOTAL_FONT, border=TOTAL_BORDER))
                continue
            cell = WriteOnlyCell(ws, value=None)
            cell.border = TOTAL_BORDER
            if c.total:
                cell.font = TOTAL_FONT
                cell.alignment = VALUE_ALIGN
                rng = f"{letter}{first}:{letter}{last}"
                if not self.rows:
                    cell.value = 0
                elif conditions:
                    tests = []
                    for col, value in sorted(conditions.items()):
                        col_letter = get_column_letter(col + 1)
                        literal = value.replace('"', '""')  # a currency code or label is data: quoted as text
                        tests.append(f'--(${col_letter}${first}:${col_letter}${last}="{literal}")')
                    cell.value = (f"=SUMPRODUCT(SUBTOTAL(109,OFFSET({letter}{first},ROW({rng})-ROW({letter}{first}),0)),"
                                  f"{','.join(tests)})")
                else:
                    cell.value = f"=SUBTOTAL(109,{rng})"
                fmt = self._formats[i]
                if c.kind == "money":
                    fmt = currency_format(currency or c.currency) if (currency or c.currency) else INT_FMT
                if fmt:
                    cell.number_format = fmt
            out.append(cell)
        ws.append(out)


def to_excel_date(value: date | datetime | None, tz: tzinfo = UTC):
    """An aware datetime as local naive time (Excel has no time zones); dates unchanged."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(tz).replace(tzinfo=None)
    return value
