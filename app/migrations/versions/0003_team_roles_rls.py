"""team mode: database roles of users, row-level security (PostgreSQL only)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

On both engines: ``app_user.db_role``, the PostgreSQL login role of that person (unique).

On PostgreSQL only:

- two group roles, ``pm_rep`` and ``pm_manager`` (NOLOGIN, cluster-wide, created if
  missing); every person's login role is a member of exactly one of them;
- ``pm_current_user_id()`` maps ``current_user`` to ``app_user.id`` through ``db_role``;
  ``pm_is_manager()`` is membership of ``pm_manager`` (a fact of the server a rep cannot
  change, unlike a row of a table);
- GRANTs per table (reference tables readable by both groups; process template, lead
  sources, campaigns, spend and targets written by managers only; history append-only:
  ``stage_transition`` may only get its ``left_at`` updated);
- row-level security on the deal tables: a rep sees and writes the deals they own and
  what hangs off them (activities, evidence, transitions, close-date changes), a manager
  the whole team's; a transition with an override reason, or one recorded in somebody
  else's name, can only be written by a manager (RESTRICTIVE policies, so they hold
  whatever other policy is added later).

RLS is ENABLEd, not FORCEd: the table owner (the admin who runs ``server init`` and the
migrations, possibly not a superuser on a managed server) keeps seeing every row, while
people never log in as the owner.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

REP, MANAGER = "pm_rep", "pm_manager"
GROUPS = (REP, MANAGER)

# table -> (privileges of reps, privileges of managers)
_GRANTS: dict[str, tuple[str, str]] = {
    "alembic_version": ("SELECT", "SELECT"),
    "app_user": ("SELECT", "SELECT, INSERT, UPDATE (name, role, email, active, updated_at)"),
    "account": ("SELECT, INSERT, UPDATE", "SELECT, INSERT, UPDATE, DELETE"),
    "contact": ("SELECT, INSERT, UPDATE", "SELECT, INSERT, UPDATE, DELETE"),
    "lead_source": ("SELECT", "SELECT, INSERT, UPDATE, DELETE"),
    "campaign": ("SELECT", "SELECT, INSERT, UPDATE, DELETE"),
    "marketing_spend": ("SELECT", "SELECT, INSERT, UPDATE, DELETE"),
    "target": ("SELECT", "SELECT, INSERT, UPDATE, DELETE"),
    "process_template": ("SELECT", "SELECT, INSERT, UPDATE, DELETE"),
    "stage": ("SELECT", "SELECT, INSERT, UPDATE, DELETE"),
    "deliverable": ("SELECT", "SELECT, INSERT, UPDATE, DELETE"),
    "opportunity": ("SELECT, INSERT, UPDATE", "SELECT, INSERT, UPDATE, DELETE"),
    "activity": ("SELECT, INSERT, UPDATE, DELETE", "SELECT, INSERT, UPDATE, DELETE"),
    "evidence": ("SELECT, INSERT, UPDATE", "SELECT, INSERT, UPDATE, DELETE"),
    "stage_transition": ("SELECT, INSERT, UPDATE (left_at)", "SELECT, INSERT, UPDATE (left_at)"),
    "close_date_change": ("SELECT, INSERT", "SELECT, INSERT"),
}

_DEAL_VISIBLE = "EXISTS (SELECT 1 FROM opportunity o WHERE o.id = {t}.opportunity_id)"

# table -> (USING, WITH CHECK) of the permissive policy of both groups
_POLICIES: dict[str, tuple[str, str]] = {
    "opportunity": ("owner_id = pm_current_user_id() OR pm_is_manager()",) * 2,
    "activity": (
        "owner_id = pm_current_user_id() OR pm_is_manager() OR "
        "(opportunity_id IS NOT NULL AND " + _DEAL_VISIBLE.format(t="activity") + ")",
        "owner_id = pm_current_user_id() OR pm_is_manager()",
    ),
    "evidence": (_DEAL_VISIBLE.format(t="evidence"),) * 2,
    "stage_transition": (_DEAL_VISIBLE.format(t="stage_transition"),) * 2,
    "close_date_change": (_DEAL_VISIBLE.format(t="close_date_change"),) * 2,
}


def upgrade() -> None:
    op.add_column("app_user", sa.Column("db_role", sa.String(length=63), nullable=True))
    op.create_index("ix_app_user_db_role", "app_user", ["db_role"], unique=True)
    if op.get_bind().dialect.name != "postgresql":
        return
    for group in GROUPS:  # roles are cluster-wide: another database may have made them
        op.execute(f"""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{group}') THEN
                    CREATE ROLE {group} NOLOGIN;
                END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;  -- made concurrently
            END $$""")
    op.execute("""
        CREATE OR REPLACE FUNCTION pm_current_user_id() RETURNS uuid
        LANGUAGE sql STABLE AS
        $$ SELECT id FROM app_user WHERE db_role = current_user::text $$""")
    op.execute(f"""
        CREATE OR REPLACE FUNCTION pm_is_manager() RETURNS boolean
        LANGUAGE sql STABLE AS
        $$ SELECT pg_has_role(current_user, '{MANAGER}', 'MEMBER') $$""")
    op.execute(f"GRANT USAGE ON SCHEMA {_schema()} TO {REP}, {MANAGER}")
    for table, (rep_privs, manager_privs) in _GRANTS.items():
        op.execute(f"GRANT {rep_privs} ON {table} TO {REP}")
        op.execute(f"GRANT {manager_privs} ON {table} TO {MANAGER}")
    for table, (using, check) in _POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY pm_team ON {table} TO {REP}, {MANAGER} "
                   f"USING ({using}) WITH CHECK ({check})")
    # only a manager writes an override, or a move in somebody else's name
    op.execute(f"""
        CREATE POLICY pm_override_by_manager ON stage_transition AS RESTRICTIVE FOR INSERT
        TO {REP}, {MANAGER}
        WITH CHECK (pm_is_manager() OR (override_reason IS NULL
                                        AND user_id IS NOT DISTINCT FROM pm_current_user_id()))""")
    for table in ("evidence", "close_date_change"):
        op.execute(f"""
            CREATE POLICY pm_own_name ON {table} AS RESTRICTIVE FOR INSERT TO {REP}, {MANAGER}
            WITH CHECK (pm_is_manager() OR user_id IS NOT DISTINCT FROM pm_current_user_id())""")


def _schema() -> str:
    return op.get_bind().exec_driver_sql("SELECT current_schema()").scalar() or "public"


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("evidence", "close_date_change"):
            op.execute(f"DROP POLICY IF EXISTS pm_own_name ON {table}")
        op.execute("DROP POLICY IF EXISTS pm_override_by_manager ON stage_transition")
        for table in _POLICIES:
            op.execute(f"DROP POLICY IF EXISTS pm_team ON {table}")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        for table in _GRANTS:
            op.execute(f"REVOKE ALL ON {table} FROM {REP}, {MANAGER}")
        op.execute(f"REVOKE USAGE ON SCHEMA {_schema()} FROM {REP}, {MANAGER}")
        op.execute("DROP FUNCTION IF EXISTS pm_is_manager()")
        op.execute("DROP FUNCTION IF EXISTS pm_current_user_id()")
        # the group roles stay: they are cluster-wide and other databases may use them
    op.drop_index("ix_app_user_db_role", table_name="app_user")
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.drop_column("db_role")
