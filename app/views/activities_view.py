"""The user's activities, grouped overdue / today / upcoming (someday, and done on demand):
filter by type, mark done, open the linked deal, log a new one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import IntEnum

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDateTime,
    QEvent,
    QLocale,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services import activities as activity_service
from app.services.activities import ActivityRow
from app.services.collation import text_sort_string
from app.views.context import AppContext, Changes, run_modal
from app.views.log_activity import TYPES, type_label
from app.views.operations import CollectionOp

GROUPS = ("overdue", "today", "upcoming", "someday", "done")
GROUP_COLORS = {"overdue": "#c62828", "today": "#ef6c00", "upcoming": "#1565c0",
                "someday": "#616161", "done": "#2e7d32"}


class Role(IntEnum):
    Activity = Qt.ItemDataRole.UserRole + 1  # the ActivityRow
    Group = Qt.ItemDataRole.UserRole + 2  # "overdue", "today", ...
    Sort = Qt.ItemDataRole.UserRole + 3  # raw value for sorting


def group_label(group: str) -> str:
    return {
        "overdue": QCoreApplication.translate("ActivitiesView", "Overdue"),
        "today": QCoreApplication.translate("ActivitiesView", "Today"),
        "upcoming": QCoreApplication.translate("ActivitiesView", "Upcoming"),
        "someday": QCoreApplication.translate("ActivitiesView", "No due date"),
        "done": QCoreApplication.translate("ActivitiesView", "Done"),
    }.get(group, group)


def _when(dt: datetime | None) -> str:
    if dt is None:
        return ""
    return QLocale().toString(QDateTime.fromSecsSinceEpoch(int(dt.timestamp())),
                              QLocale.FormatType.ShortFormat)


class ActivitiesModel(QAbstractTableModel):
    """One row per activity; the group is computed against an injectable clock."""

    COL_GROUP, COL_DUE, COL_TYPE, COL_SUBJECT, COL_DEAL, COL_DONE = range(6)

    def __init__(self, parent=None, now=None):
        super().__init__(parent)
        self._now = now or (lambda: datetime.now(UTC))
        self.rows: list[ActivityRow] = []
        self.groups: list[str] = []

    def set_rows(self, rows: list[ActivityRow]) -> None:
        self.beginResetModel()
        now = self._now()
        self.rows = list(rows)
        self.groups = [activity_service.bucket(r, now) for r in self.rows]
        self.endResetModel()

    def regroup(self) -> None:
        """Time passed: recompute the groups (today turns overdue) without a reload."""
        now = self._now()
        new = [activity_service.bucket(r, now) for r in self.rows]
        if new != self.groups:
            self.groups = new
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, self.COL_DONE))

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.COL_DONE)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, self.COL_DONE))

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(GROUPS, 0)
        for g in self.groups:
            out[g] += 1
        return out

    def rowCount(self, parent=None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.rows)

    def columnCount(self, parent=None) -> int:
        return 0 if parent is not None and parent.isValid() else 6

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return [
            QCoreApplication.translate("ActivitiesView", "When"),
            QCoreApplication.translate("ActivitiesView", "Due"),
            QCoreApplication.translate("ActivitiesView", "Type"),
            QCoreApplication.translate("ActivitiesView", "Subject"),
            QCoreApplication.translate("ActivitiesView", "Deal"),
            QCoreApplication.translate("ActivitiesView", "Done"),
        ][section]

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        group = self.groups[index.row()]
        col = index.column()
        if role == Role.Activity:
            return r
        if role == Role.Group:
            return group
        if role == Role.Sort:
            if col == self.COL_GROUP:  # group first, then due (or done) time: one number
                when = r.due_at or r.done_at
                return GROUPS.index(group) * 1e12 + (when.timestamp() if when else 9e10)
            if col == self.COL_DUE:
                return r.due_at.timestamp() if r.due_at else float("inf")
            if col == self.COL_DONE:
                return r.done_at.timestamp() if r.done_at else float("inf")
            return text_sort_string(self.data(index))
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_GROUP:
                return group_label(group)
            if col == self.COL_DUE:
                return _when(r.due_at)
            if col == self.COL_TYPE:
                return type_label(r.type)
            if col == self.COL_SUBJECT:
                return r.subject
            if col == self.COL_DEAL:
                return r.deal_title or ""
            if col == self.COL_DONE:
                return _when(r.done_at)
        if role == Qt.ItemDataRole.ForegroundRole and col in (self.COL_GROUP, self.COL_DUE):
            return QBrush(QColor(GROUP_COLORS[group]))
        if role == Qt.ItemDataRole.FontRole and col == self.COL_GROUP and group in ("overdue", "today"):
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ToolTipRole:
            return r.notes or None
        return None


class ActivitiesFilter(QSortFilterProxyModel):
    """Type filter and "show done"; sorts by the model's raw Sort role."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.type: str | None = None
        self.show_done = False
        self.setSortRole(Role.Sort)

    def set_type(self, kind: str | None) -> None:
        self.beginFilterChange()
        self.type = kind or None
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_show_done(self, on: bool) -> None:
        self.beginFilterChange()
        self.show_done = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        m = self.sourceModel()
        r = m.rows[source_row]
        if self.type and r.type != self.type:
            return False
        return self.show_done or m.groups[source_row] != "done"


