"""``pipeline-manager import FILE``: deals from a CSV/XLSX file or another CRM's export."""

from __future__ import annotations

import sys

from app.db import open_database

HELP = "import deals from CSV/XLSX (Pipedrive, Salesforce, HubSpot or our own columns); all or nothing"


def configure(p) -> None:
    from app.services.importer import PRESETS

    p.add_argument("file", metavar="FILE", help="the CSV or XLSX file (Salesforce: Opportunity.csv)")
    p.add_argument("--preset", choices=PRESETS,
                   help="the export layout (default: guessed from the header row)")
    p.add_argument("--mapping", metavar="MAPPING_FILE",
                   help="a JSON mapping file (docs/import-mapping.md); overrides --preset")
    p.add_argument("--history", metavar="FILE",
                   help="stage history file (Salesforce OpportunityHistory.csv; default: the one beside FILE)")
    p.add_argument("--encoding", metavar="NAME",
                   help="text encoding of FILE if CSV (e.g. cp1252, cp949, latin-1); default: UTF-8 "
                        "(with or without BOM), UTF-16 with BOM or Korean CP949, detected; the stage "
                        "history and lookup files are detected and read with it only if detection fails")
    p.add_argument("--dry-run", action="store_true",
                   help="check everything and report counts; write nothing (the database must exist)")
    p.add_argument("--as", dest="as_user", metavar="USER",
                   help="who imports; also the owner of rows without one (default: a user named 'Imported')")


def run(args) -> int:
    from app.services.importer import ImportFailed, import_file
    from app.services.people import find_user

    # a dry run writes nothing, not even a new database at a mistyped --db (refused in one
    # line, as by the read-only commands); a real import into a new file creates it
    db = open_database(args.db, create=not args.dry_run)
    try:
        actor = find_user(db, args.as_user) if args.as_user else None
        try:
            result = import_file(db, args.file, preset=args.preset, mapping=args.mapping,
                                 history_path=args.history, dry_run=args.dry_run, encoding=args.encoding,
                                 actor_id=actor.id if actor else None)
        except ImportFailed as failed:
            for p in failed.problems:
                print(str(p), file=sys.stderr)
            raise
    finally:
        db.dispose()
    print(result.summary())
    if result.history_file:
        print(f"stage history read from {result.history_file}")
    return 0
