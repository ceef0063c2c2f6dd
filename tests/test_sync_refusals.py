"""Offline changes the team server refuses by its rights (grants, row-level security), the
same rules checked on the replica and online, and the sync's guards: one server per
replica, one push at a time, a refused login said as such."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from conftest import admin_query
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from app.cli import main
from app.db import open_database
from app.errors import AppError, PermissionDenied
from app.models import Activity, LeadSource, Opportunity, StageTransition
from app.services import activities, deals, gates, outbox, people, sync
from app.services import team as team_service

pytestmark = pytest.mark.postgresql
REPO = Path(__file__).resolve().parents[1]


def _as(pg_url, login, password=None):
    return make_url(pg_url).set(username=login, password=password).render_as_string(hide_password=False)


@pytest.fixture
def crew(pg_url, memory_keyring):
    """Reps kim and park and manager lee, each with a login (password in the test keyring);
    kim owns the deals "Kim 1" and "Kim 2", park "Park 1"; kim's replica."""
    team_service.init_server(pg_url)
    tag = uuid.uuid4().hex[:8]
    logins = {k: f"{k}_{tag}" for k in ("kim", "park", "lee")}
    users = {k: team_service.add_member(pg_url, k.title(), "manager" if k == "lee" else "rep", logins[k], f"pw-{k}")
             for k in logins}
    for k in logins:
        team_service.store_password(pg_url, logins[k], f"pw-{k}")
    admin = sync.open_server(pg_url)
    made = {t: deals.create_deal(admin, title=t, owner_id=users[o].id).id
            for t, o in (("Kim 1", "kim"), ("Kim 2", "kim"), ("Park 1", "park"))}
    servers = {k: sync.open_server(_as(pg_url, logins[k])) for k in logins}
    yield {"url": pg_url, "admin": admin, "logins": logins, "users": users, "deals": made, "servers": servers}
    for db in (admin, *servers.values()):
        db.dispose()


def _replica(tmp_path, crew, who="kim"):
    path = tmp_path / f"{who}.sqlite"
    sync.create_replica(str(path), crew["servers"][who], _as(crew["url"], crew["logins"][who]))
    return open_database(str(path))


def _deal(db, deal_id):
    with db.read() as s:
        return s.get(Opportunity, deal_id)


def _count(db, model, **where):
    with db.read() as s:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return s.scalar(q)


def _override_move(db, deal_id, actor_id):
    return gates.move_deal(db, deal_id, 2, actor_id=actor_id, expected_version=_deal(db, deal_id).version,
                           override_reason="the customer asked")


# ------------------------------------------------------------------ the rules, before anything is written

def test_a_rep_cannot_hand_a_deal_away_or_act_as_the_manager_offline_nor_online(crew, tmp_path):
    """What the server's policies refuse a rep's login is refused on the rep's replica
    before it reaches the outbox, and online by the service, with the same words; a
    manager may do it all."""
    kim, park, lee = (crew["users"][k] for k in ("kim", "park", "lee"))
    k1 = crew["deals"]["Kim 1"]
    replica = _replica(tmp_path, crew)
    online = crew["servers"]["kim"]
    for db in (replica, online):
        with pytest.raises(PermissionDenied) as exc:
            deals.update_deal(db, k1, expected_version=1, actor_id=kim.id, owner_id=park.id)
        assert str(exc.value) == "Kim is a rep; only a manager can give a deal to someone else"
        with pytest.raises(PermissionDenied) as exc:
            _override_move(db, k1, lee.id)  # move --as lee --override
        assert str(exc.value) == ("Kim is a rep and works in their own name; only a manager can record a change "
                                  "in someone else's name")
        with pytest.raises(PermissionDenied, match="only a manager can give an activity to someone else"):
            activities.log_activity(db, type="call", subject="for park", owner_id=park.id, deal_id=k1)
        with pytest.raises(PermissionDenied, match="Kim is a rep; only a manager can create a deal for someone else"):
            deals.create_deal(db, title="For park", owner_id=park.id, actor_id=kim.id)
    assert sync.pending_count(replica) == 0
    for db in (replica, crew["admin"]):
        assert _deal(db, k1).owner_id == kim.id and _deal(db, k1).version == 1
        assert _count(db, StageTransition, opportunity_id=k1) == 1
    # in their own name all of it works, and reaches the server
    deals.update_deal(replica, k1, expected_version=1, actor_id=kim.id, owner_id=kim.id, title="Kim 1 (edited)")
    activities.log_activity(replica, type="call", subject="mine", owner_id=kim.id, deal_id=k1)
    r = sync.sync(replica, online)
    assert (r.push.applied, r.push.conflicts) == (2, [])
    assert _deal(crew["admin"], k1).title == "Kim 1 (edited)"
    # a manager's replica hands a deal over and overrides
    mgr = _replica(tmp_path, crew, "lee")
    _override_move(mgr, k1, lee.id)
    deals.update_deal(mgr, k1, expected_version=_deal(mgr, k1).version, actor_id=lee.id, owner_id=park.id)
    r = sync.sync(mgr, crew["servers"]["lee"])
    assert (r.push.applied, r.push.conflicts) == (2, [])
    assert _deal(crew["admin"], k1).owner_id == park.id
    replica.dispose()
    mgr.dispose()


