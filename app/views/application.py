"""Start the desktop app: QApplication, the database, the main window."""

from __future__ import annotations

import sys


def run_gui(db_target: str | None) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.db import open_database
    from app.errors import AppError
    from app.views.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Pipeline Manager")
    app.setOrganizationName("pipeline-manager")
    try:
        db = open_database(db_target)
    except AppError as exc:
        QMessageBox.critical(None, "Pipeline Manager", str(exc))
        return 1
    win = MainWindow(db)
    win.show()
    return app.exec()
