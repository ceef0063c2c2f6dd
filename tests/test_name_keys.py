"""One rule for "the same name" (app.models.base.name_key, stored beside every name), used
by the services, the importer, the search and the pickers, on every engine."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text

from app.errors import ValidationError
from app.models import Account, Campaign, Contact, LeadSource, Opportunity, User
from app.models.base import name_key
from app.services import board, deals, marketing, people
from app.services.importer import import_file

KEYED = ((User, "name", "name_key"), (Account, "name", "name_key"), (Contact, "name", "name_key"),
         (LeadSource, "name", "name_key"), (Campaign, "name", "name_key"), (Opportunity, "title", "title_key"))


def stored_keys(db) -> list[tuple[str, str, str | None]]:
    """(table, name, stored key) of every named row."""
    with db.read() as s:
        return [(model.__tablename__, n, k) for model, name, key in KEYED
                for n, k in s.execute(select(getattr(model, name), getattr(model, key)))]


def assert_keys_kept(db) -> None:
    rows = stored_keys(db)
    assert rows
    wrong = [(t, n, k) for t, n, k in rows if k != name_key(n)]
    assert wrong == []


def test_name_key_examples():
    assert name_key("  Émile   Zola ") == name_key("ÉMILE ZOLA") == "émile zola"
    assert name_key("Straße") == name_key("STRASSE") == "strasse"
    assert name_key("Ａｃｍｅ　Corp") == "acme corp"  # full-width letters and space (Korean IME)
    assert name_key(unicodedata.normalize("NFD", "한빛정밀")) == "한빛정밀"  # macOS hands Hangul over decomposed
    assert name_key("Emile") != name_key("Émile")  # an accent is not a case


@given(st.text(max_size=40))
def test_name_key_is_stable_under_its_own_rules(s):
    k = name_key(s)
    assert name_key(k) == k
    assert name_key(unicodedata.normalize("NFD", s)) == k
    assert name_key(f"  {s}\t") == k
    assert k == k.strip() and "  " not in k


def test_every_write_path_keeps_the_key(db_any_server, tmp_path):
    """The ORM (services), the demo's and the importer's bulk inserts and the importer's
    bulk update all store name_key(name) beside the name."""
    from app.services.demo import generate

    db = db_any_server
    generate(db, deals=60, seed=3)
    rep = people.create_user(db, "Zoë Adler", "rep")
    src = people.create_lead_source(db, "Straße Messe")
    marketing.create_campaign(db, src.id, "Herbst ＥＸＰＯ")
    acc = people.create_account(db, "Société Générale")
    people.create_contact(db, "Ångström", acc.id)
    d = deals.create_deal(db, title="ERP  Rollout", owner_id=rep.id, account_id=acc.id)
    deals.update_deal(db, d.id, expected_version=d.version, actor_id=rep.id, title="ＥＲＰ Rollout II")
    csv = tmp_path / "deals.csv"
    csv.write_text("id,title,account,owner,contact,stage,status\n"
                   "1,Ümlaut deal,Müller GmbH,Jürgen Groß,Frau Öz,2,open\n", encoding="utf-8")
    import_file(db, csv)
    csv.write_text("id,title,account,owner,contact,stage,status\n"
                   "1,ÜMLAUT Deal renamed,Müller GmbH,Jürgen Groß,Frau Öz,2,open\n", encoding="utf-8")
    assert import_file(db, csv).updated == 1
    assert_keys_kept(db)
    assert ("opportunity", "ÜMLAUT Deal renamed", "ümlaut deal renamed") in stored_keys(db)


def test_services_and_the_importer_take_a_name_in_another_case_for_the_same(db_any_server, tmp_path):
    """A name typed in another case or form is the row already there: people.find_user, the
    lead-source duplicate rule, the importer's owners, accounts, contacts and sources."""
    db = db_any_server
    emile = people.create_user(db, "Émile Zola", "rep")
    acc = people.create_account(db, "Ａcme Korea")
    people.create_contact(db, "Park Ji-won", acc.id)
    web = people.create_lead_source(db, "Website")
    assert people.find_user(db, "émile  zola").id == emile.id
    with pytest.raises(ValidationError) as dup:
        people.create_lead_source(db, "WEBSITE")
    assert dup.value.errors["name"].template == "lead source '{name}' already exists"
    with pytest.raises(ValidationError) as dup:
        people.create_user(db, "ÉMILE ZOLA", "rep")
    assert "name" in dup.value.errors

    csv = tmp_path / "deals.csv"
    csv.write_text("id,title,account,owner,contact,lead_source,stage,status\n"
                   "1,One,acme korea,ÉMILE ZOLA,park ji-won,website,1,open\n"
                   "2,Two,ACME  KOREA,émile zola,PARK JI-WON,Website,1,open\n", encoding="utf-8")
    result = import_file(db, csv)
    assert result.created == 2
    with db.read() as s:
        got = s.execute(select(Opportunity.owner_id, Opportunity.account_id, Opportunity.lead_source_id,
                               Contact.name).join(Contact, Opportunity.contact_id == Contact.id)).all()
        assert sorted(set(got)) == [(emile.id, acc.id, web.id, "Park Ji-won")]
        assert s.scalar(select(text("count(*)")).select_from(User)) == 1
        assert s.scalar(select(text("count(*)")).select_from(Account)) == 1
        assert s.scalar(select(text("count(*)")).select_from(Contact)) == 1
    assert deals.open_deals_titled(db, "ONE") == [d for d in result.deal_ids[:1]]


