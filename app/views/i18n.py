"""Install the Qt translators for a language: Qt's own (qtbase) and ours from resources/.

Switching at runtime removes the previous translators first; Qt then sends LanguageChange
to every widget, and each widget's ``retranslate()`` re-labels it.
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.views.formatting import locale_for

LANGUAGES = ("en", "ko")
QM_NAME = "pipeline_{lang}.qm"

_installed: list[QTranslator] = []
_language = ["en"]  # the interface language install_translators last set


def _ours(lang: str) -> QTranslator | None:
    """Our translator, loaded from bytes so it works from a wheel or a zip as well."""
    res = resources.files("resources.translations").joinpath(QM_NAME.format(lang=lang))
    if not res.is_file():
        return None
    data = res.read_bytes()
    tr = QTranslator()
    if not tr.load(data):
        return None
    tr._qm_data = data  # Qt does not copy the buffer: keep it alive with the translator
    return tr


def _qt_own(lang: str) -> QTranslator | None:
    tr = QTranslator()
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    return tr if tr.load(f"qtbase_{lang}", path) else None


def install_translators(app: QCoreApplication, lang: str) -> None:
    """Make ``lang`` ("en" or "ko") the interface language; "en" = no translator. Dates and
    numbers follow it too (QLocale's default: the locale every view formats with)."""
    QLocale.setDefault(locale_for(lang))
    _language[0] = lang
    for tr in _installed:
        app.removeTranslator(tr)
    _installed.clear()
    if lang == "en":
        return
    for tr in (_qt_own(lang), _ours(lang)):
        if tr is not None and app.installTranslator(tr):
            _installed.append(tr)


def current_language() -> str:
    """The interface language ("en" or "ko") the translators were last installed for."""
    return _language[0]


def installed_count() -> int:
    """How many translators this module has installed (for tests and diagnostics)."""
    return len(_installed)
