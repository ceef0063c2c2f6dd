"""The kanban board driven offscreen: models, drops, the gate flow, keyboard, undo, filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import T0, satisfy_stage
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.models import Opportunity, StageTransition
from app.services import deals, gates, people
from app.services.process import active_stages
from app.views.board import MIME_TYPE, Board, ColumnModel, Role, decode_mime
from app.views.context import AppContext, Changes
from app.views.gate_dialog import GateDialog


def stage_of(db, deal_id):
    with db.read() as s:
        deal = s.get(Opportunity, deal_id)
        return next(st.position for st in active_stages(s) if st.id == deal.stage_id), deal.status


def transitions(db, deal_id):
    with db.read() as s:
        return s.query(StageTransition).filter_by(opportunity_id=deal_id).count()


@pytest.fixture
def env(qtbot, db, rep):
    src = people.create_lead_source(db, "Referral")
    acc = people.create_account(db, "Hanil Steel")
    con = people.create_contact(db, "Park Ji-ho", acc.id)
    made = {}
    for i, title in enumerate(("Alpha ERP", "Beta MES", "Gamma CRM")):
        d = deals.create_deal(db, title=title, owner_id=rep.id, account_id=acc.id, contact_id=con.id,
                              lead_source_id=src.id, amount=str(1000 * (i + 1)),
                              expected_close=f"2026-0{i + 3}-01", at=T0 + timedelta(hours=i))
        made[title] = d
    satisfy_stage(db, made["Alpha ERP"].id, 1, rep.id)  # Alpha may leave stage 1
    ctx = AppContext(db=db, user_id=rep.id, user_name=rep.name, role=rep.role, lang="en")
    board = Board(ctx)
    qtbot.addWidget(board)
    board.resize(1800, 800)
    board.show()
    qtbot.waitExposed(board)
    return ctx, board, made


def model_titles(model):
    return [model.data(model.index(r), Qt.ItemDataRole.DisplayRole) for r in range(model.rowCount())]


def drag(board, column, title):
    model = board.models[column - 1]
    row = model_titles(model).index(title)
    return model.mimeData([model.index(row)])


def drop(qtbot, board, data, column=None, target=None):
    """Drop ``data`` on stage ``column`` (1-based, through the model) or on the Won/Lost
    ``target`` widget (through its dropEvent). The drop itself returns at once; the move
    and any dialog start after it: wait for ``drop_finished`` and return whether it moved."""
    with qtbot.waitSignal(board.drop_finished, timeout=5000) as blocker:
        if column is not None:
            model = board.models[column - 1]
            assert model.dropMimeData(data, Qt.DropAction.MoveAction, -1, 0, model.index(-1)) is True
        else:
            pos = QPointF(target.rect().center())
            target.dropEvent(QDropEvent(pos, Qt.DropAction.MoveAction, data, Qt.MouseButton.LeftButton,
                                        Qt.KeyboardModifier.NoModifier))
    return blocker.args[0]


def test_column_model_passes_modeltester(qtmodeltester, env):
    _ctx, board, _made = env
    qtmodeltester.check(board.models[0])
    assert model_titles(board.models[0]) == ["Alpha ERP", "Beta MES", "Gamma CRM"]


def test_lazy_loading_in_pages(env):
    _ctx, board, _made = env
    model = board.models[0]
    model.page_size = 2
    model.reload()
    assert model.rowCount() == 2 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 3 and not model.canFetchMore()
    assert board.views[0].uniformItemSizes()


def test_mime_roundtrip(env):
    _ctx, board, made = env
    data = drag(board, 1, "Alpha ERP")
    assert data.hasFormat(MIME_TYPE)
    assert decode_mime(data) == (made["Alpha ERP"].id, 1, "1")


def test_drop_on_next_column_moves_and_updates_both_headers(env, db, qtbot):
    ctx, board, made = env
    data = drag(board, 1, "Alpha ERP")
    assert drop(qtbot, board, data, column=2) is True
    assert stage_of(db, made["Alpha ERP"].id) == (2, "open")
    assert model_titles(board.models[0]) == ["Beta MES", "Gamma CRM"]
    assert model_titles(board.models[1]) == ["Alpha ERP"]
    assert board.headers[0].count.text() == "2 deal(s)"
    assert board.headers[1].count.text() == "1 deal(s)"
    assert "₩1,000" in board.headers[1].total.text()
    assert "₩200" in board.headers[1].weighted.text()  # 20 % of 1,000
    assert ctx.undo_stack.count() == 1


def test_drop_through_the_views_drop_event(env, db, qtbot):
    _ctx, board, made = env
    data = drag(board, 1, "Alpha ERP")
    view = board.views[1]
    pos = QPointF(view.viewport().rect().center())
    event = QDropEvent(pos, Qt.DropAction.MoveAction, data, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(board.drop_finished, timeout=5000):
        view.dropEvent(event)
    assert stage_of(db, made["Alpha ERP"].id) == (2, "open")
    assert model_titles(board.models[1]) == ["Alpha ERP"]


def test_refused_drop_opens_gate_dialog_satisfy_and_move(env, db, monkeypatch, qtbot):
    ctx, board, made = env
    beta = made["Beta MES"].id
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("Call", True))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("first call", True))
    seen = {}

    in_drop = []
    real_drop = ColumnModel.dropMimeData

    def watched_drop(self, *args):
        in_drop.append(True)
        try:
            return real_drop(self, *args)
        finally:
            in_drop.pop()

    monkeypatch.setattr(ColumnModel, "dropMimeData", watched_drop)

    def drive(self):
        seen["inside_drop"] = bool(in_drop)  # the dialog must not run inside the drop
        seen["missing"] = [m.key for m in self.missing]
        qtbot.mouseClick(self.satisfy_buttons[next(iter(self.satisfy_buttons))], Qt.MouseButton.LeftButton)
        seen["after"] = [m.key for m in self.missing]
        qtbot.mouseClick(self.move_button, Qt.MouseButton.LeftButton)
        return self.result()

    monkeypatch.setattr(GateDialog, "exec", drive)
    data = drag(board, 1, "Beta MES")
    assert drop(qtbot, board, data, column=2)
    assert seen == {"inside_drop": False, "missing": ["first_contact"], "after": []}
    assert stage_of(db, beta) == (2, "open")
    assert "Beta MES" in model_titles(board.models[1])


def test_refused_and_cancelled_leaves_card(env, db, monkeypatch, qtbot):
    _ctx, board, made = env
    monkeypatch.setattr(GateDialog, "exec", lambda self: 0)
    data = drag(board, 1, "Gamma CRM")
    assert drop(qtbot, board, data, column=2) is False
    assert stage_of(db, made["Gamma CRM"].id) == (1, "open")
    assert "Gamma CRM" in model_titles(board.models[0])


def test_backward_move_asks_reason(env, db, monkeypatch, qtbot):
    _ctx, board, made = env
    alpha = made["Alpha ERP"].id
    board.move_deal(alpha, None, 2)
    asked = []
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (asked.append(a[2]) or "customer paused", True))
    data = drag(board, 2, "Alpha ERP")
    assert drop(qtbot, board, data, column=1)
    assert stage_of(db, alpha) == (1, "open")
    assert len(asked) == 1 and "move back" in asked[0]
    with db.read() as s:
        last = s.query(StageTransition).filter_by(opportunity_id=alpha).order_by(StageTransition.at.desc()).first()
        assert last.kind == "backward" and last.reason == "customer paused"


def test_drop_on_lost_asks_loss_reason(env, db, monkeypatch, qtbot):
    _ctx, board, made = env
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("chose a competitor", True))
    data = drag(board, 1, "Gamma CRM")
    event = QDropEvent(QPointF(board.lost.rect().center()), Qt.DropAction.MoveAction, data,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(board.drop_finished, timeout=5000):
        board.lost.dropEvent(event)
    assert stage_of(db, made["Gamma CRM"].id) == (1, "lost")
    assert deals.get_deal(db, made["Gamma CRM"].id).loss_reason == "chose a competitor"
    assert "Gamma CRM" not in model_titles(board.models[0])
    assert board.lost.header.count.text() == "1 deal(s)"


def test_keyboard_move_and_navigation(env, db, qtbot):
    _ctx, board, made = env
    view = board.views[0]
    view.setFocus()
    view.setCurrentIndex(board.models[0].index(0))  # Alpha ERP
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert stage_of(db, made["Alpha ERP"].id) == (2, "open")
    assert board.views[1].selected_deal_id() == made["Alpha ERP"].id  # the card stays selected
    # plain Left goes back to the first column's cards
    qtbot.keyClick(board.views[1], Qt.Key.Key_Left)
    assert board.views[0].hasFocus() or board.views[0].currentIndex().isValid()
    assert board.views[0].selected_deal_id() == made["Beta MES"].id


def test_enter_opens_the_deal(env, qtbot):
    _ctx, board, made = env
    view = board.views[0]
    view.setCurrentIndex(board.models[0].index(0))
    with qtbot.waitSignal(board.deal_open_requested) as sig:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert sig.args == [made["Alpha ERP"].id]


def test_undo_and_redo_a_move(env, db):
    ctx, board, made = env
    alpha = made["Alpha ERP"].id
    assert board.move_deal(alpha, None, 2)
    n = transitions(db, alpha)
    ctx.undo_stack.undo()
    assert stage_of(db, alpha) == (1, "open")
    assert transitions(db, alpha) == n + 1  # the undo is a recorded transition
    assert "Alpha ERP" in model_titles(board.models[0])
    ctx.undo_stack.redo()
    assert stage_of(db, alpha) == (2, "open")
    assert transitions(db, alpha) == n + 2
    assert model_titles(board.models[1]) == ["Alpha ERP"]


def test_search_narrows_the_columns(env, qtbot):
    _ctx, board, _made = env
    qtbot.keyClicks(board.search, "gamma")
    qtbot.waitUntil(lambda: model_titles(board.models[0]) == ["Gamma CRM"])
    assert board.headers[0].count.text() == "1 deal(s)"
    board.search.clear()
    qtbot.waitUntil(lambda: board.models[0].rowCount() == 3)


def test_conflict_tells_user_and_reloads_the_card(env, db, rep, monkeypatch, qtbot):
    _ctx, board, made = env
    alpha = made["Alpha ERP"].id
    data = drag(board, 1, "Alpha ERP")  # carries version 1
    deals.update_deal(db, alpha, expected_version=1, actor_id=rep.id, title="Alpha ERP (renamed)")
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a[1]))
    assert drop(qtbot, board, data, column=2) is False
    assert warned and "someone else" in warned[0].lower()
    assert stage_of(db, alpha) == (1, "open")
    card = board.models[0].data(board.models[0].index(board.models[0].row_of(alpha)), Role.Card)
    assert card.title == "Alpha ERP (renamed)" and card.version == 2


def test_changes_from_elsewhere_reload_only_that_card(env, db, rep):
    ctx, board, made = env
    gamma = made["Gamma CRM"].id
    deals.update_deal(db, gamma, expected_version=1, actor_id=rep.id, amount="5")
    ctx.changed(Changes.of("edited", deals=[gamma]), object())
    card = board.models[0].data(board.models[0].index(board.models[0].row_of(gamma)), Role.Card)
    assert str(card.amount) == "5.00"


def test_focus_requested_shows_a_clearable_chip(env, qtbot):
    ctx, board, made = env
    ctx.hub.deals_focus_requested.emit([made["Beta MES"].id])
    assert model_titles(board.models[0]) == ["Beta MES"]
    assert not board.focus_chip.isHidden()
    qtbot.mouseClick(board.focus_chip, Qt.MouseButton.LeftButton)
    assert board.focus_chip.isHidden() and board.models[0].rowCount() == 3


def test_korean_headers_show_korean_stage_names(qtbot, db, rep):
    ctx = AppContext(db=db, user_id=rep.id, user_name=rep.name, role=rep.role, lang="ko")
    board = Board(ctx)
    qtbot.addWidget(board)
    assert board.headers[0].name.text() == "1. 가망고객 발굴"
    assert board.headers[6].name.text() == "7. 계약"
    ctx.lang = "en"
    ctx.hub.language_changed.emit("en")
    assert board.headers[0].name.text() == "1. Lead generation"


def test_korean_board_dates_and_chip_fit_a_small_screen(qtbot, korean, db, rep):
    """Korean dates in the close-date filter, and the "showing N deals" chip does not make
    the board wider than a 1024-pixel screen (at the end of the filter bar it did)."""
    from PySide6.QtCore import QDate

    ctx = AppContext(db=db, user_id=rep.id, user_name=rep.name, role=rep.role, lang="ko")
    board = Board(ctx)
    qtbot.addWidget(board)
    board.resize(1000, 600)
    board.show()
    qtbot.waitExposed(board)
    assert board.close_label.text() == "예상 계약일"
    assert board.close_from.text() == "전체"  # the minimum date: no bound
    board.close_from.setDate(QDate(2026, 10, 1))
    assert board.close_from.text() == "2026. 10. 1."  # was 2026-10-01 whatever the language
    assert board.won.hint.text() == "수주하면 여기로 끌어다 놓으세요"
    narrow = board.minimumSizeHint().width()
    d = deals.create_deal(db, title="ERP", owner_id=rep.id)
    ctx.hub.deals_focus_requested.emit([d.id])
    assert board.focus_chip.text().startswith("선택한 영업기회 1건 표시 중")
    assert board.minimumSizeHint().width() == narrow < 1000


def test_totals_in_two_currencies_are_cut_with_an_ellipsis(qtbot, korean, db, rep):
    """"합계 ₩907,600,000,000 + $153,100,000.00" is wider than a stage column: cut with "…",
    whole in the tooltip (it was cut off mid-digit); the Won / Lost zones have room for it."""
    deals.create_deal(db, title="ERP", owner_id=rep.id, amount="907600000000")
    deals.create_deal(db, title="MES", owner_id=rep.id, amount="153100000", currency="USD")
    ctx = AppContext(db=db, user_id=rep.id, user_name=rep.name, role=rep.role, lang="ko")
    board = Board(ctx)
    qtbot.addWidget(board)
    board.resize(1400, 700)
    board.show()
    qtbot.waitExposed(board)
    header = board.headers[0]
    whole = "합계 ₩907,600,000,000 + $153,100,000.00"
    assert header._full[header.total] == whole and whole in header.toolTip()
    shown = header.total.text()
    assert shown.endswith("…") and whole.startswith(shown[:-1])
    assert header.total.fontMetrics().horizontalAdvance(shown) <= header.total.contentsRect().width()
    assert not board.won.header.total.text().endswith("…")


def test_a_refresh_that_fails_says_why_in_korean(qtbot, korean, db, rep, monkeypatch):
    """The board's one-line refusal comes in the interface language (it showed the
    service's English text)."""
    from app.errors import DatabaseError, Message
    from app.services import board as board_service

    d = deals.create_deal(db, title="ERP", owner_id=rep.id)
    ctx = AppContext(db=db, user_id=rep.id, user_name=rep.name, role=rep.role, lang="ko")
    board = Board(ctx)
    qtbot.addWidget(board)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text: shown.append((title, text)))

    def gone(*_a, **_k):
        raise DatabaseError(Message("deal {deal} not found", deal="ERP"))

    monkeypatch.setattr(board_service, "cards", gone)
    board.refresh_deals([d.id])
    assert shown == [("새로 고칠 수 없습니다", "영업기회 ERP을(를) 찾을 수 없습니다")]


