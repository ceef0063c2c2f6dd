"""Create, edit and list deals. Close-date changes are logged here (slippage)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from app.db import Database
from app.errors import ConflictError, Message, NotFound, ValidationError
from app.models import (
    Account,
    Campaign,
    CloseDateChange,
    Contact,
    LeadSource,
    Opportunity,
    Stage,
    StageTransition,
    Status,
    TransitionKind,
    User,
    utcnow,
)
from app.services.collation import name_contains, same_name, text_order
from app.services.outbox import operation
from app.services.process import active_stages
from app.services.validation import clean_deal_values

EDITABLE = (
    "title", "account_id", "contact_id", "owner_id", "amount", "currency", "expected_close",
    "forecast_category", "lead_source_id", "campaign_id", "description",
)


def _check_refs(s: Session, values: dict, errors: dict[str, str]) -> None:
    for key, model, message in (
        ("owner_id", User, Message("owner does not exist")),
        ("account_id", Account, Message("account does not exist")),
        ("contact_id", Contact, Message("contact does not exist")),
        ("lead_source_id", LeadSource, Message("lead source does not exist")),
        ("campaign_id", Campaign, Message("campaign does not exist")),
    ):
        if key in values and values[key] is not None and s.get(model, values[key]) is None:
            errors[key] = message
    if "owner_id" in values and values["owner_id"] is None:
        errors["owner_id"] = Message("an owner is required")


@operation("create_deal")
def create_deal(db: Database, *, title: str, owner_id: uuid.UUID, actor_id: uuid.UUID | None = None,
                at: datetime | None = None, **values) -> Opportunity:
    """A new open deal in stage 1, with its first transition."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationError({k: Message("not a deal field") for k in unknown})
    values.setdefault("currency", "KRW")
    values = {"title": title, "owner_id": owner_id, **values}
    clean, errors = clean_deal_values(values)
    with db.write() as s:
        _check_refs(s, clean, errors)
        if errors:
            raise ValidationError(errors)
        now = at or utcnow()
        first = active_stages(s)[0]
        deal = Opportunity(stage_id=first.id, status=Status.OPEN.value, stage_entered_at=now,
                           created_at=now, updated_at=now, **clean)
        s.add(deal)
        s.flush()
        s.add(StageTransition(opportunity_id=deal.id, from_stage_id=None, to_stage_id=first.id,
                              from_status=None, to_status=Status.OPEN.value,
                              kind=TransitionKind.CREATED.value, at=now, user_id=actor_id or owner_id))
        if clean.get("expected_close") is not None:
            s.add(CloseDateChange(opportunity_id=deal.id, old_date=None, new_date=clean["expected_close"],
                                  at=now, user_id=actor_id or owner_id))
        s.flush()
        return deal


