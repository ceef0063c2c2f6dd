"""The demo generator: histories obey the gates, lost deals dwell longer, dates slip,
the same seed gives the same data. The data's meaning is checked on SQLite (raw DBAPI fast
path) and on PostgreSQL (typed tables), and one seed gives the same rows on both."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.db import open_database
from app.errors import AppError
from app.models import (
    Activity,
    Base,
    CloseDateChange,
    Evidence,
    MarketingSpend,
    Opportunity,
    Stage,
    StageTransition,
    Target,
    User,
)
from app.services import deals, gates
from app.services.demo import generate
from app.services.process import active_stages

END = date(2026, 6, 30)
HORIZON = datetime(2026, 6, 30, tzinfo=UTC)
N = 400
DAY = 86_400


@pytest.fixture(scope="module")
def _made():
    """The module's generated databases, one per engine, made on first use (see ``demo``)."""
    made: dict[str, dict] = {}
    yield made
    for entry in made.values():
        entry["db"].dispose()
        if entry["drop"] is not None:
            entry["drop"]()


@pytest.fixture
def demo(engine_name, _made, tmp_path_factory, request):
    """(db, stats, progress calls) of N deals, seed 42, generated once per engine for the
    module: on SQLite through the raw DBAPI fast path, on PostgreSQL through the typed
    tables (a database of its own on the session's server, dropped after the module)."""
    entry = _made.get(engine_name)
    if entry is None:
        drop = None
        if engine_name == "postgresql":
            server = request.getfixturevalue("pg_server")
            url = server.create_database()
            drop = lambda: server.drop_database(url)  # noqa: E731
        else:
            url = tmp_path_factory.mktemp("demo") / "demo.sqlite"
        db = open_database(url)
        calls = []
        stats = generate(db, deals=N, seed=42, end=END, progress=lambda done, total: calls.append((done, total)))
        entry = _made[engine_name] = dict(db=db, stats=stats, calls=calls, drop=drop, rows=None)
    return entry["db"], entry["stats"], entry["calls"]


def _load_rows(db) -> dict:
    with db.read() as s:
        stages = active_stages(s)
        out = dict(
            stages=stages,
            deals={d.id: d for d in s.scalars(select(Opportunity))},
            transitions=defaultdict(list),
            evidence=defaultdict(list),
            activities=defaultdict(list),
            close=defaultdict(list),
            roles={u.id: u.role for u in s.scalars(select(User))},
        )
        for t in s.scalars(select(StageTransition).order_by(StageTransition.at)):
            out["transitions"][t.opportunity_id].append(t)
        for e in s.scalars(select(Evidence)):
            out["evidence"][e.opportunity_id].append(e)
        for a in s.scalars(select(Activity)):
            out["activities"][a.opportunity_id].append(a)
        for c in s.scalars(select(CloseDateChange).order_by(CloseDateChange.at)):
            out["close"][c.opportunity_id].append(c)
    return out


@pytest.fixture
def rows(demo, engine_name, _made):
    """The generated rows as read back right after generating (read once per engine)."""
    entry = _made[engine_name]
    if entry["rows"] is None:
        entry["rows"] = _load_rows(demo[0])
    return entry["rows"]


@pytest.mark.both_engines
def test_stats_and_progress(demo, rows):
    _db, stats, calls = demo
    assert stats.deals == N == len(rows["deals"])
    assert stats.transitions == sum(len(v) for v in rows["transitions"].values())
    assert stats.evidence == sum(len(v) for v in rows["evidence"].values())
    assert stats.close_date_changes == sum(len(v) for v in rows["close"].values())
    assert stats.users == 10 and stats.accounts > 10 and stats.contacts >= 2 * stats.accounts
    assert calls[-1] == (N, N)


