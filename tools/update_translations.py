"""Refresh the Korean translation: extract every string of app/views with pyside6-lupdate
into resources/translations/pipeline_ko.ts (existing translations are kept, new strings come
in as "unfinished"), optionally fill translations from a JSON file, then compile the .qm
with pyside6-lrelease. Prints how many strings still need a translation.

    python tools/update_translations.py                 # extract + compile
    python tools/update_translations.py --apply ko.json # also fill from {"source": "번역"}
                                                        # or {"Context": {"source": "번역"}}
    python tools/update_translations.py --check         # only count unfinished, exit 1 if any

Edit the .ts with Qt Linguist (pyside6-linguist) or any XML editor, then run it again.
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VIEWS = ROOT / "app" / "views"
APP = ROOT / "app"
ERROR_CONTEXT = "AppError"  # where app.errors.Message templates are translated (views.operations.message_text)
TS = ROOT / "resources" / "translations" / "pipeline_ko.ts"
QM = TS.with_suffix(".qm")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        sys.exit(f"{name} not found: install PySide6 (it ships {name})")
    return path


def _wrappers(tree: ast.Module) -> dict[str, str]:
    """Module-level helpers like ``def _tr(text): return QCoreApplication.translate("Ctx", text)``
    -> {"_tr": "Ctx"}. lupdate cannot see through them, so we collect their calls ourselves."""
    consts = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
              and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
              for t in n.targets if isinstance(t, ast.Name)}
    out = {}
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef) or not fn.args.args:
            continue
        param = fn.args.args[0].arg
        for node in ast.walk(fn):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "translate" and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Name) and node.args[1].id == param):
                ctx = node.args[0]
                if isinstance(ctx, ast.Constant) and isinstance(ctx.value, str):
                    out[fn.name] = ctx.value
                elif isinstance(ctx, ast.Name) and ctx.id in consts:
                    out[fn.name] = consts[ctx.id]
    return out


def wrapper_messages() -> list[tuple[str, str, bool]]:
    """(context, source, plural) of every literal passed to a translate wrapper in app/views."""
    found: dict[tuple[str, str], bool] = {}
    for path in sorted(VIEWS.glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        wrappers = _wrappers(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in wrappers and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                plural = len(node.args) > 1 or any(k.arg == "n" for k in node.keywords)
                key = (wrappers[node.func.id], node.args[0].value)
                found[key] = found.get(key, False) or plural
    return [(c, s, p) for (c, s), p in found.items()]


def message_templates() -> list[str]:
    """Every literal template given to ``Message("...", ...)`` outside app/views (the
    services' and the database's messages, see app.errors.Message), in file order."""
    found: dict[str, None] = {}
    for path in sorted(APP.rglob("*.py")):
        if VIEWS in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Message"
                    and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value)
    return list(found)


def _saved_translations() -> dict[tuple[str, str], list[str]]:
    """Every finished translation of the current .ts, so that no run ever loses one."""
    if not TS.exists():
        return {}
    out = {}
    for name, msg in messages(ET.parse(TS)):
        tr = msg.find("translation")
        if tr is None or tr.get("type") in ("unfinished", "vanished", "obsolete"):
            continue
        forms = [f.text or "" for f in tr.findall("numerusform")] or [tr.text or ""]
        if all(f.strip() for f in forms):
            out[(name, msg.findtext("source"))] = forms
    return out


def extract() -> None:
    saved = _saved_translations()
    sources = sorted(str(p.relative_to(ROOT)) for p in VIEWS.glob("*.py"))
    subprocess.run([_tool("pyside6-lupdate"), *sources, "-no-obsolete", "-locations", "none",
                    "-target-language", "ko_KR", "-silent", "-ts", str(TS.relative_to(ROOT))],
                   cwd=ROOT, check=True)
    tree = ET.parse(TS)
    root = tree.getroot()
    contexts = {c.findtext("name"): c for c in root.iter("context")}
    extra = wrapper_messages() + [(ERROR_CONTEXT, t, False) for t in message_templates()]
    wrapped_sources = {s for _c, s, _p in extra}
    # lupdate reads a bare tr("text") wrapper call as a message without context: drop those
    blank = contexts.get("")
    if blank is not None:
        for msg in list(blank.findall("message")):
            if msg.findtext("source") in wrapped_sources:
                blank.remove(msg)
        if not blank.findall("message"):
            root.remove(blank)
    for ctx_name, source, plural in extra:
        ctx = contexts.get(ctx_name)
        if ctx is None:
            ctx = ET.SubElement(root, "context")
            ET.SubElement(ctx, "name").text = ctx_name
            contexts[ctx_name] = ctx
        if any(m.findtext("source") == source for m in ctx.findall("message")):
            continue
        msg = ET.SubElement(ctx, "message")
        if plural:
            msg.set("numerus", "yes")
        ET.SubElement(msg, "source").text = source
        tr = ET.SubElement(msg, "translation", type="unfinished")
        if plural:
            ET.SubElement(tr, "numerusform")
    for name, msg in messages(tree):  # put back translations lupdate dropped
        tr = msg.find("translation")
        forms = saved.get((name, msg.findtext("source")))
        if forms is None or tr is None or (tr.get("type") != "unfinished" and (tr.text or "").strip()):
            continue
        _set(msg, tr, forms)
    _write(tree)


def _set(msg: ET.Element, tr: ET.Element, forms: list[str]) -> None:
    tr.attrib.pop("type", None)
    if msg.get("numerus") == "yes":
        for f in tr.findall("numerusform"):
            tr.remove(f)
        tr.text = None
        for text in forms:
            ET.SubElement(tr, "numerusform").text = text
    else:
        tr.text = forms[0]


def _write(tree: ET.ElementTree) -> None:
    ET.indent(tree, space="    ")
    body = ET.tostring(tree.getroot(), encoding="unicode")
    TS.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", "utf-8")


def messages(tree: ET.ElementTree):
    for ctx in tree.getroot().iter("context"):
        name = ctx.findtext("name")
        for msg in ctx.iter("message"):
            yield name, msg


def unfinished(ts: Path = TS) -> list[tuple[str, str]]:
    """(context, source) of every message without a finished, non-empty translation."""
    tree = ET.parse(ts)
    out = []
    for name, msg in messages(tree):
        tr = msg.find("translation")
        if tr is not None and tr.get("type") in ("vanished", "obsolete"):
            continue
        forms = [] if tr is None else ([f.text or "" for f in tr.findall("numerusform")] or [tr.text or ""])
        if tr is None or tr.get("type") == "unfinished" or not all(f.strip() for f in forms):
            out.append((name, msg.findtext("source")))
    return out


def apply(mapping: dict) -> int:
    """Fill unfinished messages from ``mapping``; returns how many were filled."""
    tree = ET.parse(TS)
    filled = 0
    for name, msg in messages(tree):
        tr = msg.find("translation")
        if tr is None:
            tr = ET.SubElement(msg, "translation")
        if tr.get("type") != "unfinished" and (tr.text or "").strip():
            continue
        source = msg.findtext("source")
        by_ctx = mapping.get(name) if isinstance(mapping.get(name), dict) else {}
        text = by_ctx.get(source) or (mapping.get(source) if isinstance(mapping.get(source), str) else None)
        if text:
            _set(msg, tr, [text])
            filled += 1
    _write(tree)
    return filled


def compile_qm() -> None:
    subprocess.run([_tool("pyside6-lrelease"), str(TS), "-qm", str(QM)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--apply", type=Path, help="JSON file of translations to fill in")
    p.add_argument("--check", action="store_true", help="only report unfinished strings")
    args = p.parse_args(argv)
    if not args.check:
        extract()
        if args.apply:
            print(f"filled {apply(json.loads(args.apply.read_text('utf-8')))} translations")
        compile_qm()
    left = unfinished()
    for ctx, src in left:
        print(f"unfinished: [{ctx}] {src!r}")
    print(f"{len(left)} string(s) without a Korean translation in {TS.relative_to(ROOT)}")
    return 1 if (args.check and left) else 0


if __name__ == "__main__":
    raise SystemExit(main())
