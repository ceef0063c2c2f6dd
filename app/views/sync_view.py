"""Sync with the team server from the desktop app: a Sync menu (Sync now, Sync conflicts),
a sync on start and every few minutes, always off the GUI thread (a QueryOp of the runner,
which announces what the pull brought). Only on a replica."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTime, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.services import outbox
from app.services import sync as sync_service
from app.views.context import run_modal
from app.views.operations import QueryOp, Task, error_text, message_text

INTERVAL_MS = 5 * 60 * 1000


def _sync_work(task: Task) -> sync_service.SyncResult:
    """Push the outbox, then pull (on a worker); the result's ``changes`` say what came."""
    server = sync_service.open_server(sync_service.state(task.db).server_url)
    try:
        return sync_service.sync(task.db, server)
    finally:
        server.dispose()


class SyncController(QObject):
    """Owns the Sync actions of a main window; ``finished(text)`` after each sync."""

    finished = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self._op: QueryOp[sync_service.SyncResult] | None = None  # the sync running, if any
        self.sync_action = QAction(self.tr("Sync now"), window)
        self.sync_action.setObjectName("syncNow")
        self.sync_action.triggered.connect(lambda _c=False: self.sync_now())
        self.conflicts_action = QAction(self.tr("Sync conflicts…"), window)
        self.conflicts_action.setObjectName("syncConflicts")
        self.conflicts_action.triggered.connect(lambda _c=False: self.show_conflicts())
        menu = window.menuBar().addMenu(self.tr("&Sync"))
        menu.addAction(self.sync_action)
        menu.addAction(self.conflicts_action)
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.sync_now)
        self.timer.start()
        self.last_message = ""
        # the last sync's outcome stays in view (a temporary message would cover the path)
        self.status_label = QLabel(self.tr("Not synced yet"))
        self.status_label.setObjectName("syncStatus")
        window.statusBar().addPermanentWidget(self.status_label)

    def _db(self):
        ctx = self.window.ctx
        return ctx.db if ctx is not None else None

    def running(self) -> bool:
        return self._op is not None and not self._op.finished

    def sync_now(self) -> bool:
        """Start a sync unless one is running (one at a time); True when it started."""
        db = self._db()
        if db is None or self.running() or not outbox.is_replica(db):
            return False
        self.sync_action.setEnabled(False)
        # the runner announces what the pull brought (SyncResult.changes); nobody here made it
        self._op = QueryOp(self.window.ctx, _sync_work, parent=self.window)
        self._op.success(self._synced).failure(self._offline).finally_(self._done)
        self._op.run_in_background()
        return True

    def _synced(self, result: sync_service.SyncResult) -> None:
        self.last_message = self.tr("Synced: {0} sent, {1} received, {2} conflict(s)").format(
            result.push.applied, result.pull.rows, len(result.push.conflicts))

    def _offline(self, exc: BaseException) -> bool:
        """Not an error to show: the outbox keeps everything for the next try."""
        self.last_message = self.tr("Offline: changes are kept and sent at the next sync ({0})").format(exc)
        return True

    def _done(self) -> None:
        self.sync_action.setEnabled(True)
        stamp = QTime.currentTime().toString("HH:mm")
        self.status_label.setText(f"{stamp} · {self.last_message}")
        self.status_label.setToolTip(self.last_message)
        self.finished.emit(self.last_message)

    def show_conflicts(self) -> None:
        db = self._db()
        if db is not None:
            run_modal(ConflictsDialog(db, self.window))


