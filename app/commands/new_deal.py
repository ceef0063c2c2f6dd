"""``pipeline-manager new-deal``: a new open deal in stage 1, with any account, contact or
lead source named that does not exist yet, in one transaction.

Who creates it: on a team server or a replica, the member logged in (``--as`` may only name
them, as for ``move``); on a single-user file ``--as`` or the owner."""

from __future__ import annotations

from app.commands.move import _with_password
from app.db import open_database
from app.errors import AppError, Message, PermissionDenied, ValidationError
from app.services import deals, people, team

HELP = "create a deal in stage 1 (a new account, contact or lead source named is created with it)"

#: a service field -> the option that gives it, for a refusal's one line
OPTIONS = {"title": "--title", "account_id": "--account", "contact_id": "--contact", "owner_id": "--owner",
           "amount": "--amount", "currency": "--currency", "expected_close": "--close",
           "lead_source_id": "--source", "description": "--description", "name": "--account"}


def configure(p) -> None:
    p.add_argument("--title", required=True)
    p.add_argument("--account", metavar="NAME", help="an existing account (any case) or a new one")
    p.add_argument("--contact", metavar="NAME", help="a contact of the account, or a new one")
    p.add_argument("--owner", metavar="USER",
                   help="who owns it (default: you on a team server or replica, else the only user)")
    p.add_argument("--as", dest="as_user", metavar="USER",
                   help="who creates it, on a single-user file (default: the owner); on a team server or "
                        "replica it is always you; only a manager creates a deal for someone else")
    p.add_argument("--amount", metavar="AMOUNT", help="e.g. 1500000, 1,500,000 or ₩1,500,000")
    p.add_argument("--currency", metavar="CODE",
                   help="ISO 4217 code (default: the one the amount names, as in $5,000, else KRW)")
    p.add_argument("--close", metavar="YYYY-MM-DD", help="expected close date")
    p.add_argument("--source", metavar="NAME", help="lead source: an existing one (any case) or a new one")
    p.add_argument("--description", metavar="TEXT")


def _owner_and_actor(db, args):
    me = team.current_user(db)
    owner = people.find_user(db, args.owner) if args.owner else me
    if owner is None:
        users = people.list_users(db)
        if len(users) != 1:
            raise AppError(Message("--owner USER is required: the database has {count} users", count=len(users)))
        owner = users[0]
    if me is not None and args.as_user and args.as_user.strip() != me.db_role \
            and people.find_user(db, args.as_user).id != me.id:
        raise PermissionDenied(Message(
            "--as {user}: on a team database a deal is created by the member logged in, {name} ({login}); "
            "--as is for a single-user file", user=args.as_user, name=me.name, login=me.db_role))
    actor = me or (people.find_user(db, args.as_user) if args.as_user else owner)
    return owner, actor


def run(args) -> int:
    db = open_database(_with_password(args.db), create=False)
    try:
        owner, actor = _owner_and_actor(db, args)
        values = {"amount": args.amount, "currency": args.currency, "expected_close": args.close,
                  "description": args.description}
        try:
            deal = deals.create_deal_named(
                db, title=args.title, owner_id=owner.id, actor_id=actor.id, account=args.account,
                contact=args.contact, lead_source=args.source,
                **{k: v for k, v in values.items() if v is not None})
        except ValidationError as exc:  # the option to fix, not the program's field name
            raise ValidationError({OPTIONS.get(k, k): v for k, v in exc.errors.items()}) from exc
    finally:
        db.dispose()
    print(deal.id)
    return 0
