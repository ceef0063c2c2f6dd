"""Import of files written here: CP949 and BOM CSV, XLSX with serial and real date cells,
Pipedrive and HubSpot layouts built from the headers in CRM_EXPORT_FORMATS.md, re-import
updates, mapping files."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from app.models import CloseDateChange, Opportunity, Stage, StageTransition, User
from app.services import gates
from app.services.deals import list_deals
from app.services.importer import (
    ImportFailed,
    MappingError,
    import_file,
    load_mapping,
    preset,
    save_mapping,
)
from app.services.importer.mapping import Mapping


def write_csv(path, rows, encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as fh:
        csv.writer(fh).writerows(rows)
    return path


def deals_by_source(db, system):
    with db.read() as s:
        rows = s.execute(select(Opportunity, Stage.position).join(Stage, Opportunity.stage_id == Stage.id)
                         .where(Opportunity.source_system == system)).all()
        return {o.source_id: (o, pos) for o, pos in rows}


def visits(db, deal_id):
    with db.read() as s:
        return list(s.execute(
            select(StageTransition.at, Stage.position, StageTransition.to_status, StageTransition.kind,
                   StageTransition.left_at, StageTransition.imported)
            .join(Stage, StageTransition.to_stage_id == Stage.id)
            .where(StageTransition.opportunity_id == deal_id).order_by(StageTransition.at)).all())


GENERIC = [
    ["source_id", "title", "account", "owner", "amount", "currency", "expected_close", "created", "stage", "status"],
    ["g1", "서버 증설", "한빛전자", "박지성", "￦15,000,000", "", "2026-03-31", "2026-01-05", "3", "open"],
    ["g2", "ERP 교체", "대한물산", "박지성", "1,200,000", "KRW", "2026/04/30", "2026-01-06", "제안", "open"],
    ["g3", "보안 점검", "한빛전자", "이영희", "5000000", "", "", "2026-01-07", "7", "won"],
]


@pytest.mark.parametrize("encoding", ["cp949", "utf-8-sig", "utf-8", "utf-16"])
def test_korean_csv_in_every_encoding(db, tmp_path, encoding):
    path = write_csv(tmp_path / "deals.csv", GENERIC, encoding)
    res = import_file(db, path, preset="generic")
    assert (res.created, res.users_created, res.accounts_created) == (3, 2, 2)
    deals = deals_by_source(db, "import")
    g1, pos1 = deals["g1"]
    assert g1.title == "서버 증설" and g1.amount == Decimal("15000000.00") and g1.currency == "KRW"
    assert pos1 == 3 and g1.expected_close == date(2026, 3, 31)
    assert deals["g2"][1] == 4  # the Korean stage name 제안 is stage 4
    g3, pos3 = deals["g3"]
    assert (g3.status, pos3) == ("won", 7)
    with db.read() as s:
        assert s.get(User, g1.owner_id).name == "박지성"


def test_xlsx_with_serial_and_real_date_cells(db, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Deal - ID", "Deal - Title*", "Deal - Value", "Deal - Currency of value", "Deal - Status",
               "Deal - Stage", "Deal - Deal created", "Deal - Won time", "Deal - Expected close date"])
    ws.append([101, "=HYPERLINK(\"x\")", 2500.5, "EUR", "Won", "Proposal Made", 46027, 46030.75, 46040])
    ws.append([102, "Fleet renewal", 1000, "USD", "Open", "Contact Made", datetime(2026, 1, 6, 9, 30),
               None, date(2026, 5, 1)])
    ws["B2"].data_type = "s"
    path = tmp_path / "pipedrive.xlsx"
    wb.save(path)

    res = import_file(db, path)  # the preset is guessed from the Deal - headers

    assert res.preset == "pipedrive" and res.created == 2
    deals = deals_by_source(db, "pipedrive")
    won, pos = deals["101"]
    assert won.title == '=HYPERLINK("x")' and won.amount == Decimal("2500.50") and won.currency == "EUR"
    assert (won.status, pos) == ("won", 7)
    assert won.expected_close == date(2026, 1, 18)  # serial 46040
    assert won.closed_at == datetime(2026, 1, 8, 18, 0, tzinfo=UTC)  # serial 46030.75 (46027 = 2026-01-05)
    # won from the stage the row names: open in 4 (Proposal Made) from its creation, won at 7
    assert [(v.position, v.to_status) for v in visits(db, won.id)] == [(4, "open"), (7, "won")]
    open_deal, pos = deals["102"]
    assert pos == 2 and open_deal.stage_entered_at == datetime(2026, 1, 6, 9, 30, tzinfo=UTC)


PIPEDRIVE_A = ("Deal - ID, Deal - Title, Deal - Creator, Deal - Owner, Deal - Value, Deal - Currency of Value, "
               "Deal - Weighted value, Deal - Probability, Deal - Organization, Deal - Pipeline, "
               "Deal - Contact person, Deal - Stage, Deal - Status, Deal - Deal created, Deal - Update time, "
               "Deal - Last stage change, Deal - Won time, Deal - Lost time, Deal - Deal closed on, "
               "Deal - Lost reason, Deal - Expected close date, Deal - Source origin").split(", ")
PIPEDRIVE_B = ("Deal - Title, Deal - Value, Organization*, Contact person*, Deal - Owner, Deal - Stage (pipeline), "
               "Deal - Expected close date, Deal - Currency of value, Deal - Creation date, Deal - Closed on, "
               "Deal - Lost reason, Deal - Lost time, Deal - Status, Deal - Won time, "
               "Deal - Pipedrive System ID").split(", ")


def test_pipedrive_export_layout_a(db, tmp_path):
    def row(**kw):
        return [kw.get(h, "") for h in PIPEDRIVE_A]
    rows = [PIPEDRIVE_A,
            row(**{"Deal - ID": "7", "Deal - Title": "Kiosk rollout", "Deal - Owner": "Ann Lee",
                   "Deal - Value": "$12,500", "Deal - Currency of Value": "USD", "Deal - Organization": "Acme",
                   "Deal - Contact person": "Bob Ray", "Deal - Stage": "Proposal Made", "Deal - Status": "open",
                   "Deal - Deal created": "2025-11-02 10:00:00", "Deal - Last stage change": "2025-12-01 08:00:00",
                   "Deal - Expected close date": "2026-02-28", "Deal - Source origin": "Web forms"}),
            row(**{"Deal - ID": "8", "Deal - Title": "Printers", "Deal - Owner": "ann lee", "Deal - Value": "900",
                   "Deal - Currency of Value": "USD", "Deal - Organization": "ACME",
                   "Deal - Stage": "Negotiations Started", "Deal - Status": "lost",
                   "Deal - Deal created": "2025-10-01 09:00:00", "Deal - Lost time": "2025-12-15 17:00:00",
                   "Deal - Lost reason": "Price"})]
    res = import_file(db, write_csv(tmp_path / "deals.csv", rows), preset="pipedrive")
    assert (res.created, res.users_created, res.accounts_created, res.contacts_created) == (2, 1, 1, 1)
    deals = deals_by_source(db, "pipedrive")
    d7, pos7 = deals["7"]
    assert pos7 == 4 and d7.stage_entered_at == datetime(2025, 12, 1, 8, tzinfo=UTC)
    assert d7.contact_id is not None and d7.lead_source_id is not None
    d8, pos8 = deals["8"]
    assert (d8.status, pos8, d8.loss_reason) == ("lost", 6, "Price")
    assert d8.owner_id == d7.owner_id and d8.account_id == d7.account_id  # names match case-insensitively
    assert d8.closed_at == datetime(2025, 12, 15, 17, tzinfo=UTC)
    assert [v.kind for v in visits(db, d8.id)] == ["created", "lost"]


def test_pipedrive_import_sheet_layout_b(db, tmp_path):
    rows = [PIPEDRIVE_B,
            ["Data migration", "1.234,56 €", "Globex", "Ann", "Ann", "Demo Scheduled (Sales pipeline)",
             "03/31/2026", "EUR", "01/15/2026", "", "", "", "Open", "", "555"]]
    import_file(db, write_csv(tmp_path / "import.csv", rows), preset="pipedrive")
    d, pos = deals_by_source(db, "pipedrive")["555"]
    assert (d.amount, d.currency, pos) == (Decimal("1234.56"), "EUR", 5)


def hubspot_rows():
    h = ["Record ID", "Deal Name", "Deal Stage", "Pipeline", "Deal owner", "Amount", "Currency", "Close Date",
         "Create Date", "Closed Lost Reason", "Primary Associated Company",
         'Date entered "Appointment Scheduled (Sales Pipeline)"',
         "Date entered 'Appointment Scheduled (Sales Pipeline)'",
         'Date entered "Qualified To Buy (Sales Pipeline)"',
         "Date entered 'Contract Sent (Sales Pipeline)'",
         'Date entered "Closed Won (Sales Pipeline)"',
         "Date entered 'Closed Lost (Sales Pipeline)'",
         'Date exited "Appointment Scheduled (Sales Pipeline)"',
         "Date entered current stage"]
    return [h,
            ["9001", "Cloud backup", "Closed Won", "Sales Pipeline", "Jo Park", "48000", "USD", "2026-02-10",
             "2026-01-02 09:00", "", "Initech",
             "2026-01-02 09:00", "2026-01-02 09:00", "2026-01-10 12:00", "2026-02-01 15:30",
             "2026-02-10 11:00", "", "2026-01-10 12:00", "2026-02-10 11:00"],
            ["9002", "Firewall", "Closed Lost", "Sales Pipeline", "Jo Park", "", "USD", "2026-02-20",
             "2026-01-03 10:00", "No budget", "Initech",
             "", "2026-01-03 10:00", "2026-01-20 10:00", "", "", "2026-02-20 16:00", "", ""],
            ["9003", "Laptops", "Qualified To Buy", "Sales Pipeline", "", "7,500", "USD", "2026-03-31",
             "2026-01-04 10:00", "", "",
             '2026-01-04 10:00', "", "2026-01-08 10:00", "", "", "", "", ""]]


def test_hubspot_date_entered_columns_become_history(db, tmp_path):
    res = import_file(db, write_csv(tmp_path / "hubspot-deals.csv", hubspot_rows()))
    assert res.preset == "hubspot" and res.created == 3
    assert res.history_rows == 4 + 3 + 2  # both quote styles of one stage count once
    deals = deals_by_source(db, "hubspot")
    won, pos = deals["9001"]
    v = visits(db, won.id)
    assert [(x.position, x.to_status, x.kind) for x in v] == [
        (1, "open", "created"), (2, "open", "forward"), (7, "open", "forward"), (7, "won", "won")]
    assert all(x.imported for x in v)
    assert [x.left_at for x in v] == [x.at for x in v[1:]] + [None]
    assert (won.status, pos, won.closed_at) == ("won", 7, datetime(2026, 2, 10, 11, tzinfo=UTC))
    lost, pos = deals["9002"]
    assert (lost.status, pos, lost.loss_reason) == ("lost", 2, "No budget")
    open_deal, pos = deals["9003"]
    assert (pos, open_deal.amount, open_deal.stage_entered_at) == (2, Decimal("7500.00"),
                                                                   datetime(2026, 1, 8, 10, tzinfo=UTC))
    with db.read() as s:
        assert s.get(User, open_deal.owner_id).name == "Imported"  # no owner and no --as


def test_reimport_updates_by_source_id_and_never_duplicates(db, tmp_path, rep):
    path = write_csv(tmp_path / "deals.csv", GENERIC)
    import_file(db, path, preset="generic", actor_id=rep.id)
    g1 = deals_by_source(db, "import")["g1"][0]

    rows = [list(r) for r in GENERIC]
    rows[1][4] = "16,000,000"  # amount
    rows[1][6] = "2026-04-15"  # expected close pushed
    rows[1][8] = "4"  # moved on to stage 4
    path2 = write_csv(tmp_path / "deals2.csv", rows)
    res = import_file(db, path2, preset="generic", actor_id=rep.id)

    assert (res.created, res.updated, res.unchanged, res.history_rows) == (0, 1, 2, 1)
    new, pos = deals_by_source(db, "import")["g1"]
    assert new.id == g1.id and new.version == g1.version + 1 and pos == 4
    assert new.amount == Decimal("16000000.00")
    assert [(x.position, x.kind) for x in visits(db, new.id)] == [(3, "created"), (4, "forward")]
    with db.read() as s:
        cds = s.execute(select(CloseDateChange.old_date, CloseDateChange.new_date, CloseDateChange.imported)
                        .where(CloseDateChange.opportunity_id == g1.id).order_by(CloseDateChange.at)).all()
    assert [tuple(c) for c in cds] == [(None, date(2026, 3, 31), True), (date(2026, 3, 31), date(2026, 4, 15), True)]
    again = import_file(db, path2, preset="generic", actor_id=rep.id)
    assert (again.created, again.updated, again.history_rows) == (0, 0, 0)
    assert len(list_deals(db)) == 3


def test_imported_history_is_not_gated_but_later_moves_are(db, tmp_path, rep):
    rows = [["source_id", "title", "owner", "stage"], ["x1", "Skipped ahead", rep.name, "6"]]
    import_file(db, write_csv(tmp_path / "d.csv", rows), preset="generic")
    deal, pos = deals_by_source(db, "import")["x1"]
    assert pos == 6  # no evidence for stages 1-5, imported anyway
    with pytest.raises(gates.GateRefused):
        gates.move_deal(db, deal.id, 7, actor_id=rep.id)


def test_every_bad_row_is_reported_with_its_column(db, tmp_path):
    rows = [GENERIC[0],
            ["b1", "", "A", "o", "10", "", "", "", "1", "open"],
            ["b2", "ok", "A", "o", "ten", "", "", "", "1", "open"],
            ["b3", "ok", "A", "o", "10", "XYZ", "2026-02-31", "", "9", "maybe"],
            ["b1", "dup", "A", "o", "10", "", "", "", "1", "open"]]
    with pytest.raises(ImportFailed) as info:
        import_file(db, write_csv(tmp_path / "bad.csv", rows), preset="generic")
    got = {(p.row, p.column) for p in info.value.problems}
    assert got == {(2, "title"), (3, "amount"), (4, "currency"), (4, "expected_close"), (4, "stage"),
                   (4, "status"), (5, "source_id")}
    assert "also on row 2" in next(p.message for p in info.value.problems if p.row == 5)
    assert list_deals(db) == []


def test_mapping_file_round_trip_and_errors(tmp_path):
    m = preset("hubspot")
    path = tmp_path / "m.json"
    save_mapping(m, path)
    back = load_mapping(path)
    assert back.to_dict() == m.to_dict()
    bad = {"fields": {"titel": "Name"}}
    path.write_text(json.dumps(bad), "utf-8")
    with pytest.raises(MappingError, match="titel"):
        load_mapping(path)
    with pytest.raises(MappingError, match="stage 9"):
        Mapping.from_dict({"stage_values": {"X": 9}})
    with pytest.raises(MappingError, match="timezone"):
        Mapping.from_dict({"timezone": "Mars/Base"})


def test_mapping_with_a_missing_column_and_a_timezone(db, tmp_path):
    rows = [["Name", "When", "Value"], ["Deal", "2026-01-05 09:00", "5"]]
    path = write_csv(tmp_path / "d.csv", rows)
    m = Mapping.from_dict({"source_system": "x", "fields": {"title": "Name", "created": "When", "owner": "Rep"}})
    with pytest.raises(ImportFailed) as info:
        import_file(db, path, mapping=m)
    assert [(p.row, p.column) for p in info.value.problems] == [(1, "Rep")]
    m = Mapping.from_dict({"source_system": "x", "timezone": "Asia/Seoul",
                           "fields": {"title": "Name", "created": "When", "amount": "Value"}})
    import_file(db, path, mapping=m)
    d, _ = next(iter(deals_by_source(db, "x").values()))
    assert d.stage_entered_at == datetime(2026, 1, 5, 0, tzinfo=UTC)  # 09:00 in Seoul


def test_a_history_file_for_a_layout_without_one_is_refused(db, tmp_path):
    path = write_csv(tmp_path / "deals.csv", GENERIC)
    with pytest.raises(ImportFailed) as info:
        import_file(db, path, preset="generic", history_path=path)
    assert "no history file" in info.value.problems[0].message
    assert list_deals(db) == []


def test_cancel_and_progress(db, tmp_path):
    from app.services.importer import ImportCancelled

    rows = [["source_id", "title"]] + [[f"c{i}", f"Deal {i}"] for i in range(5000)]
    path = write_csv(tmp_path / "many.csv", rows)
    seen = []
    res = import_file(db, path, preset="generic", progress=lambda d, t: seen.append((d, t)), dry_run=True)
    assert res.created == 5000
    assert seen[-1][0] == seen[-1][1] and all(d <= t for d, t in seen)
    calls = iter(range(10**6))
    with pytest.raises(ImportCancelled):
        import_file(db, path, preset="generic", cancelled=lambda: next(calls) >= 3)
    assert list_deals(db) == []


def test_reimport_of_a_deal_won_since_closes_it_at_its_won_time(db, tmp_path):
    head = ["Deal - ID", "Deal - Title", "Deal - Owner", "Deal - Stage", "Deal - Status", "Deal - Deal created",
            "Deal - Won time"]
    first = [head, ["41", "Renewal", "Ann", "Negotiations Started", "Open", "2026-01-02 10:00", ""]]
    import_file(db, write_csv(tmp_path / "a.csv", first))
    later = [head, ["41", "Renewal", "Ann", "Negotiations Started", "Won", "2026-01-02 10:00", "2026-02-03 16:00"]]
    res = import_file(db, write_csv(tmp_path / "b.csv", later))
    assert (res.updated, res.history_rows) == (1, 1)
    deal, pos = deals_by_source(db, "pipedrive")["41"]
    assert (deal.status, pos, deal.closed_at) == ("won", 7, datetime(2026, 2, 3, 16, tzinfo=UTC))
    assert [(v.position, v.to_status, v.kind, v.left_at) for v in visits(db, deal.id)] == [
        (6, "open", "created", datetime(2026, 2, 3, 16, tzinfo=UTC)), (7, "won", "won", None)]


@pytest.mark.postgresql
def test_reimport_never_overwrites_a_deal_changed_while_it_ran(db, tmp_path, rep, monkeypatch):
    """The bulk update applies only where the deal still has the version the import read:
    a deal renamed by someone else mid-import makes the whole import a conflict, with the
    other person's change kept and nothing of the import written (PostgreSQL: on SQLite the
    import's BEGIN IMMEDIATE keeps every other writer out until it ends)."""
    from sqlalchemy import create_engine, text

    from app.errors import ConflictError
    from app.services.importer import engine as import_engine

    import_file(db, write_csv(tmp_path / "deals.csv", GENERIC), preset="generic", actor_id=rep.id)
    g1 = deals_by_source(db, "import")["g1"][0]
    rows = [list(r) for r in GENERIC]
    rows[1][4] = "16,000,000"
    rows[2][4] = "9,000,000"
    path2 = write_csv(tmp_path / "deals2.csv", rows)
    other = create_engine(db.url)
    real_inserter = import_engine.BulkInserter

    def colleague_edits_then_write(*args, **kwargs):  # after the import read the deals, before it writes
        with other.begin() as conn:
            conn.execute(text("UPDATE opportunity SET title = 'Renamed by Lee', version = version + 1 "
                              "WHERE id = :id"), {"id": g1.id})
        return real_inserter(*args, **kwargs)

    monkeypatch.setattr(import_engine, "BulkInserter", colleague_edits_then_write)
    try:
        with pytest.raises(ConflictError, match="changed by someone else"):
            import_file(db, path2, preset="generic", actor_id=rep.id)
    finally:
        other.dispose()
    after = {k: v[0] for k, v in deals_by_source(db, "import").items()}
    assert after["g1"].title == "Renamed by Lee" and after["g1"].version == g1.version + 1
    assert after["g1"].amount == g1.amount  # the import's amount was not written over the rename
    assert after["g2"].amount != Decimal("9000000.00")  # all or nothing
