from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import date
from decimal import Decimal

from app.db import open_database
from app.errors import AppError
from app.models.base import utcnow

HELP = "sales KPIs, dwell, funnel, forecast, slippage and marketing figures for a period (text or --json)"


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (use YYYY-MM-DD)") from None


def _k(text: str) -> float:
    """The at-risk factor: a finite number above 0 (0 would flag every open deal, and nan or
    inf would make the JSON invalid)."""
    try:
        k = float(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not math.isfinite(k) or k <= 0:
        raise argparse.ArgumentTypeError(f"'{text}': k must be a finite number above 0, e.g. 1.5")
    return k


def configure(p) -> None:
    p.add_argument("--from", dest="start", type=_date, metavar="DATE",
                   help="first day of the period (default: start of the current quarter)")
    p.add_argument("--to", dest="end", type=_date, metavar="DATE",
                   help="last day of the period (default: end of the current quarter)")
    p.add_argument("--owner", metavar="NAME", help="only this owner's deals (name or id)")
    p.add_argument("--source", metavar="NAME", help="only deals from this lead source")
    p.add_argument("--currency", metavar="CODE", help="currency of the figures (default: the most common one)")
    p.add_argument("--k", type=_k, default=1.5, metavar="K",
                   help="at-risk factor: k x the median dwell of won deals (default 1.5)")
    p.add_argument("--json", action="store_true", help="print every figure as JSON (keys in docs/kpi.md)")


def _filters(db, args):
    from sqlalchemy import select

    from app.models import LeadSource
    from app.services.analytics import Filters, current_quarter
    from app.services.collation import same_name
    from app.services.people import find_user

    now = utcnow()
    q_start, q_end = current_quarter(now.date())
    start, end = args.start or q_start, args.end or q_end
    if end < start:
        raise AppError(f"--to {end} is before --from {start}")
    owner_id = find_user(db, args.owner).id if args.owner else None
    source_id = None
    if args.source:
        with db.read() as s:
            source_id = s.scalar(select(LeadSource.id).where(same_name(LeadSource.name_key, args.source)))
        if source_id is None:
            raise AppError(f"no lead source named '{args.source}'")
    currency = args.currency.strip().upper() if args.currency else None
    return Filters(start=start, end=end, owner_id=owner_id, lead_source_id=source_id, currency=currency, now=now)


def _pct(v) -> str:
    return "n/a" if v is None else f"{float(v) * 100:.1f} %"


def _num(v, digits: int = 1) -> str:
    return "n/a" if v is None else f"{float(v):,.{digits}f}"


def _money(v) -> str:
    return "n/a" if v is None else f"{Decimal(v):,}"


def _text(r: dict) -> str:
    p, k = r["period"], r["kpis"]
    lines = [f"Period {p['start']} to {p['end']} ({p['currency']})"
             + (f", {k['excluded_deals']} deal(s) in other currencies left out" if k["excluded_deals"] else ""),
             "",
             f"Win rate           {_pct(k['win_rate'])}  ({k['won_count']} won, {k['lost_count']} lost)",
             f"Won revenue        {_money(k['won_revenue'])}",
             f"Average won deal   {_money(k['avg_won_size'])}",
             f"Sales cycle        {_num(k['cycle_days'])} days",
             f"Pipeline velocity  {_money(k['velocity'])} per day",
             f"New deals          {k['new_deals']}",
             f"Open pipeline      {_money(k['open_pipeline'])} in {k['open_count']} deal(s)"
             + (f" at the end of {p['end']}" if p["end"] < p["now"][:10] else " now"),
             "", "Dwell per stage (median days: won / lost / open; lost/won ratio)"]
    for d in r["dwell"]:
        lines.append(f"  {d['stage']} {d['name_en']:<28} {_num(d['won']['median']):>7} {_num(d['lost']['median']):>7} "
                     f"{_num(d['open']['median']):>7}  {_num(d['lost_won_ratio'], 2)}")
    lines += ["", "Funnel (reached, went on)"]
    for s in r["funnel"]["steps"]:
        lines.append(f"  {s['stage']} {s['name_en']:<28} {s['reached']:>6} {s['went_on']:>6}  {_pct(s['share'])}")
    lines.append(f"  lead to won {_pct(r['funnel']['lead_to_won'])}")
    lines += ["", "Forecast (won, weighted, commit, best case, pipeline, target, coverage)"]
    for m in r["forecast"]:
        lines.append(f"  {m['month'][:7]}  {_money(m['won'])}  {_money(m['weighted'])}  {_money(m['commit'])}  "
                     f"{_money(m['best_case'])}  {_money(m['pipeline'])}  {_money(m['target'])}  "
                     f"{_num(m['coverage'], 2)}")
    sl = r["slippage"]
    lines += ["", f"Slippage: {len(sl['per_deal'])} deal(s) pushed, {len(sl['pushed_twice_or_more'])} twice or "
                  f"more, {len(sl['pushed_this_week'])} this week",
              f"At risk: {len(r['at_risk'])} open deal(s) over their stage's threshold"]
    if r["marketing"]:
        lines += ["", "Marketing (spend, leads, SQL, MQL->SQL, cost per lead, CAC, ROI)"]
        for m in r["marketing"]:
            name = m["lead_source"] if m["kind"] == "source" else f"  {m['campaign']}"
            lines.append(f"  {name:<28} {_money(m['spend']):>16} {m['leads']:>5} {m['sql']:>5} "
                         f"{_pct(m['mql_to_sql']):>8} {_money(m['cost_per_lead']):>14} {_money(m['cac']):>14} "
                         f"{_pct(m['roi']):>9}")
    if r["targets"]:
        lines += ["", "Targets (metric, owner, period, target, actual, attainment)"]
        for t in r["targets"]:
            lines.append(f"  {t['metric']:<12} {t['owner'] or 'team':<16} {t['period_start']}..{t['period_end']} "
                         f"{t['target']:>16} {t['actual'] if t['actual'] is not None else 'n/a':>16} "
                         f"{_num(t['attainment_pct'])} %")
    return "\n".join(lines)


def run(args) -> int:
    from app.services.analytics import kpi_report

    db = open_database(args.db, create=False)
    try:
        report = kpi_report(db, _filters(db, args), k=args.k)
    finally:
        db.dispose()
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(_text(report))
    return 0
