"""People, accounts, deals and their append-only history."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Keyed, keeps_name_key, name_key_column, new_id, utcnow
from app.models.process import Stage


class Role(StrEnum):
    REP = "rep"
    MANAGER = "manager"


class Status(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class ForecastCategory(StrEnum):
    PIPELINE = "pipeline"
    BEST_CASE = "best_case"
    COMMIT = "commit"
    OMITTED = "omitted"


class ActivityType(StrEnum):
    CALL = "call"
    MEETING = "meeting"
    EMAIL = "email"
    TASK = "task"
    NOTE = "note"


class TransitionKind(StrEnum):
    CREATED = "created"
    FORWARD = "forward"
    BACKWARD = "backward"
    WON = "won"
    LOST = "lost"
    REOPENED = "reopened"
    IMPORTED = "imported"


class User(Keyed, Base):
    __tablename__ = "app_user"
    name: Mapped[str] = mapped_column(String(200), unique=True)
    name_key: Mapped[str | None] = name_key_column()
    _name_key = keeps_name_key("name", "name_key")
    role: Mapped[str] = mapped_column(String(16), default=Role.REP.value)
    email: Mapped[str | None] = mapped_column(String(320))
    active: Mapped[bool] = mapped_column(default=True)
    # team mode: the PostgreSQL login role of this person (row-level security maps
    # current_user to this row); empty on a single-user SQLite file
    db_role: Mapped[str | None] = mapped_column(String(63), unique=True, index=True)


class Account(Keyed, Base):
    __tablename__ = "account"
    name: Mapped[str] = mapped_column(String(300), index=True)
    name_key: Mapped[str | None] = name_key_column(index=True)
    _name_key = keeps_name_key("name", "name_key")
    industry: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(100))
    website: Mapped[str | None] = mapped_column(String(300))
    source_system: Mapped[str | None] = mapped_column(String(32))
    source_id: Mapped[str | None] = mapped_column(String(100))


class Contact(Keyed, Base):
    __tablename__ = "contact"
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("account.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    name_key: Mapped[str | None] = name_key_column(index=True)
    _name_key = keeps_name_key("name", "name_key")
    job_title: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(64))
    account: Mapped[Account | None] = relationship()


class LeadSource(Keyed, Base):
    __tablename__ = "lead_source"
    name: Mapped[str] = mapped_column(String(200), unique=True)
    name_key: Mapped[str | None] = name_key_column()
    _name_key = keeps_name_key("name", "name_key")
    channel: Mapped[str | None] = mapped_column(String(100))


class Campaign(Keyed, Base):
    __tablename__ = "campaign"
    lead_source_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lead_source.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str | None] = name_key_column()
    _name_key = keeps_name_key("name", "name_key")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    lead_source: Mapped[LeadSource] = relationship()
    __table_args__ = (UniqueConstraint("lead_source_id", "name"),)


class Opportunity(Keyed, Base):
    """A deal. ``version`` is the optimistic lock: every write checks and bumps it."""

    __tablename__ = "opportunity"
    title: Mapped[str] = mapped_column(String(300))
    title_key: Mapped[str | None] = name_key_column()
    _title_key = keeps_name_key("title", "title_key")
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("account.id"), index=True)
    contact_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contact.id"))
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    amount: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(String(3), default="KRW")
    expected_close: Mapped[date | None]
    forecast_category: Mapped[str] = mapped_column(String(16), default=ForecastCategory.PIPELINE.value)
    lead_source_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("lead_source.id"), index=True)
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    stage_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stage.id"))
    status: Mapped[str] = mapped_column(String(8), default=Status.OPEN.value)
    stage_entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    loss_reason: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    source_system: Mapped[str | None] = mapped_column(String(32))
    source_id: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(default=1)

    account: Mapped[Account | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    owner: Mapped[User] = relationship()
    stage: Mapped[Stage] = relationship()
    lead_source: Mapped[LeadSource | None] = relationship()
    campaign: Mapped[Campaign | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_opportunity_status_stage", "status", "stage_id"),
        Index("ix_opportunity_source", "source_system", "source_id", unique=True),
        Index("ix_opportunity_expected_close", "expected_close"),
    )


class StageTransition(Base):
    """One entry of a deal into a stage/status. Append-only, except ``left_at``, which is
    written once, in the same transaction as the move that ends the visit."""

    __tablename__ = "stage_transition"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    opportunity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("opportunity.id", ondelete="CASCADE"))
    from_stage_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stage.id"))
    to_stage_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stage.id"))
    from_status: Mapped[str | None] = mapped_column(String(8))
    to_status: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    left_at: Mapped[datetime | None]
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    override_reason: Mapped[str | None] = mapped_column(Text)
    imported: Mapped[bool] = mapped_column(default=False)
    __table_args__ = (
        Index("ix_transition_deal_at", "opportunity_id", "at"),
        Index("ix_transition_dwell", "to_stage_id", "to_status", "at", "left_at", "opportunity_id"),
        Index("ix_transition_at", "at"),
    )


class CloseDateChange(Base):
    __tablename__ = "close_date_change"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    opportunity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("opportunity.id", ondelete="CASCADE"), index=True)
    old_date: Mapped[date | None]
    new_date: Mapped[date | None]
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    imported: Mapped[bool] = mapped_column(default=False)


class Evidence(Keyed, Base):
    """Proof that a check or document deliverable of a deal is satisfied."""

    __tablename__ = "evidence"
    opportunity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("opportunity.id", ondelete="CASCADE"))
    deliverable_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("deliverable.id"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)
    file_path: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    __table_args__ = (Index("ix_evidence_deal", "opportunity_id", "deliverable_id"),)


class Activity(Keyed, Base):
    __tablename__ = "activity"
    type: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    opportunity_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("opportunity.id", ondelete="CASCADE"))
    contact_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contact.id"))
    # the deal's stage when the activity was logged: "logged while in the stage"
    stage_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stage.id"))
    __table_args__ = (
        Index("ix_activity_deal", "opportunity_id", "type"),
        Index("ix_activity_owner_due", "owner_id", "done_at", "due_at"),
    )
