"""Main window, settings and first run, offscreen; settings live in a temporary INI file."""

from __future__ import annotations

import pytest
from conftest import satisfy_stage
from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox

from app.db import open_database
from app.services import deals, people
from app.views import application
from app.views import settings as settings_module
from app.views.context import AppContext
from app.views.first_run import FirstRunDialog
from app.views.main_window import MainWindow, optional
from app.views.settings import DEFAULTS, Settings


@pytest.fixture
def settings(tmp_path):
    s = Settings.at(tmp_path / "settings.ini")
    settings_module.set_current(s)
    yield s
    settings_module.set_current(None)


@pytest.fixture
def window(qtbot, db, rep, settings):
    src = people.create_lead_source(db, "Web")
    acc = people.create_account(db, "Daehan Motors")
    con = people.create_contact(db, "Yoon", acc.id)
    deal = deals.create_deal(db, title="Fleet telematics", owner_id=rep.id, account_id=acc.id,
                             contact_id=con.id, lead_source_id=src.id, amount="5000000")
    satisfy_stage(db, deal.id, 1, rep.id)
    ctx = AppContext(db=db, user_id=rep.id, user_name=rep.name, role=rep.role, lang="en")
    win = MainWindow(ctx, settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win, deal


def menu_titles(win):
    return [a.text() for a in win.menuBar().actions()]


def test_settings_table_defaults_and_types(settings):
    assert settings.risk_k == 1.5 and isinstance(settings.risk_k, float)
    assert settings.first_run and settings.board_sort == "close_date"
    settings.risk_k = 2.0
    settings.sync()
    again = Settings(settings.store)
    assert again.risk_k == 2.0 and isinstance(again.risk_k, float)
    assert settings_module.risk_factor() == 2.0
    assert {"user/name", "user/role", "ui/language", "db/last", "window/geometry", "risk/k",
            "board/owner", "board/sort"} <= set(DEFAULTS)


def test_menus_shortcuts_and_status_bar(window):
    win, _deal = window
    assert menu_titles(win)[:3] == ["&File", "&Edit", "&View"] and menu_titles(win)[-1] == "&Help"
    assert win.undo_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert "Ctrl+Shift+Z" in [s.toString() for s in win.redo_action.shortcuts()]
    assert win.log_action.shortcut().toString() == "Ctrl+L"
    assert win.open_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Open)
    assert "F5" in [s.toString() for s in win.refresh_action.shortcuts()]
    assert "Kim Min-su" in win.user_label.text() and "rep" in win.user_label.text()
    assert "Open 1" in win.count_label.text()
    assert str(win.ctx.db.path) in win.db_label.text()
    assert win.tabs.widget(0) is win.board


def test_find_focuses_the_search_box(window, qtbot):
    win, _deal = window
    win.find_action.trigger()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.board.search)


def test_undo_redo_actions_follow_the_board(window, db):
    win, deal = window
    assert not win.undo_action.isEnabled()
    assert win.board.move_deal(deal.id, None, 2)
    assert win.undo_action.isEnabled()
    win.undo_action.trigger()
    assert win.board.models[0].row_of(deal.id) == 0
    win.redo_action.trigger()
    assert win.board.models[1].row_of(deal.id) == 0
    assert "Open 1" in win.count_label.text()


def test_ctrl_l_logs_activity_for_selected_card(window, qtbot, monkeypatch):
    win, deal = window
    dialog_class = optional("app.views.log_activity", "LogActivityDialog")
    if dialog_class is None:
        pytest.skip("log activity dialog not in the tree")
    seen = []
    monkeypatch.setattr(dialog_class, "exec", lambda self: seen.append(self.deal_id) or 0)
    view = win.board.views[0]
    view.setFocus()
    view.setCurrentIndex(win.board.models[0].index(0))
    win.log_action.trigger()
    assert seen == [deal.id]


