"""sync under row-level security: who sees a tombstone, an applied operation, a lost deal

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

On PostgreSQL only (a replica has none of these tables; on SQLite this does nothing):

- ``tombstone.owner_ids``: the members who could see the deleted row (the deal's owner;
  for an activity also its own owner); NULL for the tables everyone reads. A rep sees the
  tombstones naming them or NULL, a manager all. Tombstones written before this revision
  of the deal tables get ``{}`` (managers only): nobody knows any more whose they were.
- ``applied_operation.member_id`` (the pushing member, by default): a rep sees only the
  operations they pushed, a manager all. The push asks ``pm_operation_applied(client,
  op)`` (SECURITY DEFINER: yes or no for one pair of random ids, whoever recorded it, also
  the rows from before this revision, which have no member), so its idempotency does not
  depend on what the member may read.
- ``access_change(table_name, row_id, member_id)``: written when a deal changes owner (for
  the old owner and the new one) or an activity changes owner or deal (for the old owner
  and the old deal's owner), stamped from the change sequence like every synced row. A
  pull re-checks each row named for its member: gone from the member's sight, it is
  removed from the replica (as a tombstone would); a deal newly visible gets its history.
- the trigger functions writing tombstones and access changes are SECURITY DEFINER, so
  members need (and get) only SELECT on those tables: nobody can forge a tombstone that
  would delete rows from someone else's replica.
"""
from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

REP, MANAGER = "pm_rep", "pm_manager"
DEAL_TABLES = ("opportunity", "activity", "evidence", "stage_transition", "close_date_change")
_DEAL_OWNER = "(SELECT o.owner_id FROM opportunity o WHERE o.id = (to_jsonb(OLD) ->> 'opportunity_id')::uuid)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar() or "public"
    path = f"SET search_path = {schema}, pg_temp"
    groups = f"{REP}, {MANAGER}"

    # tombstones: whose they are
    op.execute("ALTER TABLE tombstone ADD COLUMN owner_ids uuid[]")
    op.execute("UPDATE tombstone SET owner_ids = '{}' WHERE table_name IN ("
               + ", ".join(f"'{t}'" for t in DEAL_TABLES) + ")")
    # a child deleted by the cascade of its deal finds no deal any more: the deal's own
    # tombstone (its owner's) removes it from the replica, by the replica's cascade
    op.execute(f"""
        CREATE OR REPLACE FUNCTION pm_tombstone() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
        DECLARE owners uuid[];
        BEGIN
            owners := array_remove(CASE
                WHEN TG_TABLE_NAME = 'opportunity' THEN ARRAY[(to_jsonb(OLD) ->> 'owner_id')::uuid]
                WHEN TG_TABLE_NAME = 'activity' THEN ARRAY[(to_jsonb(OLD) ->> 'owner_id')::uuid, {_DEAL_OWNER}]
                WHEN TG_TABLE_NAME IN ('evidence', 'stage_transition', 'close_date_change')
                    THEN ARRAY[{_DEAL_OWNER}]
                ELSE NULL END, NULL);
            INSERT INTO tombstone (table_name, row_id, owner_ids) VALUES (TG_TABLE_NAME, OLD.id, owners)
            ON CONFLICT (table_name, row_id) DO UPDATE
               SET change_seq = nextval('change_seq_seq'), change_xid = pg_current_xact_id(),
                   owner_ids = EXCLUDED.owner_ids;
            RETURN OLD;
        END $$""")
    op.execute("ALTER TABLE tombstone ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY pm_team ON tombstone FOR SELECT TO {groups} USING "
               "(owner_ids IS NULL OR pm_is_manager() OR pm_current_user_id() = ANY (owner_ids))")

    # applied operations: whose push
    op.execute("ALTER TABLE applied_operation ADD COLUMN member_id uuid DEFAULT pm_current_user_id()")
    op.execute("ALTER TABLE applied_operation ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY pm_team ON applied_operation FOR SELECT TO {groups} "
               "USING (pm_is_manager() OR member_id = pm_current_user_id())")
    op.execute(f"CREATE POLICY pm_own_name ON applied_operation FOR INSERT TO {groups} "
               "WITH CHECK (member_id IS NOT DISTINCT FROM pm_current_user_id())")
    op.execute(f"""
        CREATE OR REPLACE FUNCTION pm_operation_applied(client uuid, operation uuid) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER {path} AS
        $$ SELECT EXISTS (SELECT 1 FROM applied_operation WHERE client_id = client AND op_id = operation) $$""")

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

    # members read; only the (SECURITY DEFINER) triggers write tombstones and access changes
    op.execute("REVOKE ALL ON tombstone, applied_operation FROM PUBLIC")
    op.execute(f"GRANT SELECT ON tombstone, access_change TO {groups}")
    op.execute(f"GRANT SELECT, INSERT ON applied_operation TO {groups}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS pm_opportunity_access ON opportunity")
    op.execute("DROP TRIGGER IF EXISTS pm_activity_access ON activity")
    op.execute("DROP FUNCTION IF EXISTS pm_access_change()")
    op.execute("DROP TABLE access_change")
    op.execute("DROP FUNCTION IF EXISTS pm_operation_applied(uuid, uuid)")
    op.execute("DROP POLICY IF EXISTS pm_team ON applied_operation")
    op.execute("DROP POLICY IF EXISTS pm_own_name ON applied_operation")
    op.execute("ALTER TABLE applied_operation DISABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE applied_operation DROP COLUMN member_id")
    op.execute("DROP POLICY IF EXISTS pm_team ON tombstone")
    op.execute("ALTER TABLE tombstone DISABLE ROW LEVEL SECURITY")
    op.execute("""
        CREATE OR REPLACE FUNCTION pm_tombstone() RETURNS trigger
        LANGUAGE plpgsql SECURITY INVOKER AS $$
        BEGIN
            INSERT INTO tombstone (table_name, row_id) VALUES (TG_TABLE_NAME, OLD.id)
            ON CONFLICT (table_name, row_id) DO UPDATE
               SET change_seq = nextval('change_seq_seq'), change_xid = pg_current_xact_id();
            RETURN OLD;
        END $$""")
    op.execute("ALTER FUNCTION pm_tombstone() RESET search_path")
    op.execute("ALTER TABLE tombstone DROP COLUMN owner_ids")
    op.execute("GRANT SELECT, INSERT, UPDATE ON tombstone, applied_operation TO PUBLIC")
