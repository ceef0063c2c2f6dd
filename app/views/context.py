"""What every view shares: the database, who is working, the language, the change signal
and the undo stack. Views get this object; they never hold a Session."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from app.db import Database
from app.services.unit_of_work import OpChanges

#: What a change touched: the services' Qt-free description (app.services.unit_of_work).
Changes = OpChanges


class Hub(QObject):
    """Application-level signals. ``pipeline_changed(changes, initiator)``: each view
    refreshes only what the change touched, and not when it was the initiator."""

    pipeline_changed = Signal(object, object)
    language_changed = Signal(str)
    deals_focus_requested = Signal(object)  # a list of deal ids to show on the board


@dataclass
class AppContext:
    db: Database
    user_id: uuid.UUID
    user_name: str
    role: str  # "rep" | "manager"
    lang: str = "en"  # "en" | "ko"
    hub: Hub = field(default_factory=Hub)
    undo_stack: QUndoStack = field(default_factory=QUndoStack)

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"

    def changed(self, changes: OpChanges, initiator: object = None) -> None:
        """Announce a change. Called by the runner (app/views/operations.py) after an op
        commits, and when the whole database changed under the views (switched, synced)."""
        self.hub.pipeline_changed.emit(changes, initiator)


def run_modal(dialog) -> int:
    """``dialog.exec()``, then delete it: a dialog made with a parent would otherwise stay
    alive, hidden, as that parent's child (one per use, each still retranslated on every
    language switch)."""
    try:
        return dialog.exec()
    finally:
        dialog.deleteLater()
