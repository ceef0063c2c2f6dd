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
from PySide6.QtWidgets import QApplication

from app.errors import ConflictError
from app.services import deals as deals_service
from app.services import gates
from app.views.context import AppContext
from app.views.operations import CollectionOp


def _tr(text: str) -> str:
    return QCoreApplication.translate("Undo", text)


def _run(cmd: QUndoCommand, ctx: AppContext, deal_id: uuid.UUID, work, done) -> None:
    """Undo or redo as one operation; a refused inverse drops the command from the stack and
    the deal is shown again as it is."""
    def refused(_exc) -> bool:
        cmd.setObsolete(True)
        return False

    CollectionOp(ctx, work, parent=QApplication.activeWindow(), title=_tr("Cannot undo or redo"),
                 deals=[deal_id], reload_on_failure=True).success(done).failure(refused).run()


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

    def redo(self) -> None:
        if not self._pushed:  # QUndoStack.push calls redo(): the move is already done
            self._pushed = True
            return

        def moved(result) -> None:
            self.result = result
            self.version = result.version

        _run(self, self.ctx, self.deal_id, lambda uow: gates.move_deal(
            uow, self.deal_id, self.target, actor_id=self.ctx.user_id, expected_version=self.version,
            reason=self.reason, override_reason=self.override_reason, loss_reason=self.loss_reason), moved)

    def undo(self) -> None:
        def undone(back) -> None:
            self.version = back.version

        _run(self, self.ctx, self.deal_id, lambda uow: gates.undo_move(
            uow, self.result.transition_id, actor_id=self.ctx.user_id, expected_version=self.version), undone)


class EditDealCommand(QUndoCommand):
    """Field edits of a deal (from the gate dialog or the board): undo writes the old values
    back. ``before`` / ``after`` are the stored values. At undo (redo) time the edited fields
    must still hold ``after`` (``before``): then the inverse applies to the deal as it is now,
    even if it moved or was edited elsewhere meanwhile; a field someone else changed since
    refuses the step, says so, and the step drops out of the stack."""

    def __init__(self, ctx: AppContext, deal_id: uuid.UUID, *, before: dict, after: dict,
                 version: int, title: str):
        super().__init__(_tr("Edit “{0}”").format(title))
        self.ctx = ctx
        self.deal_id = deal_id
        self.before = dict(before)
        self.after = dict(after)
        self.version = version
        self._pushed = False

    def _apply(self, values: dict, expected: dict) -> None:
        def work(uow):
            deal = deals_service.get_deal(uow, self.deal_id)
            changed = [k for k, v in expected.items() if getattr(deal, k) != v]
            if changed:
                raise ConflictError(_tr("“{0}” was changed since ({1}); this step cannot be undone or redone")
                                    .format(deal.title, ", ".join(changed)), current_version=deal.version)
            return deals_service.update_deal(uow, self.deal_id, expected_version=deal.version,
                                             actor_id=self.ctx.user_id, **values)

        def applied(deal) -> None:
            self.version = deal.version

        _run(self, self.ctx, self.deal_id, work, applied)

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True
            return
        self._apply(self.after, self.before)

    def undo(self) -> None:
        self._apply(self.before, self.after)
