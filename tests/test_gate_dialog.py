"""The gate dialog and satisfy_deliverable, driven offscreen with the modal prompts patched."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import satisfy_stage
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QInputDialog, QMessageBox

from app.models import Opportunity, StageTransition
from app.services import deals, gates, people
from app.services.process import active_stages
from app.views import gate_dialog
from app.views.context import AppContext
from app.views.gate_dialog import FieldDialog, GateDialog, run_move, satisfy_deliverable


def make_ctx(db, user) -> AppContext:
    return AppContext(db=db, user_id=user.id, user_name=user.name, role=user.role, lang="en")


@pytest.fixture
def deal(db, rep):
    src = people.create_lead_source(db, "Web")
    acc = people.create_account(db, "Hanil Steel")
    con = people.create_contact(db, "Park", acc.id)
    return deals.create_deal(db, title="ERP rollout", owner_id=rep.id, account_id=acc.id,
                             contact_id=con.id, lead_source_id=src.id)


def deliverable(db, position, key):
    with db.read() as s:
        return next(d for d in active_stages(s)[position - 1].deliverables if d.key == key)


def stage_of(db, deal_id):
    with db.read() as s:
        deal = s.get(Opportunity, deal_id)
        return next(st.position for st in active_stages(s) if st.id == deal.stage_id), deal.status


def to_stage(db, deal_id, position, actor_id):
    for p in range(1, position):
        if p == 4:
            d = deals.get_deal(db, deal_id)
            deals.update_deal(db, deal_id, expected_version=d.version, actor_id=actor_id,
                              amount="1000", expected_close="2026-12-31")
        satisfy_stage(db, deal_id, p, actor_id)
        gates.move_deal(db, deal_id, p + 1, actor_id=actor_id)


def test_satisfy_check_with_note(qtbot, db, rep, deal, monkeypatch):
    to_stage(db, deal.id, 2, rep.id)
    ctx = make_ctx(db, rep)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("CFO confirmed budget", True))
    d = deliverable(db, 2, "budget")
    with qtbot.waitSignal(ctx.hub.pipeline_changed):
        assert satisfy_deliverable(ctx, deal.id, d.id) is True
    item = next(i for i in gates.checklist(db, deal.id) if i.key == "budget")
    assert item.satisfied and item.note == "CFO confirmed budget" and item.by == "Kim Min-su"


def test_required_note_is_asked_again_and_cancel_records_nothing(qtbot, db, rep, deal, monkeypatch):
    to_stage(db, deal.id, 5, rep.id)
    ctx = make_ctx(db, rep)
    answers = iter([("", True), ("", False)])
    warned = []
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: next(answers))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a))
    d = deliverable(db, 5, "evaluation_result")
    assert satisfy_deliverable(ctx, deal.id, d.id) is False
    assert len(warned) == 1
    assert not next(i for i in gates.checklist(db, deal.id) if i.key == "evaluation_result").satisfied


def test_satisfy_document_by_file_and_by_link(qtbot, db, rep, deal, monkeypatch, tmp_path):
    to_stage(db, deal.id, 4, rep.id)
    ctx = make_ctx(db, rep)
    f = tmp_path / "proposal.pdf"
    f.write_bytes(b"%PDF")
    monkeypatch.setattr(gate_dialog.QFileDialog, "getOpenFileName", lambda *a, **k: (str(f), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("https://docs.example/quote", True))
    assert satisfy_deliverable(ctx, deal.id, deliverable(db, 4, "proposal_doc").id, how="file")
    assert satisfy_deliverable(ctx, deal.id, deliverable(db, 4, "price_quote").id, how="link")
    items = {i.key: i for i in gates.checklist(db, deal.id)}
    assert items["proposal_doc"].file_path == str(f)
    assert items["price_quote"].link == "https://docs.example/quote"


def test_satisfy_field_through_field_dialog_and_undo(qtbot, db, rep, deal, monkeypatch):
    to_stage(db, deal.id, 4, rep.id)
    ctx = make_ctx(db, rep)

    def fill(self):
        self.set_value("amount", "250,000,000")
        self.set_value("expected_close", date(2026, 9, 30))
        self.save()
        return self.result()

    monkeypatch.setattr(FieldDialog, "exec", fill)
    assert satisfy_deliverable(ctx, deal.id, deliverable(db, 4, "amount_close_date").id)
    got = deals.get_deal(db, deal.id)
    assert got.amount == Decimal("250000000.00") and got.expected_close == date(2026, 9, 30)
    ctx.undo_stack.undo()
    got = deals.get_deal(db, deal.id)
    assert got.amount is None and got.expected_close is None


def test_field_dialog_shows_validation_error_next_to_field(qtbot, db, rep, deal):
    ctx = make_ctx(db, rep)
    dlg = FieldDialog(ctx, deal.id, ("amount",))
    qtbot.addWidget(dlg)
    dlg.set_value("amount", "-5")
    dlg.save()
    assert not dlg.errors["amount"].isHidden()
    assert "0 or more" in dlg.errors["amount"].text()
    assert deals.get_deal(db, deal.id).amount is None


def test_field_dialog_new_account_and_contact_are_saved_with_the_deal_in_one_go(qtbot, db, rep):
    """Typing new names creates the account and its contact and links them to the deal in
    one transaction, announced once; a refused save leaves no stray account behind."""
    from app.models import Account, Contact

    ctx = make_ctx(db, rep)
    bare = deals.create_deal(db, title="Press line", owner_id=rep.id)
    heard = []
    ctx.hub.pipeline_changed.connect(lambda changes, _i: heard.append(changes))

    dlg = FieldDialog(ctx, bare.id, ("account_id", "contact_id", "amount"))
    qtbot.addWidget(dlg)
    dlg.set_value("account_id", "Daehan Motors")
    dlg.set_value("contact_id", "Lee Jiwon")
    dlg.set_value("amount", "12.5")  # KRW has no minor unit: the whole save is refused
    dlg.save()
    assert not dlg.errors["amount"].isHidden() and dlg.result() != QDialog.DialogCode.Accepted
    with db.read() as s:
        assert s.query(Account).filter_by(name="Daehan Motors").count() == 0
        assert s.query(Contact).filter_by(name="Lee Jiwon").count() == 0
    assert heard == []

    dlg.set_value("amount", "12500000")
    dlg.save()
    assert dlg.result() == QDialog.DialogCode.Accepted
    got = deals.get_deal(db, bare.id)
    with db.read() as s:
        acc = s.get(Account, got.account_id)
        con = s.get(Contact, got.contact_id)
        assert acc.name == "Daehan Motors" and con.name == "Lee Jiwon" and con.account_id == acc.id
    assert len(heard) == 1 and heard[0].deal_ids == {bare.id} and {"people", "edited"} <= heard[0].kinds


def test_field_dialog_takes_a_name_typed_in_another_case_for_the_existing_one(qtbot, db, rep, deal):
    """'HANIL  steel' typed into the account picker is Hanil Steel (the app's one name rule,
    name_key), not a second account; a new name still makes a new one."""
    from app.models import Account

    ctx = make_ctx(db, rep)
    bare = deals.create_deal(db, title="Press line", owner_id=rep.id)
    dlg = FieldDialog(ctx, bare.id, ("account_id",))
    qtbot.addWidget(dlg)
    dlg.set_value("account_id", "HANIL  steel")
    dlg.save()
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert deals.get_deal(db, bare.id).account_id == deal.account_id
    with db.read() as s:
        assert s.query(Account).count() == 1


def test_satisfy_activity_logs_done_activity_in_that_stage(qtbot, db, rep, deal, monkeypatch):
    ctx = make_ctx(db, rep)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("Meeting", True))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Intro meeting", True))
    assert satisfy_deliverable(ctx, deal.id, deliverable(db, 1, "first_contact").id)
    assert gates.missing_for_move(db, deal.id, 2) == []


def test_rep_sees_no_override_manager_does(qtbot, db, rep, manager, deal):
    to_stage(db, deal.id, 2, rep.id)
    rep_dlg = GateDialog(make_ctx(db, rep), deal.id, 3)
    qtbot.addWidget(rep_dlg)
    assert rep_dlg.findChild(type(rep_dlg.move_button), "override") is None
    assert rep_dlg.override_button is None
    mgr_dlg = GateDialog(make_ctx(db, manager), deal.id, 3)
    qtbot.addWidget(mgr_dlg)
    assert mgr_dlg.override_button is not None and not mgr_dlg.override_button.isHidden()
    assert not mgr_dlg.move_button.isEnabled()


def test_refused_then_satisfied_in_dialog_then_moved(qtbot, db, rep, deal, monkeypatch):
    to_stage(db, deal.id, 2, rep.id)
    ctx = make_ctx(db, rep)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("confirmed", True))

    def drive(self):
        assert len(self.missing) == 4  # budget, authority, need, timeline
        for key in ("budget", "authority", "need", "timeline"):
            btn = next(b for (_id, how), b in self.satisfy_buttons.items() if b.objectName() == f"satisfy-{key}-check")
            qtbot.mouseClick(btn, Qt.MouseButton.LeftButton)
        assert self.missing == [] and self.move_button.isEnabled()
        qtbot.mouseClick(self.move_button, Qt.MouseButton.LeftButton)
        return self.result()

    monkeypatch.setattr(GateDialog, "exec", drive)
    result = run_move(ctx, deal.id, 3)
    assert result is not None and result.to_stage == 3 and not result.overridden
    assert stage_of(db, deal.id) == (3, "open")
    assert ctx.undo_stack.count() == 1


def test_cancel_leaves_deal_where_it_was(qtbot, db, rep, deal, monkeypatch):
    to_stage(db, deal.id, 2, rep.id)
    ctx = make_ctx(db, rep)
    monkeypatch.setattr(GateDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert run_move(ctx, deal.id, 3) is None
    assert stage_of(db, deal.id) == (2, "open")
    assert ctx.undo_stack.count() == 0


def test_manager_override_needs_reason_and_is_stored(qtbot, db, manager, deal, monkeypatch):
    to_stage(db, deal.id, 2, manager.id)
    ctx = make_ctx(db, manager)
    answers = iter([("  ", True), ("Exec sponsor signed off", True)])
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: next(answers))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    dlg = GateDialog(ctx, deal.id, 3)
    qtbot.addWidget(dlg)
    qtbot.mouseClick(dlg.override_button, Qt.MouseButton.LeftButton)
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert dlg.move_result.overridden
    with db.read() as s:
        tr = s.get(StageTransition, dlg.move_result.transition_id)
        assert tr.override_reason == "Exec sponsor signed off"
    assert stage_of(db, deal.id) == (3, "open")


def test_a_won_deal_dropped_on_lost_is_refused_before_any_question(qtbot, db, manager, deal, monkeypatch):
    gates.move_deal(db, deal.id, "won", actor_id=manager.id, override_reason="signed early")
    asked, warned = [], []
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: asked.append(a) or ("", False))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a: warned.append(text))
    assert run_move(make_ctx(db, manager), deal.id, "lost") is None
    assert asked == [] and len(warned) == 1 and "reopen it into a stage first" in warned[0]
    assert stage_of(db, deal.id)[1] == "won"


# ------------------------------------------------------------------ in Korean

def korean_ctx(db, user) -> AppContext:
    return AppContext(db=db, user_id=user.id, user_name=user.name, role=user.role, lang="ko")


def test_in_korean_a_refused_move_opens_the_gate_dialog_in_korean(qtbot, korean, db, rep, deal, monkeypatch):
    from PySide6.QtWidgets import QGroupBox

    to_stage(db, deal.id, 2, rep.id)
    seen = {}

    def look(self):
        seen.update(title=self.windowTitle(), intro=self.intro.text(),
                    groups=[g.title() for g in self.scroll.widget().findChildren(QGroupBox)])
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(GateDialog, "exec", look)
    assert run_move(korean_ctx(db, rep), deal.id, 3) is None
    assert seen == {"title": "단계 게이트",
                    "intro": "“ERP rollout”은(는) 아직 3. 요구사항 분석(으)로 이동할 수 없습니다. "
                             "아래의 누락된 단계 완료 요건을 기록한 뒤 이동하세요.",
                    "groups": ["2. 영업기회 확인"]}


def test_in_korean_a_won_deal_dropped_on_lost_is_refused_in_korean(qtbot, korean, db, manager, deal, warnings):
    gates.move_deal(db, deal.id, "won", actor_id=manager.id, override_reason="signed early")
    assert run_move(korean_ctx(db, manager), deal.id, "lost") is None
    assert warnings == [("이동할 수 없습니다", "수주된 영업기회입니다. 먼저 단계로 재개하세요")]


def test_in_korean_a_redo_the_gate_refuses_says_so_in_korean(qtbot, korean, db, rep, deal, warnings):
    """Undo a move, withdraw a deliverable it needed, redo: the gate refuses and the message
    box says why in Korean, with the stage and deliverable names of the template's Korean side."""
    from app.services import evidence

    to_stage(db, deal.id, 2, rep.id)
    satisfy_stage(db, deal.id, 2, rep.id)
    ctx = korean_ctx(db, rep)
    assert run_move(ctx, deal.id, 3).to_stage == 3
    ctx.undo_stack.undo()
    assert stage_of(db, deal.id) == (2, "open")
    budget = next(i for i in gates.checklist(db, deal.id) if i.key == "budget")
    evidence.withdraw_evidence(db, budget.evidence_id, actor_id=rep.id)
    ctx.undo_stack.redo()
    assert warnings == [("실행 취소 또는 다시 실행을 할 수 없습니다",
                         "단계 게이트를 통과하지 못했습니다. 누락된 요건: 2단계 영업기회 확인: 예산 확인")]
    assert stage_of(db, deal.id) == (2, "open")


