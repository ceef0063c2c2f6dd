"""Import of N generated deals (a generic CSV written here) as a ratio to parsing the same
CSV with the csv module in the same run.

    python benchmarks/bench_import.py [--rows 100000] [--seed 1] [--profile]

Prints the baseline and each phase (dry run, first import, re-import of the same file) as
seconds and as a multiple of the baseline, wall and CPU time (CPU time says more on a busy
machine), plus the process's peak resident memory after the import (ru_maxrss).

Measured 2026-12-02, 100 000 rows (11.8 MB), SQLite, a quiet 2-core VM, baseline 0.08 s
(two runs each):

    before:  dry run 7.3 s (86x), import 20.2 s (238x), re-import 14.0 s (166x), 496 MB
    after:   dry run 1.6-1.7 s (19-21x), import 5.6-5.7 s (68x), re-import 5.1-5.2 s (61-62x), 400 MB

Where the import's ~5.6 s go now (100 000 deals, 150 000 visits, 100 000 close-date
changes): reading the file 0.2 s, checking the rows 0.8 s, planning the rows ~1.2 s, and
SQLite ~3.3 s: the executemany of the 350 000 rows into tables keyed by random UUID text
with their foreign keys checked ~2.0 s (0.7 s of it SQLite's own work, the rest the driver
binding 4.5 million values), building the 12 secondary indexes after the rows are in ~0.8 s,
the commit ~0.5 s. SQLite's part alone is ~27x the csv.reader baseline: 10x is out of reach
with this schema.

The "floor" line measures the rows the import wrote, copied by SQLite alone (INSERT … SELECT
from the imported file into a fresh database of the same schema) the way the importer writes
a big import: one transaction, the importer's page cache, the bulk tables' secondary indexes
dropped first and rebuilt before the commit, foreign keys checked. Measured: 2.2 s (27x; rows
0.7 s, indexes 0.8 s, commit 0.5-0.7 s); the import is 2.5x the floor, the rest being Python's
row checks and planning and the driver's binding. The "bare rows" line (no foreign keys, no
secondary index, which no real import can do) is 0.4 s (5x). An earlier version of this floor
ran with SQLite's default 2 MB page cache and no index rebuild and so measured 5.7 s, which
made the import look as fast as SQLite alone; it is not.

Tried and not kept (2026-12-02, same machine): writing with SQLite's foreign keys off and
checking them all once before the commit (PRAGMA foreign_key_check) makes the floor's rows
0.2 s instead of 0.9 s, but in the import it saves 0.45 s of executemany (2.27 -> 1.82 s under
cProfile) and the check costs 0.46 s: no gain, since the importer's executemany is mostly the
driver binding values. PRAGMA threads and temp_store = MEMORY do not speed up the index
rebuild (0.9 s, the widest, ix_transition_dwell, 0.27 s of it).
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.db import open_database  # noqa: E402
from app.services.importer import import_file  # noqa: E402

HEADER = ["source_id", "title", "account", "owner", "amount", "currency", "expected_close", "created",
          "closed", "stage", "status", "lead_source", "loss_reason"]


def write_csv(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    t0 = datetime(2024, 1, 1, 9, 0)
    owners = [f"Rep {i:02}" for i in range(40)]
    accounts = [f"Account {i:04}" for i in range(2000)]
    sources = ["Web", "Partner", "Trade show", "Referral", "Cold call"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(rows):
            created = t0 + timedelta(minutes=rng.randrange(0, 700 * 24 * 60))
            r = rng.random()
            status = "won" if r < 0.25 else "lost" if r < 0.5 else "open"
            stage = rng.randint(1, 7)
            closed = (created + timedelta(days=rng.randint(5, 120))).strftime("%Y-%m-%d %H:%M") \
                if status != "open" else ""
            amount = rng.randrange(1_000_000, 2_000_000_000, 1000)
            w.writerow([f"b{i}", f"Deal {i}", rng.choice(accounts), rng.choice(owners), f"₩{amount:,}", "KRW",
                        (created.date() + timedelta(days=rng.randint(30, 200))).isoformat(),
                        created.strftime("%m/%d/%Y %I:%M %p"), closed, str(stage), status,
                        rng.choice(sources), "Price" if status == "lost" else ""])


def baseline(path: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of parsing the file with csv.reader."""
    t, c = time.perf_counter(), time.process_time()
    with open(path, newline="", encoding="utf-8") as fh:
        n = sum(1 for _ in csv.reader(fh))
    assert n > 1
    return time.perf_counter() - t, time.process_time() - c


class Phase:
    """Wall and CPU time of one phase (CPU time says more on a busy machine)."""

    def __enter__(self):
        self.t, self.c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.t, time.process_time() - self.c

    def ratios(self, base: tuple[float, float]) -> str:
        return (f"{self.wall:7.2f} s  = {self.wall / base[0]:6.1f} x baseline  "
                f"(CPU {self.cpu:6.2f} s = {self.cpu / base[1]:6.1f} x)")


