"""Team mode on PostgreSQL: each person's own login, row-level security decides visibility."""

from __future__ import annotations

import io
import uuid

import pytest
from conftest import admin_query
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from app import cli
from app.db import open_database
from app.errors import AppError, PermissionDenied
from app.services import activities, deals, evidence, gates, team
from app.services.process import active_stages

pytestmark = pytest.mark.postgresql


@pytest.fixture(autouse=True)
def _no_system_keyring(memory_keyring):  # conftest.memory_keyring, for every test here
    return memory_keyring


def _login(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"  # roles are cluster-wide: unique per test


@pytest.fixture
def team_db(pg_url):
    """Two reps and a manager, a deal each (with evidence, an activity, transitions)."""
    team.init_server(pg_url)
    logins = {"a": _login("rep_a"), "b": _login("rep_b"), "m": _login("mgr")}
    users = {
        "a": team.add_member(pg_url, "Rep A", "rep", logins["a"], "pw-a"),
        "b": team.add_member(pg_url, "Rep B", "rep", logins["b"], "pw-b"),
        "m": team.add_member(pg_url, "Manager M", "manager", logins["m"], "pw-m"),
    }
    for k, pw in (("a", "pw-a"), ("b", "pw-b"), ("m", "pw-m")):
        team.store_password(pg_url, logins[k], pw)
    admin = open_database(pg_url)
    with admin.read() as s:
        stage1 = active_stages(s)[0]
        check = next(d for st in active_stages(s) for d in st.deliverables if d.kind == "check")
    ids = {}
    for k in ("a", "b"):
        d = deals.create_deal(admin, title=f"Deal of {k}", owner_id=users[k].id, amount=1000)
        evidence.record_evidence(admin, d.id, check.id, actor_id=users[k].id, note="ok",
                                 link="https://example.com/x")
        activities.log_activity(admin, type="call", subject=f"call {k}", owner_id=users[k].id,
                                deal_id=d.id, stage_id=stage1.id)
        ids[k] = d.id
    admin.dispose()
    return {"url": pg_url, "logins": logins, "users": users, "deals": ids}


def _checks_passwords(url) -> bool:
    """Whether the server checks members' passwords. Our cluster does (``trust`` only for
    the superuser, see tests/pg_server.py); a server of PM_TEST_PG_URL may trust everyone."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            methods = {r[0] for r in conn.execute(text(
                "SELECT auth_method FROM pg_hba_file_rules WHERE type IN ('host', 'hostssl') "
                "AND user_name <> ARRAY[current_user::text]"))}
    finally:
        engine.dispose()
    return bool(methods) and "trust" not in methods


def _rolpassword(url, role) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT rolpassword FROM pg_authid WHERE rolname = :r"),
                                {"r": role}).scalar()
    finally:
        engine.dispose()


def _parse_verifier(verifier: str) -> tuple[int, bytes]:
    import base64

    mech, params, _keys = verifier.split("$")
    assert mech == "SCRAM-SHA-256"
    iterations, salt = params.split(":")
    return int(iterations), base64.b64decode(salt)


@pytest.mark.parametrize("password", ["pw", "s3cret with spaces & 'quotes'", "비밀번호\u00a0１２３", "ﬁ\u00adx"])
def test_scram_verifier_is_the_one_the_server_computes(pg_url, password):
    """The server's own verifier of a password (same salt and iterations) is ours, SASLprep
    included (NFKC, a non-ASCII space, a character mapped to nothing)."""
    role = _login("vector")
    engine = create_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL password_encryption = 'scram-sha-256'"))
            conn.execute(text(f'CREATE ROLE "{role}" PASSWORD ' + "'" + password.replace("'", "''") + "'"))
        server = _rolpassword(pg_url, role)
        iterations, salt = _parse_verifier(server)
        assert (iterations, len(salt)) == (4096, 16)
        assert team.scram_sha256_verifier(password, salt=salt, iterations=iterations) == server
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        engine.dispose()


def test_the_verifier_has_a_fresh_random_salt():
    a, b = team.scram_sha256_verifier("pw"), team.scram_sha256_verifier("pw")
    assert a != b and a.startswith("SCRAM-SHA-256$4096:")
    assert _parse_verifier(a)[0] == 4096 and len(_parse_verifier(a)[1]) == 16


def test_add_member_sends_only_the_verifier_and_the_member_logs_in(pg_url):
    """No statement of add_member carries the password (a server's statement log would
    keep it); the role stores the verifier sent, and the member logs in with the password."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    team.init_server(pg_url)
    login, password = _login("scram"), "Tr0ub4dor&3 정말"
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(f"{statement} {parameters!r}")

    event.listen(Engine, "before_cursor_execute", record)
    try:
        team.add_member(pg_url, "Scram Person", "rep", login, password)
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    create = [st for st in sent if "CREATE ROLE" in st]
    assert len(create) == 1 and "SCRAM-SHA-256$4096:" in create[0]
    assert not any(password in st for st in sent)
    stored = _rolpassword(pg_url, login)
    assert stored in create[0]
    assert team.scram_sha256_verifier(password, salt=_parse_verifier(stored)[1]) == stored
    db = team.connect_as(pg_url, login, password=password)
    try:
        assert team.current_user(db).name == "Scram Person"
    finally:
        db.dispose()
    if _checks_passwords(pg_url):
        with pytest.raises(AppError, match="cannot log in"):
            team.connect_as(pg_url, login, password=password + "x")


def _raw(db, sql, **params):
    with db.engine.connect() as conn:
        return conn.execute(text(sql), params).fetchall()


def test_rep_sees_only_own_rows_in_services_and_raw_sql(team_db):
    db = team.connect_as(team_db["url"], team_db["logins"]["a"])
    try:
        a_id = team_db["users"]["a"].id
        assert team.current_user(db).id == a_id
        assert [r.title for r in deals.list_deals(db)] == ["Deal of a"]
        for table in ("opportunity", "activity", "evidence", "stage_transition"):
            rows = _raw(db, f"SELECT opportunity_id FROM {table}" if table != "opportunity"
                        else "SELECT id FROM opportunity")
            assert rows and {r[0] for r in rows} == {team_db["deals"]["a"]}, table
        assert _raw(db, "SELECT count(*) FROM close_date_change WHERE opportunity_id = :d",
                    d=team_db["deals"]["b"])[0][0] == 0
        # reference tables stay readable
        assert _raw(db, "SELECT count(*) FROM stage")[0][0] == 7
        assert _raw(db, "SELECT count(*) FROM app_user")[0][0] == 3
        # writing B's deal touches nothing
        with db.engine.begin() as conn:
            n = conn.execute(text("UPDATE opportunity SET title = 'mine now' WHERE id = :d"),
                             {"d": team_db["deals"]["b"]}).rowcount
            assert n == 0
            n = conn.execute(text("DELETE FROM activity WHERE owner_id = :u"),
                             {"u": team_db["users"]["b"].id}).rowcount
            assert n == 0
        # nor can A hand their deal to B or create one in B's name
        with pytest.raises(ProgrammingError), db.engine.begin() as conn:
            conn.execute(text("UPDATE opportunity SET owner_id = :u WHERE id = :d"),
                         {"u": team_db["users"]["b"].id, "d": team_db["deals"]["a"]})
        with pytest.raises(AppError):
            deals.get_deal(db, team_db["deals"]["b"])
    finally:
        db.dispose()


def test_rep_cannot_override_a_gate(team_db):
    db = team.connect_as(team_db["url"], team_db["logins"]["a"])
    a, m = team_db["users"]["a"], team_db["users"]["m"]
    deal_a = team_db["deals"]["a"]
    try:
        with db.read() as s:
            stages = active_stages(s)
        # raw SQL: an override reason written by a rep is refused by the server
        for who in (a.id, m.id):
            with pytest.raises(DBAPIError, match="row-level security"), db.engine.begin() as conn:
                conn.execute(text(
                    "INSERT INTO stage_transition (id, opportunity_id, from_stage_id, to_stage_id, from_status,"
                    " to_status, kind, at, user_id, override_reason, imported)"
                    " VALUES (:id, :d, :s1, :s3, 'open', 'open', 'forward', now(), :u, 'because', false)"),
                    {"id": uuid.uuid4(), "d": deal_a, "s1": stages[0].id, "s3": stages[2].id, "u": who})
        # the service refuses a rep's override ...
        with pytest.raises(PermissionDenied):
            gates.move_deal(db, deal_a, 3, actor_id=a.id, override_reason="trust me")
        # ... and pretending to be the manager too, in the server's terms (as on a replica) ...
        with pytest.raises(PermissionDenied, match="works in their own name"):
            gates.move_deal(db, deal_a, 3, actor_id=m.id, override_reason="trust me")
        # ... which the server refuses anyway, past the app's check
        with pytest.raises(DBAPIError, match="row-level security"):
            gates.move_deal.__wrapped__(db, deal_a, 3, actor_id=m.id, override_reason="trust me")
        assert deals.get_deal(db, deal_a).stage_id == stages[0].id
    finally:
        db.dispose()


def test_manager_sees_all_and_can_override(team_db):
    db = team.connect_as(team_db["url"], team_db["logins"]["m"])
    m = team_db["users"]["m"]
    try:
        assert {r.title for r in deals.list_deals(db)} == {"Deal of a", "Deal of b"}
        assert len(_raw(db, "SELECT id FROM evidence")) == 2
        result = gates.move_deal(db, team_db["deals"]["b"], 4, actor_id=m.id, override_reason="signed early")
        assert result.overridden and result.to_stage == 4
        assert _raw(db, "SELECT override_reason FROM stage_transition WHERE override_reason IS NOT NULL") \
            == [("signed early",)]
    finally:
        db.dispose()
    rep_b = team.connect_as(team_db["url"], team_db["logins"]["b"])
    try:
        with rep_b.read() as s:
            assert active_stages(s)[3].id == deals.get_deal(rep_b, team_db["deals"]["b"]).stage_id
    finally:
        rep_b.dispose()


def test_connect_as_needs_a_stored_password_and_a_member(team_db, pg_server):
    url = team_db["url"]
    with pytest.raises(AppError, match="no password stored"):
        team.connect_as(url, "nobody")
    if _checks_passwords(url):
        with pytest.raises(AppError, match="cannot log in"):
            team.connect_as(url, team_db["logins"]["a"], password="wrong")
    engine = create_engine(url)
    try:  # a login role that is no app_user of this team is turned away
        stranger = _login("stranger")
        with engine.begin() as conn:
            conn.execute(text(f'CREATE ROLE "{stranger}" LOGIN PASSWORD \'pw\''))
    finally:
        engine.dispose()
    with pytest.raises(AppError):
        team.connect_as(url, stranger, password="pw")


def test_cli_server_init_add_user_and_login(pg_server, monkeypatch, capsys, memory_keyring):
    url = pg_server.create_database(migrated=False)
    try:
        assert cli.main(["server", "init", "--db", url]) == 0
        login = _login("cli_rep")
        monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))
        assert cli.main(["server", "add-user", "Park So-yeon", "--role", "rep", "--login", login,
                         "--password-stdin", "--db", url]) == 0
        assert f"with login {login}" in capsys.readouterr().out
        monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))
        assert cli.main(["login", "--db", url, "--user", login, "--password-stdin"]) == 0
        assert team.get_password(url, login) == "s3cret"
        db = team.connect_as(url, login)
        try:
            assert team.current_user(db).name == "Park So-yeon"
            assert team.current_user(db).role == "rep"
        finally:
            db.dispose()
        if _checks_passwords(url):
            monkeypatch.setattr("sys.stdin", io.StringIO("wrong\n"))
            assert cli.main(["login", "--db", url, "--user", login, "--password-stdin"]) == 1
            assert "cannot log in" in capsys.readouterr().err
        monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))
        assert cli.main(["login", "--db", url, "--user", "not_a_member", "--password-stdin"]) == 1
        assert "error" in capsys.readouterr().err
    finally:
        pg_server.drop_database(url)


