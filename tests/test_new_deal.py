"""New deal…: the dialog driven offscreen from the board's button and the main window's
shortcut, the board's empty states, the selection after a card leaves for Won / Lost, and
``pipeline-manager new-deal`` run for real."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import one_line_error, run_cli, satisfy_stage
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QInputDialog
from sqlalchemy import func, select

from app.db import open_database
from app.errors import PermissionDenied, ValidationError
from app.models import Account, Contact, LeadSource, Opportunity, StageTransition
from app.services import deals, people
from app.services.process import active_stages
from app.views.board import Board
from app.views.context import AppContext
from app.views.new_deal import NewDealDialog


def count(db, model) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model))


def only_deal(db, title) -> Opportunity:
    with db.read() as s:
        return s.scalars(select(Opportunity).where(Opportunity.title == title)).one()


@pytest.fixture
def acme(db):
    acc = people.create_account(db, "Acme Corp")
    people.create_contact(db, "Choi Yu-jin", acc.id)
    people.create_lead_source(db, "Web")
    return acc


@pytest.fixture
def ctx(db, rep):
    return AppContext(db=db, user_id=rep.id, user_name=rep.name, role="rep", lang="en")


@pytest.fixture
def board(qtbot, ctx):
    b = Board(ctx)
    qtbot.addWidget(b)
    b.resize(1800, 800)
    b.show()
    qtbot.waitExposed(b)
    return b


def drive(monkeypatch, qtbot, fill):
    """Replace the dialog's exec: show it, let ``fill(dialog)`` type into it and press its
    buttons; exec returns the dialog's result. The dialogs driven are collected."""
    seen = []

    def exec_(self):
        seen.append(self)
        self.show()
        qtbot.waitExposed(self)
        fill(self)
        self.hide()
        return self.result()

    monkeypatch.setattr(NewDealDialog, "exec", exec_)
    return seen


def type_into(qtbot, widget, text):
    target = widget.lineEdit() if hasattr(widget, "lineEdit") and widget.lineEdit() else widget
    target.setFocus()
    target.clear() if hasattr(target, "clear") else None
    qtbot.keyClicks(target, text)


def test_board_button_creates_the_deal_and_selects_its_card(qtbot, monkeypatch, db, rep, acme, ctx, board, heard):
    accounts, sources = count(db, Account), count(db, LeadSource)

    def fill(dlg):
        assert dlg.owner_combo.currentText() == rep.name and not dlg.owner_combo.isEnabled()  # a rep
        assert dlg.currency_combo.currentText() == "KRW"
        type_into(qtbot, dlg.title_edit, "Acme MES rollout")
        type_into(qtbot, dlg.account_combo, "ACME corp")  # another case: the existing account
        dlg.account_combo.lineEdit().editingFinished.emit()
        assert [dlg.contact_combo.itemText(i) for i in range(dlg.contact_combo.count())] == ["", "Choi Yu-jin"]
        type_into(qtbot, dlg.contact_combo, "Park Ji-ho")  # a new contact of Acme
        type_into(qtbot, dlg.amount_edit, "1,500,000")
        type_into(qtbot, dlg.source_combo, "WEB")
        type_into(qtbot, dlg.description_edit, "Two plants")
        qtbot.mouseClick(dlg.create_button, Qt.MouseButton.LeftButton)

    driven = drive(monkeypatch, qtbot, fill)
    qtbot.mouseClick(board.new_button, Qt.MouseButton.LeftButton)
    assert len(driven) == 1

    deal = only_deal(db, "Acme MES rollout")
    assert deal.account_id == acme.id and count(db, Account) == accounts  # no second Acme
    assert count(db, LeadSource) == sources
    with db.read() as s:
        contact = s.get(Contact, deal.contact_id)
        assert (contact.name, contact.account_id) == ("Park Ji-ho", acme.id)
        assert s.get(LeadSource, deal.lead_source_id).name == "Web"
        assert deal.stage_id == active_stages(s)[0].id
    assert (deal.amount, deal.currency, deal.owner_id, deal.status) == (Decimal("1500000"), "KRW", rep.id, "open")
    assert deal.description == "Two plants" and deal.expected_close is not None
    # on the board: the new card in stage 1, selected; the change announced once
    assert board.views[0].selected_deal_id() == deal.id
    assert board.headers[0].count.text() == "1 deal(s)"
    announced = [c for c, _i in heard if deal.id in c.deal_ids]
    assert len(announced) == 1 and "created" in announced[0].kinds
    assert ctx.undo_stack.count() == 0  # no undo step for a creation


