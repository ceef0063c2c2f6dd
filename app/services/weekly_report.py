"""The weekly-meeting Excel workbook (issue 5). No Qt.

:func:`write_weekly_report` writes one .xlsx for an ISO week: Summary (KPIs against last
week, what changed), Pipeline by stage, Open deals, Stage moves, Won and lost, Slipping
deals, At-risk deals, Forecast by month (with a chart), Dwell time by stage (with a chart)
and Activities, in English or Korean. KPIs, dwell, risk, slippage and forecast come from
:mod:`app.services.analytics`; the lists come from :mod:`app.services.report.queries`.

The workbook is streamed (openpyxl write-only): the open-deals list is read from the
database in batches and written row by row, so memory stays flat however many deals
there are. The file appears only when complete: it is written next to the target under a
temporary name and renamed, so a cancelled or failed export leaves nothing behind (and
never half-overwrites an earlier report).
"""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from sqlalchemy import func, select

from app.db import Database
from app.errors import AppError, Message, ValidationError
from app.models import Opportunity, Stage, Status, utcnow
from app.services import history
from app.services.collation import text_key
from app.services.people import find_user
from app.services.process import active_stages
from app.services.report import queries as Q
from app.services.report.labels import text
from app.services.report.xlsx import (
    DAYS_FMT,
    HEADER_FILL,
    HEADER_FONT,
    INT_FMT,
    MONTH_FMT,
    RATE_FMT,
    RISK_FILL,
    SLIP_FILL,
    SUBTITLE_FONT,
    TEXT_ALIGN,
    TITLE_FONT,
    TOTAL_BORDER,
    TOTAL_FONT,
    Col,
    Formula,
    RowRule,
    TableSheet,
    TotalGroup,
    Widths,
    currency_format,
    display_len,
    fit,
    header_alignment,
    rate_value,
    ratio_value,
)

WEEK_RE = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)
SHEETS = ("summary", "pipeline", "open", "moves", "closed", "slipping", "at_risk", "forecast",
          "dwell", "activities")
WON_FILL_COLOR = "C6EFCE"

Progress = Callable[[int, int], None]


class ExportCancelled(AppError):
    """The user cancelled the export; no file was written."""

    def __init__(self, message: str | None = None):
        super().__init__(message or Message("export cancelled; no file was written"))


@dataclass(frozen=True)
class ReportSummary:
    """What was written: the file, the week, the sheets and their row counts."""

    path: Path
    week: str
    start: date  # Monday
    end: date  # Sunday
    lang: str
    owner: str | None
    currency: str
    sheets: list[str]
    rows: dict[str, int] = field(default_factory=dict)  # by sheet key (see SHEETS)

    @property
    def open_deals(self) -> int:
        return self.rows.get("open", 0)


# ------------------------------------------------------------------ weeks

def parse_iso_week(week: str) -> tuple[date, date]:
    """'2026-W47' -> (Monday, Sunday) of that ISO week. Raises ValidationError({'week': …})."""
    m = WEEK_RE.match(week or "")
    if m:
        try:
            monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
            return monday, monday + timedelta(days=6)
        except (ValueError, OverflowError):  # no such week; the last week of year 9999
            pass
    raise ValidationError({"week": Message("'{week}' is not an ISO week like 2026-W47", week=week)})


# A week as people type it, in English or Korean (parse_week_text). After NFKC (full-width
# digits and letters become ASCII) and casefold: a four-digit year, optionally with 년/년도,
# and a week number with its marker, in either order, or the week alone.
_YEAR = r"(?P<year>\d{4})\s*(?:년도|년)?"
_WEEK_FORMS = (
    r"(?:c?w|wk|week)\s*\.?\s*(?P<week>\d{1,2})",  # W47, w5, week 47, wk. 47, CW47
    r"(?:제\s*)?(?P<week>\d{1,2})\s*(?:번째\s*)?주(?:차)?",  # 47주차, 제47주, 47주, 47번째 주
    r"(?P<week>\d{1,2})(?:st|nd|rd|th)?\s*week",  # 47th week
)
_SEP = r"[\s,./\-\u2010-\u2015]*"  # spaces, commas, dots, slashes, hyphens and dashes
_WEEK_TEXT_RES = tuple(re.compile(p) for w in _WEEK_FORMS for p in (
    rf"^{_YEAR}{_SEP}{w}$",  # 2026-W47, 2026W47, 2026 W47, 2026년 47주차, 2026년 제47주
    rf"^{w}{_SEP}(?:of\s+)?{_YEAR}$",  # W47 2026, week 47 of 2026, 47주차 2026년
    rf"^{w}$",  # W47, 47주차: the year is worked out (see parse_week_text)
)) + (re.compile(r"^(?P<week>\d{1,2})$"),)  # 47 alone, typed where a week is asked


def weeks_in_year(year: int) -> int:
    """52 or 53: the number of ISO weeks of ``year`` (28 December is always in its last)."""
    return date(year, 12, 28).isocalendar()[1]