def test_cards_paint(env, qtbot):
    _ctx, board, _made = env
    image = board.views[0].viewport().grab()
    assert not image.isNull() and image.width() > 100
    assert board.views[0].visualRect(board.models[0].index(0)).contains(QPoint(20, 20))


def test_manager_override_from_a_drop(qtbot, db, manager, monkeypatch):
    d = deals.create_deal(db, title="Big one", owner_id=manager.id)
    ctx = AppContext(db=db, user_id=manager.id, user_name=manager.name, role=manager.role)
    board = Board(ctx)
    qtbot.addWidget(board)
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("CEO referral", True))

    def drive(self):
        qtbot.mouseClick(self.override_button, Qt.MouseButton.LeftButton)
        return self.result()

    monkeypatch.setattr(GateDialog, "exec", drive)
    assert drop(qtbot, board, drag(board, 1, "Big one"), column=2)
    assert stage_of(db, d.id) == (2, "open")
    assert gates.missing_for_move(db, d.id, 3)  # stage 2 still has its own gate


def test_risk_thresholds_and_closed_totals_arrive_from_workers(env, qtbot, db, rep):
    _ctx, board, made = env
    with qtbot.waitSignal(board.figures_arrived, timeout=5000, check_params_cb=lambda what: what == "risk"):
        board.update_risk(2.0)
    # no won deal in this database: the template limits (stage 1: 14 days)
    assert board.risk_days[1] == 14.0 and sorted(board.risk_days) == [1, 2, 3, 4, 5, 6, 7]
    gates.move_deal(db, made["Gamma CRM"].id, "lost", actor_id=rep.id, loss_reason="budget cut")
    board.reload()  # Won / Lost figures are read off the GUI thread on a full reload
    qtbot.waitUntil(lambda: board.lost.header.count.text() == "1 deal(s)", timeout=5000)
    assert board.won.header.count.text() == "0 deal(s)"


