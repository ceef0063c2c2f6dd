"""Render packaging/icons/pipeline-manager.svg to the PNG (Linux), ICO (Windows) and ICNS
(macOS) icons that the PyInstaller spec and the .desktop file use.

    python packaging/make_icons.py

The rendered files are committed; run this again after editing the SVG.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS = Path(__file__).resolve().parent / "icons"
PNG_DIR = Path(__file__).resolve().parents[1] / "resources" / "icons"  # the app's window icon too
NAME = "pipeline-manager"


def render(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(ICONS / f"{NAME}.svg")).render(painter)
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication(sys.argv)  # noqa: F841 (image plugins need an application)
    written = []
    for size, fmt, suffix in ((256, "PNG", ".png"), (256, "ICO", ".ico"), (512, "ICNS", ".icns")):
        path = (PNG_DIR if suffix == ".png" else ICONS) / f"{NAME}{suffix}"
        if not render(size).save(str(path), fmt):
            print(f"could not write {path} ({fmt} image plugin missing?)", file=sys.stderr)
            return 1
        written.append(path.name)
    print("wrote", ", ".join(written))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
