"""Field-level validation of deals, shared by every front. Messages name the field."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources

from app.errors import Message
from app.models import ForecastCategory

MAX_TITLE = 300


@cache
def currencies() -> dict[str, int]:
    """ISO 4217 code -> number of minor digits."""
    text = resources.files("resources").joinpath("currencies.json").read_text("utf-8")
    return json.loads(text)["currencies"]


STORED_DIGITS = 2  # what models.base.Money keeps


def minor_digits(currency: str) -> int:
    """Decimal places of the currency's minor unit (ISO 4217): 0 for KRW, JPY, VND, CLP,
    ISK, ...; 3 for BHD, KWD, ...; 2 otherwise. resources/currencies.json is the one table."""
    return currencies().get(currency, 2)


def amount_precision_error(amount: Decimal, currency: str | None) -> Message | None:
    """Why ``amount`` has more decimals than ``currency`` allows (None when it does not).
    Without a currency two places are allowed."""
    code = currency.strip().upper() if currency else None
    digits = minor_digits(code) if code else 2
    # amounts are stored as whole hundredths (models.base.Money): a third decimal (BHD, KWD,
    # ...) would be rounded away when saved, so it is refused, not silently changed
    if amount == amount.quantize(Decimal(1).scaleb(-min(digits, STORED_DIGITS))):
        return None
    if digits == 0:
        return Message("{currency} has no minor unit: a whole amount, no cents", currency=code)
    if digits > STORED_DIGITS:
        return Message("at most two decimal places: amounts are kept to hundredths, {currency} too", currency=code)
    return Message("at most two decimal places")


def parse_amount(value) -> Decimal | None:
    """An amount as a person types it or a file holds it, read by the one amount reader
    (the importer's: "1,500,000", "₩1,500,000", "1.234,56", "(1,200)"); blank is None."""
    return parse_amount_and_currency(value)[0]


def parse_amount_and_currency(value) -> tuple[Decimal | None, str | None]:
    """(amount, the currency its text names — "₩", "$", "KRW" — or None)."""
    from app.services.importer.parsing import parse_amount as read_amount  # it imports this module

    if isinstance(value, str) and not value.strip():
        return None, None
    try:
        return read_amount(value)
    except (ValueError, InvalidOperation) as exc:
        raise ValueError(Message("'{value}' is not a number", value=value)) from exc


def parse_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValueError(Message("'{value}' is not a valid date (use YYYY-MM-DD)", value=value)) from exc


def _message_of(exc: ValueError) -> str:
    """A parser's message, as it was given (a Message keeps its template)."""
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, Message) else str(exc)


def clean_deal_values(values: dict) -> tuple[dict, dict[str, str]]:
    """Normalise and check deal values. Returns (clean values, errors by field, each a
    :class:`~app.errors.Message`). The amount may have as many decimals as the ``currency``
    among the values allows (two without one)."""
    clean: dict = {}
    errors: dict[str, str] = {}
    currency = values.get("currency")
    currency = currency if isinstance(currency, str) and currency.strip().upper() in currencies() else None
    for key, raw in values.items():
        if key == "title":
            title = (raw or "").strip()
            if not title:
                errors["title"] = Message("a title is required")
            elif len(title) > MAX_TITLE:
                errors["title"] = Message("at most {count} characters", count=MAX_TITLE)
            clean["title"] = title
        elif key == "amount":
            try:
                amount, written_in = parse_amount_and_currency(raw)
            except ValueError as exc:
                errors["amount"] = _message_of(exc)
                continue
            if written_in and currency and written_in != currency.strip().upper():
                errors["amount"] = Message("the amount is written in {written_in} but the deal is in {currency}",
                                           written_in=written_in, currency=currency.strip().upper())
                continue
            if amount is not None:
                if not amount.is_finite():
                    errors["amount"] = Message("must be a number")
                    continue
                if amount < 0:
                    errors["amount"] = Message("must be 0 or more")
                elif amount >= Decimal("1e16"):
                    errors["amount"] = Message("is too large")
                elif (problem := amount_precision_error(amount, currency)) is not None:
                    errors["amount"] = problem
            clean["amount"] = amount
        elif key == "currency":
            code = (raw or "").strip().upper()
            if code not in currencies():
                errors["currency"] = Message("'{code}' is not a known ISO 4217 currency code", code=raw)
            clean["currency"] = code
        elif key == "expected_close":
            try:
                clean["expected_close"] = parse_date(raw)
            except ValueError as exc:
                errors["expected_close"] = _message_of(exc)
        elif key == "forecast_category":
            try:
                clean["forecast_category"] = ForecastCategory(raw).value
            except ValueError:
                allowed = ", ".join(c.value for c in ForecastCategory)
                errors["forecast_category"] = Message("'{value}' is not one of {allowed}", value=raw, allowed=allowed)
        elif key in ("description", "loss_reason"):
            clean[key] = (raw or "").strip() or None
        else:
            clean[key] = raw
    return clean, errors