def test_drop_on_won_needs_every_remaining_gate(env, db, monkeypatch, qtbot):
    _ctx, board, made = env
    seen = {}

    def capture(self):
        seen["stages"] = sorted({m.stage_position for m in self.missing})
        return 0

    monkeypatch.setattr(GateDialog, "exec", capture)
    data = drag(board, 1, "Alpha ERP")  # stage 1 is satisfied; 2..7 are not
    event = QDropEvent(QPointF(board.won.rect().center()), Qt.DropAction.MoveAction, data,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(board.drop_finished, timeout=5000):
        board.won.dropEvent(event)
    assert seen["stages"] == [2, 3, 4, 5, 6, 7]
    assert stage_of(db, made["Alpha ERP"].id) == (1, "open")


def _count_statements(db):
    import threading

    from sqlalchemy import event

    seen, gui = [], threading.get_ident()

    def on_execute(_conn, _cursor, statement, *_args):  # on the GUI thread: workers are not the drop
        if threading.get_ident() == gui and not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", on_execute)


def test_a_drop_runs_a_handful_of_statements(env, db, qtbot):
    _ctx, board, made = env
    data = drag(board, 1, "Alpha ERP")
    seen, stop = _count_statements(db)
    try:
        assert drop(qtbot, board, data, column=2) is True
    finally:
        stop()
    # the card the gate flow starts from (1), the move (deal with its actor, one gate check,
    # close the visit, deal, transition: 5), the refreshed card (1; no filter, no filter
    # SELECT) and the two headers (1). The template is read once per database, not per drop.
    assert len(seen) <= 8, f"{len(seen)} statements:\n" + "\n".join(seen)


def test_refreshing_fifty_deals_costs_what_one_does(env, db, rep, qtbot):
    _ctx, board, _made = env
    ids = [deals.create_deal(db, title=f"Deal {i:02}", owner_id=rep.id).id for i in range(50)]
    counts = []
    for batch in (ids[:1], ids):
        seen, stop = _count_statements(db)
        try:
            board.refresh_deals(batch)
        finally:
            stop()
        counts.append(len(seen))
    # one card SELECT (no filter: no filter SELECT) and the headers; the template is cached
    assert counts[0] == counts[1] <= 2, counts
    assert {f"Deal {i:02}" for i in range(50)} <= set(model_titles(board.models[0]))
