from __future__ import annotations

import sys

from app.errors import AppError

HELP = "log in to a team server and keep the password in the system keyring"


def configure(p) -> None:
    p.add_argument("--user", required=True, metavar="LOGIN", help="your PostgreSQL login")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")


def read_password(from_stdin: bool, confirm: bool = False) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        import getpass

        if not sys.stdin.isatty():  # a script: getpass would echo, or meet the end of input
            raise AppError("no terminal to type the password in: pipe it in with --password-stdin")
        try:
            password = getpass.getpass("Password: ")
            if confirm and getpass.getpass("Again: ") != password:
                raise AppError("the passwords differ")
        except EOFError:
            raise AppError("no password given: type it at the prompt, or pipe it in with --password-stdin") \
                from None
    if not password:
        raise AppError("an empty password")
    return password


def run(args) -> int:
    from app.services import team

    if not args.db or "://" not in args.db:
        raise AppError("--db postgresql+psycopg://host/db (the team server) is required")
    user = team.login(args.db, args.user, read_password(args.password_stdin))
    print(f"logged in as {user.name} ({user.role}); password kept in the keyring")
    return 0
