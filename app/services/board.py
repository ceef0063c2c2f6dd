"""Queries behind the kanban board: one page of cards per column, column totals, one card.

No Qt. Everything a card shows (checklist progress, slipped close date, overdue activities)
is computed in SQL for the page being loaded, one query per page, never one per card;
column totals come from one GROUP BY, never from loaded rows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import and_, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from app.db import Database
from app.errors import Message, NotFound
from app.models import (
    Account,
    Activity,
    CloseDateChange,
    Contact,
    Deliverable,
    Opportunity,
    Stage,
    Status,
    User,
    money,
    utcnow,
)
from app.services import analytics
from app.services.collation import name_contains
from app.services.gates import progress_clauses
from app.services.process import StageDef, active_stages

PAGE_SIZE = 200


class Sort(StrEnum):
    CLOSE_DATE = "close_date"  # soonest expected close first, undated last
    AMOUNT = "amount"  # largest first, no amount last
    DAYS_IN_STAGE = "days_in_stage"  # longest in the stage first


@dataclass(frozen=True)
class BoardFilters:
    """What the board shows. ``owner_id`` None means everyone; ``deal_ids`` restricts the
    board to a set of deals (a focus requested by another view)."""

    owner_id: uuid.UUID | None = None
    text: str = ""
    close_from: date | None = None
    close_to: date | None = None
    deal_ids: frozenset[uuid.UUID] | None = None


@dataclass(frozen=True)
class Card:
    deal_id: uuid.UUID
    version: int
    title: str
    account: str | None
    contact: str | None
    owner_id: uuid.UUID
    owner: str
    amount: Decimal | None
    currency: str
    expected_close: date | None
    stage_position: int
    status: str
    stage_entered_at: datetime
    checklist_done: int
    checklist_total: int
    slipped: bool
    overdue: bool
    now: datetime = field(default_factory=utcnow, compare=False)

    @property
    def days_in_stage(self) -> float:
        return max(0.0, (self.now - self.stage_entered_at).total_seconds() / 86400)

    def at_risk(self, threshold_days: float | None) -> bool:
        return threshold_days is not None and self.days_in_stage > threshold_days

    @property
    def column(self) -> int | str:
        """Where the card belongs on the board: a stage position, 'won' or 'lost'."""
        return self.stage_position if self.status == Status.OPEN.value else self.status


@dataclass(frozen=True)
class ColumnTotals:
    count: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)  # by currency
    weighted: dict[str, Decimal] = field(default_factory=dict)  # amount x stage probability


@dataclass(frozen=True)
class DeliverableInfo:
    """A deliverable with its stage, for the UI that satisfies it."""

    id: uuid.UUID
    key: str
    kind: str
    name_en: str
    name_ko: str
    stage_id: uuid.UUID
    stage_position: int
    fields: tuple[str, ...]
    activity_types: tuple[str, ...]
    requires_note: bool

    def name(self, lang: str = "en") -> str:
        return self.name_ko if lang == "ko" else self.name_en


# ------------------------------------------------------------------ helpers

def _where(filters: BoardFilters, contact) -> list:
    conds = []
    if filters.owner_id is not None:
        conds.append(Opportunity.owner_id == filters.owner_id)
    text = (filters.text or "").strip()
    if text:
        conds.append(or_(
            name_contains(Opportunity.title_key, text),
            name_contains(Account.name_key, text),
            name_contains(contact.name_key, text),
        ))
    if filters.close_from is not None:
        conds.append(Opportunity.expected_close >= filters.close_from)
    if filters.close_to is not None:
        conds.append(Opportunity.expected_close <= filters.close_to)
    if filters.deal_ids is not None:
        conds.append(Opportunity.id.in_(list(filters.deal_ids)) if filters.deal_ids else literal(False))
    return conds


def _joined_for_text(q, filters: BoardFilters, contact):
    """Join account and contact only when the text filter needs their names."""
    if not (filters.text or "").strip():
        return q
    return (q.outerjoin(Account, Opportunity.account_id == Account.id)
            .outerjoin(contact, Opportunity.contact_id == contact.id))


def _column_cond(stage: StageDef | None, status: str):
    if status == Status.OPEN.value:
        return and_(Opportunity.status == Status.OPEN.value, Opportunity.stage_id == stage.id)
    return Opportunity.status == status


def _order(sort: Sort | str):
    sort = Sort(sort)
    if sort is Sort.AMOUNT:
        return [Opportunity.amount.is_(None), Opportunity.amount.desc(), Opportunity.id]
    if sort is Sort.DAYS_IN_STAGE:
        return [Opportunity.stage_entered_at, Opportunity.id]
    return [Opportunity.expected_close.is_(None), Opportunity.expected_close, Opportunity.id]


def _card_query(stages: list[StageDef], now: datetime, id_source=None):
    owner = aliased(User)
    contact = aliased(Contact)
    done, total = progress_clauses(stages)
    slipped = exists().where(
        CloseDateChange.opportunity_id == Opportunity.id,
        CloseDateChange.old_date.is_not(None),
        CloseDateChange.new_date > CloseDateChange.old_date,
    )
    overdue = exists().where(
        Activity.opportunity_id == Opportunity.id, Activity.done_at.is_(None), Activity.due_at < now,
    )
    q = (
        select(
            Opportunity.id, Opportunity.version, Opportunity.title, Account.name, contact.name,
            Opportunity.owner_id, owner.name, Opportunity.amount, Opportunity.currency,
            Opportunity.expected_close, Stage.position, Opportunity.status,
            Opportunity.stage_entered_at, done.label("done"), total.label("total"),
            slipped.label("slipped"), overdue.label("overdue"),
        )
        .join(Stage, Opportunity.stage_id == Stage.id)
        .join(owner, Opportunity.owner_id == owner.id)
        .outerjoin(Account, Opportunity.account_id == Account.id)
        .outerjoin(contact, Opportunity.contact_id == contact.id)
    )
    return q, contact


def _to_card(row, now: datetime) -> Card:
    return Card(
        deal_id=row[0], version=row[1], title=row[2], account=row[3], contact=row[4],
        owner_id=row[5], owner=row[6], amount=row[7], currency=row[8], expected_close=row[9],
        stage_position=row[10], status=row[11], stage_entered_at=row[12],
        checklist_done=int(row[13] or 0), checklist_total=int(row[14] or 0),
        slipped=bool(row[15]), overdue=bool(row[16]), now=now,
    )


def _stage_by_position(stages: list[StageDef], position: int) -> StageDef:
    for st in stages:
        if st.position == position:
            return st
    raise NotFound(Message("stage {stage} does not exist", stage=position))


# ------------------------------------------------------------------ public queries

def column_page(db: Database, stage_position: int | str, *, filters: BoardFilters | None = None,
                sort: Sort | str = Sort.CLOSE_DATE, offset: int = 0, limit: int = PAGE_SIZE,
                now: datetime | None = None) -> list[Card]:
    """One page of cards of a column: a stage position (open deals), 'won' or 'lost'."""
    filters = filters or BoardFilters()
    now = now or utcnow()
    with db.read() as s:
        stages = active_stages(s)
        if stage_position in (Status.WON.value, Status.LOST.value):
            cond = _column_cond(None, str(stage_position))
        else:
            cond = _column_cond(_stage_by_position(stages, int(stage_position)), Status.OPEN.value)
        # first the page's ids (cheap: indexes, no per-row work), then the cards of the page
        contact = aliased(Contact)
        ids_q = _joined_for_text(select(Opportunity.id), filters, contact)
        ids_q = ids_q.where(cond, *_where(filters, contact)).order_by(*_order(sort)).offset(offset).limit(limit)
        page_ids = list(s.scalars(ids_q))
        if not page_ids:
            return []
        own = stages if stage_position in (Status.WON.value, Status.LOST.value) else \
            [_stage_by_position(stages, int(stage_position))]
        q, _contact = _card_query(own, now)
        q = q.where(Opportunity.id.in_(page_ids)).order_by(*_order(sort))
        return [_to_card(r, now) for r in s.execute(q)]


def card(db: Database, deal_id: uuid.UUID, *, now: datetime | None = None) -> Card:
    """One card, fresh from the database (after a move, an edit, a conflict)."""
    found, _belongs = cards(db, [deal_id], now=now)[deal_id]
    if found is None:
        raise NotFound(Message("deal {deal} not found", deal=deal_id))
    return found


def matches(db: Database, deal_id: uuid.UUID, filters: BoardFilters | None) -> bool:
    """Whether a deal passes the board's filters (so a reloaded card stays or leaves)."""
    filters = filters or BoardFilters()
    contact = aliased(Contact)
    with db.read() as s:
        q = (
            select(Opportunity.id)
            .outerjoin(Account, Opportunity.account_id == Account.id)
            .outerjoin(contact, Opportunity.contact_id == contact.id)
            .where(Opportunity.id == deal_id, *_where(filters, contact))
        )
        return s.scalar(q) is not None


