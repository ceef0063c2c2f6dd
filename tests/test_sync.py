"""Offline replicas: outbox, push (idempotent, kill -9 safe), pull, conflicts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from select import select as wait_readable

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from app.db import open_database
from app.models import Activity, Evidence, Opportunity, StageTransition
from app.services import activities, deals, evidence, outbox, people, sync
from app.services import team as team_service
from app.services.gates import GateRefused
from app.services.process import active_stages
from app.services.unit_of_work import OpChanges

pytestmark = pytest.mark.postgresql


@pytest.fixture
def server(pg_url):
    db = sync.open_server(pg_url)
    yield db
    db.dispose()


def _replica(path, server):
    sync.create_replica(str(path), server)
    return open_database(str(path))


def _deal(db, deal_id):
    with db.read() as s:
        return s.get(Opportunity, deal_id)


def _stage1_check(db):
    with db.read() as s:
        return [d for st in active_stages(s) for d in st.deliverables if d.kind in ("check", "document")]


def _count(db, model, **where):
    with db.read() as s:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return s.scalar(q)


def _setup(server, tmp_path):
    mgr = people.create_user(server, "Lee Ji-eun", "manager")
    d1 = deals.create_deal(server, title="Alpha", owner_id=mgr.id, amount="100")
    d2 = deals.create_deal(server, title="Beta", owner_id=mgr.id, amount="200")
    d3 = deals.create_deal(server, title="Gamma", owner_id=mgr.id, amount="300")
    a = _replica(tmp_path / "a.sqlite", server)
    b = _replica(tmp_path / "b.sqlite", server)
    return mgr, d1, d2, d3, a, b


def test_two_replicas_edit_offline_then_sync(server, tmp_path):
    mgr, d1, d2, d3, a, b = _setup(server, tmp_path)
    assert _deal(a, d1.id).title == "Alpha" and _deal(b, d2.id).title == "Beta"
    # offline: A edits d1, B edits d2; both move d3 (B's move comes second: conflict)
    outbox.run(a, "update_deal", deal_id=d1.id, expected_version=1, actor_id=mgr.id, title="Alpha 2")
    outbox.run(b, "update_deal", deal_id=d2.id, expected_version=1, actor_id=mgr.id, amount="250")
    outbox.run(a, "move_deal", deal_id=d3.id, target=2, actor_id=mgr.id, expected_version=1,
                   override_reason="customer asked")
    outbox.run(b, "move_deal", deal_id=d3.id, target=3, actor_id=mgr.id, expected_version=1,
                   override_reason="big push")
    # activities and evidence from both merge, even on the conflicting deal
    outbox.run(a, "log_activity", type="call", subject="call from A", owner_id=mgr.id, deal_id=d3.id)
    outbox.run(b, "log_activity", type="call", subject="call from B", owner_id=mgr.id, deal_id=d3.id)
    dlv = _stage1_check(a)[0]
    outbox.run(b, "record_evidence", deal_id=d1.id, deliverable_id=dlv.id, actor_id=mgr.id,
                   note="ok", link="https://example.com/x")
    assert sync.pending_count(a) == 3 and sync.pending_count(b) == 4
    assert _deal(server, d1.id).title == "Alpha"  # nothing reached the server yet

    ra = sync.sync(a, server)
    assert ra.push.applied == 3 and not ra.push.conflicts
    rb = sync.sync(b, server)
    assert rb.push.applied == 3 and len(rb.push.conflicts) == 1
    sync.sync(a, server)

    for db in (server, a, b):
        assert _deal(db, d1.id).title == "Alpha 2"
        assert str(_deal(db, d2.id).amount) == "250.00"
        deal3 = _deal(db, d3.id)
        assert deal3.version == 2
        assert _count(db, StageTransition, opportunity_id=d3.id) == 2  # created + A's move
        assert _count(db, Activity, opportunity_id=d3.id) == 2
        assert _count(db, Evidence, opportunity_id=d1.id) == 1
    (c,) = sync.conflicts(b)
    assert c.name == "move_deal" and c.kind == "stale"
    assert c.args["target"] == 3 and c.server["stage"] == 2 and c.server["version"] == 2
    assert sync.conflicts(a) == []

    # the user retries: the move is replayed against the current version and goes through
    sync.resolve(b, c.op_id, "retry")
    r = sync.sync(b, server)
    assert r.push.applied == 1 and not r.push.conflicts
    sync.sync(a, server)
    for db in (server, a, b):
        assert _deal(db, d3.id).version == 3
    assert sync.conflicts(b) == []


def test_gate_refused_offline_move_is_a_conflict_and_discard(server, tmp_path):
    mgr, d1, _d2, _d3, a, _b = _setup(server, tmp_path)
    rep = people.create_user(server, "Kim Min-su", "rep")
    sync.pull(a, server)
    # a move refused locally (gate not met, rep) leaves nothing in the outbox
    with pytest.raises(GateRefused):
        outbox.run(a, "move_deal", deal_id=d1.id, target=2, actor_id=rep.id, expected_version=1)
    assert sync.pending_count(a) == 0  # a refused local op leaves no outbox row
    # manager moves back on the server meanwhile; offline A moves forward with override
    outbox.run(a, "move_deal", deal_id=d1.id, target=2, actor_id=mgr.id, expected_version=1,
                   override_reason="ok")
    outbox.run(a, "update_deal", deal_id=d1.id, expected_version=2, actor_id=mgr.id, title="A2")
    outbox.run(a, "log_activity", type="note", subject="note", owner_id=mgr.id, deal_id=d1.id)
    deals.update_deal(server, d1.id, expected_version=1, actor_id=mgr.id, title="Server title")
    r = sync.sync(a, server)
    assert len(r.push.conflicts) == 2 and r.push.applied == 1  # the edit follows the move
    assert {c.kind for c in sync.conflicts(a)} == {"stale", "blocked"}
    local = _deal(a, d1.id)
    assert local.title == "Server title" and local.version == 2  # re-fetched from the server
    assert _count(a, StageTransition, opportunity_id=d1.id) == 1  # the refused move's row is gone
    assert _count(server, Activity, opportunity_id=d1.id) == 1
    for c in sync.conflicts(a):
        sync.resolve(a, c.op_id, "discard")
    assert sync.conflicts(a) == [] and sync.pending_count(a) == 0


def test_push_is_idempotent(server, tmp_path):
    mgr, d1, _d2, _d3, a, _b = _setup(server, tmp_path)
    for i in range(5):
        outbox.run(a, "log_activity", type="call", subject=f"c{i}", owner_id=mgr.id, deal_id=d1.id)
    assert sync.push(a, server).applied == 5
    with a.write() as s:  # as if the "applied" marks were lost
        s.execute(text("UPDATE outbox SET status = 'pending'"))
    r = sync.push(a, server)
    assert r.applied == 0 and r.skipped == 5
    assert _count(server, Activity, opportunity_id=d1.id) == 5


def test_pull_sees_rows_committed_out_of_seq_order(server, tmp_path):
    mgr, d1, d2, _d3, a, _b = _setup(server, tmp_path)
    slow = server.engine.connect()
    tx = slow.begin()
    slow.execute(text("UPDATE opportunity SET title = 'slow' WHERE id = :i"), {"i": d1.id})  # low seq
    deals.update_deal(server, d2.id, expected_version=1, actor_id=mgr.id, title="fast")  # higher seq
    sync.pull(a, server)
    assert _deal(a, d2.id).title == "fast" and _deal(a, d1.id).title == "Alpha"
    tx.commit()
    slow.close()
    sync.pull(a, server)
    assert _deal(a, d1.id).title == "slow"


def test_tombstones_delete_on_pull(server, tmp_path):
    mgr, d1, _d2, _d3, a, _b = _setup(server, tmp_path)
    act = outbox.run(server, "log_activity", type="call", subject="x", owner_id=mgr.id, deal_id=d1.id)
    sync.pull(a, server)
    assert _count(a, Activity, id=act.id) == 1
    with server.write() as s:
        s.execute(text("DELETE FROM activity WHERE id = :i"), {"i": act.id})
    assert sync.pull(a, server).deleted == 1
    assert _count(a, Activity, id=act.id) == 0


SCRIPT = """
import sys
from app.db import open_database
from app.services import sync
replica = open_database(sys.argv[1])
server = sync.open_server(sys.argv[2])
sync.push(replica, server)
"""


@pytest.mark.parametrize("where", ["before", "commit"])
def test_kill_9_during_push_loses_nothing_and_doubles_nothing(server, tmp_path, where):
    """Killed while idle between ops, or right after the server committed op 7 and before the
    replica marked it applied: the next sync applies every op exactly once."""
    mgr, d1, _d2, _d3, a, _b = _setup(server, tmp_path)
    n = 20
    for i in range(n):
        outbox.run(a, "log_activity", type="call", subject=f"c{i}", owner_id=mgr.id, deal_id=d1.id)
    a.dispose()
    on_server = 7 if where == "before" else 8
    env = dict(os.environ, **{sync.PAUSE_ENV: "7" if where == "before" else "7:commit"})
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(tmp_path / "a.sqlite"), server.url],
                            env=env, cwd=str(Path(__file__).resolve().parents[1]),
                            stdout=subprocess.PIPE, text=True)
    ready, _w, _x = wait_readable([proc.stdout], [], [], 60)  # the push says when it reached the point
    assert ready and proc.stdout.readline().strip() == sync.PAUSED, "push ended early or hung"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _count(server, Activity, opportunity_id=d1.id) == on_server
    a = open_database(str(tmp_path / "a.sqlite"))
    assert sync.pending_count(a) == n - 7
    r = sync.sync(a, server)
    assert r.push.applied == n - on_server and r.push.skipped == on_server - 7
    assert _count(server, Activity, opportunity_id=d1.id) == n
    assert _count(a, Activity, opportunity_id=d1.id) == n
    assert sync.pending_count(a) == 0
    with server.read() as s:
        assert s.scalar(text("SELECT count(*) FROM applied_operation")) == n
        subjects = s.scalars(select(Activity.subject).where(Activity.opportunity_id == d1.id)).all()
    assert sorted(subjects) == sorted(f"c{i}" for i in range(n))
    a.dispose()


def test_cli_replica_create_and_sync(server, tmp_path, capsys):
    from app.cli import main

    mgr = people.create_user(server, "Lee Ji-eun", "manager")
    d1 = deals.create_deal(server, title="Alpha", owner_id=mgr.id)
    path = str(tmp_path / "r.sqlite")
    assert main(["replica", "create", "--server", server.url, "--db", path]) == 0
    r = open_database(path)
    outbox.run(r, "move_deal", deal_id=d1.id, target=2, actor_id=mgr.id, expected_version=1,
                   override_reason="ok")
    deals.update_deal(server, d1.id, expected_version=1, actor_id=mgr.id, title="moved on")
    r.dispose()
    assert main(["sync", "--db", path]) == 0
    out = capsys.readouterr().out
    assert "1 conflict(s)" in out and "version 2" in out
    r = open_database(path)
    (c,) = sync.conflicts(r)
    r.dispose()
    assert main(["sync", "--db", path, "--discard", c.op_id]) == 0
    assert main(["sync", "--db", path, "--conflicts"]) == 0
    assert "0 sync conflict(s)" in capsys.readouterr().out


def test_direct_service_calls_on_a_replica_go_to_the_outbox(server, tmp_path):
    """Fronts (GUI, CLI move) call the services directly: on a replica that is recorded too."""
    from app.services import activities, gates

    mgr, d1, _d2, _d3, a, _b = _setup(server, tmp_path)
    gates.move_deal(a, d1.id, 2, actor_id=mgr.id, expected_version=1, override_reason="ok")
    activities.log_activity(a, type="call", subject="direct", owner_id=mgr.id, deal_id=d1.id)
    deals.update_deal(a, d1.id, expected_version=2, actor_id=mgr.id, title="direct edit")
    assert sync.pending_count(a) == 3
    assert sync.sync(a, server).push.applied == 3
    assert _deal(server, d1.id).title == "direct edit" and _deal(server, d1.id).version == 3
    with server.read() as s, a.read() as r:
        ids = lambda sess: sorted(x.hex for x in sess.scalars(select(StageTransition.id)  # noqa: E731
                                                              .where(StageTransition.opportunity_id == d1.id)))
        assert ids(s) == ids(r)  # the same rows on both sides (deterministic ids)
    # a plain database is untouched by all this
    deals.update_deal(server, d1.id, expected_version=3, actor_id=mgr.id, title="online")
    assert _deal(server, d1.id).title == "online"


def test_a_sync_result_says_what_changed_here():
    nothing = sync.SyncResult(push=sync.PushResult(applied=2), pull=sync.PullResult())
    assert not nothing.changes  # sent, but nothing came back: no view reloads
    assert sync.SyncResult(push=sync.PushResult(), pull=sync.PullResult(rows=3)).changes == OpChanges.of("reloaded")
    assert sync.SyncResult(push=sync.PushResult(), pull=sync.PullResult(deleted=1)).changes.everything
    refused = sync.SyncResult(push=sync.PushResult(conflicts=["op"]), pull=sync.PullResult())
    assert refused.changes.everything  # the refused op's deal was re-fetched from the server


def test_gui_sync_menu_runs_off_the_gui_thread(server, tmp_path, qtbot):
    from PySide6.QtWidgets import QLabel

    from app.views.application import make_context
    from app.views.main_window import MainWindow
    from app.views.settings import Settings
    from app.views.sync_view import ConflictsDialog

    mgr, d1, _d2, _d3, a, _b = _setup(server, tmp_path)
    outbox.run(a, "move_deal", deal_id=d1.id, target=2, actor_id=mgr.id, expected_version=1,
                   override_reason="ok")
    deals.update_deal(server, d1.id, expected_version=1, actor_id=mgr.id, title="moved on")
    win = MainWindow(make_context(a, mgr.name, "manager", "en"), Settings.at(str(tmp_path / "s.ini")))
    qtbot.addWidget(win)
    ctl = win.sync_controller
    assert ctl is not None
    heard = []
    win.ctx.hub.pipeline_changed.connect(lambda changes, initiator: heard.append((changes, initiator)))
    with qtbot.waitSignal(ctl.finished, timeout=30_000) as blocker:
        assert ctl.sync_now() and ctl.running()
        assert not ctl.sync_now()  # one at a time (the sync on start, queued, is refused too)
    assert "1 conflict" in blocker.args[0]
    assert "1 conflict" in win.findChild(QLabel, "syncStatus").text()  # stays in the status bar
    # what the pull brought is announced once, by the runner; nobody on this screen made it
    assert heard == [(OpChanges.of("reloaded"), None)]
    assert ctl.sync_action.isEnabled() and not ctl.running()
    dlg = ConflictsDialog(a, win)
    qtbot.addWidget(dlg)
    assert dlg.table.rowCount() == 1 and "moved on" in dlg.table.item(0, 3).text()
    # both sides in words: what I did offline, what the server has now
    assert dlg.table.item(0, 0).text() == "Move"
    assert dlg.table.item(0, 2).text().splitlines() == ["to stage 2", "override reason: ok", "(made on version 1)"]
    assert "version 2" in dlg.table.item(0, 3).text()
    assert dlg.table.item(0, 1).text() == "The deal changed on the server after you made this change."
    assert dlg.table.item(0, 1).toolTip() == sync.conflicts(a)[0].error  # the server's own words
    dlg._resolve("discard")
    assert dlg.table.rowCount() == 0


def test_an_offline_undo_of_a_move_reaches_the_server(server, tmp_path):
    """Undo of a move on a replica is a named operation: it waits in the outbox and the
    server replays it (the deal back in its stage, the undo in its history), where before it
    stayed on the replica and the two disagreed for good; once the deal moved on the
    server meanwhile, the undo comes back as a conflict instead."""
    from app.services import gates

    mgr, d1, d2, _d3, a, _b = _setup(server, tmp_path)
    moved = outbox.run(a, "move_deal", deal_id=d1.id, target=2, actor_id=mgr.id, expected_version=1,
                       override_reason="ok")
    gates.undo_move(a, moved.transition_id, actor_id=mgr.id, expected_version=moved.version)
    assert sync.pending_count(a) == 2
    r = sync.sync(a, server)
    assert r.push.applied == 2 and not r.push.conflicts
    with server.read() as s:
        first = active_stages(s)[0].id
        kinds = s.scalars(select(StageTransition.kind).where(StageTransition.opportunity_id == d1.id)
                          .order_by(StageTransition.at)).all()
    assert _deal(server, d1.id).stage_id == first and _deal(a, d1.id).stage_id == first
    assert kinds == ["created", "forward", "backward"]
    # the same on a deal the server moved meanwhile: the undo is refused there, as a conflict
    moved = outbox.run(a, "move_deal", deal_id=d2.id, target=2, actor_id=mgr.id, expected_version=1,
                       override_reason="ok")
    sync.sync(a, server)
    gates.move_deal(server, d2.id, 3, actor_id=mgr.id, override_reason="on the server")
    gates.undo_move(a, moved.transition_id, actor_id=mgr.id, expected_version=moved.version)
    assert sync.sync(a, server).push.conflicts
    (c,) = sync.conflicts(a)
    assert c.name == "undo_move" and c.kind == "stale"
    assert _deal(server, d2.id).version == _deal(a, d2.id).version  # the replica shows the server's deal


def test_an_undo_in_conflict_holds_back_the_deal_and_can_be_retried(server, tmp_path):
    """An undo refused as stale (the server edited the deal meanwhile, the move is still its
    latest) blocks the deal's later offline changes like any conflict, and a retry runs it
    against the deal as it is now: the deal goes back on the server too."""
    from app.services import gates

    mgr, d1, _d2, _d3, a, _b = _setup(server, tmp_path)
    moved = outbox.run(a, "move_deal", deal_id=d1.id, target=2, actor_id=mgr.id, expected_version=1,
                       override_reason="ok")
    sync.sync(a, server)
    deals.update_deal(server, d1.id, expected_version=moved.version, actor_id=mgr.id, title="Alpha 2")
    gates.undo_move(a, moved.transition_id, actor_id=mgr.id, expected_version=moved.version)
    assert sync.sync(a, server).push.conflicts
    (undo,) = sync.conflicts(a)
    assert undo.name == "undo_move" and undo.kind == "stale"
    # a later offline change to the same deal waits behind the conflict
    outbox.run(a, "update_deal", deal_id=d1.id, expected_version=_deal(a, d1.id).version, actor_id=mgr.id,
               amount="999")
    r = sync.sync(a, server)
    assert r.push.applied == 0 and len(r.push.conflicts) == 1
    assert {c.kind for c in sync.conflicts(a)} == {"stale", "blocked"}
    assert _deal(server, d1.id).amount != 999
    (waiting,) = [c for c in sync.conflicts(a) if c.kind == "blocked"]
    sync.resolve(a, waiting.op_id, "retry")  # retried first: still behind the undo's conflict
    assert sync.sync(a, server).push.applied == 0
    assert _deal(a, d1.id).version == _deal(server, d1.id).version  # its local edit went again
    sync.resolve(a, undo.op_id, "retry")  # the waiting change does not hold back the undo's retry
    assert sync.sync(a, server).push.applied == 1
    with server.read() as s:
        first = active_stages(s)[0].id
    assert _deal(server, d1.id).stage_id == first and _deal(server, d1.id).title == "Alpha 2"
    (waiting,) = [c for c in sync.conflicts(a) if c.kind == "blocked"]
    sync.resolve(a, waiting.op_id, "retry")
    assert sync.sync(a, server).push.applied == 1 and sync.conflicts(a) == []
    assert _deal(server, d1.id).amount == 999


def test_a_value_the_server_refuses_reads_in_korean_in_the_conflicts_dialog(server, tmp_path, qtbot):
    """Offline, a new lead source "Webinar"; meanwhile the server got "WEBINAR" (the same
    name to the app): the push is refused with the server's own reason, which the Korean
    conflicts dialog shows in Korean (it was kept as English text)."""
    from PySide6.QtWidgets import QApplication

    from app.services import marketing
    from app.views.i18n import install_translators
    from app.views.sync_view import ConflictsDialog

    _mgr, _d1, _d2, _d3, a, _b = _setup(server, tmp_path)
    outbox.run(a, "create_lead_source", name="Webinar")
    marketing.create_lead_source(server, "WEBINAR")
    assert sync.sync(a, server).push.conflicts
    (c,) = sync.conflicts(a)
    assert c.kind == "refused" and c.error == "lead source 'Webinar' already exists"
    app = QApplication.instance()
    try:
        install_translators(app, "ko")
        dlg = ConflictsDialog(a, None)
        qtbot.addWidget(dlg)
        assert dlg.table.item(0, 1).text() == "리드 출처 'Webinar'이(가) 이미 있습니다."
        assert dlg.table.item(0, 0).text() == "새 리드 출처"
    finally:
        install_translators(app, "en")


def test_a_retry_that_fails_half_way_leaves_the_conflict_and_nothing_pending(server, tmp_path, monkeypatch):
    """The retried change and the old conflict's "retried" mark are one transaction: when
    the mark cannot be written, the retried change is not pending (nor applied here)
    either, so retrying again cannot send it twice."""
    mgr, d1, _d2, _d3, a, _b = _setup(server, tmp_path)
    outbox.run(a, "update_deal", deal_id=d1.id, expected_version=1, actor_id=mgr.id, title="offline")
    deals.update_deal(server, d1.id, expected_version=1, actor_id=mgr.id, title="server")
    assert sync.sync(a, server).push.conflicts
    (c,) = sync.conflicts(a)
    monkeypatch.setattr(sync, "_RETRIED_SQL", "UPDATE no_such_table SET x = 1")
    with pytest.raises(OperationalError):
        sync.resolve(a, c.op_id, "retry")
    assert sync.pending_count(a) == 0 and [x.op_id for x in sync.conflicts(a)] == [c.op_id]
    assert _deal(a, d1.id).title == "server"
    monkeypatch.undo()
    sync.resolve(a, c.op_id, "retry")
    assert sync.pending_count(a) == 1 and sync.conflicts(a) == []
    assert sync.sync(a, server).push.applied == 1 and _deal(server, d1.id).title == "offline"


def test_a_gate_conflict_reads_in_korean_with_the_templates_korean_names(server, tmp_path, qtbot, monkeypatch):
    """Offline, the deal's stage-2 gate was met and the deal moved to 3; meanwhile the server
    withdrew the budget check. The conflicts dialog in Korean gives the reason and the missing
    deliverable by the template's Korean name; a retry refused here too is a Korean warning."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.views.i18n import install_translators
    from app.views.sync_view import ConflictsDialog
    from tests.conftest import satisfy_stage

    mgr, d1, _d2, _d3, a, _b = _setup(server, tmp_path)
    outbox.run(a, "move_deal", deal_id=d1.id, target=2, actor_id=mgr.id, expected_version=1, override_reason="ok")
    sync.sync(a, server)
    satisfy_stage(server, d1.id, 2, mgr.id)
    sync.sync(a, server)
    with server.read() as s:
        budget = s.scalars(select(Evidence).where(Evidence.opportunity_id == d1.id)).first()
    version = _deal(a, d1.id).version
    outbox.run(a, "move_deal", deal_id=d1.id, target=3, actor_id=mgr.id, expected_version=version)
    evidence.withdraw_evidence(server, budget.id, actor_id=mgr.id)
    assert sync.sync(a, server).push.conflicts
    (c,) = sync.conflicts(a)
    with server.read() as s:
        st = active_stages(s)[1]
        dl = next(d for d in st.deliverables if d.id == budget.deliverable_id)
    assert c.kind == "gate" and c.missing == [f"stage 2: {dl.name_en}"]  # English as stored
    app = QApplication.instance()
    warned = []
    try:
        install_translators(app, "ko")
        dlg = ConflictsDialog(a, None)
        qtbot.addWidget(dlg)
        assert dlg.table.item(0, 1).text() == f"서버에서 단계 게이트 조건이 충족되지 않습니다. 누락:\n2단계: {dl.name_ko}"
        monkeypatch.setattr(QMessageBox, "warning", lambda _p, _title, text, *a_, **k: warned.append(text))
        dlg._resolve("retry")  # the replica now knows the check is withdrawn: refused here too
    finally:
        install_translators(app, "en")
    assert len(warned) == 1 and warned[0].startswith("단계 게이트를 통과하지 못했습니다")
    assert dl.name_ko in warned[0]


