"""Read the active process template.

The template is data loaded from ``resources/`` into the database and never edited in
the app, yet nearly every use case reads it (a kanban drop read it four times). It is
read once per database and kept as frozen values (:class:`StageDef` with its
:class:`DeliverableDef`), safe to use outside any session. Any write to the template
tables through the database's engine drops the cached copy, and nothing is cached while
such a write is not yet committed, so a changed template is never served stale in this
process; :func:`invalidate_template` is the explicit form, for whoever (re)loads it.
"""

from __future__ import annotations

import re
import threading
import uuid
import weakref
from dataclasses import dataclass

from sqlalchemy import Connection, Delete, Engine, Insert, TextClause, Update, event, select
from sqlalchemy.orm import Session, selectinload

from app.errors import Message, NotFound
from app.models import ProcessTemplate, Stage
from app.models.process import DeliverableText, Named

TEMPLATE_TABLES = frozenset({"process_template", "stage", "deliverable"})
_TEXT_WRITE = re.compile(r"\b(?:insert\s+(?:or\s+\w+\s+)?into|update|delete\s+from)\s+\"?(\w+)",
                         re.IGNORECASE)
_DIRTY = "pm_template_written"  # on a pooled connection: wrote the template, not yet returned


@dataclass(frozen=True)
class DeliverableDef(DeliverableText):
    """An exit deliverable of the template (the read-only values of a ``Deliverable``)."""

    id: uuid.UUID
    stage_id: uuid.UUID
    position: int
    key: str
    kind: str
    name_en: str
    name_ko: str
    fields: str | None
    activity_types: str | None
    requires_note: bool
    required: bool


@dataclass(frozen=True)
class StageDef(Named):
    """A stage of the active template with its deliverables in order (values of a ``Stage``)."""

    id: uuid.UUID
    template_id: uuid.UUID
    position: int
    key: str
    name_en: str
    name_ko: str
    probability: int
    dwell_limit_days: int
    deliverables: tuple[DeliverableDef, ...] = ()


class _Cache:
    """The cached template of one engine, with what keeps it from going stale."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stages: tuple[StageDef, ...] | None = None
        self.generation = 0  # bumped by every invalidation: a load that saw one is not kept
        self.pending = 0  # connections that wrote the template and are not back in the pool

    def invalidate(self) -> None:
        with self.lock:
            self.stages = None
            self.generation += 1


_caches: weakref.WeakKeyDictionary[Engine, _Cache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def _base_engine(bind) -> Engine:
    engine = bind.engine if isinstance(bind, Connection) else bind
    while getattr(engine, "_proxied", None) is not None:  # Engine.execution_options() copies
        engine = engine._proxied
    return engine


def _writes_template(statement) -> bool:
    if isinstance(statement, Insert | Update | Delete):
        return getattr(statement.table, "name", None) in TEMPLATE_TABLES
    if isinstance(statement, TextClause):
        return any(m.group(1).lower() in TEMPLATE_TABLES for m in _TEXT_WRITE.finditer(statement.text))
    return False


def _cache_for(engine: Engine) -> _Cache:
    with _caches_lock:
        cache = _caches.get(engine)
        if cache is not None:
            return cache
        cache = _caches[engine] = _Cache()
    ref = weakref.ref(cache)

    def after_execute(conn, statement, *_args) -> None:
        c = ref()
        if c is None or not _writes_template(statement):
            return
        info = conn.info
        with c.lock:
            if not info.get(_DIRTY):
                info[_DIRTY] = True
                c.pending += 1
        c.invalidate()

    def checkin(_dbapi_conn, record) -> None:  # the writing transaction is over (committed or not)
        c = ref()
        if c is None or record is None or not record.info.pop(_DIRTY, False):
            return
        with c.lock:
            c.pending -= 1
        c.invalidate()

    event.listen(engine, "after_execute", after_execute)  # covers its execution_options() copies
    event.listen(engine, "checkin", checkin)
    return cache


def invalidate_template(db_or_bind) -> None:
    """Forget the cached template of a database (a ``Database``, Engine, Connection or
    Session): the next read loads it again. For whoever (re)loads the template."""
    bind = db_or_bind
    if isinstance(bind, Session):
        bind = bind.get_bind()
    bind = getattr(bind, "engine", bind)  # Database.engine, Connection.engine
    _cache_for(_base_engine(bind)).invalidate()


def _load(session: Session) -> tuple[StageDef, ...]:
    rows = session.scalars(
        select(Stage)
        .join(ProcessTemplate)
        .where(ProcessTemplate.active.is_(True))
        .order_by(Stage.position)
        .options(selectinload(Stage.deliverables))
    )
    return tuple(
        StageDef(
            id=st.id, template_id=st.template_id, position=st.position, key=st.key,
            name_en=st.name_en, name_ko=st.name_ko, probability=st.probability,
            dwell_limit_days=st.dwell_limit_days,
            deliverables=tuple(
                DeliverableDef(
                    id=d.id, stage_id=d.stage_id, position=d.position, key=d.key, kind=d.kind,
                    name_en=d.name_en, name_ko=d.name_ko, fields=d.fields,
                    activity_types=d.activity_types, requires_note=d.requires_note, required=d.required,
                )
                for d in st.deliverables
            ),
        )
        for st in rows
    )


def active_stages(session: Session) -> list[StageDef]:
    """The 7 stages of the active template, in order, with their deliverables: read once
    per database, then from the cache (no statement)."""
    cache = _cache_for(_base_engine(session.get_bind()))
    with cache.lock:
        stages, generation, pending = cache.stages, cache.generation, cache.pending
    if stages is not None:
        return list(stages)
    stages = _load(session)
    with cache.lock:
        # kept only when complete and nothing wrote the template meanwhile (or is still
        # writing it: this session may be reading a change it has not committed)
        if stages and not pending and not cache.pending and cache.generation == generation:
            cache.stages = stages
    return list(stages)


def stage_at(session: Session, position: int) -> StageDef:
    for st in active_stages(session):
        if st.position == position:
            return st
    raise NotFound(Message("stage {stage} does not exist (stages are numbered 1 to {last})", stage=position,
                           last=len(active_stages(session))))


def find_deliverable(session: Session, stage_position: int, key: str) -> DeliverableDef:
    stage = stage_at(session, stage_position)
    for d in stage.deliverables:
        if d.key == key:
            return d
    keys = ", ".join(d.key for d in stage.deliverables)
    raise NotFound(Message("stage {stage} has no deliverable '{key}' (it has: {keys})", stage=stage_position,
                           key=key, keys=keys))
