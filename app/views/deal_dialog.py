"""The deal workspace: edit every field (errors next to the field), the current stage's exit
checklist with its evidence, the stage timeline with days per visit, the close-date history,
and the deal's activities with a quick "log activity" line.

Every change is one service call; field edits go on ``ctx.undo_stack`` (undo writes the old
values back) and every change is announced on ``ctx.hub``.
"""

from __future__ import annotations

import html
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDate,
    QDateTime,
    QEvent,
    QLocale,
    QModelIndex,
    QObject,
    QRectF,
    Qt,
    QTime,
    QUrl,
)
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QFont, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError, ConflictError, Message, ValidationError
from app.models import ForecastCategory
from app.services import activities as activity_service
from app.services import board as board_service
from app.services import deals as deals_service
from app.services import evidence as evidence_service
from app.services import gates, history, lookups, people
from app.services.activities import ActivityRow
from app.services.validation import currencies, minor_digits
from app.views import formatting
from app.views.context import AppContext, Changes
from app.views.log_activity import error_label, fill_type_combo, show_error, to_utc, type_label
from app.views.operations import (
    CollectionOp,
    field_label,
    field_message,
    message_text,
    short_error,
    validation_text,
)
from app.views.undo import EditDealCommand

NO_DATE = QDate(1900, 1, 1)  # the date edit's "no date" value (shown as "—")
NOTICE_STYLE = "color: #b35900;"  # a field changed elsewhere while the user was editing
FIELDS = deals_service.EDITABLE


def _tr(text: str) -> str:
    return QCoreApplication.translate("DealDialog", text)


def forecast_label(value: str) -> str:
    return {
        "pipeline": _tr("Pipeline"),
        "best_case": _tr("Best case"),
        "commit": _tr("Commit"),
        "omitted": _tr("Omitted"),
    }.get(value, value)


def kind_label(kind: str) -> str:
    return {
        "created": _tr("Created"),
        "forward": _tr("Forward"),
        "backward": _tr("Moved back"),
        "won": _tr("Won"),
        "lost": _tr("Lost"),
        "reopened": _tr("Reopened"),
        "imported": _tr("Imported"),
    }.get(kind, kind)


def status_label(status: str) -> str:
    return {"open": _tr("Open"), "won": _tr("Won"), "lost": _tr("Lost")}.get(status, status)


def _local(dt: datetime | None) -> str:
    """A UTC timestamp as short local date and time in the current locale."""
    if dt is None:
        return "—"
    qdt = QDateTime.fromSecsSinceEpoch(int(dt.timestamp()))
    return QLocale().toString(qdt, QLocale.FormatType.ShortFormat)


def amount_text(amount: Decimal | None, currency: str) -> str:
    """An amount as editable text: no decimals for KRW/JPY, two otherwise; grouped with
    commas, which the deal service's parser ignores."""
    if amount is None:
        return ""
    digits = minor_digits(currency)
    if digits == 0 and amount == amount.to_integral_value():
        return f"{amount.to_integral_value():,f}"
    return f"{amount:,.2f}"


# ====================================================================== table models

class _RowsModel(QAbstractTableModel):
    """A read-only table over a list of plain rows; subclasses define the columns."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.rows) - 1, self.columnCount() - 1))

    def rowCount(self, parent=None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.rows)

    def columnCount(self, parent=None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.headers())

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def headers(self) -> list[str]:
        raise NotImplementedError

    def row(self, index: QModelIndex):
        return self.rows[index.row()] if index.isValid() else None


class ChecklistModel(_RowsModel):
    """The exit checklist of the deal's current stage, one row per deliverable."""

    COL_STATUS, COL_NAME, COL_KIND, COL_BY, COL_AT, COL_EVIDENCE = range(6)

    def __init__(self, lang: str, parent=None):
        super().__init__(parent)
        self.lang = lang

    def headers(self) -> list[str]:
        return ["", _tr("Deliverable"), _tr("Kind"), _tr("By"), _tr("When"), _tr("Evidence")]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        item: gates.ChecklistItem = self.row(index)
        if item is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_STATUS:
                return "✔" if item.satisfied else "✘"
            if col == self.COL_NAME:
                return item.name(self.lang)
            if col == self.COL_KIND:
                return {"check": _tr("Confirmation"), "document": _tr("Document"),
                        "field": _tr("Field"), "activity": _tr("Activity")}.get(item.kind, item.kind)
            if col == self.COL_BY:
                return item.by or ""
            if col == self.COL_AT:
                return _local(item.at) if item.at else ""
            if col == self.COL_EVIDENCE:
                return self.evidence_text(item)
        if role == Qt.ItemDataRole.ForegroundRole and col == self.COL_STATUS:
            return QBrush(QColor("#2e7d32") if item.satisfied else QColor("#c62828"))
        if role == Qt.ItemDataRole.ToolTipRole and col in (self.COL_NAME, self.COL_EVIDENCE):
            return self.evidence_text(item) or item.name(self.lang)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.COL_STATUS:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    @staticmethod
    def evidence_text(item: gates.ChecklistItem) -> str:
        parts = []
        if item.note:
            parts.append(item.note)
        if item.file_path:
            # words, not emoji: the CJK fonts have no glyph for 📎 / 🔗 (a box was shown)
            parts.append(_tr("File: %1").replace("%1", item.file_path.replace("\\", "/").rsplit("/", 1)[-1]))
        if item.link:
            parts.append(_tr("Link: %1").replace("%1", item.link))
        if not parts and item.kind == "field":
            parts.append(_tr("filled from the deal's fields") if item.satisfied
                         else _tr("fill the deal's fields"))
        if not parts and item.kind == "activity":
            types = ", ".join(type_label(t) for t in item.activity_types)
            parts.append((_tr("done activity logged: %1") if item.satisfied
                          else _tr("log a done activity: %1")).replace("%1", types))
        return " · ".join(parts)


