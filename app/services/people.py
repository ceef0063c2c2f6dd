"""Users (reps and managers), accounts and contacts."""

from __future__ import annotations

import shlex
import uuid

from sqlalchemy import select

from app.db import Database
from app.errors import Message, NotFound, ValidationError
from app.models import Account, Contact, LeadSource, Role, User
from app.services import marketing
from app.services.collation import same_name, text_order
from app.services.outbox import operation, refuse_on_replica


def _refuse_new_user_on_replica(db: Database, name: str, role: str, refused: Message) -> None:
    def instead(*, server: str, owner: str, sync: str) -> Message:
        command = (f"pipeline-manager server add-user {shlex.quote(name)} --role {shlex.quote(role)} "
                   f"--login LOGIN --db {owner}")
        return Message("users are added on the team server by its owner, e.g. {command}, and arrive here "
                       "with the next sync ({sync})", command=command, sync=sync)

    refuse_on_replica(db, refused, instead)


def clean_user_fields(name: str | None, role: str) -> tuple[str, str, dict[str, str]]:
    """(name stripped, role value, field errors): the rules of a person's name and role,
    for a local user and for a team member alike."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = Message("a name is required")
    try:
        role = Role(role).value
    except ValueError:
        errors["role"] = Message("'{role}' is not a role (rep or manager)", role=role)
    return name, role, errors


def create_user(db: Database, name: str, role: str = Role.REP.value, email: str | None = None) -> User:
    """A new local user. Refused on an offline replica (ReplicaRefused): users come from
    the team server there."""
    _refuse_new_user_on_replica(db, (name or "").strip() or "NAME", str(role), Message("cannot add a user"))
    name, role, errors = clean_user_fields(name, role)
    if errors:
        raise ValidationError(errors)
    with db.write() as s:
        if s.scalar(select(User.id).where(same_name(User.name_key, name))):
            raise ValidationError({"name": Message("a user named '{name}' already exists", name=name)})
        user = User(name=name, role=role, email=email)
        s.add(user)
        s.flush()
        return user


def ensure_user(db: Database, name: str, role: str) -> User:
    """The working user named ``name``, created with ``role`` on first use (an existing
    user keeps the role the database gives them). On an offline replica a missing user is
    refused (ReplicaRefused) instead: users arrive there from the team server by sync."""
    try:
        return find_user(db, name)
    except NotFound:
        _refuse_new_user_on_replica(db, (name or "").strip() or "NAME", str(role),
                                    Message("there is no user named '{name}' here, and users cannot be added",
                                            name=name))
        return create_user(db, name, role)


def list_users(db: Database) -> list[User]:
    with db.read() as s:
        return list(s.scalars(select(User).order_by(*text_order(User.name), User.id)))


def find_user(db: Database, name_or_id: str) -> User:
    """A user by exact id or by name (in any case and form: collation.same_name)."""
    with db.read() as s:
        try:
            user = s.get(User, uuid.UUID(str(name_or_id)))
        except ValueError:
            user = None
        if user is None:  # the name as typed first: two users may share a key from before 0006
            name = str(name_or_id).strip()
            user = s.scalar(select(User).where(same_name(User.name_key, name))
                            .order_by(User.name != name, User.created_at, User.id).limit(1))
        if user is None:
            raise NotFound(Message("no user named '{name}'", name=name_or_id))
        return user


@operation("create_account")
def create_account(db: Database, name: str, industry: str | None = None, country: str | None = None) -> Account:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": Message("an account name is required")})
    with db.write() as s:
        acc = Account(name=name, industry=industry, country=country)
        s.add(acc)
        s.flush()
        return acc


@operation("create_contact")
def create_contact(db: Database, name: str, account_id: uuid.UUID | None = None,
                   job_title: str | None = None, email: str | None = None, phone: str | None = None) -> Contact:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": Message("a contact name is required")})
    with db.write() as s:
        if account_id is not None and s.get(Account, account_id) is None:
            raise ValidationError({"account": Message("account does not exist")})
        c = Contact(name=name, account_id=account_id, job_title=job_title, email=email, phone=phone)
        s.add(c)
        s.flush()
        return c


@operation("create_lead_source")
def create_lead_source(db: Database, name: str, channel: str | None = None) -> LeadSource:
    """A new lead source by :func:`app.services.marketing.create_lead_source`'s rules (one
    duplicate rule), as the operation a replica records in its outbox."""
    return marketing.create_lead_source(db, name, channel)


def list_accounts(db: Database) -> list[Account]:
    with db.read() as s:
        return list(s.scalars(select(Account).order_by(*text_order(Account.name), Account.id)))


def list_contacts(db: Database, account_id: uuid.UUID | None = None) -> list[Contact]:
    with db.read() as s:
        q = select(Contact).order_by(*text_order(Contact.name), Contact.id)
        if account_id is not None:
            q = q.where(Contact.account_id == account_id)
        return list(s.scalars(q))


def list_lead_sources(db: Database) -> list[LeadSource]:
    with db.read() as s:
        return list(s.scalars(select(LeadSource).order_by(*text_order(LeadSource.name), LeadSource.id)))
