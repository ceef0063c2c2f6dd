"""Editors for marketing inputs: lead sources and campaigns with their spend per month
(a month × source/campaign grid), and SMART targets with their attainment.

Both dialogs change data only through app.services.marketing, each change one operation
(app.views.operations.CollectionOp) with the dialog as initiator: the runner announces what
it wrote ("marketing" or "targets") once. A refused value (ValidationError) is shown in the
dialog's own error line; any other error is shown by the runner."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QDate,
    QEvent,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError, ValidationError
from app.services import analytics, marketing
from app.services.people import list_users
from app.views import formatting as fmt
from app.views.context import AppContext
from app.views.operations import CollectionOp, short_error

_ROOT = QModelIndex()
ID_ROLE = Qt.ItemDataRole.UserRole + 1
CURRENCIES = ("KRW", "USD", "EUR", "JPY", "CNY", "GBP")


def change(ctx: AppContext, work, owner, refused) -> CollectionOp:
    """One change made from ``owner`` (the dialog, or the dialog a model belongs to): its
    initiator, and the parent of any message the runner shows. ``refused(exc)`` shows a
    ValidationError in the dialog; other errors are left to the runner."""

    def failure(exc: BaseException) -> bool:
        if isinstance(exc, ValidationError):
            refused(exc)
            return True
        return False

    return CollectionOp(ctx, work, parent=owner if isinstance(owner, QWidget) else None,
                        initiator=owner).failure(failure)


# the channels a lead source is usually given (stored as typed, in English); shown translated,
# any other value as it is
CHANNELS = {
    "inbound": QT_TRANSLATE_NOOP("Channel", "Inbound"),
    "outbound": QT_TRANSLATE_NOOP("Channel", "Outbound"),
    "paid": QT_TRANSLATE_NOOP("Channel", "Paid"),
    "partner": QT_TRANSLATE_NOOP("Channel", "Partner"),
    "referral": QT_TRANSLATE_NOOP("Channel", "Referral"),
    "events": QT_TRANSLATE_NOOP("Channel", "Events"),
    "email": QT_TRANSLATE_NOOP("Channel", "Email"),
    "social": QT_TRANSLATE_NOOP("Channel", "Social"),
    "organic": QT_TRANSLATE_NOOP("Channel", "Organic"),
}


def channel_label(channel: str | None) -> str:
    """A lead source's channel in the interface language (a known value) or as stored."""
    if not channel:
        return ""
    known = CHANNELS.get(channel.strip().lower())
    return QCoreApplication.translate("Channel", known) if known else channel


def month_label(month: date, lang: str) -> str:
    """One month as the interface language writes it: "Jan 2026", "2026년 1월"."""
    fmt_ = QCoreApplication.translate("SpendGridModel", "MMM yyyy", "a month of the spend grid (Qt date format)")
    return fmt.locale_for(lang).toString(QDate(month.year, month.month, 1), fmt_)


def plain_amount(amount: Decimal) -> str:
    """An amount as the user would type it: 1500000 or 1250.50."""
    return str(int(amount)) if amount == amount.to_integral_value() else f"{amount:.2f}"


# ------------------------------------------------------------------ sources and campaigns

@dataclass(frozen=True)
class Line:
    """A column of the spend grid: a lead source (campaign None) or one of its campaigns."""

    source_id: uuid.UUID
    source: str
    campaign_id: uuid.UUID | None = None
    campaign: str | None = None

    def label(self) -> str:
        """Source, or source / campaign (a "›" drew as a different, wide glyph in Korean fonts)."""
        return self.source if self.campaign is None else f"{self.source} / {self.campaign}"


def load_lines(db) -> list[Line]:
    campaigns: dict[uuid.UUID, list] = {}
    for c in marketing.list_campaigns(db):
        campaigns.setdefault(c.lead_source_id, []).append(c)
    lines = []
    for src in marketing.list_lead_sources(db):
        lines.append(Line(src.id, src.name))
        lines += [Line(src.id, src.name, c.id, c.name) for c in campaigns.get(src.id, [])]
    return lines


