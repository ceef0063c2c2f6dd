"""Offline replica <-> team server synchronisation. No Qt.

A replica is a SQLite file with a ``replica_state`` row (its client id, the server URL and
the pull watermark) and an ``outbox`` of named operations (app/services/outbox.py).

push
    Replays each pending operation on the server through the same service code, one
    server transaction per operation that also inserts ``applied_operation(client_id,
    op_id)`` (asked through ``pm_operation_applied``: a member reads only their own rows of
    that table): an operation already there is skipped, so a push interrupted anywhere (even
    by kill -9 between the server's commit and the local "applied" mark) is simply run
    again: nothing is lost and nothing is applied twice. An operation the server refuses
    (stale version: the deal moved meanwhile; gate no longer met; anything else refused)
    becomes a *conflict* with both sides kept (the op's args and the server's deal); later
    version-checked ops on the same deal follow it into the conflicts, and the deal is
    re-fetched from the server. Activities, evidence and history are append-only: their
    ops never depend on a deal's version and always merge.

pull
    Fetches every row changed since the last pull, and the tombstones of deleted rows, and
    upserts them (pulls are idempotent). Sequence numbers are taken at write time but
    transactions commit out of order, so "max seq seen" alone could skip a row committed
    later with a lower seq. Each row therefore also carries its writing transaction id
    (``change_xid``); a pull records the xmin of its snapshot, and the next pull also
    fetches every row whose ``change_xid >= `` that xmin. Any row invisible to the previous
    snapshot was written by a transaction that was in flight (xid >= xmin) or began later,
    so no commit can be skipped; rows seen twice are harmless upserts.

    A row can also leave a member's sight without being deleted: a deal handed to another
    owner, an activity to another person. No tombstone says so; the server's trigger writes
    ``access_change(table, row, member)`` instead (migration 0005), for the members who may
    have lost or gained the row, in the same change sequence. The pull reads the member's
    new ones (an indexed query that finds nothing when nothing changed) and re-checks those
    rows on the server: the ones out of sight are removed from the replica like a
    tombstone's (a deal with what hangs off it); a deal that came into sight gets its
    history, an activity that came into sight on its own (another person's without a deal,
    for a member made a manager) is fetched. Pending outbox operations on a removed deal
    stay and are refused on push ("the deal is no longer yours"); those naming an activity
    or evidence of it first note the deal's id in their ``detail``, since the row goes too.
    The replica holds an activity only with its deal.

    On push, an operation that changes a deal through an activity or evidence of it also
    checks, in its own server transaction, that the member still sees the deal (operations
    naming the deal read it anyway): row-level security would let one's own activity on a
    deal handed to someone else through, and every kind of change to a handed-away deal
    is to come back the same way.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import delete, exists, or_, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.db import Database, open_database, url_without_password
from app.errors import (
    AppError,
    ConflictError,
    Localized,
    Message,
    NotFound,
    PermissionDenied,
    ValidationError,
    from_json,
    to_json,
)
from app.models import (
    Account,
    Activity,
    Base,
    CloseDateChange,
    Contact,
    Deliverable,
    Evidence,
    LeadSource,
    Opportunity,
    ProcessTemplate,
    Stage,
    StageTransition,
    utcnow,
)
from app.services import outbox
from app.services.unit_of_work import NOTHING, OpChanges, UnitOfWork

CHUNK = 5000
# tests (kill -9): sleep before the N-th op of a push, or with "N:commit" right after the
# server committed op N but before the replica marked it applied
PAUSE_ENV = "PM_SYNC_TEST_PAUSE_AFTER"
PAUSED = "pm-sync-paused"


def _test_pause() -> None:
    """Say so on stdout (the test waits for that line, then kills), then wait to be killed."""
    print(PAUSED, flush=True)
    time.sleep(3600)


def synced_tables():
    return [t for t in Base.metadata.sorted_tables]


@dataclass
class ReplicaState:
    client_id: uuid.UUID
    server_url: str
    last_seq: int | None
    last_xmin: str | None
    server_id: str | None = None  # the team database's identity (migration 0007), None before


@dataclass
class PushResult:
    applied: int = 0
    skipped: int = 0  # already applied on the server by an earlier, interrupted push
    conflicts: list[str] = field(default_factory=list)


@dataclass
class PullResult:
    rows: int = 0
    deleted: int = 0


@dataclass
class SyncResult:
    push: PushResult
    pull: PullResult

    @property
    def changes(self) -> OpChanges:
        """What the sync changed in the replica, for the views: "reloaded" when the pull
        brought rows or deletions, or a refused push re-fetched its deals from the server
        (the rows written are not tracked one by one); nothing when nothing came."""
        if self.pull.rows or self.pull.deleted or self.push.conflicts:
            return OpChanges.of("reloaded")
        return NOTHING


@dataclass(frozen=True)
class Conflict:
    op_id: str
    name: str
    args: dict
    created_at: str
    error: str  # the server's words, in English (a Message when it gave one: message_text shows it)
    kind: str
    server: dict | None
    missing: list[str]  # "stage N: deliverable" per missing deliverable (Messages, names in both languages)


def state(replica: Database) -> ReplicaState:
    with replica.read() as s:
        row = s.execute(text("SELECT client_id, server_url, last_seq, last_xmin, server_id FROM replica_state")).first()
    if row is None:
        raise ValidationError({"db": Message("this database is not a replica (pipeline-manager replica create)")})
    return ReplicaState(uuid.UUID(row[0]), row[1], row[2], row[3], row[4])


def server_identity(server: Database) -> str | None:
    """The team database's own random id (migration 0007's ``server_identity``), the same
    whatever URL reaches it; None on a server not upgraded to it yet."""
    try:
        with server.read() as s:
            found = s.scalar(text("SELECT id FROM server_identity LIMIT 1"))
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == "42P01":  # no such table: an older server
            return None
        raise
    return str(found) if found else None


def check_server(replica: Database, server: Database) -> None:
    """Refuse a server that is not the team database this replica was made from (a push
    would send the replica's changes into another team's data). The replica keeps the
    server's identity (:func:`server_identity`) from its creation; one made before it
    existed is recognised by its process template, which it copied from its server with its
    ids (random per database), and then keeps the identity for the next time."""
    st = state(replica)
    ident = server_identity(server)
    if st.server_id is not None:
        same = ident == st.server_id
    else:
        with replica.read() as s:
            mine = set(s.scalars(select(ProcessTemplate.id)))
        with server.read() as s:
            same = bool(mine) and s.scalar(select(ProcessTemplate.id).where(ProcessTemplate.id.in_(mine))
                                           .limit(1)) is not None
        if same and ident is not None:
            with replica.write() as s:
                s.execute(text("UPDATE replica_state SET server_id = :i"), {"i": ident})
    if not same:
        raise ValidationError({"server": Message(
            "{server} is another team database, not the one this replica was made from ({url}); sync with that "
            "one, or make a new replica of this one (pipeline-manager replica create)",
            server=url_without_password(server.url), url=url_without_password(st.server_url))})


class LoginRefused(AppError):
    """The server is there but refuses this login: a wrong or missing password, or a login
    taken off the team (not "working offline": the next sync would be refused the same)."""


def open_server(url: str) -> Database:
    """The team server; a URL without a password takes the one ``pipeline-manager login``
    kept in the keyring for its user (else libpq's PGPASSWORD / .pgpass apply). A login the
    server refuses is :class:`LoginRefused`, in the words of ``pipeline-manager login``."""
    from sqlalchemy.engine import make_url

    from app.services.team import _refusal, admin_url_with_password, keyring_key

    try:
        db = open_database(admin_url_with_password(url), create=False, migrate_schema=False)
    except AppError as exc:
        u = make_url(url)
        cause = exc.__cause__
        said = str(getattr(cause, "orig", None) or cause or "")
        if u.username and "no password supplied" in said:
            raise LoginRefused(Message("no password stored for {key}; run: pipeline-manager login --db {url} "
                                       "--user {login}", key=keyring_key(url, u.username),
                                       url=u.set(username=None, password=None).render_as_string(),
                                       login=u.username)) from exc
        reason = _refusal(exc) if cause is not None else None
        if u.username and isinstance(reason, Message):  # a wrong password, a login removed from the team
            raise LoginRefused(Message("cannot log in as {key}: {reason}", key=keyring_key(url, u.username),
                                       reason=reason)) from exc
        raise
    if db.is_sqlite:
        db.dispose()
        raise ValidationError({"server": Message("the server must be a PostgreSQL URL")})
    return db


def create_replica(path: str, server: Database, server_url: str | None = None) -> PullResult:
    """A new replica file with a full copy of the server. The server's URL is kept without
    any password (the keyring, PGPASSWORD or ~/.pgpass give it at each sync)."""
    from pathlib import Path

    if Path(path).exists():
        raise ValidationError({"db": Message("{path} already exists", path=str(path))})
    replica = open_database(path)
    try:
        with replica.write() as s:  # the server's process template replaces the default one
            s.execute(delete(Deliverable))
            s.execute(delete(Stage))
            s.execute(delete(ProcessTemplate))
            s.execute(text("INSERT INTO replica_state (id, client_id, server_url, server_id) VALUES (1, :c, :u, :i)"),
                      {"c": str(uuid.uuid4()), "u": url_without_password(server_url or server.url),
                       "i": server_identity(server)})
        replica._pm_is_replica = True
        return _pull(replica, server)
    finally:
        replica.dispose()


# ------------------------------------------------------------------ pull

def _upsert(conn, table, rows: list[dict]) -> None:
    stmt = sqlite_insert(table)
    cols = {c.name: stmt.excluded[c.name] for c in table.c if not c.primary_key}
    conn.execute(stmt.on_conflict_do_update(index_elements=[c.name for c in table.primary_key], set_=cols), rows)


def pull(replica: Database, server: Database) -> PullResult:
    check_server(replica, server)
    return _pull(replica, server)


def _pull(replica: Database, server: Database) -> PullResult:
    st = state(replica)
    result = PullResult()
    full = st.last_seq is None or st.last_xmin is None
    with server.engine.connect().execution_options(isolation_level="REPEATABLE READ") as sc, sc.begin():
        xmin = sc.execute(text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")).scalar()
        # the sequence's last value, not the max of the rows: under row-level security a
        # max() reads past every row the member may not see. Larger than any seq this
        # snapshot shows, it skips nothing: a row it does not show was written by a
        # transaction with an xid >= xmin (in flight, or given its xid later), fetched next time
        seq = sc.execute(text("SELECT pg_sequence_last_value('change_seq_seq')")).scalar()
        params = {"ls": st.last_seq or 0, "xm": st.last_xmin or "0"}
        with replica.write() as rs:
            conn = rs.connection()
            for table in synced_tables():
                q = select(*table.c)
                if table is Activity.__table__:  # one's own activity on a deal one no longer sees
                    q = q.where(_deal_visible(table))
                if not full:
                    q = q.where(text(f"({table.name}.change_seq > :ls OR {table.name}.change_xid >= CAST(:xm AS xid8))")
                                .bindparams(**params))
                res = sc.execution_options(stream_results=True, yield_per=CHUNK).execute(q)
                for part in res.mappings().partitions(CHUNK):
                    rows = [dict(r) for r in part]
                    _upsert(conn, table, rows)
                    result.rows += len(rows)
            if not full:
                _note_deals(conn)  # before any deal leaves the replica
                removed, brought = _recheck_access(sc, conn, params)
                result.deleted += removed
                result.rows += brought
                by_name = {t.name: t for t in synced_tables()}
                tomb = sc.execute(text("SELECT table_name, row_id FROM tombstone WHERE change_seq > :ls "
                                       "OR change_xid >= CAST(:xm AS xid8)"), params).all()
                for table in reversed(synced_tables()):
                    ids = [r[1] for r in tomb if r[0] == table.name]
                    for i in range(0, len(ids), 500):
                        result.deleted += conn.execute(delete(by_name[table.name])
                                                       .where(table.c.id.in_(ids[i:i + 500]))).rowcount
            rs.execute(text("UPDATE replica_state SET last_seq = :s, last_xmin = :x, last_sync_at = :t"),
                       {"s": seq or 0, "x": xmin, "t": utcnow().isoformat()})
    return result


def _deal_visible(table):
    """The row hangs off no deal, or off a deal the server lets this member see."""
    deal = Opportunity.__table__
    return or_(table.c.opportunity_id.is_(None),
               exists().where(deal.c.id == table.c.opportunity_id))


def _recheck_access(sc, conn, params) -> tuple[int, int]:
    """Rows that left or entered this member's sight without being written or deleted for
    them (a deal handed to another owner, an activity to another person, the member's role
    changed: migration 0005's ``access_change``). Gone from sight, a row is removed from the
    replica like a tombstone's (a deal with everything hanging off it, by the replica's
    cascade; the outbox keeps its pending operations, refused on push); a row that came into
    sight is fetched, a deal with its history, since they did not change and so were not
    pulled. Returns (rows removed, rows brought)."""
    changed = sc.execute(text("SELECT table_name, row_id FROM access_change WHERE member_id = pm_current_user_id() "
                              "AND (change_seq > :ls OR change_xid >= CAST(:xm AS xid8))"), params).all()
    if not changed:
        return 0, 0
    removed = brought = 0
    gained: dict = {}
    for model in (Opportunity, Activity):
        table = model.__table__
        ids = [r[1] for r in changed if r[0] == table.name]
        seen = set()
        for i in range(0, len(ids), 500):
            seen.update(sc.scalars(select(table.c.id).where(table.c.id.in_(ids[i:i + 500]))))
        gone = [i for i in ids if i not in seen]
        for i in range(0, len(gone), 500):
            removed += conn.execute(delete(table).where(table.c.id.in_(gone[i:i + 500]))).rowcount
        gained[model] = [i for i in ids if i in seen]
    deal = Opportunity.__table__
    here = set()  # deal rows this pull brought (a deal handed over changed with its owner)
    deals_gained = gained[Opportunity]
    for i in range(0, len(deals_gained), 500):
        here.update(conn.scalars(select(deal.c.id).where(deal.c.id.in_(deals_gained[i:i + 500]))))
    missing = [i for i in deals_gained if i not in here]  # in sight without changing (the member's role did)
    for i in range(0, len(missing), 500):
        rows = [dict(r) for r in sc.execute(select(*deal.c).where(deal.c.id.in_(missing[i:i + 500]))).mappings()]
        if rows:
            _upsert(conn, deal, rows)
            brought += len(rows)
    for i in range(0, len(deals_gained), 500):
        part = deals_gained[i:i + 500]
        for model in (StageTransition, CloseDateChange, Evidence, Activity):
            table = model.__table__
            rows = [dict(r) for r in sc.execute(select(*table.c).where(table.c.opportunity_id.in_(part))).mappings()]
            if rows:
                _upsert(conn, table, rows)
                brought += len(rows)
    # activities in sight on their own, e.g. another person's that belong to no deal, for a
    # member just made a manager (those on a deal came with it, or are in the replica already)
    act = Activity.__table__
    acts = gained[Activity]
    for i in range(0, len(acts), 500):
        part = acts[i:i + 500]
        known = set(conn.scalars(select(act.c.id).where(act.c.id.in_(part))))
        new = [a for a in part if a not in known]
        if new:
            rows = [dict(r) for r in sc.execute(select(*act.c).where(act.c.id.in_(new), _deal_visible(act)))
                    .mappings()]
            if rows:
                _upsert(conn, act, rows)
                brought += len(rows)
    return removed, brought


# the operations that name a row hanging off a deal rather than the deal (their args have no
# deal_id): the argument and the row's model, to find which deal they change
_ROW_ARGS = {"activity_id": Activity, "evidence_id": Evidence, "transition_id": StageTransition}


def _local_deal(conn, args: dict) -> str | None:
    """The deal of the activity, evidence or move an operation names, as the replica knows
    it (None: it names none, or the row is not here)."""
    for key, model in _ROW_ARGS.items():
        if args.get(key):
            deal_id = conn.scalar(select(model.opportunity_id).where(model.id == uuid.UUID(args[key])))
            return str(deal_id) if deal_id else None
    return None


def _op_deal(conn, args: dict, detail: str | None) -> str | None:
    """The deal a pending or conflicting operation changes: named in its arguments, noted in
    its detail by a pull that removed the deal from here (see _note_deals), or found
    through the activity, evidence or move it names."""
    return args.get("deal_id") or json.loads(detail or "{}").get("deal_id") or _local_deal(conn, args)


def _note_deals(conn) -> None:
    """Before a pull removes deals (and what hangs off them) from the replica: each pending
    operation on an activity or evidence keeps the id of its deal in its ``detail``, so the
    push can still tell that it changes a deal no longer this member's."""
    pending = conn.execute(text("SELECT op_id, args FROM outbox WHERE status = 'pending' AND detail IS NULL")).all()
    for op_id, raw in pending:
        args = json.loads(raw)
        if args.get("deal_id") or not any(args.get(k) for k in _ROW_ARGS):
            continue
        deal_id = _local_deal(conn, args)
        if deal_id:
            conn.execute(text("UPDATE outbox SET detail = :d WHERE op_id = :id"),
                         {"d": json.dumps({"deal_id": deal_id}), "id": op_id})


# ------------------------------------------------------------------ push

def _server_deal(server: Database, deal_id) -> dict | None:
    with server.read() as s:
        row = s.execute(select(Opportunity, Stage.position).join(Stage, Opportunity.stage_id == Stage.id)
                        .where(Opportunity.id == deal_id)).first()
        if row is None:
            return None
        d, pos = row
        return {"id": str(d.id), "title": d.title, "stage": pos, "status": d.status, "version": d.version,
                "amount": None if d.amount is None else str(d.amount), "currency": d.currency,
                "expected_close": d.expected_close.isoformat() if d.expected_close else None,
                "stage_entered_at": d.stage_entered_at.isoformat(), "loss_reason": d.loss_reason}


def _mark(replica: Database, op_id: str, status: str, detail: dict | None = None) -> None:
    """Set an outbox row's status; a conflict's ``error`` (a Message or text) is kept both as
    English text and as its template and fields ("message"), to be shown translated."""
    if detail is not None and "error" in detail:
        detail = {**detail, "error": str(detail["error"]), "message": to_json(detail["error"])}
    with replica.write() as s:
        s.execute(text("UPDATE outbox SET status = :st, detail = :d WHERE op_id = :id"),
                  {"st": status, "d": json.dumps(detail) if detail is not None else None, "id": op_id})


NOT_YOURS = Message("the deal is no longer yours (the server gave it to someone else); this change was not applied")
DELETED = Message("the deal was deleted on the server; this change was not applied")
BLOCKED = Message("an earlier offline change to this deal is in conflict; resolve it first")
ACTIVITY_NOT_YOURS = Message("the activity is no longer yours to see (the server gave it to someone else, or your "
                             "role changed); this change was not applied")


def _gone(server: Database, deal_id: uuid.UUID) -> tuple[str, Message] | None:
    """Why the server shows this member no such deal: (kind, reason), or None if not known
    (the server then says what it says: "deal ... not found")."""
    with server.read() as s:
        if s.execute(text("SELECT 1 FROM access_change WHERE table_name = 'opportunity' AND row_id = :d "
                          "AND member_id = pm_current_user_id()"), {"d": deal_id}).first():
            return "revoked", NOT_YOURS
        if s.execute(text("SELECT 1 FROM tombstone WHERE table_name = 'opportunity' AND row_id = :d"),
                     {"d": deal_id}).first():
            return "deleted", DELETED
    return None


def _activity_gone(server: Database, activity_id: str) -> bool:
    """Whether an activity the server shows this member no more left their sight on its
    own (given to another person, or the member is a manager no longer: migration 0005's
    ``access_change``), rather than being deleted."""
    with server.read() as s:
        return s.execute(text("SELECT 1 FROM access_change WHERE table_name = 'activity' AND row_id = :a "
                              "AND member_id = pm_current_user_id()"), {"a": uuid.UUID(activity_id)}).first() is not None


def _describe(exc: AppError) -> tuple[str, list[str]]:
    from app.services.gates import GateRefused

    if isinstance(exc, GateRefused):
        return "gate", [to_json(Message("stage {position}: {deliverable}", position=m.stage_position,
                                        deliverable=Localized(m.name_en, ko=m.name_ko))) for m in exc.missing]
    if isinstance(exc, ConflictError):
        return "stale", []
    return "refused", []


def refresh_deals(replica: Database, server: Database, deal_ids) -> None:
    """Make the replica's copy of these deals and their history exactly the server's."""
    children = (StageTransition, CloseDateChange, Evidence, Activity)
    with server.read() as ss:
        data = {}
        for deal_id in deal_ids:
            deal = ss.execute(select(*Opportunity.__table__.c).where(Opportunity.id == deal_id)).mappings().first()
            kids = {m: [dict(r) for r in ss.execute(select(*m.__table__.c).where(m.opportunity_id == deal_id))
                        .mappings()] for m in children}
            data[deal_id] = (dict(deal) if deal else None, kids)
    with replica.write() as rs:
        conn = rs.connection()
        _note_deals(conn)
        for deal_id, (deal, kids) in data.items():
            if deal is None:
                conn.execute(delete(Opportunity.__table__).where(Opportunity.id == deal_id))
                continue
            _upsert(conn, Opportunity.__table__, [deal])
            for m, rows in kids.items():
                keep = [r["id"] for r in rows]
                conn.execute(delete(m.__table__).where(m.opportunity_id == deal_id, m.id.not_in(keep)))
                if rows:
                    _upsert(conn, m.__table__, rows)


def _pending(replica: Database, status: str = "pending"):
    with replica.read() as s:
        return s.execute(text("SELECT op_id, name, args, created_at, detail FROM outbox WHERE status = :st "
                              "ORDER BY seq"), {"st": status}).all()


def _applied(server: Database, client_id: uuid.UUID, op_id: str) -> bool:
    with server.read() as s:
        # not a SELECT of applied_operation: a member reads only their own rows of it
        return bool(s.scalar(text("SELECT pm_operation_applied(:c, :o)"), {"c": client_id, "o": uuid.UUID(op_id)}))


def server_refusal(exc: DBAPIError) -> Message | None:
    """The server's refusal of one change by its own rules, as a Message that says why (the
    server's one-line words kept in it), or None when the error is not a refusal of the
    change (a lost connection, a server shutting down: the push stops and is run again).
    Privileges and row-level security (SQLSTATE 42501: a rep's login writing a table or a
    row only a manager may) and integrity constraints (class 23) are refusals."""
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None) or ""
    if code != "42501" and not code.startswith("23"):
        return None
    lines = str(orig).strip().splitlines()
    said = " ".join(lines[0].split()) if lines else code
    if "pm_override_by_manager" in said:
        why = Message("only a manager can record a gate override or a move in someone else's name")
    elif "pm_own_name" in said:
        why = Message("only a manager can record this in someone else's name")
    elif "row-level security" in said and '"opportunity"' in said:
        why = Message("only a manager can give a deal to someone else")
    elif "row-level security" in said and '"activity"' in said:
        why = Message("only a manager can give an activity to someone else")
    elif "row-level security" in said:
        why = Message("the server's row-level security does not allow it to your login")
    elif code == "42501":
        why = Message("your login has no permission for it on the server")
    else:
        why = Message("it breaks a rule of the server's data")
    return Message("the server refused this change: {why} ({reason}); it was not applied", why=why, reason=said)


