from __future__ import annotations

from sqlalchemy import func, select

from app.db import current_revision, head_revision, integrity_check, known_revisions, open_database

HELP = ("check the database: full integrity check, schema version, deals per stage and status "
        "(exit 1 if damaged or written by a newer version)")


def configure(p) -> None:
    pass


def run(args) -> int:
    from app.models import Opportunity, Stage

    db = open_database(args.db, create=False, migrate_schema=False, quick_check=False)
    try:
        result = integrity_check(db)
        print(f"database: {db.location}")
        print(f"integrity: {result}")
        if result != "ok":  # the schema version may not be readable either
            return 1
        rev = current_revision(db.engine)
        head = head_revision()
        newer = rev is not None and rev not in known_revisions()
        if rev == head:
            pending = ""
        elif newer:  # opening it refuses it, and its tables may not be the ones read below
            pending = (f" (written by a newer version of the program; this version expects {head} "
                       "and does not open it: update the program)")
        else:
            pending = f" (program expects {head}; it is migrated when opened)"
        print(f"schema: {rev}{pending}")
        if newer:
            return 1
        if rev is None:
            return 0
        with db.read() as s:
            rows = s.execute(
                select(Stage.position, Stage.name_en, Opportunity.status, func.count())
                .join(Opportunity, Opportunity.stage_id == Stage.id)
                .group_by(Stage.position, Stage.name_en, Opportunity.status)
                .order_by(Stage.position, Opportunity.status)
            ).all()
        totals: dict[str, int] = {}
        for pos, name, status, n in rows:
            print(f"stage {pos} {name:<28} {status:<5} {n:>8}")
            totals[status] = totals.get(status, 0) + n
        print("total: " + ", ".join(f"{k} {v}" for k, v in sorted(totals.items())) if totals else "total: no deals")
        return 0
    finally:
        db.dispose()
