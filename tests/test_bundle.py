"""The PyInstaller desktop bundle (packaging/pipeline-manager.spec): built once per session
into a temporary folder, then run like a user would: the CLI on a temporary database and
the main window offscreen, in Korean. Slow (about 1.5 minutes to build on 2 cores)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "pipeline-manager.spec"
EXE_NAME = "pipeline-manager.exe" if sys.platform == "win32" else "pipeline-manager"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """The built one-folder bundle (its top folder, holding the executable)."""
    pytest.importorskip("PyInstaller", reason="PyInstaller not installed: pip install -e '.[package]'")
    out = tmp_path_factory.mktemp("bundle")
    proc = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(out / "dist"), "--workpath", str(out / "build"), str(SPEC)],
        cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-4000:]
    folder = out / "dist" / "pipeline-manager"
    assert (folder / EXE_NAME).is_file()
    return folder


def _run(bundle: Path, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([str(bundle / EXE_NAME), *args], env=env, cwd=bundle.parent,
                          capture_output=True, text=True, timeout=timeout)


def _data_file(bundle: Path, relative: str) -> Path | None:
    hits = [p for p in bundle.rglob(Path(relative).name) if p.as_posix().endswith(relative)]
    return hits[0] if hits else None


def test_bundle_carries_translations_migrations_template_and_icon(bundle):
    for relative in ("resources/translations/pipeline_ko.qm", "resources/process/default.json",
                     "resources/currencies.json", "app/migrations/script.py.mako",
                     "app/migrations/env.py", "icons/pipeline-manager.png",
                     "resources/icons/pipeline-manager.png"):
        assert _data_file(bundle, relative) is not None, f"{relative} missing from the bundle"
    versions = {p.name for p in bundle.rglob("versions/0*.py")}
    shipped = {p.name for p in (ROOT / "app" / "migrations" / "versions").glob("0*.py")}
    assert versions == shipped


def test_bundle_cli_creates_and_checks_a_database(bundle, tmp_path):
    version = _run(bundle, "--version")
    assert version.returncode == 0 and "pipeline-manager 0.1.0" in version.stdout
    db = str(tmp_path / "bundle.sqlite")
    demo = _run(bundle, "demo", "--db", db, "--deals", "30", "--seed", "3")
    assert demo.returncode == 0, demo.stderr
    check = _run(bundle, "check", "--db", db)  # migrations ran from the bundle's files
    assert check.returncode == 0, check.stderr
    assert "total:" in check.stdout


def test_bundle_opens_the_main_window_in_korean(bundle, tmp_path):
    proc = _run(bundle, "--smoke-test", "ko", "--db", str(tmp_path / "gui.sqlite"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "menu=파일(&F)" in proc.stdout  # our Korean .qm was loaded from the bundle
    assert "rendered=True" in proc.stdout
    assert "icon=True" in proc.stdout  # the window icon came from the bundle's resources
