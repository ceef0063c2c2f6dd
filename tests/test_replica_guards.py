"""The writers that are not named operations (the importer, the demo generator, new users)
are refused on an offline replica, before anything is written, with a message saying what
to do instead: what they wrote there would never be pushed to the team server. The CLI as
a real subprocess, the import wizard driven, the GUI start-up and database switch."""

from __future__ import annotations

import csv
import hashlib
import sqlite3
from pathlib import Path

import pytest
from conftest import one_line_error
from conftest import run_cli as run
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import make_url

from app.db import open_database
from app.errors import ReplicaRefused
from app.services import deals, people, sync
from app.services.deals import list_deals
from app.views import application
from app.views import settings as settings_module
from app.views.context import AppContext
from app.views.import_wizard import ImportWizard
from app.views.main_window import MainWindow
from app.views.settings import Settings

pytestmark = pytest.mark.postgresql





def write_csv(path: Path, owner: str, n: int = 5) -> Path:
    rows = [["source_id", "title", "owner", "amount", "stage", "status"]]
    rows += [[f"r{i}", f"Imported deal {i}", owner, str(i * 100), "1", "open"] for i in range(1, n + 1)]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def table_counts(path: Path, tables: tuple[str, ...]) -> tuple[int, ...]:
    """Row counts of ``tables``, read straight from the replica file."""
    con = sqlite3.connect(path)
    try:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)
    finally:
        con.close()


