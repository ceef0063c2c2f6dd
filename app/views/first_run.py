"""First run: who is working (name, role), in which language, on which data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QLocale
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
)


@dataclass(frozen=True)
class FirstRunChoice:
    name: str
    role: str  # rep | manager
    lang: str  # en | ko
    sample_data: bool


def system_language() -> str:
    return "ko" if QLocale.system().language() == QLocale.Language.Korean else "en"


class FirstRunDialog(QDialog):
    """Asks name, role and language, then empty database or sample data.

    ``on_language(lang)`` is called when the language is changed, so the caller can
    install the translators and this dialog re-labels itself at once.
    """

    def __init__(self, parent=None, *, default_lang: str | None = None,
                 on_language: Callable[[str], None] | None = None):
        super().__init__(parent)
        self.on_language = on_language
        self.name = QLineEdit()
        self.name.setObjectName("name")
        self.role = QComboBox()
        self.role.setObjectName("role")
        self.role.addItem("", "rep")
        self.role.addItem("", "manager")
        self.language = QComboBox()
        self.language.setObjectName("language")
        self.language.addItem("English", "en")
        self.language.addItem("한국어", "ko")
        self.language.setCurrentIndex(max(self.language.findData(default_lang or system_language()), 0))
        self.language.currentIndexChanged.connect(self._language_changed)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.form = QFormLayout()
        self.labels = [QLabel(), QLabel(), QLabel()]
        self.form.addRow(self.labels[0], self.name)
        self.form.addRow("", self.error)
        self.form.addRow(self.labels[1], self.role)
        self.form.addRow(self.labels[2], self.language)
        self.data_box = QGroupBox()
        self.empty = QRadioButton()
        self.empty.setObjectName("empty")
        self.sample = QRadioButton()
        self.sample.setObjectName("sample")
        self.sample.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.empty)
        group.addButton(self.sample)
        box = QVBoxLayout(self.data_box)
        box.addWidget(self.sample)
        box.addWidget(self.empty)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.data_box)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Welcome to Pipeline Manager"))
        self.intro.setText(self.tr("Tell us who you are. Your name is recorded with every move, "
                                   "piece of evidence and activity you log."))
        for label, text in zip(self.labels, (self.tr("Your name:"), self.tr("Role:"), self.tr("Language:")),
                               strict=True):
            label.setText(text)
        self.role.setItemText(0, self.tr("Sales rep"))
        self.role.setItemText(1, self.tr("Manager (may override stage gates)"))
        self.data_box.setTitle(self.tr("Start with"))
        self.sample.setText(self.tr("Sample data: a B2B company with 600 deals, to look around"))
        self.empty.setText(self.tr("An empty database, for real work"))
        self.error.setText(self.tr("Please enter your name."))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _language_changed(self, _index: int) -> None:
        if self.on_language is not None:
            self.on_language(self.language.currentData())

    def accept(self) -> None:
        if not self.name.text().strip():
            self.error.show()
            self.name.setFocus()
            return
        super().accept()

    def choice(self) -> FirstRunChoice:
        return FirstRunChoice(name=self.name.text().strip(), role=self.role.currentData(),
                              lang=self.language.currentData(), sample_data=self.sample.isChecked())