def test_a_refused_amount_keeps_the_input_and_leaves_no_account(qtbot, monkeypatch, db, acme, board):
    accounts, contacts = count(db, Account), count(db, Contact)
    state = {}

    def fill(dlg):
        type_into(qtbot, dlg.title_edit, "Newco pilot")
        type_into(qtbot, dlg.account_combo, "Newco Industries")
        type_into(qtbot, dlg.contact_combo, "Han Do-yun")
        type_into(qtbot, dlg.amount_edit, "12x")
        qtbot.mouseClick(dlg.create_button, Qt.MouseButton.LeftButton)
        state["visible"] = dlg.isVisible()
        state["amount_error"] = dlg.errors["amount"].text()
        state["shown"] = not dlg.errors["amount"].isHidden()
        state["kept"] = (dlg.title_edit.text(), dlg.account_combo.currentText(), dlg.amount_edit.text())
        state["others"] = [k for k, lab in dlg.errors.items() if not lab.isHidden() and k != "amount"]
        qtbot.mouseClick(dlg.buttons.button(dlg.buttons.StandardButton.Cancel), Qt.MouseButton.LeftButton)

    drive(monkeypatch, qtbot, fill)
    assert board.new_deal() is None
    assert state["visible"] and state["shown"] and state["amount_error"] == "'12x' is not a number"
    assert state["kept"] == ("Newco pilot", "Newco Industries", "12x") and state["others"] == []
    assert count(db, Account) == accounts and count(db, Contact) == contacts and count(db, Opportunity) == 0


def test_missing_title_is_said_next_to_the_title(qtbot, ctx):
    dlg = NewDealDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    type_into(qtbot, dlg.amount_edit, "-5")
    qtbot.mouseClick(dlg.create_button, Qt.MouseButton.LeftButton)
    assert dlg.errors["title"].text() == "A title is required"
    assert dlg.errors["amount"].text() == "Must be 0 or more"
    assert dlg.isVisible() and dlg.created_id is None


def test_an_amount_typed_with_its_currency_sets_the_currency(qtbot, db, ctx):
    dlg = NewDealDialog(ctx)
    qtbot.addWidget(dlg)
    type_into(qtbot, dlg.title_edit, "Export order")
    type_into(qtbot, dlg.amount_edit, "$5,000.50")
    assert dlg.create()
    deal = only_deal(db, "Export order")
    assert (deal.amount, deal.currency) == (Decimal("5000.50"), "USD")
    # the service alone: without a currency, the amount's; else KRW
    rep_id = ctx.user_id
    assert deals.create_deal_named(db, title="Yen", owner_id=rep_id, amount="¥300000").currency == "JPY"
    assert deals.create_deal_named(db, title="Won", owner_id=rep_id, amount="300000").currency == "KRW"


