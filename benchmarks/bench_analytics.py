"""Analytics on a large demo company: the time of each analytic and of a full dashboard
refresh, each as a ratio to one full read of the stage_transition table (SELECT every
column, fetch all) measured in the same run.

    python benchmarks/bench_analytics.py [--deals 100000] [--seed 1] [--db FILE] [--repeat 3]

With --db pointing at an existing file the data is reused (generated once if the file does
not exist yet). Times are the best of --repeat runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select

from app.db import open_database
from app.models import Opportunity, StageTransition
from app.services import analytics, demo
from app.services.analytics import Filters

END = date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 18, tzinfo=UTC)


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def full_read(db) -> int:
    with db.engine.connect() as conn:
        return len(conn.exec_driver_sql("SELECT * FROM stage_transition").fetchall())


def dashboard_refresh(db, f: Filters, k: float = 1.5) -> None:
    """What the dashboard tab computes for one refresh (app.views.dashboard.compute)."""
    prev = analytics.previous_period(f)
    analytics.kpis(db, f)
    analytics.kpis(db, prev)
    analytics.marketing(db, f)
    analytics.marketing(db, prev)
    analytics.dwell_by_stage(db, f)
    thresholds = analytics.stage_risk_thresholds(db, k)
    analytics.funnel(db, f)
    analytics.forecast(db, f)
    analytics.slippage(db, f)
    analytics.at_risk_deals(db, f, k, thresholds)  # the board's card marks


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deals", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--db", type=Path, help="database file to (re)use")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    path = args.db or Path(tempfile.mkdtemp()) / "bench.sqlite"
    fresh = not path.exists()
    db = open_database(path)
    try:
        if fresh:
            t0 = time.perf_counter()
            demo.generate(db, deals=args.deals, seed=args.seed, end=END)
            print(f"generated {args.deals} deals in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        with db.read() as s:
            n_deals = s.scalar(select(func.count()).select_from(Opportunity))
            n_tr = s.scalar(select(func.count()).select_from(StageTransition))
        print(f"{n_deals} deals, {n_tr} transitions ({path})")

        quarter = Filters(date(2026, 4, 1), date(2026, 6, 30), now=NOW)
        year = Filters(date(2025, 7, 1), date(2026, 6, 30), now=NOW)
        base = best(lambda: full_read(db), args.repeat)
        print(f"baseline: full read of stage_transition {base:.3f} s = 1.00")
        print(f"{'analytic':<34} {'quarter':>9} {'ratio':>6} {'year':>9} {'ratio':>6}")
        cases: list[tuple[str, Callable[[Filters], object]]] = [
            ("kpis", lambda f: analytics.kpis(db, f)),
            ("dwell_by_stage", lambda f: analytics.dwell_by_stage(db, f)),
            ("stage_risk_thresholds", lambda f: analytics.stage_risk_thresholds(db)),
            ("at_risk_deals", lambda f: analytics.at_risk_deals(db, f)),
            ("cycle_length", lambda f: analytics.cycle_length(db, f)),
            ("slippage", lambda f: analytics.slippage(db, f)),
            ("funnel", lambda f: analytics.funnel(db, f)),
            ("forecast", lambda f: analytics.forecast(db, f)),
            ("marketing", lambda f: analytics.marketing(db, f)),
            ("targets_attainment", lambda f: analytics.targets_attainment(db, f)),
            ("deals_for dwell (2, lost)", lambda f: analytics.deals_for(db, f, chart="dwell", key=(2, "lost"))),
            ("dashboard refresh (all of them)", lambda f: dashboard_refresh(db, f)),
            ("kpi_report (CLI --json)", lambda f: analytics.kpi_report(db, f)),
        ]
        for name, fn in cases:
            tq = best(lambda fn=fn: fn(quarter), args.repeat)
            ty = best(lambda fn=fn: fn(year), args.repeat)
            print(f"{name:<34} {tq:>8.3f}s {tq / base:>6.2f} {ty:>8.3f}s {ty / base:>6.2f}")
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