def _conflict(replica, server, result, op_id, deal_id, kind, error, missing, opdef, refresh, blocked,
              server_side=False) -> None:
    """Record a refused operation as a conflict; the replica's copy of its deal goes back to
    the server's, and the deal's later versioned changes wait behind it."""
    if server_side is False:
        server_side = _server_deal(server, uuid.UUID(deal_id)) if deal_id else None
    _mark(replica, op_id, "conflict", {"error": error, "kind": kind, "server": server_side,
                                       "missing": missing, "deal_id": deal_id})
    result.conflicts.append(op_id)
    if deal_id:
        refresh.add(uuid.UUID(deal_id))
        if opdef.versioned:
            blocked.add(deal_id)


@contextmanager
def _push_lock(replica: Database) -> Iterator[None]:
    """Hold the replica's push lock, or refuse at once: two pushes of one outbox at a time
    would replay the same operations side by side (harmless on the server, which applies
    each once, but wasted and confusing). The lock is the OS's on ``<replica>-sync.lock``
    (flock, or msvcrt on Windows), so a push killed anywhere leaves none behind."""
    if replica.path is None:
        yield
        return
    lock_path = replica.path.with_name(replica.path.name + "-sync.lock")
    with open(lock_path, "a+b") as f:
        try:
            _lock(f)
        except OSError as exc:
            raise AppError(Message("a sync of {path} is already running (another window or command); "
                                   "try again when it is done", path=str(replica.path))) from exc
        try:
            yield
        finally:
            _unlock(f)


