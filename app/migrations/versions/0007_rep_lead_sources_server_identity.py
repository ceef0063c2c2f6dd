"""reps add lead sources; the team database's identity, kept by each replica

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

On PostgreSQL (the team server):

- ``pm_rep`` may INSERT into ``lead_source`` (not UPDATE or DELETE: renaming, removing and
  the marketing figures stay the managers'). A rep typing a new lead source into a deal is
  ordinary CRM work, online or offline (``create_lead_source`` is a named operation a rep's
  replica records); before this revision the server refused it ("permission denied for
  table lead_source") and the replica's push stopped there.
- ``server_identity``: one row, a random id made here, readable by both groups. A replica
  keeps it (``replica_state.server_id``) when it is made and refuses to sync with a
  database of another id (another team's), which it would otherwise push its changes into.
  A copy of the database (pg_dump and restore, ``CREATE DATABASE ... TEMPLATE``) keeps the
  id: it is the same team's data.

On both engines ``replica_state.server_id`` (NULL for a replica made before this revision:
its first sync checks the server another way, see app/services/sync.py).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

REP, MANAGER = "pm_rep", "pm_manager"


def upgrade() -> None:
    with op.batch_alter_table("replica_state") as batch_op:
        batch_op.add_column(sa.Column("server_id", sa.String(36), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"GRANT INSERT ON lead_source TO {REP}")
    op.execute("""
        CREATE TABLE server_identity (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
        )""")
    op.execute("INSERT INTO server_identity DEFAULT VALUES")
    op.execute("REVOKE ALL ON server_identity FROM PUBLIC")
    op.execute(f"GRANT SELECT ON server_identity TO {REP}, {MANAGER}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE server_identity")
        op.execute(f"REVOKE INSERT ON lead_source FROM {REP}")
    with op.batch_alter_table("replica_state") as batch_op:
        batch_op.drop_column("server_id")
