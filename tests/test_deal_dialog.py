"""The deal workspace driven offscreen: edits with errors next to the field, undo, the exit
checklist with evidence, the timeline, close-date history and the quick activity line."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from conftest import T0, satisfy_stage
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.services import activities, deals, evidence, gates, history, people
from app.services.process import active_stages
from app.views.context import AppContext
from app.views.deal_dialog import ChecklistModel, CloseDateModel, DealDialog, HistoryModel

NOW = T0 + timedelta(days=10)


@pytest.fixture
def ctx(db, rep):
    return AppContext(db=db, user_id=rep.id, user_name=rep.name, role="rep")


@pytest.fixture
def deal(db, rep):
    acc = people.create_account(db, "Hanbit Electronics")
    con = people.create_contact(db, "Park Ji-ho", account_id=acc.id)
    src = people.create_lead_source(db, "Trade show")
    return deals.create_deal(db, title="ERP rollout", owner_id=rep.id, amount="150000000",
                             currency="KRW", expected_close="2026-03-31", account_id=acc.id,
                             contact_id=con.id, lead_source_id=src.id, at=T0)


def _dialog(qtbot, ctx, deal_id):
    dlg = DealDialog(ctx, deal_id, now=lambda: NOW)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def _row_of(model, key):
    return next(i for i, item in enumerate(model.rows) if item.key == key)


def test_validation_errors_show_next_to_field_and_nothing_is_saved(qtbot, ctx, db, deal):
    dlg = _dialog(qtbot, ctx, deal.id)
    dlg.title_edit.clear()
    qtbot.keyClicks(dlg.amount_edit, "abc")  # "150000000abc"
    assert dlg.save_button.isEnabled()
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)

    assert dlg.errors["title"].isVisible() and "required" in dlg.errors["title"].text()
    assert dlg.errors["amount"].isVisible() and "not a number" in dlg.errors["amount"].text()
    assert not dlg.errors["description"].isVisible()
    stored = deals.get_deal(db, deal.id)
    assert stored.title == "ERP rollout" and stored.amount == Decimal("150000000.00")
    assert stored.version == deal.version
    assert ctx.undo_stack.count() == 0


def test_valid_edit_is_saved_announced_and_undoable(qtbot, ctx, db, deal):
    dlg = _dialog(qtbot, ctx, deal.id)
    dlg.title_edit.setText("ERP rollout phase 2")
    dlg.amount_edit.setText("2,000,000")
    dlg.description_edit.setPlainText("two plants")
    with qtbot.waitSignal(ctx.hub.pipeline_changed) as sig:
        qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    changes, initiator = sig.args
    assert changes.deal_ids == {deal.id} and "edited" in changes.kinds and initiator is dlg

    stored = deals.get_deal(db, deal.id)
    assert (stored.title, stored.amount, stored.description) == \
        ("ERP rollout phase 2", Decimal("2000000.00"), "two plants")
    assert ctx.undo_stack.count() == 1
    assert not dlg.save_button.isEnabled()  # the form shows what is stored

    ctx.undo_stack.undo()
    stored = deals.get_deal(db, deal.id)
    assert (stored.title, stored.amount, stored.description) == ("ERP rollout", Decimal("150000000.00"), None)
    assert dlg.title_edit.text() == "ERP rollout"  # the open dialog reloaded
    ctx.undo_stack.redo()
    assert deals.get_deal(db, deal.id).title == "ERP rollout phase 2"


def test_conflict_tells_the_user_and_reloads(qtbot, ctx, db, deal, rep, monkeypatch):
    dlg = _dialog(qtbot, ctx, deal.id)
    deals.update_deal(db, deal.id, expected_version=deal.version, actor_id=rep.id, title="Renamed elsewhere")
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a))
    dlg.amount_edit.setText("99")
    assert dlg.save() is False
    assert len(warned) == 1
    assert dlg.title_edit.text() == "Renamed elsewhere"  # reloaded, nothing overwritten
    assert deals.get_deal(db, deal.id).amount == Decimal("150000000.00")


def test_checklist_shows_evidence_and_withdraw_works(qtbot, ctx, db, deal, rep, monkeypatch):
    satisfy_stage(db, deal.id, 1, rep.id, at=T0)
    gates.move_deal(db, deal.id, 2, actor_id=rep.id, at=T0 + timedelta(days=2))
    with db.read() as s:
        budget = next(d for d in active_stages(s)[1].deliverables if d.key == "budget")
    evidence.record_evidence(db, deal.id, budget.id, actor_id=rep.id, note="10억 budget approved",
                             at=T0 + timedelta(days=3))

    dlg = _dialog(qtbot, ctx, deal.id)
    m = dlg.checklist_model
    r = _row_of(m, "budget")
    assert [it.key for it in m.rows] == ["budget", "authority", "need", "timeline"]
    assert m.index(r, ChecklistModel.COL_STATUS).data() == "✔"
    assert m.index(r, ChecklistModel.COL_BY).data() == "Kim Min-su"
    assert "10억 budget approved" in m.index(r, ChecklistModel.COL_EVIDENCE).data()
    assert m.index(_row_of(m, "need"), ChecklistModel.COL_STATUS).data() == "✘"

    dlg.tabs.setCurrentIndex(0)
    dlg.checklist_view.setCurrentIndex(m.index(r, ChecklistModel.COL_NAME))
    assert dlg.withdraw_button.isEnabled()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(dlg.withdraw_button, Qt.MouseButton.LeftButton)

    assert m.index(_row_of(m, "budget"), ChecklistModel.COL_STATUS).data() == "✘"
    assert not next(i for i in gates.checklist(db, deal.id) if i.key == "budget").satisfied


def test_satisfy_a_check_and_open_a_linked_document(qtbot, ctx, db, deal, rep, monkeypatch):
    satisfy_stage(db, deal.id, 1, rep.id, at=T0)
    satisfy_stage(db, deal.id, 2, rep.id, at=T0)
    gates.move_deal(db, deal.id, 3, actor_id=rep.id, at=T0 + timedelta(days=1))
    with db.read() as s:
        doc = next(d for d in active_stages(s)[2].deliverables if d.key == "requirements_doc")
    evidence.record_evidence(db, deal.id, doc.id, actor_id=rep.id, link="https://example.com/req.pdf")
    dlg = _dialog(qtbot, ctx, deal.id)
    m = dlg.checklist_model

    # open the linked document
    opened = []
    monkeypatch.setattr("app.views.deal_dialog.QDesktopServices.openUrl", lambda url: opened.append(url) or True)
    dlg.checklist_view.setCurrentIndex(m.index(_row_of(m, "requirements_doc"), ChecklistModel.COL_NAME))
    assert dlg.open_button.isEnabled()
    qtbot.mouseClick(dlg.open_button, Qt.MouseButton.LeftButton)
    assert [u.toString() for u in opened] == ["https://example.com/req.pdf"]

    # tick a check through the gate dialog's satisfy_deliverable (its note prompt patched)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("org chart from the CIO", True))
    dlg.checklist_view.setCurrentIndex(m.index(_row_of(m, "buying_committee"), ChecklistModel.COL_NAME))
    assert dlg.satisfy_button.isEnabled()
    qtbot.mouseClick(dlg.satisfy_button, Qt.MouseButton.LeftButton)
    item = m.rows[_row_of(m, "buying_committee")]
    assert item.satisfied and item.note == "org chart from the CIO" and item.by == "Kim Min-su"


def test_close_date_history_shows_a_push(qtbot, ctx, db, deal):
    dlg = _dialog(qtbot, ctx, deal.id)
    dlg.close_edit.setDate(dlg.close_edit.date().addDays(30))  # 2026-03-31 -> 2026-04-30
    assert dlg.save()
    rows = history.close_date_history(db, deal.id)
    assert [(r.old_date, r.new_date) for r in rows] == [(None, date(2026, 3, 31)),
                                                      (date(2026, 3, 31), date(2026, 4, 30))]
    assert rows[1].pushed and rows[1].days_moved == 30 and not rows[0].pushed
    m = dlg.close_model
    assert m.rowCount() == 2
    assert "+30" in m.index(1, CloseDateModel.COL_SHIFT).data()
    assert m.index(1, CloseDateModel.COL_BY).data() == "Kim Min-su"
    assert m.index(1, CloseDateModel.COL_SHIFT).data(Qt.ItemDataRole.ForegroundRole) is not None


def test_stage_history_days_per_visit(qtbot, ctx, db, deal, rep, manager):
    satisfy_stage(db, deal.id, 1, rep.id, at=T0)
    gates.move_deal(db, deal.id, 2, actor_id=rep.id, at=T0 + timedelta(days=3))
    gates.move_deal(db, deal.id, 1, actor_id=rep.id, reason="budget frozen", at=T0 + timedelta(days=5, hours=12))
    gates.move_deal(db, deal.id, 3, actor_id=manager.id, override_reason="CEO sponsor",
                    at=T0 + timedelta(days=6))
    # by hand: stage 1 for 3 d, stage 2 for 2.5 d, stage 1 again 0.5 d, stage 3 from day 6 to day 10 = 4 d
    entries = history.stage_history(db, deal.id, now=NOW)
    assert [(e.kind, e.to_position, round(e.days, 2)) for e in entries] == [
        ("created", 1, 3.0), ("forward", 2, 2.5), ("backward", 1, 0.5), ("forward", 3, 4.0)]
    assert entries[2].reason == "budget frozen" and entries[3].override_reason == "CEO sponsor"
    assert entries[3].by == "Lee Ji-eun" and entries[3].current and not entries[0].current

    dlg = _dialog(qtbot, ctx, deal.id)
    m = dlg.history_model
    assert m.rowCount() == 4
    assert m.index(1, HistoryModel.COL_DAYS).data() == "2.5"
    assert "CEO sponsor" in m.index(3, HistoryModel.COL_REASON).data()
    assert m.index(2, HistoryModel.COL_REASON).data() == "budget frozen"


def test_quick_log_satisfies_the_activity_deliverable(qtbot, ctx, db, deal):
    dlg = _dialog(qtbot, ctx, deal.id)
    m = dlg.checklist_model
    assert not m.rows[_row_of(m, "first_contact")].satisfied
    dlg.tabs.setCurrentIndex(2)
    dlg.quick_type.setCurrentIndex(dlg.quick_type.findData("call"))
    qtbot.keyClicks(dlg.quick_subject, "Intro call with IT director")
    with qtbot.waitSignal(ctx.hub.pipeline_changed):
        qtbot.keyClick(dlg.quick_subject, Qt.Key.Key_Return)

    assert m.rows[_row_of(m, "first_contact")].satisfied
    rows = activities.list_activities(db, deal_id=deal.id)
    assert [(r.type, r.subject, r.done_at) for r in rows] == [("call", "Intro call with IT director", NOW)]
    assert dlg.activities_model.rowCount() == 1 and dlg.quick_subject.text() == ""
    assert gates.missing_for_move(db, deal.id, 2) == []  # the gate agrees


def test_quick_log_without_subject_shows_error(qtbot, ctx, db, deal):
    dlg = _dialog(qtbot, ctx, deal.id)
    dlg.tabs.setCurrentIndex(2)
    qtbot.keyClick(dlg.quick_subject, Qt.Key.Key_Return)
    assert dlg.quick_error.isVisible()
    assert activities.list_activities(db, deal_id=deal.id) == []


def test_mark_deal_activity_done(qtbot, ctx, db, deal, rep):
    act = activities.log_activity(db, type="task", subject="Send quote", owner_id=rep.id, deal_id=deal.id,
                                  due_at=NOW - timedelta(days=1))
    dlg = _dialog(qtbot, ctx, deal.id)
    dlg.tabs.setCurrentIndex(2)
    dlg.activities_view.setCurrentIndex(dlg.activities_model.index(0, 1))
    qtbot.mouseClick(dlg.mark_done_button, Qt.MouseButton.LeftButton)
    assert activities.list_activities(db, deal_id=deal.id)[0].done_at == NOW
    assert dlg.activities_model.rows[0].id == act.id and dlg.activities_model.rows[0].done_at == NOW


def test_outside_change_reloads_the_dialog(qtbot, ctx, db, deal, rep):
    from app.views.context import Changes

    dlg = _dialog(qtbot, ctx, deal.id)
    deals.update_deal(db, deal.id, expected_version=deal.version, actor_id=rep.id, amount="5")
    ctx.changed(Changes.of("edited", deals=[deal.id]), None)
    assert dlg.amount_edit.text() == "5"


def test_undo_in_the_workspace_reloads_the_undone_field_and_keeps_what_is_being_typed(qtbot, ctx, db, deal,
                                                                                      warnings):
    """Save an amount, start a description, press the workspace's Ctrl+Z: the amount goes
    back in the database and in the form, the description being typed stays, and Save then
    saves it (the dialog followed the version its own undo wrote: no false conflict)."""
    dlg = _dialog(qtbot, ctx, deal.id)
    dlg.amount_edit.setText("2,000,000")
    assert dlg.save()
    qtbot.keyClicks(dlg.description_edit, "call back Monday")
    assert dlg.undo_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    dlg.undo_action.trigger()  # what Ctrl+Z in the dialog does

    assert deals.get_deal(db, deal.id).amount == Decimal("150000000.00")
    assert dlg.amount_edit.text() == "150,000,000"
    assert dlg.description_edit.toPlainText() == "call back Monday"
    assert dlg.changes() == {"description": "call back Monday"} and dlg.save_button.isEnabled()
    assert not dlg.notices["amount"].isVisible()  # the user had not touched it again: nothing to say
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    stored = deals.get_deal(db, deal.id)
    assert (stored.amount, stored.description) == (Decimal("150000000.00"), "call back Monday")
    assert warnings == []


def test_undo_under_a_field_being_retyped_shows_the_saved_value_and_keeps_the_typed_one_a_click_away(
        qtbot, ctx, db, deal, warnings):
    dlg = _dialog(qtbot, ctx, deal.id)
    dlg.amount_edit.setText("2,000,000")
    assert dlg.save()
    dlg.amount_edit.setText("3,000,000")  # typed again, not saved
    dlg.undo_action.trigger()
    assert dlg.amount_edit.text() == "150,000,000"  # what is stored now
    notice = dlg.notices["amount"]
    assert notice.isVisible()
    assert "Changed elsewhere while you were editing; this is the saved value. Yours was “3,000,000”." \
        in notice.text()
    notice.linkActivated.emit("amount")  # the notice's "Use mine" link
    assert dlg.amount_edit.text() == "3,000,000" and not notice.isVisible()
    assert dlg.save()
    assert deals.get_deal(db, deal.id).amount == Decimal("3000000.00") and warnings == []


def test_a_conflict_keeps_what_was_typed_and_marks_what_someone_else_changed(qtbot, ctx, db, deal, rep, warnings):
    """A colleague changes the amount while the rep writes a long description and a new
    title: the save is refused with one message naming the amount; the form shows their
    amount (marked) and keeps the rep's title and description; one more Save saves them."""
    dlg = _dialog(qtbot, ctx, deal.id)
    deals.update_deal(db, deal.id, expected_version=deal.version, actor_id=rep.id, amount="1")
    memo = "Met the CFO: budget 300M approved, signature planned for December; competitor quote being compared."
    qtbot.keyClicks(dlg.description_edit, memo)
    dlg.title_edit.setText("ERP rollout phase 2")
    assert dlg.save() is False

    assert warnings == [("Changed by someone else",
                         "“ERP rollout” was changed by someone else while you were editing: Amount. Those fields "
                         "now show their values (marked in the form); your other changes are kept. Nothing is "
                         "saved yet: check the form and press Save.")]
    assert dlg.amount_edit.text() == "1"
    assert dlg.notices["amount"].isVisible()
    assert dlg.notices["amount"].text() == "Changed by someone else while you were editing; this is their value."
    assert not dlg.notices["title"].isVisible() and not dlg.notices["description"].isVisible()
    assert (dlg.title_edit.text(), dlg.description_edit.toPlainText()) == ("ERP rollout phase 2", memo)
    assert dlg.save_button.isEnabled()

    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    stored = deals.get_deal(db, deal.id)
    assert (stored.title, stored.description, stored.amount) == ("ERP rollout phase 2", memo, Decimal("1.00"))
    assert len(warnings) == 1 and not dlg.notices["amount"].isVisible()


