"""Sales analytics computed in SQL from the stage history: dwell per stage, at-risk deals,
cycle length, slippage, funnel, forecast, KPIs, marketing figures and target attainment.

Every function takes a :class:`Filters` (period, owner, lead source, currency, injectable
now) and returns plain dataclasses. Aggregation happens in the database (GROUP BY over
``stage_transition`` with its stored ``left_at``; percentiles with a window function that
returns only the rows at the median/75th-percentile positions), never by loading every row.
An undefined figure (no closed deals, no spend, zero cycle) is ``None``. No Qt.

Conventions (see docs/kpi.md):

- The period is a pair of inclusive dates read as UTC days: [start 00:00, end+1 00:00).
- Dwell of a visit is ``left_at − at`` (``now − at`` while the deal is still there), in days;
  only visits in an open status count (the terminal won/lost entries are not stage dwell).
- Percentiles interpolate linearly between ranks (numpy's default): with sorted values
  v0..v(n−1), q-quantile = v[i] + (v[i+1] − v[i])·f where (n−1)·q = i + f.
- Money is Decimal; amounts of deals in another currency than the chosen one are excluded
  (and counted in ``Kpis.excluded_deals``).
- Names and titles (sources, campaigns, owners, ties of equal figures) come in
  :mod:`app.services.collation`'s order, the same on SQLite and on any PostgreSQL server.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import BigInteger, and_, case, func, literal, or_, select, type_coerce
from sqlalchemy.orm import Session

from app.db import Database
from app.errors import Message, ValidationError
from app.models import (
    Campaign,
    CloseDateChange,
    LeadSource,
    MarketingSpend,
    Opportunity,
    Stage,
    StageTransition,
    Status,
    Target,
    TransitionKind,
    User,
    money,
    utcnow,
)
from app.models.base import UTCDateTime
from app.services.collation import text_key, text_order
from app.services.process import active_stages

CENT = Decimal("0.01")
DEFAULT_K = 1.5
SQL_STAGE = 3  # the qualification gate: a deal that reached stage 3 is a sales-qualified lead
FORECAST_CATEGORIES = ("commit", "best_case", "pipeline")
NO_SOURCE = "(no source)"


# ------------------------------------------------------------------ public shapes

@dataclass(frozen=True)
class Filters:
    start: date  # period, inclusive
    end: date  # inclusive
    owner_id: uuid.UUID | None = None
    lead_source_id: uuid.UUID | None = None
    currency: str | None = None  # None: the most common currency among the (filtered) deals
    now: datetime | None = None  # injectable "now" (UTC); default utcnow()


@dataclass(frozen=True)
class Stats:
    """Days: count of deals, mean, median and 75th percentile (None when count is 0)."""

    count: int
    mean: float | None
    median: float | None
    p75: float | None


EMPTY = Stats(0, None, None, None)


@dataclass(frozen=True)
class StageDwell:
    stage: int
    name_en: str
    name_ko: str
    won: Stats
    lost: Stats
    open: Stats
    lost_won_ratio: float | None  # lost median / won median

    def name(self, lang: str = "en") -> str:
        return self.name_ko if lang == "ko" else self.name_en


@dataclass(frozen=True)
class AtRiskDeal:
    deal_id: uuid.UUID
    title: str
    owner: str
    stage: int
    days_in_stage: float
    threshold_days: float
    days_over: float


@dataclass(frozen=True)
class CycleLength:
    overall: Stats
    by_owner: dict[str, Stats]
    by_source: dict[str, Stats]


@dataclass(frozen=True)
class DealSlip:
    deal_id: uuid.UUID
    title: str
    owner: str
    pushes: int
    days_pushed: int
    last_pushed_at: datetime


@dataclass(frozen=True)
class Slippage:
    per_deal: list[DealSlip]
    pushed_twice_or_more: list[uuid.UUID]
    pushed_this_week: list[uuid.UUID]
    by_week: list[tuple[date, int]]


@dataclass(frozen=True)
class FunnelStep:
    stage: int
    name_en: str
    name_ko: str
    reached: int
    went_on: int
    share: float | None

    def name(self, lang: str = "en") -> str:
        return self.name_ko if lang == "ko" else self.name_en


@dataclass(frozen=True)
class Funnel:
    steps: list[FunnelStep]
    lead_to_won: float | None
    cohort: int = 0
    won: int = 0


@dataclass(frozen=True)
class ForecastMonth:
    month: date
    won: Decimal
    weighted: Decimal
    commit: Decimal
    best_case: Decimal
    pipeline: Decimal
    historical: Decimal | None
    target: Decimal | None
    coverage: float | None
    open_total: Decimal = Decimal("0.00")  # commit + best_case + pipeline


@dataclass(frozen=True)
class Kpis:
    win_rate: float | None
    avg_won_size: Decimal | None
    cycle_days: float | None
    velocity: Decimal | None  # money per day
    new_deals: int
    won_revenue: Decimal
    won_count: int
    lost_count: int
    open_count: int  # open at the end of the period (now, if earlier), from the stage history
    open_pipeline: Decimal  # their amounts, as they are now
    currency: str = "KRW"
    excluded_deals: int = 0  # deals left out because they are in another currency


@dataclass(frozen=True)
class MarketingRow:
    kind: str  # "source" or "campaign"
    lead_source_id: uuid.UUID
    lead_source: str
    campaign_id: uuid.UUID | None
    campaign: str | None
    spend: Decimal | None  # None: no spend entered for the period
    leads: int
    sql: int
    won: int  # won customers (won deals among the leads)
    mql_to_sql: float | None
    cost_per_lead: Decimal | None
    cost_per_opportunity: Decimal | None
    cac: Decimal | None
    won_revenue: Decimal
    roi: float | None

    @property
    def name(self) -> str:
        return self.campaign if self.kind == "campaign" else self.lead_source


@dataclass(frozen=True)
class MarketingTotals:
    """Marketing figures over all lead sources (None = undefined)."""

    mql_to_sql: float | None = None
    cac: Decimal | None = None
    roi: float | None = None


@dataclass(frozen=True)
class TargetAttainment:
    target_id: uuid.UUID
    metric: str
    owner: str | None  # None = team
    period_start: date
    period_end: date
    target: Decimal
    actual: Decimal | float | int | None
    attainment_pct: float | None

    @property
    def period(self) -> tuple[date, date]:
        return (self.period_start, self.period_end)


# ------------------------------------------------------------------ helpers

def _q(d: Decimal) -> Decimal:
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


def _div(a, b) -> float | None:
    return None if not b else a / b


def _money_div(a: Decimal | None, b) -> Decimal | None:
    if a is None or not b:
        return None
    return _q(Decimal(a) / Decimal(b))


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=UTC)


def _month_first(d: date) -> date:
    return d.replace(day=1)


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, 1)


def _month_last(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


class _Q:
    """What every query of one call shares: session, dialect helpers, resolved filters."""

    def __init__(self, s: Session, f: Filters, *, any_currency: bool = False):
        self.s = s
        self.f = f
        self.sqlite = s.get_bind().dialect.name == "sqlite"
        self.now = (f.now or utcnow()).astimezone(UTC)
        self.start = _day_start(f.start)
        self.end = _day_start(f.end + timedelta(days=1))  # exclusive
        self.stages = [(st.position, st.id, st.name_en, st.name_ko, st.probability, st.dwell_limit_days)
                       for st in active_stages(s)]
        # None: no currency condition (figures without money, when no currency was asked for)
        self.currency = f.currency or (None if any_currency else self._common_currency())

    def ts(self, value: datetime):
        return literal(value, UTCDateTime())

    def jd(self, expr):
        """A timestamp as fractional days, so that differences are durations in days."""
        if self.sqlite:
            return func.julianday(expr)
        return func.extract("epoch", expr) / 86400.0

    def days(self, a, b):
        """b − a in days, rounded to the millisecond (so whole days compare exactly)."""
        seconds = (self.jd(b) - self.jd(a)) * 86400.0
        if not self.sqlite:  # PostgreSQL has round(numeric, int) only
            from sqlalchemy import Float, Numeric, cast

            return cast(func.round(cast(seconds, Numeric), 3), Float) / 86400.0
        return func.round(seconds, 3) / 86400.0

    def date_days(self, a, b):
        """b − a for two DATE columns, in whole days."""
        if self.sqlite:
            return func.cast(func.julianday(b) - func.julianday(a), _int())
        return b - a

    def owner_source(self, opp=Opportunity):
        conds = []
        if self.f.owner_id is not None:
            conds.append(opp.owner_id == self.f.owner_id)
        if self.f.lead_source_id is not None:
            conds.append(opp.lead_source_id == self.f.lead_source_id)
        return conds

    def deal_conds(self, opp=Opportunity):
        """Owner, lead source and currency filters on the deal."""
        conds = self.owner_source(opp)
        if self.currency is not None:
            conds.append(opp.currency == self.currency)
        return conds

    def in_period(self, col):
        return and_(col >= self.ts(self.start), col < self.ts(self.end))

    def _common_currency(self) -> str:
        row = self.s.execute(
            select(Opportunity.currency, func.count().label("n")).where(*self.owner_source())
            .group_by(Opportunity.currency).order_by(func.count().desc(), *text_order(Opportunity.currency)).limit(1)
        ).first()
        return row[0] if row else "KRW"

    def stage_names(self) -> dict[int, tuple[str, str]]:
        return {p: (en, ko) for p, _i, en, ko, _pr, _d in self.stages}


def _raw(col):
    """A Money column as its stored integer of hundredths (no Decimal conversion)."""
    return type_coerce(col, BigInteger())


def _cents(expr):
    """SUM of a Money column (or of an integer expression over it) in hundredths."""
    return func.sum(_raw(expr), type_=BigInteger())


def _int():
    from sqlalchemy import Integer

    return Integer()


def _interpolate(ranked: dict[int, float], n: int, q: float) -> float:
    pos = (n - 1) * q
    lo = int(pos)  # floor: pos >= 0
    frac = pos - lo
    v = ranked[lo]
    if frac and lo + 1 < n:
        v = v + (ranked[lo + 1] - v) * frac
    return v


def _stats_by(s: Session, values, group_cols: list[str]) -> dict[tuple, Stats]:
    """Count, mean, median and p75 of ``values.c.v`` per group, in SQL: a window function
    ranks the values and only the rows at the median and 75th-percentile positions (and
    their neighbours for interpolation) come back."""
    g = [values.c[c] for c in group_cols]
    v = values.c.v
    ranked = select(
        *g, v.label("v"),
        (func.row_number().over(partition_by=g, order_by=v) - 1).label("r"),
        func.count().over(partition_by=g).label("n"),
        func.avg(v).over(partition_by=g).label("mean"),
    ).subquery()
    r, n = ranked.c.r, ranked.c.n
    half = (n - 1) // 2
    three = ((n - 1) * 3) // 4
    rows = s.execute(
        select(*[ranked.c[c] for c in group_cols], ranked.c.v, r, n, ranked.c.mean)
        .where(or_(r == half, r == half + 1, r == three, r == three + 1))
    ).all()
    acc: dict[tuple, tuple[int, float, dict[int, float]]] = {}
    k = len(group_cols)
    for row in rows:
        key = tuple(row[:k])
        value, rank, count, mean = row[k], row[k + 1], row[k + 2], row[k + 3]
        acc.setdefault(key, (int(count), float(mean), {}))[2][int(rank)] = float(value)
    return {key: Stats(n_, mean, _interpolate(ranks, n_, 0.5), _interpolate(ranks, n_, 0.75))
            for key, (n_, mean, ranks) in acc.items()}


def _per_deal_dwell(q: _Q, *, only_status: str | None = None, period: bool = True):
    """One row per (deal, stage position): days in that stage added up over all visits,
    with the deal's status as outcome. With ``period``: only (deal, stage) pairs with a visit
    overlapping the period. A visit of kind "imported" is left out: an import wrote it for a
    stretch whose stage the file did not state (from a deal's creation to the first stage
    the file dates), so its days in that stage are not known."""
    t = StageTransition
    end_at = func.coalesce(t.left_at, q.ts(q.now))
    conds = [t.to_status == Status.OPEN.value, t.kind != TransitionKind.IMPORTED.value, *q.deal_conds()]
    if only_status is not None:
        conds.append(Opportunity.status == only_status)
    stmt = (
        select(t.opportunity_id.label("deal_id"), Stage.position.label("stage"),
               Opportunity.status.label("outcome"), func.sum(q.days(t.at, end_at)).label("v"))
        .join(Opportunity, Opportunity.id == t.opportunity_id)
        .join(Stage, Stage.id == t.to_stage_id)
        .where(*conds)
        .group_by(t.opportunity_id, Stage.position, Opportunity.status)
    )
    if period:
        overlap = case((and_(t.at < q.ts(q.end), end_at > q.ts(q.start)), 1), else_=0)
        stmt = stmt.having(func.max(overlap) == 1)
    return stmt.subquery()


def _deal_reach(q: _Q, extra_conds: Iterable = ()):
    """Per deal: the highest stage it ever reached (a skip passes the stages in between; a
    deal that was won passed every stage, even when a manager closed it early) and its status."""
    t = StageTransition
    last = q.stages[-1][0] if q.stages else 0
    top = func.max(case((t.to_status == Status.WON.value, last), else_=Stage.position))
    return (
        select(Opportunity.id.label("deal_id"), top.label("top"),
               Opportunity.status.label("status"))
        .join(t, t.opportunity_id == Opportunity.id)
        .join(Stage, Stage.id == t.to_stage_id)
        .where(*q.deal_conds(), *extra_conds)
        .group_by(Opportunity.id, Opportunity.status)
    ).subquery()


# ------------------------------------------------------------------ dwell and risk

def _won_medians(s: Session, q: _Q) -> dict[int, float]:
    per = _per_deal_dwell(q, only_status=Status.WON.value, period=False)
    return {key[0]: st.median for key, st in _stats_by(s, per, ["stage"]).items()}


def stage_risk_thresholds(db: Database, k: float = DEFAULT_K, f: Filters | None = None) -> dict[int, float]:
    """Stage position -> k × the median days that won deals spent in the stage (re-entries
    added up per deal, all history, every owner and currency: the team's norm that the board
    marks use); the template's ``dwell_limit_days`` for a stage without won history. ``f`` may
    narrow by owner/source/currency (its period is not used)."""
    f = f or Filters(start=date.min, end=date.max - timedelta(days=1))
    with db.read() as s:
        q = _Q(s, f, any_currency=True)
        medians = _won_medians(s, q)
        return {pos: (k * medians[pos] if medians.get(pos) is not None else float(limit))
                for pos, _i, _en, _ko, _p, limit in q.stages}


def dwell_by_stage(db: Database, f: Filters) -> list[StageDwell]:
    """Days per stage for won, lost and open deals (a deal's outcome is its current status).

    Deals counted for a stage: those with a visit of that stage overlapping the period; all
    their visits of the stage are added up (a re-entered stage counts once, with the sum).
    Open visits run until ``f.now``."""
    with db.read() as s:
        q = _Q(s, f)
        stats = _stats_by(s, _per_deal_dwell(q), ["stage", "outcome"])
        out = []
        for pos, _i, en, ko, _p, _d in q.stages:
            won = stats.get((pos, "won"), EMPTY)
            lost = stats.get((pos, "lost"), EMPTY)
            ratio = lost.median / won.median if lost.median is not None and won.median else None
            out.append(StageDwell(pos, en, ko, won, lost, stats.get((pos, "open"), EMPTY), ratio))
        return out


def _at_risk_stmt(q: _Q, thresholds: dict[int, float]):
    days = q.days(Opportunity.stage_entered_at, q.ts(q.now))
    limit = case(*((Stage.position == p, literal(v)) for p, v in thresholds.items()), else_=None)
    return (
        select(Opportunity.id, Opportunity.title, User.name, Stage.position, days.label("days"),
               limit.label("limit"))
        .join(Stage, Stage.id == Opportunity.stage_id)
        .join(User, User.id == Opportunity.owner_id)
        .where(Opportunity.status == Status.OPEN.value, *q.deal_conds(), days > limit)
    )


def at_risk_deals(db: Database, f: Filters, k: float = DEFAULT_K,
                  thresholds: dict[int, float] | None = None) -> list[AtRiskDeal]:
    """Open deals whose current visit of their stage (now − stage entered) exceeds the stage's
    risk threshold (strictly), most overdue first. The thresholds are the team's
    (:func:`stage_risk_thresholds` without filters); the list follows the owner/source filters
    and ``f.now``, not the period, and holds every currency unless one is asked for.
    ``thresholds`` already computed by :func:`stage_risk_thresholds` (same k) saves a query."""
    if thresholds is None:
        thresholds = stage_risk_thresholds(db, k)
    with db.read() as s:
        q = _Q(s, f, any_currency=True)
        rows = s.execute(_at_risk_stmt(q, thresholds)).all()
    out = [AtRiskDeal(i, title, owner, pos, float(d), float(lim), float(d) - float(lim))
           for i, title, owner, pos, d, lim in rows]
    out.sort(key=lambda a: (-a.days_over, text_key(a.title), str(a.deal_id)))
    return out


# ------------------------------------------------------------------ cycle

def _won_cycles(q: _Q):
    src = func.coalesce(LeadSource.name, NO_SOURCE)
    return (
        select(Opportunity.id.label("deal_id"), User.name.label("owner"), src.label("source"),
               q.days(Opportunity.created_at, Opportunity.closed_at).label("v"))
        .join(User, User.id == Opportunity.owner_id)
        .outerjoin(LeadSource, LeadSource.id == Opportunity.lead_source_id)
        .where(Opportunity.status == Status.WON.value, q.in_period(Opportunity.closed_at), *q.deal_conds())
    ).subquery()


def cycle_length(db: Database, f: Filters) -> CycleLength:
    """Days from creation to won, for deals won in the period; overall, by owner, by source."""
    with db.read() as s:
        q = _Q(s, f)
        cyc = _won_cycles(q)
        one = select(literal(1).label("all_"), cyc.c.v).subquery()
        overall = _stats_by(s, one, ["all_"]).get((1,), EMPTY)
        by_name = lambda kv: text_key(kv[0][0])  # noqa: E731 - owner and source names, in the app's order
        by_owner = {k[0]: v for k, v in sorted(_stats_by(s, cyc, ["owner"]).items(), key=by_name)}
        by_source = {k[0]: v for k, v in sorted(_stats_by(s, cyc, ["source"]).items(), key=by_name)}
        return CycleLength(overall, by_owner, by_source)


# ------------------------------------------------------------------ slippage

def _pushes(q: _Q):
    c = CloseDateChange
    return and_(c.old_date.is_not(None), c.new_date.is_not(None), c.new_date > c.old_date)


def slippage(db: Database, f: Filters) -> Slippage:
    """Close-date pushes (a change to a later date; a pull-in or a first date is not a push)
    recorded in the period, per deal; deals pushed twice or more in the period; deals pushed
    in the ISO week of ``f.now``; pushes per week (Monday) across the period."""
    c = CloseDateChange
    with db.read() as s:
        q = _Q(s, f)
        rows = s.execute(
            select(Opportunity.id, Opportunity.title, User.name, func.count(),
                   func.sum(q.date_days(c.old_date, c.new_date)), func.max(c.at))
            .join(Opportunity, Opportunity.id == c.opportunity_id)
            .join(User, User.id == Opportunity.owner_id)
            .where(_pushes(q), q.in_period(c.at), *q.deal_conds())
            .group_by(Opportunity.id, Opportunity.title, User.name)
        ).all()
        per = [DealSlip(i, title, owner, int(n), int(d or 0), _aware(last)) for i, title, owner, n, d, last in rows]
        per.sort(key=lambda x: (-x.pushes, -x.days_pushed, text_key(x.title), str(x.deal_id)))
        twice = [x.deal_id for x in per if x.pushes >= 2]
        wk = _day_start(_week_start(q.now.date()))
        this_week = list(s.scalars(
            select(c.opportunity_id).join(Opportunity, Opportunity.id == c.opportunity_id)
            .where(_pushes(q), c.at >= q.ts(wk), c.at < q.ts(wk + timedelta(days=7)), *q.deal_conds())
            .group_by(c.opportunity_id).order_by(c.opportunity_id)
        ))
        first = _week_start(f.start)
        weeks_in = (q.jd(c.at) - q.jd(q.ts(_day_start(first)))) / 7
        # SQLite's CAST truncates (>= 0 here: a floor); PostgreSQL's rounds, so floor first
        idx = func.cast(weeks_in if q.sqlite else func.floor(weeks_in), _int())
        counts = dict(s.execute(
            select(idx, func.count()).join(Opportunity, Opportunity.id == c.opportunity_id)
            .where(_pushes(q), q.in_period(c.at), *q.deal_conds()).group_by(idx)
        ).all())
        weeks = []
        w, i = first, 0
        while w <= f.end:
            weeks.append((w, int(counts.get(i, 0))))
            w += timedelta(days=7)
            i += 1
        return Slippage(per, twice, this_week, weeks)


def _aware(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# ------------------------------------------------------------------ funnel

def funnel(db: Database, f: Filters) -> Funnel:
    """Cohort: deals created in the period. ``reached`` stage p: the deal's highest stage ever
    entered is p or later (a skip passes through the stages in between, whose deliverables
    the gate demanded); ``went_on``: it reached a later stage, or for the last stage, was won."""
    with db.read() as s:
        q = _Q(s, f)
        reach = _deal_reach(q, [q.in_period(Opportunity.created_at)])
        rows = s.execute(
            select(reach.c.top, func.count(), func.sum(case((reach.c.status == Status.WON.value, 1), else_=0)))
            .group_by(reach.c.top)
        ).all()
        by_top = {int(top): int(n) for top, n, _w in rows}
        won = sum(int(w or 0) for _t, _n, w in rows)
        cohort = sum(by_top.values())
        steps = []
        last = q.stages[-1][0] if q.stages else 0
        for pos, _i, en, ko, _p, _d in q.stages:
            reached = sum(n for top, n in by_top.items() if top >= pos)
            went_on = won if pos == last else sum(n for top, n in by_top.items() if top > pos)
            steps.append(FunnelStep(pos, en, ko, reached, went_on, went_on / reached if reached else None))
        return Funnel(steps, won / cohort if cohort else None, cohort, won)


# ------------------------------------------------------------------ forecast

def _months(f: Filters) -> list[date]:
    out, m = [], _month_first(f.start)
    while m <= f.end:
        out.append(m)
        m = _add_months(m, 1)
    return out


def _win_rates_from_stage(q: _Q) -> dict[int, Fraction]:
    """Per stage: won / closed among deals closed in the 12 months before now that reached
    that stage, by the funnel's rule (:func:`_deal_reach`: the highest stage the deal ever
    entered is that stage or later; a won deal reached every stage)."""
    today = q.now.date()
    since = date(today.year - 1, today.month, min(today.day, 28 if today.month == 2 else today.day))
    reach = _deal_reach(q, [Opportunity.status.in_([Status.WON.value, Status.LOST.value]),
                            Opportunity.closed_at >= q.ts(_day_start(since)), Opportunity.closed_at < q.ts(q.now)])
    rows = s_exec(q, select(reach.c.top, func.count(), func.sum(case((reach.c.status == Status.WON.value, 1), else_=0)))
                  .group_by(reach.c.top))
    by_top = [(int(top), int(n), int(w or 0)) for top, n, w in rows]
    out = {}
    for pos, *_rest in q.stages:
        closed = sum(n for top, n, _w in by_top if top >= pos)
        if closed:
            out[pos] = Fraction(sum(w for top, _n, w in by_top if top >= pos), closed)
    return out


def s_exec(q: _Q, stmt):
    return q.s.execute(stmt).all()


def _target_for(q: _Q, metric: str, owner_id, first: date, last: date) -> Decimal | None:
    """The target value for [first, last]: the sum of the owner's (None: the team's) targets
    that lie inside it; when there are none, the targets overlapping it, prorated by days
    (a quarterly target gives a month its share)."""
    rows = s_exec(q, select(Target.period_start, Target.period_end, Target.value).where(
        Target.metric == metric,
        Target.owner_id.is_(None) if owner_id is None else Target.owner_id == owner_id,
        Target.period_start <= last, Target.period_end >= first,
        *([or_(Target.currency.is_(None), Target.currency == q.currency)] if metric == "won_revenue" else []),
    ))
    if not rows:
        return None
    inside = [r for r in rows if r[0] >= first and r[1] <= last]
    if inside:
        return _q(sum((Decimal(v) for _s, _e, v in inside), Decimal(0)))
    total = Decimal(0)
    for ps, pe, value in rows:
        overlap = (min(pe, last) - max(ps, first)).days + 1
        length = (pe - ps).days + 1
        total += Decimal(value) * overlap / length
    return _q(total)


def forecast(db: Database, f: Filters) -> list[ForecastMonth]:
    """Per month of the period: won (deals won, by month of closing), and for open deals by
    month of expected close: weighted (amount × stage probability), commit / best case /
    pipeline (by forecast category; 'omitted' is left out), historical (amount × the win rate
    observed from the deal's stage over the 12 months of closed deals before now; None when a
    stage holding open amount has no closed history), target (won_revenue target of the owner
    filter, else the team, prorated to the month) and coverage = open total / (target − won)."""
    months = _months(f)
    with db.read() as s:
        q = _Q(s, f)
        o = Opportunity
        won_month = func.strftime("%Y-%m", o.closed_at) if q.sqlite else func.to_char(o.closed_at, "YYYY-MM")
        won = {m: int(c or 0) for m, c in s.execute(
            select(won_month, _cents(o.amount)).where(
                o.status == Status.WON.value, q.in_period(o.closed_at), *q.deal_conds()).group_by(won_month))}
        exp_month = func.strftime("%Y-%m", o.expected_close) if q.sqlite else func.to_char(o.expected_close, "YYYY-MM")
        open_rows = s.execute(
            select(exp_month, o.forecast_category, Stage.position, _cents(o.amount),
                   _cents(_raw(o.amount) * Stage.probability))
            .join(Stage, Stage.id == o.stage_id)
            .where(o.status == Status.OPEN.value, o.expected_close >= f.start, o.expected_close <= f.end,
                   o.forecast_category.in_(FORECAST_CATEGORIES), o.amount.is_not(None), *q.deal_conds())
            .group_by(exp_month, o.forecast_category, Stage.position)
        ).all()
        rates = _win_rates_from_stage(q) if open_rows else {}
        out = []
        for m in months:
            key = m.strftime("%Y-%m")
            cats = dict.fromkeys(FORECAST_CATEGORIES, 0)
            weighted = 0
            hist: Fraction | None = Fraction(0)
            for mk, cat, pos, cents, wcents in open_rows:
                if mk != key:
                    continue
                cats[cat] += int(cents)
                weighted += int(wcents)
                if hist is not None:
                    rate = rates.get(int(pos))
                    hist = None if rate is None else hist + Fraction(int(cents)) * rate
            open_cents = sum(cats.values())
            won_amount = money(won.get(key, 0))
            target = _target_for(q, "won_revenue", f.owner_id, m, _month_last(m))
            remaining = None if target is None else target - won_amount
            coverage = (float(Decimal(open_cents) / 100 / remaining) if remaining is not None and remaining > 0
                        else None)
            out.append(ForecastMonth(
                month=m, won=won_amount, weighted=_q(Decimal(weighted) / 10000),
                commit=money(cats["commit"]), best_case=money(cats["best_case"]), pipeline=money(cats["pipeline"]),
                historical=None if hist is None else _q(Decimal(hist.numerator) / Decimal(hist.denominator) / 100),
                target=target, coverage=coverage, open_total=money(open_cents),
            ))
        return out


# ------------------------------------------------------------------ KPIs

def _closed_counts(q: _Q, first: datetime, end: datetime, conds: list | None = None):
    """(won, lost, won revenue, won deals with an amount) of deals closed in [first, end)."""
    o = Opportunity
    row = q.s.execute(
        select(func.sum(case((o.status == Status.WON.value, 1), else_=0)),
               func.sum(case((o.status == Status.LOST.value, 1), else_=0)),
               _cents(case((o.status == Status.WON.value, _raw(o.amount)), else_=None)),
               func.sum(case((and_(o.status == Status.WON.value, o.amount.is_not(None)), 1), else_=0)))
        .where(o.status.in_([Status.WON.value, Status.LOST.value]),
               o.closed_at >= q.ts(first), o.closed_at < q.ts(end), *(q.deal_conds() if conds is None else conds))
    ).one()
    return int(row[0] or 0), int(row[1] or 0), money(row[2] or 0), int(row[3] or 0)


def _open_at(q: _Q, moment: datetime) -> tuple[int, int]:
    """(count, amount in hundredths) of the deals open just before ``moment``: their stage
    visit then (begun before it, its ``left_at`` not before it) was in the open status, as
    the weekly report reads a past week's pipeline. Amounts have no history: as they are now."""
    t, o = StageTransition, Opportunity
    at = q.ts(moment)
    # every stage (a foreign key, so no condition at all): it lets SQLite read the covering
    # index (to_stage_id, to_status, at, left_at, deal), 7x faster than by ``at`` and row lookups
    open_then = select(t.opportunity_id).where(
        t.to_stage_id.in_(select(Stage.id)), t.to_status == Status.OPEN.value, t.at < at,
        or_(t.left_at.is_(None), t.left_at >= at))
    n, cents = q.s.execute(select(func.count(), _cents(o.amount)).where(o.id.in_(open_then), *q.deal_conds())).one()
    return int(n or 0), int(cents or 0)


