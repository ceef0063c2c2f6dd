"""The one runner of the desktop app: every change and every slow job goes through here.

As Anki's ``CollectionOp`` / ``QueryOp``:

- :class:`CollectionOp` runs a piece of work that changes data, ``work(uow)``, in one
  :class:`~app.services.unit_of_work.UnitOfWork` (so several service calls commit or roll
  back together), on the GUI thread (:meth:`Op.run`) or on a worker
  (:meth:`Op.run_in_background`). When it commits, the change the services describe
  (:class:`~app.services.unit_of_work.OpChanges`) is announced once on
  ``ctx.hub.pipeline_changed`` with the op's initiator.
- :class:`QueryOp` runs ``work(task)`` with a :class:`Task` (the database, a progress
  callback and a stop flag): reads (dashboard figures, the board's thresholds) and long jobs
  that keep their own transactions (import, export, sync). If its value carries
  ``changes``, they are announced the same way.

Errors are shown in one place, :func:`show_error`: a conflict says nothing was
overwritten and reloads what the op touched, a validation or domain error is one clear
message, anything unexpected is logged with its traceback and shown as one line. A
``failure`` callback that returns True has handled the error itself (a dialog that shows
field errors inline). Callbacks run on the GUI thread and are skipped when the widget that
asked has been deleted meanwhile; the change is announced all the same.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from app.errors import AppError, ConflictError, NotFound, PermissionDenied, ValidationError, render
from app.services.unit_of_work import OpChanges, Outcome, perform

log = logging.getLogger(__name__)

T = TypeVar("T")


def _tr(text: str) -> str:
    return QCoreApplication.translate("Operations", text)


class Cancelled(Exception):
    """Raised by :meth:`Task.check` when the user cancelled the job."""


class Task:
    """What a background job is given: the database, a progress callback, a stop flag."""

    def __init__(self, db, relay: _Relay | None):
        self.db = db
        self.stop = threading.Event()
        self._relay = relay

    def progress(self, done: int, total: int) -> None:
        if self._relay is not None:
            self._relay.progressed.emit(int(done), int(total))

    def check(self) -> None:
        if self.stop.is_set():
            raise Cancelled()


class _Relay(QObject):
    """Carries a worker's answers to the GUI thread (queued connections)."""

    progressed = Signal(int, int)
    finished = Signal(object, object)  # (value or Outcome, exception or None)


class _Job(QRunnable):
    def __init__(self, op: Op):
        super().__init__()
        self.setAutoDelete(True)
        self.op = op

    def run(self) -> None:
        try:
            value = self.op._execute()
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            self._answer(None, exc)
        else:
            self._answer(value, None)

    def _answer(self, value, exc) -> None:
        relay = self.op._relay
        try:
            if relay is not None:
                relay.finished.emit(value, exc)
        except RuntimeError:  # the application is shutting down: nobody is left to tell
            _RUNNING.discard(self.op)


_RUNNING: set[Op] = set()  # ops whose worker has not answered yet (keeps them and their relay alive)


def running_ops() -> int:
    """How many background ops have not answered yet (tests wait on it)."""
    return len(_RUNNING)


def wait_for_ops(ms: int, *, cancel: bool = False) -> bool:
    """Let every background op answer, whatever pool it runs on, turning the event loop
    meanwhile, for at most ``ms``; ``cancel`` first asks each to stop. Before the program
    exits (a job must not be running Python while the interpreter shuts down) and in the
    smoke test. True when none is left."""
    from PySide6.QtCore import QEventLoop, QTimer

    if cancel:
        for op in list(_RUNNING):
            op.cancel()
    if not _RUNNING:
        return True
    loop = QEventLoop()
    poll, limit = QTimer(), QTimer()
    poll.setInterval(20)
    poll.timeout.connect(lambda: None if _RUNNING else loop.quit())
    limit.setSingleShot(True)
    limit.timeout.connect(loop.quit)
    poll.start()
    limit.start(ms)
    loop.exec()
    poll.stop()
    limit.stop()
    return not _RUNNING


def _tr_message(template: str) -> str:
    return QCoreApplication.translate("AppError", template)