def test_a_conflict_on_the_field_the_user_changed_shows_theirs_and_keeps_mine_a_click_away(
        qtbot, ctx, db, deal, rep, warnings):
    dlg = _dialog(qtbot, ctx, deal.id)
    deals.update_deal(db, deal.id, expected_version=deal.version, actor_id=rep.id, amount="1")
    dlg.amount_edit.setText("99")
    assert dlg.save() is False
    assert len(warnings) == 1 and ": Amount." in warnings[0][1]
    assert dlg.amount_edit.text() == "1" and not dlg.is_dirty()
    assert "this is their value. Yours was “99”." in dlg.notices["amount"].text()
    dlg.notices["amount"].linkActivated.emit("amount")
    assert dlg.amount_edit.text() == "99"
    assert dlg.save()
    assert deals.get_deal(db, deal.id).amount == Decimal("99.00") and len(warnings) == 1


def test_a_conflict_in_no_field_of_the_form_keeps_every_change(qtbot, ctx, db, deal, manager, warnings):
    dlg = _dialog(qtbot, ctx, deal.id)
    gates.move_deal(db, deal.id, 2, actor_id=manager.id, override_reason="customer asked")  # a new version
    dlg.amount_edit.setText("99")
    assert dlg.save() is False
    assert warnings == [("Changed by someone else",
                         "“ERP rollout” was changed by someone else while you were editing, but not in the fields "
                         "you changed. Nothing is saved yet: your changes are still in the form; press Save to save "
                         "them.")]
    assert dlg.amount_edit.text() == "99" and not dlg.notices["amount"].isVisible()
    assert dlg.save()
    assert deals.get_deal(db, deal.id).amount == Decimal("99.00")