def _satisfied(d, deal, evidence, acts, before) -> bool:
    if d.kind == "field":
        return all(getattr(deal, f) is not None for f in d.field_list)
    if d.kind == "activity":
        return any(a.stage_id == d.stage_id and a.type in d.activity_type_list and a.done_at is not None
                   and a.done_at < before for a in acts)
    return any(e.deliverable_id == d.id and e.at < before
               and (e.withdrawn_at is None or e.withdrawn_at >= before) for e in evidence)


@pytest.mark.both_engines
def test_every_forward_move_is_justified(rows):
    pos = {st.id: st.position for st in rows["stages"]}
    kinds = Counter()
    for deal_id, trs in rows["transitions"].items():
        deal = rows["deals"][deal_id]
        for t in trs:
            kinds[t.kind] += 1
            if t.kind not in ("forward", "won"):
                continue
            src, dst = pos[t.from_stage_id], pos[t.to_stage_id]
            passed = range(src, dst) if t.kind == "forward" else range(src, len(rows["stages"]) + 1)
            if t.override_reason:
                kinds["override"] += 1
                assert rows["roles"][t.user_id] == "manager"
                continue
            for p in passed:
                for d in rows["stages"][p - 1].deliverables:
                    assert _satisfied(d, deal, rows["evidence"][deal_id], rows["activities"][deal_id], t.at), \
                        (deal.title, t.kind, src, dst, d.key)
            if t.kind == "forward" and dst > src + 1:
                kinds["skip"] += 1
    # the history shows every kind of move, overrides and skips included
    assert kinds["created"] == N
    assert min(kinds["forward"], kinds["won"], kinds["lost"], kinds["backward"], kinds["override"],
               kinds["skip"]) > 0, kinds


@pytest.mark.both_engines
def test_history_chain_is_consistent(rows):
    pos = {st.id: st.position for st in rows["stages"]}
    for deal_id, trs in rows["transitions"].items():
        deal = rows["deals"][deal_id]
        assert trs[0].kind == "created" and trs[0].from_stage_id is None and pos[trs[0].to_stage_id] == 1
        assert trs[0].at == deal.created_at
        for prev, nxt in zip(trs, trs[1:], strict=False):
            assert prev.left_at == nxt.at and prev.at < nxt.at
            assert nxt.from_stage_id == prev.to_stage_id and nxt.from_status == prev.to_status
        last = trs[-1]
        assert last.left_at is None and last.at < HORIZON
        assert deal.version == len(trs)  # 1 + number of moves
        assert (deal.stage_id, deal.status, deal.stage_entered_at) == (last.to_stage_id, last.to_status, last.at)
        for t in trs:
            if t.kind in ("won", "lost"):
                assert t.to_stage_id == t.from_stage_id and t.from_status == "open"
            if t.kind in ("backward", "lost"):
                assert t.reason
            if t.kind == "backward":
                assert pos[t.to_stage_id] < pos[t.from_stage_id]
        if deal.status == "open":
            assert deal.closed_at is None and deal.loss_reason is None
            assert deal.forecast_category in ("pipeline", "best_case", "commit")
        else:
            assert deal.closed_at == last.at
            assert (deal.loss_reason == last.reason) if deal.status == "lost" else deal.loss_reason is None


@pytest.mark.both_engines
def test_outcome_mix(rows):
    status = Counter(d.status for d in rows["deals"].values())
    assert 0.20 <= status["won"] / N <= 0.36, status
    assert 0.33 <= status["lost"] / N <= 0.55, status
    assert status["open"] / N >= 0.15, status
    # older deals are more likely closed
    cut = datetime(2025, 9, 1, tzinfo=UTC)
    old = [d for d in rows["deals"].values() if d.created_at < cut]
    young = [d for d in rows["deals"].values() if d.created_at >= cut]
    assert sum(d.status != "open" for d in old) / len(old) > sum(d.status != "open" for d in young) / len(young)
    currencies = Counter(d.currency for d in rows["deals"].values())
    assert currencies["KRW"] > 0.9 * N and currencies["USD"] > 0
    for d in rows["deals"].values():
        if d.currency == "KRW" and d.amount is not None:
            assert 10_000_000 <= d.amount <= 2_000_000_000 and d.amount % 1_000_000 == 0