def kpis(db: Database, f: Filters) -> Kpis:
    """Win rate (won / (won + lost) of deals closed in the period), average won deal size,
    cycle days (mean, created -> won, deals won in the period), velocity (open deals × win
    rate × average won size / cycle days, money per day), new deals (created in the period),
    won revenue; open count and pipeline (and so velocity) are the pipeline at the end of the
    period, or now if that is earlier, read from the stage history (:func:`_open_at`)."""
    with db.read() as s:
        q = _Q(s, f)
        o = Opportunity
        won_n, lost_n, revenue, won_with_amount = _closed_counts(q, q.start, q.end)
        new = s.scalar(select(func.count()).select_from(o).where(q.in_period(o.created_at), *q.deal_conds()))
        open_n, open_cents = _open_at(q, min(q.now, q.end))
        cyc = _won_cycles(q)
        cycle = s.scalar(select(func.avg(cyc.c.v)))
        excluded = s.scalar(select(func.count()).select_from(o).where(
            *q.owner_source(), o.currency != q.currency))
    win_rate = _div(won_n, won_n + lost_n)
    avg = _money_div(revenue, won_with_amount)
    cycle_days = float(cycle) if cycle is not None else None
    velocity = None
    if win_rate is not None and avg is not None and cycle_days:
        velocity = _q(Decimal(open_n) * Decimal(won_n) / Decimal(won_n + lost_n) * avg / Decimal(str(cycle_days)))
    return Kpis(win_rate=win_rate, avg_won_size=avg, cycle_days=cycle_days, velocity=velocity,
                new_deals=int(new or 0), won_revenue=revenue, won_count=won_n, lost_count=lost_n,
                open_count=int(open_n or 0), open_pipeline=money(open_cents or 0), currency=q.currency,
                excluded_deals=int(excluded or 0))