def test_history_service_unknown_deal(db):
    import uuid

    from app.errors import NotFound

    with pytest.raises(NotFound):
        history.stage_history(db, uuid.uuid4())


def test_models_pass_the_qt_model_tester(qtbot, qtmodeltester, ctx, db, deal, rep):
    satisfy_stage(db, deal.id, 1, rep.id, at=T0)
    gates.move_deal(db, deal.id, 2, actor_id=rep.id, at=T0 + timedelta(days=1))
    dlg = _dialog(qtbot, ctx, deal.id)
    for model in (dlg.checklist_model, dlg.history_model, dlg.close_model, dlg.activities_model):
        assert model.rowCount() > 0
        qtmodeltester.check(model)


def test_an_edit_undoes_after_the_deal_moved_but_not_over_someone_elses_change(qtbot, ctx, db, deal, rep,
                                                                                manager, warnings):
    dlg = _dialog(qtbot, ctx, deal.id)
    dlg.title_edit.setText("ERP rollout phase 2")
    assert dlg.save()
    # the deal moves afterwards (a new version): undoing the edit still works
    gates.move_deal(db, deal.id, 2, actor_id=manager.id, override_reason="customer asked")
    ctx.undo_stack.undo()
    assert deals.get_deal(db, deal.id).title == "ERP rollout" and warnings == []
    # someone else renames it: redoing would overwrite their title, so it is refused
    now = deals.get_deal(db, deal.id)
    deals.update_deal(db, deal.id, expected_version=now.version, actor_id=rep.id, title="Renamed elsewhere")
    ctx.undo_stack.redo()
    assert deals.get_deal(db, deal.id).title == "Renamed elsewhere"
    assert warnings == [("Cannot undo or redo", "The edit of “Renamed elsewhere” was not redone: Title has "
                                                "been changed since. The deal is shown as it is now.")]
    assert ctx.undo_stack.count() == 0  # the refused step dropped out


