"""Moving a deal through the stage gates, and satisfying exit deliverables on the spot.

- :func:`run_move` is the one move flow of the desktop app (drop, keyboard shortcut): it
  asks a reason for a backward move or a loss, calls ``gates.move_deal``, opens
  :class:`GateDialog` when the gate refuses, reports a conflict, pushes the undo command
  and announces the change.
- :func:`satisfy_deliverable` records one missing deliverable (tick a check with its note,
  attach a file or link a document, fill the deal's fields, log the activity). The gate
  dialog and the deal workspace checklist both call it.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from PySide6.QtCore import QCoreApplication, QDate, QEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError, ConflictError, ValidationError
from app.models import DeliverableKind, utcnow
from app.services import activities as activities_service
from app.services import board as board_service
from app.services import deals as deals_service
from app.services import evidence as evidence_service
from app.services import gates
from app.services import people as people_service
from app.services.collation import name_key
from app.views import formatting
from app.views.context import AppContext, run_modal
from app.views.operations import CollectionOp, error_text, field_message, show_error
from app.views.undo import EditDealCommand, MoveCommand


def _tr(text: str) -> str:
    return QCoreApplication.translate("GateDialog", text)


def activity_type_label(kind: str) -> str:
    return {
        "call": QCoreApplication.translate("ActivityType", "Call"),
        "meeting": QCoreApplication.translate("ActivityType", "Meeting"),
        "email": QCoreApplication.translate("ActivityType", "Email"),
        "task": QCoreApplication.translate("ActivityType", "Task"),
        "note": QCoreApplication.translate("ActivityType", "Note"),
    }.get(kind, kind)


def field_label(name: str) -> str:
    return {
        "title": _tr("Title"),
        "account_id": _tr("Account"),
        "contact_id": _tr("Decision-maker contact"),
        "owner_id": _tr("Owner"),
        "amount": _tr("Amount"),
        "currency": _tr("Currency"),
        "expected_close": _tr("Expected close date"),
        "lead_source_id": _tr("Lead source"),
        "description": _tr("Description"),
    }.get(name, name)


def target_label(ctx: AppContext, target: int | str) -> str:
    if target == gates.WON:
        return _tr("Won")
    if target == gates.LOST:
        return _tr("Lost")
    for st in board_service.stages(ctx.db):
        if st.position == target:
            return f"{st.position}. {st.name(ctx.lang)}"
    return str(target)


# ------------------------------------------------------------------ field editing

class FieldDialog(QDialog):
    """Fill the deal fields a ``field`` deliverable needs; errors show next to each field."""

    def __init__(self, ctx: AppContext, deal_id: uuid.UUID, fields: tuple[str, ...], parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.deal_id = deal_id
        self.fields = tuple(fields)
        self.deal = deals_service.get_deal(ctx.db, deal_id)
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.saved_version: int | None = None
        self._new_account_id: uuid.UUID | None = None
        self.setWindowTitle(_tr("Fill in the deal"))
        self.setMinimumWidth(440)  # room for a picker's hint and an error under it on one line
        form = QFormLayout()
        for name in self.fields:
            editor = self._editor(name)
            err = QLabel()
            err.setStyleSheet("color: #b3261e;")
            err.setWordWrap(True)
            err.hide()
            box = QVBoxLayout()
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(editor)
            box.addWidget(err)
            holder = QWidget()
            holder.setLayout(box)
            form.addRow(field_label(name), holder)
            self.editors[name] = editor
            self.errors[name] = err
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        title = QLabel(self.deal.title)
        title.setStyleSheet("font-weight: bold;")
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._shown = {name: self._value(name) for name in self.fields}  # as the editors opened

    def _editor(self, name: str) -> QWidget:
        value = getattr(self.deal, name, None)
        if name in ("lead_source_id", "contact_id", "account_id"):
            combo = QComboBox()
            combo.setEditable(True)
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            if name == "lead_source_id":
                items = [(x.id, x.name) for x in people_service.list_lead_sources(self.ctx.db)]
            elif name == "contact_id":
                items = [(x.id, x.name) for x in people_service.list_contacts(self.ctx.db, self.deal.account_id)]
                if not items:
                    items = [(x.id, x.name) for x in people_service.list_contacts(self.ctx.db)]
            else:
                items = [(x.id, x.name) for x in people_service.list_accounts(self.ctx.db)]
            combo.addItem("", None)
            for item_id, label in items:
                combo.addItem(label, item_id)
            # the deal's own choice; not findData, which compares a UUID by identity, never
            # finding an equal one, so the picker opened empty and Save cleared the field
            idx = next((i for i in range(1, combo.count()) if combo.itemData(i) == value), 0)
            combo.setCurrentIndex(idx)
            combo.lineEdit().setPlaceholderText(_tr("Pick or type a new name"))
            return combo
        if name == "expected_close":
            edit = QDateEdit()
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(formatting.date_edit_format())
            d = value or (date.today() + timedelta(days=30))
            edit.setDate(QDate(d.year, d.month, d.day))
            return edit
        edit = QLineEdit("" if value is None else str(value))
        if name == "amount":
            edit.setPlaceholderText(_tr("e.g. 150000000"))
        return edit

    def _value(self, name: str, uow=None):
        """The editor's value; a name typed into a picker becomes a new account, contact or
        lead source, created in ``uow`` (the same unit of work as the deal's update)."""
        editor = self.editors[name]
        if isinstance(editor, QComboBox):
            text = editor.currentText().strip()
            if not text:
                return None
            key = name_key(text)  # a name typed in another case or form picks the existing one
            idx = next((i for i in range(1, editor.count()) if name_key(editor.itemText(i)) == key), -1)
            if idx > 0:
                return editor.itemData(idx)
            if uow is None:
                return text
            if name == "lead_source_id":
                return people_service.create_lead_source(uow, text).id
            if name == "contact_id":
                account_id = self._new_account_id or self.deal.account_id
                return people_service.create_contact(uow, text, account_id).id
            self._new_account_id = people_service.create_account(uow, text).id
            return self._new_account_id
        if isinstance(editor, QDateEdit):
            return editor.date().toPython()
        return editor.text().strip() or None

    def set_value(self, name: str, value) -> None:
        """Fill an editor programmatically (tests, scripted use)."""
        editor = self.editors[name]
        if isinstance(editor, QComboBox):
            editor.setEditText("" if value is None else str(value))
        elif isinstance(editor, QDateEdit):
            editor.setDate(QDate(value.year, value.month, value.day))
        else:
            editor.setText("" if value is None else str(value))

    def _fit_errors(self) -> None:
        """Grow to show the error lines just shown (a wrapped one was cut off)."""
        self.layout().activate()
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))

    def save(self) -> None:
        """One unit of work: any new account, contact or lead source typed in and the deal's
        update commit together; a refused update leaves nothing behind. Every field is one
        the deliverable needs filled, so an empty one is refused under it (the dialog stays
        open); with nothing changed the dialog closes without an update or an undo step."""
        for err in self.errors.values():
            err.hide()
        empty = [name for name in self.fields if self._value(name) in (None, "")]
        for name in empty:
            self.errors[name].setText(_tr("Required to pass the stage gate"))
            self.errors[name].show()
        if empty:
            self._fit_errors()
            self.editors[empty[0]].setFocus()
            return
        before = {name: getattr(self.deal, name, None) for name in self.fields}
        stored_filled = all(v is not None and str(v).strip() for v in before.values())
        if stored_filled and {name: self._value(name) for name in self.fields} == self._shown:
            self.accept()  # nothing to save (a date box's default for an empty date is a change)
            return
        after: dict = {}

        def work(uow):
            self._new_account_id = None
            order = sorted(self.fields, key=lambda n: n != "account_id")  # the account before its contact
            after.update({name: self._value(name, uow) for name in order})
            return deals_service.update_deal(uow, self.deal_id, expected_version=self.deal.version,
                                             actor_id=self.ctx.user_id, **after)

        def inline(exc) -> bool:
            if isinstance(exc, ValidationError) and set(exc.errors) <= set(self.errors):
                for name, message in exc.errors.items():
                    self.errors[name].setText(field_message(message))
                    self.errors[name].show()
                self._fit_errors()
                return True
            if isinstance(exc, ConflictError):
                self.reject()  # the runner then says why
            return False

        def saved(deal) -> None:
            self.saved_version = deal.version
            stored = {name: getattr(deal, name, None) for name in self.fields}  # as saved, not as typed
            if stored != before:  # "1,000" retyped as "1000" is no step to undo
                self.ctx.undo_stack.push(EditDealCommand(self.ctx, self.deal_id, before=before, after=stored,
                                                         version=deal.version, title=deal.title))
            self.accept()

        CollectionOp(self.ctx, work, parent=self, initiator=self.parent(), title=self.windowTitle(),
                     deals=[self.deal_id]).success(saved).failure(inline).run()


