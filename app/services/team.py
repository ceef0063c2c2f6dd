"""Team mode on a PostgreSQL server: group roles, members, logins. No Qt.

Every person logs in as their own PostgreSQL role, a member of ``pm_rep`` or
``pm_manager``; row-level security (migration 0003) decides what each one sees. Passwords
live in the system keyring (``keyring``), never in QSettings or in a file of ours, and
never reach the server in clear: a new member's role gets a SCRAM-SHA-256 verifier
computed here (:func:`scram_sha256_verifier`), so no statement log holds the password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import stringprep
import unicodedata
import uuid

from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.db import Database, open_database, to_url
from app.errors import AppError, Message, NotFound, PermissionDenied, ValidationError
from app.models import Activity, Opportunity, Role, Status, User
from app.models.base import utcnow
from app.services.collation import same_name
from app.services.people import clean_user_fields

KEYRING_SERVICE = "pipeline-manager"
REP_GROUP, MANAGER_GROUP = "pm_rep", "pm_manager"
GROUP_OF = {Role.REP.value: REP_GROUP, Role.MANAGER.value: MANAGER_GROUP}
_LOGIN_RE = re.compile(r"^[a-z_][a-z0-9_.\-]{0,62}$")


def _require_postgresql(url: str) -> None:
    """A PostgreSQL URL, else one line (also for a file path, which is no URL at all)."""
    try:
        backend = make_url(to_url(url)).get_backend_name()
    except (ArgumentError, ValueError):
        backend = None
    if backend != "postgresql":
        raise AppError(Message("team mode needs a PostgreSQL server (--db postgresql+psycopg://user@host/db)"))


def require_owner(admin_url: str) -> None:
    """The team's members and roles are changed by the database's owner, a role that may
    create roles (or a superuser): anyone else, a manager say, is told so in one line
    before anything is tried, not with the server's permission error halfway through."""
    _require_postgresql(admin_url)
    db = open_database(admin_url_with_password(admin_url), create=False, migrate_schema=False)
    try:
        with db.read() as s:
            allowed, owner, me = s.execute(text(
                "SELECT r.rolsuper OR (pg_has_role(current_user, d.datdba, 'MEMBER') AND r.rolcreaterole), "
                "pg_get_userbyid(d.datdba), current_user "
                "FROM pg_database d JOIN pg_roles r ON r.rolname = current_user "
                "WHERE d.datname = current_database()")).one()
    finally:
        db.dispose()
    if not allowed:
        raise PermissionDenied(Message(
            "run this as the database's owner ({owner}), a role that may create roles; you are connected as {login}",
            owner=owner, login=me))


def keyring_key(url: str, login: str) -> str:
    """``login@host:port/db``: the keyring entry of one login on one database."""
    u = make_url(url)
    return f"{login}@{u.host or 'localhost'}:{u.port or 5432}/{u.database}"


def store_password(url: str, login: str, password: str) -> None:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, keyring_key(url, login), password)
    except KeyringError as exc:  # e.g. a headless Linux without a Secret Service
        raise AppError(Message("cannot keep the password: this system has no usable keyring ({reason}); "
                               "use PGPASSWORD or ~/.pgpass instead", reason=str(exc))) from exc


def get_password(url: str, login: str) -> str | None:
    """The stored password, or None (also where the system has no usable keyring)."""
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_key(url, login))
    except KeyringError:
        return None


def forget_password(url: str, login: str) -> None:
    import keyring
    from keyring.errors import PasswordDeleteError

    try:
        keyring.delete_password(KEYRING_SERVICE, keyring_key(url, login))
    except PasswordDeleteError:
        pass


def _url_with(url: str, login: str | None, password: str | None) -> str:
    u = make_url(url)
    if login is not None:
        u = u.set(username=login)
    if password is not None:
        u = u.set(password=password)
    return u.render_as_string(hide_password=False)