def test_the_quick_line_plans_a_task_and_logs_the_rest_as_done(qtbot, ctx, deal):
    """The same default as the Log activity dialog (activities.done_when_logged)."""
    dlg = _dialog(qtbot, ctx, deal.id)
    assert dlg.quick_done.isChecked() and not dlg.quick_due.isEnabled()
    dlg.quick_type.setCurrentIndex(dlg.quick_type.findData("task"))
    assert not dlg.quick_done.isChecked() and dlg.quick_due.isEnabled()
    dlg.quick_type.setCurrentIndex(dlg.quick_type.findData("meeting"))
    assert dlg.quick_done.isChecked()


# ------------------------------------------------------------------ in Korean

@pytest.fixture
def ko_ctx(db, rep):
    return AppContext(db=db, user_id=rep.id, user_name=rep.name, role="rep", lang="ko")


def test_in_korean_a_bad_amount_shows_the_service_error_in_korean(qtbot, korean, ko_ctx, db, deal):
    dlg = _dialog(qtbot, ko_ctx, deal.id)
    dlg.amount_edit.clear()
    qtbot.keyClicks(dlg.amount_edit, "12.345")  # the deal is in KRW: no minor unit
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert dlg.errors["amount"].isVisible()
    assert dlg.errors["amount"].text() == "KRW은(는) 소수 단위가 없습니다: 소수점 없이 정수 금액으로 입력하세요"
    assert deals.get_deal(db, deal.id).amount == Decimal("150000000.00")