@pytest.mark.both_engines
def test_lost_deals_dwell_longer_than_won(rows):
    # mean days of the finished open visits, per stage and the deal's outcome (closed deals only)
    pos = {st.id: st.position for st in rows["stages"]}
    days = defaultdict(list)
    for deal_id, trs in rows["transitions"].items():
        status = rows["deals"][deal_id].status
        if status not in ("won", "lost"):
            continue
        for t in trs:
            if t.left_at is not None and t.to_status == "open":
                days[pos[t.to_stage_id], status].append((t.left_at - t.at).total_seconds() / DAY)
    mean = {key: (sum(v) / len(v), len(v)) for key, v in days.items()}
    every = {st: [x for (_p, s_), v in days.items() if s_ == st for x in v] for st in ("won", "lost")}
    overall = {st: sum(v) / len(v) for st, v in every.items()}
    compared = 0
    for p in range(1, 8):
        won, lost = mean.get((p, "won")), mean.get((p, "lost"))
        if won and lost and won[1] >= 10 and lost[1] >= 10:
            assert lost[0] > won[0], (p, won, lost)
            compared += 1
    assert compared >= 5
    assert 1.2 <= overall["lost"] / overall["won"] <= 2.0, overall


@pytest.mark.both_engines
def test_close_dates_slip(rows):
    pushes = Counter()
    for deal_id, changes in rows["close"].items():
        deal = rows["deals"][deal_id]
        assert changes[0].old_date is None and changes[0].at == deal.created_at
        for prev, nxt in zip(changes, changes[1:], strict=False):
            assert nxt.old_date == prev.new_date and nxt.new_date > nxt.old_date and nxt.at > prev.at
        assert changes[-1].new_date == deal.expected_close
        end = deal.closed_at or HORIZON
        assert changes[-1].at <= end
        pushes[len(changes) - 1] += 1
    assert len(rows["close"]) == N
    assert sum(v for k, v in pushes.items() if k >= 2) >= N // 20, pushes
    assert pushes[0] > 0 and max(pushes) <= 4


@pytest.mark.both_engines
def test_activities_people_and_marketing(demo, rows):
    db = demo[0]
    acts = [a for v in rows["activities"].values() for a in v]
    open_acts = [a for a in acts if a.done_at is None]
    assert any(a.due_at < HORIZON for a in open_acts) and any(a.due_at >= HORIZON for a in open_acts)
    assert all(rows["deals"][a.opportunity_id].status == "open" for a in open_acts)
    assert {"call", "email", "task", "meeting"} <= {a.type for a in acts}
    assert all(a.stage_id is not None for a in acts)
    with db.read() as s:
        users = list(s.scalars(select(User)))
        spend = list(s.scalars(select(MarketingSpend)))
        targets = list(s.scalars(select(Target)))
    assert Counter(u.role for u in users) == {"rep": 8, "manager": 2}
    assert any(u.name.isascii() for u in users) and any(not u.name.isascii() for u in users)
    titles = [d.title for d in rows["deals"].values()]
    assert any(t.isascii() for t in titles) and any(not t.isascii() for t in titles)
    months = {m.month for m in spend}
    assert len(months) == 18 and min(months) == date(2025, 1, 1) and max(months) == date(2026, 6, 1)
    assert len({m.lead_source_id for m in spend}) >= 6 and all(m.amount > 0 for m in spend)
    team = [t for t in targets if t.owner_id is None]
    assert len(team) == 18 and all(t.metric == "won_revenue" for t in targets)
    assert len([t for t in targets if t.owner_id is not None]) >= 8


