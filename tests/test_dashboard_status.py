"""The dashboard's status line and its drill-down list as a user first sees them: the line
says when the figures were computed and follows a language switch; the list opens in the
service's order with the header saying so."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt

from app.errors import Message, NotFound
from app.services import deals, gates
from app.views import dashboard
from app.views.context import AppContext
from app.views.dashboard import COL_STAGE, COL_TITLE, DashboardWidget, DrillDownDialog
from app.views.i18n import install_translators

TODAY = date(2026, 5, 15)
AT = datetime(2026, 5, 15, 14, 5)  # local wall-clock time of the computation


@pytest.fixture
def clock(monkeypatch):
    """The figures are computed at 14:05 local time; returns a setter for later refreshes."""
    now = {"t": AT.astimezone()}
    monkeypatch.setattr(dashboard, "_now", lambda: now["t"], raising=False)
    return now


@pytest.fixture
def back_to_english(qapp):
    yield
    install_translators(qapp, "en")


def switch(qapp, ctx, lang):
    """As MainWindow.set_language does it: context, translators (Qt posts LanguageChange), hub."""
    ctx.lang = lang
    install_translators(qapp, lang)
    ctx.hub.language_changed.emit(lang)


def make_dash(qtbot, db, user, lang="en"):
    ctx = AppContext(db=db, user_id=user.id, user_name=user.name, role=user.role, lang=lang)
    w = DashboardWidget(ctx, synchronous=True, today=TODAY)
    qtbot.addWidget(w)
    w.show()
    return ctx, w


def test_status_says_when_the_figures_were_computed_and_switches_to_korean(
        qtbot, qapp, db, manager, clock, back_to_english):
    ctx, w = make_dash(qtbot, db, manager)
    assert w.status.text() == "Updated 2:05\u202fPM"
    switch(qapp, ctx, "ko")
    qtbot.waitUntil(lambda: w.status.text() == "오후 2:05 업데이트")  # no refresh in between
    assert w.data.computed_at == AT.astimezone()

    seen = []
    real = dashboard.compute

    def look(db, f, k):
        seen.append(w.status.text())  # what the line says while computing
        return real(db, f, k)

    dashboard.compute = look
    try:
        clock["t"] = AT.replace(hour=9, minute=30).astimezone()
        w.refresh()
    finally:
        dashboard.compute = real
    assert seen == ["업데이트 중…"]
    assert w.status.text() == "오전 9:30 업데이트"
    switch(qapp, ctx, "en")
    qtbot.waitUntil(lambda: w.status.text() == "Updated 9:30\u202fAM")


def test_figures_from_an_earlier_day_say_the_date_too(qtbot, db, manager, clock):
    ctx, w = make_dash(qtbot, db, manager)
    clock["t"] = (AT + timedelta(days=1)).astimezone()  # the tab was left open overnight
    ctx.hub.language_changed.emit("en")
    assert w.status.text() == "Updated 5/15/26 2:05\u202fPM"


def test_a_refusal_in_the_status_line_is_said_again_in_korean(qtbot, qapp, db, manager, clock,
                                                              back_to_english, monkeypatch):
    ctx, w = make_dash(qtbot, db, manager)

    def refuse(*_a, **_k):
        raise NotFound(Message("deal {deal} not found", deal="ERP"))

    monkeypatch.setattr(dashboard.analytics, "deals_for", refuse)
    assert w.drill("funnel", 1) is None
    assert w.status.text() == "deal ERP not found"
    switch(qapp, ctx, "ko")
    qtbot.waitUntil(lambda: w.status.text() == "영업기회 ERP을(를) 찾을 수 없습니다")


def test_drill_down_opens_in_the_services_order_with_the_header_saying_so(qtbot, db, manager):
    """Stage, then title in the app's order (deal_lookup.deal_rows): the Stage header shows
    ascending; clicking Title sorts A to Z first. Qt's default opened it Title Z to A."""
    made = {}
    for title in ("Bravo", "alpha", "Charlie", "apple", "delta"):
        made[title] = deals.create_deal(db, title=title, owner_id=manager.id).id
    for title in ("Charlie", "apple"):
        gates.move_deal(db, made[title], 2, actor_id=manager.id, override_reason="test")
    ctx = AppContext(db=db, user_id=manager.id, user_name=manager.name, role="manager", lang="en")
    dlg = DrillDownDialog(ctx, "five", list(made.values()))
    qtbot.addWidget(dlg)
    dlg.show()

    def shown(col=COL_TITLE):
        return [dlg.proxy.index(r, col).data() for r in range(dlg.proxy.rowCount())]

    assert shown() == ["alpha", "Bravo", "delta", "apple", "Charlie"]
    assert shown(COL_STAGE)[0].startswith("1. ") and shown(COL_STAGE)[-1].startswith("2. ")
    header = dlg.table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (COL_STAGE, Qt.SortOrder.AscendingOrder)

    x = header.sectionViewportPosition(COL_TITLE) + header.sectionSize(COL_TITLE) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (COL_TITLE, Qt.SortOrder.AscendingOrder)
    assert shown() == ["alpha", "apple", "Bravo", "Charlie", "delta"]
