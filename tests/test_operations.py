"""The views' one runner (app/views/operations.py): a change announced once, errors in one
place, background work answered on the GUI thread, and no other way to do either."""

from __future__ import annotations

import ast
import threading
from pathlib import Path

import pytest
from conftest import T0
from PySide6.QtWidgets import QWidget

from app.errors import ValidationError
from app.services import deals, people
from app.services.unit_of_work import OpChanges
from app.views.context import AppContext
from app.views.operations import Cancelled, CollectionOp, QueryOp, running_ops

VIEWS = Path(__file__).resolve().parents[1] / "app" / "views"


@pytest.fixture
def ctx(db, rep):
    return AppContext(db=db, user_id=rep.id, user_name=rep.name, role=rep.role)


def test_a_change_is_announced_once_with_what_the_services_wrote(qtbot, ctx, rep, heard, warnings):
    deal = deals.create_deal(ctx.db, title="Press line", owner_id=rep.id, at=T0)
    me = object()
    got = []

    def work(uow):
        acc = people.create_account(uow, "Hanil Steel")
        return deals.update_deal(uow, deal.id, expected_version=deal.version, actor_id=rep.id, account_id=acc.id)

    op = CollectionOp(ctx, work, initiator=me).success(got.append)
    assert op.run() is True
    assert got[0].account_id is not None
    assert heard == [(OpChanges.of("people", "edited", deals=[deal.id]), me)]
    assert warnings == []


def test_a_refused_change_shows_one_message_and_announces_nothing(qtbot, ctx, rep, heard, warnings):
    deal = deals.create_deal(ctx.db, title="Press line", owner_id=rep.id, at=T0)
    op = CollectionOp(ctx, lambda uow: deals.update_deal(uow, deal.id, expected_version=deal.version,
                                                         actor_id=rep.id, title="  "))
    assert op.run() is False
    assert isinstance(op.error, ValidationError)
    assert len(warnings) == 1 and "title" in warnings[0][1]
    assert heard == []


def test_a_failure_handler_that_shows_the_error_itself_silences_the_runner(qtbot, ctx, rep, heard, warnings):
    deal = deals.create_deal(ctx.db, title="Press line", owner_id=rep.id, at=T0)
    inline = []
    CollectionOp(ctx, lambda uow: deals.update_deal(uow, deal.id, expected_version=deal.version,
                                                    actor_id=rep.id, amount="lots")) \
        .failure(lambda exc: inline.append(exc.errors) or True).run()
    assert "amount" in inline[0] and warnings == [] and heard == []


def test_a_conflict_says_nothing_was_overwritten_and_reloads_the_deal(qtbot, ctx, rep, heard, warnings):
    deal = deals.create_deal(ctx.db, title="Press line", owner_id=rep.id, at=T0)
    deals.update_deal(ctx.db, deal.id, expected_version=deal.version, actor_id=rep.id, title="Renamed")
    CollectionOp(ctx, lambda uow: deals.update_deal(uow, deal.id, expected_version=deal.version,
                                                    actor_id=rep.id, title="Mine"), deals=[deal.id]).run()
    assert warnings[0][0] == "Changed by someone else" and "Nothing was overwritten" in warnings[0][1]
    assert heard == [(OpChanges.of("reloaded", deals=[deal.id]), None)]
    assert deals.get_deal(ctx.db, deal.id).title == "Renamed"


def test_an_unexpected_error_is_one_line_not_a_traceback(qtbot, ctx, heard, warnings, caplog):
    def broken(uow):
        raise ZeroDivisionError("division by zero")

    CollectionOp(ctx, broken).run()
    assert len(warnings) == 1
    assert "ZeroDivisionError: division by zero" in warnings[0][1] and "Traceback" not in warnings[0][1]
    assert "Traceback" in caplog.text or any(r.exc_info for r in caplog.records)
    assert heard == []


