"""Korean interface: translators switch at runtime, the shipped .ts is complete and sane."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from importlib import resources

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication

from app.views.activities_view import ActivitiesModel, ActivitiesView
from app.views.context import AppContext
from app.views.i18n import install_translators, installed_count
from app.views.log_activity import LogActivityDialog

HANGUL = re.compile("[\uac00-\ud7a3]")


def _ts() -> ET.ElementTree:
    path = resources.files("resources.translations").joinpath("pipeline_ko.ts")
    with resources.as_file(path) as p:
        return ET.parse(p)


def _messages():
    for ctx in _ts().getroot().iter("context"):
        for msg in ctx.iter("message"):
            yield ctx.findtext("name"), msg


def test_switching_to_korean_and_back_relabels_live_widgets(qtbot, db, rep):
    app = QApplication.instance()
    ctx = AppContext(db=db, user_id=rep.id, user_name=rep.name, role="rep")
    view = ActivitiesView(ctx)
    qtbot.addWidget(view)
    dlg = LogActivityDialog(ctx, None)
    qtbot.addWidget(dlg)
    assert view.done_button.text() == "&Mark done" and dlg.windowTitle() == "Log activity"
    try:
        install_translators(app, "ko")
        assert installed_count() == 2  # Qt's own qtbase and ours
        qtbot.waitUntil(lambda: view.done_button.text() == "완료 처리(&M)")
        assert dlg.windowTitle() == "활동 기록"
        assert view.type_combo.itemText(1) == "통화"  # activity types too
        assert view.model.headerData(ActivitiesModel.COL_DEAL, Qt.Orientation.Horizontal) == "영업기회"
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "취소"  # qtbase loaded
    finally:
        install_translators(app, "en")
    qtbot.waitUntil(lambda: view.done_button.text() == "&Mark done")
    assert dlg.windowTitle() == "Log activity" and installed_count() == 0


def test_plural_and_context_lookups(korean):
    tr = QCoreApplication.translate
    assert tr("Board", "%n deal(s)", None, 3) == "영업기회 3건"
    assert tr("ActivitiesView", "Overdue") == "기한 초과"
    assert tr("DealDialog", "Won") == "수주" and tr("DealDialog", "Lost") == "실주"


def test_every_string_has_a_korean_translation():
    unfinished = []
    total = 0
    for ctx, msg in _messages():
        tr = msg.find("translation")
        if tr is not None and tr.get("type") in ("vanished", "obsolete"):
            continue
        total += 1
        forms = [] if tr is None else ([f.text or "" for f in tr.findall("numerusform")] or [tr.text or ""])
        if tr is None or tr.get("type") == "unfinished" or not all(f.strip() for f in forms):
            unfinished.append((ctx, msg.findtext("source")))
    assert total > 100
    assert unfinished == []


def test_translations_keep_placeholders_and_accelerators():
    for ctx, msg in _messages():
        source = msg.findtext("source")
        tr = msg.find("translation")
        forms = [f.text or "" for f in tr.findall("numerusform")] or [tr.text or ""]
        for text in forms:
            for ph in set(re.findall(r"%\d|%n|\{\d\}", source)):
                assert ph in text, (ctx, source, text)
            if re.search(r"&[^\s&]", source) and "(*" not in source:
                assert "&" in text, (ctx, source, text)
            assert ctx, source  # a message without context is never found at runtime


def test_terms_are_consistent():
    """One Korean word per key term wherever it is used alone."""
    terms = {"Won": "수주", "Lost": "실주", "Deal": "영업기회", "Stage": "단계", "Overdue": "기한 초과",
             "Pipeline": "파이프라인", "Activities": "활동", "Cancel": "취소",
             # each was translated two ways: 계약 예정일 / 예상 계약일, 최선 in two screens,
             # 다른 사람이 / 다른 사용자가 변경함
             "Close date": "예상 계약일", "Expected close date": "예상 계약일", "Best case": "최상의 경우",
             "Commit": "확정", "Owner": "담당 영업", "Changed by someone else": "다른 사용자가 변경함"}
    for ctx, msg in _messages():
        src = msg.findtext("source")
        if src in terms:
            assert msg.find("translation").text == terms[src], (ctx, src)
    assert HANGUL.search(terms["Deal"])


def test_qm_ships_next_to_the_ts():
    qm = resources.files("resources.translations").joinpath("pipeline_ko.qm")
    assert qm.is_file() and qm.read_bytes()[:4] == b"\x3c\xb8\x64\x18"  # Qt .qm magic


def test_deal_dialog_field_errors_in_korean(qtbot, korean, db, rep):
    from app.services import deals
    from app.views.deal_dialog import DealDialog

    deal = deals.create_deal(db, title="ERP", owner_id=rep.id)
    ctx = AppContext(db=db, user_id=rep.id, user_name=rep.name, role="rep", lang="ko")
    dlg = DealDialog(ctx, deal.id)
    qtbot.addWidget(dlg)
    assert dlg.labels["title"].text() == "제목(&T):"
    dlg.title_edit.clear()
    dlg.amount_edit.setText("12x")
    assert dlg.save() is False
    # the deal service's own messages (app.errors.Message), translated in the AppError context
    assert dlg.errors["title"].text() == "제목은 필수입니다"
    assert dlg.errors["amount"].text() == "'12x'은(는) 숫자가 아닙니다"


def test_dates_and_numbers_follow_the_interface_language(qapp):
    """The language switch also sets the default locale every view formats with (the deal
    workspace used the system's: "14 04 2027" under a C locale, whatever the language)."""
    from PySide6.QtCore import QDate, QLocale

    from app.views.i18n import install_translators

    try:
        install_translators(qapp, "ko")
        assert QLocale().name() == "ko_KR"
        assert QLocale().toString(QDate(2027, 4, 14), QLocale.FormatType.ShortFormat) == "27. 4. 14."
        install_translators(qapp, "en")
        assert QLocale().name() == "en_US"
        assert QLocale().toString(QDate(2027, 4, 14), QLocale.FormatType.ShortFormat) == "4/14/27"
    finally:
        install_translators(qapp, "en")


def test_service_errors_reach_the_user_in_korean(korean):
    """What show_error / short_error put in front of the user: an AppError's Message in Korean,
    a ValidationError one field a line after its label (none for a field no form shows)."""
    from app.errors import AppError, Message, NotFound, ValidationError
    from app.views.operations import error_text, short_error

    exc = ValidationError({"amount": Message("must be 0 or more"),
                           "owner_id": Message("an owner is required"),
                           "move": Message("a deal's creation cannot be undone as a move")})
    assert error_text(exc) == ("금액: 0 이상이어야 합니다\n담당 영업: 담당 영업을 지정해 주세요\n"
                               "영업기회 생성은 이동처럼 되돌릴 수 없습니다")
    assert short_error(exc) == ("금액: 0 이상이어야 합니다; 담당 영업: 담당 영업을 지정해 주세요; "
                                "영업기회 생성은 이동처럼 되돌릴 수 없습니다")
    assert str(exc) == ("amount: must be 0 or more; owner_id: an owner is required; "
                        "move: a deal's creation cannot be undone as a move")  # the CLI's, unchanged
    assert short_error(NotFound(Message("no user named '{name}'", name="박지훈"))) == "'박지훈' 사용자가 없습니다"
    assert error_text(AppError("not a Message")) == "not a Message"  # untranslated text stays as given


def test_service_errors_in_english_keep_their_text(qapp):
    from app.errors import Message, ValidationError
    from app.views.operations import error_text

    install_translators(qapp, "en")
    exc = ValidationError({"amount": Message("must be 0 or more"), "to": Message("the deal is already won")})
    assert error_text(exc) == "Amount: must be 0 or more\nthe deal is already won"


def test_korean_compact_money_and_date_edits():
    """Tiles and axes write money as Koreans do; date edits show the locale's date with a
    four-digit year (both were "₩7,873.3만", "₩100.0억" and a fixed 2026-10-01)."""
    from decimal import Decimal

    from app.views.formatting import compact_money, date_edit_format, locale_for

    ko, en = locale_for("ko"), locale_for("en")
    assert compact_money(Decimal(78_733_000), "KRW", ko) == "₩7,873만"
    assert compact_money(Decimal(10_000_000_000), "KRW", ko) == "₩100억"
    assert compact_money(Decimal(6_130_000_000), "KRW", ko) == "₩61.3억"
    assert compact_money(Decimal(99_990_000), "KRW", ko) == "₩1억"  # rounds up a unit, not "₩10,000만"
    assert compact_money(Decimal(1_200_000_000_000), "KRW", ko) == "₩1.2조"
    assert compact_money(Decimal(5_000), "KRW", ko) == "₩5,000"
    assert compact_money(Decimal(78_733_000), "KRW", en) == "₩78.7M"  # English unchanged
    assert date_edit_format(ko) == "yyyy. M. d." and date_edit_format(en) == "M/d/yyyy"
