"""The dashboard tab on sample data: tiles show what the analytics services return, a click
on a bar lists exactly the deals behind it, charts save as PNG, refresh off the GUI thread."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog
from sqlalchemy import select

from app.models import Opportunity, User
from app.services import analytics, demo
from app.services.analytics import Filters
from app.views import dashboard
from app.views.context import AppContext, Changes
from app.views.dashboard import ID_ROLE, DashboardWidget, period_range

TODAY = date(2026, 5, 15)  # the sample company's data ends at the end of June 2026
QUARTER = Filters(start=date(2026, 4, 1), end=date(2026, 6, 30))


@pytest.fixture
def sample(db):
    demo.generate(db, deals=300, seed=11, end=date(2026, 6, 30))
    return db


@pytest.fixture
def ctx(sample):
    with sample.read() as s:
        boss = s.scalar(select(User).where(User.role == "manager").limit(1))
    return AppContext(db=sample, user_id=boss.id, user_name=boss.name, role="manager", lang="en")


@pytest.fixture
def dash(qtbot, ctx):
    w = DashboardWidget(ctx, synchronous=True, today=TODAY)
    qtbot.addWidget(w)
    w.resize(1400, 1000)
    w.show()
    qtbot.waitExposed(w)
    return w


def click_bar(qtbot, dash, chart: str, key):
    """Click, with a real mouse event on the plot's viewport, the middle of the bar ``key``."""
    panel = dash.charts[chart]
    panel.plot.getViewBox().updateMatrix()
    for item in dash.bars[chart]:
        for bar in item.bars:
            if bar.key == key:
                scene_pt = item.mapToScene(bar.center)
                view_pt = panel.plot.mapFromScene(scene_pt)
                QTest.mouseClick(panel.plot.viewport(), Qt.MouseButton.LeftButton,
                                 Qt.KeyboardModifier.NoModifier, QPoint(view_pt.x(), view_pt.y()))
                qtbot.waitUntil(lambda: dash.drilldown is not None and dash.drilldown.isVisible())
                return dash.drilldown
    raise AssertionError(f"no bar {key!r} in the {chart} chart")


def titles_of(db, ids) -> list[str]:
    with db.read() as s:
        return sorted(s.scalars(select(Opportunity.title).where(Opportunity.id.in_(list(ids)))))