# ------------------------------------------------------------------ marketing

def marketing(db: Database, f: Filters) -> list[MarketingRow]:
    """Per lead source, then per campaign: spend of the months in the period (in the chosen
    currency), leads (MQL: deals created in the period from it), SQL (those that reached
    stage 3 or beyond), won customers (those now won) and their revenue, and the ratios."""
    with db.read() as s:
        q = _Q(s, f)
        o = Opportunity
        reach = _deal_reach(q, [q.in_period(o.created_at)])
        cohort = (
            select(o.lead_source_id, o.campaign_id, func.count().label("leads"),
                   func.sum(case((reach.c.top >= SQL_STAGE, 1), else_=0)).label("sql"),
                   func.sum(case((reach.c.status == Status.WON.value, 1), else_=0)).label("won"),
                   _cents(case((reach.c.status == Status.WON.value, _raw(o.amount)), else_=None)).label("rev"))
            .join(reach, reach.c.deal_id == o.id)
            .where(o.lead_source_id.is_not(None))
            .group_by(o.lead_source_id, o.campaign_id)
        )
        leads = {(ls, c): (int(n), int(sq or 0), int(w or 0), int(r or 0)) for ls, c, n, sq, w, r in s.execute(cohort)}
        sp = MarketingSpend
        spend = {(ls, c): int(a) for ls, c, a in s.execute(
            select(sp.lead_source_id, sp.campaign_id, _cents(sp.amount))
            .where(sp.month >= _month_first(f.start), sp.month <= f.end, sp.currency == q.currency,
                   *([sp.lead_source_id == f.lead_source_id] if f.lead_source_id else []))
            .group_by(sp.lead_source_id, sp.campaign_id))}
        src_q = select(LeadSource.id, LeadSource.name).order_by(*text_order(LeadSource.name), LeadSource.id)
        camp_q = (select(Campaign.id, Campaign.lead_source_id, Campaign.name)
                  .order_by(*text_order(Campaign.name), Campaign.id))
        if f.lead_source_id:
            src_q = src_q.where(LeadSource.id == f.lead_source_id)
            camp_q = camp_q.where(Campaign.lead_source_id == f.lead_source_id)
        sources = s.execute(src_q).all()
        campaigns = s.execute(camp_q).all()

    def row(kind, sid, sname, cid, cname, keys) -> MarketingRow:
        n = sq = w = rev = 0
        for k in keys:
            a, b, c, d = leads.get(k, (0, 0, 0, 0))
            n, sq, w, rev = n + a, sq + b, w + c, rev + d
        spent = [spend[k] for k in keys if k in spend]
        total = money(sum(spent)) if spent else None
        revenue = money(rev)
        return MarketingRow(kind, sid, sname, cid, cname, total, n, sq, w, _div(sq, n),
                            _money_div(total, n), _money_div(total, sq), _money_div(total, w), revenue,
                            _roi(revenue, total))

    all_keys = set(leads) | set(spend)
    out = []
    for sid, sname in sources:
        out.append(row("source", sid, sname, None, None, [k for k in all_keys if k[0] == sid]))
    names = dict(sources)
    for cid, sid, cname in campaigns:
        if sid in names:
            out.append(row("campaign", sid, names[sid], cid, cname, [(sid, cid)]))
    return out


