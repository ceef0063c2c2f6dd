"""The weekly workbook on a big pipeline: time and peak memory of ``write_weekly_report``
as ratios to a plain openpyxl write-only dump of the same open deals, measured in the same
run; memory at 10 000 and at 100 000 open deals shows whether it stays flat.

    python benchmarks/bench_report.py [--sizes 10000 100000] [--seed 1] [--keep DIR]

Data: an own generator with SQLAlchemy Core inserts (the demo company is mostly closed
deals; this one is a pipeline of open deals with evidence, close-date pushes, activities
and stage history). Each measurement runs in a fresh subprocess; memory is the peak
resident size of that process (``ru_maxrss``) minus its size just before the work, so the
SQLite cache, openpyxl and Python objects all count.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
WEEK = "2026-W47"
CHUNK = 5000
PRODUCTS = ["ERP upgrade", "MES 구축", "Data platform", "물류 자동화", "Vision inspection system",
            "Cloud migration", "AI 불량 검출", "Energy monitoring"]


# ------------------------------------------------------------------ data

def _uid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def generate(path: Path, open_deals: int, seed: int) -> None:
    """A pipeline of ``open_deals`` open deals (and a tenth as many closed this week)."""
    from sqlalchemy import insert

    from app.db import open_database
    from app.models import (
        Account,
        Activity,
        CloseDateChange,
        Evidence,
        Opportunity,
        StageTransition,
        User,
    )
    from app.services.process import active_stages

    rng = random.Random(seed)
    db = open_database(path)
    try:
        with db.write() as s:
            stages = active_stages(s)
            users = [{"id": _uid(rng), "name": f"Rep {i:02d} 영업{i}", "role": "rep", "active": True,
                      "created_at": NOW, "updated_at": NOW} for i in range(12)]
            s.execute(insert(User), users)
            accounts = [{"id": _uid(rng), "name": f"Account {i} {'주식회사' if i % 3 == 0 else 'Ltd'}",
                         "created_at": NOW, "updated_at": NOW} for i in range(3000)]
            s.execute(insert(Account), accounts)
            evid_dels = {st.id: [d.id for d in st.deliverables if d.kind in ("check", "document")]
                         for st in stages}
            weights = [30, 22, 16, 12, 9, 7, 4]
            total = open_deals + open_deals // 10
            for start in range(0, total, CHUNK):
                opps, trans, evs, cdcs, acts = [], [], [], [], []
                for i in range(start, min(total, start + CHUNK)):
                    did = _uid(rng)
                    closed = i >= open_deals
                    st = rng.choices(stages, weights)[0]
                    owner = rng.choice(users)["id"]
                    acc = rng.choice(accounts)
                    created = NOW - timedelta(days=rng.uniform(10, 300))
                    entered = created + (NOW - created) * rng.uniform(0.3, 0.95)
                    close = (NOW + timedelta(days=rng.randint(-20, 200))).date()
                    status = ("won" if i % 2 else "lost") if closed else "open"
                    closed_at = NOW - timedelta(days=rng.uniform(0.5, 6.5)) if closed else None
                    opps.append({
                        "id": did, "title": f"{acc['name']} {rng.choice(PRODUCTS)}", "account_id": acc["id"],
                        "owner_id": owner, "amount": Decimal(rng.randint(1, 3000) * 1_000_000),
                        "currency": "USD" if i % 20 == 0 else "KRW", "expected_close": close,
                        "forecast_category": rng.choice(["pipeline", "best_case", "commit"]),
                        "stage_id": st.id, "status": status, "stage_entered_at": closed_at or entered,
                        "closed_at": closed_at, "loss_reason": "Price" if status == "lost" else None,
                        "version": 1, "created_at": created, "updated_at": entered,
                    })
                    first = stages[0]
                    trans.append({"id": _uid(rng), "opportunity_id": did, "from_stage_id": None,
                                  "to_stage_id": first.id, "from_status": None, "to_status": "open",
                                  "kind": "created", "at": created,
                                  "left_at": entered if st.position > 1 else (closed_at if closed else None),
                                  "user_id": owner, "imported": False})
                    if st.position > 1:
                        trans.append({"id": _uid(rng), "opportunity_id": did, "from_stage_id": first.id,
                                      "to_stage_id": st.id, "from_status": "open", "to_status": "open",
                                      "kind": "forward", "at": entered, "left_at": closed_at,
                                      "user_id": owner, "imported": False})
                    if closed:
                        trans.append({"id": _uid(rng), "opportunity_id": did, "from_stage_id": st.id,
                                      "to_stage_id": st.id, "from_status": "open", "to_status": status,
                                      "kind": status, "at": closed_at, "left_at": None, "user_id": owner,
                                      "reason": "Price" if status == "lost" else None, "imported": False})
                    for dl in evid_dels[st.id]:
                        if rng.random() < 0.5:
                            evs.append({"id": _uid(rng), "opportunity_id": did, "deliverable_id": dl,
                                        "user_id": owner, "at": entered, "note": "ok",
                                        "created_at": entered, "updated_at": entered})
                    if rng.random() < 0.3:
                        old = close - timedelta(days=rng.randint(5, 40))
                        cdcs.append({"id": _uid(rng), "opportunity_id": did, "old_date": old, "new_date": close,
                                     "at": NOW - timedelta(days=rng.uniform(0, 60)), "user_id": owner,
                                     "imported": False})
                    done = rng.random() < 0.7
                    due = NOW - timedelta(days=rng.uniform(-10, 20))
                    acts.append({"id": _uid(rng), "type": rng.choice(["call", "meeting", "email", "task"]),
                                 "subject": "Follow-up", "owner_id": owner, "opportunity_id": did,
                                 "stage_id": st.id, "due_at": due, "done_at": due if done else None,
                                 "created_at": entered, "updated_at": entered})
                s.execute(insert(Opportunity), opps)
                s.execute(insert(StageTransition), trans)
                if evs:
                    s.execute(insert(Evidence), evs)
                if cdcs:
                    s.execute(insert(CloseDateChange), cdcs)
                s.execute(insert(Activity), acts)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    finally:
        db.dispose()


# ------------------------------------------------------------------ the two workloads (child side)

def _rss_kib() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def plain_dump(db, out: Path) -> int:
    """The baseline: the open deals' own columns, streamed into a write-only sheet as they come."""
    from openpyxl import Workbook
    from sqlalchemy import select

    from app.models import Account, Opportunity, Stage, User

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Open deals")
    n = 0
    with db.read() as s:
        q = (select(User.name, Account.name, Opportunity.title, Stage.name_en, Opportunity.amount,
                    Opportunity.currency, Stage.probability, Opportunity.expected_close,
                    Opportunity.stage_entered_at)
             .join(Stage, Stage.id == Opportunity.stage_id).join(User, User.id == Opportunity.owner_id)
             .outerjoin(Account, Account.id == Opportunity.account_id)
             .where(Opportunity.status == "open")
             .execution_options(yield_per=2000))
        for part in s.execute(q).partitions(2000):
            for owner, account, title, stage, amount, cur, prob, close, entered in part:
                ws.append([owner, account, title, stage, amount, cur, prob, close,
                           entered.replace(tzinfo=None)])
                n += 1
    wb.save(out)
    return n


