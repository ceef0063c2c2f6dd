"""The SQL behind the weekly workbook's own sheets (the analytics service supplies KPIs,
dwell, slippage, risk and forecast). No Qt.

Per-deal figures of the open-deals list (checklist progress, close-date pushes, days in
stage, at risk) are computed by the database in the one streaming query, from GROUP BY
subqueries joined in, never one query per deal.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Integer, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import (
    Account,
    Activity,
    CloseDateChange,
    Opportunity,
    Stage,
    StageTransition,
    Status,
    TransitionKind,
    User,
)
from app.models.base import UTCDateTime
from app.services.collation import text_key, text_order
from app.services.gates import progress_clauses

BATCH = 2000


def days_between_sql(later: datetime, column, dialect_name: str):
    """(later - column) in days, computed by the database (``later`` an aware datetime)."""
    if dialect_name == "sqlite":
        # stored as 'YYYY-MM-DD HH:MM:SS.ffffff' UTC text, which julianday() reads
        stamp = later.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
        return func.julianday(literal(stamp)) - func.julianday(column)
    # a timestamp like the column's (naive UTC): an aware one would make the difference a
    # timestamptz one, the column read in the session's time zone (9 hours off on a server in Seoul)
    return func.extract("epoch", literal(later, UTCDateTime()) - column) / 86400.0


# ------------------------------------------------------------------ what changed

CHANGE_KEYS = ("new", "forward", "backward", "won", "lost", "reopened", "pushed", "overrides")


def change_counts(s: Session, start: datetime, end: datetime, owner_id: uuid.UUID | None,
                  currency: str | None = None) -> dict[str, int]:
    """Counts of what happened in [start, end): new deals, moves by kind, close dates
    pushed later, gate overrides; of the deals in ``currency`` (None: every currency), so
    that they count the same deals as the key figures."""
    kind_col = StageTransition.kind
    q = (select(kind_col, func.count(), func.count(StageTransition.override_reason))
         .join(Opportunity, Opportunity.id == StageTransition.opportunity_id)
         .where(StageTransition.at >= start, StageTransition.at < end)
         .group_by(kind_col))
    if owner_id is not None:
        q = q.where(Opportunity.owner_id == owner_id)
    if currency is not None:
        q = q.where(Opportunity.currency == currency)
    out = dict.fromkeys(CHANGE_KEYS, 0)
    kind_key = {TransitionKind.CREATED.value: "new", TransitionKind.FORWARD.value: "forward",
                TransitionKind.BACKWARD.value: "backward", TransitionKind.WON.value: "won",
                TransitionKind.LOST.value: "lost", TransitionKind.REOPENED.value: "reopened"}
    for kind, n, overrides in s.execute(q):
        if kind in kind_key:
            out[kind_key[kind]] += n
        out["overrides"] += overrides
    pq = (select(func.count())
          .select_from(CloseDateChange)
          .join(Opportunity, Opportunity.id == CloseDateChange.opportunity_id)
          .where(CloseDateChange.at >= start, CloseDateChange.at < end,
                 CloseDateChange.old_date.is_not(None), CloseDateChange.new_date > CloseDateChange.old_date))
    if owner_id is not None:
        pq = pq.where(Opportunity.owner_id == owner_id)
    if currency is not None:
        pq = pq.where(Opportunity.currency == currency)
    out["pushed"] = int(s.scalar(pq) or 0)
    return out


# ------------------------------------------------------------------ pipeline by stage

@dataclass(frozen=True)
class StageLine:
    position: int
    name_en: str
    name_ko: str
    probability: int
    currency: str | None
    count: int
    amount: Decimal
    weighted: Decimal


def pipeline_by_stage(s: Session, stages: list[Stage], owner_id: uuid.UUID | None,
                      as_of: datetime | None = None) -> list[StageLine]:
    """Open deals per stage and currency: count, amount, amount x stage probability.
    Every stage appears, with zeros when it is empty. ``as_of``: the deals open at that
    moment, in the stage they were in then (from the stage history; amounts as they are
    now, which have no history); None: as they are now."""
    if as_of is None:
        q = (select(Stage.position, Opportunity.currency, func.count(), func.sum(Opportunity.amount))
             .join(Stage, Stage.id == Opportunity.stage_id)
             .where(Opportunity.status == Status.OPEN.value))
    else:
        v = visits_at(as_of, "v")
        q = (select(Stage.position, Opportunity.currency, func.count(), func.sum(Opportunity.amount))
             .select_from(Opportunity)
             .join(v, v.c.deal_id == Opportunity.id)
             .join(Stage, Stage.id == v.c.stage_id)
             .where(v.c.status == Status.OPEN.value))
    q = q.group_by(Stage.position, Opportunity.currency)
    if owner_id is not None:
        q = q.where(Opportunity.owner_id == owner_id)
    by_pos: dict[int, list] = {}
    for pos, cur, n, amount in s.execute(q):
        by_pos.setdefault(pos, []).append((cur, n, amount if amount is not None else Decimal("0.00")))
    out = []
    for st in stages:
        groups = by_pos.get(st.position) or [(None, 0, Decimal("0.00"))]
        for cur, n, amount in sorted(groups, key=lambda g: text_key(g[0])):
            weighted = (amount * st.probability / 100).quantize(Decimal("0.01"))
            out.append(StageLine(st.position, st.name_en, st.name_ko, st.probability, cur, n, amount, weighted))
    return out


# ------------------------------------------------------------------ the pipeline as it was

def visits_at(moment: datetime, name: str):
    """Each deal's stage visit at ``moment`` (just before it): deal_id, stage_id, status.
    The visit began before the moment and had not ended by it (``left_at`` is written with
    the move that ends a visit), so there is at most one per deal, with no window function."""
    t = StageTransition
    return (select(t.opportunity_id.label("deal_id"), t.to_stage_id.label("stage_id"),
                   t.to_status.label("status"))
            .where(t.at < moment, or_(t.left_at.is_(None), t.left_at >= moment))
            .subquery(name))


PIPELINE_STEPS = ("new", "won", "lost", "other")


@dataclass(frozen=True)
class PipelineChange:
    """One deal behind the change of the open pipeline between two moments, and how it
    counts in each step: +1 new, -1 won, -1 lost, and ``other`` the rest of its change
    (+1 reopened, -1 closed then reopened later, ...), so that for every deal
    new + won + lost + other = (open at the end) - (open at the start)."""

    title: str
    account: str | None
    owner: str
    stage_position: int | None  # at the end
    status: str | None  # at the end
    amount: Decimal | None
    steps: dict[str, int]


def pipeline_changes(s: Session, start: datetime, end: datetime, as_of_start: datetime, as_of_end: datetime,
                     owner_id: uuid.UUID | None, currency: str) -> list[PipelineChange]:
    """The deals in ``currency`` whose openness changed between ``as_of_start`` and
    ``as_of_end``, or that were created, won or lost in [start, end) (the definitions of
    the key figures: created_at, and status with closed_at). Only changed deals are read."""
    o = Opportunity
    v0, v1 = visits_at(as_of_start, "v0"), visits_at(as_of_end, "v1")
    owner = aliased(User)
    was_open = case((v0.c.status == Status.OPEN.value, 1), else_=0)
    is_open = case((v1.c.status == Status.OPEN.value, 1), else_=0)
    created = and_(o.created_at >= start, o.created_at < end)
    closed = and_(o.closed_at >= start, o.closed_at < end)
    q = (select(o.title, Account.name, owner.name, Stage.position, v1.c.status, o.amount, was_open, is_open,
                case((created, 1), else_=0), case((and_(closed, o.status == Status.WON.value), 1), else_=0),
                case((and_(closed, o.status == Status.LOST.value), 1), else_=0))
         .select_from(o)
         .join(owner, owner.id == o.owner_id)
         .outerjoin(Account, Account.id == o.account_id)
         .outerjoin(v0, v0.c.deal_id == o.id)
         .outerjoin(v1, v1.c.deal_id == o.id)
         .outerjoin(Stage, Stage.id == v1.c.stage_id)
         .where(o.currency == currency, or_(created, closed, was_open != is_open))
         .order_by(*text_order(o.title), o.id))
    if owner_id is not None:
        q = q.where(o.owner_id == owner_id)
    out = []
    for title, account, owner_name, pos, status, amount, a, b, new, won, lost in s.execute(q):
        steps = {"new": int(new), "won": -int(won), "lost": -int(lost)}
        steps["other"] = int(b) - int(a) - sum(steps.values())
        out.append(PipelineChange(title, account, owner_name, pos, status, amount, steps))
    return out


def currencies_in_use(s: Session, owner_id: uuid.UUID | None, status: str | None = None) -> list[str]:
    """Currencies of the deals (of one status), most used first."""
    q = (select(Opportunity.currency, func.count()).group_by(Opportunity.currency)
         .order_by(func.count().desc(), *text_order(Opportunity.currency)))
    if owner_id is not None:
        q = q.where(Opportunity.owner_id == owner_id)
    if status is not None:
        q = q.where(Opportunity.status == status)
    return [c for c, _n in s.execute(q)]


# ------------------------------------------------------------------ open deals (streamed)

def _pushes_subquery():
    return (select(CloseDateChange.opportunity_id.label("deal_id"), func.count().label("n"))
            .where(CloseDateChange.old_date.is_not(None), CloseDateChange.new_date > CloseDateChange.old_date)
            .group_by(CloseDateChange.opportunity_id)
            .subquery("pushes"))


@dataclass(frozen=True)
class OpenDealRow:
    owner: str
    account: str | None
    title: str
    stage_position: int
    amount: Decimal | None
    currency: str
    probability: int
    expected_close: object
    days_in_stage: float
    checklist_done: int
    checklist_total: int
    pushes: int
    at_risk: bool


def open_deals_query(stages: list[Stage], now: datetime, owner_id: uuid.UUID | None,
                     thresholds: dict[int, float], dialect_name: str):
    """One SELECT for the open-deals list with every per-deal figure computed in SQL."""
    owner = aliased(User)
    done, total = progress_clauses(stages)  # the card's rule: required deliverables only
    pushes = _pushes_subquery()
    days = days_between_sql(now, Opportunity.stage_entered_at, dialect_name)
    risk_whens = [(and_(Stage.position == pos, days > float(t)), 1) for pos, t in sorted(thresholds.items())]
    at_risk = case(*risk_whens, else_=0) if risk_whens else literal(0)
    q = (select(owner.name, Account.name, Opportunity.title, Stage.position, Opportunity.amount,
                Opportunity.currency, Stage.probability, Opportunity.expected_close,
                days.label("days"), done.label("done"), total.label("total"),
                func.coalesce(pushes.c.n, 0).label("pushes"), at_risk.label("at_risk"))
         .select_from(Opportunity)
         .join(Stage, Stage.id == Opportunity.stage_id)
         .join(owner, owner.id == Opportunity.owner_id)
         .outerjoin(Account, Account.id == Opportunity.account_id)
         .outerjoin(pushes, pushes.c.deal_id == Opportunity.id)
         .where(Opportunity.status == Status.OPEN.value)
         .order_by(Stage.position, Opportunity.expected_close.is_(None), Opportunity.expected_close,
                   *text_order(Opportunity.title), Opportunity.id))
    if owner_id is not None:
        q = q.where(Opportunity.owner_id == owner_id)
    return q


def batches(s: Session, q) -> Iterator[list]:
    """Batches of rows from the database cursor (server-side on PostgreSQL): memory is one batch."""
    result = s.execute(q.execution_options(yield_per=BATCH))
    yield from result.partitions(BATCH)


def open_deals_widths(s: Session, owner_id: uuid.UUID | None, dialect_name: str):
    """Widest owner, account, title (display width) and largest amount among the open deals:
    column widths before streaming (write-only sheets write their widths first)."""
    from app.services.report.xlsx import display_len_sql

    owner = aliased(User)
    q = (select(func.count(), func.max(display_len_sql(owner.name, dialect_name)),
                func.max(display_len_sql(Account.name, dialect_name)),
                func.max(display_len_sql(Opportunity.title, dialect_name)),
                func.max(Opportunity.amount))
         .select_from(Opportunity)
         .join(owner, owner.id == Opportunity.owner_id)
         .outerjoin(Account, Account.id == Opportunity.account_id)
         .where(Opportunity.status == Status.OPEN.value))
    if owner_id is not None:
        q = q.where(Opportunity.owner_id == owner_id)
    return s.execute(q).one()


# ------------------------------------------------------------------ moves, closes, activities

def moves_query(start: datetime, end: datetime, owner_id: uuid.UUID | None):
    """Stage transitions in [start, end), creation excluded, oldest first."""
    owner = aliased(User)
    who = aliased(User)
    from_stage = aliased(Stage)
    to_stage = aliased(Stage)
    q = (select(Opportunity.title, Account.name, owner.name, from_stage.position, from_stage.name_en,
                from_stage.name_ko, StageTransition.from_status, to_stage.position, to_stage.name_en,
                to_stage.name_ko, StageTransition.to_status, StageTransition.at, who.name,
                StageTransition.kind, StageTransition.reason, StageTransition.override_reason)
         .select_from(StageTransition)
         .join(Opportunity, Opportunity.id == StageTransition.opportunity_id)
         .join(owner, owner.id == Opportunity.owner_id)
         .outerjoin(Account, Account.id == Opportunity.account_id)
         .outerjoin(from_stage, from_stage.id == StageTransition.from_stage_id)
         .join(to_stage, to_stage.id == StageTransition.to_stage_id)
         .outerjoin(who, who.id == StageTransition.user_id)
         .where(StageTransition.at >= start, StageTransition.at < end,
                StageTransition.kind != TransitionKind.CREATED.value)
         .order_by(StageTransition.at, *text_order(Opportunity.title), StageTransition.id))
    if owner_id is not None:
        q = q.where(Opportunity.owner_id == owner_id)
    return q


def closed_query(start: datetime, end: datetime, owner_id: uuid.UUID | None, dialect_name: str):
    """Deals won or lost in [start, end) (by their won/lost transition), with the reason
    and the days from creation to the close."""
    owner = aliased(User)
    q = (select(Opportunity.title, Account.name, owner.name, StageTransition.to_status,
                Stage.position, Stage.name_en, Stage.name_ko, Opportunity.amount, Opportunity.currency,
                StageTransition.at, StageTransition.reason, StageTransition.override_reason,
                days_between_sql_col(StageTransition.at, Opportunity.created_at, dialect_name))
         .select_from(StageTransition)
         .join(Opportunity, Opportunity.id == StageTransition.opportunity_id)
         .join(owner, owner.id == Opportunity.owner_id)
         .join(Stage, Stage.id == StageTransition.to_stage_id)
         .outerjoin(Account, Account.id == Opportunity.account_id)
         .where(StageTransition.at >= start, StageTransition.at < end,
                StageTransition.kind.in_([TransitionKind.WON.value, TransitionKind.LOST.value]))
         .order_by(StageTransition.to_status.desc(), StageTransition.at, *text_order(Opportunity.title),
                   StageTransition.id))
    if owner_id is not None:
        q = q.where(Opportunity.owner_id == owner_id)
    return q


def days_between_sql_col(later_col, earlier_col, dialect_name: str):
    if dialect_name == "sqlite":
        return func.julianday(later_col) - func.julianday(earlier_col)
    return func.extract("epoch", later_col - earlier_col) / 86400.0


def activities_query(start: datetime, end: datetime, now: datetime, owner_id: uuid.UUID | None):
    """Activities done in [start, end) and activities overdue at ``now`` (open, due before
    it); the first column says which (True = done this week)."""
    owner = aliased(User)
    done_in_week = and_(Activity.done_at >= start, Activity.done_at < end)
    overdue = and_(Activity.done_at.is_(None), Activity.due_at < now)
    q = (select(done_in_week.label("done_week"), Activity.type, Activity.subject, Opportunity.title,
                Account.name, owner.name, Activity.due_at, Activity.done_at, Activity.notes)
         .select_from(Activity)
         .join(owner, owner.id == Activity.owner_id)
         .outerjoin(Opportunity, Opportunity.id == Activity.opportunity_id)
         .outerjoin(Account, Account.id == Opportunity.account_id)
         .where(or_(done_in_week, overdue))
         .order_by(Activity.done_at.is_(None), Activity.done_at, Activity.due_at, *text_order(Activity.subject),
                   Activity.id))
    if owner_id is not None:
        q = q.where(Activity.owner_id == owner_id)
    return q


# ------------------------------------------------------------------ slipping and at-risk (streamed)

def date_days_sql(later_col, earlier_col, dialect_name: str):
    """Whole days between two DATE columns."""
    if dialect_name == "sqlite":
        return func.cast(func.julianday(later_col) - func.julianday(earlier_col), Integer)
    return later_col - earlier_col


def slipping_query(start: datetime, end: datetime, owner_id: uuid.UUID | None, currency: str,
                   dialect_name: str):
    """Deals whose expected close was pushed later in [start, end), most pushes first:
    title, account, owner, stage position, status, amount, currency, expected close,
    pushes, days pushed, last push. The definitions of ``analytics.slippage`` (a push is a
    change to a later date; deals of the report's currency), streamed instead of a list."""
    c = CloseDateChange
    pushes = (select(c.opportunity_id.label("deal_id"), func.count().label("n"),
                     func.sum(date_days_sql(c.new_date, c.old_date, dialect_name)).label("days"),
                     func.max(c.at).label("last"))
              .where(c.old_date.is_not(None), c.new_date.is_not(None), c.new_date > c.old_date,
                     c.at >= start, c.at < end)
              .group_by(c.opportunity_id)
              .subquery("pushed"))
    owner = aliased(User)
    q = (select(Opportunity.title, Account.name, owner.name, Stage.position, Opportunity.status,
                Opportunity.amount, Opportunity.currency, Opportunity.expected_close, pushes.c.n,
                pushes.c.days, pushes.c.last)
         .select_from(pushes)
         .join(Opportunity, Opportunity.id == pushes.c.deal_id)
         .join(owner, owner.id == Opportunity.owner_id)
         .join(Stage, Stage.id == Opportunity.stage_id)
         .outerjoin(Account, Account.id == Opportunity.account_id)
         .where(Opportunity.currency == currency)
         .order_by(pushes.c.n.desc(), pushes.c.days.desc(), *text_order(Opportunity.title), Opportunity.id))
    if owner_id is not None:
        q = q.where(Opportunity.owner_id == owner_id)
    return q


def at_risk_query(now: datetime, owner_id: uuid.UUID | None, thresholds: dict[int, float], dialect_name: str):
    """Open deals (every currency) longer in their stage than the stage's risk threshold
    (strictly), most overdue first: title, account, owner, stage position, amount, currency,
    expected close, days in stage, threshold. The rule of ``analytics.at_risk_deals``, streamed."""
    owner = aliased(User)
    days = days_between_sql(now, Opportunity.stage_entered_at, dialect_name)
    limit = case(*((Stage.position == p, literal(float(v))) for p, v in sorted(thresholds.items())),
                 else_=None) if thresholds else literal(None)
    q = (select(Opportunity.title, Account.name, owner.name, Stage.position, Opportunity.amount,
                Opportunity.currency, Opportunity.expected_close, days.label("days"), limit.label("limit"))
         .join(Stage, Stage.id == Opportunity.stage_id)
         .join(owner, owner.id == Opportunity.owner_id)
         .outerjoin(Account, Account.id == Opportunity.account_id)
         .where(Opportunity.status == Status.OPEN.value, days > limit)
         .order_by((days - limit).desc(), *text_order(Opportunity.title), Opportunity.id))
    if owner_id is not None:
        q = q.where(Opportunity.owner_id == owner_id)
    return q
