"""`pipeline-manager kpi`: JSON with the documented keys, text summary, usage and input errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_analytics_common import build_dwell_world

from app.cli import main

pytestmark = pytest.mark.both_engines

DOC_KEYS = ["period", "previous_period", "kpis", "previous_kpis", "dwell", "risk_thresholds", "at_risk",
            "cycle", "slippage", "funnel", "forecast", "marketing", "targets"]


@pytest.fixture
def world_db(db, db_url, rep, manager):
    build_dwell_world(db, rep, manager)
    return db_url


def run_kpi(capsys, *argv) -> tuple[int, str, str]:
    code = main(["kpi", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_report(world_db, capsys, rep):
    code, out, err = run_kpi(capsys, "--db", world_db, "--from", "2026-01-01", "--to", "2026-01-31", "--json")
    assert code == 0, err
    r = json.loads(out)
    assert list(r) == DOC_KEYS
    assert r["period"]["start"] == "2026-01-01" and r["period"]["currency"] == "KRW"
    assert r["previous_period"] == {"start": "2025-12-01", "end": "2025-12-31"}
    k = r["kpis"]
    # 4 won (100 + 200 + 300 + 400), 3 lost in January
    assert (k["won_count"], k["lost_count"], k["won_revenue"], k["avg_won_size"]) == (4, 3, "1000.00", "250.00")
    assert k["win_rate"] == pytest.approx(4 / 7, abs=1e-6)
    # nothing won in December: undefined figures are null, money as strings
    p = r["previous_kpis"]
    assert (p["avg_won_size"], p["cycle_days"], p["velocity"], p["won_revenue"]) == (None, None, None, "0.00")
    s2 = r["dwell"][1]
    assert s2["stage"] == 2 and s2["won"]["median"] == 5.0 and s2["lost_won_ratio"] == 2.4
    assert r["risk_thresholds"]["2"] == 7.5
    assert [st["reached"] for st in r["funnel"]["steps"]][:3] == [8, 8, 4]
    assert r["forecast"][0]["month"] == "2026-01-01" and r["forecast"][0]["target"] is None
    assert r["cycle"]["overall"]["median"] == 7.5 and rep.name in r["cycle"]["by_owner"]
    assert set(r["slippage"]) == {"per_deal", "pushed_twice_or_more", "pushed_this_week", "by_week"}
    # the owner filter: the rep's deals A, B (won) and E (lost)
    code, out, _ = run_kpi(capsys, "--db", world_db, "--from", "2026-01-01", "--to", "2026-01-31",
                           "--owner", rep.name, "--json")
    mine = json.loads(out)
    assert code == 0 and (mine["kpis"]["won_count"], mine["kpis"]["lost_count"]) == (2, 1)
    # the risk thresholds stay the team's (the rep's own won medians would give 1.5 x 4 = 6)
    assert mine["risk_thresholds"]["2"] == 7.5


def test_documented_keys_match_docs():
    """Every top-level key and every kpis key appears in docs/kpi.md."""
    doc = (Path(__file__).parents[1] / "docs" / "kpi.md").read_text("utf-8")
    documented = set(re.findall(r"`([a-z_0-9]+)`", doc))
    kpi_keys = ["win_rate", "avg_won_size", "cycle_days", "velocity", "new_deals", "won_revenue", "won_count",
                "lost_count", "open_count", "open_pipeline", "currency", "excluded_deals"]
    assert set(DOC_KEYS) <= documented
    assert set(kpi_keys) <= documented


def test_text_summary(world_db, capsys):
    code, out, _ = run_kpi(capsys, "--db", world_db, "--from", "2026-01-01", "--to", "2026-01-31")
    assert code == 0
    assert "Win rate           57.1 %  (4 won, 3 lost)" in out
    assert "Won revenue        1,000.00" in out
    assert "lead to won 50.0 %" in out


def test_errors(world_db, capsys, tmp_path):
    with pytest.raises(SystemExit) as exc:  # argparse: usage error
        main(["kpi", "--db", world_db, "--from", "2026-02-30", "--json"])
    assert exc.value.code == 2 and "is not a date" in capsys.readouterr().err
    code, _, err = run_kpi(capsys, "--db", world_db, "--from", "2026-02-01", "--to", "2026-01-01")
    assert code == 1 and err.strip().count("\n") == 0 and "before" in err
    code, _, err = run_kpi(capsys, "--db", world_db, "--owner", "Nobody")
    assert code == 1 and "Nobody" in err
    code, _, err = run_kpi(capsys, "--db", world_db, "--source", "Nowhere")
    assert code == 1 and "Nowhere" in err
    code, _, err = run_kpi(capsys, "--db", str(tmp_path / "missing.sqlite"))
    assert code == 1 and "no such database" in err


@pytest.mark.postgresql
def test_demo_kpis_agree_on_sqlite_and_postgresql(pg_url, tmp_path, capsys, monkeypatch):
    """One seed, two engines: `kpi --json` prints the same figures (dates, money, medians,
    week buckets, ordering and NULL handling all agree). "Now" is pinned: open dwell runs to it."""
    from datetime import UTC, datetime

    import app.commands.kpi as kpi_command

    monkeypatch.setattr(kpi_command, "utcnow", lambda: datetime(2026, 6, 20, 15, 30, tzinfo=UTC))
    sqlite_file = str(tmp_path / "demo.sqlite")
    outputs = []
    for target in (sqlite_file, pg_url):
        assert main(["--db", target, "demo", "--deals", "150", "--seed", "7", "--end", "2026-06-30"]) == 0
        capsys.readouterr()
        for period in (["--from", "2026-04-01", "--to", "2026-06-30"], ["--from", "2025-01-01", "--to", "2026-06-30"]):
            code, out, err = run_kpi(capsys, "--db", target, *period, "--json")
            assert code == 0, err
            outputs.append(json.loads(out))
    assert outputs[0]["kpis"]["won_count"] > 0
    assert outputs[0] == outputs[2]
    assert outputs[1] == outputs[3]


def test_source_filter_finds_an_accented_name_in_any_case(db, db_url, capsys):
    """`kpi --source` finds the lead source stored as "Événement Seoul" typed in any case and
    form (the stored name key; SQLite's lower() leaves 'É' alone, so a lower()-on-both-sides
    match never found it there); without the accent it is another name."""
    from app.services import marketing

    marketing.create_lead_source(db, "Événement Seoul", "events")
    for typed in ("Événement Seoul", "ÉVéNEMENT sEOUL", "événement  seoul"):
        code, out, err = run_kpi(capsys, "--db", db_url, "--source", typed, "--json")
        assert code == 0, (typed, err)
    code, _, err = run_kpi(capsys, "--db", db_url, "--source", "evenement seoul")
    assert code == 1 and "evenement seoul" in err