def test_rep_cannot_write_in_anothers_name_or_change_reference_data(team_db):
    db = team.connect_as(team_db["url"], team_db["logins"]["a"])
    a, m = team_db["users"]["a"], team_db["users"]["m"]
    try:
        with db.read() as s:
            check = next(d for st in active_stages(s) for d in st.deliverables if d.kind == "check")
        with pytest.raises(PermissionDenied, match="works in their own name"):  # evidence "by the manager"
            evidence.record_evidence(db, team_db["deals"]["a"], check.id, actor_id=m.id, note="ok")
        with pytest.raises(DBAPIError, match="row-level security"):  # and the server, past the app's check
            evidence.record_evidence.__wrapped__(db, team_db["deals"]["a"], check.id, actor_id=m.id, note="ok")
        with pytest.raises(DBAPIError, match="permission denied"), db.engine.begin() as conn:
            conn.execute(text("UPDATE app_user SET db_role = 'x' WHERE id = :u"), {"u": a.id})
        with pytest.raises(DBAPIError, match="permission denied"), db.engine.begin() as conn:
            conn.execute(text("UPDATE stage SET probability = 99"))
        with pytest.raises(DBAPIError, match="permission denied"), db.engine.begin() as conn:
            conn.execute(text("UPDATE stage_transition SET override_reason = 'x'"))
        # a rep still works their own deal: evidence in their own name, a new deal
        evidence.record_evidence(db, team_db["deals"]["a"], check.id, actor_id=a.id, note="mine")
        d = deals.create_deal(db, title="New of a", owner_id=a.id)
        assert {r.title for r in deals.list_deals(db)} == {"Deal of a", "New of a"}
        assert d.owner_id == a.id
    finally:
        db.dispose()