CAMPAIGN_INDENT = "\u2003\u2003"  # two em spaces: a campaign sits under its lead source


class LinesModel(QAbstractTableModel):
    """Lead sources with their campaigns under them (read-only list)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.lines: list[Line] = []
        self.channels: dict[uuid.UUID, str | None] = {}

    def reload(self, db) -> None:
        self.beginResetModel()
        self.lines = load_lines(db)
        self.channels = {s.id: s.channel for s in marketing.list_lead_sources(db)}
        self.endResetModel()

    def rowCount(self, parent=_ROOT):  # noqa: N802
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent=_ROOT):  # noqa: N802
        return 0 if parent.isValid() else 2

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (self.tr("Lead source / campaign"), self.tr("Channel"))[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return line.source if line.campaign is None else CAMPAIGN_INDENT + line.campaign
            return channel_label(self.channels.get(line.source_id)) if line.campaign is None else self.tr("campaign")
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 1 and line.campaign is None:
            return self.channels.get(line.source_id) or None  # the value as stored (and imported)
        if role == ID_ROLE:
            return line
        return None


class SpendGridModel(QAbstractTableModel):
    """Months of one year (rows) × lead sources and campaigns (columns); each cell is the
    spend entered for that month, editable. Invalid input is refused with ``refused(msg)``."""

    refused = Signal(str)
    saved = Signal()

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.year = date.today().year
        self.currency = "KRW"
        self.lines: list[Line] = []
        # (line index, month) -> list of (spend id, amount)
        self.cells: dict[tuple[int, int], list[tuple[uuid.UUID, Decimal]]] = {}

    def reload(self) -> None:
        self.beginResetModel()
        self.lines = load_lines(self.ctx.db)
        index = {(ln.source_id, ln.campaign_id): i for i, ln in enumerate(self.lines)}
        self.cells = {}
        for sp in marketing.list_spend(self.ctx.db):
            if sp.month.year != self.year or sp.currency != self.currency:
                continue
            col = index.get((sp.lead_source_id, sp.campaign_id))
            if col is not None:
                self.cells.setdefault((col, sp.month.month), []).append((sp.id, sp.amount))
        self.endResetModel()

    def rowCount(self, parent=_ROOT):  # noqa: N802
        return 0 if parent.isValid() else 13  # 12 months and the total

    def columnCount(self, parent=_ROOT):  # noqa: N802
        return 0 if parent.isValid() else len(self.lines)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if section >= len(self.lines):
                return None
            line = self.lines[section]  # a campaign under its source, on two lines
            return line.source if line.campaign is None else f"{line.source}\n{line.campaign}"
        if section == 12:
            return self.tr("Total")
        return month_label(date(self.year, section + 1, 1), self.ctx.lang)

    def amount(self, col: int, month: int) -> Decimal | None:
        entries = self.cells.get((col, month))
        return sum((a for _i, a in entries), Decimal(0)) if entries else None

    def column_total(self, col: int) -> Decimal | None:
        values = [v for m in range(1, 13) if (v := self.amount(col, m)) is not None]
        return sum(values, Decimal(0)) if values else None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base if index.row() == 12 else base | Qt.ItemFlag.ItemIsEditable

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        col, row = index.column(), index.row()
        v = self.column_total(col) if row == 12 else self.amount(col, row + 1)
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if v is None else fmt.money(v, self.currency, fmt.locale_for(self.ctx.lang))
        if role == Qt.ItemDataRole.EditRole:
            return "" if v is None else plain_amount(v)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and row == 12:
            return QBrush(QColor("#f0f3f6"))
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or index.row() == 12:
            return False
        line = self.lines[index.column()]
        month = date(self.year, index.row() + 1, 1)
        text = str(value if value is not None else "").strip()
        key = (index.column(), month.month)
        currency = self.currency

        def work(uow):  # the cell is the month's one figure (the service merges any others)
            return marketing.set_month_spend(uow, line.source_id, month, text, campaign_id=line.campaign_id,
                                             currency=currency)

        def saved(sp) -> None:
            if sp is None:
                self.cells.pop(key, None)
            else:
                self.cells[key] = [(sp.id, sp.amount)]
            # no reset while the view commits its editor: just this cell and the total below it
            self.dataChanged.emit(index, index)
            total = self.index(12, index.column())
            self.dataChanged.emit(total, total)
            self.saved.emit()

        def refused(exc: AppError) -> None:
            self.refused.emit(self.tr("%1, %2: %3").replace("%1", line.label())
                              .replace("%2", month_label(month, self.ctx.lang)).replace("%3", short_error(exc)))

        return change(self.ctx, work, self.parent(), refused).success(saved).run()


class MarketingDialog(QDialog):
    """Lead sources and campaigns, and their spend per month."""

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.lines_model = LinesModel(self)
        self.lines_view = QTableView()
        self.lines_view.setModel(self.lines_model)
        self.lines_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.lines_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.lines_view.verticalHeader().hide()
        self.lines_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.add_source_button = QPushButton()
        self.add_campaign_button = QPushButton()
        self.rename_button = QPushButton()
        self.delete_button = QPushButton()
        self.add_source_button.clicked.connect(self.add_source)
        self.add_campaign_button.clicked.connect(self.add_campaign)
        self.rename_button.clicked.connect(self.rename_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        left = QWidget()
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        self.lines_title = QLabel()
        left_lay.addWidget(self.lines_title)
        left_lay.addWidget(self.lines_view, 1)
        btns = QHBoxLayout()
        for b in (self.add_source_button, self.add_campaign_button, self.rename_button, self.delete_button):
            btns.addWidget(b)
        left_lay.addLayout(btns)

        self.grid = SpendGridModel(ctx, self)
        self.grid.refused.connect(self.show_error)
        self.grid.saved.connect(self._spend_saved)
        self.grid_view = QTableView()
        self.grid_view.setModel(self.grid)
        self.grid_view.horizontalHeader().setDefaultSectionSize(150)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(self.grid.year)
        self.year.valueChanged.connect(self._year_changed)
        self.currency = QComboBox()
        self.currency.addItems(CURRENCIES)
        self.currency.currentTextChanged.connect(self._currency_changed)
        self.year_label, self.currency_label, self.grid_title = QLabel(), QLabel(), QLabel()
        head = QHBoxLayout()
        head.addWidget(self.grid_title, 1)
        head.addWidget(self.year_label)
        head.addWidget(self.year)
        head.addWidget(self.currency_label)
        head.addWidget(self.currency)
        right = QWidget()
        right_lay = QVBoxLayout(right)
        right_lay.setContentsMargins(0, 0, 0, 0)
        right_lay.addLayout(head)
        right_lay.addWidget(self.grid_view, 1)
        self.hint = QLabel()
        self.hint.setStyleSheet("color: #57606a;")
        self.hint.setWordWrap(True)
        right_lay.addWidget(self.hint)

        for b in (self.add_source_button, self.add_campaign_button, self.rename_button, self.delete_button):
            b.setAutoDefault(False)  # Enter in a grid cell commits the cell, it must not press a button
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 2)
        split.setSizes([330, 700])
        self.error = QLabel()
        self.error.setStyleSheet("color: #cf222e;")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(split, 1)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self.resize(1100, 560)
        self.retranslate()
        self.reload()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Lead sources, campaigns and marketing spend"))
        self.lines_title.setText(self.tr("Lead sources and campaigns"))
        self.add_source_button.setText(self.tr("Add lead source…"))
        self.add_campaign_button.setText(self.tr("Add campaign…"))
        self.rename_button.setText(self.tr("Rename…"))
        self.delete_button.setText(self.tr("Delete"))
        self.grid_title.setText(self.tr("Spend per month"))
        self.year_label.setText(self.tr("Year"))
        self.currency_label.setText(self.tr("Currency"))
        self.hint.setText(self.tr("Type an amount in a cell (e.g. 1500000 or 1250.50); clear a cell to remove "
                                  "that month's spend. A lead source's column is spend not tied to a campaign."))
        self.lines_model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 1)
        self.grid.headerDataChanged.emit(Qt.Orientation.Vertical, 0, 12)

    def changeEvent(self, event):  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def reload(self) -> None:
        self.lines_model.reload(self.ctx.db)
        self.grid.reload()
        self.grid_view.resizeColumnsToContents()
        for c in range(self.grid.columnCount()):
            self.grid_view.setColumnWidth(c, max(130, self.grid_view.columnWidth(c)))

    def show_error(self, message: str) -> None:
        self.error.setText(message)

    def _spend_saved(self) -> None:
        self.error.clear()

    def _year_changed(self, year: int) -> None:
        self.grid.year = year
        self.grid.reload()

    def _currency_changed(self, code: str) -> None:
        self.grid.currency = code
        self.grid.reload()

    def selected_line(self) -> Line | None:
        rows = self.lines_view.selectionModel().selectedRows()
        return self.lines_model.lines[rows[0].row()] if rows else None

    def _apply(self, work) -> bool:
        """Run ``work(uow)`` as one change; reload the lists when it is saved."""
        def saved(_value) -> None:
            self.error.clear()
            self.reload()

        return change(self.ctx, work, self, lambda exc: self.show_error(short_error(exc))).success(saved).run()

    def add_source(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("Add lead source"), self.tr("Name of the lead source:"))
        if ok:
            self._apply(lambda uow: marketing.create_lead_source(uow, name))

    def add_campaign(self) -> None:
        line = self.selected_line()
        if line is None:
            self.show_error(self.tr("Select the lead source the campaign belongs to."))
            return
        name, ok = QInputDialog.getText(self, self.tr("Add campaign"),
                                        self.tr("Name of the campaign of %1:").replace("%1", line.source))
        if ok:
            self._apply(lambda uow: marketing.create_campaign(uow, line.source_id, name))

    def rename_selected(self) -> None:
        line = self.selected_line()
        if line is None:
            return
        old = line.source if line.campaign is None else line.campaign
        name, ok = QInputDialog.getText(self, self.tr("Rename"), self.tr("New name:"), QLineEdit.EchoMode.Normal, old)
        if not ok:
            return
        if line.campaign_id is None:
            self._apply(lambda uow: marketing.update_lead_source(uow, line.source_id, name=name))
        else:
            self._apply(lambda uow: marketing.update_campaign(uow, line.campaign_id, name=name))

    def delete_selected(self) -> None:
        line = self.selected_line()
        if line is None:
            return
        answer = QMessageBox.question(
            self, self.tr("Delete"),
            self.tr("Delete %1 and all its spend?").replace("%1", line.label()))
        if answer != QMessageBox.StandardButton.Yes:
            return
        if line.campaign_id is None:
            self._apply(lambda uow: marketing.delete_lead_source(uow, line.source_id))
        else:
            self._apply(lambda uow: marketing.delete_campaign(uow, line.campaign_id))


# ------------------------------------------------------------------ targets

COL_METRIC, COL_OWNER, COL_PERIOD, COL_TARGET, COL_ACTUAL, COL_ATTAINMENT = range(6)


def period_dash() -> str:
    """The mark between a period's first and last day: "–", "~" in Korean."""
    return QCoreApplication.translate("TargetsDialog", "–", "between the first and last day of the period")


