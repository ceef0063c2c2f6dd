from __future__ import annotations

import csv
import json
import sys

from sqlalchemy import select

from app.db import open_database
from app.models import Opportunity
from app.services.deals import list_deals
from app.services.importer.engine import FORMULA_START, spreadsheet_quoted

HELP = "list deals, filtered by stage, status or owner, as CSV or JSON"
# the generic import preset reads these back (id: the same deal; created_at, closed_at: its dates)
COLUMNS = ["id", "title", "account", "owner", "stage", "stage_name", "status", "amount", "currency",
           "probability", "expected_close", "stage_entered_at", "version", "loss_reason", "created_at",
           "closed_at"]

__all__ = ["COLUMNS", "FORMULA_START", "csv_safe", "configure", "run"]


def csv_safe(value):
    """Text a spreadsheet would run as a formula ("=HYPERLINK(...)", "+1", "@SUM") gets a
    leading apostrophe (Excel's quote prefix), so the CSV opens as the text it is; an import
    of the CSV takes it off again (importer.engine.spreadsheet_unquoted). Numbers and dates
    stay as they are."""
    if isinstance(value, str):
        return spreadsheet_quoted(value)
    return value


def _dates(db, ids) -> dict:
    """Deal id (text) -> (created_at, closed_at) in ISO form."""
    with db.read() as s:
        rows = s.execute(select(Opportunity.id, Opportunity.created_at, Opportunity.closed_at)).all()
    wanted = set(ids)
    return {str(i): (c.isoformat() if c else None, x.isoformat() if x else None)
            for i, c, x in rows if str(i) in wanted}


def configure(p) -> None:
    p.add_argument("--stage", type=int, choices=range(1, 8), metavar="N", help="stage number 1-7")
    p.add_argument("--status", choices=["open", "won", "lost"])
    p.add_argument("--owner", metavar="NAME")
    p.add_argument("--search", metavar="TEXT", help="text in the title or account name")
    p.add_argument("--format", choices=["csv", "json"], default="csv")


def run(args) -> int:
    db = open_database(args.db, create=False)
    try:
        rows = [r.as_dict() for r in list_deals(db, stage=args.stage, status=args.status,
                                                  owner=args.owner, search=args.search)]
        dates = _dates(db, [r["id"] for r in rows])
        for r in rows:
            r["created_at"], r["closed_at"] = dates[r["id"]]
    finally:
        db.dispose()
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        w = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows({k: csv_safe(v) for k, v in r.items()} for r in rows)
    return 0
