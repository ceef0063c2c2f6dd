"""Undo and redo (app/views/undo.py) driven through the real widgets: a refused or partly
refused edit says which fields in the interface language, and an undone or redone move
leaves the card selected on the board so the keyboard goes on from it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from conftest import T0, satisfy_stage
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.services import deals, gates, people
from app.views.board import Board
from app.views.context import AppContext
from app.views.deal_dialog import DealDialog


@pytest.fixture
def deal(db, rep):
    return deals.create_deal(db, title="ERP rollout", owner_id=rep.id, amount="150000000", currency="KRW",
                             expected_close="2026-03-31", at=T0)


@pytest.fixture
def informed(monkeypatch):
    """Every QMessageBox.information shown, as (title, text)."""
    seen = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, title, text, *a, **k: seen.append((title, text)))
    return seen


def _edit(qtbot, ctx, deal_id, amount: str, close: date | None = None) -> DealDialog:
    """Save an edit through the deal workspace (it pushes the undo step)."""
    dlg = DealDialog(ctx, deal_id)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.amount_edit.setText(amount)
    if close is not None:
        dlg.close_edit.setDate(close)
    assert dlg.save()
    dlg.accept()
    return dlg


def _colleague_sets_amount(db, deal_id, who, amount: str) -> None:
    now = deals.get_deal(db, deal_id)
    deals.update_deal(db, deal_id, expected_version=now.version, actor_id=who.id, amount=amount)


def test_in_korean_a_refused_undo_names_the_field_in_korean(qtbot, korean, db, rep, manager, deal, warnings):
    ctx = AppContext(db=db, user_id=rep.id, user_name=rep.name, role="rep", lang="ko")
    _edit(qtbot, ctx, deal.id, "77,000,000")
    _colleague_sets_amount(db, deal.id, manager, "88000000")
    ctx.undo_stack.undo()
    assert deals.get_deal(db, deal.id).amount == Decimal("88000000.00")  # theirs stays
    assert warnings == [("실행 취소 또는 다시 실행을 할 수 없습니다",
                         "“ERP rollout” 편집을 실행 취소하지 않았습니다. 그 뒤에 금액 항목이 변경되었습니다. "
                         "영업기회를 현재 상태로 표시합니다.")]
    assert ctx.undo_stack.count() == 0  # nothing of the step could be undone: it dropped out


def test_an_undo_writes_back_the_fields_nobody_changed_and_says_which_it_left(qtbot, db, rep, manager, deal,
                                                                               warnings, informed):
    ctx = AppContext(db=db, user_id=rep.id, user_name=rep.name, role="rep")
    _edit(qtbot, ctx, deal.id, "77,000,000", date(2026, 4, 30))
    _colleague_sets_amount(db, deal.id, manager, "88000000")

    ctx.undo_stack.undo()
    stored = deals.get_deal(db, deal.id)
    assert (stored.amount, stored.expected_close) == (Decimal("88000000.00"), date(2026, 3, 31))
    assert informed == [("Partly undone", "The edit of “ERP rollout” was undone except for Amount: changed "
                                          "since this edit, it keeps its current value.")]
    assert warnings == []
    # the step is now the close date alone: redo moves it, never the colleague's amount
    assert ctx.undo_stack.canRedo()
    ctx.undo_stack.redo()
    stored = deals.get_deal(db, deal.id)
    assert (stored.amount, stored.expected_close) == (Decimal("88000000.00"), date(2026, 4, 30))
    assert len(informed) == 1 and warnings == []
    ctx.undo_stack.undo()
    assert deals.get_deal(db, deal.id).expected_close == date(2026, 3, 31) and len(informed) == 1


def test_in_korean_a_partly_undone_edit_says_so_in_korean(qtbot, korean, db, rep, manager, deal, informed,
                                                          warnings):
    ctx = AppContext(db=db, user_id=rep.id, user_name=rep.name, role="rep", lang="ko")
    _edit(qtbot, ctx, deal.id, "77,000,000", date(2026, 4, 30))
    _colleague_sets_amount(db, deal.id, manager, "88000000")
    ctx.undo_stack.undo()
    assert informed == [("일부만 실행 취소함", "“ERP rollout” 편집을 실행 취소했습니다. 단, 금액 항목은 그 뒤에 "
                                           "변경되어 현재 값을 그대로 둡니다.")]
    assert warnings == []


def test_an_amount_and_its_currency_are_undone_together_or_not_at_all(qtbot, db, rep, manager, deal, warnings,
                                                                       informed):
    """The colleague changed the currency: the amount (read in it) is not written back either."""
    ctx = AppContext(db=db, user_id=rep.id, user_name=rep.name, role="rep")
    dlg = DealDialog(ctx, deal.id)
    qtbot.addWidget(dlg)
    dlg.amount_edit.setText("77,000,000")
    dlg.currency_combo.setCurrentText("USD")
    dlg.title_edit.setText("ERP rollout phase 2")
    assert dlg.save()
    now = deals.get_deal(db, deal.id)
    deals.update_deal(db, deal.id, expected_version=now.version, actor_id=manager.id, currency="EUR")
    ctx.undo_stack.undo()
    stored = deals.get_deal(db, deal.id)
    assert (stored.title, stored.currency, stored.amount) == ("ERP rollout", "EUR", Decimal("77000000.00"))
    assert informed and "except for Amount, Currency:" in informed[0][1]


# ------------------------------------------------------------------ moves on the board

@pytest.fixture
def board(qtbot, db, rep):
    src = people.create_lead_source(db, "Referral")
    acc = people.create_account(db, "Hanil Steel")
    con = people.create_contact(db, "Park Ji-ho", acc.id)
    made = {}
    for i, title in enumerate(("Alpha ERP", "Beta MES")):
        made[title] = deals.create_deal(db, title=title, owner_id=rep.id, account_id=acc.id, contact_id=con.id,
                                        lead_source_id=src.id, amount=str(1000 * (i + 1)),
                                        expected_close=f"2026-0{i + 3}-01", at=T0 + timedelta(hours=i))
    for position in (1, 2):
        satisfy_stage(db, made["Alpha ERP"].id, position, rep.id)  # Alpha may leave stages 1 and 2
    ctx = AppContext(db=db, user_id=rep.id, user_name=rep.name, role=rep.role, lang="en")
    b = Board(ctx)
    qtbot.addWidget(b)
    b.resize(1800, 800)
    b.show()
    qtbot.waitExposed(b)
    return ctx, b, made


def _stage(db, deal_id) -> int:
    from app.services import board as board_service

    return board_service.card(db, deal_id).stage_position


def test_after_undoing_a_keyboard_move_the_card_is_selected_and_the_keyboard_goes_on(board, db, qtbot):
    ctx, b, made = board
    alpha = made["Alpha ERP"].id
    forward = (Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    view = b.views[0]
    view.setFocus()
    view.setCurrentIndex(b.models[0].index(b.models[0].row_of(alpha)))
    qtbot.keyClick(view, *forward)
    assert _stage(db, alpha) == 2

    b.views[1].clearSelection()
    b.views[1].setCurrentIndex(b.models[1].index(-1))  # the selection goes elsewhere meanwhile
    ctx.undo_stack.undo()
    assert _stage(db, alpha) == 1
    assert b.views[0].selected_deal_id() == alpha and b.views[0].hasFocus()
    assert b.selected_deal_id() == alpha
    with qtbot.waitSignal(b.deal_open_requested) as sig:  # Enter opens it
        qtbot.keyClick(b.views[0], Qt.Key.Key_Return)
    assert sig.args == [alpha]
    qtbot.keyClick(b.views[0], *forward)  # and Ctrl+Shift+→ moves it again
    assert _stage(db, alpha) == 2 and b.views[1].selected_deal_id() == alpha


def test_after_redoing_a_move_the_card_is_selected_where_it_landed(board, db, qtbot):
    ctx, b, made = board
    alpha = made["Alpha ERP"].id
    assert b.move_deal(alpha, None, 2)
    ctx.undo_stack.undo()
    b.views[0].setCurrentIndex(b.models[0].index(b.models[0].row_of(made["Beta MES"].id)))
    ctx.undo_stack.redo()
    assert _stage(db, alpha) == 2
    assert b.views[1].selected_deal_id() == alpha and b.views[1].hasFocus()
    assert gates.missing_for_move(db, alpha, 3) == []  # still movable on: the keyboard can go on
    qtbot.keyClick(b.views[1], Qt.Key.Key_Right,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert _stage(db, alpha) == 3