def test_in_korean_errors_of_no_field_in_the_form_show_under_it_each_after_its_label(qtbot, korean, ko_ctx, db,
                                                                                      deal, monkeypatch):
    """A refusal naming fields the form has (next to them) and others (together under the
    form, as views.operations.validation_text says them: label first where the user knows it)."""
    from app.errors import Message, ValidationError

    def refuse(uow, deal_id, **changes):
        raise ValidationError({"stage": Message("the deal is already won"), "title": Message("a title is required"),
                               "checklist": Message("must be 0 or more")})

    monkeypatch.setattr(deals, "update_deal", refuse)
    dlg = _dialog(qtbot, ko_ctx, deal.id)
    dlg.title_edit.setText("새 제목")
    assert dlg.save() is False
    assert dlg.errors["title"].isVisible() and dlg.errors["title"].text() == "제목은 필수입니다"
    assert dlg.general_error.isVisible()
    assert dlg.general_error.text() == "단계: 이미 수주된 영업기회입니다; 0 이상이어야 합니다"


def test_in_korean_a_conflict_says_so_in_korean(qtbot, korean, ko_ctx, db, deal, rep, warnings):
    dlg = _dialog(qtbot, ko_ctx, deal.id)
    deals.update_deal(db, deal.id, expected_version=deal.version, actor_id=rep.id, title="다른 제목")
    dlg.amount_edit.setText("99")
    assert dlg.save() is False
    assert warnings == [("다른 사용자가 변경함",
                         "편집하는 동안 다른 사용자가 “다른 제목”을(를) 변경했습니다: 제목. 해당 항목에는 그 사용자가 "
                         "저장한 값을 표시하고 양식에 안내를 붙였으며, 나머지 변경 사항은 그대로 남아 있습니다. 아직 "
                         "저장되지 않았습니다. 양식을 확인한 뒤 저장을 누르세요.")]  # said once, in Korean
    assert dlg.title_edit.text() == "다른 제목" and dlg.amount_edit.text() == "99"
    assert dlg.notices["title"].text() == "편집하는 동안 다른 사용자가 변경한 항목입니다. 그 사용자가 저장한 값입니다."


