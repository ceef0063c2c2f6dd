"""Sync benchmark: a push of N pending operations and a full pull of M deals, each as a
ratio to a plain copy of the same rows (Core executemany, one transaction).

    python benchmarks/bench_sync.py [--ops 1000] [--deals 100000]

Needs PostgreSQL: PM_TEST_PG_URL, or initdb/pg_ctl on the PATH (tests/pg_server.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from sqlalchemy import delete, insert, select  # noqa: E402

from app.db import open_database  # noqa: E402
from app.models import Activity, Opportunity, User  # noqa: E402
from app.services import outbox, people, sync  # noqa: E402
from app.services.process import active_stages  # noqa: E402

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _bulk_deals(server, owner_id, n):
    with server.read() as s:
        stage_id = active_stages(s)[0].id
    rows = [{"id": uuid.uuid4(), "title": f"Deal {i}", "owner_id": owner_id, "amount": Decimal(1000 + i),
             "currency": "USD", "forecast_category": "pipeline", "stage_id": stage_id, "status": "open",
             "stage_entered_at": T0, "created_at": T0, "updated_at": T0, "version": 1} for i in range(n)]
    with server.write() as s:
        for i in range(0, n, 5000):
            s.execute(insert(Opportunity), rows[i:i + 5000])
    return [r["id"] for r in rows]


def _copy(src, dst, tables, where=None):
    """The baseline: read the rows and insert them into the other database, plain."""
    t0 = time.perf_counter()
    with src.read() as rs, dst.write() as ws:
        for t in tables:
            q = select(*t.c)
            if where is not None and t in where:
                q = q.where(where[t])
            rows = [dict(r) for r in rs.execute(q).mappings()]
            for i in range(0, len(rows), 5000):
                ws.execute(insert(t), rows[i:i + 5000])
    return time.perf_counter() - t0


def bench_push(pg, tmp: Path, n_ops: int) -> tuple[float, float]:
    server = sync.open_server(pg.create_database())
    mgr = people.create_user(server, "Manager", "manager")
    ids = _bulk_deals(server, mgr.id, n_ops // 2)
    sync.create_replica(str(tmp / "push.sqlite"), server)
    replica = open_database(str(tmp / "push.sqlite"))
    for i in range(n_ops):
        d = ids[i // 2]
        if i % 2:
            outbox.run(replica, "update_deal", deal_id=d, expected_version=1, actor_id=mgr.id,
                           title=f"edited {i}")
        else:
            outbox.run(replica, "log_activity", type="call", subject=f"call {i}", owner_id=mgr.id, deal_id=d)
    t0 = time.perf_counter()
    r = sync.push(replica, server)
    t_push = time.perf_counter() - t0
    assert r.applied == n_ops, r
    # baseline: the same rows (the activities, the edited deals) copied to a second server
    other = sync.open_server(pg.create_database())
    with other.write() as s:
        s.execute(delete(Opportunity))
    with replica.read() as s:
        users = [dict(r) for r in s.execute(select(*User.__table__.c).where(User.id == mgr.id)).mappings()]
    with other.write() as s:
        s.execute(insert(User.__table__), users)
    t_copy = _copy(replica, other, [Opportunity.__table__, Activity.__table__],
                   where={Opportunity.__table__: Opportunity.id.in_(ids)})
    for db in (server, other, replica):
        db.dispose()
    return t_push, t_copy


def bench_pull(pg, tmp: Path, n_deals: int) -> tuple[float, float, float]:
    server = sync.open_server(pg.create_database())
    mgr = people.create_user(server, "Manager", "manager")
    _bulk_deals(server, mgr.id, n_deals)
    t0 = time.perf_counter()
    sync.create_replica(str(tmp / "pull.sqlite"), server)
    t_pull = time.perf_counter() - t0
    replica = open_database(str(tmp / "pull.sqlite"))
    t0 = time.perf_counter()
    sync.pull(replica, server)  # nothing changed: the incremental pull
    t_noop = time.perf_counter() - t0
    plain = open_database(str(tmp / "plain.sqlite"))
    with plain.write() as s:
        for t in reversed([t for t in sync.synced_tables()]):
            s.execute(delete(t))
    t_copy = _copy(server, plain, sync.synced_tables())
    with replica.read() as s:
        assert s.query(Opportunity).count() == n_deals
    for db in (server, replica, plain):
        db.dispose()
    return t_pull, t_copy, t_noop


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ops", type=int, default=1000)
    ap.add_argument("--deals", type=int, default=100_000)
    a = ap.parse_args()
    from pg_server import PgServer

    pg = PgServer()
    try:
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            t_push, t_copy = bench_push(pg, tmp, a.ops)
            print(f"push of {a.ops} operations: {t_push:.2f} s; plain copy of the same rows {t_copy:.3f} s; "
                  f"ratio {t_push / t_copy:.1f}x ({1000 * t_push / a.ops:.2f} ms per operation)")
            t_pull, t_copy, t_noop = bench_pull(pg, tmp, a.deals)
            print(f"full pull of {a.deals} deals: {t_pull:.2f} s; plain copy of the same rows {t_copy:.2f} s; "
                  f"ratio {t_pull / t_copy:.2f}x; incremental pull with nothing changed {t_noop:.3f} s")
    finally:
        pg.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
