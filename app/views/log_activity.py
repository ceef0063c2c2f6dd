"""Quick activity entry (Ctrl+L): type, subject, done now or due, notes, deal. Enter saves.

Everything is local: the activity goes straight into the database through
``app.services.activities.log_activity``; no network is involved.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, QDateTime, QEvent, QObject, QStringListModel, Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.models import ActivityType
from app.services import activities as activity_service
from app.services.deals import get_deal, list_deals, open_deals_titled
from app.views.context import AppContext
from app.views.operations import CollectionOp

TYPES = [t.value for t in ActivityType]
# one key per type, the same in every language: C)all M)eeting E)mail T)ask N)ote
TYPE_KEYS = {Qt.Key.Key_C: "call", Qt.Key.Key_M: "meeting", Qt.Key.Key_E: "email",
             Qt.Key.Key_T: "task", Qt.Key.Key_N: "note"}
ERROR_STYLE = "color: #c62828;"


def type_label(kind: str) -> str:
    """The activity type's name in the interface language."""
    labels = {
        "call": QCoreApplication.translate("ActivityType", "Call"),
        "meeting": QCoreApplication.translate("ActivityType", "Meeting"),
        "email": QCoreApplication.translate("ActivityType", "Email"),
        "task": QCoreApplication.translate("ActivityType", "Task"),
        "note": QCoreApplication.translate("ActivityType", "Note"),
    }
    return labels.get(kind, kind)


