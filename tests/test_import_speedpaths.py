"""The importer's shared pieces: stage and status values resolved by one service function
(the engine and the wizard both call it)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.services.importer.mapping import (
    Mapping,
    StageTarget,
    distinct_values,
    resolve_stage,
    resolve_status,
    stage_choices,
    status_choices,
)
from app.services.importer.parsing import Table

STAGES = [
    SimpleNamespace(position=1, key="lead", name_en="Lead", name_ko="리드"),
    SimpleNamespace(position=2, key="qualified", name_en="Qualified", name_ko="검증"),
    SimpleNamespace(position=3, key="proposal", name_en="Proposal Sent", name_ko="제안"),
]


def mapping() -> Mapping:
    return Mapping.from_dict({"stage_values": {"Closed Won": "won", "Demo booked": 2,
                                               "Signed": {"stage": 3, "status": "won"}},
                              "status_values": {"Gewonnen": "won", "Lead": "lost"}})


def test_resolve_stage_by_position_key_names_and_status_words():
    m = mapping()
    assert resolve_stage(m, STAGES, "3") == StageTarget(position=3)
    assert resolve_stage(m, STAGES, "qualified") == StageTarget(position=2)
    assert resolve_stage(m, STAGES, "  proposal   SENT ") == StageTarget(position=3)
    assert resolve_stage(m, STAGES, "리드") == StageTarget(position=1)
    assert resolve_stage(m, STAGES, "Won") == StageTarget(status="won")
    assert resolve_stage(m, STAGES, "lost") == StageTarget(status="lost")
    assert resolve_stage(m, STAGES, "OPEN") == StageTarget(status="open")
    assert resolve_stage(m, STAGES, "Negotiation") is None
    assert resolve_stage(m, STAGES, "4") is None  # no fourth stage in this process


def test_resolve_stage_mapping_first_and_pipeline_suffix():
    m = mapping()
    assert resolve_stage(m, STAGES, "demo booked") == StageTarget(position=2)
    assert resolve_stage(m, STAGES, "Closed Won (Sales Pipeline)") == StageTarget(status="won")
    assert resolve_stage(m, STAGES, "Signed") == StageTarget(position=3, status="won")
    assert resolve_stage(Mapping(), STAGES, "Closed Won (Sales Pipeline)") is None


def test_resolve_status_mapping_then_builtin_words():
    m = mapping()
    assert resolve_status(m, "gewonnen") == "won"
    assert resolve_status(m, "Lead") == "lost"  # the mapping's own word wins
    assert resolve_status(m, "Closed Lost") == "lost"
    assert resolve_status(m, "수주") == "won"
    assert resolve_status(m, "진행중") == "open"
    assert resolve_status(m, "open") == "open"
    assert resolve_status(m, "maybe") is None


def test_choices_and_distinct_values():
    assert stage_choices(STAGES) == [StageTarget(position=1), StageTarget(position=2), StageTarget(position=3),
                                     StageTarget(status="won"), StageTarget(status="lost")]
    assert status_choices() == [StageTarget(status="open"), StageTarget(status="won"), StageTarget(status="lost")]
    t = Table(path=None, headers=["Title", "Stage"],
              rows=[(2, ["a", "Lead "]), (3, ["b", "lead"]), (4, ["c", None]), (5, ["d", 2.0]), (6, ["e"]),
                    (7, ["f", "Won"])])
    assert distinct_values(t, "stage") == {"lead": "Lead", "2": "2", "won": "Won"}
    assert distinct_values(t, "stage", limit=2) == {"lead": "Lead", "2": "2"}
    assert distinct_values(t, "nope") == {}


# ------------------------------------------------------------------ the write paths of a big import

def _indexes(db) -> list[tuple[str, str]]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('opportunity', 'stage_transition', 'close_date_change') ORDER BY name")]


def _big_csv(tmp_path, n: int):
    import csv

    path = tmp_path / "big.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["source_id", "title", "account", "owner", "amount", "expected_close", "created", "closed",
                    "stage", "status", "loss_reason"])
        for i in range(n):
            status = ("open", "won", "lost")[i % 3]
            w.writerow([f"b{i}", f"Deal {i}", f"Account {i % 7}", f"Rep {i % 3}", f"₩{(i + 1) * 1000:,}",
                        "2026-03-31", f"01/{1 + i % 28:02d}/2026 {1 + i % 12}:{i % 60:02d} PM",
                        "2026-02-15 10:00" if status != "open" else "", str(1 + i % 7), status,
                        "Price" if status == "lost" else ""])
    return path


def test_a_big_first_import_builds_the_indexes_again_and_reads_back(db, tmp_path, monkeypatch):
    """SQLite: a first import of many deals drops the deal and history indexes for the write
    and creates them again from their own DDL before the commit (threshold lowered here)."""
    from sqlalchemy import text

    from app.services.deals import list_deals
    from app.services.importer import engine, import_file

    before = _indexes(db)
    assert len(before) >= 10
    monkeypatch.setattr(engine, "REBUILD_MIN_ROWS", 1)
    monkeypatch.setattr(engine, "CHUNK", 7)  # several batches
    res = import_file(db, _big_csv(tmp_path, 60), preset="generic")
    assert (res.created, res.history_rows, res.close_date_changes) == (60, 20 + 2 * 40, 60)  # 20 open deals: one visit; 40 closed: opened and closed
    assert _indexes(db) == before
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
    deals = {d.title: d for d in list_deals(db)}
    d1 = deals["Deal 1"]  # won, stage 2 in the file: a won deal sits on the last stage
    assert (d1.status, str(d1.amount)) == ("won", "2000.00")
    again = import_file(db, _big_csv(tmp_path, 60), preset="generic")
    assert (again.created, again.unchanged) == (0, 60)


def test_a_cancelled_big_import_leaves_the_database_and_its_indexes_as_they_were(db, tmp_path, monkeypatch):
    from sqlalchemy import text

    from app.services.deals import list_deals
    from app.services.importer import ImportCancelled, engine, import_file

    before = _indexes(db)
    monkeypatch.setattr(engine, "REBUILD_MIN_ROWS", 1)
    monkeypatch.setattr(engine, "CHUNK", 5)
    written = []
    real = engine._write_batch

    def counted(*args):
        real(*args)
        written.append(1)

    monkeypatch.setattr(engine, "_write_batch", counted)
    path = _big_csv(tmp_path, 4001)
    with pytest.raises(ImportCancelled):
        import_file(db, path, preset="generic", cancelled=lambda: len(written) >= 2)
    assert written  # batches had been written
    assert list_deals(db) == []
    assert _indexes(db) == before
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM stage_transition")).scalar() == 0
        assert conn.execute(text("PRAGMA cache_size")).scalar() == -2000


def test_random_hex_ids_are_version_4_uuids():
    import uuid

    from app.services.bulk import _random_hex_ids

    ids = _random_hex_ids(500)
    assert len(set(ids)) == 500
    for h in ids:
        u = uuid.UUID(h)
        assert (len(h), u.hex, u.version, u.variant) == (32, h, 4, uuid.RFC_4122)


def test_stored_forms_are_what_the_column_types_write():
    from datetime import UTC, date, datetime, timedelta, timezone
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from app.services.bulk import Encoder

    enc = Encoder(sqlite=True)
    seoul = datetime(2026, 1, 2, 9, 30, tzinfo=ZoneInfo("Asia/Seoul"))
    assert enc.datetime(seoul) == "2026-01-02 00:30:00.000000"
    assert enc.datetime(datetime(2026, 1, 2, 0, 30, 0, 5, tzinfo=UTC)) == "2026-01-02 00:30:00.000005"
    assert enc.datetime(datetime(2026, 1, 2, tzinfo=timezone(timedelta(hours=-5)))) == "2026-01-02 05:00:00.000000"
    with pytest.raises(ValueError, match="naive"):
        enc.datetime(datetime(2026, 1, 2))
    assert enc.money(Decimal("1234.5")) == 123450
    assert enc.money(Decimal("0.005")) == 1  # half up, as the Money type
    assert enc.money(Decimal("-0.005")) == -1
    assert enc.money(7) == 700
    assert enc.date(date(2026, 3, 1)) == "2026-03-01"
    assert enc.flag(True) == 1 and enc.uuid(None) is None and enc.datetime(None) is None
    same = Encoder(sqlite=False)
    assert same.datetime(seoul) is seoul and same.money(Decimal("1.5")) == Decimal("1.5")


@pytest.mark.both_engines
def test_the_same_import_reads_back_the_same_on_both_engines(db, tmp_path, monkeypatch):
    """SQLite writes tuples in stored form, PostgreSQL through the typed table: the deals,
    their visits and close-date changes read back the same."""
    from datetime import UTC, date, datetime

    from sqlalchemy import func, select

    from app.models import CloseDateChange, Opportunity, StageTransition
    from app.services.importer import engine, import_file

    monkeypatch.setattr(engine, "CHUNK", 4)
    res = import_file(db, _big_csv(tmp_path, 12), preset="generic")
    assert (res.created, res.history_rows, res.close_date_changes) == (12, 4 + 2 * 8, 12)
    with db.read() as s:
        d2 = s.scalar(select(Opportunity).where(Opportunity.source_id == "b2"))  # lost, "₩3,000"
        assert (d2.status, d2.amount, d2.expected_close, d2.loss_reason) == ("lost", 3000, date(2026, 3, 31), "Price")
        assert d2.created_at == datetime(2026, 1, 3, 15, 2, tzinfo=UTC)  # "01/03/2026 3:02 PM"
        assert d2.closed_at == datetime(2026, 2, 15, 10, 0, tzinfo=UTC)
        visits = s.scalars(select(StageTransition).where(StageTransition.opportunity_id == d2.id)
                           .order_by(StageTransition.at)).all()
        assert [(t.kind, t.to_status, t.at, t.left_at, t.reason, t.imported) for t in visits] == [
            ("created", "open", d2.created_at, d2.closed_at, None, True),
            ("lost", "lost", d2.closed_at, None, "Price", True)]
        cd = s.scalars(select(CloseDateChange).where(CloseDateChange.opportunity_id == d2.id)).one()
        assert (cd.old_date, cd.new_date, cd.at, cd.imported) == (None, date(2026, 3, 31), d2.created_at, True)
        assert s.scalar(select(func.count()).select_from(StageTransition)) == 20
    again = import_file(db, _big_csv(tmp_path, 12), preset="generic")
    assert (again.created, again.updated, again.unchanged, again.history_rows) == (0, 0, 12, 0)


def test_parse_fast_reads_the_common_forms_and_leaves_the_rest_to_the_general_reading():
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from app.services.importer.parsing import ParseError, parse_datetime, parse_fast

    assert parse_fast("02/23/2026 9:05 PM", "mdy") == datetime(2026, 2, 23, 21, 5)
    assert parse_fast("02/03/2026 12:30 AM", "dmy") == datetime(2026, 3, 2, 0, 30)
    assert parse_fast("02/03/2026 12:30 PM", "mdy") == datetime(2026, 2, 3, 12, 30)
    assert parse_fast("2026-02-23 21:05", "mdy") == datetime(2026, 2, 23, 21, 5)
    assert parse_fast("2026-02-23T21:05:07", "dmy") == datetime(2026, 2, 23, 21, 5, 7)
    for other in ("02/30/2026 9:05 PM", "02/23/2026 13:05 PM", "02/23/2026 0:05 AM", "2026-02-23",
                  "2026-02-23 21:05:07+09:00", "2026-02-23 25:00", "23.02.2026 21:05", "2/23/26 9:05 PM", ""):
        assert parse_fast(other, "mdy") is None, other
    with pytest.raises(ParseError, match="day is out of range"):
        parse_datetime("02/30/2026 9:05 PM")
    with pytest.raises(ParseError, match="1 to 12"):
        parse_datetime("02/23/2026 13:05 PM")
    assert parse_datetime("2/23/26 9:05 PM", ZoneInfo("Asia/Seoul")) == datetime(2026, 2, 23, 12, 5, tzinfo=UTC)
    assert parse_datetime("2026-02-23 21:05:07+09:00") == datetime(2026, 2, 23, 12, 5, 7, tzinfo=UTC)


def test_the_import_writes_every_column_of_its_tables():
    """The import's tuples name every column (a column added to a model must be added there
    too: on SQLite a column left out would get NULL, not the model's default)."""
    from app.models import CloseDateChange, Opportunity, StageTransition
    from app.services.importer import engine

    for table, columns in ((Opportunity.__table__, engine.OPP_COLUMNS), (StageTransition.__table__, engine.TR_COLUMNS),
                           (CloseDateChange.__table__, engine.CDC_COLUMNS)):
        assert sorted(columns) == sorted(table.columns.keys()), table.name


