"""Undoable board actions for ``ctx.undo_stack``.

A command is pushed after its service call already succeeded (the first ``redo()`` that
QUndoStack.push makes is skipped). Undoing a move is the service's ``undo_move`` (recorded
as a new transition, so the history stays complete); redoing it is ``move_deal`` again
with the original arguments, gates included. A command whose inverse is refused (someone
moved or edited the deal meanwhile) tells the user and drops out of the stack.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QApplication, QMessageBox

from app.errors import AppError
from app.services import deals as deals_service
from app.services import gates
from app.views.context import AppContext, Changes


def _tr(text: str) -> str:
    return QCoreApplication.translate("Undo", text)


def _report(exc: AppError) -> None:
    QMessageBox.warning(QApplication.activeWindow(), _tr("Cannot undo or redo"), str(exc))


class MoveCommand(QUndoCommand):
    """A deal move made through the gates (drop, keyboard, gate dialog)."""

    def __init__(self, ctx: AppContext, result: gates.MoveResult, *, target: int | str, title: str,
                 reason: str | None = None, override_reason: str | None = None,
                 loss_reason: str | None = None):
        super().__init__(_tr("Move “{0}”").format(title))
        self.ctx = ctx
        self.deal_id = result.deal_id
        self.target = target
        self.reason = reason
        self.override_reason = override_reason
        self.loss_reason = loss_reason
        self.result = result  # the latest forward application
        self.version = result.version  # the deal's version after our latest change
        self._pushed = False

    def _notify(self) -> None:
        self.ctx.changed(Changes.of("moved", deals=[self.deal_id]), None)

    def redo(self) -> None:
        if not self._pushed:  # QUndoStack.push calls redo(): the move is already done
            self._pushed = True
            return
        try:
            self.result = gates.move_deal(
                self.ctx.db, self.deal_id, self.target, actor_id=self.ctx.user_id,
                expected_version=self.version, reason=self.reason,
                override_reason=self.override_reason, loss_reason=self.loss_reason)
        except AppError as exc:
            self.setObsolete(True)
            _report(exc)
            self._notify()
            return
        self.version = self.result.version
        self._notify()

    def undo(self) -> None:
        try:
            back = gates.undo_move(self.ctx.db, self.result.transition_id, actor_id=self.ctx.user_id,
                                   expected_version=self.version)
        except AppError as exc:
            self.setObsolete(True)
            _report(exc)
            self._notify()
            return
        self.version = back.version
        self._notify()


class EditDealCommand(QUndoCommand):
    """Field edits of a deal (from the gate dialog or the board): undo writes the old values back."""

    def __init__(self, ctx: AppContext, deal_id: uuid.UUID, *, before: dict, after: dict,
                 version: int, title: str):
        super().__init__(_tr("Edit “{0}”").format(title))
        self.ctx = ctx
        self.deal_id = deal_id
        self.before = dict(before)
        self.after = dict(after)
        self.version = version
        self._pushed = False

    def _apply(self, values: dict) -> None:
        try:
            deal = deals_service.update_deal(self.ctx.db, self.deal_id, expected_version=self.version,
                                             actor_id=self.ctx.user_id, **values)
        except AppError as exc:
            self.setObsolete(True)
            _report(exc)
            self.ctx.changed(Changes.of("edited", deals=[self.deal_id]), None)
            return
        self.version = deal.version
        self.ctx.changed(Changes.of("edited", deals=[self.deal_id]), None)

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True
            return
        self._apply(self.after)

    def undo(self) -> None:
        self._apply(self.before)