def child(kind: str, db_path: Path, out: Path) -> None:
    from app.db import open_database
    from app.services.weekly_report import write_weekly_report

    db = open_database(db_path, create=False)
    before = _rss_kib()
    t0 = time.perf_counter()
    if kind == "report":
        rows = write_weekly_report(db, out, week=WEEK, now=NOW).open_deals
    else:
        rows = plain_dump(db, out)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    db.dispose()
    print(json.dumps({"kind": kind, "rows": rows, "seconds": seconds, "grew_kib": peak - before,
                      "peak_kib": peak, "bytes": out.stat().st_size}))


def measure(kind: str, db_path: Path, out: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", kind, "--db", str(db_path), "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", type=Path, help="folder for the databases and workbooks (reused)")
    p.add_argument("--child", choices=["report", "dump"], help=argparse.SUPPRESS)
    p.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args.child, args.db, args.out)
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    results = {}
    for n in args.sizes:
        db_path = folder / f"open-{n}.sqlite"
        if not db_path.exists():
            t0 = time.perf_counter()
            generate(db_path, n, args.seed)
            print(f"generated {n} open deals in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        dump = measure("dump", db_path, folder / f"dump-{n}.xlsx")
        report = measure("report", db_path, folder / f"report-{n}.xlsx")
        results[n] = (dump, report)
        print(f"\n{n:>7} open deals   plain dump    weekly report   ratio")
        print(f"  time          {dump['seconds']:>8.2f} s   {report['seconds']:>9.2f} s   "
              f"{report['seconds'] / dump['seconds']:>5.2f}x")
        print(f"  memory grown  {dump['grew_kib'] / 1024:>8.1f} MiB {report['grew_kib'] / 1024:>9.1f} MiB "
              f"{report['grew_kib'] / max(1, dump['grew_kib']):>5.2f}x")
        print(f"  peak RSS      {dump['peak_kib'] / 1024:>8.1f} MiB {report['peak_kib'] / 1024:>9.1f} MiB")
        print(f"  file          {dump['bytes'] / 1e6:>8.1f} MB  {report['bytes'] / 1e6:>9.1f} MB")
    if len(results) >= 2:
        small, big = min(results), max(results)
        r_small, r_big = results[small][1], results[big][1]
        print(f"\nweekly report memory grown, {big} vs {small} open deals: "
              f"{r_big['grew_kib'] / max(1, r_small['grew_kib']):.2f}x for {big / small:.0f}x the deals; "
              f"time {r_big['seconds'] / r_small['seconds']:.1f}x")


if __name__ == "__main__":
    main()
