"""Start the desktop app: QApplication, settings, first run, translators, the database and
the main window. Also what the main window needs to switch databases."""

from __future__ import annotations

import sys
from importlib.resources import files
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app.db import Database, default_db_path, open_database, url_without_password
from app.errors import AppError
from app.services import people
from app.views.context import AppContext
from app.views.i18n import install_translators
from app.views.operations import error_text, wait_for_ops
from app.views.settings import Settings, set_current

SAMPLE_DEALS = 600
SAMPLE_SEED = 1


def app_icon() -> QIcon:
    """The program's icon (windows, task bar), from the installed resources."""
    return QIcon(str(files("resources.icons") / "pipeline-manager.png"))


def sample_db_path() -> Path:
    return default_db_path().with_name("sample.sqlite")


def open_sample_database(path: Path | None = None) -> Database:
    """The sample company (600 deals, seed 1) in its own file, generated when missing."""
    from app.services.board import deal_counts
    from app.services.demo import generate

    path = path or sample_db_path()
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        db = open_database(path)
        if sum(deal_counts(db).values()) == 0:
            generate(db, deals=SAMPLE_DEALS, seed=SAMPLE_SEED)
        return db
    finally:
        QGuiApplication.restoreOverrideCursor()


def make_context(db: Database, name: str, role: str, lang: str) -> AppContext:
    """The context for working in ``db`` as ``name`` (created there with ``role`` if new)."""
    user = people.ensure_user(db, name, role)
    return AppContext(db=db, user_id=user.id, user_name=user.name, role=user.role, lang=lang)


def remembered_database(settings: Settings) -> str | None:
    """The database the settings remember; a team server's URL that an older version kept
    with its password is rewritten without it (the keyring has it)."""
    target = settings.last_database or None
    if target and "://" in target:
        clean = url_without_password(target)
        if clean != target:
            settings.last_database = target = clean
    return target


def open_for_gui(target: str | None, name: str, role: str, lang: str) -> tuple[Database, AppContext]:
    """Open ``target`` for the window. On a team server (PostgreSQL) the URL's login takes
    the password ``pipeline-manager login`` kept in the keyring, and the person working is
    the team member of that login, with the role the server gives them; elsewhere the
    settings' name and role. An AppError (e.g. that name is not a user of an offline
    replica, where users cannot be added) closes the database and is the caller's to show."""
    from app.services import team

    db = open_database(team.admin_url_with_password(target) if target and "://" in str(target) else target)
    try:
        member = team.current_user(db)
        if member is None:
            return db, make_context(db, name, role, lang)
    except AppError:
        db.dispose()
        raise
    return db, AppContext(db=db, user_id=member.id, user_name=member.name, role=member.role, lang=lang)


def first_run(app: QApplication, settings: Settings) -> bool:
    """Ask name, role, language and the starting data. False when the user cancels."""
    from app.views.first_run import FirstRunDialog

    dlg = FirstRunDialog(on_language=lambda lang: install_translators(app, lang))
    install_translators(app, dlg.choice().lang)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return False
    choice = dlg.choice()
    settings.user_name = choice.name
    settings.role = choice.role
    settings.language = choice.lang
    settings.last_database = str(sample_db_path() if choice.sample_data else default_db_path())
    if choice.sample_data:
        open_sample_database().dispose()
    settings.sync()
    return True


def run_gui(db_target: str | None) -> int:
    """The desktop app; ``db_target`` is ``--db`` (a path or URL) or None for the last one."""
    from app.views.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Pipeline Manager")
    app.setOrganizationName("pipeline-manager")
    app.setWindowIcon(app_icon())
    settings = Settings()
    set_current(settings)
    if settings.first_run and not first_run(app, settings):
        return 0
    lang = settings.language or "en"
    install_translators(app, lang)
    target = db_target or remembered_database(settings)
    try:
        db, ctx = open_for_gui(target, settings.user_name, settings.role, lang)
    except AppError as exc:
        QMessageBox.critical(None, "Pipeline Manager", error_text(exc))
        return 1
    if db_target is None or not settings.last_database:
        settings.last_database = db.location
    win = MainWindow(ctx, settings)
    win.show()
    code = app.exec()
    wait_for_ops(15_000, cancel=True)  # no job left running Python while the interpreter exits
    return code