def _roi(revenue: Decimal, spend: Decimal | None) -> float | None:
    """Marketing ROI: (won revenue - spend) / spend; undefined without spend."""
    return float((revenue - spend) / spend) if spend else None


def marketing_totals(rows: list[MarketingRow]) -> MarketingTotals:
    """Totals over the per-lead-source rows of ``marketing()`` (campaign rows are parts of
    them, not added): MQL->SQL, CAC (spend per won customer) and ROI, by the same formulas
    as the rows."""
    src = [r for r in rows if r.kind == "source"]
    leads = sum(r.leads for r in src)
    sqls = sum(r.sql for r in src)
    won = sum(r.won for r in src)
    spent = [r.spend for r in src if r.spend is not None]
    spend = sum(spent, Decimal(0)) if spent else None
    revenue = sum((r.won_revenue for r in src), Decimal(0))
    return MarketingTotals(mql_to_sql=_div(sqls, leads), cac=_money_div(spend, won), roi=_roi(revenue, spend))


# ------------------------------------------------------------------ targets

def targets_attainment(db: Database, f: Filters) -> list[TargetAttainment]:
    """Targets whose period overlaps ``f``'s (with an owner filter: that owner's and the
    team's), each measured over its own period for its owner (None: everybody): won_revenue
    (deals in the target's currency), won_count, new_deals, win_rate (in percent, like its
    target; counts over every currency). Attainment = actual / target × 100."""
    o = Opportunity
    with db.read() as s:
        q = _Q(s, f)
        stmt = (select(Target.id, Target.metric, Target.owner_id, User.name, Target.period_start,
                       Target.period_end, Target.value, Target.currency)
                .outerjoin(User, User.id == Target.owner_id)
                .where(Target.period_start <= f.end, Target.period_end >= f.start)
                .order_by(Target.period_start, Target.metric, Target.owner_id.is_not(None),  # the team first
                          *text_order(User.name), Target.id))
        if f.owner_id is not None:
            stmt = stmt.where(or_(Target.owner_id.is_(None), Target.owner_id == f.owner_id))
        out = []
        for tid, metric, owner_id, owner, ps, pe, value, currency in s.execute(stmt).all():
            first, end = _day_start(ps), _day_start(pe + timedelta(days=1))
            who = [o.owner_id == owner_id] if owner_id is not None else []
            actual: Any = None
            if metric == "won_revenue":
                actual = _closed_counts(q, first, end, [*who, o.currency == (currency or q.currency)])[2]
            elif metric in ("won_count", "win_rate"):
                won_n, lost_n, _rev, _n = _closed_counts(q, first, end, who)
                if metric == "won_count":
                    actual = won_n
                elif won_n + lost_n:
                    actual = won_n / (won_n + lost_n) * 100
            elif metric == "new_deals":
                actual = int(s.scalar(select(func.count()).select_from(o).where(
                    o.created_at >= q.ts(first), o.created_at < q.ts(end), *who)) or 0)
            pct = None if actual is None or not value else float(Decimal(str(actual)) / Decimal(value) * 100)
            out.append(TargetAttainment(tid, metric, owner, ps, pe, value, actual, pct))
        return out