def _lock(f) -> None:
    if os.name == "nt":
        import msvcrt

        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock(f) -> None:
    if os.name == "nt":
        import msvcrt

        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def push(replica: Database, server: Database) -> PushResult:
    """Replay the outbox on the server (see the module's docstring); one push of a replica
    at a time (:func:`_push_lock`)."""
    with _push_lock(replica):
        check_server(replica, server)
        return _push(replica, server)


def _push(replica: Database, server: Database) -> PushResult:
    from app.services.team import current_user

    st = state(replica)
    result = PushResult()
    member = current_user(server)  # whose login this is: the server's rules for them
    reg = outbox.registry()
    # the deals with an earlier offline change in conflict: their later versioned changes
    # wait (a change only waiting itself does not hold back the retry of the one it waits on)
    with replica.read() as rs:
        blocked = {_op_deal(rs, json.loads(r.args), r.detail) for r in _pending(replica, "conflict")
                   if json.loads(r.detail or "{}").get("kind") != "blocked"} - {None}
    refresh = set()
    pause = os.environ.get(PAUSE_ENV, "-1")
    pause_after = int(pause.split(":")[0])
    pause_commit = pause.endswith(":commit")
    for i, (op_id, name, raw_args, _created, detail) in enumerate(_pending(replica)):
        if i == pause_after and not pause_commit:
            _test_pause()
        args = json.loads(raw_args)
        # the deal it changes: named, or the deal of the activity / evidence it names (kept in
        # the detail by a pull that removed the deal from here, see _note_deals)
        with replica.read() as rs:
            deal_id = _op_deal(rs, args, detail)
        opdef = reg[name]
        if opdef.versioned and deal_id in blocked:
            server_side = _server_deal(server, uuid.UUID(deal_id))
            kind, error = (_gone(server, uuid.UUID(deal_id)) if server_side is None else None) or (
                "blocked", BLOCKED)
            _mark(replica, op_id, "conflict", {"error": error, "kind": kind, "server": server_side, "missing": [],
                                               "deal_id": deal_id})
            result.conflicts.append(op_id)
            refresh.add(uuid.UUID(deal_id))  # what it changed here goes: the deal as the server has it
            continue
        if _applied(server, st.client_id, op_id):
            _mark(replica, op_id, "applied")
            result.skipped += 1
            continue

        # an operation naming its deal reads it (and finds none the member no longer sees);
        # one through an activity may pass row-level security by another way (one's own
        # activity on a deal handed to someone else): it checks the deal in its transaction,
        # so that it too is refused as "the deal is no longer yours", not applied
        through_row = deal_id if not args.get("deal_id") else None

        def record(_db, s, op_id=op_id, name=name, deal_id=through_row):
            if deal_id and s.scalar(select(Opportunity.id).where(Opportunity.id == uuid.UUID(deal_id))) is None:
                raise NotFound(Message("deal {deal} not found", deal=deal_id))
            s.execute(text("INSERT INTO applied_operation (client_id, op_id, name) VALUES (:c, :o, :n)"),
                      {"c": st.client_id, "o": uuid.UUID(op_id), "n": name})

        try:
            why = outbox.member_refusal(member, name, args)  # as the server's policies would
            if why is not None:
                raise PermissionDenied(why)
            with outbox.hooked(uuid.UUID(op_id), record):
                outbox.call(server, name, args)
        except DBAPIError as exc:
            # a concurrent push of the same outbox got there first: its rows' keys (or the
            # applied_operation row) collide once it committed, and the operation is applied
            if isinstance(exc, IntegrityError) and _applied(server, st.client_id, op_id):
                _mark(replica, op_id, "applied")
                result.skipped += 1
                continue
            error = server_refusal(exc)
            if error is None:  # not a refusal of this change (the connection went, say): stop
                raise
            _conflict(replica, server, result, op_id, deal_id, "refused", error, [], opdef, refresh, blocked)
            continue
        except AppError as exc:
            kind, missing = _describe(exc)
            error = exc.message
            server_side = _server_deal(server, uuid.UUID(deal_id)) if deal_id else None
            if deal_id and server_side is None:  # the server says "not found": say why
                kind, error = _gone(server, uuid.UUID(deal_id)) or (kind, error)
            elif not deal_id and isinstance(exc, NotFound) and args.get("activity_id") \
                    and _activity_gone(server, args["activity_id"]):
                kind, error = "revoked_activity", ACTIVITY_NOT_YOURS
            _conflict(replica, server, result, op_id, deal_id, kind, error, missing, opdef, refresh, blocked,
                      server_side=server_side)
            continue
        if i == pause_after and pause_commit:
            _test_pause()
        _mark(replica, op_id, "applied")
        result.applied += 1
    if refresh:
        refresh_deals(replica, server, refresh)
    return result