def test_background_work_answers_on_the_gui_thread(qtbot, ctx, rep, heard, warnings):
    gui = threading.get_ident()
    ran_on, answered_on, progress = [], [], []

    def work(uow):
        ran_on.append(threading.get_ident())
        return deals.create_deal(uow, title="From a worker", owner_id=rep.id, at=T0)

    op = CollectionOp(ctx, work).success(lambda deal: answered_on.append(threading.get_ident()))
    op.run_in_background()
    qtbot.waitUntil(lambda: op.finished, timeout=5000)
    assert ran_on[0] != gui and answered_on == [gui]
    assert heard[0][0].kinds == {"created"} and running_ops() == 0

    def long_job(task):
        for i in range(3):
            task.progress(i + 1, 3)
        return "done"

    q = QueryOp(ctx, long_job).progress(lambda d, t: progress.append((d, t)))
    q.run_in_background()
    qtbot.waitUntil(lambda: q.finished, timeout=5000)
    assert q.value == "done" and progress == [(1, 3), (2, 3), (3, 3)]
    assert len(heard) == 1  # a read announces nothing


def test_a_cancelled_job_is_neither_an_error_nor_a_change(qtbot, ctx, heard, warnings):
    started = threading.Event()

    def job(task):
        started.set()
        task.stop.wait(5)
        task.check()
        return "finished anyway"

    q = QueryOp(ctx, job)
    q.run_in_background()
    started.wait(5)
    q.cancel()
    qtbot.waitUntil(lambda: q.finished, timeout=5000)
    assert q.ok is False and isinstance(q.error, Cancelled)
    assert warnings == [] and heard == []


def test_a_widget_closed_before_the_answer_gets_no_callback_but_the_change_is_announced(qtbot, ctx, rep, heard):
    gate = threading.Event()
    w = QWidget()
    called = []

    def work(uow):
        gate.wait(5)
        return deals.create_deal(uow, title="Late", owner_id=rep.id, at=T0)

    op = CollectionOp(ctx, work, parent=w).success(called.append)
    op.run_in_background()
    w.deleteLater()
    qtbot.waitUntil(lambda: not __import__("shiboken6").isValid(w), timeout=5000)
    gate.set()
    qtbot.waitUntil(lambda: op.finished, timeout=5000)
    assert called == [] and heard[0][0].kinds == {"created"}


def _calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Attribute):
                out.append(f.attr)
            elif isinstance(f, ast.Name):
                out.append(f.id)
    return out


def test_only_the_runner_starts_threads():
    """The four hand-made background patterns (QRunnable, QThread, a private pool) are gone."""
    offenders = []
    for path in sorted(VIEWS.glob("*.py")):
        if path.name == "operations.py":
            continue
        text = path.read_text(encoding="utf-8")
        for word in ("QRunnable", "QThread", "QThreadPool", "threading.Thread", "moveToThread"):
            if word in text:
                offenders.append(f"{path.name}: {word}")
    assert offenders == []


def test_only_the_runner_announces_changes():
    offenders = [p.name for p in sorted(VIEWS.glob("*.py"))
                 if p.name not in ("operations.py", "context.py", "main_window.py", "sync_view.py")
                 and "changed" in _calls(p)
                 and "ctx.changed(" in p.read_text(encoding="utf-8")]
    assert offenders == []


MUTATING = {"create_deal", "update_deal", "change_close_date", "move_deal", "undo_move", "log_activity",
            "complete_activity", "record_evidence", "withdraw_evidence", "create_account", "create_contact",
            "create_lead_source", "update_lead_source", "delete_lead_source", "create_campaign",
            "update_campaign", "delete_campaign", "create_spend", "update_spend", "delete_spend",
            "create_target", "update_target", "delete_target", "create_user"}


def test_views_change_data_only_inside_an_operation():
    """A mutating service called from a view gets the op's unit of work, never the database:
    so every change is one transaction, shown and announced by the runner."""
    offenders = []
    for path in sorted(VIEWS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in MUTATING and node.args):
                continue
            first = ast.unparse(node.args[0])
            if first.endswith("db"):  # ctx.db, self.ctx.db, db: straight to the database
                offenders.append(f"{path.name}:{node.lineno} {node.func.attr}({first}, …)")
    assert offenders == []


def test_before_exit_every_job_is_asked_to_stop_and_waited_for(qtbot, ctx, heard, warnings):
    """What run_gui does after the event loop ends: no job may still be running Python
    while the interpreter shuts down (Qt then reports an exception from a worker thread)."""
    from app.views.operations import wait_for_ops

    started = threading.Event()

    def job(task):
        started.set()
        task.stop.wait(30)
        task.check()

    q = QueryOp(ctx, job).run_in_background()
    assert started.wait(5)
    assert wait_for_ops(10_000, cancel=True) is True
    assert running_ops() == 0 and isinstance(q.error, Cancelled) and warnings == [] and heard == []