# ------------------------------------------------------------------ team logins (row-level security)

def _member_server(pg_url, login, password):
    """The team server as one member's own login, the way a replica of theirs connects."""
    from sqlalchemy.engine import make_url

    return sync.open_server(make_url(pg_url).set(username=login, password=password)
                            .render_as_string(hide_password=False))


@pytest.fixture
def team(pg_url):
    """Reps A and B and a manager, each with a login; A owns the deal "Handed" (with
    evidence, an activity and a close-date change) and the deal "Kept"."""
    team_service.init_server(pg_url)
    tag = uuid.uuid4().hex[:8]
    logins = {k: f"sync_{k}_{tag}" for k in ("a", "b", "m")}
    users = {k: team_service.add_member(pg_url, f"Member {k}", "manager" if k == "m" else "rep", logins[k], f"pw-{k}")
             for k in logins}
    admin = sync.open_server(pg_url)
    a = users["a"].id
    handed = deals.create_deal(admin, title="Handed", owner_id=a, amount="100")
    kept = deals.create_deal(admin, title="Kept", owner_id=a, amount="200")
    dlv = _stage1_check(admin)[0]
    evidence.record_evidence(admin, handed.id, dlv.id, actor_id=a, note="ok", link="https://example.com/x")
    activities.log_activity(admin, type="call", subject="call on Handed", owner_id=a, deal_id=handed.id)
    deals.change_close_date(admin, handed.id, "2027-03-01", expected_version=1, actor_id=a)
    servers = {k: _member_server(pg_url, logins[k], f"pw-{k}") for k in logins}
    yield {"admin": admin, "users": users, "servers": servers, "handed": handed.id, "kept": kept.id}
    for db in (admin, *servers.values()):
        db.dispose()


