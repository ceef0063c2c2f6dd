"""Importing deals: read the file(s), check every row, then write everything in ONE
transaction, or nothing. No Qt.

Rules (docs/import-mapping.md has the user's version):

- Every row is read and checked before the database is touched; any problem in any row
  (file, row as a spreadsheet counts it, column, what is wrong) refuses the whole import
  with :class:`ImportFailed` listing all of them.
- Deals are matched by (source_system, source_id): a re-import updates them, never
  duplicates them. A source id that is one of our deals' ids (the ``id`` column of
  ``pipeline-manager deals``) is that deal whatever its source system, before that match;
  the deal keeps its own source id, and an id no deal has becomes the new deal's id. History
  rows already imported (same time, stage and status) are not added again, nor a new row
  repeating the stage and status of the visit before or after it.
- A CSV text value loses the apostrophe the export puts before formula-like text
  (:func:`spreadsheet_unquoted`; Excel's quote prefix); an XLSX cell is taken as it is.
- Imported history is marked ``imported=True`` (stage transitions with their real kind:
  created, forward, backward, won, lost, reopened; close-date changes) and is taken as it
  happened: gates are not re-checked on the past. ``left_at`` of each visit is the time of
  the next one; the deal's stage, status, stage_entered_at and closed_at follow its last
  history row. A deal is open from its creation: a stretch whose stage the file does not
  state (before its first dated stage; a won deal's open time when its row names no stage)
  is a visit in stage 1 of kind ``imported``, which dwell statistics leave out (see
  :func:`_chain`). Won deals are at the last stage from their win on.
- Unknown owners become users (role rep); accounts, contacts and lead sources are found by
  name (case-insensitive) or created.
- Bulk writes go through :class:`app.services.bulk.BulkInserter`: on SQLite tuples in
  stored form through the driver's executemany, elsewhere SQLAlchemy Core ``insert()``;
  updates through Core ``update()`` executemany. A big first import on SQLite builds the
  deal and history indexes after the rows are in (same transaction).
"""

from __future__ import annotations

import gc
import hashlib
import re
import string
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from operator import itemgetter
from pathlib import Path

from sqlalchemy import String, bindparam, func, insert, select, type_coerce, update

from app.db import Database
from app.errors import AppError, Message, NotFound
from app.models import (
    Account,
    CloseDateChange,
    Contact,
    ForecastCategory,
    LeadSource,
    Opportunity,
    Role,
    StageTransition,
    Status,
    TransitionKind,
    User,
    utcnow,
)
from app.services.bulk import BulkInserter, create_indexes, drop_secondary_indexes, random_uuids
from app.services.collation import name_key
from app.services.importer.mapping import Mapping as Mapping
from app.services.importer.mapping import (
    MappingError,
    StageTarget,
    ValueResolver,
    find_column,
    load_mapping,
    norm,
)
from app.services.importer.parsing import (
    ParseError,
    Table,
    is_blank,
    is_salesforce_id,
    is_workbook,
    parse_amount,
    parse_date,
    parse_datetime,
    parse_fast,
    read_companion,
    read_table,
)
from app.services.importer.presets import detect_preset, preset
from app.services.outbox import refuse_on_replica
from app.services.process import active_stages
from app.services.unit_of_work import NOTHING, OpChanges
from app.services.validation import clean_deal_values, currencies

CHUNK = 5000
SQLITE_CACHE_KIB = 64 * 1024  # page cache while writing a big import
REBUILD_MIN_ROWS = 20_000  # new deals from which SQLite's indexes are built after the write
OPEN, WON, LOST = Status.OPEN.value, Status.WON.value, Status.LOST.value
K_CREATED, K_REOPENED, K_WON, K_LOST, K_FORWARD, K_BACKWARD, K_IMPORTED = (
    TransitionKind.CREATED.value, TransitionKind.REOPENED.value, TransitionKind.WON.value,
    TransitionKind.LOST.value, TransitionKind.FORWARD.value, TransitionKind.BACKWARD.value,
    TransitionKind.IMPORTED.value)
PIPELINE = ForecastCategory.PIPELINE.value
NO_REF = (None, None)  # no account / lead source / owner named on the row
FORECAST_OF = {WON: ForecastCategory.COMMIT.value, LOST: ForecastCategory.OMITTED.value}
# the columns of the rows the import writes, in the order its tuples carry them
OPP_COLUMNS = ("id", "title", "title_key", "account_id", "contact_id", "owner_id", "amount", "currency", "expected_close",
               "forecast_category", "lead_source_id", "campaign_id", "stage_id", "status", "stage_entered_at",
               "closed_at", "loss_reason", "description", "source_system", "source_id", "version", "created_at",
               "updated_at")
TR_COLUMNS = ("id", "opportunity_id", "from_stage_id", "to_stage_id", "from_status", "to_status", "kind", "at",
              "left_at", "user_id", "reason", "override_reason", "imported")
