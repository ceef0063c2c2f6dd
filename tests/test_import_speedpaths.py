"""The importer's shared pieces: stage and status values resolved by one service function
(the engine and the wizard both call it)."""

from __future__ import annotations

from types import SimpleNamespace

from app.services.importer.mapping import (
    Mapping,
    StageTarget,
    distinct_values,
    resolve_stage,
    resolve_status,
    stage_choices,
    status_choices,
)
from app.services.importer.parsing import Table

STAGES = [
    SimpleNamespace(position=1, key="lead", name_en="Lead", name_ko="리드"),
    SimpleNamespace(position=2, key="qualified", name_en="Qualified", name_ko="검증"),
    SimpleNamespace(position=3, key="proposal", name_en="Proposal Sent", name_ko="제안"),
]


def mapping() -> Mapping:
    return Mapping.from_dict({"stage_values": {"Closed Won": "won", "Demo booked": 2,
                                               "Signed": {"stage": 3, "status": "won"}},
                              "status_values": {"Gewonnen": "won", "Lead": "lost"}})


def test_resolve_stage_by_position_key_names_and_status_words():
    m = mapping()
    assert resolve_stage(m, STAGES, "3") == StageTarget(position=3)
    assert resolve_stage(m, STAGES, "qualified") == StageTarget(position=2)
    assert resolve_stage(m, STAGES, "  proposal   SENT ") == StageTarget(position=3)
    assert resolve_stage(m, STAGES, "리드") == StageTarget(position=1)
    assert resolve_stage(m, STAGES, "Won") == StageTarget(status="won")
    assert resolve_stage(m, STAGES, "lost") == StageTarget(status="lost")
    assert resolve_stage(m, STAGES, "OPEN") == StageTarget(status="open")
    assert resolve_stage(m, STAGES, "Negotiation") is None
    assert resolve_stage(m, STAGES, "4") is None  # no fourth stage in this process


def test_resolve_stage_mapping_first_and_pipeline_suffix():
    m = mapping()
    assert resolve_stage(m, STAGES, "demo booked") == StageTarget(position=2)
    assert resolve_stage(m, STAGES, "Closed Won (Sales Pipeline)") == StageTarget(status="won")
    assert resolve_stage(m, STAGES, "Signed") == StageTarget(position=3, status="won")
    assert resolve_stage(Mapping(), STAGES, "Closed Won (Sales Pipeline)") is None


def test_resolve_status_mapping_then_builtin_words():
    m = mapping()
    assert resolve_status(m, "gewonnen") == "won"
    assert resolve_status(m, "Lead") == "lost"  # the mapping's own word wins
    assert resolve_status(m, "Closed Lost") == "lost"
    assert resolve_status(m, "수주") == "won"
    assert resolve_status(m, "진행중") == "open"
    assert resolve_status(m, "open") == "open"
    assert resolve_status(m, "maybe") is None


def test_choices_and_distinct_values():
    assert stage_choices(STAGES) == [StageTarget(position=1), StageTarget(position=2), StageTarget(position=3),
                                     StageTarget(status="won"), StageTarget(status="lost")]
    assert status_choices() == [StageTarget(status="open"), StageTarget(status="won"), StageTarget(status="lost")]
    t = Table(path=None, headers=["Title", "Stage"],
              rows=[(2, ["a", "Lead "]), (3, ["b", "lead"]), (4, ["c", None]), (5, ["d", 2.0]), (6, ["e"]),
                    (7, ["f", "Won"])])
    assert distinct_values(t, "stage") == {"lead": "Lead", "2": "2", "won": "Won"}
    assert distinct_values(t, "stage", limit=2) == {"lead": "Lead", "2": "2"}
    assert distinct_values(t, "nope") == {}
