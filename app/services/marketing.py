"""Lead sources, campaigns, monthly marketing spend and SMART targets: the CRUD the
dashboard editors call. Field-named validation messages (ValidationError), each an
app.errors.Message so that the editors can show it in the interface language. No Qt."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app.db import Database
from app.errors import Message, NotFound, ValidationError
from app.models import Campaign, LeadSource, MarketingSpend, Opportunity, Target, User
from app.services.collation import same_name, text_order
from app.services.outbox import refuse_on_replica, refused_on_replica
from app.services.validation import currencies, parse_amount, parse_date

METRICS = ("won_revenue", "won_count", "new_deals", "win_rate")
MAX_NAME = 200


def _marketing_instead(*, server: str, owner: str, sync: str) -> Message:
    return Message("change them with the team server open ({server}), then sync ({sync})", server=server, sync=sync)


# marketing figures and targets are not named operations: on an offline replica they are
# refused (a lead source a deal needs is created by people.create_lead_source, which is one)
_REFUSED = Message("lead sources, campaigns, marketing spend and targets cannot be changed")
_team_server_only = refused_on_replica(_REFUSED, _marketing_instead)


def check_can_edit(db: Database) -> None:
    """Raise ReplicaRefused on an offline replica, where these figures cannot be changed;
    a front asks it before opening an editor."""
    refuse_on_replica(db, _REFUSED, _marketing_instead)


def _name(value, errors: dict[str, str], required: Message) -> str:
    name = (value or "").strip()
    if not name:
        errors["name"] = required
    elif len(name) > MAX_NAME:
        errors["name"] = Message("at most {count} characters", count=MAX_NAME)
    return name


def _reason(exc: ValueError) -> str:
    """What a reader of app.services.validation said of a value it refused (a Message)."""
    return exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)


def _amount(value, errors: dict[str, str], key: str, *, allow_negative: bool = False) -> Decimal | None:
    try:
        amount = parse_amount(value)
    except ValueError as exc:
        errors[key] = _reason(exc)
        return None
    if amount is None:
        errors[key] = Message("an amount is required")
    elif not amount.is_finite():
        errors[key] = Message("must be a number")
    elif amount < 0 and not allow_negative:
        errors[key] = Message("must be 0 or more")
    elif amount >= Decimal("1e16"):
        errors[key] = Message("is too large")
    elif amount != amount.quantize(Decimal("0.01")):
        errors[key] = Message("at most two decimal places")
    else:
        return amount
    return None


def _parse_date(value, errors: dict[str, str], key: str) -> date | None:
    """The date, or None with the reason in ``errors[key]`` (blank is None without one)."""
    try:
        return parse_date(value)
    except ValueError as exc:
        errors[key] = _reason(exc)
        return None


def _date(value, errors: dict[str, str], key: str) -> date | None:
    d = _parse_date(value, errors, key)
    if d is None and key not in errors:
        errors[key] = Message("a date is required")
    return d


def _currency(value, errors: dict[str, str]) -> str:
    code = (value or "").strip().upper()
    if code not in currencies():
        errors["currency"] = Message("'{value}' is not a known ISO 4217 currency code", value=value)
    return code


# ------------------------------------------------------------------ lead sources

def list_lead_sources(db: Database) -> list[LeadSource]:
    with db.read() as s:
        return list(s.scalars(select(LeadSource).order_by(*text_order(LeadSource.name), LeadSource.id)))


def _lead_source_named(s, name: str, *, other_than: uuid.UUID | None = None) -> uuid.UUID | None:
    """The lead source already called ``name``: the one duplicate rule of lead sources
    (in any case and form, by collation.same_name, on every engine)."""
    q = select(LeadSource.id).where(same_name(LeadSource.name_key, name))
    if other_than is not None:
        q = q.where(LeadSource.id != other_than)
    return s.scalar(q.limit(1))


@_team_server_only
def create_lead_source(db: Database, name: str, channel: str | None = None) -> LeadSource:
    """A new lead source; refused if one of that name exists (:func:`_lead_source_named`).
    people.create_lead_source, the replica's operation, is this."""
    errors: dict[str, str] = {}
    name = _name(name, errors, Message("a lead source name is required"))
    if errors:
        raise ValidationError(errors)
    with db.write() as s:
        if _lead_source_named(s, name):
            raise ValidationError({"name": Message("lead source '{name}' already exists", name=name)})
        src = LeadSource(name=name, channel=(channel or "").strip() or None)
        s.add(src)
        s.flush()
        return src


