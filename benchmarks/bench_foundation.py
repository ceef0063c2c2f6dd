"""Foundation benchmark: demo generation rate, and one gated move on a big database
compared with the same move on a small one (the move must not grow with the data).

    python benchmarks/bench_foundation.py [--deals 100000] [--moves 15] [--seed 1]

Figures are printed as ratios against the small baseline run in the same process, so they
compare across machines.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from app.db import open_database  # noqa: E402
from app.models import Contact, LeadSource, Role, User  # noqa: E402
from app.services import activities, deals, gates  # noqa: E402
from app.services.demo import generate  # noqa: E402

END = date(2026, 6, 30)
BASELINE = 100


def build(path: Path, n: int, seed: int) -> tuple[object, float]:
    db = open_database(path)
    t0 = time.perf_counter()
    generate(db, deals=n, seed=seed, end=END)
    return db, time.perf_counter() - t0


def prepare_moves(db, moves: int) -> tuple[list, object]:
    """``moves`` fresh deals with stage 1 satisfied (the same on every database)."""
    with db.read() as s:
        rep = s.scalar(select(User).where(User.role == Role.REP.value).order_by(User.name))
        contact = s.scalar(select(Contact).order_by(Contact.name))
        source = s.scalar(select(LeadSource).order_by(LeadSource.name))
    at = datetime(2026, 6, 29, 10, 0, tzinfo=UTC)
    ids = []
    for i in range(moves):
        d = deals.create_deal(db, title=f"bench {i}", owner_id=rep.id, contact_id=contact.id,
                              lead_source_id=source.id, amount=Decimal(100_000_000),
                              expected_close=date(2026, 9, 30), at=at)
        activities.log_activity(db, type="call", subject="intro", owner_id=rep.id, deal_id=d.id,
                                done_at=at, at=at)
        ids.append(d.id)
    return ids, rep.id


def time_move(db, deal_id, actor_id) -> float:
    t0 = time.perf_counter()
    gates.move_deal(db, deal_id, 2, actor_id=actor_id, expected_version=1)
    return time.perf_counter() - t0


def time_moves(small, big, moves: int) -> tuple[list[float], list[float]]:
    """The gated move 1 -> 2, alternating between the databases so that load on the
    machine hits both alike; the first two moves on each warm up and are not counted."""
    warm = 2
    s_ids, s_actor = prepare_moves(small, moves + warm)
    b_ids, b_actor = prepare_moves(big, moves + warm)
    t_small, t_big = [], []
    for i in range(moves + warm):
        ts, tb = time_move(small, s_ids[i], s_actor), time_move(big, b_ids[i], b_actor)
        if i >= warm:
            t_small.append(ts)
            t_big.append(tb)
    return t_small, t_big


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--deals", type=int, default=100_000)
    p.add_argument("--moves", type=int, default=15)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        small, t_small = build(Path(tmp) / "small.sqlite", BASELINE, args.seed)
        print(f"baseline: {BASELINE} deals generated in {t_small:.2f} s ({BASELINE / t_small:,.0f} deals/s)")
        big, t_big = build(Path(tmp) / "big.sqlite", args.deals, args.seed)
        size = (Path(tmp) / "big.sqlite").stat().st_size / 1e6
        print(f"big:      {args.deals:,} deals generated in {t_big:.1f} s ({args.deals / t_big:,.0f} deals/s, "
              f"{size:.0f} MB); rate ratio big/baseline = {(args.deals / t_big) / (BASELINE / t_small):.2f}")
        t_small, t_big = time_moves(small, big, args.moves)
        m_small, m_big = statistics.median(t_small), statistics.median(t_big)
        print(f"gated move 1->2, median of {args.moves}: baseline {m_small * 1000:.2f} ms, "
              f"big {m_big * 1000:.2f} ms; ratio big/baseline = {m_big / m_small:.2f}")
        small.dispose()
        big.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