def cards(db: Database, deal_ids, filters: BoardFilters | None = None, *,
          now: datetime | None = None) -> dict[uuid.UUID, tuple[Card | None, bool]]:
    """Fresh cards of many deals and whether each passes the filters, in two statements
    whatever their number (one card SELECT, one filter SELECT; the template is cached): the board's
    refresh after a change. A deal that no longer exists maps to ``(None, False)``; without
    ``filters``, or with filters that filter nothing, every existing deal passes (and the
    filter SELECT is skipped)."""
    ids = list(dict.fromkeys(deal_ids))
    if not ids:
        return {}
    now = now or utcnow()
    out: dict[uuid.UUID, tuple[Card | None, bool]] = dict.fromkeys(ids, (None, False))
    with db.read() as s:
        stages = active_stages(s)
        q, _contact = _card_query(stages, now)
        found = {r[0]: _to_card(r, now) for r in s.execute(q.where(Opportunity.id.in_(ids)))}
        contact = aliased(Contact)
        conds = _where(filters, contact) if filters is not None else []
        if not conds:  # no filter (or an empty one): every existing deal passes
            return {i: (found.get(i), i in found) for i in ids}
        passing = set(s.scalars(
            _joined_for_text(select(Opportunity.id), filters, contact).where(Opportunity.id.in_(ids), *conds)
        ))
    for deal_id, c in found.items():
        out[deal_id] = (c, deal_id in passing)
    return out


