"""Render the README screenshots: the board, the gate dialog (a refused move) and the deal
workspace, in English and Korean, from a fixed-seed sample database.

    python packaging/screenshots.py [--out docs/screenshots] [--deals 400] [--seed 7]

Runs offscreen (no display needed). Korean needs a CJK font (Debian/Ubuntu: fonts-nanum).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QLocale  # noqa: E402
from PySide6.QtGui import QFont, QFontDatabase  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.db import open_database  # noqa: E402
from app.services import demo, gates, history, people  # noqa: E402
from app.services.deals import list_deals  # noqa: E402
from app.views.context import AppContext  # noqa: E402
from app.views.i18n import install_translators  # noqa: E402

SIZE = {"board": (1500, 860), "gate": (680, 560), "deal": (1240, 720)}


def _settle(app: QApplication, rounds: int = 5) -> None:
    """Let the window lay out and the board's background queries (totals) arrive."""
    from PySide6.QtCore import QThreadPool
    from PySide6.QtTest import QTest

    for _ in range(rounds):
        app.processEvents()
    QThreadPool.globalInstance().waitForDone(10_000)
    QTest.qWait(300)  # deliver the queued results to the GUI thread
    for _ in range(rounds):
        app.processEvents()


def _save(widget: QWidget, path: Path) -> None:
    image = widget.grab().toImage()
    if not image.save(str(path), "PNG", 0):  # 0 = strongest PNG compression
        raise SystemExit(f"could not write {path}")
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
          f"{image.width()}x{image.height()}, {path.stat().st_size // 1024} KB")


def _pick_fonts(app: QApplication) -> None:
    """A UI font that also has Hangul, when one is installed, so both languages look alike."""
    families = set(QFontDatabase.families())
    for name in ("NanumBarunGothic", "NanumGothic", "Noto Sans CJK KR", "Noto Sans KR"):
        if name in families:
            app.setFont(QFont(name, 10))
            return


def _gate_deal(db) -> tuple:
    """An open deal whose next move is refused, missing deliverables of several kinds."""
    fallback = None
    for stage in (3, 4, 5, 2, 1):
        for d in list_deals(db, stage=stage, status="open", limit=80):
            missing = gates.missing_for_move(db, d.id, stage + 1)
            if len({m.kind for m in missing}) >= 2 and len(missing) <= 4:
                return d.id, stage + 1
            if missing and fallback is None:
                fallback = (d.id, stage + 1)
    if fallback is None:
        raise SystemExit("no deal with a refused move in the sample data")
    return fallback


def _workspace_deal(db):
    """An open deal with a story: several stage visits and at least one close-date push."""
    best, best_score = None, -1
    for stage in (5, 4, 6, 3):
        for d in list_deals(db, stage=stage, status="open", limit=60):
            visits = history.stage_history(db, d.id)
            pushes = sum(1 for c in history.close_date_history(db, d.id) if c.pushed)
            score = min(len(visits), 6) + 2 * min(pushes, 2)
            if score > best_score:
                best, best_score = d.id, score
    return best


def render(out: Path, deals: int, seed: int) -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Pipeline Manager")
    _pick_fonts(app)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="pm-shots-"))
    db = open_database(tmp / "sample.sqlite")
    demo.generate(db, deals=deals, seed=seed)
    user = next(u for u in people.list_users(db) if u.role == "manager")
    gate_deal, gate_target = _gate_deal(db)
    deal_id = _workspace_deal(db)

    from app.views.deal_dialog import DealDialog
    from app.views.gate_dialog import GateDialog
    from app.views.main_window import MainWindow
    from app.views.settings import Settings

    for lang in ("en", "ko"):
        install_translators(app, lang)
        QLocale.setDefault(QLocale("ko_KR" if lang == "ko" else "en_US"))
        settings = Settings.at(str(tmp / f"settings-{lang}.ini"))
        settings.user_name, settings.role, settings.language = user.name, user.role, lang
        ctx = AppContext(db=db, user_id=user.id, user_name=user.name, role=user.role, lang=lang)
        win = MainWindow(ctx, settings)
        win.resize(*SIZE["board"])
        win.show()
        _settle(app)
        _save(win, out / f"board_{lang}.png")

        gate = GateDialog(ctx, gate_deal, gate_target, parent=win)
        gate.resize(*SIZE["gate"])
        gate.show()
        _settle(app)
        _save(gate, out / f"gate_{lang}.png")
        gate.reject()

        dlg = DealDialog(ctx, deal_id, win)
        dlg.resize(*SIZE["deal"])
        dlg.show()
        _settle(app)
        _save(dlg, out / f"deal_{lang}.png")
        dlg.tabs.setCurrentIndex(1)
        _settle(app)
        _save(dlg, out / f"deal_history_{lang}.png")
        dlg.reject()
        win.close()
        win.deleteLater()
        _settle(app)
    install_translators(app, "en")
    db.dispose()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Render the README screenshots.")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    p.add_argument("--deals", type=int, default=400)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    render(args.out.resolve(), args.deals, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