@pytest.mark.both_engines
def test_generated_database_works_with_the_services(demo, rows):
    db = demo[0]
    with pytest.raises(AppError, match="already has deals"):
        generate(db, deals=5, seed=1, end=END)
    assert len(deals.list_deals(db, status="open")) == sum(d.status == "open" for d in rows["deals"].values())
    # an open deal whose gate is satisfied moves; one whose gate is not is refused
    moved = refused = 0
    for deal in rows["deals"].values():
        if deal.status != "open" or moved and refused:
            continue
        try:
            gates.move_deal(db, deal.id, "won" if deal.stage_id == rows["stages"][-1].id else
                            next(st.position for st in rows["stages"] if st.id == deal.stage_id) + 1,
                            actor_id=deal.owner_id, expected_version=deal.version)
            moved += 1
        except gates.GateRefused:
            refused += 1
    assert moved and refused


def _digest(db) -> str:
    """A hash of every generated row. The process template is loaded by open_database with
    its own random ids, so stage and deliverable ids are replaced by their keys."""
    h = hashlib.sha256()
    template_tables = {"process_template", "stage", "deliverable"}
    with db.engine.connect() as conn:
        keys = dict(conn.exec_driver_sql("SELECT id, 'stage:' || key FROM stage").all())
        keys.update(conn.exec_driver_sql(
            "SELECT d.id, s.key || '/' || d.key FROM deliverable d JOIN stage s ON s.id = d.stage_id").all())
        for table in sorted(Base.metadata.sorted_tables, key=lambda t: t.name):
            if table.name in template_tables:
                continue
            cols = ", ".join(c.name for c in table.columns)
            rows = [tuple(keys.get(v, v) for v in row)
                    for row in conn.exec_driver_sql(f"SELECT {cols} FROM {table.name} ORDER BY id")]
            h.update(f"{table.name}:{len(rows)}:{rows!r}".encode())
    return h.hexdigest()


def test_same_seed_same_data_other_seed_other_data(tmp_path):
    # SQLite only: the raw fast path against the typed one on the same engine, stored bytes
    digests = []
    # "b" writes through the column types instead of the raw SQLite fast path: same bytes
    for name, seed, raw in (("a", 5, True), ("b", 5, False), ("c", 6, True)):
        db = open_database(tmp_path / f"{name}.sqlite")
        generate(db, deals=60, seed=seed, end=END, _raw_sqlite=raw)
        digests.append(_digest(db))
        db.dispose()
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


def _canonical(db) -> dict[str, list[tuple]]:
    """Every generated row, read through the column types (UUID, aware datetime, Decimal,
    date, bool), ids included, sorted; stage and deliverable ids (the process template's own
    random ones, different in every database) replaced by their keys."""
    template_tables = {"process_template", "stage", "deliverable"}
    out = {}
    with db.read() as s:
        keys = {}
        for st in s.scalars(select(Stage)):
            keys[st.id] = f"stage:{st.key}"
            keys.update({d.id: f"{st.key}/{d.key}" for d in st.deliverables})
        for table in Base.metadata.sorted_tables:
            if table.name not in template_tables:
                out[table.name] = sorted((tuple(keys.get(v, v) for v in row) for row in s.execute(select(table))),
                                         key=repr)
    return out


@pytest.mark.postgresql
def test_same_seed_same_rows_on_sqlite_and_postgresql(db, tmp_path):
    """The raw SQLite fast path and the typed PostgreSQL path write the same deals, histories,
    people and marketing rows for one seed and size: ids, times, amounts, flags."""
    lite = open_database(tmp_path / "same.sqlite")
    try:
        generate(lite, deals=200, seed=7, end=END)
        on_sqlite = _canonical(lite)
    finally:
        lite.dispose()
    generate(db, deals=200, seed=7, end=END)
    on_pg = _canonical(db)
    assert on_sqlite.keys() == on_pg.keys()
    assert len(on_sqlite["opportunity"]) == 200 and len(on_sqlite["stage_transition"]) > 200
    for name, expected in on_sqlite.items():
        got = on_pg[name]
        assert len(got) == len(expected), name
        for a, b in zip(expected, got, strict=True):
            assert a == b, (name, a, b)