def _history(db, deal_id):
    return tuple(_count(db, m, opportunity_id=deal_id) for m in (StageTransition, Evidence, Activity))


def test_a_deal_handed_to_another_rep_leaves_the_replica_and_its_offline_edits_conflict(team, tmp_path):
    """A deal reassigned away from rep A gets no tombstone (it still exists), but A's pull
    removes it with its history; A's pending offline edits stay in the outbox and are then
    refused on push with the reason. B's replica gets the deal with its whole history."""
    admin, servers, users, handed = team["admin"], team["servers"], team["users"], team["handed"]
    a_id, b_id = users["a"].id, users["b"].id
    a = _replica(tmp_path / "a.sqlite", servers["a"])
    b = _replica(tmp_path / "b.sqlite", servers["b"])
    assert _deal(a, handed) is not None and _history(a, handed) == (1, 1, 1)
    assert _deal(b, handed) is None
    # offline on A: an edit and an activity on the deal about to be handed over
    version = _deal(a, handed).version
    outbox.run(a, "update_deal", deal_id=handed, expected_version=version, actor_id=a_id, title="A's edit")
    outbox.run(a, "log_activity", type="call", subject="offline call", owner_id=a_id, deal_id=handed)
    # the manager hands the deal to B on the server
    deals.update_deal(admin, handed, expected_version=version, actor_id=users["m"].id, owner_id=b_id)

    r = sync.pull(a, servers["a"])  # a pull alone: the deal goes, the outbox stays
    assert r.deleted >= 1
    assert _deal(a, handed) is None and _history(a, handed) == (0, 0, 0)
    assert _count(a, Opportunity, title="Kept") == 1
    assert sync.pending_count(a) == 2

    r = sync.sync(a, servers["a"])
    assert r.push.applied == 0 and len(r.push.conflicts) == 2
    cs = sync.conflicts(a)
    assert {c.name for c in cs} == {"update_deal", "log_activity"}
    assert all(c.kind == "revoked" and "no longer yours" in c.error and c.server is None for c in cs)
    assert _deal(admin, handed).title == "Handed" and _count(admin, Activity, opportunity_id=handed) == 1
    assert _deal(a, handed) is None
    assert sync.pull(a, servers["a"]).rows == 0  # nothing new: nothing comes, nothing goes

    # B's replica: the deal and its history (which did not change, yet is new to B)
    sync.sync(b, servers["b"])
    assert _deal(b, handed).owner_id == b_id
    assert _history(b, handed) == _history(admin, handed) == (1, 1, 1)
    assert _count(b, StageTransition, opportunity_id=handed) == 1

    # a new replica of A after the hand-over: A's own activity on B's deal stays on the server
    fresh = _replica(tmp_path / "a2.sqlite", servers["a"])
    assert _deal(fresh, handed) is None and _count(fresh, Opportunity, title="Kept") == 1

    # handed back: A's replica gets it again, with its history
    deals.update_deal(admin, handed, expected_version=_deal(admin, handed).version, actor_id=users["m"].id,
                      owner_id=a_id)
    sync.pull(a, servers["a"])
    sync.pull(b, servers["b"])
    assert _deal(a, handed).owner_id == a_id and _history(a, handed) == (1, 1, 1)
    assert _deal(b, handed) is None and _history(b, handed) == (0, 0, 0)
    for c in sync.conflicts(a):
        sync.resolve(a, c.op_id, "discard")
    for db in (a, b, fresh):
        db.dispose()