def test_enter_opens_deal_workspace(window, qtbot, monkeypatch):
    win, deal = window
    dialog_class = optional("app.views.deal_dialog", "DealDialog")
    if dialog_class is None:
        pytest.skip("deal dialog not in the tree")
    seen = []
    monkeypatch.setattr(dialog_class, "exec", lambda self: seen.append(self.deal_id) or 0)
    view = win.board.views[0]
    view.setFocus()
    view.setCurrentIndex(win.board.models[0].index(0))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert seen == [deal.id]


def test_switch_database_keeps_working(window, tmp_path, db, monkeypatch):
    win, deal = window
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: pytest.fail(str(a)))
    old_ctx = win.ctx
    assert win.switch_database(lambda: open_database(tmp_path / "other.sqlite"))
    assert win.ctx is not old_ctx and win.ctx.user_name == "Kim Min-su"  # created in the new file
    assert win.board.models[0].rowCount() == 0
    assert win.settings.last_database == str(tmp_path / "other.sqlite")
    assert "Open 0" in win.count_label.text()
    assert not win.undo_action.isEnabled()


def test_backup_copies_the_file_and_says_where(window, db, tmp_path, monkeypatch, warnings):
    win, _deal = window
    if db.path is None:
        pytest.skip("a server database is backed up with the server's tools")
    heard = []
    win.ctx.hub.pipeline_changed.connect(lambda c, i: heard.append(c))
    dest = tmp_path / "copies" / "pipeline-backup.sqlite"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(dest), ""))
    win.backup_action.trigger()
    assert dest.exists() and warnings == [] and heard == []  # a copy is not a change
    assert str(dest) in win.statusBar().currentMessage()
    win.statusBar().clearMessage()
    win.backup_action.trigger()  # the same name again: refused, the copy is kept
    assert warnings == [("Backup", f"{dest}: backup target already exists")]
    assert win.statusBar().currentMessage() == ""


def test_a_file_that_is_not_a_database_is_one_message_and_the_current_one_stays(window, tmp_path, warnings):
    win, _deal = window
    junk = tmp_path / "notes.sqlite"
    junk.write_bytes(b"these are my notes, not a database" * 100)
    old_ctx = win.ctx
    assert win.switch_database(lambda: open_database(junk, create=False)) is False
    assert len(warnings) == 1 and warnings[0][0] == "Cannot open the database"
    assert win.ctx is old_ctx and win.board.models[0].rowCount() == 1


def test_a_backup_that_cannot_be_written_is_one_line_not_a_crash(window, db, tmp_path, monkeypatch, warnings):
    win, _deal = window
    if db.path is None:
        pytest.skip("a server database is backed up with the server's tools")
    (tmp_path / "a-file").write_text("not a folder")
    dest = tmp_path / "a-file" / "backup.sqlite"  # its folder cannot be made
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(dest), ""))
    win.backup_action.trigger()
    assert len(warnings) == 1 and warnings[0][0] == "Backup"
    assert "Nothing was saved" in warnings[0][1] and "Traceback" not in warnings[0][1]
    assert not dest.exists()


def test_language_switch_without_restart(window, qtbot):
    win, _deal = window
    try:
        win.set_language("ko")
        assert win.ctx.lang == "ko" and win.settings.language == "ko"
        qtbot.waitUntil(lambda: win.board.headers[0].name.text() == "1. 가망고객 발굴")
    finally:
        win.set_language("en")
    qtbot.waitUntil(lambda: win.board.headers[0].name.text() == "1. Lead generation")
    assert menu_titles(win)[0] == "&File"


