"""One unit of work per user action, and the Qt-free description of what it changed.

Every mutating service takes a ``db`` that is either a :class:`~app.db.Database` (the call
is then its own transaction, as the CLI and the tests use it) or a :class:`UnitOfWork`:
several service calls made with one unit share its single transaction and commit or roll
back together (the deal dialog creates an account and updates the deal in one).

What a unit of work changed is read from what its session actually wrote (objects
added, modified or deleted at each flush), so no service can forget to report a change;
the few services that write through Core statements (import, sync pull) report theirs with
:meth:`UnitOfWork.record` or return a result carrying ``changes``. :func:`perform` runs a
piece of work in a new unit and returns its value together with its :class:`OpChanges`;
the views' runner (``app/views/operations.py``) announces those once. No Qt.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from app import db as dbmod
from app.errors import AppError, Message

T = TypeVar("T")

#: The kinds of change a view may care about.
KINDS = frozenset({
    "created",    # a new deal
    "moved",      # a stage or status transition
    "edited",     # deal fields (close date included)
    "evidence",   # exit deliverables recorded or withdrawn
    "activity",   # calls, meetings, tasks…
    "people",     # users, accounts, contacts
    "marketing",  # lead sources, campaigns, spend
    "targets",    # goals
    "imported",   # a bulk import
    "reloaded",   # anything may have changed (sync pull, conflict, database switched)
})


@dataclass(frozen=True)
class OpChanges:
    """What one operation changed: the deals it touched and the kinds of change.
    ``reloaded`` means anything may have changed: every view refreshes all it shows."""

    deal_ids: frozenset[uuid.UUID] = frozenset()
    kinds: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - KINDS
        if unknown:
            raise ValueError(f"unknown change kind(s): {', '.join(sorted(unknown))}")

    @classmethod
    def of(cls, *kinds: str, deals: Iterable[uuid.UUID] = ()) -> OpChanges:
        return cls(deal_ids=frozenset(deals), kinds=frozenset(kinds))

    def __or__(self, other: OpChanges) -> OpChanges:
        return OpChanges(self.deal_ids | other.deal_ids, self.kinds | other.kinds)

    def __bool__(self) -> bool:
        return bool(self.kinds or self.deal_ids)

    @property
    def everything(self) -> bool:
        return "reloaded" in self.kinds

    def touches(self, *kinds: str) -> bool:
        """True when the change is one of ``kinds`` (or may be anything)."""
        return self.everything or not self.kinds.isdisjoint(kinds)


NOTHING = OpChanges()


def _classify(obj: Any, *, new: bool) -> tuple[str, uuid.UUID | None] | None:
    from app import models as m

    if isinstance(obj, m.Opportunity):
        return ("created" if new else "edited"), obj.id
    if isinstance(obj, m.StageTransition):
        return ("created" if obj.kind == m.TransitionKind.CREATED.value else "moved"), obj.opportunity_id
    if isinstance(obj, m.CloseDateChange):
        return "edited", obj.opportunity_id
    if isinstance(obj, m.Evidence):
        return "evidence", obj.opportunity_id
    if isinstance(obj, m.Activity):
        return "activity", obj.opportunity_id
    if isinstance(obj, (m.User, m.Account, m.Contact)):
        return "people", None
    if isinstance(obj, (m.LeadSource, m.Campaign, m.MarketingSpend)):
        return "marketing", None
    if isinstance(obj, m.Target):
        return "targets", None
    return None


def changes_of_flush(session: Session) -> OpChanges:
    """What the pending flush of ``session`` writes, as OpChanges (call before it runs)."""
    kinds: set[str] = set()
    deals: set[uuid.UUID] = set()
    for objs, new in ((session.new, True), (session.deleted, False)):
        for obj in objs:
            hit = _classify(obj, new=new)
            if hit:
                kinds.add(hit[0])
                if hit[1] is not None:
                    deals.add(hit[1])
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            hit = _classify(obj, new=False)
            if hit:
                kinds.add(hit[0])
                if hit[1] is not None:
                    deals.add(hit[1])
    return OpChanges(frozenset(deals), frozenset(kinds))


class UnitFailed(AppError):
    """A service call inside the unit of work failed and the caller carried on."""


class UnitOfWork:
    """One transaction shared by several service calls; stands in for the Database.

    ``with UnitOfWork(db) as uow:`` opens the write transaction; services called with
    ``uow`` use its session for both reads and writes (so they see each other's rows);
    leaving the block normally commits, an exception rolls everything back. After the block
    :attr:`changes` says what was committed. If a service call raised inside the block and
    the caller caught it, the unit rolls back and raises :class:`UnitFailed` on exit:
    a half-done action is never committed.
    """

    def __init__(self, db: dbmod.Database):
        self.db = db
        self.changes: OpChanges = NOTHING
        self._session: Session | None = None
        self._cm = None
        self._failed: BaseException | None = None
        self._committed = False

    # ---- Database stand-in: the attributes services read (url, is_sqlite, path, engines…)
    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.__dict__["db"], name)

    @property
    def is_sqlite(self) -> bool:
        return self.db.is_sqlite

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open (use it in a with block)")
        return self._session

    def record(self, changes: OpChanges) -> None:
        """Report a change the session cannot see (Core bulk writes)."""
        self.changes = self.changes | changes

    # ---- the transaction
    def __enter__(self) -> UnitOfWork:
        self._cm = self.db.write()
        self._session = self._cm.__enter__()
        event.listen(self._session, "before_flush", self._before_flush)
        return self

    def _before_flush(self, session: Session, _ctx, _instances) -> None:
        self.changes = self.changes | changes_of_flush(session)

    def __exit__(self, exc_type, exc, tb) -> bool:
        session, cm = self._session, self._cm
        failed = self._failed if exc_type is None else None
        try:
            if failed is not None:
                cm.__exit__(UnitFailed, UnitFailed(str(failed)), None)
            else:
                if exc_type is None:
                    try:
                        session.flush()  # the last changes, counted before the commit
                    except BaseException as flush_exc:
                        cm.__exit__(type(flush_exc), flush_exc, flush_exc.__traceback__)
                        raise
                cm.__exit__(exc_type, exc, tb)
                self._committed = exc_type is None
        finally:
            event.remove(session, "before_flush", self._before_flush)
            self._session = None
            if not self._committed:
                self.changes = NOTHING
        if failed is not None:
            raise UnitFailed(Message("not saved: an earlier step failed ({error})",
                                     error=failed.message if isinstance(failed, AppError) else str(failed))) from failed
        return False

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A service's write block: the unit's session; no commit of its own."""
        s = self.session
        try:
            yield s
            hook = dbmod.write_hook.get()  # the replica's outbox row, in this same transaction
            if hook is not None:
                hook(self.db, s)
        except BaseException as exc:
            self._failed = exc
            raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        yield self.session


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What :func:`perform` returns: the work's value and what it changed."""

    value: T
    changes: OpChanges


def perform(db: dbmod.Database, work: Callable[[UnitOfWork], T]) -> Outcome[T]:
    """Run ``work(uow)`` as one unit of work; its value and its changes once committed.
    A result that carries its own ``changes`` (an import, a sync) adds them."""
    with UnitOfWork(db) as uow:
        value = work(uow)
    changes = uow.changes
    extra = getattr(value, "changes", None)
    if isinstance(extra, OpChanges):
        changes = changes | extra
    return Outcome(value, changes)
