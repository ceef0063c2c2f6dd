from __future__ import annotations

import sys

from app.db import open_database
from app.errors import AppError, ValidationError

HELP = "write the weekly-meeting Excel workbook (.xlsx) for a week"


def configure(p) -> None:
    p.add_argument("--week", metavar="WEEK",
                   help="the week: 2026-W47, 2026W47, 'week 47 of 2026', '2026년 47주차', "
                        "'2026년 제47주'; without a year (W47, 47주차) the latest such week "
                        "(default: the last complete week)")
    p.add_argument("--owner", metavar="NAME", help="only this person's deals")
    p.add_argument("--lang", choices=["en", "ko"], default="en", help="language of sheet names and headers")
    p.add_argument("-o", "--output", required=True, metavar="FILE.xlsx", help="the workbook to write")


def run(args) -> int:
    from app.services.weekly_report import (
        last_complete_iso_week,
        parse_week_text,
        write_weekly_report,
    )

    try:  # a bad week is refused before the database is opened
        week = parse_week_text(args.week) if args.week else last_complete_iso_week()
    except ValidationError as exc:
        raise AppError(f"--week: {exc.errors['week']}") from exc
    db = open_database(args.db, create=False)
    try:
        summary = write_weekly_report(db, args.output, week=week, owner=args.owner, lang=args.lang)
    finally:
        db.dispose()
    # the Open deals sheet is today's list (its subtitle says so), not the week's end
    print(f"wrote {summary.path} (week {summary.week}, {len(summary.sheets)} sheets; "
          f"{summary.open_deals} deals open as of today)", file=sys.stderr)
    return 0