def test_period_ranges():
    assert period_range("month", date(2026, 2, 10)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_range("quarter", date(2026, 5, 15)) == (date(2026, 4, 1), date(2026, 6, 30))
    assert period_range("quarter", date(2026, 11, 3)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert period_range("year", date(2026, 5, 15)) == (date(2026, 1, 1), date(2026, 12, 31))


def test_default_is_current_quarter_and_tiles_show_service_values(dash, sample):
    f = dash.filters()
    assert (f.start, f.end, f.owner_id, f.lead_source_id) == (QUARTER.start, QUARTER.end, None, None)
    k = analytics.kpis(sample, QUARTER)
    prev = analytics.kpis(sample, analytics.previous_period(QUARTER))
    assert k.new_deals > 0 and k.win_rate is not None
    tiles = dash.tiles
    assert tiles["new_deals"].value.text() == f"{k.new_deals:,}"
    assert tiles["win_rate"].value.text() == f"{k.win_rate * 100:.1f}%"
    assert tiles["cycle_days"].value.text() == f"{k.cycle_days:,.1f} days"
    # change against the previous period, in percentage points for a rate
    diff = round((k.win_rate - prev.win_rate) * 100, 1)
    arrow = "▲" if diff > 0 else "▼"
    assert tiles["win_rate"].delta.text() == f"{arrow} {abs(diff):.1f} pp"
    n = k.new_deals - prev.new_deals
    assert tiles["new_deals"].delta.text() == (f"{'▲' if n > 0 else '▼'} {abs(n):,}" if n else
                                               "= same as previous period")
    # won revenue in compact KRW (₩ and one decimal with K/M/B)
    v = float(k.won_revenue)
    unit, div = next((u, d) for u, d in (("B", 1e9), ("M", 1e6), ("K", 1e3), ("", 1)) if v >= d)
    assert tiles["won_revenue"].value.text() == (f"₩{v / div:,.1f}{unit}" if unit else f"₩{v:,.0f}")


def test_undefined_figures_show_a_dash_never_zero(dash):
    dash.set_period("custom", date(2001, 1, 1), date(2001, 3, 31))  # before any deal
    for key in ("win_rate", "avg_won_size", "cycle_days", "velocity", "mql_to_sql", "cac", "roi"):
        assert dash.tiles[key].value.text() == "—", key
        assert dash.tiles[key].delta.text() == "—", key
    assert dash.tiles["new_deals"].value.text() == "0"  # a count of nothing is 0, not undefined
    for chart in ("dwell", "funnel", "forecast", "slippage"):  # an empty chart says so
        assert dash.bars[chart] == []
        assert dash.charts[chart].empty.textItem.toPlainText().startswith("No ")


@pytest.mark.parametrize("chart", ["funnel", "dwell", "forecast", "slippage"])
def test_click_on_a_bar_lists_exactly_its_deals(qtbot, dash, sample, ctx, chart):
    if chart == "slippage":  # a whole year, so that there are pushes to click
        dash.set_period("year")
    f = dash.filters()
    keys = [b.key for item in dash.bars[chart] for b in item.bars]
    assert keys, f"the {chart} chart has no bars"
    key = max(keys, key=lambda k: len(analytics.deals_for(sample, f, chart=chart, key=k)))
    expected = analytics.deals_for(sample, f, chart=chart, key=key)
    assert expected
    dlg = click_bar(qtbot, dash, chart, key)
    assert sorted(map(str, dlg.deal_ids())) == sorted(map(str, expected))
    model = dlg.model
    shown = sorted(model.index(r, 0).data() for r in range(model.rowCount()))
    assert shown == titles_of(sample, expected)
    with qtbot.waitSignal(ctx.hub.deals_focus_requested) as blocker:
        qtbot.mouseClick(dlg.board_button, Qt.MouseButton.LeftButton)
    assert sorted(map(str, blocker.args[0])) == sorted(map(str, expected))
    assert not dlg.isVisible()


def test_bar_tooltip_has_the_exact_figure(dash, sample):
    steps = {s.stage: s for s in analytics.funnel(sample, QUARTER).steps}
    item = dash.bars["funnel"][0]
    bar = next(b for b in item.bars if b.key == 1)
    assert bar.tooltip.startswith("1. Lead generation")
    assert f"reached: {steps[1].reached:,}" in bar.tooltip
    assert f"went on: {steps[1].went_on:,}" in bar.tooltip
    assert item.bar_at(bar.center) is bar


def test_forecast_bars_stack_the_service_figures(dash, sample):
    months = analytics.forecast(sample, QUARTER)
    heights = {}
    for item in dash.bars["forecast"]:
        for b in item.bars:
            heights[b.key] = Decimal(str(round(b.y1 - b.y0, 2)))
    for m in months:
        for cat in ("won", "commit", "best_case", "pipeline"):
            v = getattr(m, cat)
            if v:
                assert heights[(m.month, cat)] == v


def test_each_chart_saves_a_png(tmp_path, dash, monkeypatch):
    for name, panel in dash.charts.items():
        path = tmp_path / f"{name}.png"
        assert panel.save_png(str(path))
        assert path.stat().st_size > 1000
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    target = tmp_path / "asked.png"
    monkeypatch.setattr("app.views.charts.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), "PNG images (*.png)"))
    dash.charts["forecast"].save_button.click()
    assert target.stat().st_size > 1000


def test_owner_filter_changes_the_figures(dash, sample):
    with sample.read() as s:
        rep = s.scalar(select(User).where(User.role == "rep").order_by(User.name).limit(1))
    dash.owner.setCurrentIndex(dash.owner.findData(str(rep.id)))
    dash.refresh()
    f = dash.filters()
    assert f.owner_id == rep.id
    k = analytics.kpis(sample, f)
    assert dash.tiles["new_deals"].value.text() == f"{k.new_deals:,}"


def test_korean_labels_and_stage_names(dash, ctx):
    ctx.lang = "ko"
    ctx.hub.language_changed.emit("ko")
    assert dash.dwell_axis.labels[2] == "2. 영업기회 확인"
    assert dash.funnel_axis.labels[7] == "7. 계약"


def test_refreshes_off_the_gui_thread_after_a_change(qtbot, ctx):
    w = DashboardWidget(ctx, today=TODAY)  # asynchronous: the worker computes
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.data is not None, timeout=20000)
    first = w.data
    with qtbot.waitSignal(w.refreshed, timeout=20000):
        ctx.changed(Changes.of("moved"), None)  # debounced, then recomputed in the pool
    assert w.data is not first
    assert w.tiles["new_deals"].value.text() == f"{analytics.kpis(ctx.db, QUARTER).new_deals:,}"
    w.wait_idle()


def test_a_newer_refresh_supersedes_an_older_one(qtbot, ctx, monkeypatch):
    w = DashboardWidget(ctx, today=TODAY)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.data is not None, timeout=20000)
    gate, computed, shown = threading.Event(), [], []
    real = dashboard.compute

    def held_first(db, f, k):
        computed.append(f)
        if len(computed) == 1:
            gate.wait(10)
        return real(db, f, k)

    monkeypatch.setattr(dashboard, "compute", held_first)
    w.refreshed.connect(lambda: shown.append(w.data))
    w.refresh()
    qtbot.waitUntil(lambda: bool(computed), timeout=5000)  # the first one is computing
    w.refresh()  # waits behind it, then superseded before it starts
    w.refresh()
    gate.set()
    with qtbot.waitSignal(w.refreshed, timeout=20000):
        pass
    assert w.wait_idle()
    assert len(computed) == 2  # the first (answer dropped) and the last; the middle never ran
    assert len(shown) == 1 and w.status.text() == w.updated_text(shown[0])
    assert w.status.text().startswith("Updated ")


def test_hover_shows_the_exact_figure(qtbot, dash):
    panel = dash.charts["forecast"]
    item = dash.bars["forecast"][0]
    bar = item.bars[0]
    pt = panel.plot.mapFromScene(item.mapToScene(bar.center))
    QTest.mouseMove(panel.plot.viewport(), QPoint(pt.x(), pt.y()))
    qtbot.waitUntil(lambda: item.toolTip() == bar.tooltip)
    month, cat = bar.key
    assert month.strftime("%b %y") in bar.tooltip  # e.g. "Apr 26 · Won: ₩1,234,000,000"


def test_risk_factor_line_follows_k(dash, sample):
    dash.update_risk(2.0)
    expected = analytics.stage_risk_thresholds(sample, 2.0, dash.filters())
    line = next(i for i in dash.charts["dwell"].plot.listDataItems() if not isinstance(i, type(dash.bars["dwell"][0])))
    xs, ys = line.getData()
    drawn = {round((ys[i] + ys[i + 1]) / 2): xs[i] for i in range(0, len(xs), 2)}
    assert drawn == pytest.approx(expected)


def test_double_click_in_the_list_opens_the_deal(qtbot, dash, monkeypatch):
    opened = []
    made = []

    def fake_init(self, ctx, deal_id, parent=None):
        QDialog.__init__(self, parent)
        opened.append(deal_id)
        made.append(self)

    monkeypatch.setattr("app.views.deal_dialog.DealDialog.__init__", fake_init)
    monkeypatch.setattr("app.views.deal_dialog.DealDialog.exec", lambda self: 0)
    dlg = click_bar(qtbot, dash, "funnel", 1)
    index = dlg.proxy.index(0, 0)
    rect = dlg.table.visualRect(index)
    qtbot.mouseClick(dlg.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dlg.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [dlg.proxy.data(index, ID_ROLE)]
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(made[0])  # closed, the workspace is deleted, not kept as a hidden child


def test_korean_dashboard_fits_a_small_window(qtbot, ctx):
    """Korean at 1024x640: the period's date edits in Korean format, money as Koreans write
    it (만 without a decimal, no "100.0억"), and the dwell chart's legend wraps onto a second
    row above the bars instead of running off the chart or over stage 1's bars."""
    from PySide6.QtCore import QPointF

    from app.views.i18n import install_translators

    app = QApplication.instance()
    install_translators(app, "ko")
    try:
        ctx.lang = "ko"
        w = DashboardWidget(ctx, synchronous=True, today=TODAY)
        qtbot.addWidget(w)
        w.resize(1024, 640)
        w.show()
        qtbot.waitExposed(w)
        assert w.start_edit.text() == "2026. 4. 1." and w.end_edit.text() == "2026. 6. 30."
        assert w.to_label.text() == "~"  # a Korean range, as on the board
        assert w._money(78_733_000.0, compact=True) == "₩7,873만"  # was ₩7,873.3만
        assert w._money(10_000_000_000.0, compact=True) == "₩100억"  # was ₩100.0억
        assert w._money(280_000_000.0, compact=True) == "₩2.8억"
        assert w._money_tick(5e9) == "₩50억"
        panel = w.charts["dwell"]
        vb = panel.plot.getViewBox()
        labels = [label.text for _sample, label in panel.legend.items]
        assert "수주 중앙값의 1.5배 초과 시 위험" in labels
        assert panel.legend_rows() == 2
        legend = panel.legend.mapRectToScene(panel.legend.boundingRect())
        assert legend.right() <= vb.mapRectToScene(vb.boundingRect()).right()  # nothing cut off
        below_legend = vb.mapSceneToView(QPointF(legend.left(), legend.bottom())).y()
        assert below_legend < 0.55  # stage 1's first bar starts at 0.61, its risk line at 0.55
        assert_funnel_figures_inside(w)
        w.resize(1600, 900)
        qtbot.waitUntil(lambda: panel.legend_rows() == 1)
    finally:
        install_translators(app, "en")


def assert_funnel_figures_inside(w):
    """Each "80  (71.3% went on)" beside a funnel bar ends inside the plot."""
    from PySide6.QtCore import QPointF

    vb = w.charts["funnel"].plot.getViewBox()
    right = vb.mapRectToScene(vb.boundingRect()).right()
    labels = w._funnel_labels
    assert len(labels) == 7
    for x, label in labels:
        left = vb.mapViewToScene(QPointF(x, 1.0)).x()
        assert left + label.textItem.boundingRect().width() <= right + 0.5, label.toPlainText()


def test_small_window_needs_no_sideways_scrolling(qtbot, ctx):
    """At 1024x640 a long chart title is cut with "…" (whole in its tooltip) instead of
    widening its chart (the English funnel title pushed the dashboard into a horizontal
    scroll bar), the legend flows onto a second row, and the funnel's figures stay inside."""
    from PySide6.QtWidgets import QScrollArea

    w = DashboardWidget(ctx, synchronous=True, today=TODAY)
    qtbot.addWidget(w)
    w.resize(1024, 640)
    w.show()
    qtbot.waitExposed(w)
    scroll = w.findChild(QScrollArea)
    assert scroll.horizontalScrollBar().maximum() == 0
    title = w.charts["funnel"].title
    assert title.text().startswith("Funnel: deals created in the period that reached each stage")
    assert title.is_elided()
    assert title.toolTip() == title.text()
    assert w.charts["dwell"].legend_rows() == 2  # Won Lost Open / At risk above 1.5 × median won
    assert_funnel_figures_inside(w)


def test_a_drill_down_that_fails_says_why_in_korean(dash, ctx, monkeypatch):
    """The status line shows the service's refusal in the interface language."""
    from app.errors import DatabaseError, Message
    from app.views.i18n import install_translators

    def gone(*_a, **_k):
        raise DatabaseError(Message("deal {deal} not found", deal="ERP"))

    monkeypatch.setattr(analytics, "deals_for", gone)
    app = QApplication.instance()
    install_translators(app, "ko")
    try:
        assert dash.drill("funnel", 1) is None
        assert dash.status.text() == "영업기회 ERP을(를) 찾을 수 없습니다"
    finally:
        install_translators(app, "en")


def test_month_labels_never_run_into_each_other(qtbot, ctx):
    """Twelve month labels under the forecast in a 1024-pixel window: every n-th one is
    drawn, far enough apart for the widest; a wide window draws them all again."""
    from PySide6.QtGui import QFontMetrics

    w = DashboardWidget(ctx, synchronous=True, today=TODAY)
    qtbot.addWidget(w)
    w.resize(1024, 640)
    w.show()
    qtbot.waitExposed(w)
    w.period.setCurrentIndex(w.period.findData("year"))
    w.refresh()
    axis = w.forecast_axis
    assert len(axis.labels) == 12
    assert 1 < len(axis.shown) < 12
    x0, x1 = axis.linkedView().viewRange()[0]
    px_per_month = axis.width() / (x1 - x0)
    widest = max(QFontMetrics(axis.style.get("tickFont") or w.font()).horizontalAdvance(t)
                 for t in axis.labels.values())
    keys = sorted(axis.shown)
    assert min(b - a for a, b in zip(keys, keys[1:], strict=False)) * px_per_month >= widest
    w.resize(2400, 900)
    qtbot.waitUntil(lambda: len(axis.shown) == 12)


def test_drill_down_columns_sort_in_the_apps_one_text_order(qtbot, db, rep):
    """Clicking the Title or Owner header sorts as every list of the app does (collation:
    the name key, case folded, by code point): apple, Bob, élan, Émile ('éla' < 'émi'), 김민수,
    the same order as the services' own lists."""
    from app.services import deals, people

    titles = ["élan", "김민수", "Bob", "Émile", "apple"]
    ids = []
    for t in titles:
        owner = people.create_user(db, f"{t} owner", "rep")
        ids.append(deals.create_deal(db, title=t, owner_id=owner.id).id)
    ctx = AppContext(db=db, user_id=rep.id, user_name=rep.name, role="rep", lang="en")
    dlg = dashboard.DrillDownDialog(ctx, "five", ids)
    qtbot.addWidget(dlg)
    want = ["apple", "Bob", "élan", "Émile", "김민수"]
    for col, suffix in ((dashboard.COL_TITLE, ""), (dashboard.COL_OWNER, " owner")):
        dlg.table.sortByColumn(col, Qt.SortOrder.AscendingOrder)
        shown = [dlg.proxy.index(r, col).data() for r in range(dlg.proxy.rowCount())]
        assert shown == [w + suffix for w in want]
    assert [d.title for d in deals.list_deals(db) if d.title in titles] == want  # the service agrees