@pytest.mark.parametrize("pull_first", [False, True], ids=["sync", "pull-then-sync"])
def test_every_offline_change_to_a_deal_handed_away_is_no_longer_yours(team, tmp_path, pull_first, qtbot):
    """Withdrawn evidence and a completed activity (A's own, which the server still shows A)
    on a deal handed to B come back like an edit does: "no longer yours", not applied, the
    deal gone from A's replica; whether the pull removed the deal before the push or not."""
    admin, servers, users, handed = team["admin"], team["servers"], team["users"], team["handed"]
    a_id = users["a"].id
    a = _replica(tmp_path / "a.sqlite", servers["a"])
    with a.read() as s:
        ev = s.scalar(select(Evidence.id).where(Evidence.opportunity_id == handed))
        act = s.scalar(select(Activity.id).where(Activity.opportunity_id == handed))
    outbox.run(a, "withdraw_evidence", evidence_id=ev, actor_id=a_id)
    outbox.run(a, "complete_activity", activity_id=act)
    outbox.run(a, "record_evidence", deal_id=handed, deliverable_id=_stage1_check(a)[1].id, actor_id=a_id,
               note="offline", link="https://example.com/y")
    deals.update_deal(admin, handed, expected_version=_deal(admin, handed).version, actor_id=users["m"].id,
                      owner_id=users["b"].id)
    if pull_first:
        sync.pull(a, servers["a"])
        assert _deal(a, handed) is None and _count(a, Evidence, id=ev) == 0
    r = sync.sync(a, servers["a"])
    assert r.push.applied == 0 and len(r.push.conflicts) == 3
    cs = sync.conflicts(a)
    assert {c.name for c in cs} == {"withdraw_evidence", "complete_activity", "record_evidence"}
    for c in cs:
        assert (c.kind, c.error, c.server) == ("revoked", sync.NOT_YOURS, None), c
    with admin.read() as s:  # nothing of it reached the server
        assert s.get(Evidence, ev).withdrawn_at is None and s.get(Activity, act).done_at is None
        assert s.scalar(select(func.count()).select_from(Evidence).where(Evidence.opportunity_id == handed)) == 1
    assert _deal(a, handed) is None and _count(a, Activity, id=act) == 0
    assert _deal(a, team["kept"]) is not None
    from app.views.sync_view import ConflictsDialog  # the rep reads the same reason for each

    dlg = ConflictsDialog(a)
    qtbot.addWidget(dlg)
    rows = {dlg.table.item(r, 0).text(): dlg.table.item(r, 1).text() for r in range(dlg.table.rowCount())}
    assert set(rows) == {"Evidence withdrawn", "Activity done", "Evidence"}
    assert set(rows.values()) == {"The deal is no longer yours (the server gave it to someone else); "
                                  "this change was not applied."}
    a.dispose()


