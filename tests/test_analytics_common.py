"""Builders for the analytics tests: small histories with explicit timestamps.

Moves go through gates.move_deal with a manager's override (the gate itself is tested in
test_gates.py); close dates through deals.change_close_date. No tests live here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.services import deals, gates

REASON = "test history"


def D(day: int, hour: int = 0, minute: int = 0, month: int = 1, year: int = 2026) -> datetime:
    """A UTC timestamp, January 2026 unless told otherwise."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def new_deal(db, owner, title, at, **values):
    return deals.create_deal(db, title=title, owner_id=owner.id, at=at, **values).id


def move(db, deal_id, target, at, manager):
    """Any move (forward with override, back, won, lost) at a given time."""
    gates.move_deal(db, deal_id, target, actor_id=manager.id, override_reason=REASON, reason=REASON,
                    loss_reason=REASON, at=at)


def path(db, manager, deal_id, steps):
    """steps: [(target, at), ...] applied in order."""
    for target, at in steps:
        move(db, deal_id, target, at, manager)


def set_close(db, deal_id, new: date, at, actor):
    v = deals.get_deal(db, deal_id).version
    deals.change_close_date(db, deal_id, new, expected_version=v, actor_id=actor.id, at=at)


def build_dwell_world(db, rep, manager) -> dict[str, object]:
    """The January 2026 world used by the dwell, threshold, cycle, KPI and funnel tests.

    Stage 2 dwell (days), added up per deal:
      won  A: Jan 2->4 (2) + Jan 5->9 (4) = 6   B: Jan 3->5 = 2   C: Jan 2->6 = 4   D: Jan 2->12 = 10
      lost E: Jan 2->11 = 9   F: Jan 2->14 = 12   G: Jan 2->17 = 15
      open H: Jan 29 12:00 -> now (Feb 1 00:00) = 2.5
    X: created, moved and lost in December 2025 (outside a January period).
    Amounts: A 100, B 200, C 300, D 400 (won); E-G none; H 1000 (open).
    Owners: A, B, E, H rep; C, D, F, G manager.
    """
    ids: dict[str, object] = {}
    r, m = rep, manager
    ids["A"] = a = new_deal(db, r, "A", D(1), amount="100")
    path(db, m, a, [(2, D(2)), (3, D(4)), (2, D(5)), (3, D(9)), ("won", D(10))])
    ids["B"] = b = new_deal(db, r, "B", D(1), amount="200")
    path(db, m, b, [(2, D(3)), (3, D(5)), ("won", D(6))])
    ids["C"] = c = new_deal(db, m, "C", D(1), amount="300")
    path(db, m, c, [(2, D(2)), (3, D(6)), ("won", D(7))])
    ids["D"] = d = new_deal(db, m, "D", D(1), amount="400")
    path(db, m, d, [(2, D(2)), (3, D(12)), ("won", D(13))])
    for name, owner, lost_day in (("E", r, 11), ("F", m, 14), ("G", m, 17)):
        ids[name] = x = new_deal(db, owner, name, D(1))
        path(db, m, x, [(2, D(2)), ("lost", D(lost_day))])
    ids["H"] = h = new_deal(db, r, "H", D(20), amount="1000")
    path(db, m, h, [(2, D(29, 12))])
    ids["X"] = x = new_deal(db, r, "X", D(1, month=12, year=2025))
    path(db, m, x, [(2, D(3, month=12, year=2025)), ("lost", D(10, month=12, year=2025))])
    return ids
