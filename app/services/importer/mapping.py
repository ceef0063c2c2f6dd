"""The import mapping: which file column feeds which deal field, and what the source's stage
and status values mean. A mapping is a small JSON file a user can write (documented in
docs/import-mapping.md); the presets are mappings too. No Qt, no database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.errors import AppError, Message
from app.models.base import name_key
from app.services.importer.parsing import DATE_ORDERS, clean_header

FORMAT = "pipeline-manager-import-mapping"

# deal field -> what it means (English; the wizard translates its own labels)
FIELDS: dict[str, str] = {
    "source_id": "the deal's id in the source system (re-imports update by it)",
    "title": "deal title",
    "account": "account (company) name",
    "contact": "contact person name",
    "owner": "owner (sales rep) name",
    "amount": "amount",
    "currency": "ISO currency code",
    "expected_close": "expected close date",
    "created": "when the deal was created",
    "closed": "when the deal was closed (won or lost)",
    "won_date": "when the deal was won",
    "lost_date": "when the deal was lost",
    "stage_changed": "when the deal entered its current stage",
    "lead_source": "lead source name",
    "status": "status (open, won, lost)",
    "stage": "stage",
    "loss_reason": "loss reason",
    "description": "description",
}
STATUSES = ("open", "won", "lost")


class MappingError(AppError):
    """A mapping file that cannot be used; the message (a :class:`Message`) names the key
    that is wrong."""


@dataclass(frozen=True)
class StageTarget:
    """What one source stage value means: a stage position (1..7), a status, or both."""

    position: int | None = None
    status: str | None = None

    def to_json(self):
        if self.status is None:
            return self.position
        if self.position is None:
            return self.status
        return {"stage": self.position, "status": self.status}


def norm(text) -> str:
    """How source values and headers are compared: the app's one name rule (name_key:
    compatibility forms, Unicode case folding, spaces collapsed)."""
    return name_key(str(text))


def _not_a_stage(where: str, value) -> MappingError:
    return MappingError(Message("{key}: {value} is not a stage (1-7), 'won', 'lost' or 'open'",
                                key=where, value=repr(value)))


def parse_target(value, where: str) -> StageTarget:
    if isinstance(value, bool):
        raise _not_a_stage(where, value)
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        pos = int(value)
        if not 1 <= pos <= 7:
            raise MappingError(Message("{key}: stage {stage} does not exist (1-7)", key=where, stage=pos))
        return StageTarget(position=pos)
    if isinstance(value, str) and value.strip().lower() in STATUSES:
        return StageTarget(status=value.strip().lower())
    if isinstance(value, dict):
        pos = value.get("stage")
        st = value.get("status")
        t1 = parse_target(pos, where) if pos is not None else StageTarget()
        if st is not None and str(st).lower() not in STATUSES:
            raise MappingError(Message("{key}: status {status} is not open, won or lost", key=where,
                                       status=repr(st)))
        return StageTarget(position=t1.position, status=str(st).lower() if st else None)
    raise _not_a_stage(where, value)


@dataclass
class HistoryFile:
    """A second file with one row per stage change (Salesforce OpportunityHistory)."""

    file: str
    deal_id: list[str]
    at: list[str]
    stage: list[str]
    close_date: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


@dataclass
class Lookup:
    """Replace ids in a column by names read from a file beside the import file
    (Salesforce AccountId -> Account.csv Name). Ids not found stay as they are."""

    field: str
    file: str
    key: str
    name: str


@dataclass
class Mapping:
    name: str = "custom"
    source_system: str = "import"
    # field -> list of alternative column names (first present wins), or {"template": ...},
    # or {"value": ...}
    fields: dict[str, list[str] | dict] = field(default_factory=dict)
    stage_values: dict[str, StageTarget] = field(default_factory=dict)
    status_values: dict[str, str] = field(default_factory=dict)
    currency: str = "KRW"
    timezone: str = "UTC"
    date_order: str = "mdy"  # slash dates; a dotted date is day first unless "mdy-dots" (parsing)
    history_file: HistoryFile | None = None
    history_columns: str | None = None  # header prefix, e.g. 'Date entered'
    lookups: list[Lookup] = field(default_factory=list)
    required_columns: set[str] = field(default_factory=set)  # fields whose column must exist

    @property
    def tz(self) -> tzinfo:
        return ZoneInfo(self.timezone)

    def stage_target(self, value) -> StageTarget | None:
        key = norm(value)
        hit = self.stage_values.get(key)
        if hit is None and key.endswith(")") and "(" in key:  # "Closed Won (Sales Pipeline)"
            hit = self.stage_values.get(key[:key.rfind("(")].strip())
        return hit

    # ---------------------------------------------------------------- JSON

    def to_dict(self) -> dict:
        out: dict = {"format": FORMAT, "version": 1, "name": self.name, "source_system": self.source_system}
        fields = {}
        for k, spec in self.fields.items():
            if isinstance(spec, list):
                fields[k] = spec[0] if len(spec) == 1 else spec
            else:
                fields[k] = spec
        out["fields"] = fields
        out["stage_values"] = {k: v.to_json() for k, v in self.stage_values.items()}
        if self.status_values:
            out["status_values"] = dict(self.status_values)
        out["currency"] = self.currency
        out["timezone"] = self.timezone
        out["date_order"] = self.date_order
        if self.history_file:
            h = self.history_file
            out["history_file"] = {"file": h.file, "deal_id": h.deal_id, "at": h.at, "stage": h.stage,
                                   "close_date": h.close_date, "deleted": h.deleted}
        if self.history_columns:
            out["history_columns"] = self.history_columns
        if self.lookups:
            out["lookups"] = [{"field": lk.field, "file": lk.file, "key": lk.key, "name": lk.name}
                              for lk in self.lookups]
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Mapping:
        if not isinstance(data, dict):
            raise MappingError(Message("a mapping is a JSON object"))
        known = {"format", "version", "name", "source_system", "fields", "stage_values", "status_values",
                 "currency", "timezone", "date_order", "history_file", "history_columns", "lookups",
                 "comment", "_comment"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise MappingError(Message("unknown key(s) {keys} (see docs/import-mapping.md)", keys=", ".join(unknown)))
        m = cls(name=str(data.get("name", "custom")),
                source_system=str(data.get("source_system", "import")).strip() or "import")
        fields = data.get("fields", {})
        if not isinstance(fields, dict):
            raise MappingError(Message("'fields' must be an object of deal field -> column name"))
        for k, spec in fields.items():
            if k not in FIELDS:
                raise MappingError(Message("fields: '{field}' is not a deal field (one of {fields})", field=k,
                                           fields=", ".join(FIELDS)))
            if isinstance(spec, str):
                m.fields[k] = [spec]
                m.required_columns.add(k)
            elif isinstance(spec, list) and spec and all(isinstance(c, str) for c in spec):
                m.fields[k] = list(spec)
            elif isinstance(spec, dict) and (set(spec) == {"template"} or set(spec) == {"value"}):
                m.fields[k] = dict(spec)
            elif spec is None:
                continue
            else:
                raise MappingError(Message("fields.{field}: a column name, a list of column names, {template} or {value}",
                                           field=k, template='{"template": "..."}', value='{"value": ...}'))
        for k, v in (data.get("stage_values") or {}).items():
            m.stage_values[norm(k)] = parse_target(v, f"stage_values.{k}")
        for k, v in (data.get("status_values") or {}).items():
            if str(v).lower() not in STATUSES:
                raise MappingError(Message("status_values.{key}: {value} is not open, won or lost", key=k,
                                           value=repr(v)))
            m.status_values[norm(k)] = str(v).lower()
        m.currency = str(data.get("currency", "KRW")).upper()
        m.timezone = str(data.get("timezone", "UTC"))
        try:
            ZoneInfo(m.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise MappingError(Message("timezone: '{timezone}' is not a time zone name (e.g. Asia/Seoul)",
                                       timezone=m.timezone)) from None
        m.date_order = str(data.get("date_order", "mdy")).lower()
        if m.date_order not in DATE_ORDERS:
            raise MappingError(Message("date_order: 'mdy' (US, 02/23/26), 'dmy' (23/02/26) or 'mdy-dots' "
                                       "(month first with dots too, 02.23.2026; else a dotted date is day first)"))
        h = data.get("history_file")
        if h:
            def cols(key, required=True):
                v = h.get(key)
                if v is None and not required:
                    return []
                if isinstance(v, str):
                    return [v]
                if isinstance(v, list) and v and all(isinstance(c, str) for c in v):
                    return v
                raise MappingError(Message("history_file.{key}: a column name or a list of column names", key=key))
            if not isinstance(h, dict) or not isinstance(h.get("file"), str):
                raise MappingError(Message("history_file: an object with 'file', 'deal_id', 'at', 'stage'"))
            m.history_file = HistoryFile(file=h["file"], deal_id=cols("deal_id"), at=cols("at"),
                                         stage=cols("stage"), close_date=cols("close_date", False),
                                         deleted=cols("deleted", False))
        if data.get("history_columns"):
            m.history_columns = str(data["history_columns"])
        for i, lk in enumerate(data.get("lookups") or []):
            try:
                m.lookups.append(Lookup(field=lk["field"], file=lk["file"], key=lk["key"], name=lk["name"]))
            except (KeyError, TypeError):
                raise MappingError(Message("lookups[{index}]: an object with field, file, key, name", index=i)) from None
        return m

    def copy(self) -> Mapping:
        return Mapping.from_dict(json.loads(json.dumps(self.to_dict())))


def load_mapping(path: str | Path) -> Mapping:
    path = Path(path)
    try:
        data = json.loads(path.read_text("utf-8-sig"))
    except FileNotFoundError:
        raise MappingError(Message("{path}: no such mapping file", path=str(path))) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(Message("{path}: cannot read the mapping file ({detail})", path=str(path),
                                   detail=str(exc))) from None
    except json.JSONDecodeError as exc:
        raise MappingError(Message("{path}: not valid JSON (line {line}: {detail})", path=str(path),
                                   line=exc.lineno, detail=exc.msg)) from None
    try:
        return Mapping.from_dict(data)
    except MappingError as exc:
        raise MappingError(Message("{path}: {message}", path=str(path), message=exc.message)) from None


def save_mapping(mapping: Mapping, path: str | Path) -> None:
    Path(path).write_text(json.dumps(mapping.to_dict(), ensure_ascii=False, indent=2) + "\n", "utf-8")


def find_column(headers: list[str], names: list[str]) -> int | None:
    """Index of the first of ``names`` present in ``headers`` (case-insensitive, ``*`` stripped)."""
    index = {norm(clean_header(h)): i for i, h in reversed(list(enumerate(headers)))}
    for n in names:
        i = index.get(norm(clean_header(n)))
        if i is not None:
            return i
    return None


# ------------------------------------------------------------------ what a source value means

# status words every import understands, beside the mapping's own status_values
BUILTIN_STATUS: dict[str, str] = {
    "open": "open", "won": "won", "lost": "lost", "closed won": "won", "closed lost": "lost",
    "진행": "open", "진행중": "open", "수주": "won", "성공": "won", "실주": "lost", "실패": "lost",
}


def builtin_stage_targets(stages) -> dict[str, StageTarget]:
    """Normalized value -> target for what names a stage without a mapping: its position
    ("3"), key, English or Korean name; and the words won, lost, open."""
    out: dict[str, StageTarget] = {}
    for st in stages:
        for key in (str(st.position), st.key, st.name_en, st.name_ko):
            out[norm(key)] = StageTarget(position=st.position)
    for s in STATUSES:
        out[s] = StageTarget(status=s)
    return out


class ValueResolver:
    """Stage and status values of one import resolved against a mapping and the process's
    stages; each distinct value is resolved once (a file repeats a handful of values)."""

    def __init__(self, mapping: Mapping, stages):
        self.mapping = mapping
        self.builtin = builtin_stage_targets(stages)
        self._stages: dict[object, StageTarget | None] = {}
        self._statuses: dict[object, str | None] = {}

    def stage(self, value) -> StageTarget | None:
        try:
            return self._stages[value]
        except KeyError:
            pass
        except TypeError:  # an unhashable cell value
            return self.mapping.stage_target(value) or self.builtin.get(norm(value))
        hit = self._stages[value] = self.mapping.stage_target(value) or self.builtin.get(norm(value))
        return hit

    def status(self, value) -> str | None:
        try:
            return self._statuses[value]
        except KeyError:
            pass
        except TypeError:
            k = norm(value)
            return self.mapping.status_values.get(k) or BUILTIN_STATUS.get(k)
        k = norm(value)
        hit = self._statuses[value] = self.mapping.status_values.get(k) or BUILTIN_STATUS.get(k)
        return hit


def resolve_stage(mapping: Mapping, stages, value) -> StageTarget | None:
    """What a source stage value means: the mapping's stage_values first (also without a
    trailing "(Pipeline name)"), then a stage's position, key, English or Korean name, then
    won / lost / open; None when nothing matches."""
    return ValueResolver(mapping, stages).stage(value)


def resolve_status(mapping: Mapping, value) -> str | None:
    """What a source status value means (open, won, lost): the mapping's status_values
    first, then the built-in words (closed won, 수주, ...); None when nothing matches."""
    k = norm(value)
    return mapping.status_values.get(k) or BUILTIN_STATUS.get(k)


def stage_choices(stages) -> list[StageTarget]:
    """What a stage value can be mapped to: each stage, then won and lost."""
    return [StageTarget(position=s.position) for s in stages] + [StageTarget(status="won"),
                                                               StageTarget(status="lost")]


def status_choices() -> list[StageTarget]:
    """What a status value can be mapped to."""
    return [StageTarget(status=s) for s in STATUSES]


def _value_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def distinct_values(table, column: str, limit: int = 60) -> dict[str, str]:
    """The first ``limit`` distinct non-empty values of a table's column, as normalized
    value -> the value as first written."""
    i = find_column(table.headers, [column])
    values: dict[str, str] = {}
    if i is None:
        return values
    for _row, rec in table.rows:
        v = _value_text(rec[i]) if i < len(rec) else ""
        if v and norm(v) not in values:
            values[norm(v)] = v
            if len(values) >= limit:
                break
    return values
