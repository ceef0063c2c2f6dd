"""The kanban board: one QListView per stage over a lazily loading list model, cards painted
by a delegate, Won and Lost drop targets, filters, keyboard moves.

The models never move their own rows: a drop asks the gate flow (``run_move``) to move the
deal, and the board then reloads that one card in every column and the header totals.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date
from enum import IntEnum

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QCoreApplication,
    QDate,
    QEvent,
    QMimeData,
    QModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from app.services import board as board_service
from app.services import gates
from app.services import people as people_service
from app.services.board import BoardFilters, Card, Sort
from app.views.context import AppContext, Changes
from app.views.formatting import date_edit_format, locale_for, money, short_date
from app.views.gate_dialog import run_move
from app.views.operations import QueryOp, error_text

log = logging.getLogger(__name__)

MIME_TYPE = "application/x-deal-id"
PAGE_SIZE = 200
CARD_SIZE = QSize(220, 88)
WON, LOST = gates.WON, gates.LOST
_ROOT = QModelIndex()


class Role(IntEnum):
    Card = Qt.ItemDataRole.UserRole + 1
    DealId = Qt.ItemDataRole.UserRole + 2
    Sort = Qt.ItemDataRole.UserRole + 3


def _tr(text: str, n: int = -1) -> str:
    return QCoreApplication.translate("Board", text, None, n)


def encode_mime(card: Card) -> QMimeData:
    data = QMimeData()
    data.setData(MIME_TYPE, QByteArray(f"{card.deal_id.hex}:{card.version}:{card.column}".encode()))
    return data


def decode_mime(data: QMimeData) -> tuple[uuid.UUID, int, str] | None:
    if data is None or not data.hasFormat(MIME_TYPE):
        return None
    try:
        hex_id, version, column = bytes(data.data(MIME_TYPE).data()).decode().split(":")
        return uuid.UUID(hex_id), int(version), column
    except (ValueError, UnicodeDecodeError):
        return None


def _sort_key(card: Card, sort: Sort):
    """The same order as the SQL of ``column_page``, to place a reloaded card."""
    if sort is Sort.AMOUNT:
        return (card.amount is None, -(card.amount or 0), card.deal_id)
    if sort is Sort.DAYS_IN_STAGE:
        return (card.stage_entered_at, card.deal_id)
    return (card.expected_close is None, card.expected_close or date.min, card.deal_id)


# ------------------------------------------------------------------ model

class ColumnModel(QAbstractListModel):
    """The cards of one stage, loaded a page at a time (canFetchMore / fetchMore)."""

    def __init__(self, ctx: AppContext, stage_position: int, mover=None, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.stage_position = stage_position
        self.mover = mover  # callable(deal_id, version, target): starts a move after the drop
        self.filters = BoardFilters()
        self.sort = Sort.CLOSE_DATE
        self.page_size = PAGE_SIZE
        self._cards: list[Card] = []
        self._exhausted = True

    # -- loading
    def reload(self) -> None:
        """Drop the loaded cards and load the first page."""
        self.beginResetModel()
        self._cards = []
        self._exhausted = False
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def canFetchMore(self, parent=_ROOT) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent=_ROOT) -> None:
        if parent.isValid() or self._exhausted:
            return
        page = board_service.column_page(self.ctx.db, self.stage_position, filters=self.filters,
                                         sort=self.sort, offset=len(self._cards), limit=self.page_size)
        known = {c.deal_id for c in self._cards}
        page = [c for c in page if c.deal_id not in known]
        if len(page) < self.page_size:
            self._exhausted = True
        if page:
            first = len(self._cards)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._cards.extend(page)
            self.endInsertRows()

    def row_of(self, deal_id: uuid.UUID) -> int:
        for i, c in enumerate(self._cards):
            if c.deal_id == deal_id:
                return i
        return -1

    def card_at(self, row: int) -> Card | None:
        return self._cards[row] if 0 <= row < len(self._cards) else None

    def update_card(self, deal_id: uuid.UUID, card: Card | None, belongs: bool) -> None:
        """Show the fresh state of one deal: update, remove or insert its row."""
        row = self.row_of(deal_id)
        belongs = belongs and card is not None and card.column == self.stage_position
        if row >= 0 and not belongs:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._cards[row]
            self.endRemoveRows()
            return
        if not belongs:
            return
        key = _sort_key(card, self.sort)
        others = [c for c in self._cards if c.deal_id != deal_id]
        pos = next((i for i, c in enumerate(others) if _sort_key(c, self.sort) > key), len(others))
        if row >= 0:
            if pos == row:
                self._cards[row] = card
                idx = self.index(row)
                self.dataChanged.emit(idx, idx)
                return
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._cards[row]
            self.endRemoveRows()
        if pos == len(self._cards) and not self._exhausted:
            return  # beyond the loaded pages: it arrives with fetchMore
        self.beginInsertRows(QModelIndex(), pos, pos)
        self._cards.insert(pos, card)
        self.endInsertRows()

    # -- Qt model API
    def rowCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self._cards)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._cards):
            return None
        card = self._cards[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return card.title
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [card.title, card.account or "", card.contact or ""]
            return "\n".join(p for p in parts if p)
        if role == Role.Card:
            return card
        if role == Role.DealId:
            return str(card.deal_id)
        if role == Role.Sort:
            sort_value = _sort_key(card, self.sort)[1]
            return str(sort_value) if isinstance(sort_value, date) else sort_value
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemNeverHasChildren)

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes) -> QMimeData | None:
        cards = [self._cards[i.row()] for i in indexes if i.isValid() and i.row() < len(self._cards)]
        return encode_mime(cards[0]) if cards else None

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def canDropMimeData(self, data, action, row, column, parent) -> bool:
        decoded = decode_mime(data)
        return decoded is not None and decoded[2] != str(self.stage_position)

    def dropMimeData(self, data, action, row, column, parent) -> bool:
        """A card dropped here: ask the gate flow to move the deal (never move rows here)."""
        decoded = decode_mime(data)
        if decoded is None or action == Qt.DropAction.IgnoreAction or self.mover is None:
            return False
        deal_id, version, column_key = decoded
        if column_key == str(self.stage_position):
            return False
        self.mover(deal_id, version, self.stage_position)
        return True


# ------------------------------------------------------------------ delegate

class CardDelegate(QStyledItemDelegate):
    """Paints a card: title, account, amount, owner, days in stage, checklist, marks."""

    def __init__(self, board: Board):
        super().__init__(board)
        self.board = board

    def sizeHint(self, option, index) -> QSize:
        return CARD_SIZE

    def paint(self, painter: QPainter, option, index) -> None:
        card: Card | None = index.data(Role.Card)
        if card is None:
            return
        loc = self.board.locale
        risk = card.at_risk(self.board.risk_days.get(card.stage_position))
        r = option.rect.adjusted(3, 3, -3, -3)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addRoundedRect(r, 6, 6)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        bg = QColor("#fdecea") if risk else QColor("#ffffff")
        painter.fillPath(path, bg)
        border = option.palette.highlight().color() if selected else QColor("#d0d4da")
        painter.setPen(QPen(border, 2 if selected else 1))
        painter.drawPath(path)
        bar = QRect(r.left(), r.top() + 1, 4, r.height() - 2)
        painter.fillRect(bar, QColor("#d93025") if risk else QColor("#8ab4f8"))

        x, w = r.left() + 10, r.width() - 16
        base = QFont(option.font)
        bold = QFont(base)
        bold.setBold(True)
        small = QFont(base)
        small.setPointSizeF(max(7.0, base.pointSizeF() * 0.9))
        fm_b, fm_s = QFontMetrics(bold), QFontMetrics(small)
        line = max(fm_b.height(), fm_s.height()) + 1
        y = r.top() + 4
        dark, gray = QColor("#202124"), QColor("#5f6368")

        painter.setFont(bold)
        painter.setPen(dark)
        painter.drawText(QRect(x, y, w, line), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         fm_b.elidedText(card.title, Qt.TextElideMode.ElideRight, w))
        y += line
        amount = money(card.amount, card.currency, loc)
        aw = fm_b.horizontalAdvance(amount) + 4
        painter.drawText(QRect(x + w - aw, y, aw, line), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, amount)
        painter.setFont(small)
        painter.setPen(gray)
        painter.drawText(QRect(x, y, w - aw - 4, line), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         fm_s.elidedText(card.account or "—", Qt.TextElideMode.ElideRight, w - aw - 4))
        y += line
        days = int(card.days_in_stage)
        right = _tr("%n d", days) + "   " + f"☑ {card.checklist_done}/{card.checklist_total}"
        rw = fm_s.horizontalAdvance(right) + 4
        painter.setPen(QColor("#b3261e") if risk else gray)
        painter.drawText(QRect(x + w - rw, y, rw, line), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, right)
        painter.setPen(gray)
        owner = card.owner
        if card.expected_close is not None:
            owner += " · " + short_date(card.expected_close, loc)
        painter.drawText(QRect(x, y, w - rw - 4, line), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         fm_s.elidedText(owner, Qt.TextElideMode.ElideRight, w - rw - 4))
        y += line + 2
        bx = x
        for flag, text, color in (
            (risk, _tr("At risk"), "#d93025"),
            (card.slipped, _tr("Slipped"), "#e37400"),
            (card.overdue, _tr("Overdue"), "#a142f4"),
        ):
            if not flag:
                continue
            tw = fm_s.horizontalAdvance(text) + 10
            pill = QRect(bx, y, tw, fm_s.height() + 2)
            if pill.bottom() > r.bottom():
                break
            pp = QPainterPath()
            pp.addRoundedRect(pill, 6, 6)
            painter.fillPath(pp, QBrush(QColor(color)))
            painter.setPen(QColor("#ffffff"))
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
            bx += tw + 4
        painter.restore()


# ------------------------------------------------------------------ views

class ColumnView(QListView):
    """A stage column. Left/Right go to the neighbouring column, Ctrl+Shift+Left/Right move
    the selected card, Enter opens it."""

    neighbour_requested = Signal(object, int)  # (view, -1 | +1)
    move_requested = Signal(object, int)  # (deal id, -1 | +1)
    open_requested = Signal(object)  # deal id

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(CARD_SIZE.width() + 18)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setStyleSheet("QListView { background: #eef1f5; border-radius: 6px; }")
        self.doubleClicked.connect(self._open_index)

    def selected_deal_id(self) -> uuid.UUID | None:
        idx = self.currentIndex()
        if not idx.isValid():
            return None
        card = idx.data(Role.Card)
        return card.deal_id if card is not None else None

    def _open_index(self, index: QModelIndex) -> None:
        card = index.data(Role.Card)
        if card is not None:
            self.open_requested.emit(card.deal_id)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        mods = event.modifiers()
        ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            delta = 1 if key == Qt.Key.Key_Right else -1
            if (mods & ctrl_shift) == ctrl_shift:
                deal_id = self.selected_deal_id()
                if deal_id is not None:
                    self.move_requested.emit(deal_id, delta)
                event.accept()
                return
            if not mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
                self.neighbour_requested.emit(self, delta)
                event.accept()
                return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            deal_id = self.selected_deal_id()
            if deal_id is not None:
                self.open_requested.emit(deal_id)
            event.accept()
            return
        super().keyPressEvent(event)


class ColumnHeader(QFrame):
    """Stage name, deal count, total and weighted amounts of a column."""

    def __init__(self, parent=None, *, elide: bool = True):
        super().__init__(parent)
        self.elide = elide  # a stage column's width is fixed; a Won / Lost zone has room
        self.setObjectName("columnHeader")
        self.setStyleSheet("#columnHeader { background: #ffffff; border: 1px solid #d0d4da; border-radius: 6px; }")
        self.name = QLabel()
        self.name.setWordWrap(True)
        f = self.name.font()
        f.setBold(True)
        self.name.setFont(f)
        self.count = QLabel()
        self.total = QLabel()
        self.weighted = QLabel()
        self._full = {}  # label -> its whole text; shown cut with "…" when the column is narrower
        for lab in (self.count, self.total, self.weighted):
            lab.setStyleSheet("color: #3c4043;")
        if elide:
            for lab in (self.total, self.weighted):  # their width is the column's, not their text's
                lab.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(1)
        for lab in (self.name, self.count, self.total, self.weighted):
            layout.addWidget(lab)
        self.name.setMinimumHeight(QFontMetrics(f).height() * 2 + 2)
        self.name.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

    def show_totals(self, name: str, totals: board_service.ColumnTotals, loc, weighted: bool = True) -> None:
        self.name.setText(name)
        self.count.setText(_tr("%n deal(s)", totals.count))

        def fmt(amounts: dict) -> str:
            if not amounts:
                return "—"
            return " + ".join(money(v, cur, loc) for cur, v in sorted(amounts.items()))

        self._full = {self.total: _tr("Total {0}").format(fmt(totals.amounts)),
                      self.weighted: _tr("Weighted {0}").format(fmt(totals.weighted))}
        self._elide()
        self.weighted.setVisible(weighted)
        self.setToolTip(f"{name}\n{self.count.text()}\n{self._full[self.total]}\n{self._full[self.weighted]}")

    def _elide(self) -> None:
        """Totals in two currencies ("₩9,076,000,000 + $1,531,000") do not fit a column: cut
        them with "…" (the tooltip has them whole) rather than mid-digit."""
        for lab, text in self._full.items():
            width = lab.contentsRect().width()
            lab.setText(lab.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, width)
                        if self.elide and width > 0 else text)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._elide()

    def show_pending(self, name: str) -> None:
        """Figures still being computed."""
        self.name.setText(name)
        self.count.setText("…")
        self._full = {}
        self.total.setText("")
        self.weighted.setVisible(False)


class DropZone(QFrame):
    """Won or Lost: a drop target (closed deals are not listed on the board)."""

    def __init__(self, target: str, board: Board):
        super().__init__(board)
        self.target = target
        self.board = board
        self.setAcceptDrops(True)
        self.setObjectName(f"dropzone-{target}")
        color = "#1b7f3b" if target == WON else "#b3261e"
        self._style = (f"#dropzone-{target} {{ border: 2px dashed {color}; border-radius: 8px; background: %s; }}")
        self._set_hover(False)
        self.header = ColumnHeader(self, elide=False)
        self.header.name.setMinimumHeight(0)
        self.header.setStyleSheet("#columnHeader { background: transparent; border: none; }")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet(f"color: {color}; font-weight: bold;")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.header)
        layout.addWidget(self.hint, 1)
        self.setMinimumHeight(64)

    def _set_hover(self, on: bool) -> None:
        bg = ("#e6f4ea" if self.target == WON else "#fce8e6") if on else "#f8f9fa"
        self.setStyleSheet(self._style % bg)

    def dragEnterEvent(self, event) -> None:
        if decode_mime(event.mimeData()) is not None:
            self._set_hover(True)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if decode_mime(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:
        self._set_hover(False)

    def dropEvent(self, event) -> None:
        self._set_hover(False)
        decoded = decode_mime(event.mimeData())
        if decoded is None:
            event.ignore()
            return
        deal_id, version, _column = decoded
        self.board.request_move(deal_id, version, self.target)
        event.acceptProposedAction()


class BoardNotice(QFrame):
    """One line over the columns when they show nothing (a filter that matches no deal, an
    empty database) or do not show a card just created, with what to do about it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("boardNotice")
        self.setStyleSheet("#boardNotice { background: #fef7e0; border: 1px solid #f9d67a; border-radius: 6px; }")
        self.text = QLabel()
        self.text.setObjectName("boardNoticeText")
        self.text.setWordWrap(True)
        self.clear_button = QPushButton()
        self.clear_button.setObjectName("clearFilters")
        self.new_button = QPushButton()
        self.new_button.setObjectName("noticeNewDeal")
        self.import_button = QPushButton()
        self.import_button.setObjectName("noticeImport")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.addWidget(self.text, 1)
        for b in (self.clear_button, self.new_button, self.import_button):
            b.setAutoDefault(False)
            layout.addWidget(b)
        self.kind: str | None = None
        self.hide()

    def show_kind(self, kind: str | None, text: str = "") -> None:
        """``kind``: "no-match" (Clear filters), "empty" (New deal…, Import…), "no-open"
        (New deal…), "hidden" (Clear filters), or None to hide the line."""
        self.kind = kind
        self.text.setText(text)
        self.clear_button.setVisible(kind in ("no-match", "hidden"))
        self.new_button.setVisible(kind in ("empty", "no-open"))
        self.import_button.setVisible(kind == "empty")
        self.setVisible(kind is not None)