def test_a_rep_adds_a_lead_source_offline_and_online(crew, tmp_path):
    """Reps may create lead sources on the server (migration 0007), not rename or delete
    them: the offline one reaches the server with the deal that uses it."""
    kim = crew["users"]["kim"]
    replica = _replica(tmp_path, crew)
    src = people.create_lead_source(replica, "Trade fair")
    deals.update_deal(replica, crew["deals"]["Kim 1"], expected_version=1, actor_id=kim.id, lead_source_id=src.id)
    r = sync.sync(replica, crew["servers"]["kim"])
    assert (r.push.applied, r.push.conflicts) == (2, [])
    assert _deal(crew["admin"], crew["deals"]["Kim 1"]).lead_source_id == src.id
    online = crew["servers"]["kim"]
    d = deals.create_deal_named(online, title="Via webinar", owner_id=kim.id, actor_id=kim.id, lead_source="Webinar")
    assert admin_query(crew["url"], "SELECT name FROM lead_source WHERE id = :i", i=d.lead_source_id) == [("Webinar",)]
    with online.engine.begin() as conn:  # nothing else: row-level security has no say, the grant does
        from sqlalchemy.exc import DBAPIError

        with pytest.raises(DBAPIError, match="permission denied for table lead_source"):
            conn.execute(text("UPDATE lead_source SET name = 'mine' WHERE id = :i"), {"i": src.id})
    replica.dispose()


# ------------------------------------------------------------------ refused on the server: a conflict

def _record_unchecked(monkeypatch, fn):
    """Record an offline change the replica would now refuse, as an older version of the
    app recorded it (the member check off while it is written)."""
    with monkeypatch.context() as m:
        m.setattr(outbox, "check_member_rights", lambda *a, **k: None)
        return fn()