def test_korean_toolbar_has_no_accelerator_letters_and_a_steady_undo(window, qtbot):
    """Tool buttons read "열기", not "열기(O)" (Qt strips only the "&" of "열기(&O)…"), and
    the undo button keeps its short label after a step; its tooltip names the step."""
    from PySide6.QtGui import QUndoCommand

    win, _deal = window

    def button(action):
        return win.toolbar.widgetForAction(action).text()

    try:
        win.set_language("ko")
        qtbot.waitUntil(lambda: win.open_action.text() == "열기(&O)…")
        assert [button(a) for a in (win.open_action, win.undo_action, win.log_action, win.refresh_action)] \
            == ["열기", "실행 취소", "활동 기록", "새로 고침"]
        assert "(O)" not in button(win.open_action)
        win.ctx.undo_stack.push(QUndoCommand("“Fleet telematics” 이동"))
        assert "“Fleet telematics” 이동" in win.undo_action.text()  # the menu names the step
        assert button(win.undo_action) == "실행 취소"
        assert "“Fleet telematics” 이동" in win.undo_action.toolTip()
        assert "&" not in win.undo_action.toolTip()
        count = win.count_label.text()
        assert count.startswith("진행 중 1건 · 수주 0건 · 실주 0건"), count
    finally:
        win.set_language("en")
    qtbot.waitUntil(lambda: button(win.open_action) == "Open")
    assert button(win.log_action) == "Log activity" and button(win.undo_action) == "Undo"


def test_geometry_and_last_database_remembered(window, settings):
    win, _deal = window
    win.resize(1234, 777)
    win.close()
    assert not settings.window_geometry.isEmpty() and isinstance(settings.window_geometry, QByteArray)
    assert settings.last_database == str(win.ctx.db.path)


def test_first_run_dialog_requires_a_name(qtbot):
    dlg = FirstRunDialog(default_lang="en")
    qtbot.addWidget(dlg)
    dlg.accept()
    assert not dlg.error.isHidden() and dlg.result() != QDialog.DialogCode.Accepted
    dlg.name.setText("Choi Yuna")
    dlg.role.setCurrentIndex(1)
    dlg.empty.setChecked(True)
    dlg.accept()
    assert dlg.result() == QDialog.DialogCode.Accepted
    choice = dlg.choice()
    assert (choice.name, choice.role, choice.lang, choice.sample_data) == ("Choi Yuna", "manager", "en", False)


def test_first_run_stores_choices_and_user_is_created(qtbot, settings, monkeypatch, tmp_path):
    def fill(self):
        self.name.setText("Choi Yuna")
        self.role.setCurrentIndex(1)
        self.empty.setChecked(True)
        self.accept()
        return self.result()

    monkeypatch.setattr(FirstRunDialog, "exec", fill)
    monkeypatch.setattr(application, "default_db_path", lambda: tmp_path / "pipeline.sqlite")
    assert application.first_run(QApplication.instance(), settings)
    assert (settings.user_name, settings.role, settings.language) == ("Choi Yuna", "manager", "en")
    assert settings.last_database == str(tmp_path / "pipeline.sqlite")
    db = open_database(settings.last_database)
    try:
        ctx = application.make_context(db, settings.user_name, settings.role, "en")
        assert ctx.user_name == "Choi Yuna" and ctx.is_manager
        again = application.make_context(db, settings.user_name, "rep", "en")
        assert again.user_id == ctx.user_id and again.is_manager  # not duplicated; the database's role
    finally:
        db.dispose()


def test_refresh_reloads_what_changed_behind_the_boards_back(window, db, rep):
    win, _deal = window
    deals.create_deal(db, title="Written by the CLI", owner_id=rep.id)
    assert win.board.models[0].rowCount() == 1
    win.refresh_action.trigger()
    assert win.board.models[0].rowCount() == 2
    assert "Open 2" in win.count_label.text()


def test_colleagues_screens_are_integrated(window):
    """Every screen is in the tree, imports, and is wired into the window."""
    win, _deal = window
    file_entries = [a.objectName() for a in win.file_menu.actions()]
    for module, name, action in (("app.views.import_wizard", "ImportWizard", "import"),
                                 ("app.views.report_export", "export_weekly_report", "exportReport")):
        assert optional(module, name) is not None, f"{module}.{name} does not import"
        assert action in file_entries
    tabs = [win.tabs.widget(i) for i in range(win.tabs.count())]
    assert win.activities is not None and win.activities in tabs
    assert win.dashboard is not None and win.dashboard in tabs
    assert win.reminders is not None


