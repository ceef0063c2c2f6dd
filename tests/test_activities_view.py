"""Activities view with a fixed clock, the Ctrl+L dialog driven by keyboard only, reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import T0
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from app.models import Activity
from app.services import activities, deals
from app.views.activities_view import ActivitiesModel, ActivitiesView, Role
from app.views.context import AppContext, Changes
from app.views.log_activity import LogActivityDialog
from app.views.reminders import ReminderService

NOW = T0 + timedelta(hours=3)  # 2026-01-05 12:00 UTC


@pytest.fixture
def ctx(db, rep):
    return AppContext(db=db, user_id=rep.id, user_name=rep.name, role="rep")


@pytest.fixture
def deal(db, rep):
    return deals.create_deal(db, title="Cloud migration", owner_id=rep.id, at=T0)


@pytest.fixture
def sample(db, rep, manager, deal):
    log = activities.log_activity
    return {
        "overdue": log(db, type="call", subject="Call back CFO", owner_id=rep.id, deal_id=deal.id,
                       due_at=NOW - timedelta(hours=2)),
        "today": log(db, type="email", subject="Send agenda", owner_id=rep.id,
                     due_at=NOW + timedelta(minutes=10)),
        "upcoming": log(db, type="meeting", subject="Workshop", owner_id=rep.id, deal_id=deal.id,
                        due_at=NOW + timedelta(days=3)),
        "someday": log(db, type="task", subject="Update org chart", owner_id=rep.id),
        "done": log(db, type="call", subject="Intro call", owner_id=rep.id, due_at=T0, done_at=T0),
        "other": log(db, type="call", subject="Manager's own call", owner_id=manager.id,
                     due_at=NOW - timedelta(hours=1)),
    }


def _view(qtbot, ctx):
    view = ActivitiesView(ctx, now=lambda: NOW)
    qtbot.addWidget(view)
    view.show()
    return view


def test_groups_overdue_today_upcoming_with_done_hidden(qtbot, ctx, sample):
    view = _view(qtbot, ctx)
    assert view.group_of_rows() == [("overdue", "Call back CFO"), ("today", "Send agenda"),
                                    ("upcoming", "Workshop"), ("someday", "Update org chart")]
    assert view.summary.text() == "Overdue: 1 · Today: 1 · Upcoming: 1"
    view.show_done.setChecked(True)
    assert view.group_of_rows()[-1] == ("done", "Intro call")
    idx = view.proxy.index(0, ActivitiesModel.COL_GROUP)
    assert idx.data() == "Overdue"
    assert view.proxy.index(0, ActivitiesModel.COL_DEAL).data() == "Cloud migration"


def test_filter_by_type(qtbot, ctx, sample):
    view = _view(qtbot, ctx)
    view.type_combo.setCurrentIndex(view.type_combo.findData("meeting"))
    assert view.group_of_rows() == [("upcoming", "Workshop")]
    view.type_combo.setCurrentIndex(view.type_combo.findData(""))
    assert len(view.group_of_rows()) == 4


def test_mark_done_hides_the_row_and_announces(qtbot, ctx, db, sample):
    view = _view(qtbot, ctx)
    assert view.select(sample["overdue"].id)
    assert view.done_button.isEnabled() and view.open_button.isEnabled()
    with qtbot.waitSignal(ctx.hub.pipeline_changed) as sig:
        qtbot.mouseClick(view.done_button, Qt.MouseButton.LeftButton)
    assert sig.args[0].kinds == {"activity"}
    row = next(r for r in activities.list_activities(db) if r.id == sample["overdue"].id)
    assert row.done_at == NOW
    assert [s for _g, s in view.group_of_rows()] == ["Send agenda", "Workshop", "Update org chart"]


def test_mark_done_is_one_announcement_from_the_view_for_the_deal(qtbot, ctx, deal, sample, heard, warnings):
    view = _view(qtbot, ctx)
    view.select(sample["overdue"].id)
    qtbot.mouseClick(view.done_button, Qt.MouseButton.LeftButton)
    assert heard == [(Changes.of("activity", deals=[deal.id]), view)]
    assert warnings == []


def test_an_activity_deleted_meanwhile_is_one_message_and_no_announcement(qtbot, ctx, db, sample, heard,
                                                                          warnings):
    view = _view(qtbot, ctx)
    view.select(sample["overdue"].id)
    with db.write() as s:  # someone else removed it since the list was read
        s.delete(s.get(Activity, sample["overdue"].id))
    qtbot.mouseClick(view.done_button, Qt.MouseButton.LeftButton)
    assert len(warnings) == 1 and warnings[0][0] == "Mark done" and "not found" in warnings[0][1]
    assert heard == []


def test_logging_from_the_tab_shows_the_new_row_after_one_reload(qtbot, ctx, db, deal, sample, heard,
                                                                 monkeypatch):
    view = _view(qtbot, ctx)
    view.select(sample["upcoming"].id)  # its deal is the new activity's deal
    reloads = []
    original = view.reload
    monkeypatch.setattr(view, "reload", lambda: reloads.append(1) or original())

    def fill_and_save(dlg):  # the user types a subject and presses Enter
        dlg.show()
        qtbot.keyClicks(dlg.subject, "Send the proposal")
        qtbot.keyClick(dlg.subject, Qt.Key.Key_Return)
        return dlg.result()

    monkeypatch.setattr(LogActivityDialog, "exec", fill_and_save)
    qtbot.mouseClick(view.log_button, Qt.MouseButton.LeftButton)
    assert len(heard) == 1 and heard[0][0] == Changes.of("activity", deals=[deal.id])
    assert isinstance(heard[0][1], LogActivityDialog)
    assert reloads == [1]
    assert ("today", "Send the proposal") not in view.group_of_rows()  # done now: hidden with the done ones
    view.show_done.setChecked(True)
    assert "Send the proposal" in [s for _g, s in view.group_of_rows()]


def test_refreshes_on_pipeline_changed_and_opens_the_deal(qtbot, ctx, db, rep, deal, sample, monkeypatch):
    view = _view(qtbot, ctx)
    activities.log_activity(db, type="note", subject="Budget cut rumour", owner_id=rep.id,
                            due_at=NOW + timedelta(days=1))
    ctx.changed(Changes.of("activity"), None)
    assert ("upcoming", "Budget cut rumour") in view.group_of_rows()

    opened = []
    monkeypatch.setattr("app.views.deal_dialog.DealDialog.exec", lambda self: opened.append(self.deal_id) or 0)
    view.select(sample["upcoming"].id)
    view.open_deal()
    assert opened == [deal.id]


def test_time_passing_moves_today_to_overdue(qtbot, ctx, sample):
    clock = [NOW]
    view = ActivitiesView(ctx, now=lambda: clock[0])
    qtbot.addWidget(view)
    clock[0] = NOW + timedelta(minutes=20)
    view._tick()
    assert [g for g, _s in view.group_of_rows()][:2] == ["overdue", "overdue"]
    assert view.proxy.index(0, 0).data(Role.Group) == "overdue"


def test_log_activity_dialog_keyboard_only(qtbot, ctx, db, deal):
    dlg = LogActivityDialog(ctx, deal.id, now=lambda: NOW)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    qtbot.keyClick(dlg.type_combo, Qt.Key.Key_M)  # M = meeting
    assert dlg.type_combo.currentData() == "meeting"
    qtbot.keyClick(dlg.type_combo, Qt.Key.Key_Tab)
    qtbot.keyClicks(dlg.subject, "Demo for the CTO")
    with qtbot.waitSignal(ctx.hub.pipeline_changed) as sig:
        qtbot.keyClick(dlg.subject, Qt.Key.Key_Return)
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert sig.args[0].deal_ids == {deal.id} and sig.args[0].kinds == {"activity"}
    rows = activities.list_activities(db, deal_id=deal.id)
    assert [(r.type, r.subject, r.done_at) for r in rows] == [("meeting", "Demo for the CTO", NOW)]


def test_quick_log_announces_exactly_one_activity_change_for_the_deal(qtbot, ctx, db, deal, heard, warnings):
    dlg = LogActivityDialog(ctx, deal.id, now=lambda: NOW)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClick(dlg.type_combo, Qt.Key.Key_C)
    qtbot.keyClicks(dlg.subject, "Called the buyer")
    qtbot.keyClick(dlg.subject, Qt.Key.Key_Return)
    assert heard == [(Changes.of("activity", deals=[deal.id]), dlg)]
    assert warnings == [] and dlg.result() == QDialog.DialogCode.Accepted
    assert [r.id for r in activities.list_activities(db, deal_id=deal.id)] == [dlg.saved_activity_id]


def test_a_refused_quick_log_keeps_the_dialog_open_and_announces_nothing(qtbot, ctx, db, heard, warnings):
    dlg = LogActivityDialog(ctx, None, now=lambda: NOW)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.subject, "   ")
    qtbot.keyClick(dlg.subject, Qt.Key.Key_Return)
    assert dlg.subject_error.isVisible() and dlg.subject_error.text() == "A subject is required"
    assert warnings == [] and heard == [] and dlg.isVisible()
    assert activities.list_activities(db) == []


def test_log_task_with_due_date_and_deal_from_completer(qtbot, ctx, db, deal):
    dlg = LogActivityDialog(ctx, None, now=lambda: NOW)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClick(dlg.type_combo, Qt.Key.Key_T)  # a task is not done yet by default
    assert not dlg.done_now.isChecked() and dlg.due.isEnabled()
    qtbot.keyClicks(dlg.subject, "Prepare quote")
    qtbot.keyClicks(dlg.deal_edit, "cloud")
    assert dlg._completer_model.stringList() == ["Cloud migration"]
    dlg.deal_edit.setText("Cloud migration")
    due = dlg.due.dateTime()
    qtbot.keyClick(dlg.deal_edit, Qt.Key.Key_Return)
    assert dlg.result() == QDialog.DialogCode.Accepted
    row = activities.list_activities(db, deal_id=deal.id)[0]
    assert row.type == "task" and row.done_at is None
    assert int(row.due_at.timestamp()) == due.toSecsSinceEpoch()


def test_log_activity_dialog_errors_next_to_fields(qtbot, ctx, db):
    dlg = LogActivityDialog(ctx, None, now=lambda: NOW)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClick(dlg.subject, Qt.Key.Key_Return)
    assert dlg.result() != QDialog.DialogCode.Accepted and dlg.isVisible()
    assert dlg.subject_error.isVisible()
    qtbot.keyClicks(dlg.subject, "Something")
    dlg.deal_edit.setText("no such deal")
    qtbot.keyClick(dlg.subject, Qt.Key.Key_Return)
    assert dlg.deal_error.isVisible() and not dlg.subject_error.isVisible()
    assert activities.list_activities(db) == []


def test_reminder_fires_once_for_an_activity_that_fell_due(qtbot, ctx, db, rep, manager):
    clock = [NOW]
    due = activities.log_activity(db, type="call", subject="Call back CFO", owner_id=rep.id,
                                  due_at=NOW - timedelta(minutes=1))
    activities.log_activity(db, type="call", subject="long overdue", owner_id=rep.id,
                            due_at=NOW - timedelta(days=2))  # before the watched window
    activities.log_activity(db, type="call", subject="not mine", owner_id=manager.id,
                            due_at=NOW - timedelta(minutes=1))
    service = ReminderService(ctx, None, interval_ms=20, since=NOW - timedelta(hours=1),
                              now=lambda: clock[0])
    try:
        with qtbot.waitSignal(service.activity_due, timeout=3000) as sig:
            pass
        assert sig.args[0].id == due.id
        boxes = [b for b in service._boxes if b.isVisible()]
        assert len(boxes) == 1 and not boxes[0].isModal() and "Call back CFO" in boxes[0].text()
        assert service.check() == []  # once per activity
        later = activities.log_activity(db, type="meeting", subject="Kick-off", owner_id=rep.id,
                                        due_at=NOW + timedelta(minutes=5))
        clock[0] = NOW + timedelta(minutes=6)
        with qtbot.waitSignal(service.activity_due, timeout=3000) as sig:
            pass
        assert sig.args[0].id == later.id
    finally:
        service.stop()
    assert not any(isinstance(b, QMessageBox) and b.isVisible() for b in service._boxes)


def test_models_pass_the_qt_model_tester(qtmodeltester, ctx, sample):
    model = ActivitiesModel(now=lambda: NOW)
    model.set_rows(activities.list_activities(ctx.db, owner_id=ctx.user_id))
    qtmodeltester.check(model)
    from app.views.activities_view import ActivitiesFilter

    proxy = ActivitiesFilter()
    proxy.setSourceModel(model)
    proxy.set_type("call")
    qtmodeltester.check(proxy)
    assert proxy.rowCount() == 1  # the rep's open call; the done one is hidden


def test_a_typed_deal_title_finds_its_deal_among_many_alike(qtbot, ctx, db, rep):
    """Typed without the completer: the exact title (case aside) picks the deal even when
    many open deals contain the same words."""
    for i in range(5):
        deals.create_deal(db, title=f"ERP rollout phase {i}", owner_id=rep.id, at=T0)
    erp = deals.create_deal(db, title="erp rollout", owner_id=rep.id, at=T0)  # sorts after the others
    dlg = LogActivityDialog(ctx, None, now=lambda: NOW)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.subject, "Kick-off call")
    dlg.deal_edit.setText("ERP Rollout")
    qtbot.keyClick(dlg.subject, Qt.Key.Key_Return)
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert [a.subject for a in activities.list_activities(db, deal_id=erp.id)] == ["Kick-off call"]


def test_subject_column_sorts_in_the_apps_one_text_order(qtbot, ctx, db, rep):
    """Clicking Subject sorts as every list of the app does (collation: the name key, case
    folded, by code point): apple, Bob, élan, Émile ('éla' < 'émi'), 김민수; comparing the text
    itself put Émile (U+00C9) before élan (U+00E9) and Bob after them if lower case."""
    for subject in ["élan", "김민수", "Bob", "Émile", "apple"]:
        activities.log_activity(db, type="task", subject=subject, owner_id=rep.id)
    view = _view(qtbot, ctx)
    view.view.sortByColumn(ActivitiesModel.COL_SUBJECT, Qt.SortOrder.AscendingOrder)
    proxy = view.view.model()
    shown = [proxy.index(r, ActivitiesModel.COL_SUBJECT).data() for r in range(proxy.rowCount())]
    assert shown == ["apple", "Bob", "élan", "Émile", "김민수"]
