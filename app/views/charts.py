"""pyqtgraph building blocks for the dashboard: clickable bars with exact-figure tooltips,
category and money axes, and a titled chart panel that saves itself as PNG."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics, QPainter, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

pg.setConfigOptions(antialias=True, background="w", foreground="#333333")

# colour per series, readable on white and in greyscale print
WON = "#2e7d32"
LOST = "#c62828"
OPEN = "#1565c0"
COMMIT = "#1565c0"
BEST_CASE = "#64b5f6"
PIPELINE = "#b0bec5"
NEUTRAL = "#5c6bc0"
TARGET = "#ef6c00"
LEGEND_OFFSET = 6  # px from the plot's top-left corner


@dataclass(frozen=True)
class Bar:
    """One bar: its rectangle in data coordinates, the drill-down key and the hover text."""

    x0: float
    y0: float
    x1: float
    y1: float
    key: Any
    tooltip: str

    @property
    def center(self) -> QPointF:
        return QPointF((self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2)


class ClickableBars(pg.BarGraphItem):
    """Bars that tell which one was clicked (``bar_clicked(key)``) and show the exact figure
    of the bar under the mouse as a tooltip."""

    bar_clicked = Signal(object)

    def __init__(self, bars: Sequence[Bar], color: str, name: str | None = None):
        self.bars = list(bars)
        super().__init__(
            x0=[b.x0 for b in self.bars], x1=[b.x1 for b in self.bars],
            y0=[b.y0 for b in self.bars], y1=[b.y1 for b in self.bars],
            brush=pg.mkBrush(color), pen=pg.mkPen("w", width=1), name=name,
        )
        self.setAcceptHoverEvents(True)

    def bar_at(self, pos: QPointF) -> Bar | None:
        """The bar containing ``pos`` (item = data coordinates), if any."""
        for b in self.bars:
            if b.x0 <= pos.x() <= b.x1 and min(b.y0, b.y1) <= pos.y() <= max(b.y0, b.y1):
                return b
        return None

    def mouseClickEvent(self, ev):  # noqa: N802 (pyqtgraph's name)
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        bar = self.bar_at(ev.pos())
        if bar is not None:
            ev.accept()
            self.bar_clicked.emit(bar.key)

    def hoverEvent(self, ev):  # noqa: N802 (pyqtgraph's name)
        if ev.isExit():
            self.setToolTip("")
            return
        bar = self.bar_at(ev.pos())
        self.setToolTip(bar.tooltip if bar is not None else "")


class CategoryAxis(pg.AxisItem):
    """An axis that labels integer positions with given names (stages, months, weeks)."""

    def __init__(self, orientation: str, **kw):
        self.labels: dict[int, str] = {}
        self.shown: dict[int, str] = {}
        super().__init__(orientation, **kw)

    def set_labels(self, labels: dict[int, str]) -> None:
        self.labels = dict(labels)
        self.shown = dict(self.labels)  # the labels drawn: a bottom axis leaves some out to fit
        self.setTicks([[(k, v) for k, v in sorted(self.labels.items())], []])
        if self.orientation in ("left", "right") and self.labels:
            metrics = QFontMetrics(self.style.get("tickFont") or QFont())
            widest = max(metrics.horizontalAdvance(v) for v in self.labels.values())
            self.setWidth(min(widest + 16, 320))
        self._thin()

    def _thin(self) -> None:
        """On a horizontal axis, every n-th label only, so that none overlaps the next (twelve
        "26년 10월" or "Oct 26" ran into each other in a 1024-pixel window)."""
        if self.orientation not in ("bottom", "top") or not self.labels:
            return
        view = self.linkedView()
        if view is None or self.width() <= 0:
            return
        x0, x1 = view.viewRange()[0]
        keys = sorted(self.labels)
        gap = min((b - a for a, b in zip(keys, keys[1:], strict=False)), default=1) or 1
        px = self.width() / (x1 - x0) * gap if x1 > x0 else 0.0
        metrics = QFontMetrics(self.style.get("tickFont") or QFont())
        widest = max(metrics.horizontalAdvance(v) for v in self.labels.values()) + 12
        step = max(1, math.ceil(widest / px)) if px > 0 else 1
        shown = {k: self.labels[k] for i, k in enumerate(keys) if i % step == 0}
        if shown != self.shown:
            self.shown = shown
            self.setTicks([sorted(shown.items()), []])

    def linkedViewChanged(self, view=None, newRange=None) -> None:  # noqa: N802 (pyqtgraph's name)
        super().linkedViewChanged(view, newRange)
        self._thin()

    def resizeEvent(self, ev=None) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(ev)
        self._thin()


class ValueAxis(pg.AxisItem):
    """A value axis whose tick labels come from a formatter (compact money, days, counts)."""

    def __init__(self, orientation: str, formatter: Callable[[float], str], **kw):
        super().__init__(orientation, **kw)
        self.formatter = formatter
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph's name)
        return [self.formatter(v * scale) for v in values]


def _natural_width(item) -> float:
    """What a legend sample or label needs, not what the layout last gave it."""
    return item.effectiveSizeHint(Qt.SizeHint.MinimumSize).width()


class TitleLabel(QLabel):
    """A one-line title that may get narrower than its text: cut with "…", the whole title
    in the tooltip (a long one, with counts or in Korean, used to widen its chart and push
    the dashboard into sideways scrolling at 1024 pixels). ``text()`` stays the full title."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(0, super().minimumSizeHint().height())

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self._update_tip()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._update_tip()

    def _update_tip(self) -> None:
        self.setToolTip(self.text() if self.is_elided() else "")

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter = QPainter(self)
        painter.setFont(self.font())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), shown)