def test_a_deleted_deal_leaves_its_owners_replica_and_nobody_elses_tombstones_show_it(team, tmp_path):
    """The tombstone of a deal (and of what hung off it) is its owner's: A's pull removes the
    deal with its history, A's offline edit is refused as "deleted"; B never sees the id."""
    admin, servers, users, kept = team["admin"], team["servers"], team["users"], team["kept"]
    a = _replica(tmp_path / "a.sqlite", servers["a"])
    outbox.run(a, "update_deal", deal_id=kept, expected_version=1, actor_id=users["a"].id, title="edit")
    with admin.write() as s:
        s.execute(text("DELETE FROM opportunity WHERE id = :d"), {"d": kept})
    tomb = "SELECT row_id FROM tombstone WHERE table_name = 'opportunity'"
    with servers["b"].read() as s:
        assert kept not in set(s.scalars(text(tomb)))
    with servers["m"].read() as s:
        assert kept in set(s.scalars(text(tomb)))
    assert sync.pull(a, servers["a"]).deleted >= 1
    assert _deal(a, kept) is None and _count(a, StageTransition, opportunity_id=kept) == 0
    assert sync.sync(a, servers["a"]).push.conflicts
    (c,) = sync.conflicts(a)
    assert c.kind == "deleted" and "deleted on the server" in c.error
    a.dispose()