def test_sync_takes_the_password_that_login_kept(pg_url, memory_keyring):
    """`pipeline-manager sync --server URL` (no password in the URL) connects with the
    password stored for that login in the keyring, never one from QSettings or a file."""
    from sqlalchemy.engine import make_url

    from app.services import sync

    team.init_server(pg_url)
    login = _login("kim")
    team.add_member(pg_url, "Kim Min-su", "rep", login, "s3cret")
    url = make_url(pg_url).set(username=login, password=None).render_as_string(hide_password=False)
    team.store_password(url, login, "s3cret")
    server = sync.open_server(url)  # connects at once: a wrong password would be said here
    try:
        assert server.engine.url.password == "s3cret" and server.engine.url.username == login
    finally:
        server.dispose()


def test_no_keyring_on_this_system_is_no_stored_password(monkeypatch):
    """A headless machine without a keyring backend: reading finds nothing (libpq's own
    PGPASSWORD / .pgpass then apply), keeping a password is one clear message."""
    import keyring.backends.fail

    from app.errors import AppError

    old = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        url = "postgresql+psycopg://kim@server.example/pipeline"
        assert team.get_password(url, "kim") is None
        assert team.admin_url_with_password(url) == url
        with pytest.raises(AppError, match="no usable keyring"):
            team.store_password(url, "kim", "pw")
    finally:
        keyring.set_keyring(old)


