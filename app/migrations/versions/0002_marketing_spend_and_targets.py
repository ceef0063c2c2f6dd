"""marketing spend and targets

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('target',
    sa.Column('metric', sa.String(length=64), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('value', app.models.base.Money(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['app_user.id'], name=op.f('fk_target_owner_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target'))
    )
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.create_index('ix_target_metric_period', ['metric', 'period_start'], unique=False)

    op.create_table('marketing_spend',
    sa.Column('lead_source_id', sa.Uuid(), nullable=False),
    sa.Column('campaign_id', sa.Uuid(), nullable=True),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('amount', app.models.base.Money(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_marketing_spend_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['lead_source_id'], ['lead_source.id'], name=op.f('fk_marketing_spend_lead_source_id_lead_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_marketing_spend'))
    )
    with op.batch_alter_table('marketing_spend', schema=None) as batch_op:
        batch_op.create_index('ix_spend_source_month', ['lead_source_id', 'month'], unique=False)



def downgrade() -> None:
    op.drop_table("marketing_spend")
    op.drop_table("target")