class ConflictsDialog(QDialog):
    """Each refused offline change with both sides; Retry (against the deal as it is now)
    or Discard."""

    def __init__(self, db, parent=None):
        super().__init__(parent)
        self.db = db
        self.setWindowTitle(self.tr("Sync conflicts"))
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("Change"), self.tr("Why"), self.tr("Yours"),
                                              self.tr("On the server")])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.retry_button = QPushButton(self.tr("Retry"))
        self.discard_button = QPushButton(self.tr("Discard"))
        buttons.addButton(self.retry_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.discard_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.retry_button.clicked.connect(lambda: self._resolve("retry"))
        self.discard_button.clicked.connect(lambda: self._resolve("discard"))
        lay = QVBoxLayout(self)
        lay.addWidget(self.table)
        lay.addWidget(buttons)
        self.resize(900, 320)
        self.reload()

    def _describe(self, name: str, args: dict) -> tuple[str, str]:
        """(what the change was, its values) in words, not as the outbox's JSON."""
        labels = {
            "move_deal": self.tr("Move"), "create_deal": self.tr("New deal"), "update_deal": self.tr("Edit"),
            "change_close_date": self.tr("Close date"), "log_activity": self.tr("Activity"),
            "complete_activity": self.tr("Activity done"), "record_evidence": self.tr("Evidence"),
            "withdraw_evidence": self.tr("Evidence withdrawn"), "undo_move": self.tr("Undo of a move"),
            "create_account": self.tr("New account"), "create_contact": self.tr("New contact"),
            "create_lead_source": self.tr("New lead source"),
        }
        hidden = {"deal_id", "actor_id", "owner_id", "expected_version", "at", "activity_id", "transition_id",
                  "deliverable_id", "evidence_id"}
        parts = []
        if name == "move_deal":
            target = args.get("target")
            parts.append(self.tr("to stage {0}").format(target) if isinstance(target, int) else str(target))
            hidden.add("target")
        for key, value in args.items():
            if key not in hidden and value not in (None, ""):
                parts.append(f"{key.replace('_', ' ')}: {value}")
        if args.get("expected_version") is not None:
            parts.append(self.tr("(made on version {0})").format(args["expected_version"]))
        return labels.get(name, name), "\n".join(parts)

    def why(self, c: sync_service.Conflict) -> str:
        """Why the server refused the change, in the interface language (by its kind; a
        reason only the server can word, such as a refused value, as the server said it,
        translated when it is a message this program knows)."""
        words = {
            "stale": self.tr("The deal changed on the server after you made this change."),
            "gate": self.tr("The stage gate is not met on the server; missing:"),
        }.get(c.kind)
        if words is not None:
            return words
        # the reason sync stored (no longer yours, deleted, blocked, refused by the server),
        # as a sentence: one wording, translated once (AppError)
        text = message_text(c.error)
        text = text[:1].upper() + text[1:]
        return text + "." if text and text[-1].isalnum() else text

    def reload(self) -> None:
        self.items = sync_service.conflicts(self.db)
        self.table.setRowCount(len(self.items))
        for r, c in enumerate(self.items):
            what, mine = self._describe(c.name, c.args)
            server = c.server or {}
            theirs = (self.tr("“{0}”\nstage {1}, {2}, version {3}").format(
                server.get("title"), server.get("stage"), server.get("status"), server.get("version"))
                if server else self.tr("(not on the server)"))
            why = self.why(c) + ("\n" + "\n".join(message_text(m) for m in c.missing) if c.missing else "")
            for col, val in enumerate((what, why, mine, theirs)):
                item = QTableWidgetItem(val)
                item.setToolTip(c.error if col == 1 else val)  # the server's own words
                self.table.setItem(r, col, item)
        self.table.resizeRowsToContents()
        has = bool(self.items)
        self.retry_button.setEnabled(has)
        self.discard_button.setEnabled(has)
        if has:
            self.table.selectRow(0)

    def _resolve(self, action: str) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.items):
            return
        try:
            sync_service.resolve(self.db, self.items[row].op_id, action)
        except Exception as exc:  # e.g. the retried move is refused here too: say why
            QMessageBox.warning(self, self.tr("Sync conflicts"), error_text(exc))
        self.reload()


def install(window) -> SyncController | None:
    """Add the Sync menu to ``window`` when its database is a replica, and sync once."""
    ctx = getattr(window, "ctx", None)
    if ctx is None or not outbox.is_replica(ctx.db):
        return None
    controller = SyncController(window)
    QTimer.singleShot(0, controller.sync_now)
    return controller