# ------------------------------------------------------------------ satisfying one deliverable

def _ask_text(parent, title: str, label: str, *, required: bool, text: str = "") -> str | None:
    """A line of text; None when cancelled. A required text is asked again while empty."""
    while True:
        value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
        if not ok:
            return None
        value = (value or "").strip()
        if value or not required:
            return value
        QMessageBox.warning(parent, title, _tr("This needs some text."))


def satisfy_deliverable(ctx: AppContext, deal_id: uuid.UUID, deliverable_id: uuid.UUID,
                        parent: QWidget | None = None, *, how: str | None = None) -> bool:
    """Let the user satisfy one exit deliverable of a deal. True when something was recorded.

    check: confirm with a note (required when the template says so); document: ``how``
    'file' (QFileDialog) or 'link' (asked when None); field: :class:`FieldDialog`;
    activity: logged as done now, in the deliverable's stage. The prompts come first, then
    one operation records it (announced with ``parent`` as initiator); errors are shown by
    the runner, never raised.
    """
    title = _tr("Cannot record this")
    try:
        info = board_service.deliverable_info(ctx.db, deliverable_id)
    except AppError as exc:
        show_error(parent, exc, title)
        return False
    kind = DeliverableKind(info.kind)
    name = info.name(ctx.lang)
    if kind is DeliverableKind.FIELD:
        dlg = FieldDialog(ctx, deal_id, info.fields, parent)  # saves (and announces) by itself
        return run_modal(dlg) == QDialog.DialogCode.Accepted
    if kind is DeliverableKind.CHECK:
        label = _tr("Note (required):") if info.requires_note else _tr("Note (optional):")
        note = _ask_text(parent, name, label, required=info.requires_note)
        if note is None:
            return False

        def work(uow):
            return evidence_service.record_evidence(uow, deal_id, info.id, actor_id=ctx.user_id, note=note)
    elif kind is DeliverableKind.DOCUMENT:
        if how is None:
            box = QMessageBox(QMessageBox.Icon.Question, name, _tr("Attach a file or link a document?"),
                              QMessageBox.StandardButton.Cancel, parent)
            file_btn = box.addButton(_tr("Attach file…"), QMessageBox.ButtonRole.AcceptRole)
            link_btn = box.addButton(_tr("Link…"), QMessageBox.ButtonRole.AcceptRole)
            box.exec()
            how = "file" if box.clickedButton() is file_btn else "link" if box.clickedButton() is link_btn else None
            if how is None:
                return False
        if how == "file":
            path, _filter = QFileDialog.getOpenFileName(parent, name)
            if not path:
                return False
            where = {"file_path": path}
        else:
            link = _ask_text(parent, name, _tr("Link (URL or document location):"), required=True)
            if link is None:
                return False
            where = {"link": link}

        def work(uow):
            return evidence_service.record_evidence(uow, deal_id, info.id, actor_id=ctx.user_id, **where)
    else:
        types = list(info.activity_types) or ["call"]
        act_type = types[0]
        if len(types) > 1:
            labels = [activity_type_label(t) for t in types]
            choice, ok = QInputDialog.getItem(parent, name, _tr("Activity type:"), labels, 0, False)
            if not ok:
                return False
            act_type = types[labels.index(choice)] if choice in labels else types[0]
        subject = _ask_text(parent, name, _tr("Subject:"), required=True, text=name)
        if subject is None:
            return False

        def work(uow):
            return activities_service.log_activity(uow, type=act_type, subject=subject, owner_id=ctx.user_id,
                                                   deal_id=deal_id, done_at=utcnow(), stage_id=info.stage_id)
    return CollectionOp(ctx, work, parent=parent, initiator=parent, title=title, deals=[deal_id]).run()


