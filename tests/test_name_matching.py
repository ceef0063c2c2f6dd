"""Names and titles in the services: every list ordered by name comes out in the app's one
order (app.services.collation), and a name typed as it is stored (accents, Hangul) finds
its row in any case and form (the stored name key) and is refused as a duplicate with a
message, on SQLite, PostgreSQL and a
PostgreSQL set up as a Korean team's server (Hangul first by its own collation).

The order, worked out by hand from the rule (the name key, case folded, by code point):
apple < Bob (a < b) < élan < Émile ('éla' < 'émi', both U+00E9 folded) < Ölund ('ö', U+00F6)
< 김민수 (U+AE40) < 박서연 (U+BC15)."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import run_cli

from app.errors import NotFound, ValidationError
from app.services import deal_lookup, deals, lookups, people
from app.services import marketing as mkt

NAMES = ["apple", "Bob", "élan", "Émile", "Ölund", "김민수", "박서연"]
SHUFFLED = ["박서연", "élan", "Bob", "김민수", "Ölund", "apple", "Émile"]


@pytest.fixture
def db(module_db_any_server):
    return module_db_any_server


def refusal(call, *args, **kwargs) -> dict[str, str]:
    """The field messages of the ValidationError ``call`` raises (no IntegrityError)."""
    with pytest.raises(ValidationError) as exc:
        call(*args, **kwargs)
    return {field: str(message) for field, message in exc.value.errors.items()}


# ------------------------------------------------------------------ order

def test_users_accounts_contacts_and_sources_in_name_order(db):
    for name in SHUFFLED:
        people.create_user(db, name, "rep")
        acc = people.create_account(db, name)
        people.create_contact(db, name, acc.id)
        people.create_lead_source(db, f"{name} src")
    assert [u.name for u in people.list_users(db)] == NAMES
    assert [a.name for a in people.list_accounts(db)] == NAMES
    assert [c.name for c in people.list_contacts(db)] == NAMES
    assert [s.name for s in people.list_lead_sources(db)] == [f"{n} src" for n in NAMES]
    assert [s.name for s in mkt.list_lead_sources(db)] == [f"{n} src" for n in NAMES]


def test_equal_names_are_listed_by_id(db):
    """Accounts and contacts may share a name: the id decides, the same way every time."""
    made = [people.create_account(db, "Hanil").id for _ in range(3)]
    assert [a.id for a in people.list_accounts(db)] == sorted(made)


def test_campaigns_in_name_order(db):
    web = mkt.create_lead_source(db, "Web")
    for name in SHUFFLED:
        mkt.create_campaign(db, web.id, name)
    assert [c.name for c in mkt.list_campaigns(db)] == NAMES
    assert [c.name for c in mkt.list_campaigns(db, web.id)] == NAMES
    assert [c.name for c in lookups.list_campaigns(db)] == NAMES
    assert [c.name for c in lookups.list_campaigns(db, web.id)] == NAMES


def test_deals_by_stage_then_title_in_sql_and_in_python_alike(db):
    rep = people.create_user(db, "rep", "rep")
    ids = [deals.create_deal(db, title=title, owner_id=rep.id).id for title in SHUFFLED]
    assert [r.title for r in deals.list_deals(db)] == NAMES
    # the drill-down behind a chart bar sorts in Python: the same order as the deal list
    assert [r.title for r in deal_lookup.deal_rows(db, ids)] == NAMES


# ------------------------------------------------------------------ matching

def test_a_user_is_found_by_the_name_as_stored(db):
    emile = people.create_user(db, "Émile Zola", "rep")
    people.create_user(db, "김민수", "manager")
    assert people.find_user(db, "Émile Zola").id == emile.id
    assert people.find_user(db, " ÉMILE ZOLA ").id == emile.id  # in any case (name_key)
    assert people.find_user(db, "émile  zola").id == emile.id  # beyond ASCII too, on every engine
    assert people.find_user(db, "김민수").name == "김민수"
    with pytest.raises(NotFound):  # an accent is not a case
        people.find_user(db, "Emile Zola")
    assert people.ensure_user(db, "Émile Zola", "manager").id == emile.id  # not a second one


def test_a_second_user_of_a_name_is_refused_with_a_message(db):
    people.create_user(db, "Émile Zola", "rep")
    people.create_user(db, "박서연", "rep")
    assert refusal(people.create_user, db, "Émile Zola", "rep") == {
        "name": "a user named 'Émile Zola' already exists"}
    assert refusal(people.create_user, db, "ÉMILE zola", "rep") == {
        "name": "a user named 'ÉMILE zola' already exists"}
    assert refusal(people.create_user, db, "박서연", "manager") == {
        "name": "a user named '박서연' already exists"}
    assert [u.name for u in people.list_users(db)] == ["Émile Zola", "박서연"]


def test_deals_by_owner_and_by_title_as_typed(db):
    emile = people.create_user(db, "Émile Zola", "rep")
    other = people.create_user(db, "Kim", "rep")
    mine = deals.create_deal(db, title="Élan Robotics", owner_id=emile.id).id
    deals.create_deal(db, title="Other", owner_id=other.id)
    assert [r.title for r in deals.list_deals(db, owner="Émile Zola")] == ["Élan Robotics"]
    assert [r.title for r in deals.list_deals(db, owner="ÉMILE ZOLA")] == ["Élan Robotics"]
    assert deals.open_deals_titled(db, " Élan Robotics ") == [mine]
    assert deals.open_deals_titled(db, "ÉLAN ROBOTICS") == [mine]
    assert deals.open_deals_titled(db, "élan  robotics") == [mine]
    assert deals.open_deals_titled(db, "Elan Robotics") == []


def test_one_duplicate_rule_for_lead_sources_whichever_service_creates_them(db):
    """people.create_lead_source (the replica's operation, the gate dialog) and
    marketing.create_lead_source (the marketing editor) are one rule: case-blind."""
    web = people.create_lead_source(db, "Webinar")
    expected = {"name": "lead source 'WEBINAR' already exists"}
    assert refusal(people.create_lead_source, db, "WEBINAR") == expected
    assert refusal(mkt.create_lead_source, db, "WEBINAR") == expected
    mkt.create_lead_source(db, "Éclat Events")
    for create in (people.create_lead_source, mkt.create_lead_source):
        assert refusal(create, db, "Éclat Events") == {"name": "lead source 'Éclat Events' already exists"}
        assert refusal(create, db, "ÉCLAT EVENTS") == {"name": "lead source 'ÉCLAT EVENTS' already exists"}
    assert refusal(mkt.update_lead_source, db, web.id, name="Éclat Events") == {
        "name": "lead source 'Éclat Events' already exists"}
    people.create_lead_source(db, "전시회")
    assert refusal(mkt.create_lead_source, db, " 전시회 ") == {"name": "lead source '전시회' already exists"}
    assert [s.name for s in mkt.list_lead_sources(db)] == ["Webinar", "Éclat Events", "전시회"]


def test_a_campaign_name_twice_in_one_source_is_refused_with_a_message(db):
    web = mkt.create_lead_source(db, "Web")
    fair = mkt.create_lead_source(db, "Fairs")
    mkt.create_campaign(db, web.id, "Été 2026")
    spring = mkt.create_campaign(db, web.id, "봄 세미나")
    expected = {"name": "campaign 'Été 2026' already exists for this lead source"}
    assert refusal(mkt.create_campaign, db, web.id, "Été 2026") == expected
    assert refusal(mkt.update_campaign, db, spring.id, name="Été 2026") == expected
    assert mkt.create_campaign(db, fair.id, "Été 2026").name == "Été 2026"  # another source
    assert [c.name for c in mkt.list_campaigns(db, web.id)] == ["Été 2026", "봄 세미나"]


def test_report_for_an_owner_with_an_accented_name(tmp_path):
    """`pipeline-manager report --owner "Émile Zola"` finds him on SQLite (it said no user)."""
    from app.db import open_database

    path = tmp_path / "p.sqlite"
    db = open_database(path)
    try:
        emile = people.create_user(db, "Émile Zola", "rep")
        deals.create_deal(db, title="Élan Robotics", owner_id=emile.id, expected_close=date(2026, 7, 1))
    finally:
        db.dispose()
    proc = run_cli("report", "--db", path, "--week", "2026-W26", "--owner", "Émile Zola",
                   "-o", tmp_path / "w.xlsx")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "w.xlsx").exists()
