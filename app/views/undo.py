"""Undoable board actions for ``ctx.undo_stack``.

A command is pushed after its service call already succeeded (the first ``redo()`` that
QUndoStack.push makes is skipped). Undoing a move is the service's ``undo_move`` (recorded
as a new transition, so the history stays complete); redoing it is ``move_deal`` again
with the original arguments, gates included; either selects the card on the board again.
A command whose inverse is refused (someone moved or edited the deal meanwhile) tells the
user and drops out of the stack; an edit whose fields were only partly changed since is
undone for the others (EditDealCommand).
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QApplication, QMessageBox

from app.errors import ConflictError
from app.services import deals as deals_service
from app.services import gates
from app.views.context import AppContext
from app.views.operations import CollectionOp, field_label


def _tr(text: str) -> str:
    return QCoreApplication.translate("Undo", text)


def _run(cmd: QUndoCommand, ctx: AppContext, deal_id: uuid.UUID, work, done, after=None) -> None:
    """Undo or redo as one operation; a refused inverse drops the command from the stack and
    the deal is shown again as it is. ``after()`` runs once the change has been announced
    (the views show it by then) when the step succeeded."""
    def refused(exc) -> bool:
        cmd.setObsolete(True)
        if isinstance(exc, _Refused):  # our own refusal says everything in one message
            QMessageBox.warning(QApplication.activeWindow(), _tr("Cannot undo or redo"), exc.text)
            return True
        return False

    op = CollectionOp(ctx, work, parent=QApplication.activeWindow(), title=_tr("Cannot undo or redo"),
                      deals=[deal_id], reload_on_failure=True).success(done).failure(refused)
    if after is not None:
        op.finally_(lambda: after() if op.ok else None)
    op.run()


def _select_on_board(ctx: AppContext, deal_id: uuid.UUID) -> None:
    """Select the deal's card again on the board of ``ctx`` (Board.select_deal), so the
    keyboard goes on from it after an undone or redone move (Ctrl+Shift+→, Enter)."""
    from app.views.board import Board  # late: the board imports this module (via gate_dialog)

    for top in QApplication.topLevelWidgets():
        boards = [top] if isinstance(top, Board) else top.findChildren(Board)
        for board in boards:
            if board.ctx is ctx:
                board.select_deal(deal_id)


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
            reason=self.reason, override_reason=self.override_reason, loss_reason=self.loss_reason), moved,
            lambda: _select_on_board(self.ctx, self.deal_id))

    def undo(self) -> None:
        def undone(back) -> None:
            self.version = back.version

        _run(self, self.ctx, self.deal_id, lambda uow: gates.undo_move(
            uow, self.result.transition_id, actor_id=self.ctx.user_id, expected_version=self.version), undone,
            lambda: _select_on_board(self.ctx, self.deal_id))


#: fields written back together or not at all: an amount is read in its currency, a contact
#: belongs to its account, a campaign to its lead source
_TOGETHER = (frozenset({"amount", "currency"}), frozenset({"account_id", "contact_id"}),
             frozenset({"lead_source_id", "campaign_id"}))


class _Refused(ConflictError):
    """An undo / redo of an edit none of whose fields can be written back; ``text`` is the
    whole message in the interface language."""

    def __init__(self, text: str, current_version: int | None = None):
        super().__init__(text, current_version=current_version)
        self.text = text


def _labels(fields) -> str:
    """The fields as the user knows them from the form ("Amount, Expected close")."""
    return ", ".join(field_label(k) or k for k in fields)


class EditDealCommand(QUndoCommand):
    """Field edits of a deal (from the workspace, the gate dialog or the board): undo writes
    the old values back. ``before`` / ``after`` are the stored values. At undo (redo) time each
    edited field must still hold ``after`` (``before``): the inverse then applies to the deal
    as it is now, even if it moved or was edited elsewhere meanwhile. A field someone else
    changed since keeps their value (with the fields that go with it, _TOGETHER): the others
    are written back and the user is told which field was not, and the step goes on with
    the fields it wrote; when no field can be written back the step is refused, says so and
    drops out of the stack."""

    def __init__(self, ctx: AppContext, deal_id: uuid.UUID, *, before: dict, after: dict,
                 version: int, title: str):
        super().__init__(_tr("Edit “{0}”").format(title))
        self.ctx = ctx
        self.deal_id = deal_id
        self.before = dict(before)
        self.after = dict(after)
        self.version = version
        self._pushed = False

    def _apply(self, values: dict, expected: dict, *, undoing: bool) -> None:
        held: list[str] = []  # the fields not written back (changed since)
        title: list[str] = []

        def work(uow):
            deal = deals_service.get_deal(uow, self.deal_id)
            changed = {k for k, v in expected.items() if getattr(deal, k) != v}
            for group in _TOGETHER:
                if changed & group:
                    changed |= group & set(values)
            if changed >= set(values):
                fields = _labels(k for k in values if k in changed)
                text = (_tr("The edit of “{0}” was not undone: {1} has been changed since. "
                            "The deal is shown as it is now.") if undoing
                        else _tr("The edit of “{0}” was not redone: {1} has been changed since. "
                                 "The deal is shown as it is now.")).format(deal.title, fields)
                raise _Refused(text, current_version=deal.version)
            held[:] = [k for k in values if k in changed]
            return deals_service.update_deal(uow, self.deal_id, expected_version=deal.version,
                                             actor_id=self.ctx.user_id,
                                             **{k: v for k, v in values.items() if k not in changed})

        def applied(deal) -> None:
            self.version = deal.version
            title[:] = [deal.title]
            for k in held:  # from now on the step is the fields it could write back
                self.before.pop(k, None)
                self.after.pop(k, None)

        def tell() -> None:
            if not held:
                return
            text = (_tr("The edit of “{0}” was undone except for {1}: changed since this edit, "
                        "it keeps its current value.") if undoing
                    else _tr("The edit of “{0}” was redone except for {1}: changed since, "
                             "it keeps its current value.")).format(title[0], _labels(held))
            QMessageBox.information(QApplication.activeWindow(),
                                    _tr("Partly undone") if undoing else _tr("Partly redone"), text)

        _run(self, self.ctx, self.deal_id, work, applied, tell)

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True
            return
        self._apply(self.after, self.before, undoing=False)

    def undo(self) -> None:
        self._apply(self.before, self.after, undoing=True)
