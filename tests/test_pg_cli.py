"""Commands on a PostgreSQL database: `check` reports, `backup` refuses clearly; a member
taken off the team comes back with `server restore-user`."""

from __future__ import annotations

import io
import uuid

import pytest
from conftest import admin_query
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.cli import main
from app.db import open_database
from app.errors import AppError
from app.services import deals, team

pytestmark = pytest.mark.postgresql


def test_check_and_backup_on_postgresql(pg_url, tmp_path, capsys):
    assert main(["--db", pg_url, "demo", "--deals", "20", "--seed", "3", "--end", "2026-06-30"]) == 0
    capsys.readouterr()
    assert main(["--db", pg_url, "check"]) == 0
    out = capsys.readouterr().out
    assert "integrity: ok" in out and "total: " in out and "no deals" not in out
    code = main(["--db", pg_url, "backup", "-o", str(tmp_path / "x.bak")])
    err = capsys.readouterr().err
    assert code == 1 and "pg_dump" in err and err.strip().count("\n") == 0
    assert not (tmp_path / "x.bak").exists()


def _cli(monkeypatch, capsys, argv, stdin=""):
    """The real CLI: (exit code, stdout, stderr)."""
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("pipeline-manager: error: ") and "Traceback" not in err, err
    return err


def _titles(path) -> set[str]:
    db = open_database(path, create=False)
    try:
        with db.read() as s:
            return set(s.scalars(text("SELECT title FROM opportunity")))
    finally:
        db.dispose()


