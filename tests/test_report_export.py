"""File → Export weekly report…: dialogs patched, the real export on the runner's worker,
progress, cancel (no file left), failure message, Open button; every export on SQLite and
on PostgreSQL (the worker reads the team server as it reads a file)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QDesktopServices, QInputMethodEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QMessageBox,
    QPushButton,
    QWidget,
)

from app.services import deals
from app.services import weekly_report as service
from app.views import report_export
from app.views.context import AppContext

pytestmark = pytest.mark.both_engines

WEEK = "2026-W47"


@pytest.fixture
def db(module_db):
    """The module's database (one per engine), emptied for each test: creating a PostgreSQL
    database per test cost more than the export it tests."""
    return module_db


@pytest.fixture
def ctx(db, manager, rep):
    for i in range(5):
        deals.create_deal(db, title=f"Deal {i}", owner_id=rep.id, amount=Decimal(1_000_000 * (i + 1)),
                          expected_close=date(2026, 12, 1 + i), at=datetime(2026, 11, 2, 10, tzinfo=UTC))
    return AppContext(db=db, user_id=manager.id, user_name=manager.name, role="manager", lang="en")


@pytest.fixture
def parent(qtbot):
    w = QWidget()
    qtbot.addWidget(w)
    return w


@pytest.fixture
def finished_jobs(monkeypatch):
    """Records (outcome, payload) of every job and the thread the service ran in."""
    seen: dict = {"outcomes": [], "threads": [], "done": [], "kwargs": []}
    real_write = service.write_weekly_report

    def write(*args, **kwargs):
        seen["threads"].append(threading.current_thread())
        seen["kwargs"].append(kwargs)
        return real_write(*args, **kwargs)

    monkeypatch.setattr(report_export, "write_weekly_report", write)
    monkeypatch.setattr(report_export, "show_done", lambda parent, summary: seen["done"].append(summary))
    real_start = report_export.start_export

    def start(*args, **kwargs):
        job = real_start(*args, **kwargs)
        job.finished.connect(lambda outcome, payload: seen["outcomes"].append((outcome, payload)))
        return job

    monkeypatch.setattr(report_export, "start_export", start)
    return seen


def when_week_dialog_shows(*actions):
    """Run each ``action(dialog)`` in turn on the real week dialog once it shows (exec() is
    modal and blocks the test); an action that fails closes the dialog, and the failure is
    raised from :func:`check`. ``actions`` end by accepting or rejecting it."""
    failures: list[BaseException] = []
    pending = list(actions)

    def poll():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, report_export.WeekDialog):
            QTimer.singleShot(10, poll)
            return
        action = pending.pop(0)
        try:
            action(dialog)
        except BaseException as exc:  # noqa: BLE001 - raised again by check()
            failures.append(exc)
            dialog.reject()
            return
        if pending and dialog.isVisible():
            QTimer.singleShot(0, poll)

    QTimer.singleShot(0, poll)

    def check():
        if failures:
            raise failures[0]
    return check


def type_week(qtbot, dialog, text: str) -> None:
    """Clear the week field and type ``text`` into it, then press OK. Hangul comes as a
    Korean input method gives it, committed text (QTest types ASCII keys only)."""
    edit = dialog.combo.lineEdit()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(edit, ch)
        else:
            event = QInputMethodEvent()
            event.setCommitString(ch)
            QCoreApplication.sendEvent(edit, event)
    assert edit.text() == text
    press_ok(qtbot, dialog)


def press_ok(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_menu_entry_asks_week_and_file_then_writes_off_the_gui_thread(ctx, parent, qtbot, tmp_path,
                                                                      monkeypatch, finished_jobs):
    asked = {}

    def look_and_type(dialog):
        asked["items"] = [dialog.combo.itemText(i) for i in range(dialog.combo.count())]
        asked["current"] = dialog.combo.currentIndex()
        type_week(qtbot, dialog, WEEK)

    check = when_week_dialog_shows(look_and_type)
    target = tmp_path / "weekly"  # no suffix: .xlsx is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(report_export, "_risk_factor", lambda: 2.0)  # the user's at-risk factor
    report_export.export_weekly_report(ctx, parent)
    check()
    qtbot.waitUntil(lambda: bool(finished_jobs["done"]), timeout=20_000)
    # the last complete week preselected; the current (partial) week is offered first
    assert asked["items"][asked["current"]] == service.last_complete_iso_week()
    assert asked["items"][0] == service.current_iso_week() and asked["current"] == 1
    assert len(asked["items"]) == 12
    summary = finished_jobs["done"][0]
    assert summary.path == tmp_path / "weekly.xlsx" and summary.week == WEEK
    assert finished_jobs["outcomes"][0][0] == "done"
    assert finished_jobs["threads"][0] is not threading.main_thread()
    assert finished_jobs["kwargs"][0]["k"] == 2.0 and finished_jobs["kwargs"][0]["lang"] == "en"
    wb = load_workbook(tmp_path / "weekly.xlsx")
    assert wb.sheetnames[2] == "Open deals"
    assert wb["Open deals"].max_row >= 3 + 5


def test_language_of_the_workbook_is_the_apps(ctx, parent, qtbot, tmp_path, finished_jobs):
    ctx.lang = "ko"
    report_export.start_export(ctx, parent, tmp_path / "ko.xlsx", WEEK)
    qtbot.waitUntil(lambda: bool(finished_jobs["done"]), timeout=20_000)
    assert load_workbook(tmp_path / "ko.xlsx").sheetnames[0] == "요약"


def test_progress_dialog_advances_and_closes(ctx, parent, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(report_export, "show_done", lambda *a: None)
    job = report_export.start_export(ctx, parent, tmp_path / "w.xlsx", WEEK)
    shown, progressed = [], []
    set_value = job.dialog.setValue  # no slot runs before the event loop turns: safe to wrap
    job.dialog.setValue = lambda v: (shown.append(v), set_value(v))
    job.progressed.connect(lambda d, t: progressed.append((d, t)))
    assert job.dialog.isVisible()
    with qtbot.waitSignal(job.finished, timeout=20_000) as blocker:
        pass
    assert blocker.args[0] == "done"
    assert progressed[-1][0] == progressed[-1][1]
    # the dialog shows permille of the work, rising to the end
    assert shown == sorted(shown) and shown[-1] == report_export.PROGRESS_STEPS
    assert not job.is_running() and not job.dialog.isVisible()


def test_cancel_removes_the_partial_file(ctx, parent, qtbot, tmp_path, monkeypatch, finished_jobs):
    real_write = service.write_weekly_report

    def write_after_cancel(db, path, **kwargs):
        # hold the worker until the user has pressed Cancel, then run the real export,
        # which sees cancelled() and stops
        stop = threading.Event()
        while not kwargs["cancelled"]():
            stop.wait(0.01)
        return real_write(db, path, **kwargs)

    monkeypatch.setattr(report_export, "write_weekly_report", write_after_cancel)
    path = tmp_path / "w.xlsx"
    job = report_export.start_export(ctx, parent, path, WEEK)
    button = job.dialog.findChild(QPushButton)
    assert button.text() == "Cancel"
    with qtbot.waitSignal(job.finished, timeout=20_000) as blocker:
        button.click()
    assert blocker.args == ["cancelled", None]
    assert not path.exists()
    assert [p for p in tmp_path.iterdir() if "w.xlsx" in p.name] == []
    assert finished_jobs["done"] == []


def test_failure_is_shown_as_a_message(ctx, parent, qtbot, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a: warnings.append(text))
    job = report_export.start_export(ctx, parent, tmp_path / "missing" / "w.xlsx", WEEK)
    with qtbot.waitSignal(job.finished, timeout=20_000) as blocker:
        pass
    assert blocker.args[0] == "failed"
    assert "folder does not exist" in blocker.args[1]
    assert len(warnings) == 1 and "folder does not exist" in warnings[0]


def test_a_bad_week_is_said_under_the_field_and_the_dialog_stays(parent, qtbot, monkeypatch):
    monkeypatch.setattr(report_export, "current_iso_week", lambda: "2026-W49")
    monkeypatch.setattr(report_export, "last_complete_iso_week", lambda: "2026-W48")
    seen = []

    def refused(text):
        def action(dialog):
            type_week(qtbot, dialog, text)
            assert dialog.isVisible() and dialog.week is None
            seen.append((dialog.error.isVisible(), dialog.error.text()))
        return action

    def edit_clears_the_message(dialog):
        qtbot.keyClicks(dialog.combo.lineEdit(), "x")
        seen.append((dialog.error.isVisible(), dialog.error.text()))

    check = when_week_dialog_shows(refused("2026-W99"), refused("2025년 53주차"), refused("next week"),
                                   edit_clears_the_message, lambda dialog: type_week(qtbot, dialog, "2026-w5"))
    assert report_export.ask_week(parent) == "2026-W05"
    check()
    assert seen == [(True, "There is no week 99; weeks are numbered 1 to 53"),
                    (True, "2025 has no week 53; its weeks are numbered 1 to 52"),
                    (True, "'next week' is not a week; type one like 2026-W49 or week 49 of 2026"),
                    (False, "")]
    check = when_week_dialog_shows(lambda dialog: dialog.reject())
    assert report_export.ask_week(parent) is None
    check()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert report_export.ask_path(parent, WEEK) is None


def test_done_message_opens_the_file(parent, monkeypatch, tmp_path):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))

    def click_open(box):
        next(b for b in box.buttons() if b.text() == "Open").click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", click_open)
    summary = service.ReportSummary(path=tmp_path / "w.xlsx", week=WEEK, start=date(2026, 11, 16),
                                    end=date(2026, 11, 22), lang="en", owner=None, currency="KRW",
                                    sheets=[])
    report_export.show_done(parent, summary)
    assert opened == [str(tmp_path / "w.xlsx")]


def test_progress_dialog_relabels_on_language_change(parent, qtbot):
    dlg = report_export.ReportProgressDialog(parent, WEEK)
    qtbot.addWidget(dlg)
    assert dlg.labelText() == "Writing the weekly report for 2026-W47…"
    dlg.cancelling = True
    QCoreApplication.sendEvent(dlg, QEvent(QEvent.Type.LanguageChange))
    assert dlg.labelText() == "Cancelling…"


def test_closing_the_window_during_the_export_is_harmless(ctx, qtbot, tmp_path, finished_jobs):
    import shiboken6

    window = QWidget()
    job = report_export.start_export(ctx, window, tmp_path / "w.xlsx", WEEK)
    shiboken6.delete(window)  # the dialog goes with it; the job and its thread live on
    qtbot.waitUntil(lambda: bool(finished_jobs["outcomes"]), timeout=20_000)
    assert finished_jobs["outcomes"][0][0] == "done"
    assert finished_jobs["done"][0].path == tmp_path / "w.xlsx"
    assert not job.is_running()


def test_quitting_stops_a_running_export(ctx, parent, qtbot, tmp_path, monkeypatch):
    real_write = service.write_weekly_report

    def write_after_cancel(db, path, **kwargs):
        stop = threading.Event()
        while not kwargs["cancelled"]():
            stop.wait(0.01)
        return real_write(db, path, **kwargs)

    monkeypatch.setattr(report_export, "write_weekly_report", write_after_cancel)
    job = report_export.start_export(ctx, parent, tmp_path / "w.xlsx", WEEK, notify=False)
    job.shutdown()  # what QCoreApplication.aboutToQuit triggers
    assert not job.is_running()
    assert not (tmp_path / "w.xlsx").exists()
    with qtbot.waitSignal(job.finished, timeout=20_000) as blocker:
        pass
    assert blocker.args[0] == "cancelled"


def test_failure_is_shown_in_korean_in_a_korean_interface(ctx, parent, qtbot, tmp_path, monkeypatch, qapp):
    from app.views.i18n import install_translators

    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a: warnings.append(text))
    install_translators(qapp, "ko")
    try:
        job = report_export.start_export(ctx, parent, tmp_path / "missing" / "w.xlsx", WEEK)
        with qtbot.waitSignal(job.finished, timeout=20_000) as blocker:
            pass
    finally:
        install_translators(qapp, "en")
    assert blocker.args[0] == "failed"
    assert blocker.args[1] == f"{tmp_path / 'missing'}: 폴더가 없습니다"
    assert len(warnings) == 1 and warnings[0].endswith(f"{tmp_path / 'missing'}: 폴더가 없습니다")


def test_a_week_reads_as_the_language_writes_it(qapp):
    assert report_export.week_label("2026-W47") == "2026-W47"
    assert report_export.week_label("2027-W05") == "2027-W05"


def test_in_korean_a_week_reads_2026_nyeon_47_jucha(korean):
    assert report_export.week_label("2026-W47") == "2026년 47주차"
    assert report_export.week_label("2027-W05") == "2027년 5주차"
    assert report_export.week_label("2026-W53") == "2026년 53주차"  # 2026 has 53 ISO weeks


def test_in_korean_the_week_is_chosen_by_its_korean_name(korean, parent, qtbot, monkeypatch):
    monkeypatch.setattr(report_export, "current_iso_week", lambda: "2026-W49")
    monkeypatch.setattr(report_export, "last_complete_iso_week", lambda: "2026-W48")
    asked = []

    def pick_third(dialog):
        combo = dialog.combo
        asked.append((dialog.prompt.text(), [combo.itemText(i) for i in range(3)], combo.currentText(),
                      combo.isEditable()))
        combo.setCurrentIndex(2)
        press_ok(qtbot, dialog)

    check = when_week_dialog_shows(pick_third)
    assert report_export.ask_week(parent) == "2026-W47"
    check()
    assert asked == [("주차 (목록에서 고르거나 직접 입력, 예: 2026년 48주차 또는 2026-W48):",
                      ["2026년 49주차", "2026년 48주차", "2026년 47주차"], "2026년 48주차", True)]
    check = when_week_dialog_shows(lambda dialog: type_week(qtbot, dialog, "2026-w5"))  # typed, as ISO
    assert report_export.ask_week(parent) == "2026-W05"
    check()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_week_the_dialog_lists_reads_back_as_its_week(qapp, parent, lang):
    from app.views.i18n import install_translators

    install_translators(qapp, lang)
    try:
        dialog = report_export.WeekDialog(parent, current="2027-W02", default="2027-W01")
        assert dialog.weeks == ["2027-W02", "2027-W01", "2026-W53"] + [f"2026-W{w}" for w in range(52, 43, -1)]
        for i, week in enumerate(dialog.weeks):
            dialog.combo.setCurrentIndex(i)
            dialog.accept()
            assert dialog.week == week, dialog.combo.currentText()
    finally:
        install_translators(qapp, "en")


def test_typed_in_korean_2026_nyeon_47_jucha_the_export_is_of_that_week(korean, ctx, parent, qtbot, tmp_path,
                                                                        monkeypatch, finished_jobs):
    """The real dialog in the Korean interface: a Korean week typed (not one of the listed
    weeks), an unreadable one refused in Korean first; the workbook is of the week typed."""
    ctx.lang = "ko"
    monkeypatch.setattr(report_export, "current_iso_week", lambda: "2027-W20")  # 2026-W47 is not listed
    monkeypatch.setattr(report_export, "last_complete_iso_week", lambda: "2027-W19")
    target = tmp_path / "주간.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    seen = {}

    def unreadable(dialog):
        assert "2026년 47주차" not in [dialog.combo.itemText(i) for i in range(dialog.combo.count())]
        type_week(qtbot, dialog, "다음 주")
        seen["refused"] = (dialog.isVisible(), dialog.error.text())

    check = when_week_dialog_shows(unreadable, lambda dialog: type_week(qtbot, dialog, "2026년 47주차"))
    report_export.export_weekly_report(ctx, parent)
    check()
    qtbot.waitUntil(lambda: bool(finished_jobs["done"]), timeout=20_000)
    assert seen["refused"] == (True, "'다음 주'은(는) 주차로 읽을 수 없습니다. "
                                     "2027년 20주차 또는 2027-W20 형식으로 입력하세요")
    summary = finished_jobs["done"][0]
    assert summary.week == "2026-W47" and summary.path == target
    assert (summary.start, summary.end) == (date(2026, 11, 16), date(2026, 11, 22))
    wb = load_workbook(target)
    assert wb["요약"]["A2"].value.startswith("2026-W47 주: 2026-11-16 ~ 2026-11-22")


def test_in_korean_the_progress_and_done_message_name_the_week_in_korean(korean, parent, qtbot, monkeypatch,
                                                                         tmp_path):
    dlg = report_export.ReportProgressDialog(parent, WEEK)
    qtbot.addWidget(dlg)
    assert dlg.labelText() == "2026년 47주차 주간 보고서를 작성하는 중…"
    texts = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: texts.append(box.text()) or 0)
    summary = service.ReportSummary(path=tmp_path / "w.xlsx", week=WEEK, start=date(2026, 11, 16),
                                    end=date(2026, 11, 22), lang="ko", owner=None, currency="KRW", sheets=[])
    report_export.show_done(parent, summary)
    assert texts == [f"2026년 47주차 주간 보고서를 다음 위치에 저장했습니다:\n{tmp_path / 'w.xlsx'}"]


def test_the_week_dialog_relabels_on_language_change_and_keeps_what_was_typed(qapp, qtbot, parent):
    from app.views.i18n import install_translators

    dialog = report_export.WeekDialog(parent, current="2026-W49", default="2026-W48")
    assert dialog.combo.currentText() == "2026-W48"
    try:
        install_translators(qapp, "ko")  # Qt posts LanguageChange to every widget
        qtbot.waitUntil(lambda: dialog.windowTitle() == "주간 보고서 내보내기")
        assert dialog.combo.currentText() == "2026년 48주차" and dialog.combo.itemText(0) == "2026년 49주차"
        dialog.combo.setEditText("제30주")
        install_translators(qapp, "en")
        qtbot.waitUntil(lambda: dialog.windowTitle() == "Export weekly report")
        assert dialog.prompt.text() == "Week (choose one, or type one such as 2026-W48):"
        assert dialog.combo.currentText() == "제30주" and dialog.combo.itemText(0) == "2026-W49"
    finally:
        install_translators(qapp, "en")
