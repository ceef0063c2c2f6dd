from __future__ import annotations

import sys
import time

from app.db import open_database

HELP = "fill a database with a believable B2B sample company (18 months of deals)"


def configure(p) -> None:
    p.add_argument("--deals", type=int, default=600, metavar="N", help="number of deals (default 600)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (same seed, same data)")


def run(args) -> int:
    from app.errors import AppError
    from app.services.demo import generate

    if args.deals < 1:
        raise AppError("--deals must be at least 1")
    db = open_database(args.db)
    try:
        t0 = time.perf_counter()
        stats = generate(db, deals=args.deals, seed=args.seed)
        dt = time.perf_counter() - t0
    finally:
        db.dispose()
    print(f"generated {stats.deals} deals, {stats.transitions} stage moves, {stats.activities} activities "
          f"in {dt:.1f} s", file=sys.stderr)
    return 0
