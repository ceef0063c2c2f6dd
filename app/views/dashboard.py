"""The dashboard tab: period and filters, KPI tiles against the previous period, and the
dwell, funnel, forecast and slippage charts with drill-down to the exact deals.

Figures come from app.services.analytics; each refresh is a QueryOp of the runner
(app/views/operations.py) on the dashboard's own one-thread pool (its own sessions, no
widget touched); a newer refresh supersedes an older one, whose answer is dropped.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QEvent,
    QLocale,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTime,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from app.services import analytics
from app.services.analytics import Filters, MarketingTotals, marketing_totals
from app.services.collation import text_sort_string
from app.services.deal_lookup import deal_rows
from app.services.deals import DealRow
from app.services.people import list_lead_sources, list_users
from app.views import formatting as fmt
from app.views.charts import (
    BEST_CASE,
    COMMIT,
    LOST,
    NEUTRAL,
    OPEN,
    PIPELINE,
    TARGET,
    WON,
    Bar,
    CategoryAxis,
    ChartPanel,
    ClickableBars,
    ValueAxis,
)
from app.views.context import AppContext, run_modal
from app.views.operations import Cancelled, QueryOp, Task, serial_pool, short_error

DEFAULT_K = 1.5
DEBOUNCE_MS = 300


# ------------------------------------------------------------------ periods (Qt-free)

def period_range(kind: str, today: date, custom: tuple[date, date] | None = None) -> tuple[date, date]:
    """First and last day of this month / quarter / year containing ``today`` (or custom)."""
    if kind == "month":
        start = today.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    elif kind == "quarter":
        q0 = (today.month - 1) // 3 * 3 + 1
        start = date(today.year, q0, 1)
        end = (date(today.year + (q0 + 3 > 12), (q0 + 2) % 12 + 1, 1)) - timedelta(days=1)
    elif kind == "year":
        start, end = date(today.year, 1, 1), date(today.year, 12, 31)
    else:
        if custom is None:
            raise ValueError("a custom period needs its dates")
        start, end = custom
    return start, end


# ------------------------------------------------------------------ the data (Qt-free)

def _now() -> datetime:
    """The clock that stamps a computation (a test sets it)."""
    return datetime.now(UTC)


@dataclass
class DashboardData:
    filters: Filters
    k: float
    currency: str
    kpis: Any
    previous: Any
    marketing: MarketingTotals
    previous_marketing: MarketingTotals
    dwell: list
    thresholds: dict[int, float]
    funnel: Any
    forecast: list
    slippage: Any
    stage_names: dict[int, tuple[str, str]] = field(default_factory=dict)
    computed_at: datetime = field(default_factory=lambda: _now())  # the status line says it


def compute(db, f: Filters, k: float = DEFAULT_K) -> DashboardData:
    """Everything the dashboard shows for ``f``; runs in the worker thread (no Qt)."""
    prev = analytics.previous_period(f)
    kp = analytics.kpis(db, f)
    currency = f.currency or kp.currency
    dwell = analytics.dwell_by_stage(db, f)
    return DashboardData(
        filters=f, k=k, currency=currency,
        kpis=kp, previous=analytics.kpis(db, prev),
        marketing=marketing_totals(analytics.marketing(db, f)),
        previous_marketing=marketing_totals(analytics.marketing(db, prev)),
        dwell=dwell, thresholds=analytics.stage_risk_thresholds(db, k, f),
        funnel=analytics.funnel(db, f), forecast=analytics.forecast(db, f),
        slippage=analytics.slippage(db, f),
        stage_names={d.stage: (d.name_en, d.name_ko) for d in dwell},
        computed_at=_now(),  # once every figure is in
    )


# ------------------------------------------------------------------ the refresh op

def _refresh_work(f: Filters, k: float) -> Callable[[Task], DashboardData]:
    """The work of one refresh: skipped when a newer one superseded it before it started."""
    def work(task: Task) -> DashboardData:
        task.check()
        return compute(task.db, f, k)
    return work


# ------------------------------------------------------------------ KPI tiles

@dataclass(frozen=True)
class TileSpec:
    key: str
    unit: str  # pct | money | days | count | money_per_day
    higher_is_better: bool
    value: Callable[[DashboardData, bool], Any]  # (data, previous?) -> value


def _kpi(name: str) -> Callable[[DashboardData, bool], Any]:
    return lambda d, prev: getattr(d.previous if prev else d.kpis, name, None)


def _mkt(name: str) -> Callable[[DashboardData, bool], Any]:
    return lambda d, prev: getattr(d.previous_marketing if prev else d.marketing, name, None)


TILES = [
    TileSpec("win_rate", "pct", True, _kpi("win_rate")),
    TileSpec("avg_won_size", "money", True, _kpi("avg_won_size")),
    TileSpec("cycle_days", "days", False, _kpi("cycle_days")),
    TileSpec("velocity", "money_per_day", True, _kpi("velocity")),
    TileSpec("new_deals", "count", True, _kpi("new_deals")),
    TileSpec("won_revenue", "money", True, _kpi("won_revenue")),
    TileSpec("mql_to_sql", "pct", True, _mkt("mql_to_sql")),
    TileSpec("cac", "money", False, _mkt("cac")),
    TileSpec("roi", "pct", True, _mkt("roi")),
]


class KpiTile(QFrame):
    """One figure with its change against the previous period."""

    def __init__(self, spec: TileSpec, parent=None):
        super().__init__(parent)
        self.spec = spec
        self.setObjectName(f"tile_{spec.key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("KpiTile { background: white; border: 1px solid #d0d7de; border-radius: 6px; }")
        self.title = QLabel()
        self.title.setStyleSheet("color: #57606a;")
        self.value = QLabel("—")
        f = QFont(self.value.font())
        f.setPointSizeF(f.pointSizeF() * 1.6)
        f.setBold(True)
        self.value.setFont(f)
        self.delta = QLabel("—")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        lay.setSpacing(2)
        lay.addWidget(self.title)
        lay.addWidget(self.value)
        lay.addWidget(self.delta)
        self.setMinimumWidth(150)

    def show_values(self, text: str, delta: str, color: str, tooltip: str) -> None:
        self.value.setText(text)
        self.delta.setText(delta)
        self.delta.setStyleSheet(f"color: {color};")
        self.setToolTip(tooltip)


# ------------------------------------------------------------------ drill-down

COL_TITLE, COL_ACCOUNT, COL_OWNER, COL_STAGE, COL_AMOUNT = range(5)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
_ROOT = QModelIndex()


class DealListModel(QAbstractTableModel):
    """Read-only rows of deals: title, account, owner, stage, amount."""

    def __init__(self, rows: list[DealRow], lang: str, parent=None):
        super().__init__(parent)
        self.rows = rows
        self.lang = lang
        self.loc = fmt.locale_for(lang)

    def rowCount(self, parent=_ROOT):  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=_ROOT):  # noqa: N802
        return 0 if parent.isValid() else 5

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (self.tr("Title"), self.tr("Account"), self.tr("Owner"), self.tr("Stage"),
                self.tr("Amount"))[section]

    def stage_text(self, r: DealRow) -> str:
        name = r.stage_name_ko if self.lang == "ko" else r.stage_name_en
        if r.status == "won":
            return self.tr("Won")
        if r.status == "lost":
            return self.tr("Lost (%1)").replace("%1", name)
        return f"{r.stage}. {name}"

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        c = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (r.title, r.account or "", r.owner, self.stage_text(r),
                    fmt.money(r.amount, r.currency, self.loc))[c]
        if role == SORT_ROLE:
            return (text_sort_string(r.title), text_sort_string(r.account), text_sort_string(r.owner), r.stage,
                    float(r.amount) if r.amount is not None else -1.0)[c]
        if role == ID_ROLE:
            return r.id
        if role == Qt.ItemDataRole.TextAlignmentRole and c == COL_AMOUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class DrillDownDialog(QDialog):
    """The exact deals behind a chart bar, with "Show on board"."""

    def __init__(self, ctx: AppContext, title: str, ids: list[uuid.UUID], parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.ids = list(ids)
        self.heading = title
        self.model = DealListModel(deal_rows(ctx.db, self.ids), ctx.lang, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        # open in the service's order (stage, then title in the app's collation), and say so:
        # the proxy's sort is stable, so Stage ascending keeps the titles' order within a
        # stage (Qt's default indicator sorted the titles Z to A)
        self.table.horizontalHeader().setSortIndicator(COL_STAGE, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.doubleClicked.connect(self.open_deal)
        self.summary = QLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.board_button = QPushButton()
        self.buttons.addButton(self.board_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.board_button.clicked.connect(self.show_on_board)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.buttons)
        self.resize(760, 420)
        self.retranslate()
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)

    def retranslate(self) -> None:
        self.setWindowTitle(self.heading)
        n = len(self.model.rows)
        self.summary.setText(self.tr("%n deal(s): double-click one to open it.", "", n))
        self.board_button.setText(self.tr("Show on board"))
        self.board_button.setEnabled(n > 0)
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 4)

    def changeEvent(self, event):  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def deal_ids(self) -> list[uuid.UUID]:
        return [r.id for r in self.model.rows]

    def show_on_board(self) -> None:
        self.ctx.hub.deals_focus_requested.emit(self.deal_ids())
        self.accept()

    def open_deal(self, index) -> None:
        deal_id = self.proxy.data(index, ID_ROLE)
        try:
            from app.views.deal_dialog import DealDialog
        except ImportError:  # the deal workspace is optional for this list
            return
        run_modal(DealDialog(self.ctx, deal_id, self))


# ------------------------------------------------------------------ the widget

def _risk_factor() -> float:
    """k of the at-risk rule from the app settings (1.5 unless the user changed it)."""
    from app.views.settings import risk_factor

    try:
        return float(risk_factor())
    except (TypeError, ValueError):
        return DEFAULT_K


class DashboardWidget(QWidget):
    """KPI tiles and charts for a period, owner and lead source; refreshes when the
    pipeline changes (debounced), computing in a worker thread unless ``synchronous``."""

    refreshed = Signal()
    failed = Signal(str)

    PERIODS = ("month", "quarter", "year", "custom")

    def __init__(self, ctx: AppContext, parent=None, *, synchronous: bool = False,
                 today: date | None = None, k: float | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.synchronous = synchronous
        self.today = today
        self.k = k
        self.data: DashboardData | None = None
        self.drilldown: DrillDownDialog | None = None
        self._op: QueryOp[DashboardData] | None = None  # the latest refresh; older answers are dropped
        self._pending = False
        self._status_text: Callable[[], str] | None = None  # how to say the status line, again after a language switch
        self.bars: dict[str, list[ClickableBars]] = {}
        self.pool = serial_pool(self)  # one refresh at a time

        # filters row
        self.period = QComboBox()
        self.start_edit = QDateEdit()
        self.end_edit = QDateEdit()
        for e in (self.start_edit, self.end_edit):
            e.setCalendarPopup(True)
        self.owner = QComboBox()
        self.source = QComboBox()
        self.refresh_button = QPushButton()
        self.status = QLabel()
        self.status.setStyleSheet("color: #57606a;")
        self.period_label, self.owner_label, self.source_label = QLabel(), QLabel(), QLabel()
        self.to_label = QLabel()
        top = QHBoxLayout()
        for w in (self.period_label, self.period, self.start_edit, self.to_label, self.end_edit,
                  self.owner_label, self.owner, self.source_label, self.source, self.refresh_button):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.status)

        # tiles
        self.tiles = {t.key: KpiTile(t) for t in TILES}
        grid = QGridLayout()
        grid.setSpacing(8)
        for i, t in enumerate(TILES):
            grid.addWidget(self.tiles[t.key], i // 5, i % 5)

        # charts
        self.dwell_axis = CategoryAxis("left")
        self.funnel_axis = CategoryAxis("left")
        self.forecast_axis = CategoryAxis("bottom")
        self.slip_axis = CategoryAxis("bottom")
        self.charts = {
            "dwell": ChartPanel(ValueAxis("bottom", self._days_tick), self.dwell_axis),
            "funnel": ChartPanel(ValueAxis("bottom", self._count_tick), self.funnel_axis),
            "forecast": ChartPanel(self.forecast_axis, ValueAxis("left", self._money_tick)),
            "slippage": ChartPanel(self.slip_axis, ValueAxis("left", self._count_tick)),
        }
        self.charts["forecast"].plot.getAxis("left").setWidth(72)
        self.charts["slippage"].plot.getAxis("left").setWidth(40)
        for name in ("dwell", "funnel"):
            self.charts[name].plot.getViewBox().invertY(True)
        self._content_top: dict[str, float] = {}  # dwell: first bar's edge; forecast: tallest stack
        for name in ("dwell", "forecast"):
            self.charts[name].legend_arranged.connect(lambda _rows, n=name: self._legend_headroom(n))
        self._funnel_labels: list[tuple[float, pg.TextItem]] = []
        self.charts["funnel"].plot.getViewBox().sigResized.connect(lambda *_a: self._funnel_room())
        charts = QGridLayout()
        charts.addWidget(self.charts["dwell"], 0, 0)
        charts.addWidget(self.charts["funnel"], 0, 1)
        charts.addWidget(self.charts["forecast"], 1, 0)
        charts.addWidget(self.charts["slippage"], 1, 1)
        for p in self.charts.values():
            p.setMinimumHeight(300)

        body = QWidget()
        body_lay = QVBoxLayout(body)
        body_lay.addLayout(grid)
        body_lay.addLayout(charts, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(scroll, 1)

        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self.refresh)

        self.retranslate()
        self._fill_filters()
        self.period.setCurrentIndex(self.PERIODS.index("quarter"))
        self._period_changed()
        self.period.currentIndexChanged.connect(self._period_changed)
        self.start_edit.dateChanged.connect(self._schedule)
        self.end_edit.dateChanged.connect(self._schedule)
        self.owner.currentIndexChanged.connect(self._schedule)
        self.source.currentIndexChanged.connect(self._schedule)
        self.refresh_button.clicked.connect(self.refresh)
        ctx.hub.pipeline_changed.connect(self._pipeline_changed)
        ctx.hub.language_changed.connect(self._language_changed)
        self.refresh()

    # ---------------------------------------------------------- texts

    def retranslate(self) -> None:
        for e in (self.start_edit, self.end_edit):
            e.setDisplayFormat(fmt.date_edit_format(self.loc))  # the interface language's dates
        self.period_label.setText(self.tr("Period"))
        self.to_label.setText(self.tr("–", "between the first and last day of the period"))  # Korean: ~
        self.owner_label.setText(self.tr("Owner"))
        self.source_label.setText(self.tr("Lead source"))
        self.refresh_button.setText(self.tr("Refresh"))
        names = (self.tr("This month"), self.tr("This quarter"), self.tr("This year"), self.tr("Custom"))
        for i, n in enumerate(names):
            if self.period.count() > i:
                self.period.setItemText(i, n)
            else:
                self.period.addItem(n, self.PERIODS[i])
        if self.owner.count():
            self.owner.setItemText(0, self.tr("Everyone"))
        if self.source.count():
            self.source.setItemText(0, self.tr("All sources"))
        titles = {
            "win_rate": self.tr("Win rate"), "avg_won_size": self.tr("Average won deal"),
            "cycle_days": self.tr("Sales cycle"), "velocity": self.tr("Pipeline velocity"),
            "new_deals": self.tr("New deals"), "won_revenue": self.tr("Won revenue"),
            "mql_to_sql": self.tr("MQL → SQL"), "cac": self.tr("Customer acquisition cost"),
            "roi": self.tr("Marketing ROI"),
        }
        for key, tile in self.tiles.items():
            tile.title.setText(titles[key])
        self.charts["dwell"].title.setText(self.tr("Days in stage (median): won, lost, open"))
        self.charts["funnel"].title.setText(self.tr("Funnel: deals that reached each stage"))
        self.charts["forecast"].title.setText(self.tr("Forecast by month of expected close"))
        self.charts["slippage"].title.setText(self.tr("Close-date pushes per week"))
        if self._status_text is not None:
            self.status.setText(self._status_text())
        if self.data is not None:
            self._render(self.data)

    def changeEvent(self, event):  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _language_changed(self, _lang: str) -> None:
        self.retranslate()  # stage names, month labels and number formats follow ctx.lang

    def update_risk(self, k: float) -> None:
        """A new at-risk factor k (settings): redraw the dwell chart's line with it."""
        self.k = k
        self.refresh()

    @property
    def loc(self):
        return fmt.locale_for(self.ctx.lang)

    def stage_name(self, position: int, en: str | None = None, ko: str | None = None) -> str:
        if en is None and self.data is not None and position in self.data.stage_names:
            en, ko = self.data.stage_names[position]
        name = (ko if self.ctx.lang == "ko" else en) or str(position)
        return f"{position}. {name}"

    # ---------------------------------------------------------- filters

    def _fill_filters(self) -> None:
        """(Re)load the owner and lead-source choices, keeping the current selection."""
        keep_owner, keep_source = self.owner.currentData(), self.source.currentData()
        self.owner.blockSignals(True)
        self.source.blockSignals(True)
        self.owner.clear()
        self.owner.addItem(self.tr("Everyone"), None)
        for u in list_users(self.ctx.db):
            self.owner.addItem(u.name, str(u.id))
        self.source.clear()
        self.source.addItem(self.tr("All sources"), None)
        for src in list_lead_sources(self.ctx.db):
            self.source.addItem(src.name, str(src.id))
        self.owner.setCurrentIndex(max(0, self.owner.findData(keep_owner)))
        self.source.setCurrentIndex(max(0, self.source.findData(keep_source)))
        self.owner.blockSignals(False)
        self.source.blockSignals(False)

    def _today(self) -> date:
        return self.today or date.today()

    def _period_changed(self) -> None:
        kind = self.period.currentData()
        custom = kind == "custom"
        self.start_edit.setEnabled(custom)
        self.end_edit.setEnabled(custom)
        if not custom:
            start, end = period_range(kind, self._today())
            for e, d in ((self.start_edit, start), (self.end_edit, end)):
                e.blockSignals(True)
                e.setDate(QDate(d.year, d.month, d.day))
                e.blockSignals(False)
        self._schedule()

    def filters(self) -> Filters:
        """The Filters the dashboard shows now."""
        s, e = self.start_edit.date(), self.end_edit.date()
        start, end = date(s.year(), s.month(), s.day()), date(e.year(), e.month(), e.day())
        if end < start:
            start, end = end, start
        now = None if self.today is None else datetime.combine(self.today, time(12), UTC)
        owner, source = self.owner.currentData(), self.source.currentData()
        return Filters(start=start, end=end, owner_id=uuid.UUID(owner) if owner else None,
                       lead_source_id=uuid.UUID(source) if source else None, now=now)

    def set_period(self, kind: str, start: date | None = None, end: date | None = None) -> None:
        """Select a period (for callers and tests); custom needs start and end."""
        self.period.setCurrentIndex(self.PERIODS.index(kind))
        if kind == "custom" and start and end:
            self.start_edit.setDate(QDate(start.year, start.month, start.day))
            self.end_edit.setDate(QDate(end.year, end.month, end.day))
        if self.synchronous:
            self.refresh()

    # ---------------------------------------------------------- refresh

    def _schedule(self, *_args) -> None:
        self.debounce.start()

    def _pipeline_changed(self, changes, initiator) -> None:
        if initiator is self:
            return
        if changes is not None and changes.touches("marketing", "imported"):
            self._fill_filters()
        if self.isVisible() or self.synchronous:
            self.debounce.start()
        else:
            self._pending = True  # refresh when the tab is shown again

    def showEvent(self, event):  # noqa: N802
        super().showEvent(event)
        if self._pending:
            self._pending = False
            self.debounce.start()

    def refresh(self) -> None:
        """Recompute everything for the current filters (in the worker unless synchronous)."""
        self.debounce.stop()
        f = self.filters()
        k = self.k if self.k is not None else _risk_factor()
        self._set_status(lambda: self.tr("Updating…"))
        if self._op is not None and not self._op.finished:
            self._op.cancel()  # superseded: not computed if it has not started, its answer dropped
        op: QueryOp[DashboardData] = QueryOp(self.ctx, _refresh_work(f, k), parent=self)
        op.success(lambda data: self._finished(op, data)).failure(lambda exc: self._failed(op, exc))
        self._op = op
        if self.synchronous:
            op.run()
        else:
            op.run_in_background(self.pool)

    def _finished(self, op: QueryOp, data: DashboardData) -> None:
        if op is not self._op:
            return  # an older computation; a newer one is on its way
        self.data = data
        self._render(data)
        self._set_status(lambda: self.updated_text(data))
        self.refreshed.emit()

    def _failed(self, op: QueryOp, exc: BaseException) -> bool:
        """Shown in the status label, not in a message box (True: handled)."""
        if op is not self._op or isinstance(exc, Cancelled):
            return True
        message = short_error(exc, "dashboard refresh")
        again = (lambda: short_error(exc)) if isinstance(exc, AppError) else (lambda: message)  # logged once
        self._set_status(lambda: self.tr("Could not compute the dashboard: %1").replace("%1", again()))
        self.failed.emit(message)
        return True

    def _set_status(self, text: Callable[[], str]) -> None:
        """Show the status line and keep how to say it, so a language switch says it again."""
        self._status_text = text
        self.status.setText(text())

    def updated_text(self, data: DashboardData) -> str:
        """The status line once ``data`` is shown: when it was computed, in the interface
        language's time format ("Updated 2:05 PM", "오후 2:05 업데이트"), dated unless today."""
        at = data.computed_at.astimezone()  # local time
        when = self.loc.toString(QTime(at.hour, at.minute), QLocale.FormatType.ShortFormat)
        if at.date() != _now().astimezone().date():
            when = f"{fmt.short_date(at.date(), self.loc)} {when}"
        return self.tr("Updated %1", "status line: the time the figures were computed").replace("%1", when)

    def wait_idle(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)

    # ---------------------------------------------------------- formatting

    def _money(self, v, compact: bool = False) -> str:
        cur = self.data.currency if self.data else "KRW"
        if v is None:
            return "—"
        return (fmt.compact_money if compact else fmt.money)(Decimal(str(v)), cur, self.loc)

    def _money_tick(self, v: float) -> str:
        return self._money(v, compact=True) if v else "0"

    def _days_tick(self, v: float) -> str:
        return fmt.number(v, 0, self.loc)

    def _count_tick(self, v: float) -> str:
        return fmt.number(v, 0, self.loc) if abs(v - round(v)) < 1e-9 else ""

    def _days(self, v) -> str:
        return "—" if v is None else self.tr("%1 days").replace("%1", fmt.number(v, 1, self.loc))

    def _pct(self, v) -> str:
        return "—" if v is None else fmt.number(float(v) * 100, 1, self.loc) + "%"

    def format_value(self, unit: str, v) -> str:
        if v is None:
            return "—"
        if unit == "pct":
            return self._pct(v)
        if unit == "money":
            return self._money(v, compact=True)
        if unit == "money_per_day":
            return self.tr("%1/day").replace("%1", self._money(v, compact=True))
        if unit == "days":
            return self._days(v)
        return fmt.number(v, 0, self.loc)

    def format_delta(self, spec: TileSpec, now, before) -> tuple[str, str]:
        """("▲ 5.0 pp", colour) against the previous period; "—" when either is undefined."""
        if now is None or before is None:
            return "—", "#57606a"
        diff = Decimal(str(now)) - Decimal(str(before))
        if diff == 0:
            return "= " + self.tr("same as previous period"), "#57606a"
        arrow = "▲" if diff > 0 else "▼"
        good = (diff > 0) == spec.higher_is_better
        color = "#1a7f37" if good else "#cf222e"
        mag = abs(diff)
        if spec.unit == "pct":
            text = self.tr("%1 pp").replace("%1", fmt.number(float(mag) * 100, 1, self.loc))
        elif spec.unit in ("money", "money_per_day"):
            text = self._money(mag, compact=True)
        elif spec.unit == "days":
            text = self._days(mag)
        else:
            text = fmt.number(mag, 0, self.loc)
        return f"{arrow} {text}", color

    # ---------------------------------------------------------- rendering

    def _render(self, data: DashboardData) -> None:
        prev = analytics.previous_period(data.filters)
        prev_text = self.tr("Previous period: %1 – %2").replace(
            "%1", fmt.short_date(prev.start, self.loc)).replace("%2", fmt.short_date(prev.end, self.loc))
        for spec in TILES:
            now, before = spec.value(data, False), spec.value(data, True)
            delta, color = self.format_delta(spec, now, before)
            tip = f"{prev_text}\n{self.format_value(spec.unit, before)}"
            if spec.unit in ("money", "money_per_day") and now is not None:
                tip = f"{self._money(now)}\n{tip}"
            self.tiles[spec.key].show_values(self.format_value(spec.unit, now), delta, color, tip)
        self._render_dwell(data)
        self._render_funnel(data)
        self._render_forecast(data)
        self._render_slippage(data)
        for panel in self.charts.values():
            panel.fit_legend()

    def _connect(self, chart: str, item: ClickableBars) -> None:
        self.bars.setdefault(chart, []).append(item)
        item.bar_clicked.connect(lambda key, chart=chart: self.drill(chart, key))

    def _render_dwell(self, data: DashboardData) -> None:
        panel = self.charts["dwell"]
        panel.clear()
        self.bars["dwell"] = []
        rows = sorted(data.dwell, key=lambda d: d.stage)
        self.dwell_axis.set_labels({d.stage: self.stage_name(d.stage, d.name_en, d.name_ko) for d in rows})
        if not any(s.count for d in rows for s in (d.won, d.lost, d.open)):
            panel.show_empty(self.tr("No stage visits in this period"))
            return
        series = (("won", self.tr("Won"), WON, -0.27), ("lost", self.tr("Lost"), LOST, 0.0),
                  ("open", self.tr("Open"), OPEN, 0.27))
        top = 0.0
        for outcome, label, color, off in series:
            bars = []
            for d in rows:
                st = getattr(d, outcome)
                if not st.count or st.median is None:
                    continue
                tip = self.tr("%1 · %2\nmedian %3, mean %4, 75th percentile %5\n%6 deal(s)") \
                    .replace("%1", self.stage_name(d.stage, d.name_en, d.name_ko)).replace("%2", label) \
                    .replace("%3", self._days(st.median)).replace("%4", self._days(st.mean)) \
                    .replace("%5", self._days(st.p75)).replace("%6", fmt.number(st.count, 0, self.loc))
                if outcome == "lost" and d.lost_won_ratio is not None:
                    tip += "\n" + self.tr("lost/won ratio %1").replace("%1", fmt.number(d.lost_won_ratio, 2, self.loc))
                bars.append(Bar(0.0, d.stage + off - 0.12, float(st.median), d.stage + off + 0.12,
                                (d.stage, outcome), tip))
                top = max(top, float(st.median))
            if bars:
                item = ClickableBars(bars, color, label)
                panel.plot.addItem(item)
                self._connect("dwell", item)
        xs, ys = [], []
        for d in rows:
            t = data.thresholds.get(d.stage)
            if t is not None:
                xs += [t, t]
                ys += [d.stage - 0.45, d.stage + 0.45]
                top = max(top, t)
        if xs:
            line = pg.PlotDataItem(xs, ys, connect="pairs", name=self.tr("At risk above %1 × median won")
                                   .replace("%1", fmt.number(data.k, 1, self.loc)),
                                   pen=pg.mkPen(TARGET, width=2, style=Qt.PenStyle.DashLine))
            panel.plot.addItem(line)
        self._content_top["dwell"] = 0.55  # stage 1's top bar and threshold line
        self._legend_headroom("dwell")  # the rows above stage 1 hold the legend
        panel.plot.setXRange(0, max(top, 1.0) * 1.08, padding=0)

    def _legend_headroom(self, name: str) -> None:
        """Room above the bars for the legend, however many rows it wraps to (a narrow
        window or longer Korean labels wrap it; a second row sat on stage 1's bars)."""
        panel = self.charts[name]
        content = self._content_top.get(name)
        if content is None or not panel.legend.items:
            return
        h = panel.plot.getViewBox().height()
        need = panel.legend.height() + 8  # px: the legend, its offset and a gap
        if h <= need * 1.5:
            need = h / 3  # a tiny plot: never give the legend more than a third
        if name == "dwell":  # inverted: stage 1 near the top, y grows downwards to 7.5
            low = (content * h - 7.5 * need) / (h - need)
            panel.plot.setYRange(min(-0.2, low), 7.5, padding=0)
        else:
            panel.plot.setYRange(0, max(content * 1.2, content * h / (h - need)), padding=0)

    def _render_funnel(self, data: DashboardData) -> None:
        panel = self.charts["funnel"]
        panel.clear()
        panel.title.setText(self.tr("Funnel: deals that reached each stage"))
        self.bars["funnel"] = []
        steps = sorted(data.funnel.steps, key=lambda s: s.stage)
        self.funnel_axis.set_labels({s.stage: self.stage_name(s.stage, s.name_en, s.name_ko) for s in steps})
        self._funnel_labels = []
        top = max((s.reached for s in steps), default=0)
        if not top:
            panel.show_empty(self.tr("No deals created in this period"))
            return
        bars = []
        for s in steps:
            share = self._pct(s.share)
            tip = self.tr("%1\nreached: %2\nwent on: %3 (%4)").replace("%1", self.stage_name(s.stage, s.name_en, s.name_ko)) \
                .replace("%2", fmt.number(s.reached, 0, self.loc)).replace("%3", fmt.number(s.went_on, 0, self.loc)) \
                .replace("%4", share)
            bars.append(Bar(0.0, s.stage - 0.35, float(s.reached), s.stage + 0.35, s.stage, tip))
            text = fmt.number(s.reached, 0, self.loc)
            if s.share is not None:
                text += "  " + self.tr("(%1 went on)").replace("%1", share)
            label = pg.TextItem(text, color="#333333", anchor=(0, 0.5))
            label.setPos(float(s.reached), s.stage)
            panel.plot.addItem(label)
            self._funnel_labels.append((float(s.reached), label))
        item = ClickableBars(bars, NEUTRAL)
        panel.plot.addItem(item)
        self._connect("funnel", item)
        panel.legend.clear()
        panel.title.setText(self.tr("Funnel: deals created in the period that reached each stage · lead to won %1")
                            .replace("%1", self._pct(data.funnel.lead_to_won)))
        panel.plot.setYRange(0.5, 7.5, padding=0)
        self._funnel_room()

    def _funnel_room(self) -> None:
        """Widen the funnel's x range so the figure beside each bar is not cut off at the
        right edge (a fixed 1.45 × the longest bar was too little in a narrow window)."""
        labels = self._funnel_labels
        if not labels:
            return
        panel = self.charts["funnel"]
        width = panel.plot.getViewBox().width()
        top = max(x for x, _label in labels)
        span = top * 1.45
        for x, label in labels:
            share = (label.textItem.boundingRect().width() + 8) / width if width > 0 else 1.0
            if share < 0.9:  # else the window is too small to say it all: keep the bars readable
                span = max(span, x / (1 - share))
        panel.plot.setXRange(0, span, padding=0)

    def _month_label(self, m: date) -> str:
        return self.loc.toString(QDate(m.year, m.month, 1), "MMM yy" if self.ctx.lang != "ko" else "yy년 M월")

    def _day_label(self, d: date) -> str:
        return self.loc.toString(QDate(d.year, d.month, d.day), "M월 d일" if self.ctx.lang == "ko" else "MMM d")

    def _render_forecast(self, data: DashboardData) -> None:
        panel = self.charts["forecast"]
        panel.clear()
        self.bars["forecast"] = []
        months = sorted(data.forecast, key=lambda m: m.month)
        self.forecast_axis.set_labels({i: self._month_label(m.month) for i, m in enumerate(months)})
        if not any(m.won or m.commit or m.best_case or m.pipeline or m.target for m in months):
            panel.show_empty(self.tr("No expected close dates in this period"))
            return
        cats = (("won", self.tr("Won"), WON), ("commit", self.tr("Commit"), COMMIT),
                ("best_case", self.tr("Best case"), BEST_CASE), ("pipeline", self.tr("Pipeline"), PIPELINE))
        base = [0.0] * len(months)
        top = 0.0
        for cat, label, color in cats:
            bars = []
            for i, m in enumerate(months):
                v = getattr(m, cat) or Decimal(0)
                if v <= 0:
                    continue
                tip = self.tr("%1 · %2: %3\nweighted %4 · historical %5\ntarget %6 · coverage %7") \
                    .replace("%1", self._month_label(m.month)).replace("%2", label).replace("%3", self._money(v)) \
                    .replace("%4", self._money(m.weighted)).replace("%5", self._money(m.historical)) \
                    .replace("%6", self._money(m.target)) \
                    .replace("%7", "—" if m.coverage is None else fmt.number(m.coverage, 2, self.loc) + "×")
                bars.append(Bar(i - 0.35, base[i], i + 0.35, base[i] + float(v), (m.month, cat), tip))
                base[i] += float(v)
            top = max([top, *base])
            if bars:
                item = ClickableBars(bars, color, label)
                panel.plot.addItem(item)
                self._connect("forecast", item)
        xs, ys = [], []
        for i, m in enumerate(months):
            if m.target is not None:
                xs += [i - 0.45, i + 0.45]
                ys += [float(m.target)] * 2
                top = max(top, float(m.target))
        if xs:
            panel.plot.addItem(pg.PlotDataItem(xs, ys, connect="pairs", name=self.tr("Target"),
                                               pen=pg.mkPen(TARGET, width=2.5)))
        panel.plot.setXRange(-0.6, len(months) - 0.4, padding=0)
        self._content_top["forecast"] = max(top, 1.0)
        self._legend_headroom("forecast")

    def _render_slippage(self, data: DashboardData) -> None:
        panel = self.charts["slippage"]
        panel.clear()
        panel.title.setText(self.tr("Close-date pushes per week"))
        self.bars["slippage"] = []
        weeks = sorted(data.slippage.by_week)
        step = max(1, -(-len(weeks) // 7))  # at most 7 labels, so they never overlap
        self.slip_axis.set_labels({i: self._day_label(w) for i, (w, _n) in enumerate(weeks) if i % step == 0})
        if not any(n for _w, n in weeks):
            panel.show_empty(self.tr("No close dates pushed in this period"))
            return
        bars = []
        for i, (w, n) in enumerate(weeks):
            if n:
                tip = self.tr("Week of %1: %n push(es)", "", n).replace("%1", fmt.short_date(w, self.loc))
                bars.append(Bar(i - 0.4, 0.0, i + 0.4, float(n), w, tip))
        item = ClickableBars(bars, LOST)
        panel.plot.addItem(item)
        self._connect("slippage", item)
        panel.legend.clear()
        s = data.slippage
        panel.title.setText(self.tr("Close-date pushes per week · %1 deal(s) pushed twice or more, %2 this week")
                            .replace("%1", fmt.number(len(s.pushed_twice_or_more), 0, self.loc))
                            .replace("%2", fmt.number(len(s.pushed_this_week), 0, self.loc)))
        panel.plot.setXRange(-0.6, len(weeks) - 0.4, padding=0)
        panel.plot.setYRange(0, max(n for _w, n in weeks) * 1.3, padding=0)

    # ---------------------------------------------------------- drill-down

    def drill_title(self, chart: str, key) -> str:
        if chart == "dwell":
            stage, outcome = key
            out = {"won": self.tr("won"), "lost": self.tr("lost"), "open": self.tr("open")}[outcome]
            return self.tr("%1: %2 deals").replace("%1", self.stage_name(stage)).replace("%2", out)
        if chart == "funnel":
            return self.tr("Deals that reached %1").replace("%1", self.stage_name(key))
        if chart == "forecast":
            month, cat = key
            c = {"won": self.tr("Won"), "commit": self.tr("Commit"), "best_case": self.tr("Best case"),
                 "pipeline": self.tr("Pipeline")}[cat]
            return f"{self._month_label(month)} · {c}"
        if chart == "slippage":
            return self.tr("Deals pushed in the week of %1").replace("%1", fmt.short_date(key, self.loc))
        return self.tr("Deals")

    def drill(self, chart: str, key) -> DrillDownDialog | None:
        """Open the list of exactly the deals behind a bar (from analytics.deals_for)."""
        if self.data is None:
            return None
        try:
            ids = analytics.deals_for(self.ctx.db, self.data.filters, chart=chart, key=key, k=self.data.k)
        except AppError as exc:
            self._set_status(lambda exc=exc: short_error(exc, "drill-down"))  # in the interface language
            return None
        if self.drilldown is not None:
            self.drilldown.close()
        self.drilldown = DrillDownDialog(self.ctx, self.drill_title(chart, key), ids, self)
        self.drilldown.open()
        return self.drilldown
