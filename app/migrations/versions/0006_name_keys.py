"""name keys: the case-blind form of every name, stored beside it

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

``name_key`` on app_user, account, contact, lead_source and campaign, ``title_key`` on
opportunity: :func:`app.models.base.name_key` of the name (NFKC, Unicode case folding,
whitespace runs one space), computed here for the rows already stored. Matching a typed
name ("émile zola" finds "Émile Zola") and searching compare these columns as plain text,
the same on SQLite and on PostgreSQL under any collation. Accounts and contacts, which are
looked up by name, get an index on the key.

On PostgreSQL the keys are filled with the sync stamp triggers off: every replica computes
the same keys itself when it is upgraded, so the rows need not be pulled again.
"""
from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# table -> (name column, key column)
KEYED = {
    "app_user": ("name", "name_key"),
    "account": ("name", "name_key"),
    "contact": ("name", "name_key"),
    "lead_source": ("name", "name_key"),
    "campaign": ("name", "name_key"),
    "opportunity": ("title", "title_key"),
}
INDEXED = ("account", "contact")
CHUNK = 5000


def name_key(text: str) -> str:
    """app.models.base.name_key as of this revision (a migration keeps its own copy)."""
    text = unicodedata.normalize("NFKC", text)
    return unicodedata.normalize("NFKC", " ".join(text.split()).casefold())


def _stamp_triggers(table: str, enable: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    trigger = f"pm_{table}_stamp"
    if bind.exec_driver_sql("SELECT 1 FROM pg_trigger WHERE tgname = %(t)s", {"t": trigger}).first():
        op.execute(f"ALTER TABLE {table} {'ENABLE' if enable else 'DISABLE'} TRIGGER {trigger}")


def upgrade() -> None:
    bind = op.get_bind()
    for table, (name, key) in KEYED.items():
        op.add_column(table, sa.Column(key, sa.Text(), nullable=True))
        t = sa.table(table, sa.column("id", sa.Uuid()), sa.column(name, sa.Text()), sa.column(key, sa.Text()))
        rows = [{"b_id": i, "b_key": name_key(n)} for i, n in bind.execute(sa.select(t.c.id, t.c[name]))]
        if rows:
            _stamp_triggers(table, enable=False)
            stmt = sa.update(t).where(t.c.id == sa.bindparam("b_id")).values({key: sa.bindparam("b_key")})
            for i in range(0, len(rows), CHUNK):
                bind.execute(stmt, rows[i:i + CHUNK])
            _stamp_triggers(table, enable=True)
        if table in INDEXED:
            op.create_index(op.f(f"ix_{table}_{key}"), table, [key])


def downgrade() -> None:
    for table, (_name, key) in KEYED.items():
        if table in INDEXED:
            op.drop_index(op.f(f"ix_{table}_{key}"), table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column(key)