@_team_server_only
def update_lead_source(db: Database, source_id: uuid.UUID, *, name: str | None = None,
                       channel: str | None = None) -> LeadSource:
    """Rename a lead source and/or change its channel (None leaves a value unchanged)."""
    errors: dict[str, str] = {}
    if name is not None:
        name = _name(name, errors, Message("a lead source name is required"))
    if errors:
        raise ValidationError(errors)
    with db.write() as s:
        src = s.get(LeadSource, source_id)
        if src is None:
            raise NotFound(Message("lead source {lead_source} not found", lead_source=source_id))
        if name is not None and name != src.name:
            if _lead_source_named(s, name, other_than=source_id):
                raise ValidationError({"name": Message("lead source '{name}' already exists", name=name)})
            src.name = name
        if channel is not None:
            src.channel = channel.strip() or None
        s.flush()
        return src


@_team_server_only
def delete_lead_source(db: Database, source_id: uuid.UUID) -> None:
    """Delete a lead source with its campaigns and spend; refused while deals refer to it."""
    with db.write() as s:
        src = s.get(LeadSource, source_id)
        if src is None:
            raise NotFound(Message("lead source {lead_source} not found", lead_source=source_id))
        n = s.scalar(select(func.count()).select_from(Opportunity).where(Opportunity.lead_source_id == source_id))
        if n:
            raise ValidationError({"lead_source": Message("'{name}' is the lead source of {count} deal(s); "
                                                          "it cannot be deleted", name=src.name, count=n)})
        for sp in s.scalars(select(MarketingSpend).where(MarketingSpend.lead_source_id == source_id)):
            s.delete(sp)
        s.flush()
        for c in s.scalars(select(Campaign).where(Campaign.lead_source_id == source_id)):
            s.delete(c)
        s.flush()
        s.delete(src)


# ------------------------------------------------------------------ campaigns

def list_campaigns(db: Database, lead_source_id: uuid.UUID | None = None) -> list[Campaign]:
    with db.read() as s:
        q = select(Campaign).order_by(*text_order(Campaign.name), Campaign.id)
        if lead_source_id is not None:
            q = q.where(Campaign.lead_source_id == lead_source_id)
        return list(s.scalars(q))


def _check_campaign_dates(starts_on, ends_on, errors: dict[str, str]) -> tuple[date | None, date | None]:
    out = [_parse_date(value, errors, key) for key, value in (("starts_on", starts_on), ("ends_on", ends_on))]
    if out[0] and out[1] and out[1] < out[0]:
        errors["ends_on"] = Message("the end is before the start")
    return out[0], out[1]


@_team_server_only
def create_campaign(db: Database, lead_source_id: uuid.UUID, name: str, starts_on=None,
                    ends_on=None) -> Campaign:
    errors: dict[str, str] = {}
    name = _name(name, errors, Message("a campaign name is required"))
    start, end = _check_campaign_dates(starts_on, ends_on, errors)
    with db.write() as s:
        if s.get(LeadSource, lead_source_id) is None:
            errors["lead_source_id"] = Message("lead source does not exist")
        elif name and s.scalar(select(Campaign.id).where(Campaign.lead_source_id == lead_source_id,
                                                         same_name(Campaign.name_key, name))):
            errors["name"] = Message("campaign '{name}' already exists for this lead source", name=name)
        if errors:
            raise ValidationError(errors)
        c = Campaign(lead_source_id=lead_source_id, name=name, starts_on=start, ends_on=end)
        s.add(c)
        s.flush()
        return c


_UNSET = object()


@_team_server_only
def update_campaign(db: Database, campaign_id: uuid.UUID, *, name: str | None = None,
                    starts_on=_UNSET, ends_on=_UNSET) -> Campaign:
    """Change a campaign; dates given as None clear them, omitted ones stay."""
    errors: dict[str, str] = {}
    if name is not None:
        name = _name(name, errors, Message("a campaign name is required"))
    with db.write() as s:
        c = s.get(Campaign, campaign_id)
        if c is None:
            raise NotFound(Message("campaign {campaign} not found", campaign=campaign_id))
        start, end = _check_campaign_dates(c.starts_on if starts_on is _UNSET else starts_on,
                                           c.ends_on if ends_on is _UNSET else ends_on, errors)
        if name and name != c.name and s.scalar(select(Campaign.id).where(
                Campaign.lead_source_id == c.lead_source_id, same_name(Campaign.name_key, name),
                Campaign.id != campaign_id)):
            errors["name"] = Message("campaign '{name}' already exists for this lead source", name=name)
        if errors:
            raise ValidationError(errors)
        if name is not None:
            c.name = name
        c.starts_on, c.ends_on = start, end
        s.flush()
        return c