class TargetsModel(QAbstractTableModel):
    """Targets overlapping one year with their attainment; the target value is editable."""

    refused = Signal(str)
    saved = Signal()

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.year = date.today().year
        self.rows: list = []
        self.currencies: dict[uuid.UUID, str | None] = {}

    def metric_name(self, metric: str) -> str:
        return {"won_revenue": self.tr("Won revenue"), "won_count": self.tr("Won deals"),
                "new_deals": self.tr("New deals"), "win_rate": self.tr("Win rate (%)")}.get(metric, metric)

    def reload(self) -> None:
        self.beginResetModel()
        f = analytics.Filters(start=date(self.year, 1, 1), end=date(self.year, 12, 31))
        self.rows = analytics.targets_attainment(self.ctx.db, f)
        self.currencies = {t.id: t.currency for t in marketing.list_targets(self.ctx.db)}
        self.endResetModel()

    def rowCount(self, parent=_ROOT):  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=_ROOT):  # noqa: N802
        return 0 if parent.isValid() else 6

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (self.tr("Metric"), self.tr("Owner"), self.tr("Period"), self.tr("Target"),
                    self.tr("Actual"), self.tr("Attainment"))[section]
        return None

    def _value(self, metric: str, v, currency: str | None) -> str:
        loc = fmt.locale_for(self.ctx.lang)
        if v is None:
            return "—"
        if metric == "won_revenue":
            return fmt.money(Decimal(str(v)), currency or "KRW", loc)
        if metric == "win_rate":
            return fmt.number(v, 1, loc) + "%"
        return fmt.number(v, 0, loc)

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if index.column() == COL_TARGET else base

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        t = self.rows[index.row()]
        c = index.column()
        loc = fmt.locale_for(self.ctx.lang)
        if role == Qt.ItemDataRole.DisplayRole:
            if c == COL_METRIC:
                return self.metric_name(t.metric)
            if c == COL_OWNER:
                return t.owner or self.tr("Team")
            if c == COL_PERIOD:
                return f"{fmt.short_date(t.period_start, loc)} {period_dash()} {fmt.short_date(t.period_end, loc)}"
            if c == COL_TARGET:
                return self._value(t.metric, t.target, self.currencies.get(t.target_id))
            if c == COL_ACTUAL:
                return self._value(t.metric, t.actual, self.currencies.get(t.target_id))
            return "—" if t.attainment_pct is None else fmt.number(t.attainment_pct, 1, loc) + "%"
        if role == Qt.ItemDataRole.EditRole and c == COL_TARGET:
            return plain_amount(t.target)
        if role == ID_ROLE:
            return t.target_id
        if role == Qt.ItemDataRole.TextAlignmentRole and c >= COL_TARGET:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and c == COL_ATTAINMENT and t.attainment_pct is not None:
            return QBrush(QColor("#1a7f37" if t.attainment_pct >= 100 else "#9a6700"))
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or index.column() != COL_TARGET:
            return False
        t = self.rows[index.row()]
        text = str(value).strip()

        def saved(_target) -> None:
            QTimer.singleShot(0, self.reload)  # attainment changes too; not reset while the editor commits
            self.saved.emit()

        return change(self.ctx, lambda uow: marketing.update_target(uow, t.target_id, value=text),
                      self.parent(), lambda exc: self.refused.emit(short_error(exc))).success(saved).run()


