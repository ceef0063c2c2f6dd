"""Application settings: one declarative table of defaults behind typed accessors.

Views never spell raw QSettings keys; they read ``settings.risk_k`` or ``settings.language``.
``current()`` is the settings the running application uses (tests install their own with
``set_current``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
)

ORGANIZATION = "pipeline-manager"
APPLICATION = "Pipeline Manager"


@dataclass(frozen=True)
class Entry:
    key: str
    default: Any
    type: type


# the one table of settings and their defaults
DEFAULTS: dict[str, Entry] = {e.key: e for e in (
    Entry("user/name", "", str),
    Entry("user/role", "rep", str),  # rep | manager
    Entry("ui/language", "", str),  # "" = not chosen yet (first run), else en | ko
    Entry("db/last", "", str),  # path or URL of the last database opened
    Entry("window/geometry", QByteArray(), QByteArray),
    Entry("window/state", QByteArray(), QByteArray),
    Entry("risk/k", 1.5, float),  # at risk when days in stage > typical + k x spread
    Entry("board/owner", "everyone", str),  # everyone | mine | a user id (hex)
    Entry("board/sort", "close_date", str),  # close_date | amount | days_in_stage
)}


class _Setting:
    """A typed accessor over one entry of DEFAULTS."""

    def __init__(self, key: str):
        self.key = key

    def __get__(self, obj: Settings | None, owner=None):
        if obj is None:
            return self
        return obj.get(self.key)

    def __set__(self, obj: Settings, value) -> None:
        obj.set(self.key, value)


class Settings:
    user_name: str = _Setting("user/name")
    role: str = _Setting("user/role")
    language: str = _Setting("ui/language")
    last_database: str = _Setting("db/last")
    window_geometry: QByteArray = _Setting("window/geometry")
    window_state: QByteArray = _Setting("window/state")
    risk_k: float = _Setting("risk/k")
    board_owner: str = _Setting("board/owner")
    board_sort: str = _Setting("board/sort")

    def __init__(self, store: QSettings | None = None):
        self.store = store if store is not None else QSettings(ORGANIZATION, APPLICATION)

    @classmethod
    def at(cls, path: str) -> Settings:
        """Settings kept in an INI file (tests, portable installs)."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    def get(self, key: str):
        entry = DEFAULTS[key]
        value = self.store.value(key, entry.default)
        if value is None:
            return entry.default
        if entry.type is QByteArray:
            return value if isinstance(value, QByteArray) else QByteArray(value)
        try:
            return entry.type(value)
        except (TypeError, ValueError):
            return entry.default

    def set(self, key: str, value) -> None:
        entry = DEFAULTS[key]
        if entry.type is not QByteArray:
            value = entry.type(value)
        self.store.setValue(key, value)

    def reset(self, key: str) -> None:
        self.store.remove(key)

    def sync(self) -> None:
        self.store.sync()

    @property
    def first_run(self) -> bool:
        return not self.user_name.strip()


_current: Settings | None = None


def current() -> Settings:
    global _current
    if _current is None:
        _current = Settings()
    return _current


def set_current(settings: Settings | None) -> None:
    global _current
    _current = settings


def risk_factor() -> float:
    """k of the at-risk rule (read by the board and the dashboard)."""
    return current().risk_k


# ------------------------------------------------------------------ the dialog

class SettingsDialog(QDialog):
    """Language and the at-risk factor; the caller applies what changed."""

    def __init__(self, settings: Settings, lang: str, user_name: str, role: str, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.language = QComboBox()
        self.language.setObjectName("language")
        self.language.addItem("English", "en")
        self.language.addItem("한국어", "ko")
        self.language.setCurrentIndex(max(self.language.findData(lang), 0))
        self.risk = QDoubleSpinBox()
        self.risk.setObjectName("riskK")
        self.risk.setRange(0.0, 10.0)
        self.risk.setSingleStep(0.1)
        self.risk.setDecimals(1)
        self.risk.setValue(settings.risk_k)
        self.user = QLabel(user_name)
        self.role_value = role
        self.role = QLabel()
        self.form = QFormLayout()
        self.labels = [QLabel(), QLabel(), QLabel(), QLabel()]
        self.form.addRow(self.labels[0], self.user)
        self.form.addRow(self.labels[1], self.role)
        self.form.addRow(self.labels[2], self.language)
        self.form.addRow(self.labels[3], self.risk)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #5f6368;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.hint)
        layout.addWidget(buttons)
        self.setMinimumWidth(400)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Settings"))
        for label, text in zip(self.labels, (self.tr("User:"), self.tr("Role:"), self.tr("Language:"),
                                             self.tr("At-risk factor k:")), strict=True):
            label.setText(text)
        self.role.setText(self.tr("Manager") if self.role_value == "manager" else self.tr("Sales rep"))
        self.hint.setText(self.tr("A deal is at risk when its days in the stage exceed k times the "
                                  "median days won deals spent there (the process limit while "
                                  "there is no history)."))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def chosen_language(self) -> str:
        return self.language.currentData()

    def chosen_risk_k(self) -> float:
        return round(self.risk.value(), 1)