@_team_server_only
def delete_campaign(db: Database, campaign_id: uuid.UUID) -> None:
    """Delete a campaign and its spend; refused while deals refer to it."""
    with db.write() as s:
        c = s.get(Campaign, campaign_id)
        if c is None:
            raise NotFound(Message("campaign {campaign} not found", campaign=campaign_id))
        n = s.scalar(select(func.count()).select_from(Opportunity).where(Opportunity.campaign_id == campaign_id))
        if n:
            raise ValidationError({"campaign": Message("'{name}' is the campaign of {count} deal(s); it cannot be "
                                                       "deleted", name=c.name, count=n)})
        for sp in s.scalars(select(MarketingSpend).where(MarketingSpend.campaign_id == campaign_id)):
            s.delete(sp)
        s.flush()
        s.delete(c)


# ------------------------------------------------------------------ spend

def list_spend(db: Database, lead_source_id: uuid.UUID | None = None,
               campaign_id: uuid.UUID | None = None) -> list[MarketingSpend]:
    with db.read() as s:
        q = select(MarketingSpend).order_by(MarketingSpend.month, MarketingSpend.id)
        if lead_source_id is not None:
            q = q.where(MarketingSpend.lead_source_id == lead_source_id)
        if campaign_id is not None:
            q = q.where(MarketingSpend.campaign_id == campaign_id)
        return list(s.scalars(q))


def _clean_spend(s, lead_source_id, campaign_id, month, amount, currency, errors) -> tuple:
    m = _date(month, errors, "month")
    if m is not None and m.day != 1:
        errors["month"] = Message("must be the first day of a month")
    value = _amount(amount, errors, "amount")
    code = _currency(currency, errors)
    if s.get(LeadSource, lead_source_id) is None:
        errors["lead_source_id"] = Message("lead source does not exist")
    if campaign_id is not None:
        c = s.get(Campaign, campaign_id)
        if c is None:
            errors["campaign_id"] = Message("campaign does not exist")
        elif c.lead_source_id != lead_source_id:
            errors["campaign_id"] = Message("the campaign belongs to another lead source")
    return m, value, code


@_team_server_only
def create_spend(db: Database, lead_source_id: uuid.UUID, month, amount, *,
                 campaign_id: uuid.UUID | None = None, currency: str = "KRW") -> MarketingSpend:
    """Spend of one lead source (optionally one of its campaigns) in one month (1st of month)."""
    errors: dict[str, str] = {}
    with db.write() as s:
        m, value, code = _clean_spend(s, lead_source_id, campaign_id, month, amount, currency, errors)
        if errors:
            raise ValidationError(errors)
        sp = MarketingSpend(lead_source_id=lead_source_id, campaign_id=campaign_id, month=m,
                            amount=value, currency=code)
        s.add(sp)
        s.flush()
        return sp


@_team_server_only
def update_spend(db: Database, spend_id: uuid.UUID, *, month=_UNSET, amount=_UNSET,
                 campaign_id=_UNSET, currency=_UNSET) -> MarketingSpend:
    errors: dict[str, str] = {}
    with db.write() as s:
        sp = s.get(MarketingSpend, spend_id)
        if sp is None:
            raise NotFound(Message("spend {spend} not found", spend=spend_id))
        m, value, code = _clean_spend(
            s, sp.lead_source_id, sp.campaign_id if campaign_id is _UNSET else campaign_id,
            sp.month if month is _UNSET else month, sp.amount if amount is _UNSET else amount,
            sp.currency if currency is _UNSET else currency, errors)
        if errors:
            raise ValidationError(errors)
        if campaign_id is not _UNSET:
            sp.campaign_id = campaign_id
        sp.month, sp.amount, sp.currency = m, value, code
        s.flush()
        return sp


@_team_server_only
def delete_spend(db: Database, spend_id: uuid.UUID) -> None:
    with db.write() as s:
        sp = s.get(MarketingSpend, spend_id)
        if sp is None:
            raise NotFound(Message("spend {spend} not found", spend=spend_id))
        s.delete(sp)