def parse_week_text(text: str, *, current: str | None = None) -> str:
    """A week as a person types it, in English or Korean, as an ISO week ('2026-W47').

    Read: the ISO forms (2026-W47, 2026W47, 2026 W47, 2026w47, 2026-w5), the Korean ones
    (2026년 47주차, 2026년 제47주, 2026년 47주, 2026 47주차, 2026년 47번째 주), the English
    ones (week 47 2026, week 47 of 2026, W47/2026, 2026 week 47, 47th week 2026), full-width
    digits and letters too. The year has four digits. A week without a year (47주차, W47,
    week 47, 47) is the latest week of that number that is not after ``current`` (an ISO
    week, default: the current week): this year's if it has begun, else last year's, as a
    report is about a week that has been. Raises ValidationError({'week': Message}) saying
    what is wrong: not a week (with the form expected), a week number outside 1-53, or week
    53 of a year that has 52.
    """
    cur_year, cur_week = _iso_year_week(current or current_iso_week())
    raw = (text or "").strip()
    normal = unicodedata.normalize("NFKC", raw).casefold().strip()
    normal = re.sub(r"\s+", " ", normal)
    if not normal:
        raise ValidationError({"week": Message(
            "no week given; type one like {year}-W{week:02d} or week {week} of {year}",
            year=cur_year, week=cur_week)})
    m = next((m for r in _WEEK_TEXT_RES if (m := r.match(normal))), None)
    year = int(m["year"]) if m is not None and m.groupdict().get("year") else None
    if m is None or year == 0:
        raise ValidationError({"week": Message(
            "'{text}' is not a week; type one like {year}-W{week:02d} or week {week} of {year}",
            text=raw, year=cur_year, week=cur_week)})
    week = int(m["week"])
    if not 1 <= week <= 53:
        raise ValidationError({"week": Message(
            "there is no week {week}; weeks are numbered 1 to 53", week=week)})
    if year is None:
        year = cur_year if week <= cur_week else cur_year - 1
    if week > weeks_in_year(year):
        raise ValidationError({"week": Message(
            "{year} has no week {week}; its weeks are numbered 1 to {weeks}",
            year=year, week=week, weeks=weeks_in_year(year))})
    iso = f"{year}-W{week:02d}"
    parse_iso_week(iso)  # refuses only the last week of 9999, which ends after the calendar
    return iso


def _iso_year_week(week: str) -> tuple[int, int]:
    monday, _sunday = parse_iso_week(week)
    year, number, _ = monday.isocalendar()
    return year, number


def iso_week_of(day: date) -> str:
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def current_iso_week(now: datetime | None = None, tz: tzinfo | None = None) -> str:
    """The ISO week of ``now`` (default: the current time) in ``tz`` (default: local time)."""
    now = now or utcnow()
    return iso_week_of(now.astimezone(tz).date())


def last_complete_iso_week(now: datetime | None = None, tz: tzinfo | None = None) -> str:
    """The last ISO week that has ended at ``now`` in ``tz``: the week before the current
    one (a Monday-morning report is about the week that just ended, not the one begun)."""
    now = now or utcnow()
    return iso_week_of(now.astimezone(tz).date() - timedelta(days=7))


def _week_bounds(monday: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) in ``tz``, as aware UTC datetimes."""
    start = datetime.combine(monday, time(0), tzinfo=tz)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


# ------------------------------------------------------------------ the workbook

class _Run:
    """State of one export: progress, cancellation, the texts of the language."""

    def __init__(self, db: Database, lang: str, tz: tzinfo, progress: Progress | None,
                 cancelled: Callable[[], bool] | None):
        self.db = db
        self.lang = lang
        self.tz = tz
        self._progress = progress
        self._cancelled = cancelled
        self.done = 0
        self.total = 1

    def t(self, key: str, **kw) -> str:
        return text(key, self.lang, **kw)

    def step(self, n: int = 1) -> None:
        self.done = min(self.total, self.done + n)
        if self._progress is not None:
            self._progress(self.done, self.total)
        self.check()

    def check(self) -> None:
        if self._cancelled is not None and self._cancelled():
            raise ExportCancelled()

    def stage_name(self, name_en: str | None, name_ko: str | None) -> str | None:
        return name_ko if self.lang == "ko" else name_en

    def reason(self, reason: str | None) -> str | None:
        """A move's reason: the program's own (an undo) in the report's language, a
        person's words as written."""
        known = history.system_reason(reason)
        if known is None or self.lang != "ko":
            return reason
        key, kind = known
        if key == "undo_reopen":
            return self.t("reason.undo_reopen")
        return self.t("reason.undo_move", kind=self.t(f"kind.{kind}"))


def write_weekly_report(
    db: Database,
    path: str | os.PathLike,
    *,
    week: str,
    owner: str | None = None,
    lang: str = "en",
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    now: datetime | None = None,
    tz: tzinfo | None = None,
    k: float = 1.5,
) -> ReportSummary:
    """Write the weekly workbook for ISO ``week`` to ``path``.

    ``owner``: a user's name (or id) to report on one person's deals; ``lang``: "en" or
    "ko"; ``progress(done, total)`` is called as the work advances and ``cancelled()``
    polled between batches (True stops the export with :class:`ExportCancelled` and no
    file). ``now``: the moment the snapshot describes (default: now). The week runs
    Monday 00:00 to Monday 00:00 UTC, as every period of the analytics service does;
    ``tz`` is the time zone the workbook shows times in (default UTC). ``k``: the at-risk
    spread factor of the analytics service.
    """
    monday, sunday = parse_iso_week(week)
    week = iso_week_of(monday)
    lang = "ko" if lang == "ko" else "en"
    tz = tz or UTC
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    owner_id: uuid.UUID | None = None
    owner_name: str | None = None
    if owner:
        user = find_user(db, owner)
        owner_id, owner_name = user.id, user.name

    target = Path(path).expanduser()
    part = _open_part_file(target)
    run = _Run(db, lang, tz, progress, cancelled)
    wb = Workbook(write_only=True)
    try:
        summary = _build(wb, run, week, monday, sunday, owner_id, owner_name, now, k, target)
        run.check()
        wb.save(part)
        os.replace(part, target)
        run.done = run.total
        if progress is not None:
            progress(run.total, run.total)
        return summary
    except BaseException:
        _discard(wb, part)
        raise


def _open_part_file(target: Path) -> Path:
    """Check that ``target`` can be written, and claim a temporary name beside it."""
    if target.is_dir():
        raise AppError(Message("{path}: is a folder, not a file", path=str(target)))
    if not target.parent.exists():
        raise AppError(Message("{path}: folder does not exist", path=str(target.parent)))
    if not target.parent.is_dir():
        raise AppError(Message("{path}: is not a folder", path=str(target.parent)))
    part = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")  # unique per export
    try:
        with open(part, "wb"):
            pass
    except OSError as exc:
        # the system's reason (exc.strerror) comes in the system's language, as the OS gives it
        raise AppError(Message("{path}: cannot write the file ({reason})", path=str(target),
                               reason=exc.strerror or str(exc))) from exc
    return part