class ActivitiesView(QWidget):
    """The activities tab. ``now`` may be injected (tests); it refreshes on pipeline changes."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, now=None,
                 regroup_interval_ms: int = 60_000):
        super().__init__(parent)
        self.ctx = ctx
        self._now = now or (lambda: datetime.now(UTC))
        self.model = ActivitiesModel(self, now=self._now)
        self.proxy = ActivitiesFilter(self)
        self.proxy.setSourceModel(self.model)

        self.summary = QLabel()
        self.type_label = QLabel()
        self.type_combo = QComboBox()
        self.type_combo.currentIndexChanged.connect(lambda: self.proxy.set_type(self.type_combo.currentData()))
        self.type_label.setBuddy(self.type_combo)
        self.show_done = QCheckBox()
        self.show_done.toggled.connect(self._show_done_toggled)

        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(ActivitiesModel.COL_GROUP, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(ActivitiesModel.COL_SUBJECT, QHeaderView.ResizeMode.Stretch)
        self.view.doubleClicked.connect(lambda _i: self.open_deal())
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)

        self.done_button = QPushButton()
        self.done_button.clicked.connect(self.mark_done)
        self.open_button = QPushButton()
        self.open_button.clicked.connect(self.open_deal)
        self.log_button = QPushButton()
        self.log_button.clicked.connect(self.log_new)

        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.type_label)
        top.addWidget(self.type_combo)
        top.addWidget(self.show_done)
        bottom = QHBoxLayout()
        bottom.addWidget(self.done_button)
        bottom.addWidget(self.open_button)
        bottom.addStretch(1)
        bottom.addWidget(self.log_button)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.view, 1)
        lay.addLayout(bottom)

        self._timer = QTimer(self)
        self._timer.setInterval(regroup_interval_ms)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

        ctx.hub.pipeline_changed.connect(self._on_pipeline_changed)
        self.retranslate()
        self.reload()

    # ------------------------------------------------------------------ language

    def retranslate(self) -> None:
        current = self.type_combo.currentData()
        self.type_combo.blockSignals(True)
        self.type_combo.clear()
        self.type_combo.addItem(self.tr("All types"), "")
        for t in TYPES:
            self.type_combo.addItem(type_label(t), t)
        self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(current or "")))
        self.type_combo.blockSignals(False)
        self.type_label.setText(self.tr("&Type:"))
        self.show_done.setText(self.tr("Show &done"))
        self.done_button.setText(self.tr("&Mark done"))
        self.open_button.setText(self.tr("&Open deal"))
        self.log_button.setText(self.tr("&Log activity…"))
        self.model.retranslate()
        self._show_summary()

    def changeEvent(self, event):
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ------------------------------------------------------------------ data

    def _show_done_toggled(self, on: bool) -> None:
        self.proxy.set_show_done(on)
        self.reload()

    def reload(self) -> None:
        """Read the user's activities again; done ones only while they are shown (a busy
        rep collects thousands of them, and the summary counts only open ones)."""
        selected = self.selected()
        self.model.set_rows(activity_service.list_activities(
            self.ctx.db, owner_id=self.ctx.user_id, open_only=not self.show_done.isChecked()))
        self._show_summary()
        if selected is not None:
            self.select(selected.id)
        self._update_buttons()

    def _tick(self) -> None:
        self.model.regroup()
        self.proxy.invalidate()
        self._show_summary()

    def _show_summary(self) -> None:
        c = self.model.counts()
        self.summary.setText(
            self.tr("Overdue: %1 · Today: %2 · Upcoming: %3").replace("%1", str(c["overdue"]))
            .replace("%2", str(c["today"])).replace("%3", str(c["upcoming"])))

    def _on_pipeline_changed(self, changes: Changes, initiator) -> None:
        if initiator is self:
            return
        if changes.touches("activity", "edited", "imported", "created", "moved") or not changes.kinds:
            self.reload()

    def group_of_rows(self) -> list[tuple[str, str]]:
        """(group, subject) of every visible row, in view order (for tests and the status bar)."""
        out = []
        for r in range(self.proxy.rowCount()):
            idx = self.proxy.index(r, 0)
            out.append((idx.data(Role.Group), idx.data(Role.Activity).subject))
        return out

    # ------------------------------------------------------------------ selection and actions

    def selected(self) -> ActivityRow | None:
        idx = self.view.currentIndex()
        return idx.data(Role.Activity) if idx.isValid() else None

    def select(self, activity_id: uuid.UUID) -> bool:
        for r in range(self.proxy.rowCount()):
            idx = self.proxy.index(r, ActivitiesModel.COL_SUBJECT)
            if idx.data(Role.Activity).id == activity_id:
                self.view.setCurrentIndex(idx)
                return True
        return False

    def _update_buttons(self, *args) -> None:
        row = self.selected()
        self.done_button.setEnabled(row is not None and row.done_at is None)
        self.open_button.setEnabled(row is not None and row.deal_id is not None)

    def mark_done(self) -> bool:
        """Complete the selected activity (one operation; this view reloads itself and is
        the initiator, so it does not reload a second time on the announcement)."""
        row = self.selected()
        if row is None or row.done_at is not None:
            return False
        now = self._now()
        return CollectionOp(self.ctx, lambda uow: activity_service.complete_activity(uow, row.id, at=now),
                            parent=self, initiator=self, title=self.tr("Mark done")) \
            .success(lambda _act: self.reload()).run()

    def open_deal(self) -> None:
        row = self.selected()
        if row is None or row.deal_id is None:
            return
        from app.views.deal_dialog import DealDialog

        run_modal(DealDialog(self.ctx, row.deal_id, self))

    def log_new(self) -> None:
        """The quick-log dialog; what it saves is announced with the dialog as initiator,
        so this view reloads once, from the announcement."""
        from app.views.log_activity import LogActivityDialog

        row = self.selected()
        run_modal(LogActivityDialog(self.ctx, row.deal_id if row else None, self))
