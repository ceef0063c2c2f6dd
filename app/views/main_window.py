"""The main window: one column per stage (the full kanban board builds on this)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QVBoxLayout, QWidget

from app.db import Database
from app.services.deals import list_deals
from app.services.process import active_stages


class MainWindow(QMainWindow):
    def __init__(self, db: Database):
        super().__init__()
        self.db = db
        self.setWindowTitle(self.tr("Pipeline Manager"))
        central = QWidget()
        row = QHBoxLayout(central)
        with db.read() as s:
            stages = active_stages(s)
        counts: dict[int, int] = {}
        for d in list_deals(db, status="open"):
            counts[d.stage] = counts.get(d.stage, 0) + 1
        for st in stages:
            col = QVBoxLayout()
            col.addWidget(QLabel(f"{st.position}. {st.name_en}  ({counts.get(st.position, 0)})"))
            col.addStretch(1)
            row.addLayout(col)
        self.setCentralWidget(central)
        self.resize(1200, 700)
