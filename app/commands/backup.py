from __future__ import annotations

from pathlib import Path

from app.db import backup_sqlite, open_database
from app.errors import AppError

HELP = "write a consistent copy of the database file (safe while the app is open)"


def configure(p) -> None:
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the backup file to write")


def run(args) -> int:
    db = open_database(args.db, create=False, migrate_schema=False)
    try:
        if db.path is None:
            raise AppError("backup copies SQLite files; for PostgreSQL use pg_dump")
        out = Path(args.output).expanduser()
        if not out.parent.exists():
            raise AppError(f"{out.parent}: folder does not exist")
        backup_sqlite(db.path, out)
        print(f"backup written to {out}")
        return 0
    finally:
        db.dispose()