def counts(path: Path) -> tuple[int, ...]:
    """(deals, users, outbox rows) of the replica file."""
    return table_counts(path, ("opportunity", "app_user", "outbox"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def server_without_password(server) -> str:
    from app.db import url_without_password

    return url_without_password(server.url)


@pytest.fixture
def server(pg_url):
    db = sync.open_server(pg_url)
    yield db
    db.dispose()


@pytest.fixture
def team(server):
    """The server's manager and one deal of theirs."""
    mgr = people.create_user(server, "Lee Ji-eun", "manager")
    deals.create_deal(server, title="Alpha", owner_id=mgr.id, amount="100")
    return mgr


@pytest.fixture
def replica_path(server, team, tmp_path) -> Path:
    path = tmp_path / "replica.sqlite"
    sync.create_replica(str(path), server)
    return path


@pytest.fixture
def replica(replica_path):
    db = open_database(str(replica_path))
    yield db
    db.dispose()


@pytest.fixture
def settings(tmp_path):
    s = Settings.at(str(tmp_path / "settings.ini"))
    settings_module.set_current(s)
    yield s
    settings_module.set_current(None)


def test_cli_import_on_a_replica_is_refused_and_writes_nothing(replica_path, server, team, tmp_path):
    file = write_csv(tmp_path / "deals.csv", "Somebody New")
    before, before_digest = counts(replica_path), digest(replica_path)
    assert before == (1, 1, 0)

    line = one_line_error(run("import", file, "--preset", "generic", "--db", replica_path))
    assert "cannot import deals on an offline replica" in line
    assert f"pipeline-manager import FILE --db {server_without_password(server)}" in line
    assert f"pipeline-manager sync --db {replica_path}" in line
    password = make_url(server.url).password
    assert not password or str(password) not in line
    assert counts(replica_path) == before and digest(replica_path) == before_digest

    # a dry run writes nothing: still allowed, and it still writes nothing
    dry = run("import", file, "--preset", "generic", "--dry-run", "--db", replica_path)
    assert dry.returncode == 0, dry.stderr
    assert counts(replica_path) == before


def test_cli_demo_on_a_replica_is_refused_and_writes_nothing(replica_path, server):
    before, before_digest = counts(replica_path), digest(replica_path)
    line = one_line_error(run("demo", "--db", replica_path, "--deals", 20, "--seed", 3))
    assert "cannot generate demo data on an offline replica" in line
    assert f"pipeline-manager demo --db {server_without_password(server)}" in line
    assert f"pipeline-manager sync --db {replica_path}" in line
    assert counts(replica_path) == before and digest(replica_path) == before_digest


def test_ensure_user_finds_a_pulled_user_and_refuses_a_new_one(replica, replica_path, team):
    found = people.ensure_user(replica, "lee ji-eun", "rep")
    assert found.id == team.id and found.role == "manager"  # the server's user and role
    before = counts(replica_path)

    with pytest.raises(ReplicaRefused) as refused:
        people.ensure_user(replica, "Park Seo-yeon", "rep")
    text = str(refused.value)
    assert text.startswith("there is no user named 'Park Seo-yeon' here, and users cannot be added "
                           "on an offline replica")
    assert "pipeline-manager server add-user 'Park Seo-yeon' --role rep --login LOGIN --db " in text
    assert "postgresql+psycopg://ADMIN@" in text and "arrive here with the next sync" in text
    with pytest.raises(ReplicaRefused, match="cannot add a user on an offline replica"):
        people.create_user(replica, "Park Seo-yeon", "rep")
    assert counts(replica_path) == before


def test_users_arrive_with_the_next_sync(replica, server, team):
    """The way the message names: added on the server, pulled, then found."""
    people.create_user(server, "Park Seo-yeon", "rep")
    sync.sync(replica, server)
    assert people.ensure_user(replica, "Park Seo-yeon", "manager").role == "rep"


def test_the_wizard_checks_but_refuses_the_import_on_a_replica(qtbot, replica, replica_path, team, tmp_path):
    file = write_csv(tmp_path / "deals.csv", team.name)
    ctx = AppContext(db=replica, user_id=team.id, user_name=team.name, role=team.role)
    heard = []
    ctx.hub.pipeline_changed.connect(lambda c, i: heard.append(c))
    before = counts(replica_path)
    wiz = ImportWizard(ctx)
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.file_page.file_edit.setText(str(file))
    wiz.file_page.load_preview()
    combo = wiz.file_page.preset_combo
    combo.setCurrentIndex(combo.findData("generic"))
    wiz.next()
    wiz.next()
    check = wiz.check_page
    qtbot.waitUntil(lambda: not check.running(), timeout=20_000)
    assert check.isComplete(), check.status.text()  # the dry run is allowed
    assert check.result.created == 5

    wiz.next()
    page = wiz.run_page
    qtbot.waitUntil(lambda: not page.running(), timeout=20_000)
    assert not page.isComplete()
    assert isinstance(page.error, ReplicaRefused)
    assert page.status.text().startswith("cannot import deals on an offline replica")
    assert "pipeline-manager import FILE --db postgresql+psycopg://" in page.status.text()
    assert heard == [] and [d.title for d in list_deals(replica)] == ["Alpha"]
    assert counts(replica_path) == before


def test_gui_start_up_on_a_replica_without_the_user_is_one_dialog(qtbot, replica_path, settings, monkeypatch):
    settings.user_name, settings.role, settings.language = "Park Seo-yeon", "rep", "en"
    with pytest.raises(ReplicaRefused):
        application.open_for_gui(str(replica_path), "Park Seo-yeon", "rep", "en")
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, title, text, *a, **k: shown.append((title, text)))
    monkeypatch.setattr(application, "Settings", lambda: settings)
    before = counts(replica_path)
    assert application.run_gui(str(replica_path)) == 1
    assert len(shown) == 1
    assert shown[0][1].startswith("there is no user named 'Park Seo-yeon' here")
    assert "pipeline-manager server add-user" in shown[0][1]
    assert counts(replica_path) == before


def test_switching_to_a_replica_without_the_user_is_one_warning(qtbot, tmp_path, replica_path, settings,
                                                                  warnings):
    local = open_database(str(tmp_path / "local.sqlite"))
    win = MainWindow(application.make_context(local, "Park Seo-yeon", "rep", "en"), settings)
    qtbot.addWidget(win)
    before = counts(replica_path)
    assert win.switch_database(lambda: open_database(str(replica_path))) is False
    assert len(warnings) == 1 and "users cannot be added on an offline replica" in warnings[0][1]
    assert win.ctx.db is local  # still working where it was
    assert counts(replica_path) == before
    win.close()
    local.dispose()


def test_file_import_on_a_replica_says_so_before_any_file_is_picked(qtbot, replica, team, settings, warnings,
                                                                     monkeypatch):
    from app.views import import_wizard

    opened = []
    monkeypatch.setattr(import_wizard.ImportWizard, "exec", lambda self: opened.append(self) or 0)
    ctx = AppContext(db=replica, user_id=team.id, user_name=team.name, role=team.role)
    win = MainWindow(ctx, settings)
    qtbot.addWidget(win)
    win.import_data()
    assert opened == [] and len(warnings) == 1
    assert warnings[0][1].startswith("cannot import deals on an offline replica")
    win.close()


def test_on_a_replica_the_app_works_as_the_member_it_syncs_as(pg_url, tmp_path):
    """A replica made for a member's login: the window works as that member, with the
    server's role, whatever name the local settings hold (as on the server itself)."""
    import uuid

    from app.services import team as team_service

    team_service.init_server(pg_url)
    login = f"kim_{uuid.uuid4().hex[:8]}"
    kim = team_service.add_member(pg_url, "Kim Min-su", "rep", login, "pw-kim")
    admin = sync.open_server(pg_url)
    try:
        member_url = make_url(pg_url).set(username=login).render_as_string(hide_password=False)
        sync.create_replica(str(tmp_path / "kim.sqlite"), admin, member_url)
    finally:
        admin.dispose()
    db, ctx = application.open_for_gui(str(tmp_path / "kim.sqlite"), "Somebody Else", "manager", "en")
    try:
        assert (ctx.user_id, ctx.user_name, ctx.role) == (kim.id, "Kim Min-su", "rep")
    finally:
        db.dispose()


def spend_and_targets(path: Path) -> tuple[int, ...]:
    """(lead sources, spend rows, targets) of the replica file."""
    return table_counts(path, ("lead_source", "marketing_spend", "target"))


def test_marketing_figures_and_targets_are_refused_on_a_replica(replica, replica_path, server, team):
    """Spend, targets, campaigns and lead sources are not named operations: on a replica
    they would stay on that computer, so each is refused, names the way, writes nothing;
    the lead source a deal needs still goes through its operation, and on the server
    the same calls work."""
    from datetime import date

    from app.errors import Message
    from app.services import marketing

    web = marketing.create_lead_source(server, "Web", "inbound")
    sync.sync(replica, server)
    before, outbox_before = spend_and_targets(replica_path), counts(replica_path)[2]
    calls = [
        lambda: marketing.set_month_spend(replica, web.id, date(2026, 1, 1), "1000", currency="KRW"),
        lambda: marketing.create_spend(replica, web.id, date(2026, 1, 1), "1000", currency="KRW"),
        lambda: marketing.create_target(replica, "won_revenue", date(2026, 1, 1), date(2026, 3, 31), "5000000",
                                        currency="KRW"),
        lambda: marketing.create_campaign(replica, web.id, "Spring webinar"),
        lambda: marketing.create_lead_source(replica, "Trade fair"),
        lambda: marketing.delete_lead_source(replica, web.id),
    ]
    for call in calls:
        with pytest.raises(ReplicaRefused) as exc:
            call()
        assert str(exc.value).startswith("lead sources, campaigns, marketing spend and targets cannot be "
                                         "changed on an offline replica")
        assert f"pipeline-manager sync --db {replica_path}" in str(exc.value)
        assert isinstance(exc.value.message, Message)
    assert spend_and_targets(replica_path) == before and counts(replica_path)[2] == outbox_before
    people.create_lead_source(replica, "Trade fair")  # the operation: recorded, pushed
    assert counts(replica_path)[2] == outbox_before + 1
    marketing.set_month_spend(server, web.id, date(2026, 1, 1), "1000", currency="KRW")


def test_data_menu_editors_on_a_replica_say_so_before_opening(qtbot, replica, team, settings, warnings,
                                                               monkeypatch):
    from app.views import marketing_editor

    opened = []
    for name in ("MarketingDialog", "TargetsDialog"):
        monkeypatch.setattr(getattr(marketing_editor, name), "exec", lambda self: opened.append(self) or 0)
    ctx = AppContext(db=replica, user_id=team.id, user_name=team.name, role=team.role)
    win = MainWindow(ctx, settings)
    qtbot.addWidget(win)
    win.edit_marketing()
    win.edit_targets()
    assert opened == [] and len(warnings) == 2
    assert [w[0] for w in warnings] == ["Marketing spend", "Targets"]
    assert all("cannot be changed on an offline replica" in w[1] for w in warnings)
    win.close()


def test_every_service_that_writes_is_an_operation_or_refused_on_a_replica():
    """A public service function that opens a write is a named operation (replayed on the
    server), refused on a replica (outbox.refused_on_replica / refuse_on_replica), or part
    of the sync and team machinery itself: nothing a user does on a replica can stay there
    unseen by the team server. (Undo of a move and the marketing editors once did.)"""
    import ast

    root = Path(__file__).resolve().parents[1] / "app" / "services"
    machinery = {"sync.py", "team.py"}  # the replica's own bookkeeping; server administration
    refusers = {"refuse_on_replica", "check_can_import", "_refuse_new_user_on_replica"}
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.name in machinery:
            continue
        source = path.read_text("utf-8")
        for fn in ast.parse(source).body:
            if not isinstance(fn, ast.FunctionDef) or fn.name.startswith("_"):
                continue
            body = ast.get_source_segment(source, fn)
            if ".write()" not in body:
                continue
            decorators = {ast.unparse(d).split("(")[0] for d in fn.decorator_list}
            calls = {n.func.id for n in ast.walk(fn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
            if not (decorators & {"operation", "_team_server_only", "refused_on_replica"} or calls & refusers):
                found.append(f"{path.relative_to(root)}:{fn.name}")
    assert found == []
