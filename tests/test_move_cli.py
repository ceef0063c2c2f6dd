"""`pipeline-manager move` on a team server and on a replica, run as the real command: the
move is made by the member logged in (never the deal's owner by default), `--as` someone
else is refused there, and a rep's override is refused by the program in one line, before
any SQL reaches the server."""

from __future__ import annotations

import uuid

import pytest
from conftest import admin_query, one_line_error, run_cli
from sqlalchemy.engine import make_url

from app.db import open_database
from app.services import deals, team

pytestmark = pytest.mark.postgresql


def _as(url: str, login: str, password: str) -> str:
    return make_url(url).set(username=login, password=password).render_as_string(hide_password=False)


@pytest.fixture
def team_server(pg_url):
    """A team server with a rep (Kim) and a manager (Lee), and two open deals of Kim's."""
    tag = uuid.uuid4().hex[:8]
    team.init_server(pg_url)
    kim = team.add_member(pg_url, "Kim Min-su", "rep", f"kim_{tag}", "kim-pw")
    lee = team.add_member(pg_url, "이지은", "manager", f"lee_{tag}", "lee-pw")
    admin = open_database(pg_url)
    try:
        ids = [str(deals.create_deal(admin, title=f"Kim's deal {i}", owner_id=kim.id).id) for i in (1, 2)]
    finally:
        admin.dispose()
    return {"url": pg_url, "kim": kim, "lee": lee, "deals": ids,
            "kim_url": _as(pg_url, kim.db_role, "kim-pw"), "lee_url": _as(pg_url, lee.db_role, "lee-pw")}


def _moves(url: str, deal: str) -> list[tuple]:
    """(to_status, user_id) of the deal's moves after its creation, as the server has them."""
    return [tuple(r) for r in admin_query(
        url, "SELECT to_status, user_id FROM stage_transition WHERE opportunity_id = :d AND from_stage_id IS NOT NULL "
             "ORDER BY at", d=uuid.UUID(deal))]


def test_on_the_team_server_the_move_is_the_logged_in_members(team_server):
    t = team_server
    proc = run_cli("move", t["deals"][0], "--to", "lost", "--reason", "budget cut", "--db", t["lee_url"])
    assert proc.returncode == 0, proc.stderr
    assert _moves(t["url"], t["deals"][0]) == [("lost", t["lee"].id)]  # Lee moved it, not Kim (the owner)
    # --as naming yourself (by name or login) is no change
    proc = run_cli("move", t["deals"][0], "--to", "1", "--reason", "reopened", "--as", t["lee"].db_role,
                   "--db", t["lee_url"])
    assert proc.returncode == 0, proc.stderr
    assert _moves(t["url"], t["deals"][0])[-1] == ("open", t["lee"].id)


@pytest.mark.parametrize("who, as_user", [("kim", "이지은"), ("lee", "Kim Min-su")])
def test_on_the_team_server_as_someone_else_is_refused(team_server, who, as_user):
    t = team_server
    proc = run_cli("move", t["deals"][1], "--to", "2", "--as", as_user, "--override", "framework agreement",
                   "--db", t[f"{who}_url"])
    line = one_line_error(proc)
    me = t[who]
    assert f"--as {as_user}: on a team database a move is made by the member logged in, {me.name} ({me.db_role})" \
        in line
    assert "SQL" not in proc.stderr and "password" not in proc.stderr
    assert _moves(t["url"], t["deals"][1]) == []


def test_a_reps_override_is_refused_before_the_server_is_asked(team_server):
    t = team_server
    proc = run_cli("move", t["deals"][1], "--to", "2", "--override", "trust me", "--db", t["kim_url"])
    line = one_line_error(proc)
    assert "Kim Min-su is a rep; only a manager can override a stage gate" in line
    assert "SQL" not in proc.stderr
    assert _moves(t["url"], t["deals"][1]) == []
    # the manager may
    proc = run_cli("move", t["deals"][1], "--to", "2", "--override", "framework agreement", "--db", t["lee_url"])
    assert proc.returncode == 0 and "(gate overridden)" in proc.stdout, proc.stderr
    assert _moves(t["url"], t["deals"][1]) == [("open", t["lee"].id)]


def test_on_a_replica_the_move_is_the_replica_logins(team_server, tmp_path):
    t = team_server
    replica = tmp_path / "kim.sqlite"
    proc = run_cli("replica", "create", "--server", t["kim_url"], "--db", replica)
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("move", t["deals"][0], "--to", "lost", "--reason", "went quiet", "--as", "이지은", "--db", replica)
    assert "on a team database a move is made by the member logged in, Kim Min-su" in one_line_error(proc)
    proc = run_cli("move", t["deals"][0], "--to", "lost", "--reason", "went quiet", "--db", replica)
    assert proc.returncode == 0, proc.stderr
    db = open_database(replica, create=False)
    try:
        with db.read() as s:
            from sqlalchemy import text

            rows = s.execute(text("SELECT to_status, user_id FROM stage_transition WHERE from_stage_id IS NOT NULL"
                                  )).all()
    finally:
        db.dispose()
    assert [(status, uuid.UUID(str(user))) for status, user in rows] == [("lost", t["kim"].id)]
