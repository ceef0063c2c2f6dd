"""Board benchmark: a 100 000-deal database against an empty one, in one run.

Prints, for each database, the time from opening it to the first paint of every stage
column of the main window, and the time of a drag-and-drop move (the model's
``dropMimeData`` path: gate check, move, card reload, header totals), then the ratios
big / empty. Figures are ratios against the empty run of the same process, so they mean
the same on any machine.

    python benchmarks/bench_board.py [--deals 100000] [--keep /tmp/bench-100k.sqlite]

``--keep`` reuses (or creates and keeps) the big database file; generating 100 000
deals with the demo generator takes a couple of minutes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject, Qt, QThreadPool  # noqa: E402
from PySide6.QtWidgets import QApplication, QInputDialog  # noqa: E402

from app.db import open_database  # noqa: E402
from app.services import activities, deals, people  # noqa: E402
from app.services.board import deal_counts  # noqa: E402
from app.views.context import AppContext  # noqa: E402
from app.views.main_window import MainWindow  # noqa: E402
from app.views.operations import wait_for_ops  # noqa: E402
from app.views.settings import Settings, set_current  # noqa: E402

BENCH_USER = "Bench Manager"


class PaintWatch(QObject):
    """Notes which watched widgets have received a Paint event."""

    def __init__(self, widgets):
        super().__init__()
        self.pending = set(widgets)
        for w in widgets:
            w.installEventFilter(self)

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            self.pending.discard(obj)
        return False


def settle(app: QApplication) -> None:
    """Let queued events and worker threads finish, so they do not overlap the next timing."""
    for _ in range(3):
        app.processEvents()
        QThreadPool.globalInstance().waitForDone(60_000)
    app.processEvents()


def build_big(path: Path, n: int) -> None:
    from app.services.demo import generate

    db = open_database(path)
    try:
        if sum(deal_counts(db).values()) == 0:
            t0 = time.perf_counter()
            stats = generate(db, deals=n, seed=1)
            print(f"generated {stats.deals} deals, {stats.transitions} transitions, {stats.activities} "
                  f"activities in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    finally:
        db.dispose()


def movable_deal(db, user_id):
    """A fresh stage-1 deal whose gate is satisfied, so the move is allowed."""
    src = people.create_lead_source(db, f"Bench source {time.time_ns()}")
    acc = people.create_account(db, "Bench account")
    con = people.create_contact(db, "Bench contact", acc.id)
    deal = deals.create_deal(db, title="!Bench deal", owner_id=user_id, account_id=acc.id,
                             contact_id=con.id, lead_source_id=src.id, amount="1000000",
                             expected_close="2000-01-01")  # sorts first in its column
    activities.log_activity(db, type="call", subject="bench", owner_id=user_id, deal_id=deal.id,
                            done_at=deal.created_at)
    return deal


def measure(app: QApplication, path: Path, settings: Settings, moves: int) -> tuple[float, float, float]:
    """(seconds to open the database, seconds from window creation to the painted board,
    median seconds per drag-and-drop move)."""
    t0 = time.perf_counter()
    db = open_database(path)
    t_open = time.perf_counter() - t0
    try:
        user = people.find_user(db, BENCH_USER)
    except Exception:
        user = people.create_user(db, BENCH_USER, "manager")
    deal = movable_deal(db, user.id)
    ctx = AppContext(db=db, user_id=user.id, user_name=user.name, role=user.role, lang="en")

    t1 = time.perf_counter()
    win = MainWindow(ctx, settings)
    win.resize(2400, 1000)  # wide enough that all seven columns are in sight
    watch = PaintWatch([v.viewport() for v in win.board.views])
    win.show()
    deadline = time.perf_counter() + 30
    while watch.pending and time.perf_counter() < deadline:
        app.processEvents()
    t_paint = time.perf_counter() - t1
    if watch.pending:
        print(f"warning: {len(watch.pending)} columns never painted", file=sys.stderr)

    settle(app)  # background work the window started (risk thresholds, Won/Lost, dashboard)
    board = win.board
    times = []
    for _ in range(moves):
        for src_col, dst_col in ((1, 2), (2, 1)):  # forward through the gate, then back with a reason
            model = board.models[src_col - 1]
            row = model.row_of(deal.id)
            data = model.mimeData([model.index(row)])
            done = []

            def on_done(moved, done=done):
                done.append(moved)

            board.drop_finished.connect(on_done)
            t = time.perf_counter()
            board.models[dst_col - 1].dropMimeData(data, Qt.DropAction.MoveAction, -1, 0,
                                                   board.models[dst_col - 1].index(-1))
            while not done:  # the move starts after the drop returns: time it to its end
                app.processEvents()
            times.append(time.perf_counter() - t)
            board.drop_finished.disconnect(on_done)
            assert done == [True], "bench move refused"
            settle(app)  # views refreshing after the move, not part of the move itself
    win.close()
    win.deleteLater()
    app.processEvents()
    db.dispose()
    return t_open, t_paint, statistics.median(times)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--deals", type=int, default=100_000)
    p.add_argument("--keep", type=Path, help="big database file to reuse or create and keep")
    p.add_argument("--moves", type=int, default=5, help="round trips (forward + back) per database")
    args = p.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-board-"))
    big = args.keep or tmp / "big.sqlite"
    empty = tmp / "empty.sqlite"
    build_big(big, args.deals)
    open_database(empty).dispose()

    app = QApplication.instance() or QApplication(sys.argv)
    settings = Settings.at(str(tmp / "settings.ini"))
    set_current(settings)
    QInputDialog.getText = staticmethod(lambda *a, **k: ("benchmark round trip", True))  # backward reason

    # warm-up (imports, fonts, first Qt paint) on the empty database, not counted
    measure(app, empty, settings, 1)
    e_open, e_paint, e_move = measure(app, empty, settings, args.moves)
    b_open, b_paint, b_move = measure(app, big, settings, args.moves)

    print(f"{'':28}{'empty':>12}{f'{args.deals} deals':>16}{'ratio':>10}")
    print(f"{'open database (s)':28}{e_open:12.3f}{b_open:16.3f}{b_open / e_open:10.1f}")
    print(f"{'window to painted board (s)':28}{e_paint:12.3f}{b_paint:16.3f}{b_paint / e_paint:10.1f}")
    print(f"{'drag-and-drop move (s)':28}{e_move:12.4f}{b_move:16.4f}{b_move / e_move:10.1f}")
    wait_for_ops(60_000, cancel=True)  # as the app does before it exits
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