# ------------------------------------------------------------------ the board

class Board(QWidget):
    """Filters bar, seven stage columns and the Won / Lost targets."""

    deal_open_requested = Signal(object)  # deal id
    selection_changed = Signal(object)  # deal id or None
    drop_finished = Signal(bool)  # a dropped card's move ended: True when the deal moved
    figures_arrived = Signal(str)  # "risk" | "closed": a background figure is shown
    import_requested = Signal()  # the empty board's "Import…"

    def __init__(self, ctx: AppContext, settings=None, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.settings = settings
        self.locale = locale_for(ctx.lang)
        self._closed: dict | None = None
        # the template limits at once; the team's norm (an analytics query, about a second
        # on 100 000 deals) arrives from a worker thread and repaints the cards
        self.risk_days: dict[int, float] = {st.position: float(st.dwell_limit_days) for st in board_service.stages(ctx.db)}
        self._painted = False
        self._deferred: list[QueryOp] = []
        self._generation: dict[str, int] = {"risk": 0, "closed": 0}
        self._totals: dict | None = None
        self.update_risk(settings.risk_k if settings is not None else 1.5)
        self.stages = board_service.stages(ctx.db)
        self.filters = BoardFilters()
        self.sort = Sort.CLOSE_DATE
        self.delegate = CardDelegate(self)
        self._last_selected: uuid.UUID | None = None
        self._hidden_new: tuple[uuid.UUID, str] | None = None  # a deal just created that the filters hide

        # filter bar
        self.new_button = QPushButton()
        self.new_button.setObjectName("newDeal")
        self.new_button.setAutoDefault(False)
        bold = self.new_button.font()
        bold.setBold(True)
        self.new_button.setFont(bold)
        self.new_button.clicked.connect(self.new_deal)
        self.owner_combo = QComboBox()
        self.owner_combo.setObjectName("ownerFilter")
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.close_from = self._date_edit()
        self.close_to = self._date_edit()
        self.sort_combo = QComboBox()
        self.sort_combo.setObjectName("sort")
        self.focus_chip = QToolButton()
        self.focus_chip.setObjectName("focusChip")
        self.focus_chip.setStyleSheet("QToolButton { background: #e8f0fe; border: 1px solid #8ab4f8; "
                                      "border-radius: 10px; padding: 2px 8px; }")
        self.focus_chip.hide()
        self.focus_chip.clicked.connect(self.clear_focus)
        self.owner_label, self.search_label, self.close_label, self.to_label, self.sort_label = (
            QLabel(), QLabel(), QLabel(), QLabel(), QLabel())
        bar = QHBoxLayout()
        for w in (self.owner_label, self.owner_combo, self.search_label, self.search, self.close_label,
                  self.close_from, self.to_label, self.close_to, self.sort_label, self.sort_combo):
            bar.addWidget(w)
        bar.addStretch(1)
        # "+ New deal" and the "Showing N selected deals ✕" chip on a line of their own: in
        # the filter bar they made the window wider than a 1024-pixel screen
        chip_row = QHBoxLayout()
        chip_row.addWidget(self.new_button)
        chip_row.addWidget(self.focus_chip)
        chip_row.addStretch(1)

        # columns
        self.models: list[ColumnModel] = []
        self.views: list[ColumnView] = []
        self.headers: list[ColumnHeader] = []
        strip = QWidget()
        row = QHBoxLayout(strip)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        for st in self.stages:
            model = ColumnModel(ctx, st.position, self.request_move, self)
            view = ColumnView(strip)
            view.setObjectName(f"column-{st.position}")
            view.setModel(model)
            view.setItemDelegate(self.delegate)
            view.neighbour_requested.connect(self._go_neighbour)
            view.move_requested.connect(self._keyboard_move)
            view.open_requested.connect(self.deal_open_requested)
            view.selectionModel().currentChanged.connect(self._current_changed)
            header = ColumnHeader(strip)
            box = QVBoxLayout()
            box.setSpacing(4)
            box.addWidget(header)
            box.addWidget(view, 1)
            row.addLayout(box)
            self.models.append(model)
            self.views.append(view)
            self.headers.append(header)
        self.views[0].viewport().installEventFilter(self)
        self.won = DropZone(WON, self)
        self.lost = DropZone(LOST, self)
        closed = QHBoxLayout()  # always in sight, whatever the horizontal scroll
        closed.addWidget(self.won)
        closed.addWidget(self.lost)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(strip)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        strip.setSizePolicy(QSizePolicy.Policy.MinimumExpanding, QSizePolicy.Policy.Expanding)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(chip_row)
        self.notice = BoardNotice(self)
        self.notice.clear_button.clicked.connect(self.clear_filters)
        self.notice.new_button.clicked.connect(self.new_deal)
        self.notice.import_button.clicked.connect(self.import_requested)
        layout.addWidget(self.notice)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(closed)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.owner_combo.activated.connect(lambda _i: self.apply_filters())
        self.sort_combo.activated.connect(lambda _i: self.apply_filters())
        self.close_from.dateChanged.connect(lambda _d: self.apply_filters())
        self.close_to.dateChanged.connect(lambda _d: self.apply_filters())

        ctx.hub.pipeline_changed.connect(self._on_pipeline_changed)
        ctx.hub.deals_focus_requested.connect(self.focus_deals)
        ctx.hub.language_changed.connect(self._on_language_changed)

        self._fill_owner_combo()
        self._restore_settings()
        self.retranslate()
        self.apply_filters()

    # -- at-risk thresholds
    def _background(self, what: str, fn, *args, wait: bool = False, **kwargs) -> None:
        """A read-only service query off the GUI thread (a QueryOp); only the answer to the
        latest request of each kind is used. A failure (database switched or closed meanwhile)
        drops the answer: the figure is not needed any more."""
        self._generation[what] += 1
        generation = self._generation[what]
        op = QueryOp(self.ctx, lambda _task: fn(*args, **kwargs), parent=self) \
            .success(lambda value: self._computed(what, generation, value)) \
            .failure(lambda exc: log.info("board %s query dropped: %s", what, exc) or True)
        if wait:
            op.run()
        elif not self._painted:  # first paint first: the workers would compete with it
            self._deferred.append(op)
        else:
            op.run_in_background()

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            QTimer.singleShot(0, self._start_deferred)
        return False

    def _start_deferred(self) -> None:
        ops, self._deferred = self._deferred, []
        for op in ops:
            op.run_in_background()

    def update_risk(self, k: float, wait: bool = False) -> None:
        """Recompute the at-risk thresholds for factor ``k`` off the GUI thread."""
        self._background("risk", board_service.stage_risk_days, self.ctx.db, k, wait=wait)

    def _computed(self, what: str, generation: int, value) -> None:
        if generation != self._generation.get(what):
            return  # superseded by a newer request
        if what == "risk":
            self.risk_days = value
            for v in self.views:
                v.viewport().update()
        elif what == "closed":
            self._closed = {WON: value[WON], LOST: value[LOST]}
            self._show_totals()
        self.figures_arrived.emit(what)

    # -- construction helpers
    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(date_edit_format(self.locale))
        edit.setMinimumDate(QDate(2000, 1, 1))
        edit.setDate(edit.minimumDate())  # the minimum shows as "any"
        return edit

    def _fill_owner_combo(self) -> None:
        current = self.owner_combo.currentData()
        self.owner_combo.clear()
        self.owner_combo.addItem("", "everyone")
        self.owner_combo.addItem("", "mine")
        for u in people_service.list_users(self.ctx.db):
            self.owner_combo.addItem(u.name, u.id.hex)
        if current is not None:
            idx = self.owner_combo.findData(current)
            self.owner_combo.setCurrentIndex(max(idx, 0))

    def _restore_settings(self) -> None:
        if self.settings is None:
            return
        idx = self.owner_combo.findData(self.settings.board_owner)
        self.owner_combo.setCurrentIndex(max(idx, 0))
        try:
            self.sort = Sort(self.settings.board_sort)
        except ValueError:
            self.sort = Sort.CLOSE_DATE

    def retranslate(self) -> None:
        self.locale = locale_for(self.ctx.lang)
        self.owner_label.setText(_tr("Owner:"))
        self.owner_combo.setItemText(0, _tr("Everyone"))
        self.owner_combo.setItemText(1, _tr("Mine"))
        self.search_label.setText(_tr("Find:"))
        self.search.setPlaceholderText(_tr("Title, account or contact"))
        self.close_label.setText(_tr("Closing from"))
        self.to_label.setText(_tr("to"))
        for edit in (self.close_from, self.close_to):
            edit.setDisplayFormat(date_edit_format(self.locale))  # the interface language's dates
            edit.setSpecialValueText(_tr("any"))
        self.sort_label.setText(_tr("Sort:"))
        self.sort_combo.blockSignals(True)
        self.sort_combo.clear()
        for value, text in ((Sort.CLOSE_DATE, _tr("Close date")), (Sort.AMOUNT, _tr("Amount")),
                            (Sort.DAYS_IN_STAGE, _tr("Days in stage"))):
            self.sort_combo.addItem(text, value.value)
        self.sort_combo.setCurrentIndex(max(self.sort_combo.findData(self.sort.value), 0))
        self.sort_combo.blockSignals(False)
        self.new_button.setText(_tr("+ New deal"))
        self.new_button.setToolTip(_tr("Create a deal in the first stage (Ctrl+Shift+N)"))
        self.notice.clear_button.setText(_tr("Clear filters"))
        self.notice.new_button.setText(_tr("New deal…"))
        self.notice.import_button.setText(_tr("Import…"))
        self.won.hint.setText(_tr("Drop here when won"))
        self.lost.hint.setText(_tr("Drop here when lost"))
        self._update_chip()
        self._show_totals()
        for v in self.views:
            v.viewport().update()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _on_language_changed(self, lang: str) -> None:
        self.retranslate()

    # -- filters
    def current_filters(self) -> BoardFilters:
        owner = self.owner_combo.currentData()
        owner_id = None
        if owner == "mine":
            owner_id = self.ctx.user_id
        elif owner not in (None, "everyone"):
            owner_id = uuid.UUID(owner)

        def d(edit: QDateEdit):
            return None if edit.date() == edit.minimumDate() else edit.date().toPython()

        return BoardFilters(owner_id=owner_id, text=self.search.text().strip(), close_from=d(self.close_from),
                            close_to=d(self.close_to), deal_ids=self.filters.deal_ids)

    def apply_filters(self) -> None:
        """Read the filter bar, reload every column and the totals."""
        self._search_timer.stop()
        self._hidden_new = None
        self.filters = self.current_filters()
        self.sort = Sort(self.sort_combo.currentData() or Sort.CLOSE_DATE.value)
        if self.settings is not None:
            self.settings.board_owner = self.owner_combo.currentData() or "everyone"
            self.settings.board_sort = self.sort.value
        self.reload()

    def reload(self) -> None:
        for m in self.models:
            m.filters = self.filters
            m.sort = self.sort
            m.reload()
        self.refresh_totals(closed=None)

    def refresh_totals(self, closed: bool | None = True, positions=None) -> None:
        """Header figures, each set from one GROUP BY. ``closed``: True reads Won / Lost
        too, False keeps their figures (a change among open deals cannot touch them, and
        they are the expensive part), None reads them off the GUI thread. ``positions``:
        only these stage columns changed."""
        if closed:
            totals = board_service.column_totals(self.ctx.db, self.filters)
            self._generation["closed"] += 1  # any answer still on its way is older
            self._closed = {WON: totals[WON], LOST: totals[LOST]}
        else:
            partial = positions is not None and self._totals is not None
            totals = board_service.column_totals(self.ctx.db, self.filters, closed=False,
                                                 positions=positions if partial else None)
            if partial:
                totals = {**self._totals, **totals}
            if closed is None:
                self._closed = None
                self._background("closed", board_service.column_totals, self.ctx.db, self.filters,
                                 open_deals=False)
        self._totals = totals
        self._show_totals()

    def _show_totals(self) -> None:
        if self._totals is None:
            return
        for st, header in zip(self.stages, self.headers, strict=True):
            header.show_totals(f"{st.position}. {st.name(self.ctx.lang)}", self._totals[st.position],
                               self.locale)
        for zone, key, name in ((self.won, WON, _tr("Won")), (self.lost, LOST, _tr("Lost"))):
            if self._closed is None:
                zone.header.show_pending(name)
            else:
                zone.header.show_totals(name, self._closed[key], self.locale, weighted=False)
        self._update_notice()

    # -- the line over the columns
    def filtering(self) -> bool:
        """True when a filter (owner, text, close dates, a focus on some deals) narrows the board."""
        f = self.filters
        return bool(f.owner_id or f.text or f.close_from or f.close_to or f.deal_ids is not None)

    def _update_notice(self) -> None:
        """Say why the columns are empty, or that a deal just created is hidden by the filters."""
        if self._totals is None:
            return
        if self._hidden_new is not None:
            self.notice.show_kind("hidden", _tr("“{0}” was created in the first stage; the filters hide it.")
                                  .format(self._hidden_new[1]))
            return
        if any(self._totals[st.position].count for st in self.stages):
            self.notice.show_kind(None)
        elif not any(board_service.deal_counts(self.ctx.db).values()):  # whatever the filters
            self.notice.show_kind("empty", _tr("No deals yet: New deal… or File → Import…"))
        elif self.filtering():
            text = self.filters.text
            self.notice.show_kind("no-match", _tr("No open deal matches “{0}”.").format(text) if text
                                  else _tr("No open deal matches the filters."))
        else:
            self.notice.show_kind("no-open", _tr("No open deals: every deal is won or lost."))

    def clear_filters(self) -> None:
        """Show every open deal: owner everyone, no text, any close date, no focus."""
        hidden = self._hidden_new
        for w in (self.search, self.close_from, self.close_to):
            w.blockSignals(True)
        self.search.clear()
        self.close_from.setDate(self.close_from.minimumDate())
        self.close_to.setDate(self.close_to.minimumDate())
        for w in (self.search, self.close_from, self.close_to):
            w.blockSignals(False)
        self.owner_combo.setCurrentIndex(0)
        self.filters = BoardFilters(**{**self.current_filters().__dict__, "deal_ids": None})
        self._update_chip()
        self.apply_filters()
        if hidden is not None:
            self.select_deal(hidden[0])

    # -- creating
    def new_deal(self) -> uuid.UUID | None:
        """New deal…: the dialog, then the new card selected in the first column (or a line
        saying the filters hide it). The dialog's operation announced the change."""
        from app.views.new_deal import new_deal

        deal_id = new_deal(self.ctx, self.window())
        if deal_id is not None:
            self.show_created(deal_id)
        return deal_id

    def show_created(self, deal_id: uuid.UUID) -> None:
        if self.select_deal(deal_id):
            return
        try:
            card = board_service.card(self.ctx.db, deal_id)
        except AppError:
            return
        if not board_service.cards(self.ctx.db, [deal_id], self.filters)[deal_id][1]:
            self._hidden_new = (deal_id, card.title)
            self._update_notice()

    def focus_deals(self, deal_ids) -> None:
        """Show only these deals (asked by another view); a chip clears it."""
        self._hidden_new = None
        self.filters = BoardFilters(**{**self.current_filters().__dict__, "deal_ids": frozenset(deal_ids)})
        self._update_chip()
        self.reload()

    def clear_focus(self) -> None:
        self._hidden_new = None
        self.filters = BoardFilters(**{**self.current_filters().__dict__, "deal_ids": None})
        self._update_chip()
        self.reload()

    def _update_chip(self) -> None:
        ids = self.filters.deal_ids
        self.focus_chip.setVisible(ids is not None)
        if ids is not None:
            self.focus_chip.setText(_tr("Showing %n selected deal(s)  ✕", len(ids)))
            self.focus_chip.setToolTip(_tr("Show all deals again"))

    # -- refreshing from changes
    def refresh_deals(self, deal_ids, closed: bool | None = None, positions=None) -> None:
        """Reload these cards wherever they are or now belong, and the headers.

        ``closed``: whether Won / Lost may have changed (None: when one of the deals is
        closed now). ``positions``: the stage columns whose totals may have changed; None
        means the columns the cards are in now, or every column when ``closed`` is True.
        """
        any_closed = False
        now_in: set[int] = set()
        try:
            fresh = board_service.cards(self.ctx.db, deal_ids, self.filters)
        except AppError as exc:  # the database went away: say so once, keep the board
            QMessageBox.warning(self.window(), _tr("Cannot refresh"), error_text(exc))  # in the interface language
            return
        for deal_id, (card, belongs) in fresh.items():
            any_closed = any_closed or card is None or card.status != "open"
            if card is not None and card.status == "open":
                now_in.add(card.stage_position)
            for m in self.models:
                m.update_card(deal_id, card, belongs)
        closed = any_closed if closed is None else closed or any_closed
        if positions is None and not closed:
            positions = now_in
        self.refresh_totals(closed=closed, positions=positions)

    def _on_pipeline_changed(self, changes: Changes, initiator) -> None:
        if initiator is self:
            return
        if not changes.deal_ids or len(changes.deal_ids) > 50 or changes.kinds & {"imported"}:
            if changes.kinds & {"marketing", "targets"} and not changes.deal_ids:
                return
            self._fill_owner_combo()
            self.reload()
            return
        self.refresh_deals(changes.deal_ids, closed="moved" in changes.kinds)

    # -- moving
    def request_move(self, deal_id: uuid.UUID, version: int | None, target: int | str) -> None:
        """A drop: the move (and any dialog it needs) starts once the drop has returned,
        never inside the platform's drag-and-drop loop. ``move_started`` then ``moved``."""
        QTimer.singleShot(0, lambda: self._drop_move(deal_id, version, target))

    def _drop_move(self, deal_id: uuid.UUID, version: int | None, target: int | str) -> None:
        self.drop_finished.emit(self.move_deal(deal_id, version, target))

    def move_deal(self, deal_id: uuid.UUID, version: int | None, target: int | str) -> bool:
        """The drop / keyboard entry into the gate flow; reloads the card where it lands."""
        source = next(((view, model.row_of(deal_id)) for view, model in zip(self.views, self.models, strict=True)
                       if model.row_of(deal_id) >= 0), None)
        result = run_move(self.ctx, deal_id, target, parent=self.window(), expected_version=version,
                          initiator=self)
        if result is None:
            return False
        opened = [(result.from_status, result.from_stage), (result.to_status, result.to_stage)]
        self.refresh_deals([deal_id], closed=any(status != "open" for status, _ in opened),
                           positions={pos for status, pos in opened if status == "open"})
        if isinstance(target, int) and self.select_deal(deal_id):
            return True
        if source is not None:  # won, lost or filtered out: the next card where it was
            self._select_near(*source)
        return True

    def _select_near(self, view: ColumnView, row: int) -> None:
        """Select the card now at ``row`` of ``view`` (the one after a card that left it),
        else the one before; a column left empty hands over to its neighbours."""
        if self._focus_row(view, row):
            return
        view.setCurrentIndex(QModelIndex())
        if not self._go_neighbour(view, 1):
            self._go_neighbour(view, -1)

    def _keyboard_move(self, deal_id: uuid.UUID, delta: int) -> None:
        try:
            card = board_service.card(self.ctx.db, deal_id)
        except AppError:
            return
        target = gates.neighbour_target(card.stage_position, delta, len(self.stages))
        if target is not None:
            self.move_deal(deal_id, card.version, target)

    # -- selection and keyboard navigation
    def select_deal(self, deal_id: uuid.UUID) -> bool:
        for view, model in zip(self.views, self.models, strict=True):
            row = model.row_of(deal_id)
            if row >= 0:
                idx = model.index(row)
                view.setCurrentIndex(idx)
                view.scrollTo(idx)
                view.setFocus()
                return True
        return False

    def selected_deal_id(self) -> uuid.UUID | None:
        for view in self.views:
            if view.hasFocus():
                return view.selected_deal_id()
        return self._last_selected

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        card = current.data(Role.Card) if current.isValid() else None
        self._last_selected = card.deal_id if card is not None else None
        self.selection_changed.emit(self._last_selected)

    def _go_neighbour(self, view: ColumnView, delta: int) -> bool:
        """Select a card in the nearest non-empty column on the ``delta`` side; True if any."""
        i = self.views.index(view) + delta
        row = max(view.currentIndex().row(), 0)
        while 0 <= i < len(self.views):
            if self._focus_row(self.views[i], row):
                return True
            i += delta
        return False

    @staticmethod
    def _focus_row(view: ColumnView, row: int) -> bool:
        """Select, show and focus the card at ``row`` of ``view`` (its last if fewer); False
        when the column is empty."""
        n = view.model().rowCount()
        if not n:
            return False
        idx = view.model().index(min(row, n - 1))
        view.setCurrentIndex(idx)
        view.scrollTo(idx)
        view.setFocus()
        return True

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def first_view(self) -> ColumnView:
        return self.views[0]
