"""File → Export weekly report…: ask the week and the file, write the workbook off the GUI
thread with a cancellable progress dialog, then offer to open it.

The work is :func:`app.services.weekly_report.write_weekly_report` in a ``QueryOp`` of the
runner (app/views/operations.py); the work touches no widget, its progress and its answer
come back on the GUI thread. Cancelling sets the op's stop flag, which the service polls
between batches; the service then removes its partial output, so a cancelled export leaves
no file.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.errors import ValidationError
from app.services.weekly_report import (
    ExportCancelled,
    ReportSummary,
    current_iso_week,
    iso_week_of,
    last_complete_iso_week,
    parse_iso_week,
    parse_week_text,
    write_weekly_report,
)
from app.views.context import AppContext
from app.views.log_activity import error_label, show_error
from app.views.operations import Cancelled, QueryOp, Task, field_message, short_error

CONTEXT = "ReportExport"
PROGRESS_STEPS = 1000  # the dialog works in permille, whatever the row count


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def week_label(week: str) -> str:
    """An ISO week ('2026-W47') as the interface language writes it: 2026-W47, 2026년 47주차."""
    monday, _sunday = parse_iso_week(week)
    year, number, _ = monday.isocalendar()
    text = QCoreApplication.translate("ReportExport", "{year}-W{week:02d}", "an ISO week; year and week are numbers")
    return text.format(year=year, week=number)


def _risk_factor() -> float:
    """k of the at-risk rule from the app settings (as the board and the dashboard use it)."""
    try:
        from app.views.settings import risk_factor

        return float(risk_factor())
    except Exception:  # noqa: BLE001 - no settings available: the service's default
        return 1.5


def _export_work(path: Path, week: str, owner: str | None, lang: str, k: float,
                 returned: threading.Event):
    """The op's work (on a worker): the workbook, with the op's progress and stop flag.
    ``returned`` is set when it is over, so that quitting can wait for it."""
    tz = datetime.now().astimezone().tzinfo

    def work(task: Task) -> ReportSummary:
        try:
            return write_weekly_report(task.db, path, week=week, owner=owner, lang=lang,
                                       progress=task.progress, cancelled=task.stop.is_set, tz=tz, k=k)
        finally:
            returned.set()
    return work


class ReportProgressDialog(QProgressDialog):
    """The export's progress, with Cancel. Re-labels itself when the language changes."""

    def __init__(self, parent: QWidget | None, week: str):
        super().__init__(parent)
        self.week = week
        self.cancelling = False
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(0)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setRange(0, PROGRESS_STEPS)
        self.setValue(0)
        self.setMinimumWidth(420)  # room for the label in either language
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Export weekly report"))
        self.setCancelButtonText(self.tr("Cancel"))
        if self.cancelling:
            self.setLabelText(self.tr("Cancelling…"))
        else:
            self.setLabelText(self.tr("Writing the weekly report for %1…").replace("%1", week_label(self.week)))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class ReportExportJob(QObject):
    """One export in progress: its op and the progress dialog.

    ``progressed(done, total)`` as the service reports; ``finished(outcome,
    summary_or_message)``: outcome is "done", "cancelled" or "failed"."""

    progressed = Signal(int, int)
    finished = Signal(str, object)

    def __init__(self, ctx: AppContext, parent: QWidget | None, path: Path, week: str,
                 owner: str | None = None, *, notify: bool = True):
        super().__init__()  # not owned by the window: the export must outlive a closed window
        self.ctx = ctx
        self.parent_widget = parent
        self.path = path
        self.week = week
        self.notify = notify
        self.outcome: str | None = None
        self._pending = self._shown = 0
        self._updating = False
        self._started = False
        self._cancelling = False
        self._returned = threading.Event()  # the work has returned (or raised) on its worker
        self.dialog = ReportProgressDialog(parent, week)
        self.dialog.canceled.connect(self.cancel)
        work = _export_work(path, week, owner, ctx.lang, _risk_factor(), self._returned)  # settings read here
        # no parent widget: the answer must arrive even when the window was closed meanwhile
        self.op: QueryOp[ReportSummary] = QueryOp(ctx, work)
        self.op.progress(self._on_progress).success(self._on_done).failure(self._on_failed)

    def start(self) -> None:
        self.dialog.show()
        self._started = True
        self.op.run_in_background()

    @Slot()
    def cancel(self) -> None:
        """Ask the work to stop; the service removes its partial output and it reports back."""
        if self.outcome is None and not self._cancelling:
            self._cancelling = True
            self.op.cancel()
            if isValid(self.dialog):
                self.dialog.cancelling = True
                self.dialog.retranslate()

    def shutdown(self, ms: int = 10_000) -> None:
        """The application is quitting: stop the export (no file is left) and wait for it."""
        if self.is_running():
            self._cancelling = True
            self.op.cancel()
            self.wait(ms)

    def is_running(self) -> bool:
        return self._started and not self._returned.is_set()

    def wait(self, ms: int = 30_000) -> bool:
        """Block until the work has returned on its worker (its answer comes by the event loop)."""
        return self._returned.wait(ms / 1000)

    def _on_progress(self, done: int, total: int) -> None:
        self.progressed.emit(done, total)
        if total <= 0 or self._cancelling or not isValid(self.dialog):
            return
        self._pending = min(PROGRESS_STEPS, done * PROGRESS_STEPS // total)
        if self._updating:  # a modal dialog's setValue() processes events: no re-entry
            return
        self._updating = True
        try:
            while self.outcome is None and self._shown != self._pending and isValid(self.dialog):
                self._shown = self._pending
                self.dialog.setValue(self._shown)
        finally:
            self._updating = False

    def _end(self, outcome: str, payload) -> None:
        self.outcome = outcome
        if isValid(self.dialog):  # else the window, and with it the dialog, was closed meanwhile
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.reset()
            self.dialog.close()
            self.dialog.deleteLater()
        _RUNNING.discard(self)
        self.finished.emit(outcome, payload)

    def _message_parent(self) -> QWidget | None:
        w = self.parent_widget
        return w if w is not None and isValid(w) else None

    def _on_done(self, summary: ReportSummary) -> None:
        self._end("done", summary)
        if self.notify:
            show_done(self._message_parent(), summary)

    def _on_failed(self, exc: BaseException) -> bool:
        """Cancelled, or the export's own message (which says no report was written)."""
        if isinstance(exc, (ExportCancelled, Cancelled)):
            self._end("cancelled", None)
            return True
        message = short_error(exc, "weekly report export")
        self._end("failed", message)
        if self.notify:
            QMessageBox.warning(self._message_parent(), tr("Export weekly report"),
                                tr("The weekly report was not written.") + "\n\n" + message)
        return True


_RUNNING: set[ReportExportJob] = set()  # keeps running jobs alive until they finish


def show_done(parent: QWidget | None, summary: ReportSummary) -> None:
    """'Report written' with an Open button that opens the file in the system's spreadsheet."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(tr("Export weekly report"))
    box.setText(tr("The weekly report for %1 was written to:\n%2")
                .replace("%1", week_label(summary.week)).replace("%2", str(summary.path)))
    open_button = box.addButton(tr("Open"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
    if box.clickedButton() is open_button:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(summary.path)))


def start_export(ctx: AppContext, parent: QWidget | None, path: str | Path, week: str,
                 owner: str | None = None, *, notify: bool = True) -> ReportExportJob:
    """Start writing the workbook in the background; returns the running job."""
    job = ReportExportJob(ctx, parent, Path(path), week, owner, notify=notify)
    _RUNNING.add(job)
    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(job.shutdown)
    job.start()
    return job


class WeekDialog(QDialog):
    """Which week to report on: the current week and the 11 before it offered, the last
    complete week preselected (on Monday the current week has barely begun); any other week
    may be typed, in either language (:func:`parse_week_text`: 2026-W47, 2026년 47주차,
    week 47 of 2026, 47주차 …). A week that cannot be read is said under the field, in the
    interface language, and the dialog stays open. ``week``: the ISO week chosen."""

    def __init__(self, parent: QWidget | None = None, current: str | None = None,
                 default: str | None = None):
        super().__init__(parent)
        self.current = current or current_iso_week()
        self.default = default or last_complete_iso_week()
        self.week: str | None = None
        monday, _ = parse_iso_week(self.current)
        self.weeks = [iso_week_of(monday - timedelta(weeks=i)) for i in range(12)]
        self.prompt = QLabel()
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.setMinimumWidth(260)  # room for a typed week in either language
        self.combo.addItems([week_label(w) for w in self.weeks])
        if self.default in self.weeks:
            self.combo.setCurrentIndex(self.weeks.index(self.default))
        else:
            self.combo.setEditText(week_label(self.default))
        self.prompt.setBuddy(self.combo)
        self.error = error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.combo.editTextChanged.connect(lambda _text: show_error(self.error, None))
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.combo)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Export weekly report"))
        # %1: the week as the interface language writes it; %2 (a translation may add it):
        # the same week in the ISO form, which is read in every language
        self.prompt.setText(tr("Week (choose one, or type one such as %1):")
                            .replace("%1", week_label(self.default)).replace("%2", self.default))
        typed = self.combo.currentText()
        listed = self.combo.findText(typed) >= 0
        for i, week in enumerate(self.weeks):
            self.combo.setItemText(i, week_label(week))
        if not listed:
            self.combo.setEditText(typed)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def accept(self) -> None:
        try:
            self.week = parse_week_text(self.combo.currentText(), current=self.current)
        except ValidationError as exc:
            show_error(self.error, field_message(exc.errors["week"]))
            self.combo.setFocus()
            self.combo.lineEdit().selectAll()
            return
        super().accept()


def ask_week(parent: QWidget | None) -> str | None:
    """The ISO week to report on (:class:`WeekDialog`), or None when cancelled."""
    dialog = WeekDialog(parent)
    try:
        return dialog.week if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()


def ask_path(parent: QWidget | None, week: str) -> Path | None:
    suggested = str(Path.home() / f"weekly-report-{week}.xlsx")
    name, _filter = QFileDialog.getSaveFileName(parent, tr("Save weekly report"), suggested,
                                                tr("Excel workbook (*.xlsx)"))
    if not name:
        return None
    path = Path(name)
    return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")


def export_weekly_report(ctx: AppContext, parent: QWidget | None) -> None:
    """File → Export weekly report…: week, file, then the export with progress (language: ctx.lang)."""
    week = ask_week(parent)
    if week is None:
        return
    path = ask_path(parent, week)
    if path is None:
        return
    start_export(ctx, parent, path, week)