def test_a_manager_may_give_the_deal_to_someone_else_a_rep_may_not(qtbot, db, rep, manager):
    mgr_ctx = AppContext(db=db, user_id=manager.id, user_name=manager.name, role="manager", lang="en")
    dlg = NewDealDialog(mgr_ctx)
    qtbot.addWidget(dlg)
    assert dlg.owner_combo.isEnabled() and dlg.owner_combo.currentText() == manager.name
    dlg.owner_combo.setCurrentIndex(dlg.owner_combo.findText(rep.name))
    type_into(qtbot, dlg.title_edit, "For Kim")
    assert dlg.create()
    deal = only_deal(db, "For Kim")
    assert deal.owner_id == rep.id
    with db.read() as s:  # created by the manager
        assert s.scalars(select(StageTransition.user_id).where(StageTransition.opportunity_id == deal.id)).one() \
            == manager.id
    rep_ctx = AppContext(db=db, user_id=rep.id, user_name=rep.name, role="rep", lang="en")
    dlg = NewDealDialog(rep_ctx)
    qtbot.addWidget(dlg)
    assert not dlg.owner_combo.isEnabled() and dlg.owner_combo.currentText() == rep.name
    # the service says the same when asked directly
    with pytest.raises(PermissionDenied):
        deals.create_deal_named(db, title="Sneaky", owner_id=manager.id, actor_id=rep.id)
    assert count(db, Opportunity) == 1


def test_the_service_refuses_the_deal_and_keeps_no_new_names(db, rep):
    with pytest.raises(ValidationError) as caught:
        deals.create_deal_named(db, title="", owner_id=rep.id, account="Brand New", contact="Nobody",
                                lead_source="Fair", expected_close="2026-02-30")
    assert set(caught.value.errors) == {"title", "expected_close"}
    assert (count(db, Account), count(db, Contact), count(db, LeadSource)) == (0, 0, 0)
    # a contact named without an account: the one contact of that name brings its account
    acc = people.create_account(db, "Daehan Motors")
    people.create_contact(db, "Yoon Seo-yeon", acc.id)
    deal = deals.create_deal_named(db, title="Fleet", owner_id=rep.id, contact="yoon seo-yeon")
    assert deal.account_id == acc.id and count(db, Contact) == 1


def test_korean_labels(qtbot, korean, db, rep):
    ctx = AppContext(db=db, user_id=rep.id, user_name=rep.name, role="rep", lang="ko")
    dlg = NewDealDialog(ctx)
    qtbot.addWidget(dlg)
    assert dlg.windowTitle() == "새 영업기회"
    assert dlg.create_button.text() == "영업기회 만들기"
    assert dlg.labels["account_id"].text().startswith("고객사")
    type_into(qtbot, dlg.amount_edit, "abc")
    dlg.create()
    assert dlg.errors["title"].text() == "제목은 필수입니다"
    assert "숫자가 아닙니다" in dlg.errors["amount"].text()


def test_the_shortcut_opens_the_dialog_from_the_main_window(qtbot, monkeypatch, db, rep, tmp_path):
    from app.views import settings as settings_module
    from app.views.main_window import MainWindow
    from app.views.settings import Settings

    settings = Settings.at(tmp_path / "settings.ini")
    settings_module.set_current(settings)
    try:
        ctx = AppContext(db=db, user_id=rep.id, user_name=rep.name, role="rep", lang="en")
        win = MainWindow(ctx, settings)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        act = win.new_deal_action
        assert act.shortcut() == QKeySequence("Ctrl+Shift+N")
        assert act in win.deal_menu.actions() and win.deal_menu.title() == "De&al"
        clashes = [a.objectName() for a in win.findChildren(type(act))
                   if a is not act and QKeySequence("Ctrl+Shift+N") in a.shortcuts()]
        assert clashes == []

        def fill(dlg):
            type_into(qtbot, dlg.title_edit, "From the menu")
            qtbot.keyClick(dlg.title_edit, Qt.Key.Key_Return)  # Enter creates

        driven = drive(monkeypatch, qtbot, fill)
        act.trigger()
        assert len(driven) == 1
        deal = only_deal(db, "From the menu")
        assert win.board.views[0].selected_deal_id() == deal.id
        assert win.count_label.text().startswith("Open 1")
    finally:
        settings_module.set_current(None)


# ------------------------------------------------------------------ board empty states