def sync(replica: Database, server: Database) -> SyncResult:
    _forget_stored_password(replica)
    p = push(replica, server)
    return SyncResult(push=p, pull=_pull(replica, server))


def _forget_stored_password(replica: Database) -> None:
    """A replica made before passwords were kept out of it: its stored URL loses the password."""
    stored = state(replica).server_url
    clean = url_without_password(stored)
    if clean != stored:
        with replica.write() as s:
            s.execute(text("UPDATE replica_state SET server_url = :u"), {"u": clean})


# ------------------------------------------------------------------ conflicts

def pending_count(replica: Database) -> int:
    with replica.read() as s:
        return s.execute(text("SELECT count(*) FROM outbox WHERE status = 'pending'")).scalar()


def conflicts(replica: Database) -> list[Conflict]:
    out = []
    for op_id, name, raw_args, created, detail in _pending(replica, "conflict"):
        d = json.loads(detail or "{}")
        out.append(Conflict(op_id=op_id, name=name, args=json.loads(raw_args), created_at=created,
                            error=from_json(d["message"]) if "message" in d else d.get("error", ""),
                            kind=d.get("kind", ""), server=d.get("server"),
                            missing=[from_json(m) for m in d.get("missing", [])]))
    return out


_RETRIED_SQL = "UPDATE outbox SET status = 'retried', detail = NULL WHERE op_id = :id"