def admin_url_with_password(admin_url: str) -> str:
    """The admin URL with its password from the keyring when the URL has none (otherwise
    libpq's PGPASSWORD / .pgpass apply)."""
    u = make_url(admin_url)
    if u.username and u.password is None:
        stored = get_password(admin_url, u.username)
        if stored:
            return _url_with(admin_url, None, stored)
    return admin_url


SCRAM_ITERATIONS = 4096  # PostgreSQL's default (scram_iterations)
SCRAM_SALT_BYTES = 16

_SASL_PROHIBITED = (stringprep.in_table_c12, stringprep.in_table_c21_c22, stringprep.in_table_c3,
                    stringprep.in_table_c4, stringprep.in_table_c5, stringprep.in_table_c6,
                    stringprep.in_table_c7, stringprep.in_table_c8, stringprep.in_table_c9,
                    stringprep.in_table_a1)


def saslprep(password: str) -> str:
    """The password as SCRAM hashes it: SASLprep (RFC 4013), or the password unchanged
    where SASLprep refuses it (prohibited characters, mixed directions) -- what PostgreSQL
    and libpq do, so that a verifier made here matches the password libpq sends."""
    if password.isascii():
        return password
    mapped = "".join(" " if stringprep.in_table_c12(c) else c
                     for c in password if not stringprep.in_table_b1(c))
    prepped = unicodedata.normalize("NFKC", mapped)
    if not prepped or any(test(c) for c in prepped for test in _SASL_PROHIBITED):
        return password
    if any(stringprep.in_table_d1(c) for c in prepped):  # right-to-left text (RFC 3454, 6)
        if (any(stringprep.in_table_d2(c) for c in prepped)
                or not stringprep.in_table_d1(prepped[0]) or not stringprep.in_table_d1(prepped[-1])):
            return password
    return prepped