def test_in_korean_the_evidence_column_says_file_and_link_in_words_not_emoji(qtbot, korean, ko_ctx, db, deal, rep):
    """📎 / 🔗 have no glyph in the Korean fonts (a box was drawn): the column says 파일 / 링크."""
    satisfy_stage(db, deal.id, 1, rep.id, at=T0)
    satisfy_stage(db, deal.id, 2, rep.id, at=T0)
    gates.move_deal(db, deal.id, 3, actor_id=rep.id, at=T0 + timedelta(days=1))
    with db.read() as s:
        dels = {d.key: d for d in active_stages(s)[2].deliverables}
    evidence.record_evidence(db, deal.id, dels["requirements_doc"].id, actor_id=rep.id,
                             file_path="/srv/share/영업/요구사항 v2.pdf")
    evidence.record_evidence(db, deal.id, dels["buying_committee"].id, actor_id=rep.id, note="CIO 확인",
                             link="https://example.com/org")
    dlg = _dialog(qtbot, ko_ctx, deal.id)
    m = dlg.checklist_model
    texts = {key: m.index(_row_of(m, key), ChecklistModel.COL_EVIDENCE).data()
             for key in ("requirements_doc", "buying_committee")}
    assert texts == {"requirements_doc": "파일: 요구사항 v2.pdf",
                     "buying_committee": "CIO 확인 · 링크: https://example.com/org"}
    assert all(ord(ch) < 0x1F000 for text in texts.values() for ch in text)  # no emoji left


