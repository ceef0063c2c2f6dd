from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.db import open_database  # noqa: E402
from app.models import DeliverableKind  # noqa: E402
from app.services import activities, evidence, people  # noqa: E402
from app.services.process import active_stages  # noqa: E402

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "test.sqlite")
    yield database
    database.dispose()


@pytest.fixture
def rep(db):
    return people.create_user(db, "Kim Min-su", "rep")


@pytest.fixture
def manager(db):
    return people.create_user(db, "Lee Ji-eun", "manager")


def satisfy_stage(db, deal_id, position, actor_id, at=None):
    """Record whatever stage ``position`` needs for the deal (test helper)."""
    from app.models import Opportunity

    with db.read() as s:
        stage = active_stages(s)[position - 1]
        deal = s.get(Opportunity, deal_id)
        dels = list(stage.deliverables)
    for d in dels:
        kind = DeliverableKind(d.kind)
        if kind is DeliverableKind.CHECK:
            evidence.record_evidence(db, deal_id, d.id, actor_id=actor_id, note="ok", at=at)
        elif kind is DeliverableKind.DOCUMENT:
            evidence.record_evidence(db, deal_id, d.id, actor_id=actor_id, link="https://example.com/doc", at=at)
        elif kind is DeliverableKind.ACTIVITY:
            activities.log_activity(db, type=d.activity_type_list[0], subject=d.name_en, owner_id=actor_id,
                                    deal_id=deal_id, stage_id=stage.id, done_at=at or T0, at=at)
        elif kind is DeliverableKind.FIELD:
            assert all(getattr(deal, f) is not None for f in d.field_list), d.key
