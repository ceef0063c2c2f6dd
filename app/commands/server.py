from __future__ import annotations

import argparse

from app.commands.login import read_password
from app.errors import AppError, Message

HELP = "team server on PostgreSQL: init (roles, row-level security), add-user, set-role, remove-user, restore-user"


def configure(p) -> None:
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--db", metavar="URL", default=argparse.SUPPRESS,
                    help="the team database as its owner, e.g. postgresql+psycopg://admin@host/db")
    sub = p.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    sub.add_parser("init", parents=[db], help="migrate the database, create the group roles and policies")
    add = sub.add_parser("add-user", parents=[db], help="create a person's login role and user")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", choices=["rep", "manager"], required=True)
    add.add_argument("--login", required=True, metavar="LOGIN", help="the person's PostgreSQL login")
    add.add_argument("--email")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    setr = sub.add_parser("set-role", parents=[db], help="make a member a rep or a manager (their login's group)")
    setr.add_argument("login", metavar="LOGIN")
    setr.add_argument("role", choices=["rep", "manager"])
    rm = sub.add_parser("remove-user", parents=[db],
                        help="take a member off the team: their login can no longer connect, their history stays")
    rm.add_argument("login", metavar="LOGIN")
    rm.add_argument("--reassign-to", metavar="LOGIN",
                    help="the member who takes over their open deals (required while they own any)")
    back = sub.add_parser("restore-user", parents=[db],
                          help="bring back a removed member: same login and user, a new password, the role given")
    back.add_argument("login", metavar="LOGIN")
    back.add_argument("--role", choices=["rep", "manager"], required=True)
    back.add_argument("--password-stdin", action="store_true", help="read the new password from standard input")


def run(args) -> int:
    from app.services import team

    if not args.db:
        raise AppError(Message("--db postgresql+psycopg://admin@host/db is required"))
    if args.server_command in ("add-user", "restore-user"):  # said before the password is asked
        team.require_owner(args.db)
    if args.server_command == "init":
        rev = team.init_server(args.db)
        print(f"team database ready (schema {rev}); groups {team.REP_GROUP}, {team.MANAGER_GROUP}")
        return 0
    if args.server_command == "set-role":
        user, was = team.set_role(args.db, args.login, args.role)
        print(f"{user.db_role} ({user.name}) is now a {user.role}" + ("" if was == user.role else f" (was {was})"))
        return 0
    if args.server_command == "remove-user":
        user, n, target = team.remove_member(args.db, args.login, args.reassign_to)
        handed = f"; {n} open deal(s) now owned by {target.db_role} ({target.name})" if target else ""
        print(f"removed {user.db_role} ({user.name}): the login can no longer connect{handed}; "
              "their history stays")
        return 0
    if args.server_command == "restore-user":
        password = read_password(args.password_stdin, confirm=True)
        user, was = team.restore_member(args.db, args.login, args.role, password)
        print(f"restored {user.db_role} ({user.name}) as a {user.role}" + ("" if was == user.role else f" (was {was})")
              + ": the login connects again with the new password; deals handed over at the removal stay "
              "with their new owner")
        return 0
    password = read_password(args.password_stdin, confirm=True)
    user = team.add_member(args.db, args.name, args.role, args.login, password, email=args.email)
    print(f"added {user.name} ({user.role}) with login {user.db_role}")
    return 0