@pytest.mark.parametrize("checked_by", ["app", "server"])
def test_a_change_the_server_refuses_is_a_conflict_and_the_rest_of_the_queue_goes_on(
        crew, tmp_path, monkeypatch, checked_by):
    """A hand-over of one's deal and a move in the manager's name with an override, queued
    offline by a replica that did not check them: the push refuses each (by the app's rule,
    or with it off, by the server's row-level security), records a "refused" conflict with
    a reason in words, holds back the later edit of the same deal, pushes the rest, and each
    conflict can be discarded."""
    kim, park, lee = (crew["users"][k] for k in ("kim", "park", "lee"))
    k1, k2 = crew["deals"]["Kim 1"], crew["deals"]["Kim 2"]
    replica = _replica(tmp_path, crew)
    given = _record_unchecked(monkeypatch, lambda: deals.update_deal(
        replica, k1, expected_version=1, actor_id=kim.id, owner_id=park.id))
    deals.update_deal(replica, k1, expected_version=given.version, actor_id=kim.id, title="after the hand-over")
    activities.log_activity(replica, type="call", subject="still mine", owner_id=kim.id, deal_id=k2)
    _record_unchecked(monkeypatch, lambda: _override_move(replica, k2, lee.id))
    people.create_account(replica, "ACME")
    assert sync.pending_count(replica) == 5
    if checked_by == "server":
        monkeypatch.setattr(outbox, "member_refusal", lambda *a, **k: None)

    r = sync.sync(replica, crew["servers"]["kim"])
    assert r.push.applied == 2 and len(r.push.conflicts) == 3
    hand_over, blocked, move = sync.conflicts(replica)
    assert [(c.name, c.kind) for c in (hand_over, blocked, move)] == [
        ("update_deal", "refused"), ("update_deal", "blocked"), ("move_deal", "refused")]
    if checked_by == "app":
        assert hand_over.error == "Kim is a rep; only a manager can give a deal to someone else"
        assert move.error.startswith("Kim is a rep and works in their own name")
    else:
        assert hand_over.error == (
            "the server refused this change: only a manager can give a deal to someone else (new row violates "
            'row-level security policy for table "opportunity"); it was not applied')
        assert move.error.startswith("the server refused this change: only a manager can record a gate override "
                                     'or a move in someone else\'s name (new row violates row-level security '
                                     'policy "pm_override_by_manager"')
        assert move.error.template.startswith("the server refused this change: {why}")  # shown translated
    assert hand_over.server["version"] == 1 and move.server["stage"] == 1
    admin = crew["admin"]
    assert _deal(admin, k1).owner_id == kim.id and _deal(admin, k1).title == "Kim 1"
    assert _count(admin, StageTransition, opportunity_id=k2) == 1
    assert _count(admin, Activity, opportunity_id=k2) == 1  # the rest went through
    assert admin_query(crew["url"], "SELECT count(*) FROM account WHERE name = 'ACME'") == [(1,)]
    # the replica shows the server's deals again
    assert _deal(replica, k1).owner_id == kim.id and _deal(replica, k1).title == "Kim 1"
    assert _count(replica, StageTransition, opportunity_id=k2) == 1
    # the next sync goes on (no crash at the same change), and each conflict can be discarded
    assert sync.sync(replica, crew["servers"]["kim"]).push.conflicts == []
    for c in sync.conflicts(replica):
        assert main(["sync", "--db", str(replica.path), "--discard", c.op_id]) == 0
    assert sync.conflicts(replica) == [] and sync.pending_count(replica) == 0
    replica.dispose()


def test_a_table_the_login_may_not_write_is_a_conflict_too(crew, tmp_path):
    """A server that does not let reps add lead sources (one before migration 0007, or whose
    owner revoked it): "permission denied for table lead_source" is a conflict saying so;
    the changes behind it are pushed."""
    with crew["admin"].write() as s:
        s.execute(text("REVOKE INSERT ON lead_source FROM pm_rep"))
    kim = crew["users"]["kim"]
    replica = _replica(tmp_path, crew)
    people.create_lead_source(replica, "Trade fair")
    activities.log_activity(replica, type="call", subject="after", owner_id=kim.id, deal_id=crew["deals"]["Kim 1"])
    r = sync.sync(replica, crew["servers"]["kim"])
    assert r.push.applied == 1 and len(r.push.conflicts) == 1
    (c,) = sync.conflicts(replica)
    assert (c.name, c.kind) == ("create_lead_source", "refused")
    assert c.error == ("the server refused this change: your login has no permission for it on the server "
                       "(permission denied for table lead_source); it was not applied")
    assert _count(crew["admin"], LeadSource) == 0
    assert _count(replica, LeadSource, name="Trade fair") == 1
    sync.resolve(replica, c.op_id, "discard")  # what the server refused does not stay here either
    assert _count(replica, LeadSource) == 0 and sync.conflicts(replica) == []
    # one that a deal here uses stays (the deal's edit went through: the server has it now)
    src = people.create_lead_source(replica, "Used")
    deals.update_deal(replica, crew["deals"]["Kim 1"], expected_version=1, actor_id=kim.id, lead_source_id=src.id)
    r = sync.sync(replica, crew["servers"]["kim"])
    assert r.push.applied == 0 and len(r.push.conflicts) == 2  # the edit names a source the server lacks
    for c in sync.conflicts(replica):
        sync.resolve(replica, c.op_id, "discard")
    assert _count(replica, LeadSource) == 0  # the deal went back to the server's, without it
    replica.dispose()