def test_in_korean_the_field_dialog_shows_the_service_error_in_korean(qtbot, korean, db, rep, deal):
    dlg = FieldDialog(korean_ctx(db, rep), deal.id, ("amount",))
    qtbot.addWidget(dlg)
    dlg.set_value("amount", "-5")
    dlg.save()
    assert not dlg.errors["amount"].isHidden()
    assert dlg.errors["amount"].text() == "0 이상이어야 합니다"


def test_in_korean_a_lost_gate_with_nothing_missing_says_it_can_move(qtbot, korean, db, manager, deal):
    assert gates.missing_for_move(db, deal.id, "lost") == []
    dlg = GateDialog(korean_ctx(db, manager), deal.id, "lost")
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.intro.text() == "“ERP rollout”은(는) 실주(으)로 이동할 수 있습니다."
    assert dlg.done_label.isVisible() and dlg.done_label.text() == "게이트 요건이 모두 기록되었습니다."
    assert not dlg.scroll.isVisible()  # no empty list under it
    assert dlg.move_button.isEnabled() and dlg.move_button.text() == "이동"
    assert not dlg.override_button.isVisible()


def test_in_korean_the_intro_changes_once_the_last_item_is_recorded(qtbot, korean, db, rep, deal, monkeypatch):
    to_stage(db, deal.id, 2, rep.id)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("확인함", True))
    dlg = GateDialog(korean_ctx(db, rep), deal.id, 3)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.intro.text().startswith("“ERP rollout”은(는) 아직 3. 요구사항 분석(으)로 이동할 수 없습니다.")
    assert dlg.scroll.isVisible() and not dlg.move_button.isEnabled()
    for key in ("budget", "authority", "need", "timeline"):
        btn = next(b for b in dlg.satisfy_buttons.values() if b.objectName() == f"satisfy-{key}-check")
        qtbot.mouseClick(btn, Qt.MouseButton.LeftButton)
    assert dlg.missing == []
    assert dlg.intro.text() == "“ERP rollout”은(는) 3. 요구사항 분석(으)로 이동할 수 있습니다."
    assert dlg.move_button.isEnabled() and not dlg.scroll.isVisible()