class TargetsDialog(QDialog):
    """SMART targets (metric, owner or team, period, value) with their attainment."""

    METRICS = marketing.METRICS

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = TargetsModel(ctx, self)
        self.model.refused.connect(self.show_error)
        self.model.saved.connect(self._saved)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(self.model.year)
        self.year.valueChanged.connect(self._year_changed)
        self.year_label = QLabel()
        self.delete_button = QPushButton()
        self.delete_button.clicked.connect(self.delete_selected)
        head = QHBoxLayout()
        head.addWidget(self.year_label)
        head.addWidget(self.year)
        head.addStretch(1)
        head.addWidget(self.delete_button)

        # the form for a new target
        self.metric_box = QComboBox()
        for m in self.METRICS:
            self.metric_box.addItem(m, m)
        self.owner = QComboBox()
        self.owner.addItem("", None)
        for u in list_users(ctx.db):
            self.owner.addItem(u.name, str(u.id))
        first, last = analytics.current_quarter(date.today())
        self.start = QDateEdit(QDate(first.year, first.month, first.day))
        self.end = QDateEdit(QDate(last.year, last.month, last.day))
        for e in (self.start, self.end):
            e.setCalendarPopup(True)
            e.setDisplayFormat(fmt.date_edit_format(fmt.locale_for(ctx.lang)))
        self.value = QLineEdit()
        self.add_button = QPushButton()
        self.add_button.clicked.connect(self.add_target)
        self.value.returnPressed.connect(self.add_target)
        for b in (self.add_button, self.delete_button):
            b.setAutoDefault(False)  # Enter while editing a target's value must not add or delete
        self.form_box = QGroupBox()
        form = QFormLayout(self.form_box)
        self.form_labels = [QLabel() for _ in range(5)]
        period = QHBoxLayout()
        period.addWidget(self.start)
        self.period_dash = QLabel()
        period.addWidget(self.period_dash)
        period.addWidget(self.end)
        period.addStretch(1)
        add_row = QHBoxLayout()
        add_row.addStretch(1)
        add_row.addWidget(self.add_button)
        for label, field in zip(self.form_labels, (self.metric_box, self.owner, period, self.value, add_row),
                                strict=True):
            form.addRow(label, field)
        self.error = QLabel()
        self.error.setStyleSheet("color: #cf222e;")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(head)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.form_box)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self.resize(900, 600)
        self.retranslate()
        self.model.reload()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Targets"))
        self.year_label.setText(self.tr("Targets overlapping the year"))
        self.delete_button.setText(self.tr("Delete target"))
        for i, m in enumerate(self.METRICS):
            self.metric_box.setItemText(i, self.model.metric_name(m))
        self.owner.setItemText(0, self.tr("Team (everyone)"))
        self.form_box.setTitle(self.tr("New target"))
        for label, text in zip(self.form_labels, (self.tr("Metric"), self.tr("Owner"), self.tr("Period"),
                                                   self.tr("Value"), ""), strict=True):
            label.setText(text)
        self.value.setPlaceholderText(self.tr("e.g. 500000000, or 35 for a 35 % win rate"))
        self.add_button.setText(self.tr("Add target"))
        self.period_dash.setText(period_dash())
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 5)

    def changeEvent(self, event):  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_error(self, message: str) -> None:
        self.error.setText(message)

    def _saved(self, _value=None) -> None:
        self.error.clear()

    def _year_changed(self, year: int) -> None:
        self.model.year = year
        self.model.reload()

    @staticmethod
    def _date(edit: QDateEdit) -> date:
        d = edit.date()
        return date(d.year(), d.month(), d.day())

    def _apply(self, work) -> bool:
        """Run ``work(uow)`` as one change; show the targets again when it is saved."""
        def saved(_value) -> None:
            self.model.reload()
            self._saved()

        return change(self.ctx, work, self, lambda exc: self.show_error(short_error(exc))).success(saved).run()

    def add_target(self) -> None:
        owner = self.owner.currentData()
        metric, start, end = self.metric_box.currentData(), self._date(self.start), self._date(self.end)
        value = self.value.text().strip()
        if self._apply(lambda uow: marketing.create_target(uow, metric, start, end, value,
                                                           owner_id=uuid.UUID(owner) if owner else None)):
            self.value.clear()

    def delete_selected(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return
        target_id = self.model.rows[rows[0].row()].target_id
        self._apply(lambda uow: marketing.delete_target(uow, target_id))