class ChartPanel(QWidget):
    """A titled pyqtgraph plot with a "Save as PNG…" button and context-menu action."""

    saved = Signal(str)
    legend_arranged = Signal(int)  # rows the legend takes after fitting it to the width

    def __init__(self, bottom: pg.AxisItem, left: pg.AxisItem, parent=None):
        super().__init__(parent)
        self.title = TitleLabel()
        f = QFont(self.title.font())
        f.setBold(True)
        self.title.setFont(f)
        self.save_button = QToolButton()
        self.save_button.clicked.connect(self.ask_save)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.title, 1)
        head.addWidget(self.save_button)
        self.plot = pg.PlotWidget(axisItems={"bottom": bottom, "left": left})
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.plot.setMinimumHeight(220)
        self.plot.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.plot.customContextMenuRequested.connect(self._context_menu)
        self.legend = self.plot.addLegend(offset=(LEGEND_OFFSET, 2), labelTextColor="#333333", colCount=5,
                                          brush=pg.mkBrush(255, 255, 255, 220))
        self.plot.getPlotItem().getViewBox().sigResized.connect(lambda *_a: self.arrange_legend())
        self.empty = pg.TextItem(anchor=(0.5, 0.5), color="#777777")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(head)
        lay.addWidget(self.plot, 1)
        self.save_action = QAction(self)
        self.save_action.triggered.connect(self.ask_save)
        self.retranslate()

    def retranslate(self) -> None:
        self.save_button.setText(self.tr("Save as PNG…"))
        self.save_button.setToolTip(self.tr("Save this chart as a PNG image"))
        self.save_action.setText(self.tr("Save as PNG…"))

    def changeEvent(self, event):  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _context_menu(self, pos) -> None:
        menu = QMenu(self)
        menu.addAction(self.save_action)
        menu.exec(self.plot.mapToGlobal(pos))

    def clear(self) -> None:
        self.plot.clear()
        self.legend.clear()
        for side in ("left", "bottom"):
            self.plot.getPlotItem().showAxis(side)

    def fit_legend(self) -> None:
        """Hide the legend box when it has nothing to say; otherwise lay it out to fit."""
        self.legend.setVisible(bool(self.legend.items))
        self.arrange_legend()

    def arrange_legend(self) -> None:
        """The legend's entries in reading order, as many to a row as fit the plot's width,
        the rest on further rows (a Korean entry like "수주 중앙값의 1.5배 초과 시 위험" ran
        off a narrow chart); the last entry of a row spans the rest of it, so one long
        entry on a row of its own does not spread out the short ones above it."""
        items = self.legend.items
        if not items:
            return
        available = self.plot.getPlotItem().getViewBox().width() - 2 * LEGEND_OFFSET
        spacing = self.legend.layout.horizontalSpacing()
        widths = [_natural_width(sample) + _natural_width(label) + 2 * spacing for sample, label in items]
        rows: list[list[int]] = [[]]
        used = 0.0
        for i, w in enumerate(widths):
            if rows[-1] and used + w > available:
                rows.append([])
                used = 0.0
            rows[-1].append(i)
            used += w
        per_row = max(len(r) for r in rows)
        layout = self.legend.layout
        for i in range(layout.count() - 1, -1, -1):
            layout.removeAt(i)
        for r, entries in enumerate(rows):
            for j, i in enumerate(entries):
                sample, label = items[i]
                layout.addItem(sample, r, 2 * j, alignment=Qt.AlignmentFlag.AlignVCenter)
                span = 2 * (per_row - j) - 1 if j == len(entries) - 1 else 1
                layout.addItem(label, r, 2 * j + 1, 1, span)
        self.legend.columnCount = per_row
        self.legend.rowCount = len(rows)
        row_height = max(max(s.effectiveSizeHint(Qt.SizeHint.MinimumSize).height(),
                             lab.effectiveSizeHint(Qt.SizeHint.MinimumSize).height()) for s, lab in items)
        # its natural size: pyqtgraph's updateSize() sums what the layout last handed out,
        # so the box only ever grew
        width = max(sum(widths[i] for i in entries) for entries in rows)
        self.legend.setGeometry(0, 0, width, len(rows) * (row_height + layout.verticalSpacing()))
        self.legend_arranged.emit(len(rows))

    def legend_rows(self) -> int:
        """How many rows the legend takes now (for tests and layout checks)."""
        return self.legend.rowCount if self.legend.items else 0

    def show_empty(self, text: str) -> None:
        """A grey note in the middle of an empty chart (no data for the period)."""
        for side in ("left", "bottom"):  # no axes to read when there is nothing on them
            self.plot.getPlotItem().hideAxis(side)
        self.plot.addItem(self.empty)
        self.empty.setText(text)
        self.plot.setXRange(0, 1)
        self.plot.setYRange(0, 1)
        self.empty.setPos(0.5, 0.5)

    def ask_save(self) -> None:
        name = self.title.text().strip().replace("/", "-") or "chart"
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save chart"), f"{name}.png",
                                              self.tr("PNG images (*.png)"))
        if path:
            self.save_png(path)

    def save_png(self, path: str) -> bool:
        """Write the chart (with its title) as a PNG; True on success."""
        if not path.lower().endswith(".png"):
            path += ".png"
        plot = self.plot.grab()
        title = self.title.text()
        pad = self.title.sizeHint().height() + 12 if title else 0
        dpr = plot.devicePixelRatio()
        size = plot.deviceIndependentSize()
        w, h = int(size.width()), int(size.height())
        image = QPixmap(int(w * dpr), int((h + pad) * dpr))
        image.setDevicePixelRatio(dpr)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.drawPixmap(0, pad, plot)
        if title:
            painter.setFont(self.title.font())
            painter.setPen(QColor("#222222"))
            painter.drawText(8, 0, w - 16, pad, Qt.AlignmentFlag.AlignVCenter, title)
        painter.end()
        ok = image.save(path, "PNG")
        if ok:
            self.saved.emit(path)
        return ok
