"""Named operations: the changes a replica records in its outbox and the server replays.

Each operation is a service function called with JSON-able arguments (ids as strings,
datetimes and dates ISO, amounts as strings). :func:`run` is how a front changes data when
it may be working on an offline replica: on a replica the operation is appended to the
outbox *in the same transaction* as the service's write, and the rows it creates get
deterministic ids (``uuid5(op_id, n)``), so the server's replay creates the very same rows.
On any other database :func:`run` just calls the service. No Qt.
"""

from __future__ import annotations

import functools
import inspect
import json
import shlex
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import db as dbmod
from app.errors import Message, PermissionDenied, ReplicaRefused
from app.models.base import id_seed, utcnow


@dataclass(frozen=True)
class Operation:
    name: str
    func: Callable
    positional: tuple[str, ...] = ()
    versioned: bool = False  # checks expected_version: refused on the server if the deal moved


def _services():
    from app.services import activities, deals, evidence, gates, people

    return [
        Operation("move_deal", gates.move_deal, ("deal_id", "target"), versioned=True),
        Operation("undo_move", gates.undo_move, ("transition_id",), versioned=True),
        Operation("update_deal", deals.update_deal, ("deal_id",), versioned=True),
        Operation("change_close_date", deals.change_close_date, ("deal_id", "new_date"), versioned=True),
        Operation("create_deal", deals.create_deal),
        Operation("log_activity", activities.log_activity),
        Operation("complete_activity", activities.complete_activity, ("activity_id",)),
        Operation("record_evidence", evidence.record_evidence, ("deal_id", "deliverable_id")),
        Operation("withdraw_evidence", evidence.withdraw_evidence, ("evidence_id",)),
        Operation("create_account", people.create_account, ("name",)),
        Operation("create_contact", people.create_contact, ("name",)),
        Operation("create_lead_source", people.create_lead_source, ("name",)),
    ]


_REGISTRY: dict[str, Operation] = {}


def registry() -> dict[str, Operation]:
    if not _REGISTRY:
        _REGISTRY.update({o.name: o for o in _services()})
    return _REGISTRY


# ------------------------------------------------------------------ JSON codec

_DATETIMES = {"at", "due_at", "done_at"}
_DATES = {"expected_close", "new_date"}


def encode(value):
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def encode_args(args: dict) -> dict:
    return {k: encode(v) for k, v in args.items()}


def decode_args(args: dict) -> dict:
    out = {}
    for k, v in args.items():
        if v is not None and isinstance(v, str):
            if k.endswith("_id"):
                v = uuid.UUID(v)
            elif k in _DATETIMES:
                v = datetime.fromisoformat(v)
            elif k in _DATES:
                v = date.fromisoformat(v)
        out[k] = v
    return out


def call(db: dbmod.Database, name: str, args: dict, /):
    """Call operation ``name`` with JSON ``args`` (no outbox, no id seed)."""
    op = registry()[name]
    a = decode_args(args)
    if "at" in a and "at" not in inspect.signature(op.func).parameters:
        a.pop("at")  # the operation keeps no time of its own (an account, a contact)
    pos = [a.pop(k) for k in op.positional]
    return op.func(db, *pos, **a)


@contextmanager
def hooked(op_id: uuid.UUID, hook: Callable | None):
    """Run the enclosed service call with deterministic ids and a hook in its transaction."""
    seed_token = id_seed.set((op_id, [0]))
    hook_token = dbmod.write_hook.set(hook)
    try:
        yield
    finally:
        dbmod.write_hook.reset(hook_token)
        id_seed.reset(seed_token)


def is_replica(db: dbmod.Database) -> bool:
    cached = getattr(db, "_pm_is_replica", None)
    if cached is None:
        cached = False
        if db.is_sqlite:
            try:
                with db.read() as s:
                    cached = s.execute(text("SELECT 1 FROM replica_state LIMIT 1")).first() is not None
            except Exception:  # a file older than migration 0004, opened without migrating
                cached = False
        db._pm_is_replica = cached
    return cached


SERVER_PLACEHOLDER = "postgresql+psycopg://LOGIN@HOST/DB"


def refuse_on_replica(db: dbmod.Database, refused: str,
                      instead: str | Callable[..., str]) -> None:
    """Raise :class:`ReplicaRefused` when ``db`` is an offline replica, before anything is
    written: the bulk writers (importer, demo generator, new users) are not named
    operations, so what they wrote there would never be pushed. The message is
    ``refused``, why, then ``instead``: a function called with ``server`` (the replica's
    team server, its URL without a password), ``owner`` (the same as the database's
    owner) and ``sync`` (the sync command of this replica) that returns a Message, or
    text in which ``{server}``, ``{owner}`` and ``{sync}`` are replaced by them."""
    if not is_replica(db):
        return
    from app.services import sync

    server = owner = SERVER_PLACEHOLDER
    try:
        url = make_url(dbmod.url_without_password(sync.state(db).server_url))
        server = url.render_as_string(hide_password=False)
        owner = url.set(username="ADMIN").render_as_string(hide_password=False)
    except Exception:  # a damaged replica_state: the placeholder still says what to type
        pass
    replica = shlex.quote(str(db.path)) if db.path is not None else "REPLICA"
    sync_command = f"pipeline-manager sync --db {replica}"
    if callable(instead):
        instead = instead(server=server, owner=owner, sync=sync_command)
    else:
        for key, value in (("{server}", server), ("{owner}", owner), ("{sync}", sync_command)):
            instead = instead.replace(key, value)
    raise ReplicaRefused(Message("{refused} on an offline replica (what is written only here never reaches the "
                                 "team server): {instead}", refused=refused, instead=instead))