def test_in_korean_the_field_dialog_date_reads_as_a_korean_date(qtbot, korean, db, rep, deal):
    d = deals.get_deal(db, deal.id)
    deals.update_deal(db, deal.id, expected_version=d.version, actor_id=rep.id, expected_close="2026-09-30")
    dlg = FieldDialog(korean_ctx(db, rep), deal.id, ("amount", "expected_close"))
    qtbot.addWidget(dlg)
    edit = dlg.editors["expected_close"]
    assert edit.displayFormat() == "yyyy. M. d." and edit.text() == "2026. 9. 30."


def test_in_english_the_field_dialog_date_reads_month_first(qtbot, db, rep, deal):
    d = deals.get_deal(db, deal.id)
    deals.update_deal(db, deal.id, expected_version=d.version, actor_id=rep.id, expected_close="2026-09-30")
    dlg = FieldDialog(make_ctx(db, rep), deal.id, ("expected_close",))
    qtbot.addWidget(dlg)
    assert dlg.editors["expected_close"].text() == "9/30/2026"



def click_save(qtbot, dlg) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    button = dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_field_dialog_refuses_an_empty_needed_field_under_it_and_stays_open(qtbot, db, rep, deal):
    """The deliverable needs the decision maker: Save with the picker empty says so under it,
    the dialog stays open, nothing is saved, announced or put on the undo stack."""
    ctx = make_ctx(db, rep)
    bare = deals.create_deal(db, title="Press line", owner_id=rep.id, account_id=deal.account_id)
    heard = []
    ctx.hub.pipeline_changed.connect(lambda changes, _i: heard.append(changes))
    dlg = FieldDialog(ctx, bare.id, ("contact_id", "amount"))
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.editors["contact_id"].currentText() == ""
    dlg.set_value("amount", "5000000")
    click_save(qtbot, dlg)
    assert dlg.isVisible() and dlg.result() != QDialog.DialogCode.Accepted
    assert dlg.errors["contact_id"].isVisible()
    assert dlg.errors["contact_id"].text() == "Required to pass the stage gate"
    assert dlg.errors["amount"].isHidden()
    got = deals.get_deal(db, bare.id)
    assert got.contact_id is None and got.amount is None and got.version == bare.version
    assert heard == [] and ctx.undo_stack.count() == 0

    dlg.editors["contact_id"].setCurrentIndex(dlg.editors["contact_id"].findText("Park"))
    click_save(qtbot, dlg)  # filled in: saved, one undo step, the error gone
    assert dlg.result() == QDialog.DialogCode.Accepted and not dlg.isVisible()
    got = deals.get_deal(db, bare.id)
    assert got.contact_id == deal.contact_id and got.amount == Decimal("5000000")
    assert len(heard) == 1 and ctx.undo_stack.count() == 1


