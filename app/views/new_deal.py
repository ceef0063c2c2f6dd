"""New deal… (Ctrl+Shift+N, the board's "+ New deal"): title, account, contact, owner,
amount and currency, expected close date, lead source, description.

The account, contact and lead source are picked from a list or typed; a typed name that is
an existing one in another case or form is that one, a new name is created with the deal,
in one operation (``deals.create_deal_named``: a refused deal leaves no account behind).
A refusal is shown next to its field, in the interface language, and what was typed stays.
Only a manager may give the deal to someone else. There is no undo step for a creation:
nothing deletes a deal.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConflictError, ValidationError
from app.services import deals as deals_service
from app.services import people
from app.services.collation import name_key
from app.services.validation import currencies, parse_amount_and_currency
from app.views import formatting
from app.views.context import AppContext, run_modal
from app.views.deal_dialog import NO_DATE
from app.views.log_activity import error_label, show_error
from app.views.operations import CollectionOp, field_message, short_error, validation_text

DEFAULT_CURRENCY = "KRW"
#: a service's field -> the form row that shows its message
ROW_OF = {"currency": "amount", "account": "account_id", "name": None}


def _picked(combo: QComboBox) -> uuid.UUID | None:
    """The id of the item the combo shows, when its text is that item's (picked, not typed
    over); None otherwise (the text is then a name the service looks up or creates)."""
    i = combo.currentIndex()
    if i > 0 and combo.itemText(i) == combo.currentText() and combo.itemData(i):
        return uuid.UUID(combo.itemData(i))
    return None


def _name_combo() -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.setMinimumWidth(260)
    combo.completer().setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    combo.completer().setFilterMode(Qt.MatchFlag.MatchContains)
    return combo


def _fill(combo: QComboBox, items: list[tuple[str, uuid.UUID]], keep_text: str | None = None) -> None:
    """Items carry their id as text; the first is the empty choice. ``keep_text``: what the
    combo shows afterwards (default: what it shows now)."""
    text = combo.currentText() if keep_text is None else keep_text
    combo.blockSignals(True)
    combo.clear()
    combo.addItem("", "")
    for label, item_id in items:
        combo.addItem(label, str(item_id))
    i = combo.findText(text, Qt.MatchFlag.MatchExactly) if text else 0
    if i >= 0:
        combo.setCurrentIndex(i)
    else:
        combo.setCurrentIndex(0)
        combo.setEditText(text)
    combo.blockSignals(False)


class NewDealDialog(QDialog):
    """The form of a new deal; ``created_id`` is the deal's id once it is created."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.created_id: uuid.UUID | None = None
        self.setObjectName("NewDealDialog")
        self.labels: dict[str, QLabel] = {}
        self.errors: dict[str, QLabel] = {}
        self.editors: dict[str, QWidget] = {}
        self._contacts_for: object = "unset"  # the account whose contacts the contact list holds

        self.title_edit = QLineEdit()
        self.title_edit.setMinimumWidth(320)
        self.account_combo = _name_combo()
        self.contact_combo = _name_combo()
        self.owner_combo = QComboBox()
        self.amount_edit = QLineEdit()
        self.amount_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.currency_combo = QComboBox()
        self.currency_combo.addItems(sorted(currencies()))
        self.currency_combo.setCurrentText(DEFAULT_CURRENCY)
        self.close_edit = QDateEdit()
        self.close_edit.setCalendarPopup(True)
        self.close_edit.setMinimumDate(NO_DATE)
        self.close_edit.setSpecialValueText("—")
        d = date.today() + timedelta(days=30)
        self.close_edit.setDate(QDate(d.year, d.month, d.day))
        self.no_date_button = QPushButton()
        self.no_date_button.setFlat(True)
        self.no_date_button.setAutoDefault(False)
        self.no_date_button.clicked.connect(lambda: self.close_edit.setDate(NO_DATE))
        self.source_combo = _name_combo()
        self.description_edit = QPlainTextEdit()
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setFixedHeight(80)

        money_row = QWidget()
        h = QHBoxLayout(money_row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(self.amount_edit, 1)
        h.addWidget(self.currency_combo)
        close_row = QWidget()
        h = QHBoxLayout(close_row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(self.close_edit, 1)
        h.addWidget(self.no_date_button)

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, widget in (("title", self.title_edit), ("account_id", self.account_combo),
                            ("contact_id", self.contact_combo), ("owner_id", self.owner_combo),
                            ("amount", money_row), ("expected_close", close_row),
                            ("lead_source_id", self.source_combo), ("description", self.description_edit)):
            self._add_row(key, widget)
        self.general_error = error_label()
        self.owner_note = QLabel()
        self.owner_note.setStyleSheet("color: palette(mid);")
        self.owner_note.setWordWrap(True)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)  # the default: Enter creates
        self.buttons.accepted.connect(self.create)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        lay.addWidget(self.general_error)
        lay.addStretch(1)
        lay.addWidget(self.buttons)

        self._fill_pickers()
        self.account_combo.currentIndexChanged.connect(lambda _i: self._account_changed())
        self.account_combo.lineEdit().editingFinished.connect(self._account_changed)
        self.amount_edit.editingFinished.connect(self._amount_currency)
        self._account_changed()
        self.retranslate()
        self.title_edit.setFocus()

    # ------------------------------------------------------------------ building
    def _add_row(self, key: str, widget: QWidget) -> None:
        err = error_label()
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(1)
        v.addWidget(widget)
        v.addWidget(err)
        lab = QLabel()
        self.labels[key], self.errors[key], self.editors[key] = lab, err, widget
        self.form.addRow(lab, box)

    def _fill_pickers(self) -> None:
        db = self.ctx.db
        _fill(self.account_combo, [(a.name, a.id) for a in people.list_accounts(db)])
        _fill(self.source_combo, [(s.name, s.id) for s in people.list_lead_sources(db)])
        self.owner_combo.clear()
        for u in people.list_users(db):
            self.owner_combo.addItem(u.name, str(u.id))
        self.owner_combo.setCurrentIndex(max(self.owner_combo.findData(str(self.ctx.user_id)), 0))
        self.owner_combo.setEnabled(self.ctx.is_manager)  # a rep's new deal is theirs

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("New deal"))
        texts = {
            "title": self.tr("&Title:"), "account_id": self.tr("&Account:"), "contact_id": self.tr("&Contact:"),
            "owner_id": self.tr("&Owner:"), "amount": self.tr("A&mount:"),
            "expected_close": self.tr("E&xpected close:"), "lead_source_id": self.tr("&Lead source:"),
            "description": self.tr("&Description:"),
        }
        buddies = {"amount": self.amount_edit, "expected_close": self.close_edit}
        for key, text in texts.items():
            self.labels[key].setText(text)
            self.labels[key].setBuddy(buddies.get(key, self.editors[key]))
        self.title_edit.setPlaceholderText(self.tr("Required, e.g. Hanil Steel MES rollout"))
        pick = self.tr("Pick one or type a new name")
        for combo in (self.account_combo, self.contact_combo, self.source_combo):
            combo.lineEdit().setPlaceholderText(pick)
        self.amount_edit.setPlaceholderText(self.tr("e.g. 150,000,000"))
        self.close_edit.setDisplayFormat(formatting.date_edit_format(formatting.locale_for(self.ctx.lang)))
        self.no_date_button.setText(self.tr("No date"))
        self.create_button.setText(self.tr("Create deal"))
        self.owner_combo.setToolTip("" if self.ctx.is_manager
                                    else self.tr("Only a manager may create a deal for someone else"))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ------------------------------------------------------------------ the form
    def _account_id_shown(self) -> uuid.UUID | None:
        """The existing account the account field names (picked, or typed in any case or
        form); None for a new name or none."""
        picked = _picked(self.account_combo)
        if picked is not None:
            return picked
        key = name_key(self.account_combo.currentText().strip())
        if not key:
            return None
        for i in range(1, self.account_combo.count()):
            if name_key(self.account_combo.itemText(i)) == key:
                return uuid.UUID(self.account_combo.itemData(i))
        return None

    def _account_changed(self) -> None:
        """The contact list follows the account: its contacts (none for a new account)."""
        account_id = self._account_id_shown()
        if account_id == self._contacts_for:
            return
        self._contacts_for = account_id
        contacts = people.list_contacts(self.ctx.db, account_id) if account_id is not None else []
        _fill(self.contact_combo, [(c.name, c.id) for c in contacts])

    def _amount_currency(self) -> None:
        """An amount typed with its currency ("$5,000", "USD 5000") sets the currency."""
        try:
            written_in = parse_amount_and_currency(self.amount_edit.text())[1]
        except ValueError:
            return  # said when creating, next to the field
        if written_in and self.currency_combo.findText(written_in) >= 0:
            self.currency_combo.setCurrentText(written_in)

    def set_field(self, key: str, text: str) -> None:
        """Put ``text`` in a field as if typed (scripted use)."""
        widget = {"title": self.title_edit, "account_id": self.account_combo, "contact_id": self.contact_combo,
                  "amount": self.amount_edit, "lead_source_id": self.source_combo,
                  "description": self.description_edit}[key]
        if isinstance(widget, QComboBox):
            widget.setEditText(text)
            if key == "account_id":
                self._account_changed()
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(text)
        else:
            widget.setText(text)

    def values(self) -> dict:
        """What the form holds, as ``deals.create_deal_named`` takes it."""
        qd = self.close_edit.date()
        out = {
            "title": self.title_edit.text(),
            "owner_id": uuid.UUID(self.owner_combo.currentData()) if self.owner_combo.currentData()
            else self.ctx.user_id,
            "amount": self.amount_edit.text().strip(),
            "currency": self.currency_combo.currentText(),
            "expected_close": None if qd == NO_DATE else date(qd.year(), qd.month(), qd.day()),
            "description": self.description_edit.toPlainText(),
        }
        for key, name, combo in (("account_id", "account", self.account_combo),
                                 ("contact_id", "contact", self.contact_combo),
                                 ("lead_source_id", "lead_source", self.source_combo)):
            picked = _picked(combo)
            if picked is not None:
                out[key] = picked
            else:
                out[name] = combo.currentText().strip() or None
        return out

    # ------------------------------------------------------------------ creating
    def create(self) -> bool:
        """One operation: any new account, contact and lead source and the deal; errors
        next to their fields (the input stays); True when the deal was created."""
        self._account_changed()
        self._amount_currency()
        for lab in [*self.errors.values(), self.general_error]:
            show_error(lab, None)
        values = self.values()

        def work(uow):
            return deals_service.create_deal_named(uow, actor_id=self.ctx.user_id, **values)

        def inline(exc) -> bool:
            if isinstance(exc, ValidationError):
                self._show_errors(exc.errors)
                return True
            if isinstance(exc, ConflictError):
                return False
            show_error(self.general_error, short_error(exc, "new deal"))
            return True

        def created(deal) -> None:
            self.created_id = deal.id
            self.accept()

        return CollectionOp(self.ctx, work, parent=self, initiator=self, title=self.windowTitle()) \
            .success(created).failure(inline).run()

    def _show_errors(self, errors: dict[str, str]) -> None:
        first, rest = None, {}
        for key, msg in errors.items():
            row = ROW_OF.get(key, key)
            lab = self.errors.get(row) if row else None
            if lab is None:
                rest[key] = msg
                continue
            text = field_message(msg)
            show_error(lab, text if not lab.text() else f"{lab.text()}; {text}")
            first = first or row
        if rest:
            show_error(self.general_error, validation_text(ValidationError(rest), "; "))
        if first:
            target = {"amount": self.amount_edit, "expected_close": self.close_edit}.get(first, self.editors[first])
            target.setFocus()


def new_deal(ctx: AppContext, parent: QWidget | None = None) -> uuid.UUID | None:
    """Ask for a new deal and create it; its id, or None when cancelled."""
    dialog = NewDealDialog(ctx, parent)
    run_modal(dialog)
    return dialog.created_id