def test_in_korean_the_quick_line_without_subject_says_so_in_korean(qtbot, korean, ko_ctx, db, deal):
    dlg = _dialog(qtbot, ko_ctx, deal.id)
    dlg.tabs.setCurrentIndex(2)
    qtbot.keyClick(dlg.quick_subject, Qt.Key.Key_Return)
    assert dlg.quick_error.isVisible() and dlg.quick_error.text() == "제목을 입력해 주세요"


def _history_at(qtbot, ctx, db, deal, rep, manager, width):
    satisfy_stage(db, deal.id, 1, rep.id, at=T0)
    gates.move_deal(db, deal.id, 2, actor_id=rep.id, at=T0 + timedelta(days=3))
    gates.move_deal(db, deal.id, 1, actor_id=rep.id, reason="budget frozen", at=T0 + timedelta(days=5))
    gates.move_deal(db, deal.id, 3, actor_id=manager.id, override_reason="CEO sponsor", at=T0 + timedelta(days=6))
    dlg = _dialog(qtbot, ctx, deal.id)
    dlg.resize(width, 640)
    dlg.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: dlg.history_view.isVisible())
    qtbot.wait(10)
    return dlg


def test_in_korean_at_1024_pixels_the_history_reason_is_not_squeezed_by_the_days_bar(
        qtbot, korean, ko_ctx, db, deal, rep, manager):
    dlg = _history_at(qtbot, ko_ctx, db, deal, rep, manager, 1024)
    view, hh = dlg.history_view, dlg.history_view.horizontalHeader()
    fm = view.fontMetrics()
    reason_w = hh.sectionSize(HistoryModel.COL_REASON)
    days_w = hh.sectionSize(HistoryModel.COL_DAYS)
    # the reasons are short: each fits whole (cell padding 8 px), not as "…"
    assert dlg.history_model.index(2, HistoryModel.COL_REASON).data() == "budget frozen"
    assert dlg.history_model.index(3, HistoryModel.COL_REASON).data() == "예외 승인: CEO sponsor"
    assert reason_w >= fm.horizontalAdvance("예외 승인: CEO sponsor") + 8, (reason_w, days_w)
    # the days column still holds its figure ("4.0") beside a bar, and all fits without scrolling
    assert days_w >= fm.horizontalAdvance("0000.0 ") + 4 + 8 + 24
    assert days_w < 150
    assert hh.length() <= view.viewport().width()
    assert dlg.close_edit.displayFormat() == "yyyy. M. d." and dlg.close_edit.text() == "2026. 3. 31."


def test_on_a_wide_screen_the_days_bar_keeps_its_room(qtbot, ctx, db, deal, rep, manager):
    dlg = _history_at(qtbot, ctx, db, deal, rep, manager, 1600)
    hh = dlg.history_view.horizontalHeader()
    assert hh.sectionSize(HistoryModel.COL_DAYS) == 150
    assert hh.sectionSize(HistoryModel.COL_REASON) > 150
    assert dlg.close_edit.displayFormat() == "M/d/yyyy"


def test_in_korean_an_undone_move_reads_in_korean_in_the_history(qtbot, korean, ko_ctx, db, deal, manager):
    """The reason the program writes on an undo is stored in English (like any reason, for
    the CLI and the data) and shown in the interface language; a person's reason as typed."""
    from app.services import gates

    moved = gates.move_deal(db, deal.id, 2, actor_id=manager.id, override_reason="고객 요청")
    gates.undo_move(db, moved.transition_id, actor_id=manager.id)
    with db.read() as s:
        from sqlalchemy import select

        from app.models import StageTransition
        stored = s.scalars(select(StageTransition.reason).where(StageTransition.opportunity_id == deal.id)
                           .order_by(StageTransition.at)).all()
    assert stored[-1] == "Undo of forward move"
    dlg = _dialog(qtbot, ko_ctx, deal.id)
    m = dlg.history_model
    reasons = [m.index(r, HistoryModel.COL_REASON).data() for r in range(m.rowCount())]
    assert reasons[-1] == "진행 이동 실행 취소"
    assert any("고객 요청" in (r or "") for r in reasons)  # a person's words stay as written
