"""A throw-away PostgreSQL cluster for the test suite (and benchmarks).

``PM_TEST_PG_URL`` (a superuser URL such as ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``)
points the tests at a server you run yourself. Otherwise the first test that needs
PostgreSQL starts one: ``initdb`` into a temporary folder, ``pg_ctl start`` on a free port
of 127.0.0.1, stopped when the test session ends. As root (CI, these machines) the cluster
runs as the ``postgres`` system user, since PostgreSQL refuses to run as root.

Authentication is that of a real server for everyone but the tests' superuser: ``trust``
for ``postgres`` (the admin URL has no password), ``scram-sha-256`` for every other role,
so a member's wrong password is refused as it would be in production.

Each test gets a fresh database cloned from a migrated template (``CREATE DATABASE ...
TEMPLATE``), which takes a fraction of a second.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SUPERUSER = "postgres"


class PgUnavailable(RuntimeError):
    pass


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for root in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (root / name).exists():
            return str(root / name)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """A running server; ``admin_url`` is a superuser URL to its ``postgres`` database."""

    def __init__(self) -> None:
        self._tmp: Path | None = None
        self._run_as: list[str] = []
        self._template: str | None = None
        env_url = os.environ.get("PM_TEST_PG_URL")
        if env_url:
            self.admin_url = env_url
            return
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise PgUnavailable("PostgreSQL is not installed (no initdb/pg_ctl); .ci/run installs it")
        self._tmp = Path(tempfile.mkdtemp(prefix="pm-pg-"))
        data = self._tmp / "data"
        if os.geteuid() == 0:
            import pwd

            try:
                pw = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise PgUnavailable("running as root but there is no 'postgres' system user") from exc
            os.chown(self._tmp, pw.pw_uid, pw.pw_gid)
            self._run_as = ["runuser", "-u", "postgres", "--"]
        self._pg_ctl = pg_ctl
        self._data = data
        self.port = _free_port()
        self._run([initdb, "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
                   "--locale=C.UTF-8", "--no-sync"])
        self._write_hba(data / "pg_hba.conf")
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self._tmp} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run([pg_ctl, "-D", str(data), "-o", opts, "-l", str(self._tmp / "log"), "-w", "-t", "60", "start"])
        self.admin_url = f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    @staticmethod
    def _write_hba(path: Path) -> None:
        """The first matching line wins: the superuser's lines before the catch-all ones."""
        lines = []
        for user, method in ((SUPERUSER, "trust"), ("all", "scram-sha-256")):
            lines += [f"local all {user} {method}",
                      f"host  all {user} 127.0.0.1/32 {method}",
                      f"host  all {user} ::1/128 {method}"]
        stat = path.stat()
        path.write_text("\n".join(lines) + "\n")
        os.chown(path, stat.st_uid, stat.st_gid)  # as root: still the postgres user's file

    def _run(self, cmd: list[str]) -> None:
        proc = subprocess.run(self._run_as + cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            log = ""
            if self._tmp and (self._tmp / "log").exists():
                log = (self._tmp / "log").read_text()[-2000:]
            raise PgUnavailable(f"{' '.join(cmd[:2])} failed: {proc.stderr.strip()[-2000:]} {log}")

    # ------------------------------------------------------------ databases

    def url_for(self, dbname: str, user: str | None = None, password: str | None = None) -> str:
        u = make_url(self.admin_url).set(database=dbname)
        if user is not None:
            u = u.set(username=user, password=password)
        return u.render_as_string(hide_password=False)

    def _admin(self, sql: str) -> None:
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(sql))
        finally:
            engine.dispose()

    def template(self) -> str:
        """A database migrated to head with the default template loaded (made once)."""
        if self._template is None:
            from app.db import open_database

            name = f"pm_template_{uuid.uuid4().hex[:8]}"
            self._admin(f'CREATE DATABASE "{name}"')
            open_database(self.url_for(name)).dispose()
            self._template = name
        return self._template

    def create_database(self, *, migrated: bool = True) -> str:
        """A fresh database; returns its superuser URL."""
        name = f"pm_test_{uuid.uuid4().hex[:12]}"
        if migrated:
            self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template()}"')
        else:
            self._admin(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self._tmp is None:
            return
        try:
            subprocess.run(self._run_as + [self._pg_ctl, "-D", str(self._data), "-m", "immediate", "-w", "stop"],
                           capture_output=True)
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
