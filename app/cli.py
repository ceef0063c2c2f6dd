"""Command-line entry point: ``pipeline-manager [SUBCOMMAND]``.

With no sub-command the desktop app opens. Exit codes: 0 success, 1 refused or invalid
operation (one line on stderr), 2 usage error. No traceback reaches the user: an
unexpected error prints one line and the path of a log with the details.
"""

from __future__ import annotations

import argparse
import importlib
import keyword
import sys
import traceback

from app import __version__
from app.errors import AppError

PROG = "pipeline-manager"
# one module per sub-command under app/commands/, each with HELP, configure(parser), run(args)
COMMANDS = ["demo", "check", "backup", "deals", "new-deal", "move", "import", "report", "kpi", "server", "login", "sync",
            "replica"]


def _db_parent(default=None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--db", metavar="PATH|URL", default=default,
                   help="database file or SQLAlchemy URL (default: pipeline.sqlite in the user data folder)")
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, parents=[_db_parent()],
                                     description="Sales-pipeline manager with a gated 7-stage process.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    # hidden: open the main window offscreen-capable, print its title, quit (packaging test)
    parser.add_argument("--smoke-test", metavar="LANG", nargs="?", const="ko", choices=("en", "ko"),
                        help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    parent = _db_parent(argparse.SUPPRESS)  # so `--db X COMMAND` and `COMMAND --db X` both work
    for name in COMMANDS:
        mod_name = name.replace('-', '_')
        if keyword.iskeyword(mod_name):  # "import" lives in app/commands/import_.py
            mod_name += "_"
        mod = importlib.import_module(f"app.commands.{mod_name}")
        p = sub.add_parser(name, parents=[parent], help=mod.HELP, description=mod.HELP)
        mod.configure(p)
        p.set_defaults(run=mod.run)
    return parser


def _log_crash() -> str:
    """Append the current exception's traceback, after a line with the time and the
    version, to ``crash.log`` in the user log folder; returns its path."""
    from datetime import UTC, datetime

    from platformdirs import user_log_path

    path = user_log_path("pipeline-manager", appauthor=False, ensure_exists=True) / "crash.log"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"--- {datetime.now(UTC).isoformat(timespec='seconds')} {PROG} {__version__}\n")
        traceback.print_exc(file=fh)
    return str(path)


def internal_error_line(exc: BaseException, log: str) -> str:
    """One line for an unexpected error: its type and the first line of its message, never
    the rest (an SQL error goes on with the statement and its parameters, customer data);
    the whole of it is in the log."""
    lines = str(exc).strip().splitlines()
    first = " ".join(lines[0].split()) if lines else ""
    if len(first) > 200:
        first = first[:199] + "…"
    what = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return f"{PROG}: internal error: {what}, details in {log}"


def _smoke_test(db_target: str | None, lang: str) -> int:
    """Open the main window on ``db_target`` (default: a new temporary file) in ``lang``,
    render it once and print its title and the translators loaded. Proves a built bundle
    has Qt, its plugins, the migrations, the template and the translations."""
    import tempfile
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    from app.db import open_database
    from app.views.application import app_icon, make_context
    from app.views.i18n import install_translators, installed_count
    from app.views.main_window import MainWindow
    from app.views.operations import wait_for_ops
    from app.views.settings import Settings, set_current

    app = QApplication.instance() or QApplication(sys.argv)
    app.setWindowIcon(app_icon())
    with tempfile.TemporaryDirectory(prefix="pipeline-smoke-") as tmp:
        settings = Settings.at(str(Path(tmp) / "settings.ini"))
        set_current(settings)
        install_translators(app, lang)
        db = open_database(db_target or str(Path(tmp) / "smoke.sqlite"))
        try:
            win = MainWindow(make_context(db, "Smoke Test", "manager", lang), settings)
            win.show()
            app.processEvents()
            wait_for_ops(10_000)
            app.processEvents()
            rendered = not win.grab().isNull()
            print(f"title={win.windowTitle()} menu={win.file_menu.title()} translators={installed_count()} "
                  f"rendered={rendered} icon={not win.windowIcon().isNull()}", flush=True)
            win.close()
            app.processEvents()
        finally:
            db.dispose()
    return 0 if rendered else 1


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 with a usage message on bad usage
    try:
        if args.smoke_test and args.command is None:
            return _smoke_test(args.db, args.smoke_test)
        if args.command is None:
            from app.views.application import run_gui

            return run_gui(args.db)
        return int(args.run(args) or 0)
    except AppError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # never a traceback for the user; the details go to a log
        log = _log_crash()
        print(internal_error_line(exc, log), file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