# ------------------------------------------------------------------ drill-down

def deals_for(db: Database, f: Filters, *, chart: str, key, k: float = DEFAULT_K) -> list[uuid.UUID]:
    """The exact deals behind a chart bar, ordered by title: dwell (stage, outcome), funnel
    stage, forecast (month, won|commit|best_case|pipeline), slippage week_start, at_risk stage."""
    if chart == "at_risk":
        return [a.deal_id for a in sorted((a for a in at_risk_deals(db, f, k) if a.stage == key),
                                          key=lambda a: (text_key(a.title), str(a.deal_id)))]
    with db.read() as s:
        q = _Q(s, f)
        o = Opportunity
        if chart == "dwell":
            stage, outcome = key
            per = _per_deal_dwell(q)
            ids = select(per.c.deal_id).where(per.c.stage == stage, per.c.outcome == outcome)
        elif chart == "funnel":
            reach = _deal_reach(q, [q.in_period(o.created_at)])
            ids = select(reach.c.deal_id).where(reach.c.top >= key)
        elif chart == "forecast":
            month, cat = key
            first, last = _month_first(month), _month_last(month)
            if cat == "won":
                lo, hi = max(_day_start(first), q.start), min(_day_start(last + timedelta(days=1)), q.end)
                ids = select(o.id).where(o.status == Status.WON.value, o.closed_at >= q.ts(lo),
                                         o.closed_at < q.ts(hi), *q.deal_conds())
            elif cat in FORECAST_CATEGORIES:
                ids = select(o.id).where(o.status == Status.OPEN.value, o.forecast_category == cat,
                                         o.expected_close >= max(first, f.start),
                                         o.expected_close <= min(last, f.end), o.amount.is_not(None),
                                         *q.deal_conds())
            else:
                raise ValidationError({"key": Message("'{value}' is not a forecast category", value=cat)})
        elif chart == "slippage":
            c = CloseDateChange
            wk = _day_start(key)
            lo, hi = max(wk, q.start), min(wk + timedelta(days=7), q.end)
            ids = (select(c.opportunity_id).join(o, o.id == c.opportunity_id)
                   .where(_pushes(q), c.at >= q.ts(lo), c.at < q.ts(hi), *q.deal_conds()))
        else:
            raise ValidationError({"chart": Message("'{chart}' is not a chart (dwell, funnel, forecast, slippage, "
                                                    "at_risk)", chart=chart)})
        sub = ids.subquery()
        return list(s.scalars(select(o.id).where(o.id.in_(select(sub.c[0]))).order_by(*text_order(o.title), o.id)))


