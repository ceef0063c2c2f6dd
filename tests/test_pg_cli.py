"""Maintenance commands on a PostgreSQL database: `check` reports, `backup` refuses clearly."""

from __future__ import annotations

import pytest

from app.cli import main

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