def test_empty_database_hint_and_no_match_line(qtbot, monkeypatch, db, rep, ctx, board):
    notice = board.notice
    assert notice.isVisible() and notice.kind == "empty"
    assert notice.text.text() == "No deals yet: New deal… or File → Import…"
    assert notice.new_button.isVisible() and notice.import_button.isVisible()
    with qtbot.waitSignal(board.import_requested, timeout=1000):
        qtbot.mouseClick(notice.import_button, Qt.MouseButton.LeftButton)

    def fill(dlg):
        type_into(qtbot, dlg.title_edit, "First deal")
        qtbot.mouseClick(dlg.create_button, Qt.MouseButton.LeftButton)

    drive(monkeypatch, qtbot, fill)
    qtbot.mouseClick(notice.new_button, Qt.MouseButton.LeftButton)
    assert not notice.isVisible()

    board.search.setText("zzzz")
    board.apply_filters()
    assert notice.isVisible() and notice.kind == "no-match"
    assert notice.text.text() == "No open deal matches “zzzz”."
    qtbot.mouseClick(notice.clear_button, Qt.MouseButton.LeftButton)
    assert board.search.text() == "" and not notice.isVisible()
    assert board.models[0].rowCount() == 1


def test_the_line_with_only_closed_deals_and_with_an_owner_filter(qtbot, monkeypatch, db, rep, manager, ctx, board):
    board.owner_combo.setCurrentIndex(board.owner_combo.findData("mine"))
    board.apply_filters()
    assert board.notice.kind == "empty"  # an empty database says so whatever the filters
    theirs = deals.create_deal(db, title="Theirs", owner_id=manager.id)
    board.apply_filters()
    assert board.notice.kind == "no-match" and board.notice.text.text() == "No open deal matches the filters."
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("no budget", True))
    board.owner_combo.setCurrentIndex(0)
    board.apply_filters()
    assert not board.notice.isVisible()
    assert board.move_deal(theirs.id, None, "lost")
    assert board.notice.kind == "no-open" and board.notice.new_button.isVisible()
    assert not board.notice.import_button.isVisible()


def test_empty_states_in_korean(qtbot, korean, db, rep):
    ctx = AppContext(db=db, user_id=rep.id, user_name=rep.name, role="rep", lang="ko")
    board = Board(ctx)
    qtbot.addWidget(board)
    assert board.notice.text.text() == "아직 영업기회가 없습니다: 새 영업기회… 또는 파일 → 가져오기…"
    assert board.new_button.text() == "+ 새 영업기회"
    deals.create_deal(db, title="Alpha", owner_id=rep.id)
    board.search.setText("없는말")
    board.apply_filters()
    assert board.notice.text.text() == "“없는말”에 맞는 진행 중인 영업기회가 없습니다."
    assert board.notice.clear_button.text() == "필터 지우기"


def test_a_new_deal_hidden_by_the_filters_is_said_so(qtbot, monkeypatch, db, rep, ctx, board):
    deals.create_deal(db, title="Existing", owner_id=rep.id)
    board.search.setText("Existing")
    board.apply_filters()

    def fill(dlg):
        type_into(qtbot, dlg.title_edit, "Other thing")
        qtbot.mouseClick(dlg.create_button, Qt.MouseButton.LeftButton)

    drive(monkeypatch, qtbot, fill)
    deal_id = board.new_deal()
    assert board.notice.kind == "hidden" and "“Other thing”" in board.notice.text.text()
    qtbot.mouseClick(board.notice.clear_button, Qt.MouseButton.LeftButton)
    assert board.views[0].selected_deal_id() == deal_id and not board.notice.isVisible()


# ------------------------------------------------------------------ selection after Won / Lost

def test_after_a_card_leaves_for_lost_the_next_card_is_selected(qtbot, monkeypatch, db, rep, ctx, board):
    made = [deals.create_deal(db, title=t, owner_id=rep.id, expected_close=f"2026-0{i + 3}-01")
            for i, t in enumerate(("Alpha", "Beta", "Gamma"))]
    board.reload()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("no budget", True))
    view = board.views[0]
    view.setCurrentIndex(board.models[0].index(1))  # Beta
    assert board.move_deal(made[1].id, None, "lost")
    assert view.selected_deal_id() == made[2].id  # the next card, where Beta was
    assert board.move_deal(made[2].id, None, "lost")
    assert view.selected_deal_id() == made[0].id  # the last one gone: the one before