TEMPLATE = ("process_template", "stage", "deliverable")
WRITTEN = ("app_user", "account", "lead_source", "opportunity", "stage_transition", "close_date_change")
BULK_TABLES = ("opportunity", "stage_transition", "close_date_change")  # whose indexes an import rebuilds


def sqlite_floor(imported: Path, fresh: Path, *, checked: bool = True) -> dict[str, float]:
    """Seconds SQLite alone takes to write the rows the import wrote, copied with INSERT …
    SELECT (no Python per row) into a fresh database of the same schema, the way the importer
    writes a big import: one transaction, the importer's page cache, the secondary indexes of
    the bulk tables dropped first and built again before the commit, foreign keys checked,
    synchronous NORMAL. No importer can write these rows into this schema faster: it is the
    floor under the import's time. ``checked=False``: foreign keys off and no secondary index
    at all (the rows and the commit only), which no real import can do; it shows what the
    schema's checks and indexes cost. Keys: rows, indexes, commit, total (wall seconds)."""
    import sqlite3

    from app.services.importer.engine import SQLITE_CACHE_KIB

    for old in fresh.parent.glob(fresh.name + "*"):
        old.unlink()
    open_database(fresh).dispose()  # the app's schema, pragmas and template
    con = sqlite3.connect(fresh, isolation_level=None)
    con.execute(f"PRAGMA foreign_keys = {'ON' if checked else 'OFF'}")
    con.execute("PRAGMA synchronous = NORMAL")
    con.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    con.execute(f"ATTACH DATABASE '{imported}' AS src")
    con.execute("BEGIN")
    for table in reversed(TEMPLATE):
        con.execute(f"DELETE FROM main.{table}")
    for table in TEMPLATE:
        con.execute(f"INSERT INTO main.{table} SELECT * FROM src.{table}")
    con.execute("DELETE FROM main.app_user")
    con.execute("COMMIT")
    marks = ", ".join("?" * len(BULK_TABLES))
    t0 = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    indexes = con.execute(f"SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                          f"AND tbl_name IN ({marks})", BULK_TABLES).fetchall()
    for name, _sql in indexes:
        con.execute(f'DROP INDEX main."{name}"')
    for table in WRITTEN:
        con.execute(f"INSERT INTO main.{table} SELECT * FROM src.{table}")
    t1 = time.perf_counter()
    if checked:
        for _name, sql in indexes:
            con.execute(sql)
    t2 = time.perf_counter()
    con.execute("COMMIT")
    t3 = time.perf_counter()
    con.close()
    return {"rows": t1 - t0, "indexes": t2 - t1, "commit": t3 - t2, "total": t3 - t0}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", action="store_true",
                    help="also print the top functions (cProfile, cumulative) of the first import")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        path = d / "deals.csv"
        write_csv(path, args.rows, args.seed)
        runs = [baseline(path) for _ in range(3)]
        base = (min(r[0] for r in runs), min(r[1] for r in runs))
        db = open_database(d / "bench.sqlite")
        try:
            print(f"rows: {args.rows}, file {path.stat().st_size / 1e6:.1f} MB; "
                  f"baseline csv.reader parse: {base[0]:.3f} s (CPU {base[1]:.3f} s)")
            with Phase() as ph:
                dry = import_file(db, path, preset="generic", dry_run=True)
            print(f"dry run:   {ph.ratios(base)}  ({dry.summary()})")
            prof = None
            if args.profile:
                import cProfile

                prof = cProfile.Profile()
                prof.enable()
            with Phase() as ph:
                res = import_file(db, path, preset="generic")
            if prof is not None:
                import pstats

                prof.disable()
                pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"import:    {ph.ratios(base)}  (peak RSS {peak:.0f} MB; {res.summary()})")
            floor = sqlite_floor(d / "bench.sqlite", d / "floor.sqlite")
            bare = sqlite_floor(d / "bench.sqlite", d / "floor.sqlite", checked=False)
            print(f"floor:     SQLite alone writing the same rows (INSERT … SELECT, the importer's way): "
                  f"{floor['total']:5.2f} s = {floor['total'] / base[0]:6.1f} x baseline (rows {floor['rows']:.2f} s, "
                  f"indexes {floor['indexes']:.2f} s, commit {floor['commit']:.2f} s); "
                  f"the import is {ph.wall / floor['total']:.2f} x the floor")
            print(f"bare rows: no foreign-key checks, no secondary index (no real import): "
                  f"{bare['total']:5.2f} s = {bare['total'] / base[0]:6.1f} x baseline "
                  f"(rows {bare['rows']:.2f} s, commit {bare['commit']:.2f} s)")
            with Phase() as ph:
                again = import_file(db, path, preset="generic")
            print(f"re-import: {ph.ratios(base)}  ({again.summary()})")
        finally:
            db.dispose()


if __name__ == "__main__":
    main()