def message_text(message: str) -> str:
    """A service's message (app.errors.Message, or plain text) in the interface language:
    its template looked up in the "AppError" context of the translations (what
    tools/update_translations.py extracts from every ``Message("...")``), its fields filled
    in, names the data holds in several languages (errors.Localized) in the interface
    language. Untranslated text stays English."""
    from app.views.i18n import current_language

    return render(message, _tr_message, current_language())


def field_message(message: str) -> str:
    """A service's field message as a form shows it next to its field: in the interface
    language, starting with a capital ("A title is required")."""
    text = message_text(message)
    return text[:1].upper() + text[1:]


def field_label(field: str) -> str | None:
    """The interface's name of a service's field (a ValidationError's key) that a user knows
    from a form; None for one they do not (its message then stands alone)."""
    labels = {
        "title": _tr("Title"), "amount": _tr("Amount"), "currency": _tr("Currency"),
        "owner_id": _tr("Owner"), "owner": _tr("Owner"), "stage": _tr("Stage"),
        "expected_close": _tr("Expected close"), "forecast_category": _tr("Forecast category"),
        "account_id": _tr("Account"), "account": _tr("Account"), "contact_id": _tr("Contact"),
        "contact": _tr("Contact"), "lead_source_id": _tr("Lead source"), "campaign_id": _tr("Campaign"),
        "description": _tr("Description"), "reason": _tr("Reason"), "loss_reason": _tr("Loss reason"),
        "subject": _tr("Subject"), "type": _tr("Type"), "name": _tr("Name"), "role": _tr("Role"),
        "deal_id": _tr("Deal"),
    }
    return labels.get(field)


def validation_text(exc: ValidationError, separator: str = "\n") -> str:
    """A ValidationError's messages in the interface language, each after its field's
    label where the user knows the field ("Amount: must be 0 or more")."""
    parts = []
    for field, message in exc.errors.items():
        label = field_label(field)
        text = message_text(message)
        parts.append(text if label is None else _tr("{0}: {1}").format(label, text))
    return separator.join(parts)


def short_error(exc: BaseException, what: str = "operation") -> str:
    """``exc`` in one short line (a status label, a page's error line), in the interface
    language when it is an AppError; an unexpected error (not an AppError) is logged with
    its traceback first, under ``what``."""
    if isinstance(exc, ValidationError):
        return validation_text(exc, "; ")
    if isinstance(exc, AppError):
        return message_text(exc.message)
    log.error("%s failed", what, exc_info=(type(exc), exc, exc.__traceback__))
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def error_text(exc: BaseException) -> str:
    """What a user reads for ``exc`` in a message box (logs an unexpected one): an AppError
    in the interface language, a ValidationError one field a line."""
    if isinstance(exc, ValidationError):
        return validation_text(exc)
    line = short_error(exc)
    if isinstance(exc, AppError):
        return line
    return _tr("Something went wrong: {0}. Nothing was saved by this step; the details are in the log.").format(line)


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None) -> None:
    """The one place the desktop app shows an operation's error."""
    if isinstance(exc, ConflictError):
        QMessageBox.warning(parent, _tr("Changed by someone else"),
                            _tr("This was changed by someone else since you loaded it; it is shown again "
                                "as it is now. Nothing was overwritten.") + "\n\n" + message_text(exc.message))
        return
    if title is None:
        title = (_tr("Check the values") if isinstance(exc, ValidationError)
                 else _tr("Not allowed") if isinstance(exc, PermissionDenied)
                 else _tr("Not found") if isinstance(exc, NotFound)
                 else _tr("Cannot do that"))
    QMessageBox.warning(parent, title, error_text(exc))


def serial_pool(parent: QObject | None = None) -> QThreadPool:
    """A private pool of one thread, owned by ``parent``, for ops that must run one after
    the other (a view's refreshes); pass it to :meth:`Op.run_in_background`."""
    pool = QThreadPool(parent)
    pool.setMaxThreadCount(1)
    return pool


