"""sync under row-level security: rows that leave a member's sight

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

On PostgreSQL only (a replica has none of these tables; on SQLite this does nothing):

- ``access_change(table_name, row_id, member_id)``: written when a deal changes owner (for
  the old owner and the new one) or an activity changes owner or deal (for the old owner
  and the old deal's owner), stamped from the change sequence like every synced row. A
  pull re-checks each row named for its member: gone from the member's sight, it is
  removed from the replica (as a tombstone would); a deal newly visible gets its history.
- the trigger function is SECURITY DEFINER: members only read ``access_change`` (their
  own rows; a manager all), nobody can forge one.
"""
from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

REP, MANAGER = "pm_rep", "pm_manager"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar() or "public"
    path = f"SET search_path = {schema}, pg_temp"
    groups = f"{REP}, {MANAGER}"

    # rows that left (or entered) a member's sight without being deleted
    op.execute("""
        CREATE TABLE access_change (
            table_name TEXT NOT NULL,
            row_id UUID NOT NULL,
            member_id UUID NOT NULL,
            change_seq BIGINT NOT NULL DEFAULT nextval('change_seq_seq'),
            change_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
            PRIMARY KEY (table_name, row_id, member_id)
        )""")
    op.execute("CREATE INDEX ix_access_change_seq ON access_change (change_seq)")
    op.execute("CREATE INDEX ix_access_change_xid ON access_change (change_xid)")
    op.execute(f"""
        CREATE OR REPLACE FUNCTION pm_access_change() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
        DECLARE members uuid[];
        BEGIN
            IF TG_TABLE_NAME = 'opportunity' THEN
                members := ARRAY[OLD.owner_id, NEW.owner_id];
            ELSE  -- activity
                members := ARRAY[OLD.owner_id, (SELECT o.owner_id FROM opportunity o
                                                WHERE o.id = OLD.opportunity_id)];
            END IF;
            INSERT INTO access_change (table_name, row_id, member_id)
            SELECT DISTINCT TG_TABLE_NAME, NEW.id, m FROM unnest(members) m WHERE m IS NOT NULL
            ON CONFLICT (table_name, row_id, member_id) DO UPDATE
               SET change_seq = nextval('change_seq_seq'), change_xid = pg_current_xact_id();
            RETURN NULL;
        END $$""")
    op.execute("CREATE TRIGGER pm_opportunity_access AFTER UPDATE OF owner_id ON opportunity FOR EACH ROW "
               "WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id) EXECUTE FUNCTION pm_access_change()")
    op.execute("CREATE TRIGGER pm_activity_access AFTER UPDATE OF owner_id, opportunity_id ON activity "
               "FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id "
               "OR OLD.opportunity_id IS DISTINCT FROM NEW.opportunity_id) EXECUTE FUNCTION pm_access_change()")
    op.execute("ALTER TABLE access_change ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY pm_team ON access_change FOR SELECT TO {groups} "
               "USING (member_id = pm_current_user_id() OR pm_is_manager())")

    op.execute(f"GRANT SELECT ON access_change TO {groups}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS pm_opportunity_access ON opportunity")
    op.execute("DROP TRIGGER IF EXISTS pm_activity_access ON activity")
    op.execute("DROP FUNCTION IF EXISTS pm_access_change()")
    op.execute("DROP TABLE access_change")