# the operations that create a row of their own (not on a deal the push re-fetched): a
# discarded conflict of one leaves no row here that the server never got
_CREATES = {"create_account": Account, "create_contact": Contact, "create_lead_source": LeadSource,
            "create_deal": Opportunity}


def _drop_created_rows(replica: Database, name: str, op_id: str) -> None:
    """Remove from the replica the row a discarded, refused create made (its id is
    ``uuid5(op_id, n)``, see app.models.base.new_id; a deal takes its history with it), so
    the replica does not keep for good what the server refused. One that another row here
    uses (a deal of that lead source) stays: the foreign key says so."""
    model = _CREATES.get(name)
    if model is None:
        return
    ids = [uuid.uuid5(uuid.UUID(op_id), str(n)) for n in range(1, 9)]
    try:
        with replica.write() as s:
            s.execute(delete(model).where(model.id.in_(ids)))
    except IntegrityError:
        pass


def resolve(replica: Database, op_id: str, action: str):
    """``discard`` drops the offline change; ``retry`` runs it again on the replica against the
    deal as it is now (its current version), as a new pending operation."""
    with replica.read() as s:
        row = s.execute(text("SELECT name, args, status, detail FROM outbox WHERE op_id = :id"),
                        {"id": op_id}).first()
    if row is None or row.status != "conflict":
        raise ValidationError({"op": Message("{op} is not a sync conflict", op=op_id)})
    if action == "discard":
        _mark(replica, op_id, "discarded")
        _drop_created_rows(replica, row.name, op_id)
        return None
    if action != "retry":
        raise ValidationError({"action": Message("retry or discard")})
    args = json.loads(row.args)
    args.pop("at", None)
    if outbox.registry()[row.name].versioned:
        with replica.read() as s:
            deal_id = _op_deal(s, args, row.detail)
            if deal_id is not None:
                args["expected_version"] = s.scalar(select(Opportunity.version)
                                                    .where(Opportunity.id == uuid.UUID(deal_id)))
    # the new pending operation and the old one's "retried" in one transaction: a retry that
    # stopped half-way can never leave the change pending twice
    with UnitOfWork(replica) as uow:
        out = outbox.run(uow, row.name, **args)
        with uow.write() as s:
            s.execute(text(_RETRIED_SQL), {"id": op_id})
    return out
