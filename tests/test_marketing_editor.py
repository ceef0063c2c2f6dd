"""The marketing editors: spend per month typed into the grid is saved as a Decimal, bad
input is refused with a message, sources/campaigns are managed, targets show attainment."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox

from app.models import LeadSource
from app.services import deals, gates, marketing
from app.views.context import AppContext, Changes
from app.views.marketing_editor import (
    COL_ACTUAL,
    COL_ATTAINMENT,
    COL_TARGET,
    MarketingDialog,
    TargetsDialog,
)


@pytest.fixture
def ctx(db, manager):
    return AppContext(db=db, user_id=manager.id, user_name=manager.name, role="manager", lang="en")


@pytest.fixture
def web(db):
    return marketing.create_lead_source(db, "Web", "inbound")


@pytest.fixture
def dialog(qtbot, ctx, web):
    dlg = MarketingDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.year.setValue(2026)
    dlg.show()
    return dlg


def type_into_cell(qtbot, view, index, text: str) -> None:
    """Edit a cell the way a user does: open its editor, type, press Enter."""
    view.setCurrentIndex(index)
    view.edit(index)
    editor = view.indexWidget(index)
    assert isinstance(editor, QLineEdit)
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.indexWidget(index) is None)  # Qt commits Return in a queued call


def spend_rows(db):
    return [(sp.lead_source_id, sp.campaign_id, sp.month, sp.amount) for sp in marketing.list_spend(db)]


def test_typed_spend_is_saved_as_decimal_and_announced(qtbot, dialog, ctx, db, web):
    col = next(i for i, ln in enumerate(dialog.grid.lines) if ln.source_id == web.id and ln.campaign_id is None)
    march = dialog.grid.index(2, col)
    with qtbot.waitSignal(ctx.hub.pipeline_changed) as blocker:
        type_into_cell(qtbot, dialog.grid_view, march, "1250000.50")
    changes, initiator = blocker.args
    assert "marketing" in changes.kinds and initiator is dialog
    assert spend_rows(db) == [(web.id, None, date(2026, 3, 1), Decimal("1250000.50"))]
    assert dialog.grid.index(2, col).data() == "₩1,250,001"  # KRW is shown without decimals
    assert dialog.grid.index(12, col).data() == "₩1,250,001"  # the year's total row
    # changing the cell updates the same entry; clearing it removes the month's spend
    type_into_cell(qtbot, dialog.grid_view, dialog.grid.index(2, col), "2000000")
    assert spend_rows(db) == [(web.id, None, date(2026, 3, 1), Decimal("2000000.00"))]
    type_into_cell(qtbot, dialog.grid_view, dialog.grid.index(2, col), "")
    assert spend_rows(db) == []


@pytest.mark.parametrize(("text", "message"), [
    ("abc", "'abc' is not a number"),
    ("-5", "must be 0 or more"),
    ("10.555", "at most two decimal places"),
])
def test_bad_amount_is_refused_with_a_message(qtbot, dialog, db, text, message):
    type_into_cell(qtbot, dialog.grid_view, dialog.grid.index(0, 0), text)
    assert message in dialog.error.text()
    assert "Web, Jan 2026" in dialog.error.text()
    assert spend_rows(db) == []


def test_a_spend_edit_is_announced_once_and_an_empty_cell_cleared_not_at_all(qtbot, dialog, web, heard, warnings):
    type_into_cell(qtbot, dialog.grid_view, dialog.grid.index(4, 0), "900000")
    assert heard == [(Changes.of("marketing"), dialog)]
    type_into_cell(qtbot, dialog.grid_view, dialog.grid.index(5, 0), "")  # nothing was there: nothing changed
    assert len(heard) == 1 and warnings == []


def test_a_refused_spend_shows_one_message_and_announces_nothing(qtbot, dialog, db, heard, warnings):
    type_into_cell(qtbot, dialog.grid_view, dialog.grid.index(0, 0), "-5")
    assert dialog.error.text() == "Web, Jan 2026: Amount: must be 0 or more"  # views.operations.validation_text
    assert warnings == [] and heard == [] and spend_rows(db) == []


def test_two_entries_in_one_month_become_one_in_one_change(qtbot, dialog, db, web, heard):
    marketing.create_spend(db, web.id, date(2026, 2, 1), "100")
    marketing.create_spend(db, web.id, date(2026, 2, 1), "50")  # e.g. imported twice
    dialog.reload()
    assert dialog.grid.index(1, 0).data() == "₩150"
    type_into_cell(qtbot, dialog.grid_view, dialog.grid.index(1, 0), "120")
    assert spend_rows(db) == [(web.id, None, date(2026, 2, 1), Decimal("120.00"))]
    assert heard == [(Changes.of("marketing"), dialog)]


def test_a_duplicate_lead_source_is_one_inline_message_and_no_announcement(qtbot, dialog, db, heard, warnings,
                                                                          monkeypatch):
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Web", True))
    dialog.add_source_button.click()
    assert dialog.error.text() == "Name: lead source 'Web' already exists"  # the field's label first
    assert warnings == [] and heard == []
    assert [s.name for s in marketing.list_lead_sources(db)] == ["Web"]


def test_renaming_a_source_deleted_meanwhile_is_one_warning_and_no_announcement(qtbot, dialog, db, web, heard,
                                                                                warnings, monkeypatch):
    dialog.lines_view.selectRow(0)
    with db.write() as s:  # someone else removed it since the dialog read the list
        s.delete(s.get(LeadSource, web.id))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Website", True))
    dialog.rename_button.click()
    assert len(warnings) == 1 and "not found" in warnings[0][1]
    assert heard == [] and dialog.error.text() == ""


def test_campaign_column_and_year_switch(qtbot, dialog, db, web, monkeypatch):
    dialog.lines_view.selectRow(0)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Spring webinar", True))
    dialog.add_campaign_button.click()
    labels = [ln.label() for ln in dialog.grid.lines]
    assert labels == ["Web", "Web / Spring webinar"]
    camp = marketing.list_campaigns(db)[0]
    type_into_cell(qtbot, dialog.grid_view, dialog.grid.index(10, 1), "300000")  # November
    assert spend_rows(db) == [(web.id, camp.id, date(2026, 11, 1), Decimal("300000.00"))]
    dialog.year.setValue(2025)
    assert dialog.grid.index(10, 1).data() == ""  # another year, nothing entered there
    dialog.year.setValue(2026)
    assert dialog.grid.index(10, 1).data() == "₩300,000"


def test_add_rename_delete_lead_source(qtbot, dialog, db, monkeypatch):
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Trade show", True))
    dialog.add_source_button.click()
    assert [s.name for s in marketing.list_lead_sources(db)] == ["Trade show", "Web"]
    dialog.add_source_button.click()  # a second one with the same name is refused
    assert "already exists" in dialog.error.text()
    dialog.lines_view.selectRow(0)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Trade fair", True))
    dialog.rename_button.click()
    assert [s.name for s in marketing.list_lead_sources(db)] == ["Trade fair", "Web"]
    dialog.lines_view.selectRow(0)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.delete_button.click()
    assert [s.name for s in marketing.list_lead_sources(db)] == ["Web"]
    assert dialog.grid.columnCount() == 1


# ------------------------------------------------------------------ targets

def won_deal(db, owner, manager, title, amount, closed: datetime):
    d = deals.create_deal(db, title=title, owner_id=owner.id, amount=Decimal(amount),
                          at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    gates.move_deal(db, d.id, "won", actor_id=manager.id, override_reason="signed early", at=closed)


@pytest.fixture
def targets(qtbot, ctx, db, rep, manager):
    # rep won 300 M (Feb) + 200 M (Mar) in Q1 2026; a 700 M deal won in April is outside Q1
    won_deal(db, rep, manager, "Pump retrofit", "300000000", datetime(2026, 2, 3, 10, tzinfo=UTC))
    won_deal(db, rep, manager, "Line sensors", "200000000", datetime(2026, 3, 20, 10, tzinfo=UTC))
    won_deal(db, rep, manager, "Plant 2", "700000000", datetime(2026, 4, 2, 10, tzinfo=UTC))
    dlg = TargetsDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.year.setValue(2026)
    dlg.show()
    return dlg


def fill_target(dlg, metric: str, owner_name: str | None, start: date, end: date, value: str):
    dlg.metric_box.setCurrentIndex(dlg.metric_box.findData(metric))
    dlg.owner.setCurrentIndex(dlg.owner.findText(owner_name) if owner_name else 0)
    dlg.start.setDate(QDate(start.year, start.month, start.day))
    dlg.end.setDate(QDate(end.year, end.month, end.day))
    dlg.value.setText(value)


def test_target_shows_attainment(qtbot, targets, ctx, db, rep):
    fill_target(targets, "won_revenue", rep.name, date(2026, 1, 1), date(2026, 3, 31), "1000000000")
    with qtbot.waitSignal(ctx.hub.pipeline_changed) as blocker:
        qtbot.mouseClick(targets.add_button, Qt.MouseButton.LeftButton)
    assert "targets" in blocker.args[0].kinds
    m = targets.model
    assert m.rowCount() == 1
    # actual = 300 M + 200 M = 500 M; attainment = 500 M / 1 000 M = 50.0 %
    assert m.index(0, COL_TARGET).data() == "₩1,000,000,000"
    assert m.index(0, COL_ACTUAL).data() == "₩500,000,000"
    assert m.index(0, COL_ATTAINMENT).data() == "50.0%"
    assert m.index(0, 1).data() == rep.name
    # a team target for the won count of the first half: 3 won of 4 -> 75.0 %
    fill_target(targets, "won_count", None, date(2026, 1, 1), date(2026, 6, 30), "4")
    qtbot.mouseClick(targets.add_button, Qt.MouseButton.LeftButton)
    row = next(r for r in range(m.rowCount()) if m.index(r, 1).data() == "Team")
    assert m.index(row, COL_ACTUAL).data() == "3"
    assert m.index(row, COL_ATTAINMENT).data() == "75.0%"


def test_adding_and_deleting_a_target_are_one_announcement_each(qtbot, targets, db, rep, heard, warnings):
    fill_target(targets, "new_deals", None, date(2026, 1, 1), date(2026, 3, 31), "10")
    qtbot.mouseClick(targets.add_button, Qt.MouseButton.LeftButton)
    assert heard == [(Changes.of("targets"), targets)] and targets.value.text() == ""
    targets.view.selectRow(0)
    qtbot.mouseClick(targets.delete_button, Qt.MouseButton.LeftButton)
    assert heard == [(Changes.of("targets"), targets)] * 2 and warnings == []


def test_a_refused_target_keeps_the_value_and_announces_nothing(qtbot, targets, db, heard, warnings):
    fill_target(targets, "win_rate", None, date(2026, 1, 1), date(2026, 3, 31), "140")
    qtbot.mouseClick(targets.add_button, Qt.MouseButton.LeftButton)
    assert "between 0 and 100" in targets.error.text() and targets.value.text() == "140"
    assert warnings == [] and heard == []


def test_target_value_edited_in_place(qtbot, targets, db, rep):
    marketing.create_target(db, "won_revenue", date(2026, 1, 1), date(2026, 3, 31), Decimal("1000000000"),
                            owner_id=rep.id)
    targets.model.reload()
    type_into_cell(qtbot, targets.view, targets.model.index(0, COL_TARGET), "400000000")
    # 500 M / 400 M = 125.0 %
    qtbot.waitUntil(lambda: targets.model.index(0, COL_ATTAINMENT).data() == "125.0%")
    assert marketing.list_targets(db)[0].value == Decimal("400000000.00")


@pytest.mark.parametrize(("metric", "value", "message"), [
    ("won_revenue", "abc", "'abc' is not a number"),
    ("win_rate", "140", "between 0 and 100"),
    ("new_deals", "2.5", "whole number"),
])
def test_bad_target_is_refused(qtbot, targets, db, metric, value, message):
    fill_target(targets, metric, None, date(2026, 1, 1), date(2026, 3, 31), value)
    qtbot.mouseClick(targets.add_button, Qt.MouseButton.LeftButton)
    assert message in targets.error.text()
    assert marketing.list_targets(db) == []


def test_delete_target(qtbot, targets, db):
    marketing.create_target(db, "new_deals", date(2026, 1, 1), date(2026, 3, 31), "10")
    targets.model.reload()
    targets.view.selectRow(0)
    qtbot.mouseClick(targets.delete_button, Qt.MouseButton.LeftButton)
    assert marketing.list_targets(db) == []
    assert targets.model.rowCount() == 0


# ------------------------------------------------------------------ in Korean

@pytest.mark.parametrize(("text", "message"), [
    ("12o0", "Web, 2026년 1월: 금액: '12o0'은(는) 숫자가 아닙니다"),
    ("-5", "Web, 2026년 1월: 금액: 0 이상이어야 합니다"),
])
def test_a_bad_figure_is_refused_in_korean(qtbot, korean, db, manager, web, text, message):
    dlg = MarketingDialog(AppContext(db=db, user_id=manager.id, user_name=manager.name, role="manager", lang="ko"))
    qtbot.addWidget(dlg)
    dlg.year.setValue(2026)
    dlg.show()
    assert dlg.windowTitle() == "리드 출처, 캠페인 및 마케팅 비용"
    type_into_cell(qtbot, dlg.grid_view, dlg.grid.index(0, 0), text)
    assert dlg.error.text() == message
    assert spend_rows(db) == []


def test_a_duplicate_lead_source_and_a_bad_target_are_refused_in_korean(qtbot, korean, db, manager, web,
                                                                     monkeypatch):
    ctx = AppContext(db=db, user_id=manager.id, user_name=manager.name, role="manager", lang="ko")
    dlg = MarketingDialog(ctx)
    qtbot.addWidget(dlg)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("web", True))
    dlg.add_source_button.click()
    assert dlg.error.text() == "이름: 리드 출처 'web'이(가) 이미 있습니다"
    targets = TargetsDialog(ctx)
    qtbot.addWidget(targets)
    fill_target(targets, "win_rate", None, date(2026, 1, 1), date(2026, 3, 31), "140")
    qtbot.mouseClick(targets.add_button, Qt.MouseButton.LeftButton)
    assert targets.error.text() == "수주율 목표는 0에서 100 사이의 백분율입니다"
    assert marketing.list_targets(db) == [] and [s.name for s in marketing.list_lead_sources(db)] == ["Web"]


def _ko_ctx(db, manager):
    return AppContext(db=db, user_id=manager.id, user_name=manager.name, role="manager", lang="ko")


def test_in_korean_channels_are_translated_campaigns_indented_and_months_named_once(
        qtbot, korean, db, manager, web):
    marketing.create_campaign(db, web.id, "봄 웨비나")
    for name, channel in (("LinkedIn Ads", "paid"), ("Cold calls", "Outbound"), ("Partner referral", "partner"),
                          ("Trade show", "events"), ("Newsletter", "my own channel")):
        marketing.create_lead_source(db, name, channel)
    dlg = MarketingDialog(_ko_ctx(db, manager))
    qtbot.addWidget(dlg)
    dlg.year.setValue(2026)
    dlg.show()
    m = dlg.lines_model
    shown = {m.index(r, 0).data(): m.index(r, 1).data() for r in range(m.rowCount())}
    assert shown == {"Cold calls": "아웃바운드", "LinkedIn Ads": "유료 광고", "Newsletter": "my own channel",
                     "Partner referral": "파트너", "Trade show": "행사", "Web": "인바운드",
                     "\u2003\u2003봄 웨비나": "캠페인"}
    web_row = next(r for r in range(m.rowCount()) if m.index(r, 0).data() == "Web")
    assert m.index(web_row, 1).data(Qt.ItemDataRole.ToolTipRole) == "inbound"  # as stored
    assert [s.channel for s in marketing.list_lead_sources(db) if s.name == "Web"] == ["inbound"]
    assert not any("›" in (m.index(r, 0).data() or "") for r in range(m.rowCount()))
    g = dlg.grid
    months = [g.headerData(r, Qt.Orientation.Vertical) for r in range(13)]
    assert months[:3] == ["2026년 1월", "2026년 2월", "2026년 3월"] and months[11:] == ["2026년 12월", "합계"]
    web_col = next(c for c, ln in enumerate(g.lines) if ln.campaign == "봄 웨비나")
    assert g.headerData(web_col, Qt.Orientation.Horizontal) == "Web\n봄 웨비나"


def test_in_english_months_read_jan_2026_and_channels_capitalised(qtbot, dialog):
    assert dialog.grid.headerData(0, Qt.Orientation.Vertical) == "Jan 2026"
    assert dialog.lines_model.index(0, 1).data() == "Inbound"


def test_in_korean_the_targets_period_reads_as_korean_dates_with_a_tilde(qtbot, korean, db, manager, rep):
    ctx = _ko_ctx(db, manager)
    marketing.create_target(db, "won_count", date(2026, 1, 1), date(2026, 3, 31), "4")
    dlg = TargetsDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.year.setValue(2026)
    dlg.show()
    assert dlg.model.index(0, 2).data() == "26. 1. 1. ~ 26. 3. 31."
    dlg.start.setDate(QDate(2026, 10, 1))
    dlg.end.setDate(QDate(2026, 12, 31))
    assert (dlg.start.text(), dlg.period_dash.text(), dlg.end.text()) == ("2026. 10. 1.", "~", "2026. 12. 31.")


def test_in_english_the_targets_period_keeps_its_dash_and_us_dates(qtbot, targets):
    targets.start.setDate(QDate(2026, 10, 1))
    assert targets.start.text() == "10/1/2026" and targets.period_dash.text() == "–"