def test_search_finds_names_in_any_case_and_form_on_every_engine(db_any_server):
    """The board's search and `deals --search` (list_deals) match the stored keys, so
    'émile' finds 'ÉMILE' and 'société' finds 'Société' on SQLite too (its LIKE folds ASCII
    only), and a typed % or _ is a character, not a wildcard."""
    db = db_any_server
    rep = people.create_user(db, "Kim", "rep")
    soc = people.create_account(db, "Société Générale")
    con = people.create_contact(db, "ÉMILE Zola", soc.id)
    a = deals.create_deal(db, title="Licences 100%", owner_id=rep.id, account_id=soc.id, contact_id=con.id)
    b = deals.create_deal(db, title="한빛정밀 MES 증설", owner_id=rep.id)
    c = deals.create_deal(db, title="Licences 1000", owner_id=rep.id)

    def on_board(q):
        return {card.deal_id for card in board.column_page(db, 1, filters=board.BoardFilters(text=q))}

    assert on_board("émile") == {a.id}  # the contact
    assert on_board("SOCIÉTÉ générale") == {a.id}  # the account
    assert on_board("100%") == {a.id}  # not "100 followed by anything"
    assert on_board(unicodedata.normalize("NFD", "한빛정밀")) == {b.id}
    assert on_board("licences") == {a.id, c.id}
    assert {r.id for r in deals.list_deals(db, search="société")} == {a.id}
    assert {r.id for r in deals.list_deals(db, search="mes")} == {b.id}
    assert on_board("_") == set() and deals.list_deals(db, search="_") == []  # not "any one character"
    assert {r.id for r in deals.list_deals(db, search="0%")} == {a.id}


def test_models_match_the_migrated_schema(db):
    """What the models declare is what the migrations build (a column added to a model
    without its migration, or the other way round, fails here). Tables the migrations make
    in plain SQL for sync (outbox, replica_state) are not models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.models import Base

    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    model_tables = set(Base.metadata.tables)

    def table_of(diff):  # the table a difference is about (None: unknown, kept)
        kind, *rest = diff[0] if isinstance(diff, list) else diff
        if kind in ("add_table", "remove_table"):
            return rest[0].name
        if kind in ("add_index", "remove_index", "add_constraint", "remove_constraint"):
            return rest[0].table.name
        if kind in ("add_fk", "remove_fk"):
            return rest[0].parent.name
        return rest[1] if len(rest) > 1 and isinstance(rest[1], str) else None

    assert [d for d in diffs if table_of(d) in model_tables or table_of(d) is None] == []


@pytest.mark.both_engines
def test_migration_0006_keys_the_rows_already_there_without_marking_them_changed(db):
    """Upgrading to 0006 fills the keys of existing rows. On a team server it does so with
    the sync stamp triggers off: replicas compute the same keys when they upgrade, so no
    row is re-sent to every replica."""
    import uuid
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import insert

    from app.db import _alembic_config, current_revision, upgrade
    from app.services.process import active_stages

    pg = db.engine.dialect.name == "postgresql"
    with db.read() as s:
        first_stage = active_stages(s)[0].id
    with db.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0005")
    assert current_revision(db.engine) == "0005"
    user_id, deal_id, now = uuid.uuid4(), uuid.uuid4(), datetime.now(UTC)
    with db.engine.begin() as conn:  # Core, the columns schema 0005 has
        users = User.__table__
        conn.execute(insert(users).values(id=user_id, name="ÉMILE  Zola", role="rep", active=True,
                                          created_at=now, updated_at=now))
        conn.execute(insert(Opportunity.__table__).values(  # no title_key: not set, no default
            id=deal_id, title="Ｍｅｓ 증설", owner_id=user_id, stage_id=first_stage, status="open",
            stage_entered_at=now, created_at=now, updated_at=now))
    seq = "SELECT change_seq FROM opportunity"
    with db.engine.connect() as conn:
        before = conn.execute(text(seq)).scalar() if pg else None
    upgrade(db.engine)
    with db.read() as s:
        assert s.get(User, user_id).name_key == "émile zola"
        assert s.get(Opportunity, deal_id).title_key == "mes 증설"
    if pg:
        with db.engine.connect() as conn:
            assert conn.execute(text(seq)).scalar() == before
        # and the triggers are on again: the next write is stamped
        with db.write() as s:
            s.get(Opportunity, deal_id).title = "MES 2"
        with db.engine.connect() as conn:
            assert conn.execute(text(seq)).scalar() > before


def test_find_user_prefers_the_name_as_typed_among_users_of_one_key(db):
    """Two users whose names differ only in case may exist from before migration 0006 (the
    old rule told 'émile zola' and 'Émile Zola' apart): the one spelled as typed wins, then
    the first made."""
    first = people.create_user(db, "Émile Zola", "rep")
    with db.write() as s:
        s.add(other := User(name="émile zola", role="rep"))
        s.flush()
        other_id = other.id
    assert people.find_user(db, "émile zola").id == other_id
    assert people.find_user(db, " Émile Zola ").id == first.id
    assert people.find_user(db, "ÉMILE ZOLA").id == first.id