def fill_type_combo(combo: QComboBox, with_keys: bool = False) -> None:
    """(Re)label a combo holding the activity types; the type value is the item data."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    keys = {v: k for k, v in TYPE_KEYS.items()}
    for t in TYPES:
        label = type_label(t)
        if with_keys:
            label = f"{label}  ({chr(keys[t])})"
        combo.addItem(label, t)
    if current is not None:
        combo.setCurrentIndex(max(0, combo.findData(current)))
    combo.blockSignals(False)


def error_label() -> QLabel:
    """A red one-line message shown right under a field; hidden while empty."""
    lab = QLabel()
    lab.setStyleSheet(ERROR_STYLE)
    lab.setWordWrap(True)
    lab.hide()
    return lab


def show_error(label: QLabel, text: str | None) -> None:
    label.setText(text or "")
    label.setVisible(bool(text))


def to_utc(qdt: QDateTime) -> datetime:
    """A QDateTime shown in local time, as an aware UTC datetime."""
    return datetime.fromtimestamp(qdt.toSecsSinceEpoch(), UTC)


class _TypeKeys(QObject):
    """Lets C/M/E/T/N pick the activity type while the type combo has focus."""

    def __init__(self, combo: QComboBox):
        super().__init__(combo)
        self.combo = combo

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.KeyPress and event.modifiers() in (
                Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
            kind = TYPE_KEYS.get(Qt.Key(event.key()))
            if kind is not None:
                self.combo.setCurrentIndex(self.combo.findData(kind))
                return True
        return False


class _EnterSaves(QObject):
    """In the notes box Enter saves, Shift+Enter starts a new line."""

    def __init__(self, dialog: QDialog, edit: QPlainTextEdit):
        super().__init__(edit)
        self.dialog = dialog

    def eventFilter(self, obj, event):
        if (event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            self.dialog.accept()
            return True
        return False


class LogActivityDialog(QDialog):
    """Log an activity in a few keystrokes: type key, Tab, subject, Enter."""

    def __init__(self, ctx: AppContext, deal_id: uuid.UUID | None, parent: QWidget | None = None,
                 now=None):
        super().__init__(parent)
        self.ctx = ctx
        self.deal_id = deal_id
        self._now = now or (lambda: datetime.now(UTC))
        self._deal_choices: dict[str, uuid.UUID] = {}
        self.saved_activity_id: uuid.UUID | None = None

        self.type_combo = QComboBox()
        fill_type_combo(self.type_combo, with_keys=True)
        self.type_combo.installEventFilter(_TypeKeys(self.type_combo))
        self.type_combo.currentIndexChanged.connect(self._type_changed)

        self.subject = QLineEdit()
        self.subject_error = error_label()

        self.done_now = QCheckBox()
        self.done_now.setChecked(True)
        self.due = QDateTimeEdit()
        self.due.setCalendarPopup(True)
        tomorrow = QDateTime.currentDateTime().addDays(1)
        tomorrow.setTime(QTime(9, 0))
        self.due.setDateTime(tomorrow)
        self.due.setEnabled(False)
        self.done_now.toggled.connect(lambda on: self.due.setEnabled(not on))
        self.when_error = error_label()

        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(70)
        self.notes.setTabChangesFocus(True)
        self.notes.installEventFilter(_EnterSaves(self, self.notes))

        self.deal_edit = QLineEdit()
        self.deal_error = error_label()
        self._completer_model = QStringListModel(self)
        completer = QCompleter(self._completer_model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.deal_edit.setCompleter(completer)
        self.deal_edit.textEdited.connect(self._search_deals)
        if deal_id is not None:
            self.deal_edit.setText(get_deal(ctx.db, deal_id).title)
            self.deal_edit.setReadOnly(True)

        when = QHBoxLayout()
        when.addWidget(self.done_now)
        when.addWidget(self.due, 1)

        self.form = QFormLayout()
        self.lab_type, self.lab_subject, self.lab_when = QLabel(), QLabel(), QLabel()
        self.lab_notes, self.lab_deal = QLabel(), QLabel()
        self.form.addRow(self.lab_type, self.type_combo)
        self.form.addRow(self.lab_subject, self._stack(self.subject, self.subject_error))
        self.form.addRow(self.lab_when, self._stack_layout(when, self.when_error))
        self.form.addRow(self.lab_notes, self.notes)
        self.form.addRow(self.lab_deal, self._stack(self.deal_edit, self.deal_error))

        self.general_error = error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)

        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        lay.addWidget(self.general_error)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.retranslate()
        self.type_combo.setFocus()

    # ------------------------------------------------------------------ layout helpers

    @staticmethod
    def _stack(widget: QWidget, err: QLabel) -> QWidget:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        v.addWidget(widget)
        v.addWidget(err)
        return box

    @staticmethod
    def _stack_layout(layout, err: QLabel) -> QWidget:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        v.addLayout(layout)
        v.addWidget(err)
        return box

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Log activity"))
        fill_type_combo(self.type_combo, with_keys=True)
        self.lab_type.setText(self.tr("&Type:"))
        self.lab_type.setBuddy(self.type_combo)
        self.lab_subject.setText(self.tr("&Subject:"))
        self.lab_subject.setBuddy(self.subject)
        self.subject.setPlaceholderText(self.tr("What happened, or what is to be done"))
        self.lab_when.setText(self.tr("When:"))
        self.done_now.setText(self.tr("&Done now"))
        self.due.setToolTip(self.tr("Due date and time"))
        self.lab_notes.setText(self.tr("&Notes:"))
        self.lab_notes.setBuddy(self.notes)
        self.notes.setPlaceholderText(self.tr("Optional (Shift+Enter for a new line)"))
        self.lab_deal.setText(self.tr("D&eal:"))
        self.lab_deal.setBuddy(self.deal_edit)
        self.deal_edit.setPlaceholderText(self.tr("Type to search open deals (optional)"))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))

    def changeEvent(self, event):
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ------------------------------------------------------------------ behaviour

    def _type_changed(self) -> None:
        self.done_now.setChecked(activity_service.done_when_logged(self.type_combo.currentData()))

    def _search_deals(self, text: str) -> None:
        text = text.strip()
        if len(text) < 1:
            return
        rows = list_deals(self.ctx.db, status="open", search=text, limit=50)
        self._deal_choices = {}
        for r in rows:
            label = f"{r.title} — {r.account}" if r.account else r.title
            self._deal_choices.setdefault(label, r.id)
        self._completer_model.setStringList(list(self._deal_choices))

    def _chosen_deal(self) -> uuid.UUID | None:
        if self.deal_id is not None:
            return self.deal_id
        text = self.deal_edit.text().strip()
        if not text:
            return None
        if text in self._deal_choices:
            return self._deal_choices[text]
        exact = open_deals_titled(self.ctx.db, text)
        if len(exact) == 1:
            return exact[0]
        raise ValidationError({"deal_id": self.tr("Pick a deal from the list, or leave it empty")})

    def accept(self) -> None:
        """Save through one operation: field errors are shown under their fields, any other
        error by the runner; the change is announced once, with this dialog as initiator."""
        for lab in (self.subject_error, self.when_error, self.deal_error, self.general_error):
            show_error(lab, None)
        try:
            deal_id = self._chosen_deal()
        except ValidationError as exc:
            self._show_errors(exc.errors)
            return
        now = self._now()
        done_at = now if self.done_now.isChecked() else None
        due_at = now if self.done_now.isChecked() else to_utc(self.due.dateTime())
        kind, subject = self.type_combo.currentData(), self.subject.text()
        notes = self.notes.toPlainText().strip() or None

        def work(uow):
            return activity_service.log_activity(uow, type=kind, subject=subject, owner_id=self.ctx.user_id,
                                                 deal_id=deal_id, due_at=due_at, done_at=done_at, notes=notes)

        CollectionOp(self.ctx, work, parent=self, initiator=self, title=self.windowTitle()) \
            .success(self._saved).failure(self._refused).run()

    def _saved(self, act) -> None:
        self.saved_activity_id = act.id
        super().accept()

    def _refused(self, exc: BaseException) -> bool:
        if isinstance(exc, ValidationError):
            self._show_errors(exc.errors)
            return True
        return False

    def _show_errors(self, errors: dict[str, str]) -> None:
        targets = {"subject": self.subject_error, "deal_id": self.deal_error,
                   "due_at": self.when_error, "done_at": self.when_error}
        rest = []
        for key, msg in errors.items():
            if key == "subject" and msg == "a subject is required":
                msg = self.tr("A subject is required")
            lab = targets.get(key)
            if lab is None:
                rest.append(msg)
            else:
                show_error(lab, msg)
        if rest:
            show_error(self.general_error, "; ".join(rest))
        if errors.get("subject"):
            self.subject.setFocus()