def _discard(wb: Workbook, part: Path) -> None:
    """Remove the partial output and openpyxl's per-sheet temporary files."""
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        if writer is None:
            continue
        try:
            if not ws.closed:
                ws.close()  # ends the sheet's row stream and closes its temporary file
        except Exception:  # noqa: BLE001 - best effort while cleaning up
            pass
        if isinstance(writer.out, str) and os.path.exists(writer.out):
            try:
                os.remove(writer.out)
            except OSError:
                pass
    try:
        part.unlink(missing_ok=True)
    except OSError:
        pass


def _analytics():
    """The analytics service, imported when a report is written (it imports heavier things)."""
    from app.services import analytics

    return analytics


def _build(wb: Workbook, run: _Run, week: str, monday: date, sunday: date,
           owner_id: uuid.UUID | None, owner_name: str | None, now: datetime, k: float,
           target: Path) -> ReportSummary:
    db, t = run.db, run.t
    start, end = _week_bounds(monday, UTC)  # the analytics service's periods are UTC days
    prev_start, prev_end = _week_bounds(monday - timedelta(days=7), UTC)
    dialect = db.engine.dialect.name

    with db.read() as s:
        stages = active_stages(s)
        currencies = Q.currencies_in_use(s, owner_id)
        open_currencies = Q.currencies_in_use(s, owner_id, status=Status.OPEN.value)
        open_count = int(s.scalar(
            select(func.count()).select_from(Opportunity).where(
                Opportunity.status == Status.OPEN.value,
                *([Opportunity.owner_id == owner_id] if owner_id else []))) or 0)
    currency = currencies[0] if currencies else "KRW"
    # one unit per sheet plus one per open deal; saving counts like a tenth of the rows
    run.total = len(SHEETS) + open_count + max(1, open_count // 10)
    run.step(0)

    f = _analytics().Filters(start=monday, end=sunday, owner_id=owner_id, currency=currency, now=now)
    subtitle = " · ".join([
        t("title.subtitle", week=week, start=monday.isoformat(), end=sunday.isoformat()),
        t("title.owner", owner=owner_name) if owner_name else t("title.all_owners"),
        t("title.generated", at=now.astimezone(run.tz).strftime("%Y-%m-%d %H:%M")),
    ])
    sheets = {key: wb.create_sheet(t(f"sheet.{key}")) for key in SHEETS}
    rows: dict[str, int] = {}
    ctx = _Ctx(run=run, stages=stages, currency=currency, subtitle=subtitle, now=now, start=start,
               end=end, prev_start=prev_start, prev_end=prev_end, as_of_start=min(now, start),
               as_of_end=min(now, end), owner_id=owner_id, f=f, k=k,
               dialect=dialect, open_currencies=open_currencies)

    # the team's thresholds, as analytics.at_risk_deals() and the board use them
    ctx.thresholds = _analytics().stage_risk_thresholds(db, k)
    ctx.stage_names = {st.position: run.stage_name(st.name_en, st.name_ko) for st in stages}
    rows["summary"] = _summary(sheets["summary"], ctx)
    run.step()
    rows["pipeline"] = _pipeline(sheets["pipeline"], ctx)
    run.step()
    rows["open"] = _open_deals(sheets["open"], ctx)
    run.step()
    rows["moves"] = _moves(sheets["moves"], ctx)
    run.step()
    rows["closed"] = _closed(sheets["closed"], ctx)
    run.step()
    rows["slipping"] = _slipping(sheets["slipping"], ctx)
    run.step()
    rows["at_risk"] = _at_risk(sheets["at_risk"], ctx)
    run.step()
    rows["forecast"] = _forecast(sheets["forecast"], ctx)
    run.step()
    rows["dwell"] = _dwell(sheets["dwell"], ctx)
    run.step()
    rows["activities"] = _activities(sheets["activities"], ctx)
    run.step()
    return ReportSummary(path=target, week=week, start=monday, end=sunday, lang=run.lang,
                         owner=owner_name, currency=currency,
                         sheets=[ws.title for ws in wb.worksheets], rows=rows)


@dataclass
class _Ctx:
    run: _Run
    stages: list[Stage]
    currency: str
    subtitle: str
    now: datetime
    start: datetime
    end: datetime
    prev_start: datetime
    prev_end: datetime
    as_of_start: datetime  # the pipeline "last week": at the end of last week (or now, if earlier)
    as_of_end: datetime  # the pipeline "this week": at the end of the week, or now in a week not over
    owner_id: uuid.UUID | None
    f: object
    k: float
    dialect: str
    open_currencies: list[str] = field(default_factory=list)
    thresholds: dict[int, float] = field(default_factory=dict)  # days in stage beyond which at risk
    stage_names: dict[int, str] = field(default_factory=dict)

    @property
    def past(self) -> bool:
        """The week is over: its pipeline is read from the history, not today's state."""
        return self.now >= self.end

    def title(self, key: str) -> str:
        return f"{self.run.t('title.report')}: {self.run.t(key)}"


def _write_list(ws, ctx: _Ctx, sheet_key: str, cols: Sequence[Col], rows: list[Sequence],
                rules: Iterable[RowRule] = (), total: bool = False,
                currencies: Sequence[str] = (), period: tuple[date, date] | None = None,
                note: str | None = None) -> TableSheet:
    """A whole (small) list: widths from its rows, then the rows. ``period``: the sheet
    covers other dates than the week (shown under the title); ``note``: when it shows."""
    widths = Widths(cols)
    for r in rows:
        widths.see(r)
    sheet = TableSheet(ws, cols, tz=ctx.run.tz)
    subtitle = ctx.subtitle
    if period is not None:
        subtitle += " · " + ctx.run.t("title.period", start=period[0].isoformat(), end=period[1].isoformat())
    if note:
        subtitle += " · " + note
    sheet.start(ctx.title(f"sheet.{sheet_key}"), subtitle, widths.final())
    for r in rows:
        sheet.add(r)
    sheet.finish(total_label=ctx.run.t("col.total") if total else None, rules=rules,
                 split_currencies=currencies)
    return sheet


def _stream_list(ws, ctx: _Ctx, sheet_key: str, cols: Sequence[Col], query, convert: Callable,
                 rules: Iterable[RowRule] = (), total: bool = False, currency_index: int | None = None,
                 period: tuple[date, date] | None = None, note: str | None = None,
                 groups: Callable[[list[tuple]], Sequence[TotalGroup]] | None = None,
                 group_index: int | None = None) -> TableSheet:
    """A list of any length, streamed twice from the database: a first pass measures the
    column widths (write-only sheets write them before the rows) and finds the currencies
    of the totals; the second writes. Memory is one batch of rows either way.
    ``groups(keys)``: the totals rows, given the distinct (row[group_index], currency)
    pairs seen in the first pass."""
    run = ctx.run

    def rows(s):
        for batch in Q.batches(s, query):
            for raw in batch:
                yield convert(raw)
            run.check()

    widths = Widths(cols)
    found: set[str] = set()
    keys: set[tuple] = set()
    with run.db.read() as s:
        for r in rows(s):
            widths.see(r)
            if currency_index is not None and r[currency_index]:
                found.add(r[currency_index])
                if group_index is not None:
                    keys.add((r[group_index], r[currency_index]))
    sheet = TableSheet(ws, cols, tz=run.tz)
    subtitle = ctx.subtitle
    if period is not None:
        subtitle += " · " + run.t("title.period", start=period[0].isoformat(), end=period[1].isoformat())
    if note:
        subtitle += " · " + note
    sheet.start(ctx.title(f"sheet.{sheet_key}"), subtitle, widths.final())
    with run.db.read() as s:
        for r in rows(s):
            sheet.add(r)
    currencies = sorted(found, key=lambda c: (c != ctx.currency, text_key(c))) or [ctx.currency]
    sheet.finish(total_label=run.t("col.total") if total else None, rules=rules, split_currencies=currencies,
                 groups=groups(sorted(keys)) if groups is not None else ())
    return sheet


def _currencies(rows: Sequence[Sequence], index: int, main: str) -> list[str]:
    """The currencies of a list, the report's main currency first."""
    found = {r[index] for r in rows if r[index]}
    return sorted(found, key=lambda c: (c != main, text_key(c))) or [main]


def _yes_rule(col_letter: str, first_row: int, yes: str, fill) -> RowRule:
    return RowRule(f'${col_letter}{first_row}="{yes}"', fill)


# ------------------------------------------------------------------ Summary

_KPI_ROWS = (  # (Kpis attribute, label key, kind)
    ("win_rate", "kpi.win_rate", "rate"),
    ("avg_won_size", "kpi.avg_won_size", "money"),
    ("cycle_days", "kpi.cycle_days", "days"),
    ("velocity", "kpi.velocity", "money"),
    ("new_deals", "kpi.new_deals", "int"),
    ("won_revenue", "kpi.won_revenue", "money"),
    ("won_count", "kpi.won_count", "int"),
    ("lost_count", "kpi.lost_count", "int"),
    ("open_count", "kpi.open_count", "int"),
    ("open_pipeline", "kpi.open_pipeline", "money"),
)


_CHANGE_ROWS = ("forward", "backward", "reopened", "pushed", "overrides")  # new/won/lost: in the bridge
HISTORY_WEEKS = 12  # slipping deals and dwell look back this many weeks, ending with the week
FORECAST_MONTHS = 6  # forecast: the week's month and the five after it


def _history(ctx: _Ctx):
    """Filters for the HISTORY_WEEKS weeks ending with the report's week."""
    return replace(ctx.f, start=ctx.f.start - timedelta(weeks=HISTORY_WEEKS - 1))


def _signed(fmt: str) -> str:
    return f"+{fmt};-{fmt};{fmt}"


def _pp_format(unit: str) -> str:
    """Percentage points: +4.5 pp (ko: +4.5%p)."""
    number = f'0.0"{unit}"'
    return f"+{number};-{number};{number}"


def _kpi_value(v, kind: str = ""):
    if v is None:
        return None
    if kind == "rate":
        return rate_value(v)
    if isinstance(v, (int, Decimal)):
        return v
    return float(v)


def _moment(ctx: _Ctx, moment: datetime) -> str:
    """The last instant before ``moment``, as the workbook shows it (Sunday 24:00 is 'Sunday 24:00')."""
    local = moment.astimezone(ctx.run.tz)
    if local.time() == time(0) and moment != ctx.now:
        return f"{(local.date() - timedelta(days=1)).isoformat()} 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


def _summary(ws, ctx: _Ctx) -> int:
    analytics = _analytics()
    run, t = ctx.run, ctx.run.t
    # the analytics' open deals, pipeline and velocity of a week are those at its end (now, if
    # earlier), from the stage history: ctx.as_of_end for this week, ctx.as_of_start for last
    this = analytics.kpis(run.db, ctx.f)
    last = analytics.kpis(run.db, analytics.previous_period(ctx.f))
    with run.db.read() as s:
        chg_this = Q.change_counts(s, ctx.start, ctx.end, ctx.owner_id, ctx.currency)
        chg_last = Q.change_counts(s, ctx.prev_start, ctx.prev_end, ctx.owner_id, ctx.currency)
        changes = Q.pipeline_changes(s, ctx.start, ctx.end, ctx.as_of_start, ctx.as_of_end, ctx.owner_id,
                                     ctx.currency)
    open_end, open_start = (this.open_count, this.open_pipeline), (last.open_count, last.open_pipeline)
    money_fmt = currency_format(ctx.currency)
    fmts = {"rate": RATE_FMT, "money": money_fmt, "days": DAYS_FMT, "int": INT_FMT}
    cols = [Col(t("col.kpi", currency=ctx.currency)), Col(t("col.this_week"), "int"),
            Col(t("col.last_week"), "int"), Col(t("col.change"), "int")]
    sheet = TableSheet(ws, cols, tz=run.tz)
    labels = ([t(key) for _a, key, _k in _KPI_ROWS] + [t(f"chg.{key}") for key in _CHANGE_ROWS]
              + [t(f"bridge.{key}") for key in Q.PIPELINE_STEPS]
              + [t("bridge.start", at="2026-01-01 24:00"), t("bridge.end", at="2026-01-01 24:00")])
    label_w = max(display_len(x) for x in labels + [t(f"change.{key}") for key in Q.PIPELINE_STEPS])
    # the deals behind the changes are in memory already: their columns fit their text
    stage_names = [*ctx.stage_names.values(), t("status.won"), t("status.lost")]
    text_w = [max([display_len(x or "") for x in xs] + [display_len(h) + 1]) for xs, h in (
        (stage_names, t("col.stage")), ([ch.title for ch in changes], t("col.deal")),
        ([ch.account for ch in changes], t("col.account")), ([ch.owner for ch in changes], t("col.owner")))]
    sheet.start(t("title.report"), ctx.subtitle,
                [fit(label_w), 18, 18, max(18, fit(text_w[0])), *(fit(w) for w in text_w[1:])])
    ws.print_title_rows = "1:3"

    def append(cells) -> None:
        ws.append(cells)
        sheet.rows += 1

    def value(kind: str, v, fmt: str | None = None):
        return sheet.cell(Col("", kind), fmt or fmts[kind], v, ()) if v is not None else None

    def heading(title: str, headers: Sequence[Col]) -> None:
        append([])
        append([sheet.text_cell(title, font=TITLE_FONT)])
        append([sheet.text_cell(c.header, font=HEADER_FONT, fill=HEADER_FILL, alignment=header_alignment(c))
                for c in headers])

    def compare(label: str, kind: str, a, b) -> None:
        r = sheet.HEADER_ROW + sheet.rows + 1
        if kind == "rate":  # the change of a rate is in percentage points
            change = value("rate", Formula(f'=IF(AND(ISNUMBER(B{r}),ISNUMBER(C{r})),(B{r}-C{r})*100,"")'),
                           _pp_format(t("unit.pp")))
        else:
            change = value(kind, Formula(f'=IF(AND(ISNUMBER(B{r}),ISNUMBER(C{r})),B{r}-C{r},"")'),
                           _signed(fmts[kind]))
        append([sheet.text_cell(label, alignment=TEXT_ALIGN), value(kind, a), value(kind, b), change])

    for attr, key, kind in _KPI_ROWS:
        compare(t(key), kind, _kpi_value(getattr(this, attr), kind), _kpi_value(getattr(last, attr), kind))
    note = t("title.open_as_of_history") if ctx.past else t("title.open_as_of_today")
    append([sheet.text_cell(note, font=SUBTITLE_FONT)])

    # the open pipeline, last week to this week: a bridge whose steps add up, then its deals
    steps = {key: [0, Decimal("0.00")] for key in Q.PIPELINE_STEPS}
    for ch in changes:
        for key, n in ch.steps.items():
            steps[key][0] += n
            if ch.amount is not None:
                steps[key][1] += n * ch.amount
    heading(t("title.bridge", currency=ctx.currency),
            [Col(t("col.open_pipeline")), Col(t("col.amount"), "money"), Col(t("col.deals"), "int")])
    signed_money, signed_int = _signed(money_fmt), _signed(INT_FMT)
    append([sheet.text_cell(t("bridge.start", at=_moment(ctx, ctx.as_of_start)), alignment=TEXT_ALIGN),
            value("money", open_start[1]), value("int", open_start[0])])
    for key in Q.PIPELINE_STEPS:
        n, amount = steps[key]
        append([sheet.text_cell(t(f"bridge.{key}"), alignment=TEXT_ALIGN), value("money", amount, signed_money),
                value("int", n, signed_int)])
    end_label = t("bridge.end", at=_moment(ctx, ctx.as_of_end)) if ctx.past else \
        t("bridge.now", at=_moment(ctx, ctx.as_of_end))
    end_cells = [sheet.cell(Col("", "money"), money_fmt, open_end[1], ()),
                 sheet.cell(Col("", "int"), INT_FMT, open_end[0], ())]
    for c in end_cells:
        c.font, c.border = TOTAL_FONT, TOTAL_BORDER
    append([sheet.text_cell(end_label, font=TOTAL_FONT, border=TOTAL_BORDER, alignment=TEXT_ALIGN), *end_cells])
    bridge_rows = len(Q.PIPELINE_STEPS) + 2

    heading(t("title.bridge_deals"),
            [Col(t("col.change")), Col(t("col.effect"), "money"), Col(t("col.effect_deals"), "int"),
             Col(t("col.stage")), Col(t("col.deal")), Col(t("col.account")), Col(t("col.owner"))])
    listed = 0
    for key in Q.PIPELINE_STEPS:
        for ch in changes:
            n = ch.steps[key]
            if not n:
                continue
            effect = n * ch.amount if ch.amount is not None else None
            where = (t(f"status.{ch.status}") if ch.status in (Status.WON.value, Status.LOST.value)
                     else ctx.stage_names.get(ch.stage_position) if ch.stage_position is not None else None)
            append([sheet.text_cell(t(f"change.{key}"), alignment=TEXT_ALIGN), value("money", effect, signed_money),
                    value("int", n, signed_int), sheet.cell(Col(""), None, where, ()),
                    sheet.cell(Col(""), None, ch.title, ()), sheet.cell(Col(""), None, ch.account, ()),
                    sheet.cell(Col(""), None, ch.owner, ())])
            listed += 1
    if not listed:
        append([sheet.text_cell(t("bridge.none"), font=SUBTITLE_FONT)])

    heading(t("title.changes", currency=ctx.currency), [Col(t("col.metric")), *cols[1:]])
    for key in _CHANGE_ROWS:
        compare(t(f"chg.{key}"), "int", chg_this[key], chg_last[key])
    append([])
    append([sheet.text_cell(t("title.currency_note", currency=ctx.currency), font=SUBTITLE_FONT)])
    ws.page_setup.orientation = "portrait"
    return len(_KPI_ROWS) + bridge_rows + listed + len(_CHANGE_ROWS)


def _today_note(ctx: _Ctx) -> str:
    """Lists of today's state say so, plainly when the week is over."""
    key = "title.as_of_today_past" if ctx.past else "title.as_of_today"
    return ctx.run.t(key, at=_moment(ctx, ctx.now))


# ------------------------------------------------------------------ Pipeline by stage

def _pipeline(ws, ctx: _Ctx) -> int:
    run, t = ctx.run, ctx.run.t
    with run.db.read() as s:
        lines = Q.pipeline_by_stage(s, ctx.stages, ctx.owner_id, as_of=ctx.as_of_end if ctx.past else None)
    cols = [Col(t("col.stage_no"), "int", width=5), Col(t("col.stage")), Col(t("col.probability"), "pct"),
            Col(t("col.currency")), Col(t("col.deals"), "int", total=True),
            Col(t("col.amount"), "money", currency_col=3, total=True),
            Col(t("col.weighted"), "money", currency_col=3, total=True)]
    rows = [(ln.position, run.stage_name(ln.name_en, ln.name_ko), ln.probability / 100,
             ln.currency or ctx.currency, ln.count, ln.amount, ln.weighted) for ln in lines]
    note = (t("title.as_of_week_end", at=_moment(ctx, ctx.as_of_end)) if ctx.past
            else t("title.as_of_today", at=_moment(ctx, ctx.now)))
    _write_list(ws, ctx, "pipeline", cols, rows, total=True, currencies=_currencies(rows, 3, ctx.currency),
                note=note)
    return len(rows)


# ------------------------------------------------------------------ Open deals (streamed)

def _open_deals(ws, ctx: _Ctx) -> int:
    run, t = ctx.run, ctx.run.t
    yes, no = t("yes"), t("no")
    thresholds = ctx.thresholds
    cols = [Col(t("col.owner")), Col(t("col.account")), Col(t("col.deal")), Col(t("col.stage")),
            Col(t("col.amount"), "money", currency_col=5, total=True),
            Col(t("col.currency")), Col(t("col.probability"), "pct"), Col(t("col.expected_close"), "date"),
            Col(t("col.days_in_stage"), "days"), Col(t("col.checklist")), Col(t("col.pushes"), "int"),
            Col(t("col.at_risk"))]
    names = {st.position: run.stage_name(st.name_en, st.name_ko) for st in ctx.stages}
    with run.db.read() as s:
        n, w_owner, w_account, w_title, max_amount = Q.open_deals_widths(s, ctx.owner_id, ctx.dialect)
        widths = Widths(cols)
        widths.see_max(0, w_owner)
        widths.see_max(1, w_account)
        widths.see_max(2, w_title)
        widths.see((None, None, None, max(names.values(), key=len, default=""), max_amount, "KRW", 0.5,
                    None, 9999.9, "10/10", 99, yes if len(yes) > len(no) else no))
        sheet = TableSheet(ws, cols, tz=run.tz)
        sheet.start(ctx.title("sheet.open"), f"{ctx.subtitle} · {_today_note(ctx)}", widths.final())
        q = Q.open_deals_query(ctx.stages, ctx.now, ctx.owner_id, thresholds, ctx.dialect)
        for batch in Q.batches(s, q):
            for (owner, account, title, pos, amount, currency, prob, close, days, done, total,
                 pushes, at_risk) in batch:
                sheet.add((owner, account, title, names.get(pos), amount, currency, prob / 100, close,
                           round(max(0.0, float(days)), 1), f"{int(done)}/{int(total)}", int(pushes),
                           yes if at_risk else no))
            run.step(len(batch))
    first = sheet.first_data_row
    sheet.finish(total_label=t("col.total"), split_currencies=ctx.open_currencies or [ctx.currency], rules=[
        _yes_rule("L", first, yes, RISK_FILL),
        RowRule(f"$K{first}>0", SLIP_FILL),
    ])
    return sheet.rows


# ------------------------------------------------------------------ Stage moves this week

def _status_or_stage(run: _Run, status: str | None, name_en: str | None, name_ko: str | None) -> str | None:
    if status in (Status.WON.value, Status.LOST.value):
        return run.t(f"status.{status}")
    return run.stage_name(name_en, name_ko)


def _moves(ws, ctx: _Ctx) -> int:
    run, t = ctx.run, ctx.run.t

    def convert(raw):
        (title, account, owner, _fpos, fen, fko, fstatus, _tpos, ten, tko, tstatus, at, who, kind,
         reason, override) = raw
        return (title, account, owner, _status_or_stage(run, fstatus, fen, fko),
                _status_or_stage(run, tstatus, ten, tko), at, who,
                t(f"kind.{kind}") if f"kind.{kind}" in _KINDS else kind, run.reason(reason), override)

    cols = [Col(t("col.deal")), Col(t("col.account")), Col(t("col.owner")), Col(t("col.from")),
            Col(t("col.to")), Col(t("col.when"), "datetime"), Col(t("col.who")), Col(t("col.kind")),
            Col(t("col.reason")), Col(t("col.override_reason"))]
    sheet = _stream_list(ws, ctx, "moves", cols, Q.moves_query(ctx.start, ctx.end, ctx.owner_id), convert,
                         rules=[RowRule("LEN($J4)>0", SLIP_FILL)])
    return sheet.rows


_KINDS = {f"kind.{k}" for k in ("created", "forward", "backward", "won", "lost", "reopened", "imported")}


# ------------------------------------------------------------------ Won and lost this week

def _closed(ws, ctx: _Ctx) -> int:
    from openpyxl.styles import PatternFill

    run, t = ctx.run, ctx.run.t

    def convert(raw):
        title, account, owner, status, _pos, sen, sko, amount, currency, at, reason, override, days = raw
        return (title, account, owner, t(f"status.{status}"), run.stage_name(sen, sko), amount, currency, at,
                run.reason(reason), override, round(float(days), 1) if days is not None else None)

    cols = [Col(t("col.deal")), Col(t("col.account")), Col(t("col.owner")), Col(t("col.result")),
            Col(t("col.stage")),
            Col(t("col.amount"), "money", currency_col=6, total=True),
            Col(t("col.currency")), Col(t("col.closed_at"), "datetime"), Col(t("col.reason")),
            Col(t("col.override_reason")), Col(t("kpi.cycle_days"), "days")]
    won_fill = PatternFill("solid", fgColor=WON_FILL_COLOR, bgColor=WON_FILL_COLOR)
    won, lost = t("status.won"), t("status.lost")

    def groups(keys: list[tuple]) -> list[TotalGroup]:
        """Won and lost are never added together: one total for each (and currency)."""
        currencies = sorted({c for _r, c in keys}, key=lambda c: (c != ctx.currency, text_key(c))) or [ctx.currency]
        out = []
        for result, label in ((won, t("col.total_won")), (lost, t("col.total_lost"))):
            for cur in currencies:
                if len(currencies) > 1 and (result, cur) not in keys:
                    continue
                out.append(TotalGroup(f"{label} {cur}" if len(currencies) > 1 else label, cur,
                                      {3: result, 6: cur} if len(currencies) > 1 else {3: result}))
        return out

    sheet = _stream_list(ws, ctx, "closed", cols, Q.closed_query(ctx.start, ctx.end, ctx.owner_id, ctx.dialect),
                         convert, total=True, currency_index=6, groups=groups, group_index=3, rules=[
                             _yes_rule("D", 4, t("status.won"), won_fill),
                             _yes_rule("D", 4, t("status.lost"), RISK_FILL),
                         ])
    return sheet.rows


# ------------------------------------------------------------------ Slipping and at-risk deals
#
# The analytics service defines both (a push, the risk threshold) but returns whole lists;
# these sheets stream the same definitions from SQL (tests check they agree).

def _slipping(ws, ctx: _Ctx) -> int:
    t = ctx.run.t
    f = _history(ctx)
    start, _ = _week_bounds(f.start, UTC)
    yes, no = t("yes"), t("no")

    def convert(raw):
        title, account, owner, pos, status, amount, currency, close, pushes, days, last = raw
        last = _utc(last)
        this_week = last is not None and ctx.start <= last < ctx.end
        return (title, account, owner, _stage_or_status(ctx, pos, status), amount, currency, close,
                int(pushes), int(days or 0), last, yes if this_week else no)

    cols = [Col(t("col.deal")), Col(t("col.account")), Col(t("col.owner")), Col(t("col.stage")),
            Col(t("col.amount"), "money", currency_col=5), Col(t("col.currency")),
            Col(t("col.expected_close"), "date"), Col(t("col.pushes"), "int"),
            Col(t("col.days_pushed"), "int"), Col(t("col.last_pushed"), "datetime"),
            Col(t("col.pushed_this_week"))]
    q = Q.slipping_query(start, ctx.end, ctx.owner_id, ctx.currency, ctx.dialect)
    sheet = _stream_list(ws, ctx, "slipping", cols, q, convert, period=(f.start, f.end),
                         rules=[RowRule("$H4>=2", SLIP_FILL), _yes_rule("K", 4, yes, SLIP_FILL)])
    return sheet.rows


def _utc(value):
    """A timestamp from a raw aggregate (text on SQLite) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _stage_or_status(ctx: _Ctx, position: int, status: str) -> str | None:
    if status in (Status.WON.value, Status.LOST.value):
        return ctx.run.t(f"status.{status}")
    return ctx.stage_names.get(position)


def _num(v):
    if v is None or isinstance(v, (int, Decimal)):
        return v
    return round(float(v), 1)


def _at_risk(ws, ctx: _Ctx) -> int:
    t = ctx.run.t

    def convert(raw):
        title, account, owner, pos, amount, currency, close, days, limit = raw
        return (title, account, owner, ctx.stage_names.get(pos), amount, currency, close,
                round(float(days), 1), round(float(limit), 1), round(float(days) - float(limit), 1))

    cols = [Col(t("col.deal")), Col(t("col.account")), Col(t("col.owner")), Col(t("col.stage")),
            Col(t("col.amount"), "money", currency_col=5), Col(t("col.currency")),
            Col(t("col.expected_close"), "date"), Col(t("col.days_in_stage"), "days"),
            Col(t("col.threshold"), "days"), Col(t("col.days_over"), "days")]
    q = Q.at_risk_query(ctx.now, ctx.owner_id, ctx.thresholds, ctx.dialect)
    # every row is at risk; those over by more than the threshold itself stand out
    sheet = _stream_list(ws, ctx, "at_risk", cols, q, convert, rules=[RowRule("$J4>=$I4", RISK_FILL)],
                         note=_today_note(ctx))
    return sheet.rows


# ------------------------------------------------------------------ Forecast by month

def _month(v) -> date | None:
    if isinstance(v, datetime):
        return v.date().replace(day=1)
    if isinstance(v, date):
        return v.replace(day=1)
    if isinstance(v, str):
        y, m = v[:7].split("-")
        return date(int(y), int(m), 1)
    return None


def _forecast(ws, ctx: _Ctx) -> int:
    analytics = _analytics()
    run, t = ctx.run, ctx.run.t
    first = ctx.f.start.replace(day=1)
    last_month = date(first.year + (first.month + FORECAST_MONTHS - 2) // 12,
                      (first.month + FORECAST_MONTHS - 2) % 12 + 1, 1)
    last = (last_month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    months = analytics.forecast(run.db, replace(ctx.f, start=first, end=last))
    rows = [(_month(m.month), m.won, m.commit, m.best_case, m.pipeline, m.weighted, m.historical,
             m.target, ratio_value(m.coverage)) for m in months]
    cur = ctx.currency
    cols = [Col(t("col.month"), "month"), Col(t("col.won"), "money", currency=cur, total=True),
            Col(t("col.commit"), "money", currency=cur, total=True),
            Col(t("col.best_case"), "money", currency=cur, total=True),
            Col(t("col.pipeline"), "money", currency=cur, total=True),
            Col(t("col.weighted_forecast"), "money", currency=cur, total=True),
            Col(t("col.historical"), "money", currency=cur, total=True),
            Col(t("col.target"), "money", currency=cur, total=True), Col(t("col.coverage"), "ratio")]
    sheet = _write_list(ws, ctx, "forecast", cols, rows, total=True, currencies=[cur], period=(first, last))
    if rows:
        factor, unit = chart_unit(max((abs(v) for r in rows for v in r[1:5] + (r[7],) if v is not None),
                                      default=0), run.lang)
        # the chart plots a copy of its figures in that unit (Excel's number formats cannot
        # divide by 10^8): a small table under the list, so what the chart shows is visible
        start = sheet.last_data_row + 3  # after the totals row and an empty row
        unit_label = t("axis.unit", currency=cur, unit=t(unit)) if unit else cur
        ws.append([])
        ws.append([sheet.text_cell(t("title.chart_data", unit=unit_label), font=TITLE_FONT)])
        chart_cols = [cols[0], *cols[1:5], cols[7]]
        ws.append([sheet.text_cell(c.header, font=HEADER_FONT, fill=HEADER_FILL, alignment=header_alignment(c))
                   for c in chart_cols])
        for r in rows:
            cells = [sheet.cell(cols[0], MONTH_FMT, r[0], r)]
            for v in (*r[1:5], r[7]):
                cells.append(sheet.cell(Col("", "days"), CHART_FMT, float(v) / factor, r) if v is not None else None)
            ws.append(cells)
        head, first_row, last_row = start + 1, start + 2, start + 1 + len(rows)
        bar = BarChart()
        bar.type = "col"
        bar.grouping = "stacked"
        bar.overlap = 100
        bar.title = t("title.forecast_chart")
        bar.y_axis.title = f"{t('axis.amount')} ({unit_label})"
        bar.y_axis.numFmt = CHART_FMT
        data = Reference(ws, min_col=2, max_col=5, min_row=head, max_row=last_row)
        cats = Reference(ws, min_col=1, min_row=first_row, max_row=last_row)
        bar.add_data(data, titles_from_data=True)
        bar.set_categories(cats)
        if any(r[7] is not None for r in rows):
            line = LineChart()
            line.add_data(Reference(ws, min_col=6, max_col=6, min_row=head, max_row=last_row),
                          titles_from_data=True)
            line.set_categories(cats)
            target = line.series[0]
            target.marker.symbol = "dash"  # a month with a target alone still shows
            target.marker.size = 12
            target.graphicalProperties.line.width = 28575  # 2.25 pt
            bar += line
        _axes_visible(bar)
        bar.width, bar.height = 24, 12
        ws.add_chart(bar, f"A{last_row + 3}")
    return len(rows)


CHART_FMT = "#,##0.0"
_UNITS = {"en": ((10**9, "unit.billions"), (10**6, "unit.millions"), (10**3, "unit.thousands")),
          "ko": ((10**8, "unit.eok"), (10**4, "unit.man"))}


def chart_unit(largest, lang: str) -> tuple[int, str | None]:
    """The unit a chart axis counts money in: billions / millions / thousands in English,
    억 (10^8) / 만 (10^4) in Korean, the largest that the largest figure reaches."""
    for factor, key in _UNITS["ko" if lang == "ko" else "en"]:
        if largest >= factor:
            return factor, key
    return 1, None


def _axes_visible(chart) -> None:
    """openpyxl 3.1 marks axes deleted by default; Excel then draws none."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False


# ------------------------------------------------------------------ Dwell time by stage

def _dwell(ws, ctx: _Ctx) -> int:
    analytics = _analytics()
    run, t = ctx.run, ctx.run.t
    f = _history(ctx)
    dwell = analytics.dwell_by_stage(run.db, f)
    rows = []
    for d in dwell:
        rows.append((d.stage, run.stage_name(d.name_en, d.name_ko), _num(d.won.median), _num(d.lost.median),
                     _num(d.open.median), d.won.count, d.lost.count, d.open.count, _num(d.won.p75),
                     _num(d.lost.p75), ratio_value(d.lost_won_ratio)))
    cols = [Col(t("col.stage_no"), "int", width=5), Col(t("col.stage")), Col(t("col.won_median"), "days"),
            Col(t("col.lost_median"), "days"), Col(t("col.open_median"), "days"),
            Col(t("col.won_count"), "int"), Col(t("col.lost_count"), "int"), Col(t("col.open_count"), "int"),
            Col(t("col.won_p75"), "days"), Col(t("col.lost_p75"), "days"), Col(t("col.lost_won_ratio"), "ratio")]
    sheet = _write_list(ws, ctx, "dwell", cols, rows, period=(f.start, f.end))
    if rows:
        first, last = sheet.first_data_row, sheet.last_data_row
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "clustered"
        chart.title = t("title.dwell_chart")
        chart.y_axis.title = t("axis.days")
        chart.add_data(Reference(ws, min_col=3, max_col=5, min_row=first - 1, max_row=last),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=2, min_row=first, max_row=last))
        _axes_visible(chart)
        chart.width, chart.height = 24, 12
        ws.add_chart(chart, f"A{last + 3}")
    return len(rows)


# ------------------------------------------------------------------ Activities (streamed twice)

def _activities(ws, ctx: _Ctx) -> int:
    t = ctx.run.t
    done_label, overdue_label = t("act.done"), t("act.overdue")
    cols = [Col(t("col.status")), Col(t("col.type")), Col(t("col.subject")), Col(t("col.deal")),
            Col(t("col.account")), Col(t("col.owner")), Col(t("col.due"), "datetime"),
            Col(t("col.done"), "datetime"), Col(t("col.notes"), width=50)]

    def convert(raw):
        done_week, typ, subject, deal, account, owner, due, done, notes = raw
        return (done_label if done_week else overdue_label,
                t(f"type.{typ}") if typ in ("call", "meeting", "email", "task", "note") else typ,
                subject, deal, account, owner, due, done, notes)

    q = Q.activities_query(ctx.start, ctx.end, ctx.now, ctx.owner_id)
    sheet = _stream_list(ws, ctx, "activities", cols, q, convert,
                         rules=[_yes_rule("A", 4, overdue_label, RISK_FILL)])
    return sheet.rows
