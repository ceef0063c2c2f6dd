"""Import of the real files in ../shared/realdata: the Maven CRM pipeline (8 800 deals) and the
Salesforce sample with its OpportunityHistory. Expected figures come from the CSV files read
here with the csv module, never from the importer."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter, defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.models import Account, Opportunity, StageTransition
from app.services.importer import ImportFailed, import_file

REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata"
REPO = Path(__file__).resolve().parents[1]
MAVEN = REAL / "maven-crm" / "sales_pipeline.csv"
MAVEN_MAPPING = REPO / "docs" / "examples" / "maven-crm.json"
SF_OPP = REAL / "salesforce-sample" / "Opportunity.csv"
SF_HIST = REAL / "salesforce-sample" / "OpportunityHistory.csv"

needs_maven = pytest.mark.skipif(not MAVEN.exists(), reason=f"real data file missing: {MAVEN}")
needs_sf = pytest.mark.skipif(not (SF_OPP.exists() and SF_HIST.exists()),
                              reason=f"real data files missing: {SF_OPP.parent}")


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def by_status(db, system: str) -> Counter:
    with db.read() as s:
        rows = s.execute(select(Opportunity.status, func.count()).where(Opportunity.source_system == system)
                         .group_by(Opportunity.status)).all()
    return Counter(dict(rows))


def amount_total(db, system: str, status: str | None = None) -> Decimal:
    with db.read() as s:
        q = select(Opportunity.amount).where(Opportunity.source_system == system, Opportunity.amount.is_not(None))
        if status:
            q = q.where(Opportunity.status == status)
        return sum(s.scalars(q), Decimal(0))


def table_counts(db) -> dict[str, int]:
    tables = ["opportunity", "stage_transition", "close_date_change", "app_user", "account", "contact",
              "lead_source", "evidence", "activity"]
    with db.engine.connect() as c:
        return {t: c.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables}


def digest(db) -> str:
    """A hash of every row of the tables an import writes, in a stable order."""
    h = hashlib.sha256()
    with db.engine.connect() as c:
        for t in ["opportunity", "stage_transition", "close_date_change", "app_user", "account",
                  "contact", "lead_source"]:
            for row in c.execute(text(f"SELECT * FROM {t} ORDER BY id")):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


@needs_maven
def test_maven_crm_counts_and_won_total_match_the_csv(db):
    rows = read_csv(MAVEN)
    status = {"Won": "won", "Lost": "lost"}
    expected = Counter(status.get(r["deal_stage"], "open") for r in rows)
    won_total = sum(Decimal(r["close_value"]) for r in rows if r["deal_stage"] == "Won")
    assert len(rows) == 8800

    res = import_file(db, MAVEN, mapping=MAVEN_MAPPING)

    assert (res.created, res.updated, res.unchanged) == (8800, 0, 0)
    assert by_status(db, "maven") == expected
    assert amount_total(db, "maven", "won") == won_total
    # one visit per open deal, an open visit and a closing per closed deal
    assert res.history_rows == expected["open"] + 2 * (expected["won"] + expected["lost"])
    with db.read() as s:
        owners = s.scalar(select(func.count(func.distinct(Opportunity.owner_id)))
                          .where(Opportunity.source_system == "maven"))
    assert owners == len({r["sales_agent"] for r in rows})

    before = table_counts(db)
    again = import_file(db, MAVEN, mapping=MAVEN_MAPPING)
    assert (again.created, again.updated, again.unchanged, again.history_rows) == (0, 0, 8800, 0)
    assert table_counts(db) == before


@needs_sf
def test_salesforce_sample_with_history(db):
    opps = read_csv(SF_OPP)
    hist = [h for h in read_csv(SF_HIST) if h["IsDeleted"].upper() != "TRUE"]
    expected = Counter("won" if o["StageName"] == "Closed Won" else "lost" if o["StageName"] == "Closed Lost"
                       else "open" for o in opps)
    total = sum(Decimal(o["Amount"]) for o in opps if o["Amount"].strip())
    # a closed row right after a closed row (7 deals: Closed Won, then Closed Lost on 03/07/26)
    # corrects that closing: the deal closed once, so the row adds no visit
    per_opp: Counter = Counter()
    corrected = {}
    when = lambda h: datetime.strptime(h["CreatedDate"], "%m/%d/%y %I:%M %p")  # noqa: E731
    for oid in {h["OpportunityId"] for h in hist}:
        rows = sorted((h for h in hist if h["OpportunityId"] == oid), key=when)
        for a, b in zip([None, *rows], rows, strict=False):
            if a is not None and a["StageName"].startswith("Closed") and b["StageName"].startswith("Closed"):
                corrected[oid] = (when(a).replace(tzinfo=UTC), b["StageName"])
            else:
                per_opp[oid] += 1
    assert len(corrected) == 7
    ids = {o["Id"] for o in opps}

    res = import_file(db, SF_OPP, preset="salesforce")  # history found beside Opportunity.csv

    assert res.history_file and Path(res.history_file).name == "OpportunityHistory.csv"
    assert res.created == len(opps)
    assert by_status(db, "salesforce") == expected
    assert amount_total(db, "salesforce") == total
    assert res.history_rows == sum(n for k, n in per_opp.items() if k in ids)
    with db.read() as s:
        got = dict(s.execute(
            select(Opportunity.source_id, func.count(StageTransition.id))
            .join(StageTransition, StageTransition.opportunity_id == Opportunity.id)
            .where(Opportunity.source_system == "salesforce").group_by(Opportunity.source_id)).all())
        flags = set(s.scalars(select(StageTransition.imported)))
    assert got == {k: n for k, n in per_opp.items() if k in ids}
    assert flags == {True}
    with db.read() as s:
        # the app's rule: a closed deal changes its outcome only through a reopen
        assert s.scalar(select(func.count()).select_from(StageTransition).where(
            StageTransition.from_status.in_(["won", "lost"]), StageTransition.to_status.in_(["won", "lost"]))) == 0
        closings = {sid: (at, status) for sid, at, status in s.execute(
            select(Opportunity.source_id, Opportunity.closed_at, Opportunity.status)
            .where(Opportunity.source_id.in_(corrected)))}
    assert closings == {oid: (at, "lost") for oid, (at, stage) in corrected.items() if stage == "Closed Lost"}

    # account ids are replaced by the names in Account.csv beside the file
    names = {a["Id"]: a["Name"] for a in read_csv(SF_OPP.parent / "Account.csv")}
    with db.read() as s:
        got_accounts = dict(s.execute(select(Opportunity.source_id, Account.name)
                                      .join(Account, Opportunity.account_id == Account.id)).all())
    assert got_accounts == {o["Id"]: names.get(o["AccountId"], o["AccountId"]) for o in opps}

    # the deal's state is that of its last history row; left_at chains the visits
    with db.engine.connect() as c:
        rows = c.execute(text(
            "SELECT o.id, o.status, o.stage_id, o.stage_entered_at, t.to_status, t.to_stage_id, t.at, t.left_at "
            "FROM opportunity o JOIN stage_transition t ON t.opportunity_id = o.id ORDER BY o.id, t.at")).all()
    chains = defaultdict(list)
    for r in rows:
        chains[r[0]].append(r)
    for chain in chains.values():
        for a, b in zip(chain, chain[1:], strict=False):
            assert a.left_at == b.at
        last = chain[-1]
        assert last.left_at is None
        assert (last.status, last.stage_id, last.stage_entered_at) == (last.to_status, last.to_stage_id, last.at)

    # a history row is added for each one of the file: United Oil SLA went Closed Won then Closed Lost
    hist_tl = sorted((h for h in hist if h["OpportunityId"] == "006bm00000LKJNTAA5"), key=lambda h: h["CreatedDate"])
    assert [h["StageName"] for h in hist_tl] == ["Closed Won", "Closed Lost"]

    before, d0 = table_counts(db), digest(db)
    again = import_file(db, SF_OPP, preset="salesforce", history_path=SF_HIST)
    assert (again.created, again.history_rows, again.close_date_changes) == (0, 0, 0)
    assert again.unchanged == len(opps)
    assert table_counts(db) == before and digest(db) == d0


@needs_maven
def test_bad_rows_in_the_middle_change_nothing_and_are_all_reported(db, tmp_path):
    if SF_OPP.exists():
        import_file(db, SF_OPP, preset="salesforce")  # something already in the database
    lines = MAVEN.read_bytes().decode("utf-8").splitlines(keepends=True)
    rows = list(csv.reader(lines))
    header = rows[0]
    # spreadsheet rows 50 and 51 are records 49 and 50 (the header is row 1)
    rows[49][header.index("engage_date")] = "2016-02-30"
    rows[50][header.index("close_value")] = "-1200"
    bad = tmp_path / "sales_pipeline_bad.csv"
    with open(bad, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    before, d0 = table_counts(db), digest(db)

    with pytest.raises(ImportFailed) as info:
        import_file(db, bad, mapping=MAVEN_MAPPING)

    found = {(p.file, p.row, p.column) for p in info.value.problems}
    assert found == {("sales_pipeline_bad.csv", 50, "engage_date"), ("sales_pipeline_bad.csv", 51, "close_value")}
    messages = {p.row: p.message for p in info.value.problems}
    assert "2016-02-30" in messages[50]
    assert "must be 0 or more" in messages[51]
    assert table_counts(db) == before
    assert digest(db) == d0


@needs_maven
def test_dry_run_writes_nothing_and_counts_what_it_would_do(db, tmp_path):
    d0, before = digest(db), table_counts(db)
    dry = import_file(db, MAVEN, mapping=MAVEN_MAPPING, dry_run=True)
    assert dry.dry_run and dry.created == 8800
    assert digest(db) == d0 and table_counts(db) == before
    real = import_file(db, MAVEN, mapping=MAVEN_MAPPING)
    assert (real.created, real.history_rows, real.users_created, real.accounts_created) == \
        (dry.created, dry.history_rows, dry.users_created, dry.accounts_created)

