"""Reminders: while the app is open, tell the user once about each of their open activities
that falls due (a tray message when a system tray exists, else a small non-modal box)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon, QWidget
from sqlalchemy.exc import SQLAlchemyError

from app.errors import AppError
from app.services import activities as activity_service
from app.services.activities import ActivityRow
from app.views.context import AppContext
from app.views.log_activity import type_label


class ReminderService(QObject):
    """Checks every ``interval_ms`` (30 s) for activities that fell due since it started.

    ``since`` is the start of the watched window (default: now, so activities already
    overdue when the app opens are shown by the activities view, not as pop-ups);
    ``now`` can be injected for tests. ``activity_due(ActivityRow)`` fires once per activity.
    """

    activity_due = Signal(object)

    def __init__(self, ctx: AppContext, parent: QObject | None = None, *, interval_ms: int = 30_000,
                 since: datetime | None = None, now=None, notify: bool = True):
        super().__init__(parent)
        self.ctx = ctx
        self._now = now or (lambda: datetime.now(UTC))
        self.since = since or self._now()
        self.notify = notify
        self.reminded: set[uuid.UUID] = set()
        self._boxes: list[QMessageBox] = []
        self._tray: QSystemTrayIcon | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        for box in self._boxes:
            box.close()
        self._boxes.clear()

    def check(self) -> list[ActivityRow]:
        """Remind about each open activity of the user due in (since, now]; returns them."""
        now = self._now()
        try:
            rows = activity_service.falling_due(self.ctx.db, self.ctx.user_id, self.since, now)
        except (AppError, SQLAlchemyError):
            return []  # e.g. the database is being switched or locked; try again next tick
        due = [r for r in rows if r.id not in self.reminded]  # once each while the app is open
        for r in due:
            self.reminded.add(r.id)
            if self.notify:
                self._show(r)
            self.activity_due.emit(r)
        return due

    # ------------------------------------------------------------------ showing

    def _text(self, r: ActivityRow) -> str:
        text = f"{type_label(r.type)}: {r.subject}"
        if r.deal_title:
            text += "\n" + self.tr("Deal: %1").replace("%1", r.deal_title)
        return text

    def _show(self, r: ActivityRow) -> None:
        title = self.tr("Activity due")
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            if self._tray is None:
                self._tray = QSystemTrayIcon(QApplication.windowIcon(), self)
                self._tray.show()
            self._tray.showMessage(title, self._text(r), QSystemTrayIcon.MessageIcon.Information, 15_000)
            return
        parent = self.parent() if isinstance(self.parent(), QWidget) else None
        box = QMessageBox(QMessageBox.Icon.Information, title, self._text(r),
                          QMessageBox.StandardButton.Ok, parent)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _res, b=box: self._boxes.remove(b) if b in self._boxes else None)
        self._boxes.append(box)
        box.show()
