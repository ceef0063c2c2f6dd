"""Marketing spend per lead source / campaign and SMART targets (added in migration 0002)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Keyed


class MarketingSpend(Keyed, Base):
    """Money spent on a lead source (optionally one campaign) in one calendar month."""

    __tablename__ = "marketing_spend"
    lead_source_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lead_source.id"))
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("campaign.id"))
    month: Mapped[date]  # first day of the month
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3), default="KRW")
    __table_args__ = (Index("ix_spend_source_month", "lead_source_id", "month"),)


class Target(Keyed, Base):
    """A SMART goal: a metric, for one owner or the team (owner null), over a period, a value."""

    __tablename__ = "target"
    metric: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    period_start: Mapped[date]
    period_end: Mapped[date]
    value: Mapped[Decimal]
    currency: Mapped[str | None] = mapped_column(String(3))
    __table_args__ = (Index("ix_target_metric_period", "metric", "period_start"),)