class DaysBarDelegate(QStyledItemDelegate):
    """Paints the days of a stage visit as a bar, red when over the stage's dwell limit."""

    def paint(self, painter: QPainter, option, index):
        value = index.data(Qt.ItemDataRole.UserRole)
        if value is None:
            return super().paint(painter, option, index)
        days, limit, longest = value
        painter.save()
        rect = option.rect.adjusted(4, 5, -4, -5)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        text_w = option.fontMetrics.horizontalAdvance("0000.0 ") + 4
        bar_w = max(2.0, (rect.width() - text_w) * (days / longest if longest else 0))
        over = limit and days > limit
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#e57373") if over else QColor("#64b5f6"))
        painter.drawRoundedRect(QRectF(rect.left(), rect.top(), bar_w, rect.height()), 3, 3)
        painter.setPen(option.palette.text().color())
        painter.drawText(QRectF(rect.left() + bar_w + 4, rect.top(), text_w, rect.height()),
                         int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text)
        painter.restore()


class DaysColumnWidth(QObject):
    """Sizes the days-bar column of the stage history from the room left: up to
    ``WIDEST`` px when there is space, down to the figure and a short bar, so the reason
    column (the one that stretches) keeps about ``REASON_CHARS`` characters; at 1024 px a
    fixed 150-px bar left the reason only "…"."""

    WIDEST = 150
    SHORTEST_BAR = 24
    REASON_CHARS = 24

    def __init__(self, view: QTableView, days: int, reason: int):
        super().__init__(view)
        self.view, self.days, self.reason = view, days, reason
        view.viewport().installEventFilter(self)
        view.horizontalHeader().sectionResized.connect(self._section_resized)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Resize:
            self.update()
        return False

    def _section_resized(self, logical: int, _old: int, _new: int) -> None:
        if logical not in (self.days, self.reason):
            self.update()

    def update(self) -> None:
        header = self.view.horizontalHeader()
        fm = self.view.fontMetrics()
        shortest = fm.horizontalAdvance("0000.0 ") + 4 + 8 + self.SHORTEST_BAR  # as DaysBarDelegate paints
        shortest = max(shortest, header.sectionSizeFromContents(self.days).width())
        others = sum(header.sectionSize(c) for c in range(header.count())
                     if c not in (self.days, self.reason) and not header.isSectionHidden(c))
        spare = self.view.viewport().width() - others - fm.averageCharWidth() * self.REASON_CHARS
        width = max(shortest, min(self.WIDEST, spare))
        if header.sectionSize(self.days) != width:
            header.resizeSection(self.days, width)


class HistoryModel(_RowsModel):
    """The stage timeline: one row per visit, oldest first, with the days spent."""

    COL_STAGE, COL_KIND, COL_ENTERED, COL_LEFT, COL_DAYS, COL_BY, COL_REASON = range(7)

    def __init__(self, lang: str, parent=None):
        super().__init__(parent)
        self.lang = lang
        self.limits: dict[int, int] = {}

    def headers(self) -> list[str]:
        return [_tr("Stage"), _tr("Move"), _tr("Entered"), _tr("Left"), _tr("Days"), _tr("By"),
                _tr("Reason")]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        e: history.HistoryEntry = self.row(index)
        if e is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_STAGE:
                name = f"{e.to_position}. {e.stage_name(self.lang)}"
                return name if e.to_status == "open" else f"{status_label(e.to_status)} ({name})"
            if col == self.COL_KIND:
                return kind_label(e.kind)
            if col == self.COL_ENTERED:
                return _local(e.at)
            if col == self.COL_LEFT:
                return _local(e.left_at) if e.left_at else _tr("now")
            if col == self.COL_DAYS:
                return "" if e.to_status != "open" else formatting.number(e.days, 1)
            if col == self.COL_BY:
                return e.by or ""
            if col == self.COL_REASON:
                return self.reason_text(e)
        if role == Qt.ItemDataRole.ToolTipRole and col == self.COL_REASON:
            return self.reason_text(e) or None
        if role == Qt.ItemDataRole.UserRole and col == self.COL_DAYS and e.to_status == "open":
            longest = max((r.days for r in self.rows if r.to_status == "open"), default=0.0)
            return (e.days, self.limits.get(e.to_position, 0), longest)
        if role == Qt.ItemDataRole.FontRole and e.current:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ForegroundRole and col == self.COL_REASON and e.override_reason:
            return QBrush(QColor("#ef6c00"))
        return None


    @staticmethod
    def reason_text(e: history.HistoryEntry) -> str:
        if e.override_reason:
            return _tr("Override: %1").replace("%1", e.override_reason)
        reason = history.reason_message(e.reason)  # the program's own reasons are Messages
        return message_text(reason) if isinstance(reason, Message) else (reason or "")


class CloseDateModel(_RowsModel):
    """Each change of the expected close date: when, who, old -> new, and the shift."""

    COL_AT, COL_BY, COL_OLD, COL_NEW, COL_SHIFT = range(5)

    def headers(self) -> list[str]:
        return [_tr("Changed"), _tr("By"), _tr("From"), _tr("To"), _tr("Shift")]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        e: history.CloseDateEntry = self.row(index)
        if e is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_AT:
                return _local(e.at)
            if col == self.COL_BY:
                return e.by or ""
            if col == self.COL_OLD:
                return formatting.short_date(e.old_date)
            if col == self.COL_NEW:
                return formatting.short_date(e.new_date)
            if col == self.COL_SHIFT:
                if e.old_date is None:
                    return _tr("set")
                if e.new_date is None:
                    return _tr("cleared")
                days = e.days_moved
                if e.pushed:
                    return _tr("pushed +%1 d").replace("%1", str(days))
                return _tr("pulled in %1 d").replace("%1", str(days)) if days else ""
        if role == Qt.ItemDataRole.ForegroundRole and col == self.COL_SHIFT:
            if e.pushed:
                return QBrush(QColor("#c62828"))
            if e.days_moved is not None and e.days_moved < 0:
                return QBrush(QColor("#2e7d32"))
        return None