def test_the_window_opens_a_team_database_as_the_member_of_the_login(team_db, memory_keyring, qapp):
    """`pipeline-manager --db postgresql+psycopg://LOGIN@host/db` (no password): the GUI
    takes the password kept by `login` and works as that member, with the server's role,
    whatever name the local settings hold."""
    from sqlalchemy.engine import make_url

    from app.views.application import open_for_gui

    login = team_db["logins"]["a"]
    url = make_url(team_db["url"]).set(username=login, password=None).render_as_string(hide_password=False)
    team.store_password(url, login, "pw-a")
    db, ctx = open_for_gui(url, "Somebody Else", "manager", "en")
    try:
        assert db.engine.url.password == "pw-a"
        assert (ctx.user_name, ctx.role, ctx.user_id) == ("Rep A", "rep", team_db["users"]["a"].id)
    finally:
        db.dispose()


def _member_server(team_db, key):
    """The team server as a member's own login (password from the keyring), as a replica syncs."""
    from sqlalchemy.engine import make_url

    from app.services import sync

    url = make_url(team_db["url"]).set(username=team_db["logins"][key], password=None)
    return sync.open_server(url.render_as_string(hide_password=False))


def test_sync_tables_show_a_rep_only_their_own_and_sync_still_works(team_db, tmp_path):
    """Tombstones and applied operations are under row-level security too: a rep sees the
    tombstones of rows they could see (and of the shared tables) and the operations they
    pushed; a manager everything. Push (idempotent) and pull still work as a rep."""
    from app.services import outbox, people, sync

    users, deal_a, deal_b = team_db["users"], team_db["deals"]["a"], team_db["deals"]["b"]
    admin = open_database(team_db["url"])
    servers = {k: _member_server(team_db, k) for k in ("a", "b", "m")}
    try:
        replicas = {}
        for k, deal in (("a", deal_a), ("b", deal_b)):
            sync.create_replica(str(tmp_path / f"{k}.sqlite"), servers[k])
            replicas[k] = open_database(str(tmp_path / f"{k}.sqlite"))
            for i in range(3):
                outbox.run(replicas[k], "log_activity", type="call", subject=f"{k}{i}",
                               owner_id=users[k].id, deal_id=deal)
            assert sync.sync(replicas[k], servers[k]).push.applied == 3
        # deletes on the server: one activity of each rep, a shared account
        gone = {}
        with admin.write() as s:
            for k, deal in (("a", deal_a), ("b", deal_b)):
                gone[k] = s.scalar(text("DELETE FROM activity WHERE opportunity_id = :d AND subject = :s "
                                        "RETURNING id"), {"d": deal, "s": f"{k}0"})
        account = people.create_account(admin, "Shared Co")
        with admin.write() as s:
            s.execute(text("DELETE FROM account WHERE id = :i"), {"i": account.id})

        def seen(key, sql):
            return {tuple(r) for r in _raw(servers[key], sql)}

        tomb = "SELECT table_name, row_id FROM tombstone"
        all_tombs = {tuple(r) for r in _raw(admin, tomb)}
        assert len(all_tombs) == 3
        for k in ("a", "b"):  # their own deleted activity and the shared account, not the other's
            assert seen(k, tomb) == {("activity", gone[k]), ("account", account.id)}
        assert seen("m", tomb) == all_tombs
        applied = "SELECT client_id, op_id, name FROM applied_operation"
        assert len(seen("a", applied)) == len(seen("b", applied)) == 3
        assert not seen("a", applied) & seen("b", applied)
        assert seen("m", applied) == seen("a", applied) | seen("b", applied)

        # the pull as a rep deletes what their tombstones say, and only that
        for k in ("a", "b"):
            r = sync.pull(replicas[k], servers[k])
            assert r.deleted == 1
            with replicas[k].read() as s:
                subjects = set(s.scalars(text("SELECT subject FROM activity")))
            assert f"{k}0" not in subjects and {f"{k}1", f"{k}2"} <= subjects
        # the push stays idempotent as a rep: the "applied" marks lost, nothing is applied twice ...
        with replicas["a"].write() as s:
            s.execute(text("UPDATE outbox SET status = 'pending'"))
        r = sync.push(replicas["a"], servers["a"])
        assert (r.applied, r.skipped) == (0, 3)
        # ... even for operations recorded before the table knew its members (invisible to the rep)
        with admin.write() as s:
            s.execute(text("UPDATE applied_operation SET member_id = NULL"))
        assert seen("a", applied) == set()
        with replicas["a"].write() as s:
            s.execute(text("UPDATE outbox SET status = 'pending'"))
        r = sync.push(replicas["a"], servers["a"])
        assert (r.applied, r.skipped) == (0, 3) and not r.conflicts
        assert _raw(admin, "SELECT count(*) FROM activity WHERE opportunity_id = :d", d=deal_a)[0][0] == 3
        # nobody writes the sync tables by hand: no forged tombstone, no operation in another's name
        with pytest.raises(DBAPIError, match="permission denied"), servers["b"].engine.begin() as conn:
            conn.execute(text("INSERT INTO tombstone (table_name, row_id) VALUES ('opportunity', :d)"),
                         {"d": deal_a})
        with pytest.raises(DBAPIError, match="row-level security"), servers["b"].engine.begin() as conn:
            conn.execute(text("INSERT INTO applied_operation (client_id, op_id, name, member_id) "
                              "VALUES (:c, :o, 'x', :u)"), {"c": uuid.uuid4(), "o": uuid.uuid4(), "u": users["a"].id})
        for replica in replicas.values():
            replica.dispose()
    finally:
        for db in (admin, *servers.values()):
            db.dispose()


