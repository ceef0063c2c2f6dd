"""``pipeline-manager move``: a deal to a stage, won or lost, through the gates.

Who moves it: on a team server or a replica, the member logged in (the replica's login);
``--as`` naming anyone else is refused there, so the history never credits a move to
someone who did not make it. On a single-user file, the deal's owner unless ``--as``."""

from __future__ import annotations

import sys

from sqlalchemy.exc import ArgumentError

from app.db import open_database
from app.errors import Message, PermissionDenied
from app.services import gates, team
from app.services.deals import get_deal, resolve_deal_id
from app.services.people import find_user

HELP = "move a deal to a stage (1-7), 'won' or 'lost', enforcing the stage gates"


def configure(p) -> None:
    p.add_argument("deal_id", metavar="DEAL_ID", help="the deal's id (or a unique prefix of it)")
    p.add_argument("--to", required=True, metavar="STAGE|won|lost")
    p.add_argument("--as", dest="as_user", metavar="USER",
                   help="who moves it, on a single-user file (default: the deal's owner); on a team server "
                        "or replica it is always you")
    p.add_argument("--reason", help="why (required to move back, to reopen, and the loss reason for lost)")
    p.add_argument("--override", metavar="TEXT", help="manager only: pass a gate with this written reason")


def actor_id(db, as_user: str | None, deal):
    """Who makes the move: the logged-in member on a team server or replica (``--as`` may
    only name them), else ``--as`` or the deal's owner."""
    me = team.current_user(db)
    if me is None:  # a single-user file (or a server login that is no member of the team)
        return find_user(db, as_user).id if as_user else deal.owner_id
    if as_user and as_user.strip() != me.db_role and find_user(db, as_user).id != me.id:
        raise PermissionDenied(Message(
            "--as {user}: on a team database a move is made by the member logged in, {name} ({login}); "
            "--as is for a single-user file", user=as_user, name=me.name, login=me.db_role))
    return me.id


def _with_password(target: str | None) -> str | None:
    """A team URL naming a login takes the password ``pipeline-manager login`` kept, as the
    desktop app does; anything else as given (open_database says what is wrong with it)."""
    if not target or "://" not in str(target):
        return target
    try:
        return team.admin_url_with_password(target)
    except (ArgumentError, ValueError):
        return target


def run(args) -> int:
    db = open_database(_with_password(args.db), create=False)
    try:
        deal_id = resolve_deal_id(db, args.deal_id)
        deal = get_deal(db, deal_id)
        who = actor_id(db, args.as_user, deal)
        try:
            result = gates.move_deal(
                db, deal_id, args.to, actor_id=who, expected_version=deal.version,
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