class DealActivitiesModel(_RowsModel):
    """The deal's activities, open ones first by due date."""

    COL_TYPE, COL_SUBJECT, COL_DUE, COL_DONE = range(4)

    def __init__(self, parent=None, now=None):
        super().__init__(parent)
        self._now = now or (lambda: datetime.now(UTC))

    def headers(self) -> list[str]:
        return [_tr("Type"), _tr("Subject"), _tr("Due"), _tr("Done")]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        a: ActivityRow = self.row(index)
        if a is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_TYPE:
                return type_label(a.type)
            if col == self.COL_SUBJECT:
                return a.subject
            if col == self.COL_DUE:
                return _local(a.due_at) if a.due_at else ""
            if col == self.COL_DONE:
                return _local(a.done_at) if a.done_at else ""
        if role == Qt.ItemDataRole.ForegroundRole and a.done_at is None and a.due_at is not None \
                and a.due_at < self._now():
            return QBrush(QColor("#c62828"))
        if role == Qt.ItemDataRole.ToolTipRole and a.notes:
            return a.notes
        return None


def _id(combo: QComboBox) -> uuid.UUID | None:
    data = combo.currentData()
    return uuid.UUID(data) if data else None


def _table(model: QAbstractTableModel, stretch: int) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    hh = view.horizontalHeader()
    hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    hh.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


# ====================================================================== the dialog