# ------------------------------------------------------------ passwords checked by the server

def _member_url(url, login):
    """The team URL naming the member's login, without a password (keyring / PGPASSWORD)."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(username=login, password=None).render_as_string(hide_password=False)


def _cli_add_user(monkeypatch, url, name, role, login, password):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    assert cli.main(["server", "add-user", name, "--role", role, "--login", login,
                     "--password-stdin", "--db", url]) == 0


def _cli(monkeypatch, capsys, argv, stdin=""):
    """Run the real CLI; returns (exit code, stdout, stderr)."""
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err and err.startswith("pipeline-manager: error: "), err
    return err


@pytest.fixture
def checked_passwords(pg_url):
    if not _checks_passwords(pg_url):
        pytest.skip("this PostgreSQL server does not check members' passwords (trust)")
    team.init_server(pg_url)
    return pg_url


def test_cli_login_with_the_right_password_then_a_command_uses_the_keyring(checked_passwords, monkeypatch,
                                                                            capsys, memory_keyring, tmp_path):
    url, login = checked_passwords, _login("kim")
    _cli_add_user(monkeypatch, url, "Kim Min-su", "rep", login, "correct horse")
    code, out, _ = _cli(monkeypatch, capsys, ["login", "--db", url, "--user", login, "--password-stdin"],
                        "correct horse\n")
    assert code == 0 and "logged in as Kim Min-su (rep)" in out
    assert team.get_password(url, login) == "correct horse"
    # a command naming only the login: the password comes from the keyring
    code, out, err = _cli(monkeypatch, capsys, ["replica", "create", "--server", _member_url(url, login),
                                                "--db", str(tmp_path / "kim.sqlite")])
    assert (code, err) == (0, "") and "created" in out


def test_cli_login_with_a_wrong_password_is_one_line_and_exit_1(checked_passwords, monkeypatch, capsys,
                                                                 memory_keyring):
    url, login = checked_passwords, _login("kim")
    _cli_add_user(monkeypatch, url, "Kim Min-su", "rep", login, "correct horse")
    code, out, err = _cli(monkeypatch, capsys, ["login", "--db", url, "--user", login, "--password-stdin"],
                          "battery staple\n")
    assert code == 1 and out == ""
    _one_line_error(err)
    assert f"cannot log in as {login}@" in err and "wrong password" in err
    assert "battery staple" not in err  # the URL of the attempt is not shown, its password neither
    assert team.get_password(url, login) is None  # nothing kept


def test_without_a_keyring_pgpassword_gives_the_password(checked_passwords, monkeypatch, capsys, tmp_path):
    """A headless machine: `login` checks the password but cannot keep it (one clear line);
    PGPASSWORD then gives it to every command, and a wrong one is refused in one line."""
    import keyring.backends.fail

    url, login = checked_passwords, _login("kim")
    _cli_add_user(monkeypatch, url, "Kim Min-su", "rep", login, "correct horse")
    keyring.set_keyring(keyring.backends.fail.Keyring())  # the autouse fixture puts the old one back
    code, _, err = _cli(monkeypatch, capsys, ["login", "--db", url, "--user", login, "--password-stdin"],
                        "correct horse\n")
    assert code == 1 and "no usable keyring" in _one_line_error(err) and "PGPASSWORD" in err
    monkeypatch.setenv("PGPASSWORD", "wrong horse")
    code, _, err = _cli(monkeypatch, capsys, ["deals", "--db", _member_url(url, login)])
    assert code == 1 and "password authentication failed" in _one_line_error(err)
    code, _, err = _cli(monkeypatch, capsys, ["replica", "create", "--server", _member_url(url, login),
                                              "--db", str(tmp_path / "kim.sqlite")])
    assert code == 1 and "password authentication failed" in _one_line_error(err)  # said at once
    assert not (tmp_path / "kim.sqlite").exists()
    monkeypatch.setenv("PGPASSWORD", "correct horse")
    code, out, err = _cli(monkeypatch, capsys, ["deals", "--db", _member_url(url, login)])
    assert (code, err) == (0, "")
    code, out, err = _cli(monkeypatch, capsys, ["replica", "create", "--server", _member_url(url, login),
                                                "--db", str(tmp_path / "kim.sqlite")])
    assert (code, err) == (0, "") and "created" in out
    monkeypatch.setenv("PGPASSWORD", "wrong horse")  # the password changed since: sync says so in one line
    code, _, err = _cli(monkeypatch, capsys, ["sync", "--db", str(tmp_path / "kim.sqlite")])
    assert code == 1 and "password authentication failed" in _one_line_error(err)
    assert "wrong horse" not in err


# ------------------------------------------------------------ changing and removing members

def _groups(url, login) -> set[str]:
    return {r[0] for r in admin_query(url, "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON "
                                          "g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member "
                                          "WHERE r.rolname = :r", r=login)}


def test_cli_set_role_moves_a_rep_to_the_managers_and_back(team_db, monkeypatch, capsys):
    url, login = team_db["url"], team_db["logins"]["a"]
    code, out, err = _cli(monkeypatch, capsys, ["server", "set-role", login, "manager", "--db", url])
    assert (code, err) == (0, "") and f"{login} (Rep A) is now a manager (was rep)" in out
    assert _groups(url, login) == {"pm_manager"}
    db = team.connect_as(url, login)  # the former rep sees the whole team's deals
    try:
        assert team.current_user(db).role == "manager"
        assert {r.title for r in deals.list_deals(db)} == {"Deal of a", "Deal of b"}
    finally:
        db.dispose()
    code, out, err = _cli(monkeypatch, capsys, ["server", "set-role", login, "rep", "--db", url])
    assert code == 0 and "is now a rep (was manager)" in out and _groups(url, login) == {"pm_rep"}
    db = team.connect_as(url, login)
    try:
        assert [r.title for r in deals.list_deals(db)] == ["Deal of a"]
    finally:
        db.dispose()
    code, _, err = _cli(monkeypatch, capsys, ["server", "set-role", "nobody_here", "rep", "--db", url])
    assert code == 1 and "not a member" in _one_line_error(err)


def test_set_role_is_one_transaction(team_db, monkeypatch):
    """A failure after the GRANT leaves both the groups and the user's role as they were."""
    url, login = team_db["url"], team_db["logins"]["a"]

    def refuse(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(team, "_groups_of", refuse)
    with pytest.raises(RuntimeError):
        team.set_role(url, login, "manager")
    assert _groups(url, login) == {"pm_rep"}
    assert admin_query(url, "SELECT role FROM app_user WHERE db_role = :r", r=login) == [("rep",)]


def test_cli_remove_user_needs_a_new_owner_for_open_deals_then_the_login_fails(team_db, monkeypatch, capsys):
    url, logins, users = team_db["url"], team_db["logins"], team_db["users"]
    deal_b, b = team_db["deals"]["b"], users["b"]
    admin = open_database(url)
    try:
        activities.log_activity(admin, type="call", subject="done call of b", owner_id=b.id,
                                       deal_id=deal_b, done_at=team.utcnow())
        won = deals.create_deal(admin, title="Won by b", owner_id=b.id)
        with admin.write() as s:
            s.execute(text("UPDATE opportunity SET status = 'won' WHERE id = :d"), {"d": won.id})
    finally:
        admin.dispose()
    history = "SELECT count(*) FROM {t} WHERE user_id = :u"
    before = {t: admin_query(url, history.format(t=t), u=b.id)[0][0] for t in ("stage_transition", "evidence")}
    # refused while B owns an open deal: nothing changes, B still logs in
    code, out, err = _cli(monkeypatch, capsys, ["server", "remove-user", logins["b"], "--db", url])
    assert code == 1 and "owns 1 open deal" in _one_line_error(err) and "--reassign-to" in err
    team.connect_as(url, logins["b"]).dispose()
    session_b = team.connect_as(url, logins["b"])  # a session of B's left open meanwhile
    try:
        code, out, err = _cli(monkeypatch, capsys, ["server", "remove-user", logins["b"], "--reassign-to",
                                                    logins["a"], "--db", url])
        assert (code, err) == (0, "")
        assert f"removed {logins['b']} (Rep B)" in out and f"1 open deal(s) now owned by {logins['a']}" in out
        with pytest.raises(DBAPIError, match="permission denied"), session_b.engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM opportunity")).scalar()
    finally:
        session_b.dispose()
    # B's login fails, with a clear line
    code, _, err = _cli(monkeypatch, capsys, ["login", "--db", url, "--user", logins["b"], "--password-stdin"],
                        "pw-b\n")
    assert code == 1 and "removed from the team" in _one_line_error(err)
    with pytest.raises(AppError, match="removed from the team"):
        team.connect_as(url, logins["b"])
    assert _groups(url, logins["b"]) == set()
    # the open deal and its open activity are A's now; the history stays B's
    owners = dict(admin_query(url, "SELECT title, owner_id FROM opportunity"))
    assert owners["Deal of b"] == users["a"].id and owners["Won by b"] == b.id
    acts = dict(admin_query(url, "SELECT subject, owner_id FROM activity WHERE opportunity_id = :d", d=deal_b))
    assert acts == {"call b": users["a"].id, "done call of b": b.id}
    assert {t: admin_query(url, history.format(t=t), u=b.id)[0][0]
            for t in ("stage_transition", "evidence")} == before
    assert admin_query(url, "SELECT active, db_role FROM app_user WHERE id = :u", u=b.id) == [(False, logins["b"])]
    db = team.connect_as(url, logins["a"])  # rep A sees the deal handed over (row-level security)
    try:
        assert {r.title for r in deals.list_deals(db)} == {"Deal of a", "Deal of b"}
    finally:
        db.dispose()
    # a removed member is neither removed again, nor given deals, nor given a role
    for argv in (["server", "remove-user", logins["b"]],
                 ["server", "remove-user", logins["m"], "--reassign-to", logins["b"]],
                 ["server", "set-role", logins["b"], "manager"]):
        code, _, err = _cli(monkeypatch, capsys, argv + ["--db", url])
        assert code == 1 and "was removed" in _one_line_error(err), argv


def test_remove_user_without_open_deals_needs_no_new_owner(team_db, monkeypatch, capsys):
    url, login = team_db["url"], team_db["logins"]["m"]
    code, out, err = _cli(monkeypatch, capsys, ["server", "remove-user", login, "--db", url])
    assert (code, err) == (0, "") and "can no longer connect" in out and "open deal" not in out
    code, _, err = _cli(monkeypatch, capsys, ["server", "remove-user", team_db["logins"]["a"], "--reassign-to",
                                              team_db["logins"]["a"], "--db", url])
    assert code == 1 and "another member" in _one_line_error(err)


def test_a_role_change_reaches_the_members_replica_at_the_next_sync(team_db, tmp_path):
    """Promoted, a rep's replica gets the team's deals with their history at the next pull;
    demoted again, they leave it (as a deal handed to someone else does)."""
    from app.models import Evidence, Opportunity, StageTransition
    from app.services import sync

    url, login = team_db["url"], team_db["logins"]["a"]
    b_deal = team_db["deals"]["b"]
    server = _member_server(team_db, "a")
    path = tmp_path / "a.sqlite"
    try:
        sync.create_replica(str(path), server)
        replica = open_database(str(path))

        def local(model, **where):
            with replica.read() as s:
                return s.query(model).filter_by(**where).count()

        assert local(Opportunity) == 1 and local(Opportunity, id=b_deal) == 0
        team.set_role(url, login, "manager")
        server.dispose()
        server = _member_server(team_db, "a")  # a new session as that login, as the next sync makes
        sync.sync(replica, server)
        assert local(Opportunity, id=b_deal) == 1
        assert local(StageTransition, opportunity_id=b_deal) >= 1 and local(Evidence, opportunity_id=b_deal) == 1
        team.set_role(url, login, "rep")
        server.dispose()
        server = _member_server(team_db, "a")
        sync.sync(replica, server)
        assert local(Opportunity, id=b_deal) == 0 and local(StageTransition, opportunity_id=b_deal) == 0
        assert local(Opportunity, id=team_db["deals"]["a"]) == 1
        replica.dispose()
    finally:
        server.dispose()


def test_a_promoted_members_replica_gets_the_teams_activities_without_a_deal(team_db, tmp_path):
    """A manager sees everyone's activities that belong to no deal; promoted, a rep's replica
    gets B's and the manager's at the next sync (as it gets the team's deals), demoted it
    drops them again, keeping A's own."""
    from app.models import Activity
    from app.services import sync

    url, login, users = team_db["url"], team_db["logins"]["a"], team_db["users"]
    admin = open_database(url)
    try:
        own = activities.log_activity(admin, type="call", subject="A's own, no deal", owner_id=users["a"].id).id
        b_act = activities.log_activity(admin, type="email", subject="B's, no deal", owner_id=users["b"].id).id
        m_act = activities.log_activity(admin, type="meeting", subject="M's, no deal", owner_id=users["m"].id).id
    finally:
        admin.dispose()
    server = _member_server(team_db, "a")
    path = tmp_path / "a.sqlite"
    try:
        sync.create_replica(str(path), server)
        replica = open_database(str(path))

        def here() -> set:
            with replica.read() as s:
                return set(s.scalars(select(Activity.id).where(Activity.opportunity_id.is_(None))))

        assert here() == {own}
        team.set_role(url, login, "manager")
        server.dispose()
        server = _member_server(team_db, "a")
        r = sync.sync(replica, server)
        assert here() == {own, b_act, m_act} and r.changes.touches("activities")
        assert sync.pull(replica, server).rows == 0  # brought once, not at every pull
        team.set_role(url, login, "rep")
        server.dispose()
        server = _member_server(team_db, "a")
        sync.sync(replica, server)
        assert here() == {own}
        replica.dispose()
    finally:
        server.dispose()


def test_a_demoted_managers_offline_change_to_anothers_activity_is_no_longer_theirs(team_db, tmp_path, qtbot):
    """Promoted, A marks B's activity without a deal done offline; demoted before the sync,
    A's push is refused with the reason (not "activity ... not found"), B's activity stays
    open on the server and leaves A's replica."""
    from app.models import Activity
    from app.services import outbox, sync
    from app.views.sync_view import ConflictsDialog

    url, login, users = team_db["url"], team_db["logins"]["a"], team_db["users"]
    admin = open_database(url)
    try:
        b_act = activities.log_activity(admin, type="email", subject="B's, no deal", owner_id=users["b"].id).id
    finally:
        admin.dispose()
    team.set_role(url, login, "manager")
    server = _member_server(team_db, "a")
    path = tmp_path / "a.sqlite"
    try:
        sync.create_replica(str(path), server)
        replica = open_database(str(path))
        outbox.run(replica, "complete_activity", activity_id=b_act)
        team.set_role(url, login, "rep")
        server.dispose()
        server = _member_server(team_db, "a")
        r = sync.sync(replica, server)
        assert r.push.applied == 0 and len(r.push.conflicts) == 1
        (c,) = sync.conflicts(replica)
        assert (c.kind, c.error) == ("revoked_activity", sync.ACTIVITY_NOT_YOURS)
        dlg = ConflictsDialog(replica)
        qtbot.addWidget(dlg)
        assert dlg.table.item(0, 0).text() == "Activity done"
        assert dlg.table.item(0, 1).text().startswith("The activity is no longer yours to see")
        with replica.read() as s:
            assert s.get(Activity, b_act) is None
        assert admin_query(url, "SELECT done_at FROM activity WHERE id = :a", a=b_act) == [(None,)]
        replica.dispose()
    finally:
        server.dispose()


@pytest.fixture(params=["postgresql", "postgresql-ko"])
def any_team_server(request, tmp_path):
    """A new team database on the test server and on one set up as a Korean team's
    (conftest.KoreanServer: ko-KR collation, whose lower() folds accents too)."""
    from conftest import database_url_for

    url, drop = database_url_for(request.param, request, tmp_path)
    yield url
    drop()


def test_add_member_links_the_user_of_that_name_by_the_apps_one_name_rule(any_team_server):
    """A member added under a name a local user has is linked to that user, by the rule
    people.find_user and create_user use on every engine (collation.same_name: the stored
    name key, Unicode case folding): 'émile  zola' is Émile Zola on every server, while
    'Emile Zola' (no accent) is someone else."""
    from app.services import people

    url = any_team_server
    team.init_server(url)
    admin = open_database(url)
    try:
        emile = people.create_user(admin, "Émile Zola", "rep")
        kim = people.create_user(admin, "김민수", "rep")
    finally:
        admin.dispose()
    assert team.add_member(url, "émile  zola", "manager", _login("emile"), "pw").id == emile.id
    assert team.add_member(url, "김민수", "rep", _login("kim"), "pw").id == kim.id
    other = team.add_member(url, "Emile Zola", "rep", _login("emile2"), "pw")
    assert other.id not in (emile.id, kim.id)
    admin = open_database(url)
    try:
        names = {u.name: (u.role, u.db_role is not None) for u in people.list_users(admin)}
    finally:
        admin.dispose()
    assert names == {"Émile Zola": ("manager", True), "Emile Zola": ("rep", True), "김민수": ("rep", True)}
