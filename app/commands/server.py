from __future__ import annotations

import argparse

from app.commands.login import read_password
from app.errors import AppError

HELP = "team server on PostgreSQL: init (roles, row-level security), add-user"


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


def run(args) -> int:
    from app.services import team

    if not args.db:
        raise AppError("--db postgresql+psycopg://admin@host/db is required")
    if args.server_command == "init":
        rev = team.init_server(args.db)
        print(f"team database ready (schema {rev}); groups {team.REP_GROUP}, {team.MANAGER_GROUP}")
        return 0
    password = read_password(args.password_stdin, confirm=True)
    user = team.add_member(args.db, args.name, args.role, args.login, password, email=args.email)
    print(f"added {user.name} ({user.role}) with login {user.db_role}")
    return 0