def test_a_removed_member_comes_back_with_restore_user(pg_url, tmp_path, monkeypatch, capsys, memory_keyring):
    """`remove-user`, then `restore-user` with the same login: the same user (their history,
    their won deal), a new password (the old one no longer works), the role given; the deals
    handed over meanwhile stay with their new owner, and leave the replica they kept.
    `add-user` of that login says the way."""
    tag = uuid.uuid4().hex[:8]
    kim, lee = f"kim_{tag}", f"lee_{tag}"
    assert _cli(monkeypatch, capsys, ["server", "init", "--db", pg_url])[0] == 0
    for name, role, login, pw in (("Kim Min-su", "rep", kim, "old-pw"), ("Lee Ji-eun", "manager", lee, "lee-pw")):
        code, _, err = _cli(monkeypatch, capsys, ["server", "add-user", name, "--role", role, "--login", login,
                                                  "--password-stdin", "--db", pg_url], pw + "\n")
        assert (code, err) == (0, "")
    (kim_id,), = admin_query(pg_url, "SELECT id FROM app_user WHERE db_role = :r", r=kim)
    (lee_id,), = admin_query(pg_url, "SELECT id FROM app_user WHERE db_role = :r", r=lee)
    admin = open_database(pg_url)
    try:
        open_deal = deals.create_deal(admin, title="Kim's open deal", owner_id=kim_id).id
        won = deals.create_deal(admin, title="Kim's won deal", owner_id=kim_id).id
    finally:
        admin.dispose()
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE opportunity SET status = 'won' WHERE id = :d"), {"d": won})
    engine.dispose()
    member_url = make_url(pg_url).set(username=kim).render_as_string(hide_password=False)
    replica = str(tmp_path / "kim.sqlite")
    assert _cli(monkeypatch, capsys, ["login", "--db", member_url, "--user", kim, "--password-stdin"], "old-pw\n")[0] == 0
    code, _, err = _cli(monkeypatch, capsys, ["replica", "create", "--server", member_url, "--db", replica])
    assert (code, err) == (0, "")
    assert _titles(replica) == {"Kim's open deal", "Kim's won deal"}
    code, _, err = _cli(monkeypatch, capsys, ["server", "remove-user", kim, "--reassign-to", lee, "--db", pg_url])
    assert (code, err) == (0, "")

    # add-user of the removed login: refused, naming restore-user; nothing changed
    code, _, err = _cli(monkeypatch, capsys, ["server", "add-user", "Kim Min-su", "--role", "rep", "--login", kim,
                                              "--password-stdin", "--db", pg_url], "new-pw\n")
    assert code == 1 and f"server restore-user {kim}" in _one_line(err)
    code, _, err = _cli(monkeypatch, capsys, ["server", "add-user", "Kim Min-su", "--role", "rep", "--login",
                                              f"kim2_{tag}", "--password-stdin", "--db", pg_url], "new-pw\n")
    assert code == 1 and f"server restore-user {kim} --role rep" in _one_line(err)  # the person, by name
    assert admin_query(pg_url, "SELECT count(*) FROM pg_roles WHERE rolname = :r", r=f"kim2_{tag}") == [(0,)]
    assert admin_query(pg_url, "SELECT rolcanlogin FROM pg_roles WHERE rolname = :r", r=kim) == [(False,)]

    code, out, err = _cli(monkeypatch, capsys, ["server", "restore-user", kim, "--role", "rep", "--password-stdin",
                                                "--db", pg_url], "new-pw\n")
    assert (code, err) == (0, "")
    assert f"restored {kim} (Kim Min-su) as a rep" in out
    assert admin_query(pg_url, "SELECT id, active, role FROM app_user WHERE db_role = :r", r=kim) == [(kim_id, True, "rep")]
    assert admin_query(pg_url, "SELECT count(*) FROM app_user WHERE lower(name) = 'kim min-su'") == [(1,)]
    assert {r[0] for r in admin_query(pg_url, "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                                         "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = :r", r=kim)} == {"pm_rep"}
    db = team.connect_as(pg_url, kim, "new-pw")
    try:
        assert team.current_user(db).id == kim_id
        # their won deal is theirs again to see; the open one stays with Lee
        assert [r.title for r in deals.list_deals(db)] == ["Kim's won deal"]
    finally:
        db.dispose()
    assert dict(admin_query(pg_url, "SELECT id, owner_id FROM opportunity"))[open_deal] == lee_id
    with pytest.raises(AppError, match="wrong password"):
        team.connect_as(pg_url, kim, "old-pw")
    # the replica Kim kept syncs again once Kim logs in with the new password
    assert _cli(monkeypatch, capsys, ["sync", "--db", replica])[0] == 1  # the keyring has the old one
    assert _cli(monkeypatch, capsys, ["login", "--db", member_url, "--user", kim, "--password-stdin"], "new-pw\n")[0] == 0
    code, _, err = _cli(monkeypatch, capsys, ["sync", "--db", replica])
    assert (code, err) == (0, "") and _titles(replica) == {"Kim's won deal"}

    # restoring a member who is on the team, or a login the team never had: one clear line
    code, _, err = _cli(monkeypatch, capsys, ["server", "restore-user", kim, "--role", "rep", "--password-stdin",
                                              "--db", pg_url], "x\n")
    assert code == 1 and "is on the team" in _one_line(err)
    code, _, err = _cli(monkeypatch, capsys, ["server", "restore-user", f"nobody_{tag}", "--role", "rep",
                                              "--password-stdin", "--db", pg_url], "x\n")
    assert code == 1 and "not a member" in _one_line(err)
    # restored as a manager this time: the whole team's deals
    assert _cli(monkeypatch, capsys, ["server", "remove-user", kim, "--db", pg_url])[0] == 0
    code, out, err = _cli(monkeypatch, capsys, ["server", "restore-user", kim, "--role", "manager",
                                                "--password-stdin", "--db", pg_url], "newer-pw\n")
    assert (code, err) == (0, "") and "as a manager (was rep)" in out
    db = team.connect_as(pg_url, kim, "newer-pw")
    try:
        assert {r.title for r in deals.list_deals(db)} == {"Kim's won deal", "Kim's open deal"}
    finally:
        db.dispose()
    assert _cli(monkeypatch, capsys, ["login", "--db", member_url, "--user", kim, "--password-stdin"],
                "newer-pw\n")[0] == 0
    assert _cli(monkeypatch, capsys, ["sync", "--db", replica])[0] == 0
    assert _titles(replica) == {"Kim's open deal", "Kim's won deal"}  # a manager's replica: the team's
