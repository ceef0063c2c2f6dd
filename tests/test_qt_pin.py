"""Guard against the PySide6 6.12.0 crash on Python 3.11: "Fatal Python error: none_dealloc"
after a few thousand calls of C++ functions that return None (void). pyproject.toml pins
PySide6 != 6.12.0; if a future release has the same bug, this test fails CI instead of the
app crashing at a customer's desk."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import PySide6

CALLS = 100_000

SCRIPT = textwrap.dedent(f"""
    import sys
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QBrush, QColor, QGuiApplication, QImage, QPainter, QPen, QStandardItem, QStandardItemModel

    app = QGuiApplication(sys.argv)
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    pen, brush, rect = QPen(QColor("navy")), QBrush(QColor("gold")), QRect(2, 2, 20, 12)
    model = QStandardItemModel()
    calls = 0
    while calls < {CALLS}:
        # every one of these returns None to Python
        painter.setPen(pen)
        painter.setBrush(brush)
        painter.drawRect(rect)
        model.appendRow(QStandardItem("deal"))
        calls += 4
    painter.end()
    assert model.rowCount() == {CALLS} // 4
    print("ok", calls, flush=True)
""")


def test_many_void_calls_do_not_crash():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, (
        f"PySide6 {PySide6.__version__} crashed after many None-returning calls "
        f"(exit {proc.returncode}); pin it out in pyproject.toml.\n{proc.stderr[-2000:]}")
    assert proc.stdout.split() == ["ok", str(CALLS)]


def test_pinned_version_is_not_installed():
    assert PySide6.__version__ != "6.12.0"