def test_in_korean_the_field_dialog_says_required_in_korean(qtbot, korean, db, rep, deal):
    bare = deals.create_deal(db, title="Press line", owner_id=rep.id)
    dlg = FieldDialog(korean_ctx(db, rep), bare.id, ("amount",))
    qtbot.addWidget(dlg)
    dlg.show()
    click_save(qtbot, dlg)
    err = dlg.errors["amount"]
    assert dlg.isVisible() and err.text() == "단계 게이트를 통과하려면 입력해야 합니다"
    qtbot.waitUntil(lambda: err.height() >= err.heightForWidth(err.width()))  # all of it shows (was cut off)


def test_field_dialog_with_nothing_changed_saves_nothing_and_pushes_no_undo_step(qtbot, db, rep, deal):
    ctx = make_ctx(db, rep)
    d = deals.get_deal(db, deal.id)
    d = deals.update_deal(db, deal.id, expected_version=d.version, actor_id=rep.id, amount="1000")
    heard = []
    ctx.hub.pipeline_changed.connect(lambda changes, _i: heard.append(changes))
    dlg = FieldDialog(ctx, deal.id, ("contact_id", "lead_source_id", "amount"))
    qtbot.addWidget(dlg)
    dlg.show()
    # the pickers open on the deal's own choices (they opened empty: Save then cleared them)
    assert [dlg.editors[n].currentText() for n in ("contact_id", "lead_source_id")] == ["Park", "Web"]
    assert dlg.editors["amount"].text() == "1000.00"
    click_save(qtbot, dlg)
    assert dlg.result() == QDialog.DialogCode.Accepted  # all there already: nothing to ask
    assert deals.get_deal(db, deal.id).version == d.version
    assert heard == [] and ctx.undo_stack.count() == 0


def test_field_dialog_saves_the_date_boxs_default_for_an_empty_date(qtbot, db, rep, deal):
    """An empty expected close opens as today + 30 days; saving it untouched records that
    date (it is a change, not 'nothing changed')."""
    from datetime import timedelta

    ctx = make_ctx(db, rep)
    dlg = FieldDialog(ctx, deal.id, ("expected_close",))
    qtbot.addWidget(dlg)
    dlg.show()
    click_save(qtbot, dlg)
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert deals.get_deal(db, deal.id).expected_close == date.today() + timedelta(days=30)
    assert ctx.undo_stack.count() == 1
