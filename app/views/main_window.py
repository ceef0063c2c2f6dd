"""The main window: menus, toolbar, status bar and the tabs (board, activities, dashboard).

Screens written by colleagues are loaded when their module is present in the tree; an
absent one simply has no tab or menu entry. Switching database builds a fresh context
(own change hub and undo stack) and fresh tabs; switching language re-labels in place.
"""

from __future__ import annotations

import importlib
import logging
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoGroup
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QToolBar,
    QWidget,
)

from app import __version__
from app.db import backup_sqlite, open_database
from app.errors import AppError
from app.services import board as board_service
from app.views import application
from app.views.board import Board
from app.views.context import AppContext, Changes, run_modal
from app.views.i18n import install_translators
from app.views.operations import QueryOp, show_error
from app.views.settings import Settings, SettingsDialog

log = logging.getLogger(__name__)


def toolbar_text(text: str) -> str:
    """A menu text as a tool button shows it: without the accelerator, Korean style
    "열기(&O)…" included (Qt strips only the "&", so the toolbar read "열기(O)")."""
    text = re.sub(r"\s*\(&[^&\s]\)", "", text)
    text = re.sub(r"&(.)", r"\1", text)
    return text.replace("…", "").replace("...", "").strip()


def optional(module: str, name: str):
    """A screen's entry point, or None while its module is not in the tree (or cannot be
    imported: logged, and the rest of the window still works)."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            log.warning("%s cannot be imported: %s", module, exc)
        return None
    except ImportError as exc:
        log.warning("%s cannot be imported: %s", module, exc)
        return None
    return getattr(mod, name, None)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, settings: Settings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings if settings is not None else Settings()
        self.ctx: AppContext | None = None
        self.board: Board | None = None
        self.activities: QWidget | None = None
        self.dashboard: QWidget | None = None
        self.reminders = None
        self.undo_group = QUndoGroup(self)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self.db_label, self.user_label, self.count_label = QLabel(), QLabel(), QLabel()
        self.statusBar().addWidget(self.db_label, 1)
        self.statusBar().addPermanentWidget(self.count_label)
        self.statusBar().addPermanentWidget(self.user_label)
        self.set_context(ctx)
        from app.views.sync_view import install as install_sync  # a replica gets a Sync menu

        self.sync_controller = install_sync(self)
        self.retranslate()
        if not self.settings.window_geometry.isEmpty():
            self.restoreGeometry(self.settings.window_geometry)
        else:
            self.resize(1500, 900)
        if not self.settings.window_state.isEmpty():
            self.restoreState(self.settings.window_state)

    # ------------------------------------------------------------------ actions and menus
    def _action(self, name: str, slot, shortcut=None) -> QAction:
        act = QAction(self)
        act.setObjectName(name)
        if shortcut is not None:
            shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
            keys = []
            for s in shortcuts:
                keys.extend(QKeySequence.keyBindings(s) if isinstance(s, QKeySequence.StandardKey) else [QKeySequence(s)])
            act.setShortcuts(list(dict.fromkeys(k.toString() for k in keys if not k.isEmpty())))
        act.triggered.connect(lambda _checked=False: slot())
        return act

    def _build_actions(self) -> None:
        SK = QKeySequence.StandardKey
        self.new_db_action = self._action("newDatabase", self.new_database, SK.New)
        self.open_action = self._action("open", self.open_database_dialog, SK.Open)
        self.sample_action = self._action("openSample", self.open_sample)
        self.backup_action = self._action("backup", self.backup)
        self.quit_action = self._action("quit", self.close, [SK.Quit, "Ctrl+Q"])
        self.undo_action = self.undo_group.createUndoAction(self)
        self.undo_action.setObjectName("undo")
        self.undo_action.setShortcuts(QKeySequence.keyBindings(SK.Undo))
        self.redo_action = self.undo_group.createRedoAction(self)
        self.redo_action.setObjectName("redo")
        redo_keys = [k.toString() for k in QKeySequence.keyBindings(SK.Redo)]
        self.redo_action.setShortcuts(list(dict.fromkeys(redo_keys + ["Ctrl+Shift+Z"])))
        # after the group's own update (its prefix is fixed in the language of the moment it
        # was made): the step in the interface language, also after a language switch
        self.undo_group.undoTextChanged.connect(lambda _t: self._undo_texts())
        self.undo_group.redoTextChanged.connect(lambda _t: self._undo_texts())
        self.find_action = self._action("find", self.find, SK.Find)
        self.log_action = self._action("logActivity", self.log_activity, "Ctrl+L")
        self.new_deal_action = self._action("newDeal", self.new_deal, "Ctrl+Shift+N")
        self.settings_action = self._action("settings", self.open_settings, [SK.Preferences, "Ctrl+,"])
        self.board_tab_action = self._action("showBoard", lambda: self.show_tab(self.board), "Ctrl+1")
        self.activities_tab_action = self._action("showActivities", lambda: self.show_tab(self.activities), "Ctrl+2")
        self.dashboard_tab_action = self._action("showDashboard", lambda: self.show_tab(self.dashboard), "Ctrl+3")
        self.refresh_action = self._action("refresh", self.refresh, [SK.Refresh, "F5"])
        self.about_action = self._action("about", self.about)
        self.import_action = self.report_action = self.marketing_action = self.targets_action = None
        if optional("app.views.import_wizard", "ImportWizard"):
            self.import_action = self._action("import", self.import_data)
        if optional("app.views.report_export", "export_weekly_report"):
            self.report_action = self._action("exportReport", self.export_report)
        if optional("app.views.marketing_editor", "MarketingDialog"):
            self.marketing_action = self._action("marketing", self.edit_marketing)
        if optional("app.views.marketing_editor", "TargetsDialog"):
            self.targets_action = self._action("targets", self.edit_targets)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        for act in (self.new_db_action, self.open_action, self.sample_action, None, self.backup_action,
                    self.import_action, self.report_action, None, self.quit_action):
            if act is None:
                self.file_menu.addSeparator()
            else:
                self.file_menu.addAction(act)
        self.edit_menu = bar.addMenu("")
        for act in (self.undo_action, self.redo_action, None, self.find_action, self.log_action, None,
                    self.settings_action):
            if act is None:
                self.edit_menu.addSeparator()
            else:
                self.edit_menu.addAction(act)
        self.view_menu = bar.addMenu("")
        self.view_menu.addAction(self.board_tab_action)
        if optional("app.views.activities_view", "ActivitiesView"):
            self.view_menu.addAction(self.activities_tab_action)
        if optional("app.views.dashboard", "DashboardWidget"):
            self.view_menu.addAction(self.dashboard_tab_action)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.refresh_action)
        self.deal_menu = bar.addMenu("")
        self.deal_menu.addAction(self.new_deal_action)
        self.deal_menu.addSeparator()
        self.deal_menu.addAction(self.log_action)
        self.data_menu = None
        if self.marketing_action or self.targets_action:
            self.data_menu = bar.addMenu("")
            for act in (self.marketing_action, self.targets_action):
                if act is not None:
                    self.data_menu.addAction(act)
        self.help_menu = bar.addMenu("")
        self.help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        self.toolbar = QToolBar()
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for act in (self.open_action, None, self.undo_action, self.redo_action, None, self.log_action,
                    self.refresh_action):
            if act is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(act)
        self.addToolBar(self.toolbar)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Pipeline Manager"))
        self.file_menu.setTitle(self.tr("&File"))
        self.edit_menu.setTitle(self.tr("&Edit"))
        self.view_menu.setTitle(self.tr("&View"))
        self.deal_menu.setTitle(self.tr("De&al"))
        self.help_menu.setTitle(self.tr("&Help"))
        if self.data_menu is not None:
            self.data_menu.setTitle(self.tr("&Data"))
        texts = {
            self.new_db_action: self.tr("&New database…"), self.open_action: self.tr("&Open…"),
            self.sample_action: self.tr("Open &sample data"), self.backup_action: self.tr("&Backup…"),
            self.quit_action: self.tr("&Quit"), self.find_action: self.tr("&Find"),
            self.log_action: self.tr("&Log activity…"), self.new_deal_action: self.tr("&New deal…"),
            self.settings_action: self.tr("Se&ttings…"),
            self.board_tab_action: self.tr("&Board"), self.activities_tab_action: self.tr("&Activities"),
            self.dashboard_tab_action: self.tr("&Dashboard"), self.refresh_action: self.tr("&Refresh"),
            self.about_action: self.tr("&About Pipeline Manager"),
        }
        for act, text in ((self.import_action, self.tr("&Import…")),
                          (self.report_action, self.tr("Export &weekly report…")),
                          (self.marketing_action, self.tr("&Marketing spend…")),
                          (self.targets_action, self.tr("&Targets…"))):
            if act is not None:
                texts[act] = text
        for act, text in texts.items():
            act.setText(text)
        for act in (self.open_action, self.log_action, self.refresh_action):
            act.setIconText(toolbar_text(act.text()))
        # the toolbar's undo/redo keep a short, steady label; the menu and the tooltip name
        # the step ("Undo Move “…”"), which as a button label shifted the whole toolbar
        self.undo_action.setIconText(toolbar_text(self.tr("&Undo")))
        self.redo_action.setIconText(toolbar_text(self.tr("&Redo")))
        self._undo_texts()
        self.toolbar.setWindowTitle(self.tr("Toolbar"))
        for widget, text in ((self.board, self.tr("Board")), (self.activities, self.tr("Activities")),
                             (self.dashboard, self.tr("Dashboard"))):
            if widget is not None:
                self.tabs.setTabText(self.tabs.indexOf(widget), text)
        self.update_status()

    def _undo_texts(self) -> None:
        """Edit → Undo / Redo name the step they take back ("Undo Move “…”"), and so do the
        tool buttons' tooltips (the menu text, plainly)."""
        undo, redo = self.undo_group.undoText(), self.undo_group.redoText()
        self.undo_action.setText(self.tr("&Undo %1").replace("%1", undo) if undo else self.tr("&Undo"))
        self.redo_action.setText(self.tr("&Redo %1").replace("%1", redo) if redo else self.tr("&Redo"))
        for act in (self.undo_action, self.redo_action):
            tip = toolbar_text(act.text())
            if act.toolTip() != tip:
                act.setToolTip(tip)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ------------------------------------------------------------------ context and tabs
    def set_context(self, ctx: AppContext) -> None:
        """Show a database: new tabs over a fresh context; the old ones are closed."""
        old = self.ctx
        self.tabs.clear()
        for w in (self.board, self.activities, self.dashboard):
            if w is not None:
                w.deleteLater()
        if self.reminders is not None:
            self.reminders.deleteLater()
            self.reminders = None
        self.activities = self.dashboard = None
        if old is not None:
            self.undo_group.removeStack(old.undo_stack)
        self.ctx = ctx
        self.undo_group.addStack(ctx.undo_stack)
        self.undo_group.setActiveStack(ctx.undo_stack)
        self.board = Board(ctx, self.settings, self)
        self.board.deal_open_requested.connect(self.open_deal)
        self.board.import_requested.connect(self.import_data)
        self.tabs.addTab(self.board, "")
        activities_view = optional("app.views.activities_view", "ActivitiesView")
        if activities_view is not None:
            self.activities = activities_view(ctx, self)
            self.tabs.addTab(self.activities, "")
        dashboard = optional("app.views.dashboard", "DashboardWidget")
        if dashboard is not None:
            self.dashboard = dashboard(ctx, self)
            self.tabs.addTab(self.dashboard, "")
        reminder_service = optional("app.views.reminders", "ReminderService")
        if reminder_service is not None:
            self.reminders = reminder_service(ctx, self)
        ctx.hub.pipeline_changed.connect(lambda _c, _i: self.update_status())
        ctx.hub.deals_focus_requested.connect(lambda _ids: self.show_tab(self.board))
        if old is not None and old.db is not ctx.db:
            old.db.dispose()
        self.retranslate()

    def show_tab(self, widget: QWidget | None) -> None:
        if widget is not None:
            self.tabs.setCurrentWidget(widget)

    def update_status(self) -> None:
        if self.ctx is None:
            return
        db = self.ctx.db
        self.db_label.setText(db.location)
        role = self.tr("manager") if self.ctx.is_manager else self.tr("sales rep")
        self.user_label.setText(f"{self.ctx.user_name} ({role})")
        counts = board_service.deal_counts(db)
        self.count_label.setText(self.tr("Open %1 · Won %2 · Lost %3")
                                 .replace("%1", str(counts["open"])).replace("%2", str(counts["won"]))
                                 .replace("%3", str(counts["lost"])))

    # ------------------------------------------------------------------ databases
    def switch_database(self, open_db) -> bool:
        """Open another database (``open_db()`` returns it) and show it."""
        try:
            db = open_db()
        except AppError as exc:
            show_error(self, exc, self.tr("Cannot open the database"))
            return False
        try:
            if self.ctx is not None:
                ctx = application.make_context(db, self.ctx.user_name, self.ctx.role, self.ctx.lang)
            else:
                ctx = application.make_context(db, self.settings.user_name, self.settings.role,
                                               self.settings.language or "en")
        except AppError as exc:
            db.dispose()
            show_error(self, exc, self.tr("Cannot open the database"))
            return False
        self.set_context(ctx)
        self.settings.last_database = self.ctx.db.location
        return True

    def new_database(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self, self.tr("New database"), "pipeline.sqlite",
                                               self.tr("Pipeline databases (*.sqlite *.db)"))
        if not path:
            return
        if Path(path).exists():
            QMessageBox.warning(self, self.tr("New database"),
                                self.tr("That file already exists; use Open to open it."))
            return
        self.switch_database(lambda: open_database(path))

    def open_database_dialog(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, self.tr("Open database"), "",
                                               self.tr("Pipeline databases (*.sqlite *.db);;All files (*)"))
        if path:
            self.switch_database(lambda: open_database(path, create=False))

    def open_sample(self) -> None:
        self.switch_database(application.open_sample_database)

    def backup(self) -> None:
        db = self.ctx.db
        if db.path is None:
            QMessageBox.information(self, self.tr("Backup"),
                                    self.tr("Back up a server database with the server's own tools."))
            return
        stamp = datetime.now(UTC).astimezone().strftime("%Y%m%d-%H%M")
        suggestion = str(db.path.with_name(f"{db.path.stem}-{stamp}.sqlite"))
        path, _f = QFileDialog.getSaveFileName(self, self.tr("Back up the database"), suggestion,
                                               self.tr("Pipeline databases (*.sqlite *.db)"))
        if not path:
            return
        # a copy of the file, not a change: the runner shows any error (a full disk included)
        QueryOp(self.ctx, lambda _task: backup_sqlite(db.path, Path(path)), parent=self, title=self.tr("Backup")) \
            .success(lambda _dest: self.statusBar().showMessage(self.tr("Backed up to %1").replace("%1", path),
                                                                8000)).run()

    # ------------------------------------------------------------------ commands
    def find(self) -> None:
        self.show_tab(self.board)
        self.board.focus_search()

    def refresh(self) -> None:
        self.ctx.changed(Changes.of("reloaded"), self)  # every view reloads, the board included

    def selected_deal_id(self) -> uuid.UUID | None:
        if self.tabs.currentWidget() is self.board:
            return self.board.selected_deal_id()
        return None

    def new_deal(self) -> None:
        """Deal → New deal… (Ctrl+Shift+N): the board's dialog, the new card selected there."""
        self.show_tab(self.board)
        self.board.new_deal()

    def log_activity(self) -> None:
        dialog = optional("app.views.log_activity", "LogActivityDialog")
        if dialog is None:
            return
        run_modal(dialog(self.ctx, self.selected_deal_id(), self))

    def open_deal(self, deal_id: uuid.UUID) -> None:
        dialog = optional("app.views.deal_dialog", "DealDialog")
        if dialog is None:
            return
        run_modal(dialog(self.ctx, deal_id, self))  # what it changed was announced as it was saved

    def open_settings(self) -> None:
        dlg = SettingsDialog(self.settings, self.ctx.lang, self.ctx.user_name, self.ctx.role, self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        k = dlg.chosen_risk_k()
        if k != self.settings.risk_k:
            self.settings.risk_k = k
            self.board.update_risk(k)
        self.set_language(dlg.chosen_language())

    def set_language(self, lang: str) -> None:
        """Switch the interface language without a restart (nothing is lost)."""
        if lang == self.ctx.lang:
            return
        self.settings.language = lang
        self.ctx.lang = lang
        install_translators(QApplication.instance(), lang)  # Qt sends LanguageChange
        self.ctx.hub.language_changed.emit(lang)
        self.retranslate()

    def import_data(self) -> None:
        """File → Import…; on an offline replica the refusal comes before any file is picked."""
        wizard = optional("app.views.import_wizard", "ImportWizard")
        if wizard is None:
            return
        from app.services.importer import check_can_import

        try:
            check_can_import(self.ctx.db)
        except AppError as exc:
            show_error(self, exc, self.tr("Import"))
            return
        run_modal(wizard(self.ctx, self))

    def export_report(self) -> None:
        export = optional("app.views.report_export", "export_weekly_report")
        if export is not None:
            export(self.ctx, self)

    def edit_marketing(self) -> None:
        self._open_marketing_editor("MarketingDialog", self.tr("Marketing spend"))

    def edit_targets(self) -> None:
        self._open_marketing_editor("TargetsDialog", self.tr("Targets"))

    def _open_marketing_editor(self, name: str, title: str) -> None:
        """Data → Marketing spend… / Targets…; on an offline replica, where these figures
        cannot be changed, the refusal comes before the editor opens."""
        dialog = optional("app.views.marketing_editor", name)
        if dialog is None:
            return
        from app.services.marketing import check_can_edit

        try:
            check_can_edit(self.ctx.db)
        except AppError as exc:
            show_error(self, exc, title)
            return
        run_modal(dialog(self.ctx, self))

    def about(self) -> None:
        QMessageBox.about(self, self.tr("About Pipeline Manager"),
                          self.tr("Pipeline Manager %1\n\nA B2B sales pipeline with a gated 7-stage "
                                  "process: a deal leaves a stage only with its exit deliverables.")
                          .replace("%1", __version__))

    def closeEvent(self, event) -> None:
        self.settings.window_geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        if self.ctx is not None:
            self.settings.last_database = self.ctx.db.location
        self.settings.sync()
        super().closeEvent(event)