class DealDialog(QDialog):
    """The workspace of one deal. ``now`` may be injected (tests)."""

    def __init__(self, ctx: AppContext, deal_id: uuid.UUID, parent: QWidget | None = None, now=None):
        super().__init__(parent)
        self.ctx = ctx
        self.deal_id = deal_id
        self._now = now or (lambda: datetime.now(UTC))
        self.deal = None
        self._loading = False
        self.setObjectName("DealDialog")

        # ---------------------------------------------------------- header
        self.title_label = QLabel()
        f = self.title_label.font()
        f.setPointSizeF(f.pointSizeF() * 1.4)
        f.setBold(True)
        self.title_label.setFont(f)
        self.summary_label = QLabel()
        self.summary_label.setStyleSheet("color: palette(mid);")

        # ---------------------------------------------------------- details form
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.notices: dict[str, QLabel] = {}  # "changed elsewhere while you were editing"
        self.labels: dict[str, QLabel] = {}
        self._mine: dict = {}  # the user's own values of fields a notice replaced (use_mine)
        self.title_edit = QLineEdit()
        self.account_combo = QComboBox()
        self.contact_combo = QComboBox()
        self.owner_combo = QComboBox()
        self.amount_edit = QLineEdit()
        self.amount_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.currency_combo = QComboBox()
        self.currency_combo.addItems(sorted(currencies()))
        self.close_edit = QDateEdit()
        self.close_edit.setCalendarPopup(True)
        self.close_edit.setMinimumDate(NO_DATE)
        self.close_edit.setSpecialValueText("—")
        self.close_edit.setDisplayFormat(formatting.date_edit_format())
        self.clear_close = QPushButton()
        self.clear_close.setFlat(True)
        self.clear_close.clicked.connect(lambda: self.close_edit.setDate(NO_DATE))
        self.forecast_combo = QComboBox()
        self.lead_source_combo = QComboBox()
        self.campaign_combo = QComboBox()
        self.description_edit = QPlainTextEdit()
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setMinimumHeight(70)

        close_row = QWidget()
        h = QHBoxLayout(close_row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(self.close_edit, 1)
        h.addWidget(self.clear_close)
        money_row = QWidget()
        h = QHBoxLayout(money_row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(self.amount_edit, 1)
        h.addWidget(self.currency_combo)

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, widget in (
            ("title", self.title_edit), ("account_id", self.account_combo),
            ("contact_id", self.contact_combo), ("owner_id", self.owner_combo),
            ("amount", money_row), ("expected_close", close_row),
            ("forecast_category", self.forecast_combo), ("lead_source_id", self.lead_source_combo),
            ("campaign_id", self.campaign_combo), ("description", self.description_edit),
        ):
            self._add_row(key, widget)
        self.errors["currency"] = self.errors["amount"]  # both sit on the money row
        self.notices["currency"] = self.notices["amount"]
        self.general_error = error_label()

        self.save_button = QPushButton()
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton()
        self.revert_button.clicked.connect(self.reload)
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.accept)
        self.close_button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        details = QWidget()
        dl = QVBoxLayout(details)
        dl.setContentsMargins(0, 0, 8, 0)
        dl.addLayout(self.form)
        dl.addWidget(self.general_error)
        dl.addStretch(1)
        dl.addLayout(buttons)

        # ---------------------------------------------------------- checklist tab
        self.checklist_model = ChecklistModel(ctx.lang, self)
        self.checklist_view = _table(self.checklist_model, ChecklistModel.COL_EVIDENCE)
        self.checklist_view.doubleClicked.connect(self.open_evidence)
        self.checklist_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.checklist_title = QLabel()
        self.satisfy_button = QPushButton()
        self.satisfy_button.clicked.connect(self.satisfy_selected)
        self.withdraw_button = QPushButton()
        self.withdraw_button.clicked.connect(self.withdraw_selected)
        self.open_button = QPushButton()
        self.open_button.clicked.connect(lambda: self.open_evidence(self.checklist_view.currentIndex()))
        cl_tab = QWidget()
        v = QVBoxLayout(cl_tab)
        v.addWidget(self.checklist_title)
        v.addWidget(self.checklist_view, 1)
        row = QHBoxLayout()
        row.addWidget(self.satisfy_button)
        row.addWidget(self.withdraw_button)
        row.addWidget(self.open_button)
        row.addStretch(1)
        v.addLayout(row)

        # ---------------------------------------------------------- history tab
        self.history_model = HistoryModel(ctx.lang, self)
        self.history_view = _table(self.history_model, HistoryModel.COL_REASON)
        self.history_view.setItemDelegateForColumn(HistoryModel.COL_DAYS, DaysBarDelegate(self))
        self.history_view.horizontalHeader().setSectionResizeMode(
            HistoryModel.COL_DAYS, QHeaderView.ResizeMode.Fixed)
        self._history_widths = DaysColumnWidth(self.history_view, HistoryModel.COL_DAYS,
                                               HistoryModel.COL_REASON)
        self.close_model = CloseDateModel(self)
        self.close_view = _table(self.close_model, CloseDateModel.COL_SHIFT)
        self.history_title = QLabel()
        self.close_title = QLabel()
        hist_tab = QWidget()
        v = QVBoxLayout(hist_tab)
        v.addWidget(self.history_title)
        v.addWidget(self.history_view, 3)
        v.addWidget(self.close_title)
        v.addWidget(self.close_view, 2)

        # ---------------------------------------------------------- activities tab
        self.activities_model = DealActivitiesModel(self, now=self._now)
        self.activities_view = _table(self.activities_model, DealActivitiesModel.COL_SUBJECT)
        self.activities_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.mark_done_button = QPushButton()
        self.mark_done_button.clicked.connect(self.mark_selected_done)
        self.quick_type = QComboBox()
        fill_type_combo(self.quick_type)
        self.quick_subject = QLineEdit()
        self.quick_subject.returnPressed.connect(self.log_quick)
        self.quick_done = QCheckBox()
        self.quick_done.setChecked(True)
        self.quick_due = QDateTimeEdit()
        self.quick_due.setCalendarPopup(True)
        due = QDateTime.currentDateTime().addDays(1)
        due.setTime(QTime(9, 0))
        self.quick_due.setDateTime(due)
        self.quick_due.setEnabled(False)
        self.quick_done.toggled.connect(lambda on: self.quick_due.setEnabled(not on))
        self.quick_type.currentIndexChanged.connect(
            lambda _i: self.quick_done.setChecked(activity_service.done_when_logged(self.quick_type.currentData())))
        self.quick_button = QPushButton()
        self.quick_button.setAutoDefault(False)
        self.quick_button.clicked.connect(self.log_quick)
        self.quick_error = error_label()
        act_tab = QWidget()
        v = QVBoxLayout(act_tab)
        v.addWidget(self.activities_view, 1)
        row = QHBoxLayout()
        row.addWidget(self.mark_done_button)
        row.addStretch(1)
        v.addLayout(row)
        self.quick_title = QLabel()
        v.addWidget(self.quick_title)
        quick = QHBoxLayout()
        quick.addWidget(self.quick_type)
        quick.addWidget(self.quick_subject, 1)
        quick.addWidget(self.quick_done)
        quick.addWidget(self.quick_due)
        quick.addWidget(self.quick_button)
        v.addLayout(quick)
        v.addWidget(self.quick_error)

        self.tabs = QTabWidget()
        self.tabs.addTab(cl_tab, "")
        self.tabs.addTab(hist_tab, "")
        self.tabs.addTab(act_tab, "")

        splitter = QSplitter()
        splitter.addWidget(details)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)

        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title_label)
        lay.addWidget(self.summary_label)
        lay.addWidget(splitter, 1)
        lay.addLayout(bottom)

        # undo / redo reach the shared stack from inside the dialog too
        self.undo_action = ctx.undo_stack.createUndoAction(self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = ctx.undo_stack.createRedoAction(self)
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.addAction(self.undo_action)
        self.addAction(self.redo_action)

        for w in (self.title_edit, self.amount_edit):
            w.textEdited.connect(self._update_buttons)
        for c in (self.owner_combo, self.contact_combo, self.currency_combo, self.forecast_combo,
                  self.campaign_combo):
            c.currentIndexChanged.connect(self._update_buttons)
        self.account_combo.currentIndexChanged.connect(self._account_changed)
        self.lead_source_combo.currentIndexChanged.connect(self._lead_source_changed)
        self.close_edit.dateChanged.connect(self._update_buttons)
        self.description_edit.textChanged.connect(self._update_buttons)

        ctx.hub.pipeline_changed.connect(self._on_pipeline_changed)
        self.resize(1180, 680)
        self.retranslate()
        self.reload()

    # ------------------------------------------------------------------ building

    def _add_row(self, key: str, widget: QWidget) -> None:
        err = error_label()
        notice = QLabel()
        notice.setStyleSheet(NOTICE_STYLE)
        notice.setWordWrap(True)
        notice.setTextFormat(Qt.TextFormat.RichText)
        notice.linkActivated.connect(self.use_mine)
        notice.hide()
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(1)
        v.addWidget(widget)
        v.addWidget(err)
        v.addWidget(notice)
        lab = QLabel()
        self.labels[key] = lab
        self.errors[key] = err
        self.notices[key] = notice
        self.editors[key] = widget
        self.form.addRow(lab, box)

    def retranslate(self) -> None:
        self.close_edit.setDisplayFormat(formatting.date_edit_format())
        self.checklist_model.lang = self.history_model.lang = self.ctx.lang
        texts = {
            "title": self.tr("&Title:"), "account_id": self.tr("&Account:"),
            "contact_id": self.tr("&Contact:"), "owner_id": self.tr("&Owner:"),
            "amount": self.tr("A&mount:"), "expected_close": self.tr("E&xpected close:"),
            "forecast_category": self.tr("&Forecast category:"),
            "lead_source_id": self.tr("&Lead source:"), "campaign_id": self.tr("Cam&paign:"),
            "description": self.tr("&Description:"),
        }
        buddies = {"amount": self.amount_edit, "expected_close": self.close_edit}
        for key, text in texts.items():
            self.labels[key].setText(text)
            self.labels[key].setBuddy(buddies.get(key, self.editors[key]))
        self.clear_close.setText(self.tr("No date"))
        self.save_button.setText(self.tr("&Save"))
        self.revert_button.setText(self.tr("&Revert"))
        self.close_button.setText(self.tr("Close"))
        self.tabs.setTabText(0, self.tr("Exit checklist"))
        self.tabs.setTabText(1, self.tr("History"))
        self.tabs.setTabText(2, self.tr("Activities"))
        self.satisfy_button.setText(self.tr("Satisfy…"))
        self.withdraw_button.setText(self.tr("Withdraw evidence"))
        self.open_button.setText(self.tr("Open evidence"))
        self.history_title.setText(self.tr("Stage history (days spent in each visit)"))
        self.close_title.setText(self.tr("Expected close date changes"))
        self.mark_done_button.setText(self.tr("Mark done"))
        self.quick_title.setText(self.tr("Log an activity:"))
        self.quick_subject.setPlaceholderText(self.tr("Subject, then Enter"))
        self.quick_done.setText(self.tr("Done now"))
        self.quick_button.setText(self.tr("Log"))
        self.undo_action.setText(self.tr("Undo"))
        self.redo_action.setText(self.tr("Redo"))
        fill_type_combo(self.quick_type)
        self._fill_forecast()
        for m in (self.checklist_model, self.history_model, self.close_model, self.activities_model):
            m.retranslate()
        if self.deal is not None:
            self._show_header()

    def changeEvent(self, event):
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _fill_forecast(self) -> None:
        current = self.forecast_combo.currentData()
        self.forecast_combo.blockSignals(True)
        self.forecast_combo.clear()
        for c in ForecastCategory:
            self.forecast_combo.addItem(forecast_label(c.value), c.value)
        if current is not None:
            self.forecast_combo.setCurrentIndex(self.forecast_combo.findData(current))
        self.forecast_combo.blockSignals(False)

    # ------------------------------------------------------------------ loading

    def set_language(self, lang: str) -> None:
        self.checklist_model.lang = lang
        self.history_model.lang = lang
        self.retranslate()

    def reload(self) -> None:
        """Read the deal again and show it; unsaved edits are dropped."""
        self._loading = True
        try:
            self.deal = deals_service.get_deal(self.ctx.db, self.deal_id)
            self._fill_pickers()
            self._load_form()
        finally:
            self._loading = False
        for lab in list(self.errors.values()) + list(self.notices.values()) + [self.general_error]:
            show_error(lab, None)
        self._mine.clear()
        self.reload_panels()
        self._update_buttons()

    def follow_changes(self, *, conflict: bool = False) -> list[str]:
        """Show the deal as it is stored now without losing what the user typed.

        A field changed elsewhere since the form was loaded shows the stored value; the
        user's unsaved edits to the other fields are put back over it (the form stays dirty,
        Save is one click). ``self.deal`` follows the stored deal, so the next save writes
        the user's fields over the deal as it is now instead of reporting a conflict (an
        undo or another view's change heard on the hub, a refused save). The fields changed
        elsewhere that the user had edited too are marked, their own value one click away
        (use_mine); with ``conflict`` (someone else's save refused ours) every field someone
        else changed is marked. Returns the fields changed elsewhere, in form order."""
        old = self.deal
        fresh = deals_service.get_deal(self.ctx.db, self.deal_id)
        if old is not None and fresh.version == old.version:
            self.reload_panels()  # the form is up to date (an evidence, an activity)
            return []
        edits = self.changes()
        if not edits:
            self.reload()
            return [k for k in FIELDS if old is not None and getattr(fresh, k) != getattr(old, k)]
        shown = {k: self._shown_text(k) for k in edits}
        elsewhere = [k for k in FIELDS if getattr(fresh, k) != getattr(old, k)]
        self._loading = True
        try:
            self.deal = fresh
            self._fill_pickers()
            self._load_form()
            self._set_form_values({k: v for k, v in edits.items() if k not in elsewhere})
        finally:
            self._loading = False
        for k in elsewhere:
            show_error(self.errors[k], None)
            show_error(self.notices[k], None)
            self._mine.pop(k, None)
        for k in elsewhere:
            if k in edits:
                self._mine[k] = edits[k]
                self._mark(k, conflict, shown[k])
            elif conflict:
                self._mark(k, conflict, None)
        self.reload_panels()
        self._update_buttons()
        return elsewhere

    def _mark(self, key: str, by_someone_else: bool, mine: str | None) -> None:
        """The note under a field changed elsewhere: it shows the stored value now; ``mine``
        (what the user had typed or picked) with a link to put it back."""
        text = (self.tr("Changed by someone else while you were editing; this is their value.")
                if by_someone_else else
                self.tr("Changed elsewhere while you were editing; this is the saved value."))
        if key == "currency":  # shares the money row with the amount
            text = self.tr("%1: %2").replace("%1", field_label(key) or key).replace("%2", text)
        text = html.escape(text)
        if mine is not None:
            short = mine if len(mine) <= 60 else mine[:59] + "…"
            link = html.escape(self.tr("Use mine"))
            text += " " + html.escape(self.tr("Yours was “%1”.").replace("%1", short)) \
                + f' <a href="{key}">{link}</a>'
        lab = self.notices[key]
        show_error(lab, f"{lab.text()}<br>{text}" if lab.text() else text)
        if mine is not None:
            lab.setToolTip(mine)

    def use_mine(self, key: str) -> None:
        """Put the user's own value of a marked field back in the form (not saved yet)."""
        if key not in self._mine:
            return
        self._loading = True
        try:
            self._set_form_values({key: self._mine.pop(key)})
        finally:
            self._loading = False
        others = [k for k in self._mine if self.notices[k] is self.notices[key]]
        if not others:
            show_error(self.notices[key], None)
        {"amount": self.amount_edit, "currency": self.currency_combo,
         "expected_close": self.close_edit}.get(key, self.editors[key]).setFocus()
        self._update_buttons()

    def _shown_text(self, key: str) -> str:
        """What the form shows for ``key``, as the user reads it (a picked name, a date)."""
        if key == "title":
            return self.title_edit.text()
        if key == "amount":
            return self.amount_edit.text()
        if key == "description":
            return self.description_edit.toPlainText()
        if key == "expected_close":
            return self.close_edit.text()
        combo = {"account_id": self.account_combo, "contact_id": self.contact_combo,
                 "owner_id": self.owner_combo, "currency": self.currency_combo,
                 "forecast_category": self.forecast_combo, "lead_source_id": self.lead_source_combo,
                 "campaign_id": self.campaign_combo}[key]
        return combo.currentText()

    def _set_form_values(self, values: dict) -> None:
        """Put ``values`` (form_values() shape) in the form; the others stay as they are."""
        if "title" in values:
            self.title_edit.setText(values["title"])
            self.title_edit.setCursorPosition(0)
        for key, combo in (("account_id", self.account_combo), ("owner_id", self.owner_combo),
                           ("lead_source_id", self.lead_source_combo), ("forecast_category", self.forecast_combo)):
            if key in values:
                self._select(combo, values[key])
        if "account_id" in values or "contact_id" in values:
            self._fill_contacts(_id(self.account_combo), values.get("contact_id", _id(self.contact_combo)))
        if "lead_source_id" in values or "campaign_id" in values:
            self._fill_campaigns(_id(self.lead_source_combo), values.get("campaign_id", _id(self.campaign_combo)))
        if "amount" in values:
            self.amount_edit.setText(values["amount"])
        if "currency" in values:
            self.currency_combo.setCurrentText(values["currency"])
        if "expected_close" in values:
            ec = values["expected_close"]
            self.close_edit.setDate(QDate(ec.year, ec.month, ec.day) if ec else NO_DATE)
        if "description" in values:
            self.description_edit.setPlainText(values["description"])

    def reload_panels(self) -> None:
        """Checklist, history and activities: everything but the form."""
        lang = self.ctx.lang
        self.checklist_model.lang = lang
        self.history_model.lang = lang
        self._card = board_service.card(self.ctx.db, self.deal_id, now=self._now())
        self._stages = board_service.stages(self.ctx.db)
        self.history_model.limits = {s.position: s.dwell_limit_days for s in self._stages}
        selected = self.checklist_model.row(self.checklist_view.currentIndex())
        self.checklist_model.set_rows(gates.checklist(self.ctx.db, self.deal_id))
        if selected is not None:
            self._reselect(selected.deliverable_id)
        else:  # start on the first thing still missing
            first = next((it for it in self.checklist_model.rows if not it.satisfied), None)
            if first is not None:
                self._reselect(first.deliverable_id)
        self.history_model.set_rows(history.stage_history(self.ctx.db, self.deal_id, now=self._now()))
        self.close_model.set_rows(history.close_date_history(self.ctx.db, self.deal_id))
        rows = activity_service.list_activities(self.ctx.db, deal_id=self.deal_id)
        rows.sort(key=lambda a: (a.done_at is not None, a.due_at or a.done_at or self._now()))
        self.activities_model.set_rows(rows)
        self._show_header()
        self._update_buttons()

    def _show_header(self) -> None:
        card = self._card
        stage = next((s for s in self._stages if s.position == card.stage_position), None)
        stage_name = f"{card.stage_position}. {stage.name(self.ctx.lang)}" if stage else ""
        self.title_label.setText(card.title)
        self.setWindowTitle(self.tr("Deal: %1").replace("%1", card.title))
        days = max(0.0, (self._now() - card.stage_entered_at).total_seconds() / 86400)
        parts = [stage_name, status_label(card.status)]
        if card.status == "open":
            parts.append(self.tr("%1 days in stage").replace("%1", formatting.number(days, 0)))
        parts.append(self.tr("checklist %1/%2").replace("%1", str(card.checklist_done))
                     .replace("%2", str(card.checklist_total)))
        parts.append(formatting.money(card.amount, card.currency, formatting.locale_for(self.ctx.lang)))
        if card.account:
            parts.append(card.account)
        parts.append(self.tr("owner %1").replace("%1", card.owner))
        if card.slipped:
            parts.append(self.tr("close date slipped"))
        if card.overdue:
            parts.append(self.tr("overdue activities"))
        self.summary_label.setText("  ·  ".join(parts))
        if stage is not None:
            self.checklist_title.setText(self.tr("What stage %1 needs before the deal can move on:")
                                         .replace("%1", stage_name))

    @staticmethod
    def _fill(combo: QComboBox, items: list[tuple[str, uuid.UUID]], none_text: str | None) -> None:
        """Items carry their id as text (QVariant cannot compare Python UUID objects)."""
        combo.blockSignals(True)
        combo.clear()
        if none_text is not None:
            combo.addItem(none_text, "")
        for text, data in items:
            combo.addItem(text, str(data))
        combo.blockSignals(False)

    @staticmethod
    def _select(combo: QComboBox, value) -> None:
        i = combo.findData("" if value is None else str(value))
        combo.blockSignals(True)
        combo.setCurrentIndex(i if i >= 0 else 0)
        combo.blockSignals(False)

    def _fill_pickers(self) -> None:
        db = self.ctx.db
        none = self.tr("(none)")
        self._fill(self.account_combo, [(a.name, a.id) for a in people.list_accounts(db)], none)
        self._fill(self.owner_combo, [(u.name, u.id) for u in people.list_users(db)], None)
        self._fill(self.lead_source_combo, [(s.name, s.id) for s in people.list_lead_sources(db)], none)
        self._fill_contacts(self.deal.account_id, self.deal.contact_id)
        self._fill_campaigns(self.deal.lead_source_id, self.deal.campaign_id)

    def _fill_contacts(self, account_id, keep_id) -> None:
        contacts = people.list_contacts(self.ctx.db, account_id) if account_id else []
        items = [(c.name, c.id) for c in contacts]
        if keep_id is not None and keep_id not in {c.id for c in contacts}:
            keep = [c for c in people.list_contacts(self.ctx.db) if c.id == keep_id]
            items += [(c.name, c.id) for c in keep]
        self._fill(self.contact_combo, items, self.tr("(none)"))
        self._select(self.contact_combo, keep_id)

    def _fill_campaigns(self, lead_source_id, keep_id) -> None:
        items = [(c.name, c.id) for c in lookups.list_campaigns(self.ctx.db, lead_source_id)] \
            if lead_source_id else []
        self._fill(self.campaign_combo, items, self.tr("(none)"))
        self._select(self.campaign_combo, keep_id)

    def _load_form(self) -> None:
        d = self.deal
        self.title_edit.setText(d.title)
        self.title_edit.setCursorPosition(0)
        self._select(self.account_combo, d.account_id)
        self._select(self.owner_combo, d.owner_id)
        self._select(self.lead_source_combo, d.lead_source_id)
        self.amount_edit.setText(amount_text(d.amount, d.currency))
        self.currency_combo.setCurrentText(d.currency)
        ec = d.expected_close
        self.close_edit.setDate(QDate(ec.year, ec.month, ec.day) if ec else NO_DATE)
        self._select(self.forecast_combo, d.forecast_category)
        self.description_edit.setPlainText(d.description or "")

    def _account_changed(self) -> None:
        if self._loading:
            return
        self._fill_contacts(_id(self.account_combo), _id(self.contact_combo))
        self._update_buttons()

    def _lead_source_changed(self) -> None:
        if self._loading:
            return
        self._fill_campaigns(_id(self.lead_source_combo), _id(self.campaign_combo))
        self._update_buttons()

    # ------------------------------------------------------------------ editing

    def form_values(self) -> dict:
        """What the form shows, in the shape update_deal takes (amount as text)."""
        qd = self.close_edit.date()
        return {
            "title": self.title_edit.text(),
            "account_id": _id(self.account_combo),
            "contact_id": _id(self.contact_combo),
            "owner_id": _id(self.owner_combo),
            "amount": self.amount_edit.text().strip(),
            "currency": self.currency_combo.currentText(),
            "expected_close": None if qd == NO_DATE else date(qd.year(), qd.month(), qd.day()),
            "forecast_category": self.forecast_combo.currentData(),
            "lead_source_id": _id(self.lead_source_combo),
            "campaign_id": _id(self.campaign_combo),
            "description": self.description_edit.toPlainText(),
        }

    def changes(self) -> dict:
        """The fields the user changed (raw form values)."""
        if self.deal is None:
            return {}
        out = {}
        for key, value in self.form_values().items():
            old = getattr(self.deal, key)
            if key == "amount":
                same = value == amount_text(old, self.deal.currency)
            elif key in ("title", "description"):
                same = value.strip() == (old or "").strip()
            else:
                same = value == old
            if not same:
                out[key] = value
        return out

    def is_dirty(self) -> bool:
        return bool(self.changes())

    def save(self) -> bool:
        """Save the changed fields; errors show next to their field; True when saved."""
        for lab in list(self.errors.values()) + [self.general_error]:
            show_error(lab, None)
        changes = self.changes()
        if not changes:
            return True
        before = {k: getattr(self.deal, k) for k in changes}

        def inline(exc) -> bool:
            if isinstance(exc, ValidationError):
                self._show_errors(exc.errors)
                return True
            if isinstance(exc, ConflictError):
                try:
                    theirs = self.follow_changes(conflict=True)
                except AppError as gone:
                    show_error(self.general_error, short_error(gone))
                    return True
                if theirs:
                    text = self.tr("“%1” was changed by someone else while you were editing: %2. Those "
                                   "fields now show their values (marked in the form); your other changes "
                                   "are kept. Nothing is saved yet: check the form and press Save.") \
                        .replace("%2", ", ".join(field_label(k) or k for k in theirs))
                else:
                    text = self.tr("“%1” was changed by someone else while you were editing, but not in "
                                   "the fields you changed. Nothing is saved yet: your changes are still "
                                   "in the form; press Save to save them.")
                QMessageBox.warning(self, self.tr("Changed by someone else"),
                                    text.replace("%1", self.deal.title))
                return True  # the runner announces the reload
            show_error(self.general_error, short_error(exc))
            return True

        def saved(deal) -> None:
            after = {k: getattr(deal, k) for k in changes}
            self.ctx.undo_stack.push(EditDealCommand(self.ctx, self.deal_id, before=before, after=after,
                                                     version=deal.version, title=deal.title))
            self.deal = deal
            self.reload()

        return CollectionOp(self.ctx, lambda uow: deals_service.update_deal(
            uow, self.deal_id, expected_version=self.deal.version, actor_id=self.ctx.user_id, **changes),
            parent=self, initiator=self, deals=[self.deal_id]).success(saved).failure(inline).run()

    def _show_errors(self, errors: dict[str, str]) -> None:
        """Each message next to its field; the rest (no field of this form) together under
        the form, each after its field's label where the user knows it (validation_text)."""
        first = None
        rest = {}
        for key, msg in errors.items():
            lab = self.errors.get(key)
            if lab is None:
                rest[key] = msg
                continue
            msg = field_message(msg)
            show_error(lab, msg if lab.text() == "" else f"{lab.text()}; {msg}")
            first = first or key
        if rest:
            show_error(self.general_error, validation_text(ValidationError(rest), "; "))
        if first:
            target = {"amount": self.amount_edit, "currency": self.currency_combo,
                      "expected_close": self.close_edit}.get(first, self.editors[first])
            target.setFocus()

    def _update_buttons(self, *args) -> None:
        if self._loading or self.deal is None:
            return
        dirty = self.is_dirty()
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)
        item = self.checklist_model.row(self.checklist_view.currentIndex())
        open_deal = getattr(self, "_card", None) is not None and self._card.status == "open"
        self.satisfy_button.setEnabled(item is not None and open_deal
                                       and (not item.satisfied or item.kind in ("check", "document")))
        self.withdraw_button.setEnabled(item is not None and item.evidence_id is not None)
        self.open_button.setEnabled(item is not None and bool(item.file_path or item.link))
        act = self.activities_model.row(self.activities_view.currentIndex())
        self.mark_done_button.setEnabled(act is not None and act.done_at is None)

    # ------------------------------------------------------------------ checklist actions

    def satisfy_selected(self) -> bool:
        item = self.checklist_model.row(self.checklist_view.currentIndex())
        if item is None:
            return False
        from app.views.gate_dialog import satisfy_deliverable

        if self.is_dirty() and item.kind == "field":
            if not self.save():
                return False
        done = satisfy_deliverable(self.ctx, self.deal_id, item.deliverable_id, self)
        if done:
            self.follow_changes()  # keeps the user's unsaved edits in the form
            self._reselect(item.deliverable_id)
        return done

    def withdraw_selected(self) -> bool:
        item = self.checklist_model.row(self.checklist_view.currentIndex())
        if item is None or item.evidence_id is None:
            return False
        answer = QMessageBox.question(
            self, self.tr("Withdraw evidence"),
            self.tr("Withdraw the evidence for “%1”? The deliverable will count as missing again.")
            .replace("%1", item.name(self.ctx.lang)))
        if answer != QMessageBox.StandardButton.Yes:
            return False
        def withdrawn(_evidence) -> None:
            self.reload_panels()
            self._reselect(item.deliverable_id)

        return CollectionOp(self.ctx, lambda uow: evidence_service.withdraw_evidence(
            uow, item.evidence_id, actor_id=self.ctx.user_id), parent=self, initiator=self,
            title=self.tr("Withdraw evidence"), deals=[self.deal_id]).success(withdrawn).run()

    def _reselect(self, deliverable_id: uuid.UUID) -> None:
        for r, it in enumerate(self.checklist_model.rows):
            if it.deliverable_id == deliverable_id:
                self.checklist_view.setCurrentIndex(self.checklist_model.index(r, ChecklistModel.COL_NAME))
                break

    def evidence_url(self, index: QModelIndex) -> QUrl | None:
        item = self.checklist_model.row(index)
        if item is None:
            return None
        if item.file_path:
            return QUrl.fromLocalFile(item.file_path)
        if item.link:
            url = QUrl.fromUserInput(item.link)
            return url if url.isValid() else None
        return None

    def open_evidence(self, index: QModelIndex) -> bool:
        url = self.evidence_url(index)
        if url is None:
            return False
        return QDesktopServices.openUrl(url)

    # ------------------------------------------------------------------ activities

    def log_quick(self) -> bool:
        """Log the quick line's activity on this deal (counts for the deal's current stage)."""
        show_error(self.quick_error, None)
        now = self._now()
        done = self.quick_done.isChecked()
        type_, subject = self.quick_type.currentData(), self.quick_subject.text()
        due = now if done else to_utc(self.quick_due.dateTime())

        def inline(exc) -> bool:
            if isinstance(exc, ValidationError):
                msg = exc.errors.get("subject")
                show_error(self.quick_error, field_message(msg) if msg else short_error(exc))
                self.quick_subject.setFocus()
            else:
                show_error(self.quick_error, short_error(exc))
            return True

        def logged(_activity) -> None:
            self.quick_subject.clear()
            self.reload_panels()

        return CollectionOp(self.ctx, lambda uow: activity_service.log_activity(
            uow, type=type_, subject=subject, owner_id=self.ctx.user_id, deal_id=self.deal_id, due_at=due,
            done_at=now if done else None), parent=self, initiator=self, deals=[self.deal_id]) \
            .success(logged).failure(inline).run()

    def mark_selected_done(self) -> bool:
        act = self.activities_model.row(self.activities_view.currentIndex())
        if act is None or act.done_at is not None:
            return False
        return CollectionOp(self.ctx, lambda uow: activity_service.complete_activity(uow, act.id, at=self._now()),
                            parent=self, initiator=self, title=self.tr("Mark done"), deals=[self.deal_id]) \
            .success(lambda _a: self.reload_panels()).run()

    # ------------------------------------------------------------------ outside changes

    def _on_pipeline_changed(self, changes: Changes, initiator) -> None:
        if initiator is self:
            return
        if self.deal_id not in changes.deal_ids and not changes.touches("imported"):
            return
        try:
            self.follow_changes()  # keeps the user's unsaved edits to the fields not changed
        except AppError:
            self.reject()  # the deal is gone (e.g. another database was opened)

    def done(self, result: int) -> None:
        try:
            self.ctx.hub.pipeline_changed.disconnect(self._on_pipeline_changed)
        except (RuntimeError, TypeError):
            pass
        super().done(result)