# ------------------------------------------------------------------ the gate dialog

KIND_LABELS = {
    "check": lambda: _tr("Confirmation"),
    "document": lambda: _tr("Document"),
    "field": lambda: _tr("Field"),
    "activity": lambda: _tr("Activity"),
}


class GateDialog(QDialog):
    """The deliverables missing for a move, grouped by stage, each satisfiable here.

    "Move" completes the move once nothing is missing; a manager also sees "Override…"
    (a written reason is required). ``move_result`` holds the move when accepted.
    """

    def __init__(self, ctx: AppContext, deal_id: uuid.UUID, target: int | str,
                 missing: list[gates.MissingDeliverable] | None = None, *,
                 expected_version: int | None = None, reason: str | None = None,
                 loss_reason: str | None = None, parent: QWidget | None = None, initiator: object = None):
        super().__init__(parent)
        self.ctx = ctx
        self.deal_id = deal_id
        self.target = target
        self.initiator = initiator  # announced with the move (the board that asked for it)
        self.reason = reason
        self.loss_reason = loss_reason
        self.override_reason: str | None = None
        self.move_result: gates.MoveResult | None = None
        card = board_service.card(ctx.db, deal_id)
        self.title = card.title
        self.version = expected_version if expected_version is not None else card.version
        self.missing = missing if missing is not None else gates.missing_for_move(ctx.db, deal_id, target)
        self.setMinimumWidth(560)

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.done_label = QLabel()
        self.done_label.setStyleSheet("color: #1b7f3b; font-weight: bold;")
        self.buttons = QDialogButtonBox()
        self.move_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.move_button.setObjectName("move")
        self.override_button: QPushButton | None = None
        if ctx.is_manager:
            self.override_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
            self.override_button.setObjectName("override")
            self.override_button.clicked.connect(self.override)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.move_button.clicked.connect(self.complete_move)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.done_label)
        layout.addWidget(self.buttons)
        self.retranslate()
        if self.missing:
            content = self.scroll.widget().sizeHint().height()
            self.resize(640, max(300, min(640, content + 150)))
        else:  # no list to show: intro, the green line and the buttons
            self.resize(640, self.sizeHint().height())

    # -- building
    def retranslate(self) -> None:
        self.setWindowTitle(_tr("Stage gate"))
        self.move_button.setText(_tr("Move"))
        self.cancel_button.setText(_tr("Cancel"))
        if self.override_button is not None:
            self.override_button.setText(_tr("Override…"))
        self.done_label.setText(_tr("Everything the gate needs is recorded."))
        self._rebuild()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _rebuild(self) -> None:
        body = QWidget()
        col = QVBoxLayout(body)
        self.satisfy_buttons: dict[tuple[uuid.UUID, str], QPushButton] = {}
        by_stage: dict[int, list[gates.MissingDeliverable]] = {}
        for m in self.missing:
            by_stage.setdefault(m.stage_position, []).append(m)
        for pos in sorted(by_stage):
            items = by_stage[pos]
            group = QGroupBox(f"{pos}. {items[0].stage_name(self.ctx.lang)}")
            grid = QVBoxLayout(group)
            for m in items:
                row = QHBoxLayout()
                kind = QLabel(KIND_LABELS.get(m.kind, lambda k=m.kind: k)())
                kind.setStyleSheet("color: #5f6368;")
                kind.setMinimumWidth(90)
                name = QLabel(m.name(self.ctx.lang) + (" *" if m.requires_note else ""))
                name.setWordWrap(True)
                row.addWidget(kind)
                row.addWidget(name, 1)
                for how, text in self._actions(m):
                    btn = QPushButton(text)
                    btn.setObjectName(f"satisfy-{m.key}-{how}")
                    btn.clicked.connect(lambda _=False, m=m, how=how: self.satisfy(m, how))
                    row.addWidget(btn)
                    self.satisfy_buttons[(m.deliverable_id, how)] = btn
                grid.addLayout(row)
            col.addWidget(group)
        col.addStretch(1)
        self.scroll.setWidget(body)
        nothing_missing = not self.missing
        target = target_label(self.ctx, self.target)
        # nothing blocks the move (from the start or once the last item is recorded): say it may move
        self.intro.setText(_tr("“{0}” can move to {1}.").format(self.title, target) if nothing_missing
                           else _tr("“{0}” cannot move to {1} yet. Record the missing exit deliverables "
                                    "below, then move it.").format(self.title, target))
        self.scroll.setVisible(not nothing_missing)
        self.move_button.setEnabled(nothing_missing)
        self.move_button.setDefault(nothing_missing)
        self.done_label.setVisible(nothing_missing)
        if self.override_button is not None:
            self.override_button.setVisible(not nothing_missing)

    def _actions(self, m: gates.MissingDeliverable) -> list[tuple[str, str]]:
        kind = DeliverableKind(m.kind)
        if kind is DeliverableKind.CHECK:
            return [("check", _tr("Confirm…"))]
        if kind is DeliverableKind.DOCUMENT:
            return [("file", _tr("Attach file…")), ("link", _tr("Link…"))]
        if kind is DeliverableKind.FIELD:
            return [("field", _tr("Fill in…"))]
        return [("activity", _tr("Log activity…"))]

    # -- actions
    def satisfy(self, m: gates.MissingDeliverable, how: str | None = None) -> bool:
        done = satisfy_deliverable(self.ctx, self.deal_id, m.deliverable_id, self,
                                   how=how if how in ("file", "link") else None)
        if done and m.kind == DeliverableKind.FIELD.value:
            self.version = board_service.card(self.ctx.db, self.deal_id).version
        self.recheck()
        return done

    def recheck(self) -> None:
        try:
            self.missing = gates.missing_for_move(self.ctx.db, self.deal_id, self.target)
        except AppError as exc:
            QMessageBox.warning(self, self.windowTitle(), error_text(exc))
            self.reject()
            return
        self._rebuild()

    def _move(self, override_reason: str | None) -> None:
        def refused(exc) -> bool:
            if isinstance(exc, gates.GateRefused):  # something was withdrawn meanwhile
                self.missing = exc.missing
                self._rebuild()
                return True
            if isinstance(exc, ConflictError):
                self.reject()  # the runner then says why
            return False

        def moved(result) -> None:
            self.move_result = result
            self.override_reason = override_reason
            self.accept()

        CollectionOp(self.ctx, lambda uow: gates.move_deal(
            uow, self.deal_id, self.target, actor_id=self.ctx.user_id, expected_version=self.version,
            reason=self.reason, loss_reason=self.loss_reason, override_reason=override_reason),
            parent=self, initiator=self.initiator, title=self.windowTitle(), deals=[self.deal_id],
        ).success(moved).failure(refused).run()

    def complete_move(self) -> None:
        self.recheck()
        if not self.missing:
            self._move(None)

    def override(self) -> None:
        while True:
            text, ok = QInputDialog.getMultiLineText(
                self, _tr("Override the gate"),
                _tr("Why may this deal move without the missing deliverables?\n"
                    "The reason is stored with the move and shows in reports."))
            if not ok:
                return
            if text.strip():
                break
            QMessageBox.warning(self, _tr("Override the gate"), _tr("An override needs a written reason."))
        self._move(text.strip())


