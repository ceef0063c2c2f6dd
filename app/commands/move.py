from __future__ import annotations

import sys

from app.db import open_database
from app.services import gates
from app.services.deals import get_deal, resolve_deal_id
from app.services.people import find_user

HELP = "move a deal to a stage (1-7), 'won' or 'lost', enforcing the stage gates"


def configure(p) -> None:
    p.add_argument("deal_id", metavar="DEAL_ID", help="the deal's id (or a unique prefix of it)")
    p.add_argument("--to", required=True, metavar="STAGE|won|lost")
    p.add_argument("--as", dest="as_user", metavar="USER", help="who moves it (default: the deal's owner)")
    p.add_argument("--reason", help="why (required to move back, to reopen, and the loss reason for lost)")
    p.add_argument("--override", metavar="TEXT", help="manager only: pass a gate with this written reason")


def run(args) -> int:
    db = open_database(args.db, create=False)
    try:
        deal_id = resolve_deal_id(db, args.deal_id)
        deal = get_deal(db, deal_id)
        actor = find_user(db, args.as_user) if args.as_user else None
        actor_id = actor.id if actor else deal.owner_id
        try:
            result = gates.move_deal(
                db, deal_id, args.to, actor_id=actor_id, expected_version=deal.version,
                reason=args.reason, override_reason=args.override, loss_reason=args.reason,
            )
        except gates.GateRefused as refused:
            print(f"Move refused: '{deal.title}' is missing these exit deliverables:")
            for pos, items in sorted(refused.by_stage().items()):
                print(f"  stage {pos} {items[0].stage_name_en}:")
                for m in items:
                    print(f"    - {m.name_en} [{m.kind}: {m.key}]")
            sys.stdout.flush()
            raise
        where = result.to_status if result.to_status != "open" else f"stage {result.to_stage}"
        note = " (gate overridden)" if result.overridden else ""
        print(f"moved '{deal.title}' from stage {result.from_stage} to {where}{note}")
        return 0
    finally:
        db.dispose()