@operation("update_deal")
def update_deal(db: Database, deal_id: uuid.UUID, *, expected_version: int, actor_id: uuid.UUID,
                at: datetime | None = None, **changes) -> Opportunity:
    """Edit fields of a deal. A stale ``expected_version`` raises ConflictError; a changed
    expected close date is logged as a CloseDateChange."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({k: Message("not an editable deal field") for k in unknown})
    clean, errors = clean_deal_values(changes)
    with db.write() as s:
        deal = s.get(Opportunity, deal_id)
        if deal is None:
            raise NotFound(Message("deal {deal} not found", deal=deal_id))
        if deal.version != expected_version:
            raise ConflictError(Message("deal '{title}' was changed by someone else; reload it", title=deal.title),
                                current_version=deal.version)
        if "amount" in changes and "currency" not in changes:  # the deal's currency rules the amount
            clean, errors = clean_deal_values({**changes, "currency": deal.currency})
            clean.pop("currency", None)
        _check_refs(s, clean, errors)
        if errors:
            raise ValidationError(errors)
        now = at or utcnow()
        if "expected_close" in clean and clean["expected_close"] != deal.expected_close:
            s.add(CloseDateChange(opportunity_id=deal.id, old_date=deal.expected_close,
                                  new_date=clean["expected_close"], at=now, user_id=actor_id))
        changed = False
        for k, v in clean.items():
            if getattr(deal, k) != v:
                setattr(deal, k, v)
                changed = True
        if changed:
            deal.updated_at = now
        try:
            s.flush()
        except StaleDataError as exc:
            raise ConflictError(Message("deal '{title}' was changed by someone else; reload it",
                                        title=deal.title)) from exc
        return deal


@operation("change_close_date")
def change_close_date(db: Database, deal_id: uuid.UUID, new_date: date | str, *, expected_version: int,
                      actor_id: uuid.UUID, at: datetime | None = None) -> Opportunity:
    return update_deal(db, deal_id, expected_version=expected_version, actor_id=actor_id, at=at,
                       expected_close=new_date)


def get_deal(db: Database, deal_id: uuid.UUID) -> Opportunity:
    with db.read() as s:
        deal = s.get(Opportunity, deal_id)
        if deal is None:
            raise NotFound(Message("deal {deal} not found", deal=deal_id))
        return deal


def resolve_deal_id(db: Database, text: str) -> uuid.UUID:
    """A deal by full UUID, or by a unique prefix of its hex (as the CLI prints it)."""
    t = text.strip().lower().replace("-", "")
    try:
        return uuid.UUID(t)
    except ValueError:
        pass
    if len(t) < 6 or any(c not in "0123456789abcdef" for c in t):
        raise NotFound(Message("'{text}' is not a deal id", text=text))
    with db.read() as s:
        lo = uuid.UUID(t.ljust(32, "0"))
        hi = uuid.UUID(t.ljust(32, "f"))
        ids = list(s.scalars(select(Opportunity.id).where(Opportunity.id >= lo, Opportunity.id <= hi).limit(2)))
    if not ids:
        raise NotFound(Message("no deal with id '{text}'", text=text))
    if len(ids) > 1:
        raise NotFound(Message("'{text}' matches more than one deal; give more of the id", text=text))
    return ids[0]


def open_deals_titled(db: Database, title: str, limit: int = 2) -> list[uuid.UUID]:
    """Open deals whose title is exactly ``title`` (case aside): how a typed deal name is
    resolved (one hit: that deal; none or several: the user picks from a list)."""
    with db.read() as s:
        return list(s.scalars(
            select(Opportunity.id)
            .where(Opportunity.status == Status.OPEN.value, same_name(Opportunity.title_key, title))
            .order_by(Opportunity.id).limit(limit)))


@dataclass(frozen=True)
class DealRow:
    id: uuid.UUID
    title: str
    account: str | None
    owner: str
    stage: int
    stage_name_en: str
    stage_name_ko: str
    status: str
    amount: Decimal | None
    currency: str
    probability: int
    expected_close: date | None
    stage_entered_at: datetime
    version: int
    loss_reason: str | None

    def as_dict(self) -> dict:
        return {
            "id": str(self.id), "title": self.title, "account": self.account, "owner": self.owner,
            "stage": self.stage, "stage_name": self.stage_name_en, "status": self.status,
            "amount": None if self.amount is None else str(self.amount), "currency": self.currency,
            "probability": self.probability,
            "expected_close": self.expected_close.isoformat() if self.expected_close else None,
            "stage_entered_at": self.stage_entered_at.isoformat(), "version": self.version,
            "loss_reason": self.loss_reason,
        }


def deal_rows_query():
    """The SELECT of :class:`DealRow` (its columns, in order) and the owner alias, for
    filters to be added to; list_deals and deal_lookup.deal_rows share it."""
    owner_u = aliased(User)
    q = (
        select(Opportunity.id, Opportunity.title, Account.name, owner_u.name, Stage.position,
               Stage.name_en, Stage.name_ko, Opportunity.status, Opportunity.amount,
               Opportunity.currency, Stage.probability, Opportunity.expected_close,
               Opportunity.stage_entered_at, Opportunity.version, Opportunity.loss_reason)
        .join(Stage, Opportunity.stage_id == Stage.id)
        .join(owner_u, Opportunity.owner_id == owner_u.id)
        .outerjoin(Account, Opportunity.account_id == Account.id)
    )
    return q, owner_u


def list_deals(db: Database, *, stage: int | None = None, status: str | None = None,
               owner: str | None = None, search: str | None = None, limit: int | None = None) -> list[DealRow]:
    """Deals as plain rows, filtered; ordered by stage then title."""
    q, owner_u = deal_rows_query()
    with db.read() as s:
        q = q.order_by(Stage.position, *text_order(Opportunity.title), Opportunity.id)
        if stage is not None:
            q = q.where(Stage.position == stage)
        if status is not None:
            q = q.where(Opportunity.status == status)
        if owner is not None:
            q = q.where(same_name(owner_u.name_key, owner))
        if search:
            q = q.where(or_(name_contains(Opportunity.title_key, search), name_contains(Account.name_key, search)))
        if limit:
            q = q.limit(limit)
        return [DealRow(*row) for row in s.execute(q)]


def _named(s: Session, model, name: str, **where):
    """The first row of ``model`` named ``name`` in any case or form (its stored name key),
    in the app's name order; None when there is none."""
    q = select(model).where(same_name(model.name_key, name))
    for key, value in where.items():
        q = q.where(getattr(model, key) == value)
    return s.scalars(q.order_by(*text_order(model.name), model.id)).first()