def test_after_the_last_card_of_closing_is_won_the_neighbour_column_takes_over(qtbot, db, rep, ctx, board):
    won = deals.create_deal_named(db, title="Big win", owner_id=rep.id, account="Hanil Steel", contact="Park",
                                  lead_source="Web", amount="100", expected_close="2026-05-01")
    other = deals.create_deal(db, title="Still early", owner_id=rep.id)
    for pos in range(1, 8):
        satisfy_stage(db, won.id, pos, rep.id)
    from app.services import gates

    for pos in range(2, 8):
        gates.move_deal(db, won.id, pos, actor_id=rep.id, expected_version=deals.get_deal(db, won.id).version)
    board.reload()
    closing = board.views[6]
    closing.setFocus()
    closing.setCurrentIndex(board.models[6].index(0))
    qtbot.keyClick(closing, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert deals.get_deal(db, won.id).status == "won"
    assert board.views[0].selected_deal_id() == other.id  # the nearest column with a card


# ------------------------------------------------------------------ the command line

@pytest.mark.both_engines
def test_cli_new_deal(db_url):
    path = db_url
    db = open_database(str(path))
    try:
        kim = people.create_user(db, "Kim Min-su", "rep")
        people.create_user(db, "Lee Ji-eun", "manager")
        acme = people.create_account(db, "Acme Corp")
    finally:
        db.dispose()
    proc = run_cli("new-deal", "--title", "Acme MES", "--account", "ACME CORP", "--contact", "Park Ji-ho",
                   "--owner", "kim min-su", "--amount", "1,500,000", "--close", "2027-01-31", "--source", "Fair",
                   "--description", "Two plants", "--db", path)
    assert proc.returncode == 0, proc.stderr
    new_id = proc.stdout.strip()
    db = open_database(str(path))
    try:
        deal = deals.get_deal(db, deals.resolve_deal_id(db, new_id))
        assert (deal.title, deal.account_id, deal.owner_id) == ("Acme MES", acme.id, kim.id)
        assert (deal.amount, deal.currency, str(deal.expected_close)) == (Decimal("1500000"), "KRW", "2027-01-31")
        assert count(db, Account) == 1 and count(db, Contact) == 1 and count(db, LeadSource) == 1
    finally:
        db.dispose()

    line = one_line_error(run_cli("new-deal", "--title", "Bad", "--account", "Newco", "--owner", "Kim Min-su",
                                  "--amount", "abc", "--db", path))
    assert line == "pipeline-manager: error: --amount: 'abc' is not a number"
    proc = run_cli("new-deal", "--title", "Dollars", "--owner", "Kim Min-su", "--amount", "$5,000", "--db", path)
    assert proc.returncode == 0, proc.stderr
    db = open_database(str(path))
    try:
        assert deals.get_deal(db, deals.resolve_deal_id(db, proc.stdout.strip())).currency == "USD"
    finally:
        db.dispose()
    line = one_line_error(run_cli("new-deal", "--title", "No owner", "--db", path))
    assert line == "pipeline-manager: error: --owner USER is required: the database has 2 users"
    line = one_line_error(run_cli("new-deal", "--title", "For Lee", "--owner", "Lee Ji-eun", "--as", "Kim Min-su",
                                  "--db", path))
    assert line == "pipeline-manager: error: only a manager may create a deal for someone else"
    db = open_database(str(path))
    try:
        assert count(db, Opportunity) == 2 and count(db, Account) == 1  # no Newco
    finally:
        db.dispose()


# ------------------------------------------------------------------ on an offline replica

@pytest.mark.postgresql
def test_the_dialog_on_an_offline_replica_queues_the_deal_and_its_new_account(qtbot, pg_url, tmp_path):
    from app.services import sync

    server = sync.open_server(pg_url)
    try:
        mgr = people.create_user(server, "Lee Ji-eun", "manager")
        acme = people.create_account(server, "Acme Corp")
        sync.create_replica(str(tmp_path / "replica.sqlite"), server)
        replica = open_database(str(tmp_path / "replica.sqlite"))
        try:
            ctx = AppContext(db=replica, user_id=mgr.id, user_name=mgr.name, role="manager", lang="en")
            dlg = NewDealDialog(ctx)
            qtbot.addWidget(dlg)
            type_into(qtbot, dlg.title_edit, "Offline deal")
            type_into(qtbot, dlg.account_combo, "Harbor Logistics")  # new
            type_into(qtbot, dlg.amount_edit, "2,000,000")
            assert dlg.create(), [lab.text() for lab in dlg.errors.values()]
            refused = NewDealDialog(ctx)
            qtbot.addWidget(refused)
            type_into(qtbot, refused.title_edit, "Refused offline")
            type_into(qtbot, refused.account_combo, "Ghost Account")
            type_into(qtbot, refused.amount_edit, "-1")
            assert not refused.create()
            with replica.read() as s:
                from sqlalchemy import text

                assert [r[0] for r in s.execute(text("SELECT name FROM outbox ORDER BY seq"))] \
                    == ["create_account", "create_deal"]  # the refused one left nothing
            assert sync.sync(replica, server).push.applied == 2
        finally:
            replica.dispose()
        deal = only_deal(server, "Offline deal")
        with server.read() as s:
            assert s.get(Account, deal.account_id).name == "Harbor Logistics"
            assert s.scalar(select(func.count()).select_from(Account).where(Account.name == "Ghost Account")) == 0
        assert deal.amount == Decimal("2000000") and deal.account_id != acme.id
    finally:
        server.dispose()


@pytest.mark.postgresql
def test_cli_new_deal_on_a_team_server_is_the_logged_in_members(pg_url):
    import uuid

    from conftest import admin_query
    from sqlalchemy.engine import make_url

    from app.services import team

    tag = uuid.uuid4().hex[:8]
    team.init_server(pg_url)
    kim = team.add_member(pg_url, "Kim Min-su", "rep", f"kim_{tag}", "kim-pw")
    lee = team.add_member(pg_url, "Lee Ji-eun", "manager", f"lee_{tag}", "lee-pw")

    def url(member, password):
        return make_url(pg_url).set(username=member.db_role, password=password).render_as_string(hide_password=False)

    proc = run_cli("new-deal", "--title", "Kim's own", "--account", "Hanil Steel", "--db", url(kim, "kim-pw"))
    assert proc.returncode == 0, proc.stderr
    ((owner, creator, account),) = admin_query(
        pg_url, "SELECT o.owner_id, t.user_id, a.name FROM opportunity o JOIN stage_transition t "
                "ON t.opportunity_id = o.id JOIN account a ON a.id = o.account_id WHERE o.id = :d",
        d=uuid.UUID(proc.stdout.strip()))
    assert (owner, creator, account) == (kim.id, kim.id, "Hanil Steel")  # the owner defaults to the member
    # a rep cannot give a deal to someone else, nor create it as someone else
    line = one_line_error(run_cli("new-deal", "--title", "For Lee", "--owner", "Lee Ji-eun", "--db", url(kim, "kim-pw")))
    assert "only a manager" in line and "SQL" not in line
    line = one_line_error(run_cli("new-deal", "--title", "As Lee", "--as", "Lee Ji-eun", "--db", url(kim, "kim-pw")))
    assert line.endswith(f"--as Lee Ji-eun: on a team database a deal is created by the member logged in, "
                         f"Kim Min-su ({kim.db_role}); --as is for a single-user file")
    # the manager may give one to Kim
    proc = run_cli("new-deal", "--title", "For Kim", "--owner", "Kim Min-su", "--db", url(lee, "lee-pw"))
    assert proc.returncode == 0, proc.stderr
    titles = {r[0] for r in admin_query(pg_url, "SELECT title FROM opportunity")}
    assert titles == {"Kim's own", "For Kim"}