def scram_sha256_verifier(password: str, salt: bytes | None = None,
                          iterations: int = SCRAM_ITERATIONS) -> str:
    """``SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`` (RFC 5802/7677, base64
    parts), the form PostgreSQL stores in ``pg_authid.rolpassword`` and accepts as a
    role's PASSWORD as is. A random 16-byte salt unless given."""
    if salt is None:
        salt = secrets.token_bytes(SCRAM_SALT_BYTES)
    salted = hashlib.pbkdf2_hmac("sha256", saslprep(password).encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(b: bytes) -> str:
        return base64.b64encode(b).decode("ascii")

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"  # standard_conforming_strings is on (default)


def _ddl(s, sql: str) -> None:
    """A statement with no parameters (role DDL takes none): its colons, as in a base64
    verifier, are not SQLAlchemy bind parameters."""
    s.execute(text(sql.replace(":", r"\:")))


def init_server(admin_url: str) -> str:
    """Migrate the team database as its owner (creating the group roles and the row-level
    security policies) and let only the team's groups connect to it. Returns the schema
    revision."""
    require_owner(admin_url)
    db = open_database(admin_url_with_password(admin_url))
    try:
        with db.write() as s:
            dbname = _quote_ident(s.scalar(text("SELECT current_database()")))
            s.execute(text(f"REVOKE CONNECT ON DATABASE {dbname} FROM PUBLIC"))
            s.execute(text(f"GRANT CONNECT ON DATABASE {dbname} TO {REP_GROUP}, {MANAGER_GROUP}"))
            return s.scalar(text("SELECT version_num FROM alembic_version"))
    finally:
        db.dispose()


def add_member(admin_url: str, name: str, role: str, login: str, password: str,
               email: str | None = None) -> User:
    """Create the person's LOGIN role in the group of ``role`` and their app_user row
    (``db_role = login``), in one transaction; an existing user of that name without a
    login is linked instead."""
    require_owner(admin_url)
    name, role, errors = clean_user_fields(name, role)
    login = (login or "").strip()
    _check_login_and_password(login, password, errors)
    if errors:
        raise ValidationError(errors)
    db = open_database(admin_url_with_password(admin_url), create=False)
    try:
        with db.write() as s:
            member = s.scalar(select(User).where(User.db_role == login))
            user = s.scalar(select(User).where(same_name(User.name_key, name)))
            for removed in (member, user):  # the person, or their login, was taken off the team
                if removed is not None and removed.db_role is not None and not removed.active:
                    raise ValidationError({"login": Message(
                        "'{login}' ({name}) was removed from the team; to bring them back: "
                        "pipeline-manager server restore-user {login} --role {role}",
                        login=removed.db_role, name=removed.name, role=role)})
            if member is not None:
                raise ValidationError({"login": Message("'{login}' is already a member", login=login)})
            if s.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": login}):
                raise ValidationError({"login": Message("the server already has a role '{login}'", login=login)})
            if user is not None and user.db_role is not None:
                raise ValidationError({"name": Message("'{name}' already has the login '{login}'",
                                                       name=name, login=user.db_role)})
            # only the verifier goes over the wire and into any statement log, never the password
            _ddl(s, f"CREATE ROLE {_quote_ident(login)} LOGIN "
                    f"PASSWORD {_quote_literal(scram_sha256_verifier(password))} IN ROLE {GROUP_OF[role]}")
            if user is None:
                user = User(name=name, role=role, email=email, db_role=login)
                s.add(user)
            else:
                user.role, user.db_role = role, login
                if email:
                    user.email = email
            s.flush()
            return user
    finally:
        db.dispose()


def _check_login_and_password(login: str, password: str, errors: dict) -> None:
    if not _LOGIN_RE.match(login):
        errors["login"] = Message("a login is lower-case letters, digits, '_', '.', '-' (at most 63)")
    if not password:
        errors["password"] = Message("a password is required")


def _member(s, login: str, *, removed: bool = False) -> User:
    """The user of ``login``: a member of the team (or, with ``removed``, one taken off it)."""
    user = s.scalar(select(User).where(User.db_role == (login or "").strip()))
    if user is None:
        raise NotFound(Message("'{login}' is not a member of this team", login=login))
    if removed and user.active:
        raise ValidationError({"login": Message("'{login}' ({name}) is on the team; nothing to restore",
                                                login=login, name=user.name)})
    if not removed and not user.active:
        raise ValidationError({"login": Message("'{login}' ({name}) was removed from the team",
                                                login=login, name=user.name)})
    return user


def _into_group(s, user: User, role: str) -> set[str]:
    """Grant the member's login the group of ``role`` and revoke the other one; returns the
    groups the login is in afterwards (more than that one when another admin's grant
    remains, which this role cannot revoke: the caller refuses then)."""
    ident = _quote_ident(user.db_role)
    _ddl(s, f"GRANT {GROUP_OF[role]} TO {ident}")
    for other in set(GROUP_OF.values()) - {GROUP_OF[role]}:
        _ddl(s, f"REVOKE {other} FROM {ident}")
    return _groups_of(s, user.db_role)


def _groups_of(s, login: str) -> set[str]:
    return set(s.scalars(text(
        "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = :r AND g.rolname IN (:rep, :mgr)"),
        {"r": login, "rep": REP_GROUP, "mgr": MANAGER_GROUP}))


def _rows_change_sight(s, member_id: uuid.UUID) -> None:
    """A member whose role changed sees other people's deals and activities now, or no
    longer: each is listed in ``access_change`` for them (migration 0005), so their
    replica's next pull drops what they lost (a demoted manager) or fetches what they gained
    (a promoted rep), as when a deal is handed over."""
    for table in ("opportunity", "activity"):
        s.execute(text(
            f"INSERT INTO access_change (table_name, row_id, member_id) "
            f"SELECT '{table}', id, :m FROM {table} WHERE owner_id <> :m "
            "ON CONFLICT (table_name, row_id, member_id) DO UPDATE "
            "SET change_seq = nextval('change_seq_seq'), change_xid = pg_current_xact_id()"), {"m": member_id})


def set_role(admin_url: str, login: str, role: str) -> tuple[User, str]:
    """Move a member's login into the group of ``role`` (out of the other one) and give
    their user that role, in one transaction; row-level security follows at once, in open
    sessions too. Returns the user and their former role."""
    require_owner(admin_url)
    if role not in GROUP_OF:
        raise ValidationError({"role": Message("a role is rep or manager")})
    db = open_database(admin_url_with_password(admin_url), create=False)
    try:
        with db.write() as s:
            user = _member(s, login)
            was = user.role
            groups = _into_group(s, user, role)
            if groups != {GROUP_OF[role]}:
                raise AppError(Message("cannot move {login} to {group}: the server still has it in {groups} "
                                       "(a grant of another role; revoke it as that role or a superuser)",
                                       login=login, group=GROUP_OF[role], groups=", ".join(sorted(groups))))
            if user.role != role:
                user.role, user.updated_at = role, utcnow()
                _rows_change_sight(s, user.id)
            s.flush()
            return user, was
    finally:
        db.dispose()


def remove_member(admin_url: str, login: str, reassign_to: str | None = None) -> tuple[User, int, User | None]:
    """Take a member off the team, in one transaction: their login role becomes NOLOGIN and
    leaves both groups (an open session of theirs loses its privileges at once), their user
    becomes inactive. The role is kept, not dropped: its name stays taken on the cluster, so
    no later role of that name can become this user (``pm_current_user_id`` maps by name),
    and their history (transitions, evidence, activities, won and lost deals) keeps its
    author. Refused while they own open deals, unless ``reassign_to`` names another member,
    who then owns those deals and their not-done activities. Returns (user, deals handed
    over, new owner)."""
    require_owner(admin_url)
    db = open_database(admin_url_with_password(admin_url), create=False)
    try:
        with db.write() as s:
            user = _member(s, login)
            if s.scalar(text("SELECT current_user")) == user.db_role:
                raise ValidationError({"login": Message("you cannot remove the login you are connected as")})
            open_deals = list(s.scalars(select(Opportunity).where(Opportunity.owner_id == user.id,
                                                                  Opportunity.status == Status.OPEN.value)))
            target = None
            if reassign_to is not None:
                target = _member(s, reassign_to)
                if target.id == user.id:
                    raise ValidationError({"reassign_to": Message("hand the deals to another member")})
            elif open_deals:
                raise ValidationError({"login": Message("{login} ({name}) owns {count} open deal(s); hand them to "
                                                        "another member with --reassign-to LOGIN",
                                                        login=login, name=user.name, count=len(open_deals))})
            now = utcnow()
            for deal in open_deals:  # the ORM bumps each deal's version: an offline edit of it conflicts
                deal.owner_id, deal.updated_at = target.id, now
            if open_deals:
                s.execute(update(Activity)
                          .where(Activity.owner_id == user.id, Activity.done_at.is_(None),
                                 Activity.opportunity_id.in_([d.id for d in open_deals]))
                          .values(owner_id=target.id, updated_at=now)
                          .execution_options(synchronize_session=False))
            ident = _quote_ident(user.db_role)
            _ddl(s, f"ALTER ROLE {ident} NOLOGIN")
            _ddl(s, f"REVOKE {REP_GROUP}, {MANAGER_GROUP} FROM {ident}")
            if _groups_of(s, user.db_role):
                raise AppError(Message("cannot remove {login}: the server keeps it in {groups} (a grant of another "
                                       "role; revoke it as that role or a superuser)",
                                       login=login, groups=", ".join(sorted(_groups_of(s, user.db_role)))))
            user.active, user.updated_at = False, now
            s.flush()
            return user, len(open_deals), target
    finally:
        db.dispose()


def restore_member(admin_url: str, login: str, role: str, password: str) -> tuple[User, str]:
    """Bring back a member :func:`remove_member` took off the team, under the same login and
    as the same user (their history, won and lost deals are theirs again to see), in one
    transaction: their kept role can log in again with a new password (only its verifier
    goes to the server), joins the group of ``role``, and the user is active with that role.
    The deals handed over at the removal stay with their new owner. Returns the user and
    their role before the removal."""
    require_owner(admin_url)
    if role not in GROUP_OF:
        raise ValidationError({"role": Message("a role is rep or manager")})
    login = (login or "").strip()
    errors: dict = {}
    _check_login_and_password(login, password, errors)
    if errors:
        raise ValidationError(errors)
    db = open_database(admin_url_with_password(admin_url), create=False)
    try:
        with db.write() as s:
            user = _member(s, login, removed=True)
            if not s.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": user.db_role}):
                raise AppError(Message("cannot restore {login}: the server has no role '{login}' any more (dropped "
                                       "by hand?); create it again with: CREATE ROLE {login} NOLOGIN",
                                       login=login))
            was = user.role
            _ddl(s, f"ALTER ROLE {_quote_ident(user.db_role)} LOGIN PASSWORD "
                    f"{_quote_literal(scram_sha256_verifier(password))}")
            groups = _into_group(s, user, role)
            if groups != {GROUP_OF[role]}:
                raise AppError(Message("cannot restore {login} into {group}: the server has it in {groups} "
                                       "(a grant of another role; revoke it as that role or a superuser)",
                                       login=login, group=GROUP_OF[role], groups=", ".join(sorted(groups))))
            if was != role:
                _rows_change_sight(s, user.id)
            user.active, user.role, user.updated_at = True, role, utcnow()
            s.flush()
            return user, was
    finally:
        db.dispose()


def current_user(db: Database) -> User | None:
    """The team member working here: on a team server the app_user row of the logged-in
    PostgreSQL role; on an offline replica the member whose login the replica syncs as
    (its server URL's user). None on a plain SQLite file or when the login is unmapped."""
    if db.is_sqlite:
        from app.services.outbox import is_replica

        if not is_replica(db):
            return None
        from app.services import sync

        login = make_url(sync.state(db).server_url).username
        if not login:
            return None
        with db.read() as s:
            return s.scalar(select(User).where(User.db_role == login))
    with db.read() as s:
        uid = s.scalar(text("SELECT pm_current_user_id()"))
        return s.get(User, uuid.UUID(str(uid))) if uid else None


def connect_as(url: str, login: str, password: str | None = None) -> Database:
    """Open the team database as ``login``, with the password from the keyring unless
    given. Refuses a login that is not a member of the team."""
    _require_postgresql(url)
    if password is None:
        password = get_password(url, login)
        if password is None:
            raise AppError(Message("no password stored for {key}; run: pipeline-manager login --db {url} --user {login}",
                                   key=keyring_key(url, login), url=_url_with(url, None, None), login=login))
    try:
        db = open_database(_url_with(url, login, password), create=False)
    except AppError as exc:  # its message would show the URL, password included
        raise AppError(Message("cannot log in as {key}: {reason}", key=keyring_key(url, login),
                               reason=_refusal(exc))) from exc
    if current_user(db) is None:
        db.dispose()
        raise AppError(Message("{login} is not a member of this team (ask a manager: pipeline-manager server add-user)",
                               login=login))
    return db


def _refusal(exc: Exception) -> str:
    """The server's reason for refusing a connection, on one line and without the URL (the
    server's own words, kept as it said them, inside our explanation)."""
    cause = exc.__cause__ or exc
    message = str(getattr(cause, "orig", None) or cause)
    fatal = re.findall(r"FATAL:\s+([^\n]*)", message)
    reason = " ".join((fatal[-1] if fatal else message).split())
    if "password authentication failed" in reason:
        return Message("wrong password ({reason})", reason=reason)
    if "not permitted to log in" in reason:
        return Message("this login is disabled, it was removed from the team ({reason})", reason=reason)
    return reason


def login(url: str, login: str, password: str) -> User:
    """Check the password against the server, then keep it in the keyring."""
    db = connect_as(url, login, password)
    try:
        user = current_user(db)
    finally:
        db.dispose()
    store_password(url, login, password)
    return user
