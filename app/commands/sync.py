from __future__ import annotations

from app.db import open_database
from app.errors import AppError, Message
from app.services import sync as sync_service

HELP = "sync an offline replica with the team server: push its outbox, pull the server's changes"


def configure(p) -> None:
    p.add_argument("--server", metavar="URL", help="PostgreSQL URL of the team server "
                   "(default: the one the replica was created from)")
    p.add_argument("--conflicts", action="store_true", help="only list the sync conflicts")
    p.add_argument("--retry", metavar="OP_ID", help="re-apply a conflicting change to the deal as it is now")
    p.add_argument("--discard", metavar="OP_ID", help="drop a conflicting change")


def _print_conflicts(replica) -> int:
    items = sync_service.conflicts(replica)
    for c in items:
        server = c.server or {}
        print(f"{c.op_id}  {c.name} {c.args.get('deal_id', '')}  ({c.kind}) {c.error}")
        mine = {k: v for k, v in c.args.items() if k not in ("deal_id", "actor_id")}
        print(f"    yours:  {mine}")
        print(f"    server: stage {server.get('stage')} {server.get('status')} version {server.get('version')} "
              f"'{server.get('title')}'" if server else "    server: (deal not on the server)")
    return len(items)


def run(args) -> int:
    replica = open_database(args.db, create=False)
    try:
        st = sync_service.state(replica)
        if args.conflicts:
            n = _print_conflicts(replica)
            print(f"{n} sync conflict(s)")
            return 0
        if args.retry or args.discard:
            sync_service.resolve(replica, args.retry or args.discard, "retry" if args.retry else "discard")
            print("retried: it will be pushed on the next sync" if args.retry else "discarded")
            if not args.server:
                return 0
        url = args.server or st.server_url
        try:
            server = sync_service.open_server(url)
        except sync_service.LoginRefused as exc:  # the server is there: not "working offline"
            raise AppError(Message("{reason}; {count} change(s) wait in the outbox", reason=exc.message,
                                   count=sync_service.pending_count(replica))) from exc
        except AppError as exc:
            raise AppError(Message("server not reachable, working offline ({reason}); {count} change(s) wait in "
                                   "the outbox", reason=exc.message, count=sync_service.pending_count(replica))) from exc
        try:
            r = sync_service.sync(replica, server)
        finally:
            server.dispose()
        print(f"pushed {r.push.applied} change(s) ({r.push.skipped} already on the server), "
              f"{len(r.push.conflicts)} conflict(s); pulled {r.pull.rows} row(s), {r.pull.deleted} deleted")
        if r.push.conflicts:
            _print_conflicts(replica)
        return 0
    finally:
        replica.dispose()