CDC_COLUMNS = ("id", "opportunity_id", "old_date", "new_date", "at", "user_id", "imported")
DEFAULT_OWNER = "Imported"
MAX_PROBLEMS = 10_000
_MAX_AMOUNT = Decimal("1e16")
_MISSING = object()
# what makes a spreadsheet read a cell as a formula; an export puts Excel's quote prefix (an
# apostrophe) before such a text (app/commands/deals.py), and an import from CSV removes it
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_quoted(text: str) -> str:
    """``text`` as a CSV cell that a spreadsheet opens as that text: an apostrophe before a
    text that would start a formula, and before one that is apostrophes then such a text
    (so that :func:`spreadsheet_unquoted` gives every text back exactly)."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_START) else text


def spreadsheet_unquoted(text: str) -> str:
    """A CSV cell's text without the quote prefix :func:`spreadsheet_quoted` (or Excel)
    put before a formula-like text: ``'=HYPERLINK(...)`` is ``=HYPERLINK(...)``, ``''-2`` is
    ``'-2``; any other apostrophe is the text's own (``'90s revival``)."""
    return text[1:] if text.startswith("'") and text[1:].lstrip("'").startswith(FORMULA_START) else text



@dataclass(frozen=True)
class Problem:
    """One thing wrong in an import file. ``message`` is a :class:`Message` (what is wrong,
    with the bad value as a field), so that the import wizard can show it in the interface
    language; :attr:`text` is the whole line with where it is, ``str()`` the same in English."""

    file: str
    row: int | None
    column: str | None
    message: str

    @property
    def text(self) -> Message:
        """"file, row 12, column 'amount': what is wrong" (the parts that are known)."""
        if self.row is not None and self.column:
            return Message("{file}, row {row}, column '{column}': {message}", file=self.file, row=self.row,
                           column=self.column, message=self.message)
        if self.row is not None:
            return Message("{file}, row {row}: {message}", file=self.file, row=self.row, message=self.message)
        if self.column:
            return Message("{file}, column '{column}': {message}", file=self.file, column=self.column,
                           message=self.message)
        return Message("{file}: {message}", file=self.file, message=self.message)

    def __str__(self) -> str:
        return str(self.text)


class ImportFailed(AppError):
    """Nothing was imported; ``problems`` lists every bad row."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        rows = {(p.file, p.row) for p in self.problems if p.row is not None}
        if rows:
            message = Message("import refused: {problems} problem(s) in {rows} row(s); nothing was imported",
                              problems=len(self.problems), rows=len(rows))
        else:
            message = Message("import refused: {problems} problem(s); nothing was imported",
                              problems=len(self.problems))
        super().__init__(message)


class ImportCancelled(AppError):
    def __init__(self):
        super().__init__(Message("import cancelled; nothing was imported"))


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    history_rows: int = 0
    close_date_changes: int = 0
    users_created: int = 0
    accounts_created: int = 0
    contacts_created: int = 0
    lead_sources_created: int = 0
    dry_run: bool = False
    preset: str = ""
    source_system: str = ""
    history_file: str | None = None
    deal_ids: list[uuid.UUID] = field(default_factory=list)

    def summary(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        text = (f"{verb} {self.rows} rows: {self.created} created, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.history_rows} history rows")
        extra = [f"{n} {what}" for n, what in (
            (self.users_created, "new users"), (self.accounts_created, "new accounts"),
            (self.contacts_created, "new contacts"), (self.lead_sources_created, "new lead sources"),
            (self.close_date_changes, "close-date changes")) if n]
        return text + (f" ({', '.join(extra)})" if extra else "")

    @property
    def changes(self) -> OpChanges:
        """What the import changed, for the views: nothing for a dry run or an import that
        wrote nothing; else "imported" with the deals it created or updated."""
        wrote = self.created or self.updated or self.history_rows or self.close_date_changes or (
            self.users_created or self.accounts_created or self.contacts_created or self.lead_sources_created)
        if self.dry_run or not wrote:
            return NOTHING
        return OpChanges.of("imported", deals=self.deal_ids)


# ------------------------------------------------------------------ reading the file

@dataclass(slots=True)
class _Entry:
    at: datetime
    position: int | None
    status: str
    guessed: bool = False  # a stretch whose stage the file does not state (written as kind "imported")


@dataclass(slots=True)
class _Rec:
    row: int
    source_id: str
    values: dict
    position: int | None
    status: str
    open_stage: int | None = None  # the open stage the row's stage cell names (a won deal's too)
    changed_closes: bool = False  # the stage cell names a closed outcome: stage_changed is the closing
    history: list[_Entry] = field(default_factory=list)
    close_dates: list[tuple[datetime, date]] = field(default_factory=list)


def _rank(status: str) -> int:
    return 0 if status == OPEN else 1


def _cell_text(value) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


class _Columns:
    """The mapping resolved against one file's header."""

    def __init__(self, mapping: Mapping, table: Table, problems: list[Problem]):
        self.idx: dict[str, int] = {}
        self.templates: dict[str, tuple[str, dict[str, int]]] = {}
        self.constants: dict[str, object] = {}
        self.headers = table.headers
        for f, spec in mapping.fields.items():
            if isinstance(spec, list):
                i = find_column(table.headers, spec)
                if i is not None:
                    self.idx[f] = i
                elif f in mapping.required_columns:
                    problems.append(Problem(table.name, 1, spec[0], Message("no such column (mapped to {field})", field=f)))
            elif "template" in spec:
                names = [n for _, n, _, _ in string.Formatter().parse(spec["template"]) if n]
                cols = {}
                for n in names:
                    i = find_column(table.headers, [n])
                    if i is None:
                        problems.append(Problem(table.name, 1, n, Message("no such column (used in the {field} template)",
                                                                          field=f)))
                    cols[n] = i
                self.templates[f] = (spec["template"], cols)
            else:
                self.constants[f] = spec["value"]
        self.history_cols: list[tuple[int, str]] = []
        if mapping.history_columns:
            pat = re.compile(r"^" + re.escape(norm(mapping.history_columns)) + r"\s*[\"'“”‘’](.+)[\"'“”‘’]$")
            for i, h in enumerate(table.headers):
                m = pat.match(norm(h))
                if m and m.group(1) != "current stage":
                    self.history_cols.append((i, h[len(h) - len(m.group(1)) - 1:-1]))

    def has(self, f: str) -> bool:
        return f in self.idx or f in self.templates or f in self.constants

    def column(self, f: str) -> str | None:
        if f in self.idx:
            return self.headers[self.idx[f]]
        if f in self.templates:
            return f
        return None

    def getter(self, f: str) -> Callable[[list], object] | None:
        """``raw(f, rec)`` as a function of the row, decided once per file; None when ``f`` is not mapped."""
        if f in self.idx:
            i = self.idx[f]
            return lambda rec: rec[i] if i < len(rec) else None
        if f in self.templates:
            return lambda rec: self.raw(f, rec)
        if f in self.constants:
            value = self.constants[f]
            return lambda rec: value
        return None

    def raw(self, f: str, rec: list):
        if f in self.idx:
            i = self.idx[f]
            return rec[i] if i < len(rec) else None
        if f in self.templates:
            tpl, cols = self.templates[f]
            vals = {n: _cell_text(rec[i]) if i is not None and i < len(rec) else "" for n, i in cols.items()}
            return tpl.format(**vals).strip()
        return self.constants.get(f)


def _memoized(cache: dict, raw: str, parse):
    """``parse(raw)``, remembered by its text: the value, or the same ParseError again."""
    hit = cache.get(raw, _MISSING)
    if hit is _MISSING:
        try:
            hit = parse(raw)
        except ParseError as exc:
            hit = exc
        cache[raw] = hit
    if isinstance(hit, ParseError):
        raise ParseError(hit.message)
    return hit


class _Reader:
    def __init__(self, mapping: Mapping, stages, table: Table):
        self.m = mapping
        self.tz = mapping.tz
        self.table = table
        self.name = table.name
        self.problems: list[Problem] = []
        self.values = ValueResolver(mapping, stages)
        self.last = len(stages)
        self.currencies = currencies()
        self._times: dict[str, datetime | ParseError | None] = {}
        self.utc = getattr(self.tz, "key", None) == "UTC"
        self._dates: dict[str, object] = {}
        self._plans: dict[int, _RowPlan] = {}
        self.unquote = not is_workbook(table.path)  # a workbook cell's quote prefix is a style, not text

    def bad(self, file: str, row: int | None, column: str | None, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(file, row, column, message))

    def target(self, value) -> StageTarget | None:
        return self.values.stage(value)

    def parse_datetime(self, raw) -> datetime | None:
        """:func:`parse_datetime` in the mapping's zone and date order; a text seen before is
        not parsed again, and the commonest forms go straight to :func:`parse_fast`."""
        if type(raw) is not str:
            return parse_datetime(raw, self.tz, self.m.date_order)
        return _memoized(self._times, raw, self._parse_datetime_text)

    def _parse_datetime_text(self, raw: str) -> datetime | None:
        fast = parse_fast(raw.strip(), self.m.date_order)
        if fast is None:
            return parse_datetime(raw, self.tz, self.m.date_order)
        return fast.replace(tzinfo=UTC) if self.utc else fast.replace(tzinfo=self.tz).astimezone(UTC)

    def parse_date(self, raw) -> date | None:
        if type(raw) is not str:
            return parse_date(raw, self.m.date_order)
        return _memoized(self._dates, raw, lambda text: parse_date(text, self.m.date_order))

    def _plan(self, cols: _Columns, lookups: dict) -> _RowPlan:
        plan = self._plans.get(id(cols))
        if plan is None or plan.cols is not cols:
            plan = self._plans[id(cols)] = _RowPlan(cols, lookups)
        return plan

    def read_row(self, cols: _Columns, row: int, rec: list, lookups: dict) -> _Rec | None:
        p = self._plan(cols, lookups)
        rec = p.full(rec)
        name = self.name
        problems = self.problems
        n_before = len(problems)
        v: dict = {}

        t = p.title(rec)
        title = (t.strip() if type(t) is str else _cell_text(t)) or None
        unquote = self.unquote
        if unquote and title is not None and title[0] == "'":
            title = spreadsheet_unquoted(title)
        if title is None:
            self.bad(name, row, p.title_column, Message("a title is required"))
        elif len(title) > 300:
            self.bad(name, row, p.title_column, Message("the title is longer than 300 characters"))
        v["title"] = title
        for f, get, lookup in p.texts:
            t = get(rec)
            t = (t.strip() if type(t) is str else _cell_text(t)) or None
            if unquote and t is not None and t[0] == "'":
                t = spreadsheet_unquoted(t)
            if t is not None and lookup is not None:
                t = lookup.get(t, t)
            v[f] = t
        owner = v.get("owner")
        if owner is not None and len(owner) in (15, 18) and is_salesforce_id(owner, "005"):
            self.bad(name, row, cols.column("owner"),
                     Message("owner '{value}' is a Salesforce user id, not a name: put User.csv (Id, Name) "
                             "from the same export beside the file, or map the owner to a column of names",
                             value=owner))
        currency = None
        amount = None
        amount_ok = False
        if p.amount is not None:
            try:
                amount, currency = parse_amount(p.amount(rec))
                amount_ok = True
            except ParseError as exc:
                self.bad(name, row, cols.column("amount"), exc.message)
            v["amount"] = amount
        code = (_cell_text(p.currency(rec)) or None) if p.currency is not None else None
        if code is not None:
            code = code.upper()
            if code not in self.currencies:
                self.bad(name, row, cols.column("currency"), Message("'{code}' is not an ISO currency code", code=code))
        v["currency"] = code or currency or self.m.currency
        if amount_ok and amount is not None and not (
                type(amount) is Decimal and amount.is_finite() and 0 <= amount < _MAX_AMOUNT
                and amount == amount.to_integral_value()):  # a whole amount in range is right in every currency
            _clean, errors = clean_deal_values({"amount": amount, "currency": v["currency"]})
            if "amount" in errors:
                self.bad(name, row, cols.column("amount"),
                         Message("amount {amount}: {reason}", amount=amount, reason=errors["amount"]))
        if p.expected_close is not None:
            try:
                v["expected_close"] = self.parse_date(p.expected_close(rec))
            except ParseError as exc:
                self.bad(name, row, cols.column("expected_close"), exc.message)
        for f, get in p.times:
            try:
                v[f] = self.parse_datetime(get(rec))
            except ParseError as exc:
                self.bad(name, row, cols.column(f), exc.message)
                v[f] = None

        target = None
        if p.stage is not None:
            sv = _cell_text(p.stage(rec)) or None
            if sv is not None:
                target = self.values.stage(sv)
                if target is None:
                    self.bad(name, row, cols.column("stage"), _unknown_stage(sv))
        status = target.status if target is not None else None
        if p.status is not None:
            sv = _cell_text(p.status(rec)) or None
            if sv is not None:
                st = self.values.status(sv)
                if st is None:
                    self.bad(name, row, cols.column("status"),
                             Message("unknown status '{value}' (map it in status_values: open, won or lost)", value=sv))
                else:
                    status = st
        status = status or OPEN
        position = target.position if target is not None else None
        # the open stage the row states: not for a won deal at the last stage (where won deals are anyway)
        open_stage = position if position is not None and not (status == WON and position == self.last) else None
        if status == WON:
            position = self.last
        elif status == OPEN and position is None:
            position = 1

        if p.source_id is not None:
            sid = _cell_text(p.source_id(rec)) or None
            if sid is None:
                self.bad(name, row, cols.column("source_id"), Message("the source id is empty"))
        else:
            key = "|".join([norm(title or ""), norm(v.get("account") or ""),
                            v["created"].isoformat() if v.get("created") else ""])
            sid = "row:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]
        if sid is not None and len(sid) > 100:
            self.bad(name, row, cols.column("source_id"), Message("the source id is longer than 100 characters"))
        if len(problems) > n_before:
            return None
        r = _Rec(row, sid, v, position, status, open_stage,
                 target is not None and target.status in (WON, LOST))
        for i, label in cols.history_cols:
            raw = rec[i] if i < len(rec) else None
            if is_blank(raw):
                continue
            t = self.values.stage(label)
            if t is None:
                self.bad(name, row, self.table.headers[i], _unknown_stage(label))
                continue
            try:
                at = self.parse_datetime(raw)
            except ParseError as exc:
                self.bad(name, row, self.table.headers[i], exc.message)
                continue
            r.history.append(_Entry(at, t.position, t.status or OPEN))
        return r


def _unknown_stage(value: str) -> Message:
    return Message("unknown stage '{value}' (map it in stage_values of a mapping file)", value=value)


class _RowPlan:
    """How one file's rows are read, decided once: a getter per mapped field. Rows shorter
    than the mapped columns are padded with None first (:meth:`full`), so a column getter
    is a plain item lookup."""

    def __init__(self, cols: _Columns, lookups: dict):
        self.cols = cols
        self.width = max(cols.idx.values(), default=-1) + 1
        self.title = self.getter("title") or (lambda rec: None)
        self.title_column = cols.column("title")
        self.texts = [(f, self.getter(f), lookups.get(f))
                      for f in ("owner", "account", "contact", "lead_source", "loss_reason", "description")
                      if cols.has(f)]
        self.amount = self.getter("amount")
        self.currency = self.getter("currency")
        self.expected_close = self.getter("expected_close")
        self.times = [(f, self.getter(f)) for f in ("created", "closed", "won_date", "lost_date", "stage_changed")
                      if cols.has(f)]
        self.stage = self.getter("stage")
        self.status = self.getter("status")
        self.source_id = self.getter("source_id")

    def getter(self, f: str) -> Callable[[list], object] | None:
        if f in self.cols.idx:
            return itemgetter(self.cols.idx[f])
        return self.cols.getter(f)

    def full(self, rec: list) -> list:
        n = len(rec)
        return rec if n >= self.width else [*rec, *([None] * (self.width - n))]


def _read_history(reader: _Reader, path: Path, recs: dict[str, _Rec], encoding: str | None = None) -> None:
    h = reader.m.history_file
    try:
        table = read_companion(path, encoding)
    except ParseError as exc:
        reader.bad(path.name, None, None, exc.message)
        return
    cols = {}
    for key in ("deal_id", "at", "stage", "close_date", "deleted"):
        names = getattr(h, key)
        i = find_column(table.headers, names) if names else None
        if i is None and key in ("deal_id", "at", "stage"):
            reader.bad(table.name, 1, names[0], Message("no such column (history {key})", key=key))
            return
        cols[key] = i
    for row, rec in table.rows:
        def cell(key, rec=rec):
            i = cols[key]
            return rec[i] if i is not None and i < len(rec) else None

        if cols["deleted"] is not None and _cell_text(cell("deleted")).lower() in ("true", "1", "yes"):
            continue
        r = recs.get(_cell_text(cell("deal_id")))
        if r is None:
            continue  # history of a deal that is not in the main file
        try:
            at = parse_datetime(cell("at"), reader.tz, reader.m.date_order)
        except ParseError as exc:
            reader.bad(table.name, row, table.headers[cols["at"]], exc.message)
            continue
        if at is None:
            reader.bad(table.name, row, table.headers[cols["at"]], Message("the time is empty"))
            continue
        sv = _cell_text(cell("stage"))
        t = reader.target(sv) if sv else None
        if t is None:
            reader.bad(table.name, row, table.headers[cols["stage"]], _unknown_stage(sv))
            continue
        r.history.append(_Entry(at, t.position, t.status or OPEN))
        if cols["close_date"] is not None:
            try:
                cd = parse_date(cell("close_date"), reader.m.date_order)
            except ParseError as exc:
                reader.bad(table.name, row, table.headers[cols["close_date"]], exc.message)
                continue
            if cd is not None:
                r.close_dates.append((at, cd))


def _read_lookups(mapping: Mapping, base: Path, problems: list[Problem],
                  encoding: str | None = None) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for lk in mapping.lookups:
        p = base / lk.file
        if not p.exists():
            continue
        try:
            t = read_companion(p, encoding)
        except ParseError as exc:
            problems.append(Problem(p.name, None, None, exc.message))
            continue
        ki, ni = find_column(t.headers, [lk.key]), find_column(t.headers, [lk.name])
        if ki is None or ni is None:
            continue
        out[lk.field] = {_cell_text(r[ki]): _cell_text(r[ni]) for _, r in t.rows
                         if ki < len(r) and ni < len(r) and _cell_text(r[ni])}
    return out


def _chain(r: _Rec, now: datetime, last: int) -> list[_Entry]:
    """The deal's visits as the file tells them, oldest first, consecutive repeats merged.

    The deal is open from its creation: when the first stage the file dates comes a day or
    more after the creation, the stretch before it is one more visit, in stage 1 (where
    deals begin) and ``guessed`` (the file states no stage for it; written as kind
    "imported", which dwell statistics leave out); a first dated visit of stage 1 simply
    starts at the creation. A closed status right after another closed status (Salesforce's
    "Closed Won" then "Closed Lost") corrects the outcome of that closing: the deal closed
    once, at the first, with the later status, at the stage it was in."""
    v = r.values
    created = v.get("created")
    if r.history:
        entries = sorted(r.history, key=lambda e: (e.at, _rank(e.status), e.position or 0))
    else:
        entries = _stated_entries(r, now)
    if created is not None and entries and entries[0].at - created >= STAND_IN_GAP:
        first = entries[0]
        if first.status == OPEN and first.position == 1:
            entries[0] = _Entry(created, 1, OPEN, first.guessed)
        else:
            entries.insert(0, _Entry(created, 1, OPEN, True))
    out: list[_Entry] = []
    last_open = None
    for e in entries:
        pos = e.position
        if pos is None:
            if e.status == WON:
                pos = last
            elif last_open is not None:
                pos = last_open
            else:
                pos = r.position or 1
        if e.status == OPEN:
            last_open = pos
        if out and out[-1].position == pos and out[-1].status == e.status:
            continue
        if out and out[-1].status != OPEN and e.status != OPEN:
            before = out[-1]
            out[-1] = _Entry(before.at, last if e.status == WON else before.position, e.status)
            continue
        out.append(_Entry(e.at, pos, e.status, e.guessed))
    return out


STAND_IN_GAP = timedelta(days=1)  # from the creation to the first dated stage: a stretch of its own


def _stated_entries(r: _Rec, now: datetime) -> list[_Entry]:
    """The visits of a row without stage history: its stage, from ``stage_changed`` (when the
    stage cell names an open stage; for a closed outcome it is the closing) or else from the
    creation, and its closing. A closed deal whose row names no open stage gets a guessed
    open visit in stage 1 from its creation (won deals are at the last stage only from
    their win on)."""
    v = r.values
    created = v.get("created")
    changed = v.get("stage_changed")
    if r.status == OPEN:
        return [_Entry(changed or created or now, r.position, OPEN)]
    closing = v.get("won_date" if r.status == WON else "lost_date") or v.get("closed")
    if changed is not None and r.changed_closes:
        closing, changed = closing or changed, None
    first = created or closing or changed or now
    if r.open_stage is None:
        opened = [_Entry(first, 1, OPEN, True)]
    elif changed is not None and changed > first and (closing is None or changed < closing):
        opened = [_Entry(changed, r.open_stage, OPEN)]
    else:
        opened = [_Entry(first, r.open_stage, OPEN)]
    end = max(closing or changed or first, opened[-1].at)
    return [*opened, _Entry(end, r.position, r.status)]


def history_column_stages(mapping: Mapping, headers: list[str]) -> list[str]:
    """The stage labels of the file's history columns (HubSpot "Date entered" columns)."""
    if not mapping.history_columns:
        return []
    table = Table(path=Path("-"), headers=headers)
    return [label for _i, label in _Columns(Mapping(history_columns=mapping.history_columns), table, []).history_cols]


# ------------------------------------------------------------------ the import

def resolve_mapping(path: str | Path, preset_name: str | None = None,
                    mapping: Mapping | str | Path | None = None,
                    encoding: str | None = None) -> tuple[Mapping, str]:
    """The mapping to use for a file and the name of where it came from."""
    if isinstance(mapping, Mapping):
        return mapping, mapping.name
    if mapping is not None:
        m = load_mapping(mapping)
        return m, m.name
    if preset_name:
        return preset(preset_name), preset_name
    headers = read_table(path, limit=0, encoding=encoding).headers
    name = detect_preset(headers)
    return preset(name), name


def check_can_import(db: Database) -> None:
    """Raise ReplicaRefused when ``db`` is an offline replica: an import's bulk writes would
    never be pushed. import_file asks it; a front may ask it before the user picks a file."""
    def instead(*, server: str, owner: str, sync: str) -> Message:
        return Message("import on the team server instead, e.g. pipeline-manager import FILE --db {server}, "
                       "then sync ({sync})", server=server, sync=sync)

    refuse_on_replica(db, Message("cannot import deals"), instead)


def import_file(db: Database, path: str | Path, *, preset: str | None = None,
                mapping: Mapping | str | Path | None = None, history_path: str | Path | None = None,
                dry_run: bool = False, actor_id: uuid.UUID | None = None, encoding: str | None = None,
                progress: Callable[[int, int], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> ImportResult:
    """Import deals from a CSV or XLSX file; all or nothing (see the module docstring).

    ``actor_id``: the importing user, also the owner of deals whose owner cell is empty
    (without it a user named "Imported" is used). ``progress(done, total)`` is called now
    and then; ``cancelled()`` returning True stops the import with nothing written.
    ``encoding``: the imported CSV file's text encoding when detection is not wanted (cp1252,
    ...); its stage history and lookup files are detected, and read with it only when
    detection cannot tell (parsing.read_companion).
    Refused on an offline replica (ReplicaRefused) before anything is read or written, as
    its bulk writes would never be pushed; a dry run, which writes nothing, is allowed.
    """
    if not dry_run:
        check_can_import(db)
    with _cyclic_gc_paused():
        return _import_file(db, Path(path), preset=preset, mapping=mapping, history_path=history_path,
                            dry_run=dry_run, actor_id=actor_id, encoding=encoding, progress=progress,
                            cancelled=cancelled)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while an import runs: a big import allocates
    millions of small containers (cells, rows, planned rows) and keeps them all until it
    ends, so the collector's passes over them find nothing and cost ~12% of its time.
    Reference counting still frees everything as usual; the collector resumes after."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _import_file(db: Database, path: Path, *, preset: str | None, mapping: Mapping | str | Path | None,
                 history_path: str | Path | None, dry_run: bool, actor_id: uuid.UUID | None,
                 encoding: str | None, progress: Callable[[int, int], None] | None,
                 cancelled: Callable[[], bool] | None) -> ImportResult:
    try:
        table = read_table(path, encoding=encoding)
        m, origin = resolve_mapping(path, preset, mapping, encoding)
    except ParseError as exc:
        raise ImportFailed([Problem(path.name, None, None, exc.message)]) from None
    except MappingError:
        raise
    now = utcnow()
    total = max(1, 2 * len(table.rows))

    def tick(done: int) -> None:
        if cancelled is not None and cancelled():
            raise ImportCancelled()
        if progress is not None:
            progress(min(done, total), total)

    with db.read() as s:
        stages = active_stages(s)
        if actor_id is not None and s.get(User, actor_id) is None:
            raise NotFound(Message("user {user} not found", user=actor_id))
    reader = _Reader(m, stages, table)
    problems = reader.problems
    cols = _Columns(m, table, problems)
    if not cols.has("title"):
        problems.append(Problem(table.name, None, None, Message("no column is mapped to the deal title")))
    if problems:
        raise ImportFailed(problems)
    lookups = _read_lookups(m, path.parent, problems, encoding)
    recs: dict[str, _Rec] = {}
    first_row: dict[str, int] = {}
    source_id_of = cols.getter("source_id")
    for i, (row, rec) in enumerate(table.rows):
        duplicate = False
        if source_id_of is not None:
            sid = _cell_text(source_id_of(rec))
            if sid and sid in first_row:
                reader.bad(table.name, row, cols.column("source_id"),
                           Message("source id '{source_id}' is also on row {row}", source_id=sid, row=first_row[sid]))
                duplicate = True  # its other cells are still checked and reported
            else:
                first_row.setdefault(sid, row)
        r = reader.read_row(cols, row, rec, lookups)
        if r is not None and not duplicate:
            first = recs.get(r.source_id)
            if first is not None:  # two rows without a source id that look the same
                reader.bad(table.name, row, cols.column("title"),
                           Message("the same deal (title, account, created) is also on row {row}", row=first.row))
            else:
                recs[r.source_id] = r
        if i % 2000 == 0:
            tick(i)
    history_used = None
    if history_path and m.history_file is None:
        problems.append(Problem(Path(history_path).name, None, None,
                                Message("the {layout} layout has no history file; use the salesforce preset "
                                        "or a mapping with history_file", layout=origin)))
    if m.history_file is not None:
        hp = Path(history_path) if history_path else path.parent / m.history_file.file
        if history_path and not hp.exists():
            problems.append(Problem(hp.name, None, None, Message("no such history file")))
        elif hp.exists() and hp.resolve() != path.resolve():
            history_used = str(hp)
            _read_history(reader, hp, recs, encoding)
    if problems:
        raise ImportFailed(problems)
    tick(len(table.rows))

    result = ImportResult(rows=len(table.rows), dry_run=dry_run, preset=origin,
                          source_system=m.source_system, history_file=history_used)
    session_cm = db.read() if dry_run else db.write()
    with session_cm as s:
        _apply(s, m, stages, list(recs.values()), result, now=now, actor_id=actor_id,
               write=not dry_run, tick=lambda k: tick(len(table.rows) + k),
               where=(table.name, cols.column("source_id")))
    tick(total)
    return result


def _apply(s, m: Mapping, stages, recs: list[_Rec], result: ImportResult, *, now: datetime,
           actor_id: uuid.UUID | None, write: bool, tick: Callable[[int], None],
           where: tuple[str, str | None] = ("", None)) -> None:
    OPP, TR, CDC = Opportunity.__table__, StageTransition.__table__, CloseDateChange.__table__
    stage_id = {st.position: st.id for st in stages}
    pos_of = {st.id: st.position for st in stages}
    system = m.source_system

    # names match by their stored name_key (collation.same_name's rule); the first of equals wins
    users: dict[str, uuid.UUID] = {}
    for i, k in s.execute(select(User.id, User.name_key).order_by(User.created_at, User.id)):
        users.setdefault(k, i)
    accounts: dict[str, uuid.UUID] = {}
    for i, k in s.execute(select(Account.id, Account.name_key).order_by(Account.created_at, Account.id)):
        accounts.setdefault(k, i)
    sources: dict[str, uuid.UUID] = {}
    for i, k in s.execute(select(LeadSource.id, LeadSource.name_key).order_by(LeadSource.created_at, LeadSource.id)):
        sources.setdefault(k, i)
    contacts: dict[tuple, uuid.UUID] = {}
    for i, a, k in s.execute(select(Contact.id, Contact.account_id, Contact.name_key)
                             .order_by(Contact.created_at, Contact.id)):
        contacts.setdefault((a, k), i)
    new_users, new_accounts, new_sources, new_contacts = [], [], [], []

    def user_for(name: str) -> uuid.UUID:
        k = name_key(name)
        if k not in users:
            users[k] = uuid.uuid4()
            new_users.append(dict(id=users[k], name=name, name_key=k, role=Role.REP.value, active=True,
                                  created_at=now, updated_at=now))
        return users[k]

    def account_for(name: str) -> uuid.UUID:
        k = name_key(name)
        if k not in accounts:
            accounts[k] = uuid.uuid4()
            new_accounts.append(dict(id=accounts[k], name=name, name_key=k, source_system=system,
                                     created_at=now, updated_at=now))
        return accounts[k]

    def source_for(name: str) -> uuid.UUID:
        k = name_key(name)
        if k not in sources:
            sources[k] = uuid.uuid4()
            new_sources.append(dict(id=sources[k], name=name, name_key=k, created_at=now, updated_at=now))
        return sources[k]

    def contact_for(name: str, account_id) -> uuid.UUID:
        k = (account_id, name_key(name))
        if k not in contacts:
            contacts[k] = uuid.uuid4()
            new_contacts.append(dict(id=contacts[k], name=name, name_key=k[1], account_id=account_id,
                                     created_at=now, updated_at=now))
        return contacts[k]

    default_owner = None

    def owner_default() -> uuid.UUID:
        nonlocal default_owner
        if default_owner is None:
            default_owner = actor_id or user_for(DEFAULT_OWNER)
        return default_owner

    cols = [OPP.c.id, OPP.c.source_id, OPP.c.title, OPP.c.account_id, OPP.c.contact_id, OPP.c.owner_id, OPP.c.amount,
            OPP.c.currency, OPP.c.expected_close, OPP.c.lead_source_id, OPP.c.loss_reason, OPP.c.description,
            OPP.c.stage_id, OPP.c.status, OPP.c.stage_entered_at, OPP.c.closed_at, OPP.c.version,
            OPP.c.forecast_category]
    # ids are read untyped and made UUIDs once per distinct value (a re-import reads hundreds
    # of thousands of them, mostly the same few stages, owners and accounts); rows as dicts
    # zipped with the result's keys (Row._asdict() rebuilds the keys per row)
    uuid_of: dict = {}

    def as_uuid(value):
        if value is None:
            return None
        u = uuid_of.get(value)
        if u is None:  # hex text on SQLite; psycopg already gives a UUID
            u = uuid_of[value] = value if isinstance(value, uuid.UUID) else uuid.UUID(value)
        return u

    def read(columns: list, ids: set[str], where=None):
        """Dicts of ``columns`` (of the deals of this source system, or ``where`` says which,
        or of their history rows)."""
        table = columns[0].table
        stmt = select(*(type_coerce(c, String).label(c.key) if c.key in ids else c for c in columns))
        if table is not OPP:
            stmt = stmt.join(OPP, OPP.c.id == table.c.opportunity_id)
        res = s.execute(stmt.where(OPP.c.source_system == system if where is None else where))
        keys = list(res.keys())
        id_keys = [k for k in keys if k in ids]
        for row in res:
            d = dict(zip(keys, row, strict=True))
            for k in id_keys:
                d[k] = as_uuid(d[k])
            yield d

    id_cols = {"id", "account_id", "contact_id", "owner_id", "lead_source_id", "stage_id"}
    existing = {d["source_id"]: d for d in read(cols, id_cols)}
    trans: dict[uuid.UUID, list[dict]] = defaultdict(list)
    closes: dict[uuid.UUID, set] = defaultdict(set)

    def read_history(where=None) -> None:
        for d in read([TR.c.id, TR.c.opportunity_id, TR.c.at, TR.c.to_stage_id, TR.c.to_status, TR.c.left_at],
                      {"id", "opportunity_id", "to_stage_id"}, where):
            trans[d["opportunity_id"]].append(d)
        for d in read([CDC.c.opportunity_id, CDC.c.old_date, CDC.c.new_date, CDC.c.at], {"opportunity_id"}, where):
            closes[d["opportunity_id"]].add((d["old_date"], d["new_date"], d["at"]))

    if existing:
        read_history()
    # a source id that is the id of one of our deals (the id column of pipeline-manager deals)
    # is that deal, whatever its source system; an id no deal has becomes the new deal's id
    ours: list[tuple[str, uuid.UUID]] = []
    for r in recs:
        sid = r.source_id
        if len(sid) == 36 and sid[8] == "-":
            try:
                ours.append((sid, uuid.UUID(sid)))
            except ValueError:
                pass
    adopt: dict[str, uuid.UUID] = {}
    if ours:
        known = {d["id"] for d in existing.values()}
        taken: set[uuid.UUID] = set()
        for i in range(0, len(ours), 500):
            chunk = ours[i:i + 500]
            found = {d["id"]: d for d in read(cols, id_cols, OPP.c.id.in_([u for _sid, u in chunk]))}
            for sid, deal_id in chunk:
                if deal_id in found:
                    existing[sid] = found[deal_id]
                elif deal_id not in taken:
                    adopt[sid] = deal_id
                taken.add(deal_id)
            others = [x for x in found if x not in known]
            if others:
                read_history(OPP.c.id.in_(others))

        # one deal for two rows: one row has its id, the other its source id
        first_row: dict[uuid.UUID, int] = {}
        twice = []
        for r in recs:
            old = existing.get(r.source_id)
            if old is not None and first_row.setdefault(old["id"], r.row) != r.row:
                twice.append(Problem(where[0], r.row, where[1], Message(
                    "the same deal as row {row} (one row names it by its id, the other by its source id)",
                    row=first_row[old["id"]])))
        if twice:
            raise ImportFailed(twice)

    # built after the deals were read: what is written below assumes nobody changed them since
    bulk = BulkInserter(s.get_bind().dialect.name == "sqlite")
    enc = bulk.encoder
    e_uuid, e_money, e_date, new_row_id = enc.uuid, enc.money, enc.date, enc.new_id
    e_true = enc.flag(True)
    stage_key = {p: e_uuid(i) for p, i in stage_id.items()}
    deal_rows: list[tuple] = []
    tr_rows: list[tuple] = []
    cd_rows: list[tuple] = []
    deal_updates, left_updates = [], []
    # the fields the file has a column for (every row reads the same ones): a field of the
    # mapping whose column the file lacks leaves the deal's value alone, as an unmapped one
    present = recs[0].values.keys() if recs else ()
    mapped = {f for f in ("account", "contact", "amount", "expected_close", "lead_source", "loss_reason",
                          "description") if f in m.fields and f in present}
    map_account, map_contact, map_source = "account" in mapped, "contact" in mapped, "lead_source" in mapped
    plain = [f for f in ("amount", "expected_close", "loss_reason", "description") if f in mapped]
    nstages = len(stages)
    n_cd = 0
    new_deal_ids: list[uuid.UUID] = []
    # the id and its stored form for a name exactly as written (the *_for functions compare case-folded)
    user_of: dict[str, tuple] = {}
    account_of: dict[str, tuple] = {}
    source_of: dict[str, tuple] = {}

    def ref(i: uuid.UUID) -> tuple:
        return (i, e_uuid(i))

    dt_memo: dict = {}
    day_memo: dict = {}

    def e_day(d):
        key = day_memo.get(d)
        if key is None:
            key = day_memo[d] = e_date(d)
        return key


    def e_dt(x):  # a time is written up to three times (visit, left_at of the one before, created_at)
        key = dt_memo.get(x)
        if key is None:
            key = dt_memo[x] = enc.datetime(x)
        return key

    now_key = e_dt(now)

    refs = (new_users, new_accounts, new_sources, new_contacts)
    sent = [0, 0, 0, 0]  # how many of each of refs are written

    def flush() -> None:
        nonlocal deal_rows, tr_rows, cd_rows, deal_updates, left_updates
        batch = _Batch([rows[k:] for rows, k in zip(refs, sent, strict=True)], deal_rows, deal_updates,
                       left_updates, tr_rows, cd_rows)
        sent[:] = [len(rows) for rows in refs]
        deal_rows, tr_rows, cd_rows, deal_updates, left_updates = [], [], [], [], []
        _write_batch(s, bulk, batch)

    previous_cache = None
    if write and bulk.raw:  # random UUID keys touch pages all over the indexes: keep them cached
        dbapi = s.connection().connection.driver_connection
        previous_cache = dbapi.execute("PRAGMA cache_size").fetchone()[0]
        dbapi.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    rebuild: list[str] = []
    try:
        if write and bulk.raw and _rebuild_indexes(s, existing, recs):
            rebuild = drop_secondary_indexes(s, (OPP.name, TR.name, CDC.name))
        for n, r in enumerate(recs):
            v = r.values
            old = existing.get(r.source_id)
            vals: dict = {"title": v["title"], "currency": v["currency"]}
            # (id, its stored form) by the name as written
            owner_ref = account_ref = source_ref = NO_REF
            if owner := v.get("owner"):
                owner_ref = user_of.get(owner) or user_of.setdefault(owner, ref(user_for(owner)))
                vals["owner_id"] = owner_ref[0]
            elif old is None:
                vals["owner_id"] = owner_default()
            if map_account:
                if account := v.get("account"):
                    account_ref = account_of.get(account) or account_of.setdefault(account, ref(account_for(account)))
                vals["account_id"] = account_ref[0]
            if map_contact:
                vals["contact_id"] = contact_for(v["contact"], vals.get("account_id")) if v.get("contact") else None
            if map_source:
                if source := v.get("lead_source"):
                    source_ref = source_of.get(source) or source_of.setdefault(source, ref(source_for(source)))
                vals["lead_source_id"] = source_ref[0]
            for f in plain:
                vals[f] = v.get(f)
            chain = _chain(r, now, nstages)
            if old is None:
                deal_id = adopt.get(r.source_id) if adopt else None
                if deal_id is None:
                    if not new_deal_ids:
                        new_deal_ids = random_uuids(CHUNK)
                    deal_id = new_deal_ids.pop()
                # a new deal: every visit of the file is new
                allv = [(e.at, e.position, e.status, None, e.guessed) for e in chain]
                if r.history:  # without history the chain is one visit, or opened then closed no earlier
                    allv.sort(key=_visit_order)
            else:
                deal_id = old["id"]
                # the visits already stored, and the file's visits that are not stored yet (a
                # guessed stretch only for a deal with no history stored)
                stored = [dict(t) for t in trans.get(deal_id, [])]
                seen = {(t["at"], t["to_stage_id"], t["to_status"]) for t in stored}
                new = [e for e in chain if (e.at, stage_id[e.position], e.status) not in seen
                       and not (e.guessed and stored)] if r.history else []
                allv = [(t["at"], pos_of.get(t["to_stage_id"], 1), t["to_status"], t, False) for t in stored]
                allv += [(e.at, e.position, e.status, None, e.guessed) for e in new]
                allv.sort(key=_visit_order)
            want_pos = r.position if r.position is not None else (allv[-1][1] if allv else 1)
            if r.status == LOST and r.position is None:
                if allv and allv[-1][2] == LOST:  # lost where the history has it lost
                    want_pos = allv[-1][1]
                else:
                    opens = [x[1] for x in allv if x[2] == OPEN]
                    want_pos = opens[-1] if opens else 1
            if not allv or (allv[-1][1], allv[-1][2]) != (want_pos, r.status):
                last_at = allv[-1][0] if allv else now
                closing = None
                if r.status != OPEN:
                    closing = v.get("won_date" if r.status == WON else "lost_date") or v.get("closed")
                cand = closing or v.get("stage_changed") or now
                if cand <= last_at:
                    cand = last_at + timedelta(seconds=1)
                allv.append((cand, want_pos, r.status, None, False))
            if len(allv) > 1:
                allv = _joined(allv, r.position if r.status == LOST else None)
            if write:
                deal_key = e_uuid(deal_id)
                at_keys = [dt_memo.get(x[0]) or e_dt(x[0]) for x in allv]
            reason = v.get("loss_reason")
            prev = None
            added = 0
            last_i = len(allv) - 1
            for i, (at, pos, st, t, guessed) in enumerate(allv):
                if t is not None:
                    left = allv[i + 1][0] if i < last_i else None
                    if t["left_at"] != left:
                        left_updates.append({"b_id": t["id"], "b_left": left})
                else:
                    if guessed:
                        kind = K_IMPORTED
                    elif prev is None:
                        kind = K_CREATED
                    elif prev[2] != OPEN and st == OPEN:
                        kind = K_REOPENED
                    elif st == WON:
                        kind = K_WON
                    elif st == LOST:
                        kind = K_LOST
                    else:  # consecutive repeats are merged: an open visit moves
                        kind = K_FORWARD if pos > prev[1] else K_BACKWARD
                    if write:
                        tr_rows.append((
                            new_row_id(), deal_key, stage_key[prev[1]] if prev else None, stage_key[pos],
                            prev[2] if prev else None, st, kind, at_keys[i], at_keys[i + 1] if i < last_i else None,
                            None, reason if st == LOST else None, None, e_true))
                    added += 1
                prev = (at, pos, st)
            last_at, last_pos, last_status, _t, _g = allv[-1]
            vals.update(stage_id=stage_id[last_pos], status=last_status, stage_entered_at=last_at,
                        closed_at=last_at if last_status != OPEN else None)
            if last_status == OPEN:
                vals["loss_reason"] = None
            # close-date history
            cds: list[tuple] = []
            prev_cd = old["expected_close"] if old else None
            if old is None:
                have: set = set()
                for at, cd in sorted(r.close_dates):
                    if cd != prev_cd:
                        cds.append((prev_cd, cd, at))
                        prev_cd = cd
                if "expected_close" in vals and vals["expected_close"] != prev_cd:
                    at = chain[0].at if not cds else max(cds[-1][2], chain[-1].at)
                    cds.append((prev_cd, vals["expected_close"], at))
            else:
                have = closes.get(deal_id, set())
                if "expected_close" in vals and vals["expected_close"] != prev_cd:
                    cds.append((prev_cd, vals["expected_close"], now))
            for o, nw, at in cds:
                if (o, nw, at) not in have:
                    n_cd += 1
                    if write:
                        cd_rows.append((new_row_id(), deal_key, e_day(o), e_day(nw), e_dt(at), None, e_true))
            result.history_rows += added
            if old is None:
                if write:
                    g = vals.get
                    closed_at = vals["closed_at"]
                    owner_id = vals["owner_id"]
                    deal_rows.append((
                        deal_key, vals["title"], name_key(vals["title"]), account_ref[1], e_uuid(g("contact_id")),
                        owner_ref[1] if owner_ref[0] is owner_id else e_uuid(owner_id), e_money(g("amount")),
                        vals["currency"], e_day(g("expected_close")),
                        FORECAST_OF.get(last_status, PIPELINE), source_ref[1], None,
                        stage_key[last_pos], last_status, at_keys[last_i],
                        None if closed_at is None else at_keys[last_i], g("loss_reason"), g("description"),
                        system, r.source_id, 1, e_dt(v.get("created") or chain[0].at), now_key))
                result.created += 1
                result.deal_ids.append(deal_id)
            else:
                changed = {k: x for k, x in vals.items() if old.get(k) != x}
                if changed or added or cds:
                    merged = {k: old[k] for k in old if k not in ("source_id",)}
                    merged.update(vals)
                    if merged["status"] != old["status"]:
                        merged["forecast_category"] = {
                            WON: ForecastCategory.COMMIT.value,
                            LOST: ForecastCategory.OMITTED.value,
                        }.get(merged["status"], old["forecast_category"])
                    merged["title_key"] = name_key(merged["title"])
                    merged["version"] = old["version"] + 1
                    merged["updated_at"] = now
                    # the version read at plan time: the UPDATE only applies if nobody moved it since
                    deal_updates.append({**{f"b_{k}": x for k, x in merged.items()}, "b_read_version": old["version"]})
                    result.updated += 1
                    result.deal_ids.append(deal_id)
                else:
                    result.unchanged += 1
            if n % 2000 == 0:
                tick(n * 3 // 4)
            if write and (n + 1) % CHUNK == 0:
                flush()
        if write:
            flush()
            create_indexes(s, rebuild)
            tick(len(recs))
    finally:
        if previous_cache is not None:
            dbapi.execute(f"PRAGMA cache_size = {int(previous_cache)}")

    result.close_date_changes = n_cd
    result.users_created = len(new_users)
    result.accounts_created = len(new_accounts)
    result.lead_sources_created = len(new_sources)
    result.contacts_created = len(new_contacts)


def _rebuild_indexes(s, existing: dict, recs: list[_Rec]) -> bool:
    """Whether to build the deal and history indexes again after the write rather than row by
    row: when the import at least doubles a table of some size (a first big import)."""
    new = sum(1 for r in recs if r.source_id not in existing)
    if new < REBUILD_MIN_ROWS:
        return False
    return new >= (s.scalar(select(func.count()).select_from(Opportunity)) or 0)


def _joined(allv: list[tuple], lost_stage: int | None = None) -> list[tuple]:
    """A deal's visits (stored ones carry their row) with the new ones fitted in by the rules
    of one file's chain: a new visit repeating the stage and status of the one
    before or of the stored one after it is the same visit (dropped, so a history row for a
    stage the deal is already in does not restart its days in stage); a new closing right
    after a stored one (which an import never rewrites) is preceded by a reopen at the same
    time, as the app itself would have to do (gates.closed_deal_refusal): to the stage the
    deal was in, or for a loss to the stage the row names (``lost_stage``), where it is lost."""
    out: list[tuple] = []
    n = len(allv)
    for i, x in enumerate(allv):
        if x[3] is None:
            if out and (out[-1][1], out[-1][2]) == (x[1], x[2]):
                continue
            if i + 1 < n and allv[i + 1][3] is not None and (allv[i + 1][1], allv[i + 1][2]) == (x[1], x[2]):
                continue
            if out and out[-1][2] != OPEN and x[2] != OPEN:
                back = out[-1][1] if x[2] == WON or lost_stage is None else lost_stage
                out.append((x[0], back, OPEN, None, False))
                if x[2] == LOST:
                    x = (x[0], back, *x[2:])
        out.append(x)
    return out


def _visit_order(x: tuple) -> tuple:
    return (x[0], 0 if x[2] == OPEN else 1, x[1])


@dataclass
class _Batch:
    """The rows planned for one chunk of deals, written in this order (what the foreign keys
    need) as soon as the chunk is planned: the planned rows of a big file are never all held."""

    refs: list[list[dict]]  # new users, accounts, lead sources, contacts
    deals: list[tuple]
    deal_updates: list[dict]
    left_updates: list[dict]
    transitions: list[tuple]
    close_dates: list[tuple]


def _write_batch(s, bulk: BulkInserter, b: _Batch) -> None:
    OPP, TR, CDC = Opportunity.__table__, StageTransition.__table__, CloseDateChange.__table__
    for table, rows in zip((User.__table__, Account.__table__, LeadSource.__table__, Contact.__table__),
                           b.refs, strict=True):
        for i in range(0, len(rows), CHUNK):
            s.execute(insert(table), rows[i:i + CHUNK])
    bulk.insert_tuples(s, OPP, OPP_COLUMNS, b.deals)
    if b.deal_updates:
        keys = [k[2:] for k in b.deal_updates[0] if k not in ("b_id", "b_read_version")]
        stmt = (update(OPP).where(OPP.c.id == bindparam("b_id"), OPP.c.version == bindparam("b_read_version"))
                .values({k: bindparam(f"b_{k}") for k in keys}))
        applied = s.execute(stmt, b.deal_updates).rowcount
        if applied is not None and 0 <= applied < len(b.deal_updates):
            from app.errors import ConflictError

            raise ConflictError(Message("{count} deal(s) were changed by someone else while the import ran; "
                                        "nothing was imported, run it again", count=len(b.deal_updates) - applied))
    if b.left_updates:
        stmt = update(TR).where(TR.c.id == bindparam("b_id")).values(left_at=bindparam("b_left"))
        s.execute(stmt, b.left_updates)
    bulk.insert_tuples(s, TR, TR_COLUMNS, b.transitions)
    bulk.insert_tuples(s, CDC, CDC_COLUMNS, b.close_dates)


def deal_count(db: Database, source_system: str) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Opportunity)
                        .where(Opportunity.source_system == source_system)) or 0


__all__ = ["ImportCancelled", "ImportFailed", "ImportResult", "Mapping", "Problem", "deal_count",
           "import_file", "resolve_mapping"]
