"""ORM models. No Qt here."""

from app.models.base import Base, Money, UTCDateTime, money, utcnow
from app.models.crm import (
    Account,
    Activity,
    ActivityType,
    Campaign,
    CloseDateChange,
    Contact,
    Evidence,
    ForecastCategory,
    LeadSource,
    Opportunity,
    Role,
    StageTransition,
    Status,
    TransitionKind,
    User,
)
from app.models.marketing import MarketingSpend, Target
from app.models.process import Deliverable, DeliverableKind, ProcessTemplate, Stage

__all__ = [
    "Account", "Activity", "ActivityType", "Base", "Campaign", "CloseDateChange", "Contact",
    "Deliverable", "DeliverableKind", "Evidence", "ForecastCategory", "LeadSource",
    "MarketingSpend", "Money", "Opportunity", "ProcessTemplate", "Role", "Stage",
    "StageTransition", "Status", "Target", "TransitionKind", "UTCDateTime", "User", "money",
    "utcnow",
]
