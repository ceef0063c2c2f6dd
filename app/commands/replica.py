from __future__ import annotations

from app.services import sync as sync_service

HELP = "offline replica: 'replica create --server URL --db FILE' copies the team server into a new local file"


def configure(p) -> None:
    p.add_argument("action", choices=["create", "status"])
    p.add_argument("--server", metavar="URL", help="PostgreSQL URL of the team server (create)")


def run(args) -> int:
    from app.db import open_database, parse_url, to_url
    from app.errors import Message, ValidationError

    if args.action == "create":
        if not args.server or not getattr(args, "db", None):
            raise ValidationError({"replica create": Message("needs --server URL and --db FILE")})
        if parse_url(to_url(args.server)).get_backend_name() != "postgresql":  # a file path, foo://bar
            raise ValidationError({"--server": Message("the server must be a PostgreSQL URL")})
        server = sync_service.open_server(args.server)
        try:
            r = sync_service.create_replica(args.db, server, args.server)
        finally:
            server.dispose()
        print(f"replica {args.db} created: {r.rows} row(s) copied from the server")
        return 0
    replica = open_database(args.db, create=False)
    try:
        st = sync_service.state(replica)
        print(f"client {st.client_id} server {st.server_url} watermark {st.last_seq} "
              f"pending {sync_service.pending_count(replica)} conflicts {len(sync_service.conflicts(replica))}")
        return 0
    finally:
        replica.dispose()