def test_a_refused_change_reads_in_korean(crew, tmp_path, monkeypatch, qtbot):
    from PySide6.QtWidgets import QApplication

    from app.views.i18n import install_translators
    from app.views.sync_view import ConflictsDialog

    kim, park = crew["users"]["kim"], crew["users"]["park"]
    replica = _replica(tmp_path, crew)
    _record_unchecked(monkeypatch, lambda: deals.update_deal(
        replica, crew["deals"]["Kim 1"], expected_version=1, actor_id=kim.id, owner_id=park.id))
    monkeypatch.setattr(outbox, "member_refusal", lambda *a, **k: None)
    assert sync.sync(replica, crew["servers"]["kim"]).push.conflicts
    app = QApplication.instance()
    try:
        install_translators(app, "ko")
        dlg = ConflictsDialog(replica, None)
        qtbot.addWidget(dlg)
        why = dlg.table.item(0, 1).text()
    finally:
        install_translators(app, "en")
    assert why.startswith("서버가 이 변경을 거부했습니다: 영업기회를 다른 사람에게 넘기는 것은 영업 관리자만 할 수 있습니다")
    assert 'row-level security policy for table "opportunity"' in why  # the server's own words, kept
    replica.dispose()


# ------------------------------------------------------------------ one server per replica

def test_a_replica_refuses_another_team_database(crew, tmp_path, pg_server, capsys):
    """--server naming another team's database: one line, nothing pushed there, nothing
    pulled from it; the replica's own server still syncs. A replica made before the server
    had an identity is recognised by its process template, then keeps the identity."""
    other_url = pg_server.create_database(migrated=False)  # not a clone: a team database of its own
    try:
        open_database(other_url).dispose()
        other = sync.open_server(other_url)
        people.create_user(other, "Somebody", "manager")
        replica = _replica(tmp_path, crew)
        people.create_account(replica, "Offline account")
        path = str(replica.path)
        replica.dispose()
        before = admin_query(other_url, "SELECT count(*) FROM account")
        assert main(["sync", "--db", path, "--server", other_url]) == 1
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "Traceback" not in err
        assert "is another team database, not the one this replica was made from" in err
        assert admin_query(other_url, "SELECT count(*) FROM account") == before
        replica = open_database(path)
        assert sync.pending_count(replica) == 1
        with pytest.raises(AppError, match="another team database"):
            sync.pull(replica, other)
        # made before migration 0007: no identity kept
        with replica.write() as s:
            s.execute(text("UPDATE replica_state SET server_id = NULL"))
        with pytest.raises(AppError, match="another team database"):
            sync.sync(replica, other)
        assert sync.state(replica).server_id is None
        assert sync.sync(replica, crew["servers"]["kim"]).push.applied == 1
        assert sync.state(replica).server_id == sync.server_identity(crew["admin"]) is not None
        # a server not upgraded to 0007 yet has no identity: the process template tells
        with replica.write() as s:
            s.execute(text("UPDATE replica_state SET server_id = NULL"))
        with crew["admin"].write() as s:
            s.execute(text("DROP TABLE server_identity"))
        assert sync.server_identity(crew["admin"]) is None
        sync.sync(replica, crew["servers"]["kim"])
        with pytest.raises(AppError, match="another team database"):
            sync.sync(replica, other)
        assert sync.state(replica).server_id is None
        replica.dispose()
        other.dispose()
    finally:
        pg_server.drop_database(other_url)


# ------------------------------------------------------------------ one push at a time

def test_a_second_sync_of_the_same_replica_says_one_is_running(crew, tmp_path):
    replica = _replica(tmp_path, crew)
    activities.log_activity(replica, type="call", subject="x", owner_id=crew["users"]["kim"].id,
                            deal_id=crew["deals"]["Kim 1"])
    with sync._push_lock(replica):
        with pytest.raises(AppError, match="is already running"):
            sync.sync(replica, crew["servers"]["kim"])
        assert sync.pending_count(replica) == 1
    assert sync.sync(replica, crew["servers"]["kim"]).push.applied == 1
    replica.dispose()