def test_a_replica_never_stores_the_servers_password(server, tmp_path):
    from sqlalchemy.engine import make_url

    with_password = make_url(server.url).set(password="s3cret-pw").render_as_string(hide_password=False)
    path = tmp_path / "r.sqlite"
    sync.create_replica(str(path), server, with_password)
    assert b"s3cret-pw" not in path.read_bytes() + (path.with_name("r.sqlite-wal").read_bytes()
                                                    if path.with_name("r.sqlite-wal").exists() else b"")
    r = open_database(str(path))
    try:
        stored = make_url(sync.state(r).server_url)
        assert stored.password is None and stored.username == make_url(server.url).username
    finally:
        r.dispose()


def test_an_older_replica_forgets_its_stored_password_at_the_next_sync(server, tmp_path):
    from sqlalchemy.engine import make_url

    path = tmp_path / "r.sqlite"
    sync.create_replica(str(path), server)
    r = open_database(str(path))
    try:
        with r.write() as s:  # as a replica made before the fix stored it
            leaked = make_url(server.url).set(password="old-pw").render_as_string(hide_password=False)
            s.execute(text("UPDATE replica_state SET server_url = :u"), {"u": leaked})
        sync.sync(r, server)
        assert make_url(sync.state(r).server_url).password is None
    finally:
        r.dispose()