# ------------------------------------------------------------------ periods and report

def previous_period(f: Filters) -> Filters:
    """The period just before ``f``'s: whole calendar months shift by as many months (so the
    quarter before a quarter); any other period by the same number of days."""
    if f.start.day == 1 and f.end == _month_last(f.end):
        n = (f.end.year * 12 + f.end.month) - (f.start.year * 12 + f.start.month) + 1
        start = _add_months(f.start, -n)
        return replace(f, start=start, end=f.start - timedelta(days=1))
    length = (f.end - f.start).days + 1
    end = f.start - timedelta(days=1)
    return replace(f, start=end - timedelta(days=length - 1), end=end)


def current_quarter(today: date) -> tuple[date, date]:
    first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return first, _month_last(_add_months(first, 2))


def _json(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if is_dataclass(value):
        return {fl.name: _json(getattr(value, fl.name)) for fl in fields(value)}
    if isinstance(value, dict):
        return {str(_json(k)): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return str(value)


def kpi_report(db: Database, f: Filters, k: float = DEFAULT_K) -> dict:
    """Every figure as JSON-ready data (Decimals as strings, undefined as null); keys in docs/kpi.md."""
    now = f.now or utcnow()
    asked = f = replace(f, now=now)
    with db.read() as s:
        currency = _Q(s, f).currency
    f = replace(f, currency=currency)
    prev = previous_period(f)
    slip = slippage(db, f)
    thresholds = stage_risk_thresholds(db, k)  # the team's, as on the board
    return _json({
        "period": {"start": f.start, "end": f.end, "now": now, "currency": currency,
                   "owner_id": f.owner_id, "lead_source_id": f.lead_source_id},
        "previous_period": {"start": prev.start, "end": prev.end},
        "kpis": kpis(db, f),
        "previous_kpis": kpis(db, prev),
        "dwell": dwell_by_stage(db, f),
        "risk_thresholds": {str(p): v for p, v in thresholds.items()},
        "at_risk": at_risk_deals(db, asked, k, thresholds),
        "cycle": cycle_length(db, f),
        "slippage": {
            "per_deal": slip.per_deal, "pushed_twice_or_more": slip.pushed_twice_or_more,
            "pushed_this_week": slip.pushed_this_week,
            "by_week": [{"week_start": w, "pushes": n} for w, n in slip.by_week],
        },
        "funnel": funnel(db, f),
        "forecast": forecast(db, f),
        "marketing": marketing(db, f),
        "targets": targets_attainment(db, f),
    })


__all__ = [
    "AtRiskDeal", "CycleLength", "DealSlip", "Filters", "ForecastMonth", "Funnel", "FunnelStep", "Kpis",
    "MarketingRow", "Slippage", "StageDwell", "Stats", "TargetAttainment", "at_risk_deals", "current_quarter",
    "cycle_length", "deals_for", "dwell_by_stage", "forecast", "funnel", "kpi_report", "kpis", "marketing",
    "previous_period", "slippage", "stage_risk_thresholds", "targets_attainment",
]