def test_settings_dialog_applies_language_and_risk_factor(window, settings, monkeypatch, qtbot):
    from app.views.settings import SettingsDialog

    win, _deal = window

    def fill(self):
        self.language.setCurrentIndex(self.language.findData("ko"))
        self.risk.setValue(2.0)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(SettingsDialog, "exec", fill)
    try:
        win.open_settings()
        assert settings.risk_k == 2.0 and settings.language == "ko" and win.ctx.lang == "ko"
        qtbot.waitUntil(lambda: win.board.headers[0].name.text() == "1. 가망고객 발굴")
    finally:
        win.set_language("en")


def test_focus_request_brings_the_board_forward(window):
    win, deal = window
    if win.dashboard is None:
        pytest.skip("no second tab")
    win.show_tab(win.dashboard)
    win.ctx.hub.deals_focus_requested.emit([deal.id])
    assert win.tabs.currentWidget() is win.board and not win.board.focus_chip.isHidden()


def test_an_edit_in_the_deal_workspace_reaches_the_board_through_its_announcement(window, qtbot, monkeypatch):
    """The workspace saves through the runner; the board refreshes the card from that one
    announcement (the window does not refresh it again by hand)."""
    win, deal = window
    dialog_class = optional("app.views.deal_dialog", "DealDialog")
    if dialog_class is None:
        pytest.skip("deal dialog not in the tree")
    refreshed = []
    original = win.board.refresh_deals
    monkeypatch.setattr(win.board, "refresh_deals", lambda ids, *a, **k: refreshed.append(set(ids)) or
                        original(ids, *a, **k))

    def edit(self):
        self.title_edit.setText("Fleet telematics II")
        assert self.save()
        return 0

    monkeypatch.setattr(dialog_class, "exec", edit)
    win.open_deal(deal.id)
    model = win.board.models[0]
    assert [model.index(r).data() for r in range(model.rowCount())] == ["Fleet telematics II"]
    assert refreshed == [{deal.id}]


def test_the_program_has_its_icon(qtbot):
    icon = application.app_icon()
    assert not icon.isNull()
    assert max(s.width() for s in icon.availableSizes()) >= 256


def test_a_remembered_server_url_loses_the_password_an_older_version_kept(settings):
    settings.last_database = "postgresql+psycopg://kim:pw-from-keyring@db.example/pipe"
    assert application.remembered_database(settings) == "postgresql+psycopg://kim@db.example/pipe"
    assert settings.last_database == "postgresql+psycopg://kim@db.example/pipe"
    settings.last_database = "/home/kim/pipeline.sqlite"
    assert application.remembered_database(settings) == "/home/kim/pipeline.sqlite"


def test_edit_undo_names_the_step_in_the_language_after_a_switch(window, qtbot):
    """Edit → Undo names the step it takes back in the interface language, also for a step
    made before the switch and one made after it (Qt's own undo action kept the prefix of
    the language it was made in: "Undo …" in a Korean window, and after a switch the step
    was dropped from the text altogether)."""
    from PySide6.QtGui import QUndoCommand

    win, _deal = window
    win.ctx.undo_stack.push(QUndoCommand("Move “Fleet telematics”"))
    assert win.undo_action.text() == "&Undo Move “Fleet telematics”"
    try:
        win.set_language("ko")
        qtbot.waitUntil(lambda: win.open_action.text() == "열기(&O)…")
        assert win.undo_action.text() == "Move “Fleet telematics” 실행 취소(&U)"
        win.ctx.undo_stack.push(QUndoCommand("“ERP” 편집"))
        assert win.undo_action.text() == "“ERP” 편집 실행 취소(&U)"
        win.ctx.undo_stack.undo()
        assert win.redo_action.text() == "“ERP” 편집 다시 실행(&R)"
        assert win.undo_action.toolTip() == "Move “Fleet telematics” 실행 취소"
    finally:
        win.set_language("en")
    qtbot.waitUntil(lambda: win.open_action.text() == "&Open…")
    assert win.undo_action.text() == "&Undo Move “Fleet telematics”"
    assert win.redo_action.text() == "&Redo “ERP” 편집"