def create_deal_named(db, *, title: str, owner_id: uuid.UUID, actor_id: uuid.UUID | None = None,
                      account: str | None = None, contact: str | None = None, lead_source: str | None = None,
                      at: datetime | None = None, **values) -> Opportunity:
    """A new deal (:func:`create_deal`) whose account, contact and lead source are given as
    a person types them: an existing one of that name in any case or form
    (``collation.same_name``) is used, a new name is created, in one unit of work with the
    deal, so a refused deal leaves none of them behind. The contact is one of the account's;
    without an account, the one contact of that name, whose account the deal then gets.
    Only a manager creates a deal for someone else (``actor_id`` other than ``owner_id``).
    Without a ``currency``, an amount that names one ("$5,000", "USD 5000") is in it (else
    KRW). An ``account_id`` / ``contact_id`` / ``lead_source_id`` among ``values`` (picked from
    a list) wins over the name. ``db``: a Database (its own unit of work) or a UnitOfWork."""
    from app.errors import PermissionDenied
    from app.models import Role
    from app.services import people
    from app.services.unit_of_work import UnitOfWork, perform

    if not isinstance(db, UnitOfWork):
        return perform(db, lambda uow: create_deal_named(
            uow, title=title, owner_id=owner_id, actor_id=actor_id, account=account, contact=contact,
            lead_source=lead_source, at=at, **values)).value
    account, contact, lead_source = ((x or "").strip() or None for x in (account, contact, lead_source))
    if values.get("currency") is None and values.get("amount") is not None:
        from app.services.validation import parse_amount_and_currency

        values.pop("currency", None)
        try:
            written_in = parse_amount_and_currency(values["amount"])[1]
        except ValueError:
            written_in = None  # create_deal says what is wrong with the amount
        if written_in:
            values["currency"] = written_in
    with db.read() as s:
        if actor_id is not None and owner_id is not None and actor_id != owner_id:
            actor = s.get(User, actor_id)
            if actor is None or actor.role != Role.MANAGER.value:
                raise PermissionDenied(Message("only a manager may create a deal for someone else"))
        found_account = found_contact = found_source = None
        if account and values.get("account_id") is None:
            found_account = _named(s, Account, account)
        account_id = values.get("account_id") or (found_account.id if found_account else None)
        if contact and values.get("contact_id") is None:
            if account_id is not None:
                found_contact = _named(s, Contact, contact, account_id=account_id)
            elif not account:
                hits = list(s.scalars(select(Contact).where(same_name(Contact.name_key, contact)).limit(2)))
                if len(hits) > 1:
                    raise ValidationError({"contact_id": Message(
                        "several contacts are named '{name}'; give the account too", name=contact)})
                found_contact = hits[0] if hits else None
        if lead_source and values.get("lead_source_id") is None:
            found_source = _named(s, LeadSource, lead_source)
    if account and values.get("account_id") is None:
        values["account_id"] = found_account.id if found_account else people.create_account(db, account).id
    if contact and values.get("contact_id") is None:
        if found_contact is None:
            found_contact = people.create_contact(db, contact, values.get("account_id"))
        values["contact_id"] = found_contact.id
        if values.get("account_id") is None and found_contact.account_id is not None:
            values["account_id"] = found_contact.account_id
    if lead_source and values.get("lead_source_id") is None:
        values["lead_source_id"] = found_source.id if found_source else people.create_lead_source(db, lead_source).id
    return create_deal(db, title=title, owner_id=owner_id, actor_id=actor_id, at=at, **values)