# ------------------------------------------------------------------ the move flow

def run_move(ctx: AppContext, deal_id: uuid.UUID, target: int | str, *, parent: QWidget | None = None,
             expected_version: int | None = None, initiator: object = None) -> gates.MoveResult | None:
    """Move a deal the way the board does: ask the reason the move needs
    (``gates.reason_needed``), go through the gate (dialog on refusal), push the undo
    command. One operation moves the deal and announces it; None when cancelled or refused;
    errors and conflicts are shown by the runner, never raised."""
    title = _tr("Cannot move")
    try:
        card = board_service.card(ctx.db, deal_id)
    except AppError as exc:
        show_error(parent, exc, title)
        return None
    version = expected_version if expected_version is not None else card.version
    if card.column == target:
        return None
    refusal = gates.closed_deal_refusal(card.status, target)
    if refusal:
        show_error(parent, ValidationError({"to": refusal}), title)
        return None
    reason = loss_reason = None
    needed = gates.reason_needed(card.status, card.stage_position, target)
    if needed == "loss":
        loss_reason = _ask_text(parent, _tr("Deal lost"), _tr("Why was “{0}” lost?").format(card.title),
                                required=True)
        if loss_reason is None:
            return None
    elif needed == "reopen":
        reason = _ask_text(parent, _tr("Reopen deal"), _tr("Why is “{0}” reopened?").format(card.title),
                           required=True)
        if reason is None:
            return None
    elif needed == "back":
        reason = _ask_text(parent, _tr("Move back"),
                           _tr("Why does “{0}” move back to {1}?").format(card.title, target_label(ctx, target)),
                           required=True)
        if reason is None:
            return None
    refusal: list[gates.GateRefused] = []

    def gate_refused(exc) -> bool:
        if isinstance(exc, gates.GateRefused):
            refusal.append(exc)
            return True
        return False

    op = CollectionOp(ctx, lambda uow: gates.move_deal(uow, deal_id, target, actor_id=ctx.user_id,
                                                       expected_version=version, reason=reason,
                                                       loss_reason=loss_reason),
                      parent=parent, initiator=initiator, title=title, deals=[deal_id]).failure(gate_refused)
    override_reason = None
    if op.run():
        result = op.value
    elif refusal:
        dlg = GateDialog(ctx, deal_id, target, refusal[0].missing, expected_version=version, reason=reason,
                         loss_reason=loss_reason, parent=parent, initiator=initiator)
        if run_modal(dlg) != QDialog.DialogCode.Accepted or dlg.move_result is None:
            return None  # what was recorded in the dialog was announced as it was recorded
        result, override_reason = dlg.move_result, dlg.override_reason
    else:
        return None
    ctx.undo_stack.push(MoveCommand(ctx, result, target=target, title=card.title, reason=reason,
                                    override_reason=override_reason, loss_reason=loss_reason))
    return result
