"""offline replica: outbox, change sequence, tombstones, applied operations

On PostgreSQL (the team server) every synced table gets ``change_seq`` (from one sequence)
and ``change_xid`` (the writing transaction, ``pg_current_xact_id()``), both set by a
BEFORE INSERT/UPDATE trigger; deletes leave a ``tombstone``; ``applied_operation`` makes
the replay of a replica's operations idempotent. On SQLite (a replica) the ``outbox`` of
named operations and the one-row ``replica_state`` are created.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SYNCED = (
    "process_template", "stage", "deliverable", "app_user", "account", "contact", "lead_source",
    "campaign", "opportunity", "stage_transition", "close_date_change", "evidence", "activity",
    "marketing_spend", "target",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_pg()
    op.create_table(
        "outbox",
        sa.Column("op_id", sa.String(36), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False, index=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("args", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("detail", sa.Text),
    )
    op.create_table(
        "replica_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client_id", sa.String(36), nullable=False),
        sa.Column("server_url", sa.Text, nullable=False),
        sa.Column("last_seq", sa.BigInteger),
        sa.Column("last_xmin", sa.String(32)),
        sa.Column("last_sync_at", sa.String(40)),
    )
    if op.get_bind().dialect.name == "postgresql":  # unused on the server, but not readable by all
        op.execute("REVOKE ALL ON outbox, replica_state FROM PUBLIC")


def _upgrade_pg() -> None:
    op.execute("CREATE SEQUENCE IF NOT EXISTS change_seq_seq")
    op.execute("""
        CREATE TABLE tombstone (
            table_name TEXT NOT NULL,
            row_id UUID NOT NULL,
            change_seq BIGINT NOT NULL DEFAULT nextval('change_seq_seq'),
            change_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
            PRIMARY KEY (table_name, row_id)
        )""")
    op.execute("CREATE INDEX ix_tombstone_seq ON tombstone (change_seq)")
    op.execute("CREATE INDEX ix_tombstone_xid ON tombstone (change_xid)")
    op.execute("""
        CREATE TABLE applied_operation (
            client_id UUID NOT NULL,
            op_id UUID NOT NULL,
            name TEXT,
            applied_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
            PRIMARY KEY (client_id, op_id)
        )""")
    op.execute("""
        CREATE OR REPLACE FUNCTION pm_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.change_seq := nextval('change_seq_seq');
            NEW.change_xid := pg_current_xact_id();
            RETURN NEW;
        END $$""")
    op.execute("""
        CREATE OR REPLACE FUNCTION pm_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO tombstone (table_name, row_id) VALUES (TG_TABLE_NAME, OLD.id)
            ON CONFLICT (table_name, row_id) DO UPDATE
               SET change_seq = nextval('change_seq_seq'), change_xid = pg_current_xact_id();
            RETURN OLD;
        END $$""")
    for t in SYNCED:
        op.execute(f"ALTER TABLE {t} ADD COLUMN change_seq BIGINT, ADD COLUMN change_xid xid8")
        op.execute(f"CREATE INDEX ix_{t}_change_seq ON {t} (change_seq)")
        op.execute(f"CREATE INDEX ix_{t}_change_xid ON {t} (change_xid)")
        op.execute(f"CREATE TRIGGER pm_{t}_stamp BEFORE INSERT OR UPDATE ON {t} "
                   "FOR EACH ROW EXECUTE FUNCTION pm_stamp_change()")
        op.execute(f"CREATE TRIGGER pm_{t}_tombstone AFTER DELETE ON {t} "
                   "FOR EACH ROW EXECUTE FUNCTION pm_tombstone()")
    # every database user reads changes and records its replays (row-level security of the
    # synced tables, where 0003 enables it, still applies to what a pull can see)
    op.execute("GRANT SELECT, INSERT, UPDATE ON tombstone, applied_operation TO PUBLIC")
    op.execute("GRANT USAGE, SELECT ON SEQUENCE change_seq_seq TO PUBLIC")


def downgrade() -> None:
    op.drop_table("replica_state")
    op.drop_table("outbox")
    if op.get_bind().dialect.name != "postgresql":
        return
    for t in SYNCED:
        op.execute(f"DROP TRIGGER IF EXISTS pm_{t}_stamp ON {t}")
        op.execute(f"DROP TRIGGER IF EXISTS pm_{t}_tombstone ON {t}")
        op.execute(f"ALTER TABLE {t} DROP COLUMN change_seq, DROP COLUMN change_xid")
    op.execute("DROP FUNCTION IF EXISTS pm_stamp_change()")
    op.execute("DROP FUNCTION IF EXISTS pm_tombstone()")
    op.execute("DROP TABLE applied_operation")
    op.execute("DROP TABLE tombstone")
    op.execute("DROP SEQUENCE change_seq_seq")