def refused_on_replica(refused: str, instead: str | Callable[..., str]):
    """Decorator of a service that writes but is not a named operation (marketing figures,
    targets): on an offline replica it is refused (:func:`refuse_on_replica`) before
    anything is written, since what it wrote there would never reach the team server;
    called from inside a named operation (whose replay it is part of) it runs."""

    def deco(func):
        @functools.wraps(func)
        def wrapper(db, *args, **kwargs):
            if id_seed.get() is None:
                refuse_on_replica(db, refused, instead)
            return func(db, *args, **kwargs)

        return wrapper

    return deco


def operation(name: str):
    """Decorator of a service function that is also the named operation ``name``: called
    on a replica by any front (GUI, CLI, importer), it goes through :func:`run`, so the
    change lands in the outbox; inside an operation (or on any other database) it is the
    plain function."""

    def deco(func):
        sig = inspect.signature(func)
        var_kw = next((p.name for p in sig.parameters.values() if p.kind is p.VAR_KEYWORD), None)

        def named_args(db, args, kwargs) -> dict:
            named = dict(sig.bind(db, *args, **kwargs).arguments)
            named.pop(next(iter(sig.parameters)))
            if var_kw:
                named.update(named.pop(var_kw, {}))
            return named

        @functools.wraps(func)
        def wrapper(db, *args, **kwargs):
            if id_seed.get() is not None:  # part of an operation (its replay, or a nested call)
                return func(db, *args, **kwargs)
            if not is_replica(db):
                check_member_rights(db, name, encode_args(named_args(db, args, kwargs)))
                return func(db, *args, **kwargs)
            return run(db, name, **named_args(db, args, kwargs))

        return wrapper

    return deco


def member_refusal(member, name: str, args: dict) -> Message | None:
    """Why the team server refuses operation ``name`` with JSON ``args`` from ``member``'s
    login (a User, or None: no member, e.g. the database's owner, whom no policy limits), or
    None. A rep's rows are theirs (a deal, an activity owned by them) and their history is
    in their name (a move, an override, evidence, a close-date change), as the server's
    policies require; a manager may do all of it."""
    if member is None or member.role != "rep":
        return None
    mine = str(member.id)
    owner = args.get("owner_id")
    if owner is not None and str(owner) != mine:
        if name == "log_activity":
            return Message("{user} is a rep; only a manager can give an activity to someone else", user=member.name)
        if name == "create_deal":
            return Message("{user} is a rep; only a manager can create a deal for someone else", user=member.name)
        return Message("{user} is a rep; only a manager can give a deal to someone else", user=member.name)
    actor = args.get("actor_id")
    if actor is not None and str(actor) != mine:
        return Message("{user} is a rep and works in their own name; only a manager can record a change in "
                       "someone else's name", user=member.name)
    return None


def check_member_rights(db: dbmod.Database, name: str, args: dict) -> None:
    """Refuse (PermissionDenied), before anything is written, what the team server's
    row-level security would refuse the member working here (:func:`member_refusal`):
    online on the server, and on a replica, whose member is the one it syncs as, so that
    the replica never records a change its push could only see refused. Nothing to check
    on a single-user file."""
    if not any(args.get(k) is not None for k in ("owner_id", "actor_id")):
        return
    if db.is_sqlite and not is_replica(db):
        return
    from app.services import team

    why = member_refusal(team.current_user(db), name, args)
    if why is not None:
        raise PermissionDenied(why)


def run(db: dbmod.Database, name: str, /, **args):
    """Run operation ``name``; on a replica, record it in the outbox atomically with its write.
    What the member's login may not do on the team server is refused first
    (:func:`check_member_rights`)."""
    if name not in registry():
        raise KeyError(f"unknown operation {name!r}")
    args = encode_args(args)
    check_member_rights(db, name, args)
    if not is_replica(db):
        return call(db, name, args)
    args.setdefault("at", utcnow().isoformat())  # the replay happens at the user's time
    op_id = uuid.uuid4()
    recorded = []

    def add_to_outbox(_db, s):
        if recorded:
            return
        recorded.append(True)
        s.execute(text(
            "INSERT INTO outbox (op_id, seq, name, args, created_at, status) VALUES "
            "(:op_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox), :name, :args, :created_at, 'pending')"
        ), {"op_id": str(op_id), "name": name, "args": json.dumps(args), "created_at": utcnow().isoformat()})

    with hooked(op_id, add_to_outbox):
        return call(db, name, args)
