from __future__ import annotations

import csv
import json
import sys

from app.db import open_database
from app.services.deals import list_deals

HELP = "list deals, filtered by stage, status or owner, as CSV or JSON"
COLUMNS = ["id", "title", "account", "owner", "stage", "stage_name", "status", "amount", "currency",
           "probability", "expected_close", "stage_entered_at", "version", "loss_reason"]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """Text a spreadsheet would run as a formula ("=HYPERLINK(...)", "+1", "@SUM") gets a
    leading apostrophe, so the CSV opens as the text it is; numbers and dates stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


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
