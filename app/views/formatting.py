"""Locale-aware display of money, numbers, dates (QLocale). Display only: amounts stay Decimal."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from PySide6.QtCore import QDate, QDateTime, QLocale

from app.services.validation import minor_digits

SYMBOLS = {"KRW": "₩", "USD": "$", "EUR": "€", "JPY": "¥", "GBP": "£", "CNY": "¥"}


def locale_for(lang: str) -> QLocale:
    return QLocale(QLocale.Language.Korean, QLocale.Country.SouthKorea) if lang == "ko" \
        else QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


def money(amount: Decimal | None, currency: str, loc: QLocale | None = None) -> str:
    """₩1,500,000 / $12,000.50; KRW and other zero-decimal currencies without decimals."""
    if amount is None:
        return "—"
    loc = loc or QLocale()
    digits = minor_digits(currency)
    symbol = SYMBOLS.get(currency, currency + " ")
    return loc.toCurrencyString(float(amount), symbol, digits)


def compact_money(amount: Decimal | None, currency: str, loc: QLocale | None = None) -> str:
    """Short form for headers and tiles: ₩1.2B, $350K; Korean uses 만/억/조 as Koreans
    write them: ₩2.8억, ₩100억 (no ".0"), ₩7,873만 (만 never takes a decimal)."""
    if amount is None:
        return "—"
    loc = loc or QLocale()
    symbol = SYMBOLS.get(currency, currency + " ")
    v = float(amount)
    if loc.language() == QLocale.Language.Korean:
        for unit, div, decimals in (("조", 1e12, 1), ("억", 1e8, 1), ("만", 1e4, 0)):
            if abs(round(v / div, decimals)) >= 1:
                scaled = round(v / div, decimals)
                if scaled == int(scaled):
                    decimals = 0
                return f"{symbol}{loc.toString(scaled, 'f', decimals)}{unit}"
        return f"{symbol}{loc.toString(v, 'f', 0)}"
    for unit, div in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(v) >= div:
            return f"{symbol}{loc.toString(v / div, 'f', 1)}{unit}"
    return f"{symbol}{loc.toString(v, 'f', 0)}"


def number(value: float | int | Decimal | None, decimals: int = 0, loc: QLocale | None = None) -> str:
    if value is None:
        return "—"
    return (loc or QLocale()).toString(float(value), "f", decimals)


def date_edit_format(loc: QLocale | None = None) -> str:
    """A QDateEdit's display format: the locale's short date with a four-digit year
    ("yyyy. M. d." in Korean, "M/d/yyyy" in English), not a fixed ISO pattern."""
    fmt = (loc or QLocale()).dateFormat(QLocale.FormatType.ShortFormat)
    return fmt if "yyyy" in fmt else fmt.replace("yy", "yyyy")


def short_date(value: date | datetime | None, loc: QLocale | None = None) -> str:
    if value is None:
        return "—"
    loc = loc or QLocale()
    if isinstance(value, datetime):
        return loc.toString(QDateTime(value.astimezone()).date(), QLocale.FormatType.ShortFormat)
    return loc.toString(QDate(value.year, value.month, value.day), QLocale.FormatType.ShortFormat)