@_team_server_only
def set_month_spend(db: Database, lead_source_id: uuid.UUID, month, amount, *,
                    campaign_id: uuid.UUID | None = None, currency: str = "KRW") -> MarketingSpend | None:
    """The one spend figure of a lead source (or one of its campaigns) for a month in a
    currency, as the spend grid shows it: a blank ``amount`` removes the month's figure; any
    further entries of that month (an import, an older edit) are merged into the one.
    Returns the figure, or None when removed. One transaction."""
    text = "" if amount is None else str(amount).strip()
    errors: dict[str, str] = {}
    with db.write() as s:
        m = _date(month, errors, "month")
        code = _currency(currency, errors)
        if errors:
            raise ValidationError(errors)
        entries = list(s.scalars(select(MarketingSpend).where(
            MarketingSpend.lead_source_id == lead_source_id, MarketingSpend.month == m,
            MarketingSpend.currency == code,
            MarketingSpend.campaign_id.is_(None) if campaign_id is None else MarketingSpend.campaign_id == campaign_id,
        ).order_by(MarketingSpend.id)))
        for extra in entries[1:] if text else entries:
            s.delete(extra)
        if not text:
            s.flush()
            return None
        m, value, code = _clean_spend(s, lead_source_id, campaign_id, m, text, code, errors)
        if errors:
            raise ValidationError(errors)
        if entries:
            sp = entries[0]
            sp.amount = value
        else:
            sp = MarketingSpend(lead_source_id=lead_source_id, campaign_id=campaign_id, month=m,
                                amount=value, currency=code)
            s.add(sp)
        s.flush()
        return sp


# ------------------------------------------------------------------ targets

def list_targets(db: Database, owner_id: uuid.UUID | None = None, *, team_only: bool = False) -> list[Target]:
    with db.read() as s:
        q = select(Target).order_by(Target.period_start, Target.metric, Target.id)
        if team_only:
            q = q.where(Target.owner_id.is_(None))
        elif owner_id is not None:
            q = q.where(Target.owner_id == owner_id)
        return list(s.scalars(q))


def _clean_target(s, metric, owner_id, period_start, period_end, value, currency, errors) -> tuple:
    if metric not in METRICS:
        errors["metric"] = Message("'{metric}' is not one of {metrics}", metric=metric, metrics=", ".join(METRICS))
    start = _date(period_start, errors, "period_start")
    end = _date(period_end, errors, "period_end")
    if start and end and end < start:
        errors["period_end"] = Message("the end is before the start")
    v = _amount(value, errors, "value")
    if v is not None and metric == "win_rate" and v > 100:
        errors["value"] = Message("a win rate target is a percentage between 0 and 100")
    if v is not None and metric in ("won_count", "new_deals") and v != v.to_integral_value():
        errors["value"] = Message("must be a whole number")
    if owner_id is not None and s.get(User, owner_id) is None:
        errors["owner_id"] = Message("owner does not exist")
    code = None
    if metric == "won_revenue":
        code = _currency(currency or "KRW", errors)
    return start, end, v, code


@_team_server_only
def create_target(db: Database, metric: str, period_start, period_end, value, *,
                  owner_id: uuid.UUID | None = None, currency: str | None = "KRW") -> Target:
    """A SMART goal: metric (won_revenue, won_count, new_deals, win_rate in percent), an owner or
    the team (None), a period (inclusive dates) and a value."""
    errors: dict[str, str] = {}
    with db.write() as s:
        start, end, v, code = _clean_target(s, metric, owner_id, period_start, period_end, value, currency, errors)
        if errors:
            raise ValidationError(errors)
        t = Target(metric=metric, owner_id=owner_id, period_start=start, period_end=end, value=v, currency=code)
        s.add(t)
        s.flush()
        return t


@_team_server_only
def update_target(db: Database, target_id: uuid.UUID, *, metric=_UNSET, owner_id=_UNSET,
                  period_start=_UNSET, period_end=_UNSET, value=_UNSET, currency=_UNSET) -> Target:
    errors: dict[str, str] = {}
    with db.write() as s:
        t = s.get(Target, target_id)
        if t is None:
            raise NotFound(Message("target {target} not found", target=target_id))

        def pick(new, old):
            return old if new is _UNSET else new

        m = pick(metric, t.metric)
        o = pick(owner_id, t.owner_id)
        start, end, v, code = _clean_target(
            s, m, o, pick(period_start, t.period_start), pick(period_end, t.period_end),
            pick(value, t.value), pick(currency, t.currency), errors)
        if errors:
            raise ValidationError(errors)
        t.metric, t.owner_id, t.period_start, t.period_end, t.value, t.currency = m, o, start, end, v, code
        s.flush()
        return t


@_team_server_only
def delete_target(db: Database, target_id: uuid.UUID) -> None:
    with db.write() as s:
        t = s.get(Target, target_id)
        if t is None:
            raise NotFound(Message("target {target} not found", target=target_id))
        s.delete(t)