def test_the_cyclic_collector_runs_again_after_an_import_even_a_refused_one(db, tmp_path):
    import gc

    from app.services.importer import ImportFailed, import_file

    assert gc.isenabled()
    import_file(db, _big_csv(tmp_path, 3), preset="generic")
    assert gc.isenabled()
    bad = tmp_path / "bad.csv"
    bad.write_text("title,amount\nDeal,lots\n", "utf-8")
    with pytest.raises(ImportFailed):
        import_file(db, bad, preset="generic")
    assert gc.isenabled()
    gc.disable()
    try:  # a caller that had paused it keeps it paused
        import_file(db, _big_csv(tmp_path, 3), preset="generic")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_import_result_says_what_it_changed(tmp_path):
    """The views' runner announces ImportResult.changes: the imported deals after a real
    import, nothing after a dry run or a re-import that changed nothing."""
    from app.db import open_database
    from app.services.importer import import_file
    from app.services.unit_of_work import OpChanges

    path = tmp_path / "deals.csv"
    path.write_text("title,owner,stage,status,amount,currency\nPress line,Kim,2,open,1000,KRW\n", encoding="utf-8")
    db = open_database(tmp_path / "x.sqlite")
    try:
        assert not import_file(db, path, preset="generic", dry_run=True).changes
        first = import_file(db, path, preset="generic")
        assert first.changes == OpChanges.of("imported", deals=first.deal_ids) and len(first.deal_ids) == 1
        assert not import_file(db, path, preset="generic").changes
    finally:
        db.dispose()
