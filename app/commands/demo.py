from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from app.db import open_database

HELP = "fill a database with a believable B2B sample company (18 months of deals)"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (use YYYY-MM-DD)") from exc


def configure(p) -> None:
    p.add_argument("--deals", type=int, default=600, metavar="N", help="number of deals (default 600)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (same seed, same data)")
    p.add_argument("--end", type=_day, metavar="YYYY-MM-DD",
                   help="last day of the 18 months (default today); same seed and end, same data")


def run(args) -> int:
    from app.errors import AppError
    from app.services.demo import generate

    if args.deals < 1:
        raise AppError("--deals must be at least 1")
    progress = None
    if sys.stderr.isatty():
        def progress(done: int, total: int) -> None:
            print(f"\rgenerating deals: {done:,}/{total:,}", end="", file=sys.stderr, flush=True)
    db = open_database(args.db)
    try:
        t0 = time.perf_counter()
        stats = generate(db, deals=args.deals, seed=args.seed, end=args.end, progress=progress)
        dt = time.perf_counter() - t0
    finally:
        db.dispose()
        if progress is not None:
            print(file=sys.stderr)
    print(f"generated {stats.deals} deals, {stats.transitions} stage moves, {stats.activities} activities "
          f"in {dt:.1f} s", file=sys.stderr)
    return 0