def column_totals(db: Database, filters: BoardFilters | None = None, *, closed: bool = True,
                  open_deals: bool = True, positions=None) -> dict[int | str, ColumnTotals]:
    """Count, total amount and weighted amount of every column, by one GROUP BY.

    Keys: stage positions 1..7 (open deals) and, unless ``closed`` is False, 'won' and
    'lost'. Weighted = amount x the stage's probability (won counts 100 %, lost 0 %).
    ``closed=False`` reads only open deals (through the status index): the cheap refresh
    after a change that cannot have touched Won or Lost; ``open_deals=False`` reads only
    Won and Lost; ``positions`` limits the open columns to those stages (after a move,
    only its two columns changed).
    """
    filters = filters or BoardFilters()
    contact = aliased(Contact)
    with db.read() as s:
        stages = active_stages(s)
        q = select(Opportunity.status, Opportunity.stage_id, Opportunity.currency,
                   func.count(Opportunity.id), func.sum(Opportunity.amount))
        q = _joined_for_text(q, filters, contact).where(*_where(filters, contact))
        wanted = [st for st in stages if positions is None or st.position in set(positions)]
        if not closed:
            q = q.where(Opportunity.status == Status.OPEN.value,
                        Opportunity.stage_id.in_([st.id for st in wanted]))
        elif not open_deals:
            q = q.where(Opportunity.status.in_([Status.WON.value, Status.LOST.value]))
        rows = s.execute(q.group_by(Opportunity.status, Opportunity.stage_id, Opportunity.currency)).all()
    by_id = {st.id: st for st in stages}
    keys: list[int | str] = [st.position for st in wanted] if open_deals else []
    if closed:
        keys += [Status.WON.value, Status.LOST.value]
    counts: dict[int | str, int] = dict.fromkeys(keys, 0)
    amounts: dict[int | str, dict[str, Decimal]] = {k: {} for k in keys}
    weighted: dict[int | str, dict[str, Decimal]] = {k: {} for k in keys}
    for status, stage_id, currency, n, cents in rows:
        stage = by_id.get(stage_id)
        if status == Status.OPEN.value:
            if stage is None:
                continue
            k: int | str = stage.position
            share = Decimal(stage.probability)
        else:
            k = status
            share = Decimal(100 if status == Status.WON.value else 0)
        if k not in counts:
            continue
        counts[k] += n
        if cents is None:
            continue
        amt = cents if isinstance(cents, Decimal) else money(cents)
        a = amounts[k]
        a[currency] = a.get(currency, Decimal("0.00")) + amt
        w = weighted[k]
        w[currency] = (w.get(currency, Decimal("0.00")) + amt * share / 100).quantize(Decimal("0.01"))
    return {k: ColumnTotals(count=counts[k], amounts=amounts[k], weighted=weighted[k]) for k in keys}


def stage_risk_days(db: Database, k: float = 1.5) -> dict[int, float]:
    """Days in stage beyond which a card is at risk, by stage position: the analytics
    service's team norm (k x the median dwell of won deals; the template limit where no
    history exists)."""
    thresholds = analytics.stage_risk_thresholds(db, k)
    with db.read() as s:
        limits = {st.position: float(st.dwell_limit_days) for st in active_stages(s)}
    return {p: float(thresholds.get(p, limit)) for p, limit in limits.items()}


def deliverable_info(db: Database, deliverable_id: uuid.UUID) -> DeliverableInfo:
    with db.read() as s:
        d = s.get(Deliverable, deliverable_id)
        if d is None:
            raise NotFound(Message("deliverable {deliverable} not found", deliverable=deliverable_id))
        stage = s.get(Stage, d.stage_id)
        return DeliverableInfo(
            id=d.id, key=d.key, kind=d.kind, name_en=d.name_en, name_ko=d.name_ko,
            stage_id=stage.id, stage_position=stage.position, fields=tuple(d.field_list),
            activity_types=tuple(d.activity_type_list), requires_note=d.requires_note,
        )


def stages(db: Database) -> list[StageDef]:
    """The active stages as plain values (the cached template), for column headers."""
    with db.read() as s:
        return active_stages(s)


def deal_counts(db: Database) -> dict[str, int]:
    """Open / won / lost deal counts for the status bar."""
    with db.read() as s:
        rows = s.execute(select(Opportunity.status, func.count()).group_by(Opportunity.status)).all()
    out = {Status.OPEN.value: 0, Status.WON.value: 0, Status.LOST.value: 0}
    out.update({st: n for st, n in rows})
    return out