class Op(Generic[T]):
    """Common part of :class:`CollectionOp` and :class:`QueryOp`."""

    def __init__(self, ctx, work: Callable[..., T], *, parent: QWidget | None = None,
                 initiator: object = None, title: str | None = None, deals: Iterable[uuid.UUID] = (),
                 reload_on_failure: bool = False):
        self.ctx = ctx
        self.work = work
        self.parent = parent
        self.initiator = initiator
        self.title = title
        self.deals = frozenset(deals)  # reloaded when the op meets a conflict
        self.reload_on_failure = reload_on_failure  # … or any failure (an undo whose deal is gone)
        self._success: Callable[[T], Any] | None = None
        self._failure: Callable[[BaseException], bool | None] | None = None
        self._progress: Callable[[int, int], Any] | None = None
        self._finally: Callable[[], Any] | None = None
        self._relay: _Relay | None = None
        self.task: Task | None = None
        self.ok: bool | None = None  # True / False once finished
        self.value: T | None = None
        self.error: BaseException | None = None

    # ---- building
    def success(self, fn: Callable[[T], Any]) -> Op[T]:
        self._success = fn
        return self

    def failure(self, fn: Callable[[BaseException], bool | None]) -> Op[T]:
        """``fn(exc)``; return True when it has shown the error itself."""
        self._failure = fn
        return self

    def progress(self, fn: Callable[[int, int], Any]) -> Op[T]:
        self._progress = fn
        return self

    def finally_(self, fn: Callable[[], Any]) -> Op[T]:
        """Called last, after success or failure (re-enable a button, close a progress bar)."""
        self._finally = fn
        return self

    # ---- running
    def run(self) -> bool:
        """Run now on the calling (GUI) thread; True when it succeeded."""
        self.task = Task(self.ctx.db, None)
        try:
            value = self._execute()
        except BaseException as exc:  # noqa: BLE001 - shown, never raised into Qt
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            self._finish(None, exc)
        else:
            self._finish(value, None)
        return bool(self.ok)

    def run_in_background(self, pool: QThreadPool | None = None) -> Op[T]:
        """Run on a worker; the callbacks and the announcement come back on the GUI thread."""
        self._relay = _Relay()
        self._relay.progressed.connect(self._on_progress)
        self._relay.finished.connect(self._finish)
        self.task = Task(self.ctx.db, self._relay)
        _RUNNING.add(self)
        (pool or QThreadPool.globalInstance()).start(_Job(self))
        return self

    def cancel(self) -> None:
        if self.task is not None:
            self.task.stop.set()

    @property
    def finished(self) -> bool:
        return self.ok is not None

    # ---- inside
    def _execute(self):
        raise NotImplementedError

    def _changes_of(self, value) -> OpChanges:
        extra = getattr(value, "changes", None)
        return extra if isinstance(extra, OpChanges) else OpChanges()

    def _alive(self) -> bool:
        return self.parent is None or shiboken6.isValid(self.parent)

    def _on_progress(self, done: int, total: int) -> None:
        if self._progress is not None and self._alive():
            self._progress(done, total)

    def _finish(self, value, exc: BaseException | None) -> None:
        _RUNNING.discard(self)
        alive = self._alive()
        try:
            if exc is None:
                self.ok = True
                if isinstance(value, Outcome):
                    changes, value = value.changes, value.value
                else:
                    changes = self._changes_of(value)
                self.value = value
                if self._success is not None and alive:
                    self._success(value)
                if changes:
                    self.ctx.changed(changes, self.initiator)
            else:
                self.ok = False
                self.error = exc
                handled = False
                if self._failure is not None and alive:
                    handled = bool(self._failure(exc))
                if not handled and alive and not isinstance(exc, Cancelled):
                    show_error(self.parent, exc, self.title)
                if isinstance(exc, ConflictError) or (self.reload_on_failure and not isinstance(exc, Cancelled)):
                    self.ctx.changed(OpChanges.of("reloaded", deals=self.deals), None)
        finally:
            if self._finally is not None and alive:
                self._finally()
            if self._relay is not None:
                self._relay.deleteLater()
                self._relay = None


class CollectionOp(Op[T]):
    """A change: ``work(uow)`` in one unit of work; its changes announced once."""

    def _execute(self) -> Outcome[T]:
        return perform(self.ctx.db, self.work)


class QueryOp(Op[T]):
    """A read or a long job with its own transactions: ``work(task)``."""

    def _execute(self) -> T:
        return self.work(self.task)