def test_a_push_that_meets_a_concurrent_push_of_the_same_change_skips_it(crew, tmp_path, monkeypatch):
    """Two pushes of one outbox (past the lock, e.g. two copies of the file): the second
    one's rows collide with the first's once it commits (pk_activity); the operation is then
    applied, so it is skipped, not an internal error."""
    kim = crew["users"]["kim"]
    replica = _replica(tmp_path, crew)
    for i in range(3):
        activities.log_activity(replica, type="call", subject=f"c{i}", owner_id=kim.id, deal_id=crew["deals"]["Kim 1"])
    st = sync.state(replica)
    real_call = outbox.call

    def first_the_other_push(db, name, args, /):
        hook_seed = outbox.id_seed.get()
        op_id = hook_seed[0]
        with outbox.hooked(op_id, lambda _db, s: s.execute(
                text("INSERT INTO applied_operation (client_id, op_id, name) VALUES (:c, :o, :n)"),
                {"c": st.client_id, "o": op_id, "n": name})):
            real_call(db, name, args)  # committed by "the other sync"
        return real_call(db, name, args)

    monkeypatch.setattr(outbox, "call", first_the_other_push)
    r = sync.push(replica, crew["servers"]["kim"])
    assert (r.applied, r.skipped, r.conflicts) == (0, 3, [])
    assert _count(crew["admin"], Activity, opportunity_id=crew["deals"]["Kim 1"]) == 3
    replica.dispose()


def test_two_syncs_of_one_replica_at_once(crew, tmp_path):
    """`sync --db kim.sqlite & sync --db kim.sqlite` with 41 pending changes: each ends with
    exit 0 or "already running", never an internal error; every change lands once."""
    kim = crew["users"]["kim"]
    replica = _replica(tmp_path, crew)
    for i in range(41):
        activities.log_activity(replica, type="call", subject=f"c{i}", owner_id=kim.id, deal_id=crew["deals"]["Kim 1"])
    path = str(replica.path)
    replica.dispose()
    password_env = {**os.environ, "PGPASSWORD": "pw-kim", "PYTHONIOENCODING": "utf-8"}  # no keyring in a child
    procs = [subprocess.Popen([sys.executable, "-m", "app", "sync", "--db", path], cwd=REPO, env=password_env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert "internal error" not in err and "Traceback" not in err, err
        assert p.returncode == 0 or "is already running" in err, (out, err)
    assert any(p.returncode == 0 for p in procs)
    replica = open_database(path)
    if sync.pending_count(replica):  # the one that ran first was refused: sync again
        sync.sync(replica, crew["servers"]["kim"])
    assert sync.pending_count(replica) == 0
    assert _count(crew["admin"], Activity, opportunity_id=crew["deals"]["Kim 1"]) == 41
    replica.dispose()


# ------------------------------------------------------------------ a login the server refuses

def _cli(monkeypatch, capsys, argv):
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_sync_says_the_login_was_removed_or_the_password_is_wrong_or_missing(crew, tmp_path, monkeypatch, capsys,
                                                                             memory_keyring):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    kim = crew["logins"]["kim"]
    replica = _replica(tmp_path, crew)
    path = str(replica.path)
    replica.dispose()
    key = team_service.keyring_key(crew["url"], kim)
    team_service.store_password(crew["url"], kim, "not-it")
    code, _, err = _cli(monkeypatch, capsys, ["sync", "--db", path])
    assert code == 1 and err.count("\n") == 1, err
    assert f"cannot log in as {key}: wrong password (" in err and "not reachable" not in err
    team_service.forget_password(crew["url"], kim)
    code, _, err = _cli(monkeypatch, capsys, ["sync", "--db", path])
    assert code == 1 and err.count("\n") == 1, err
    assert f"no password stored for {key}; run: pipeline-manager login --db " in err and f"--user {kim}" in err
    assert "not reachable" not in err
    team_service.store_password(crew["url"], kim, "pw-kim")
    team_service.remove_member(crew["url"], kim, reassign_to=crew["logins"]["lee"])
    code, _, err = _cli(monkeypatch, capsys, ["sync", "--db", path])
    assert code == 1 and err.count("\n") == 1, err
    assert f"cannot log in as {key}: this login is disabled, it was removed from the team (" in err
    assert "0 change(s) wait in the outbox" in err and "not reachable" not in err
