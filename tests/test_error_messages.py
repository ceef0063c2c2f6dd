"""Service messages reach the user in the interface language: every ``Message("...")`` outside
app/views fills exactly the fields its template names, has a finished Korean translation in
the "AppError" context (where views.operations.message_text looks it up) that uses the same
fields, and the converted modules raise no English-only f-string or plain text any more."""

from __future__ import annotations

import ast
import re
import string
import xml.etree.ElementTree as ET
from pathlib import Path

from app.errors import (
    AppError,
    Localized,
    Message,
    NotFound,
    ValidationError,
    from_json,
    listed,
    render,
    to_json,
)

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
TS = ROOT / "resources" / "translations" / "pipeline_ko.ts"

# modules whose messages are all Messages (the lead widens this list as helpers convert theirs)
# app/commands is the English command line (it prints str(exc)); every other module outside
# the views raises Messages that the desktop app translates
CLI_ONLY = ("commands",)


def _modules() -> list[Path]:
    return [p for p in sorted(APP.rglob("*.py")) if "views" not in p.relative_to(APP).parts]


def _trees() -> dict[Path, ast.Module]:
    return {p: ast.parse(p.read_text("utf-8"), str(p)) for p in _modules()}


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def fields_of(template: str) -> set[str]:
    """The field names a str.format template uses ("{deal.title}" -> "deal"); a positional
    field ("{}", "{0}") comes back as itself, so that it never matches a keyword."""
    names = set()
    for _text, field, spec, _conv in string.Formatter().parse(template):
        if field is not None:
            names.add(re.match(r"[^.\[]*", field).group(0) or "{}")
        if spec and "{" in spec:
            names |= fields_of(spec)
    return names


def message_calls(trees: dict[Path, ast.Module]):
    """(where, template or None, keyword names or None when ``**`` is used) of every Message(...)."""
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Message":
                first = node.args[0] if node.args else None
                template = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
                keywords = None if any(k.arg is None for k in node.keywords) else {k.arg for k in node.keywords}
                yield _where(path, node), template, keywords


def _korean() -> dict[str, str | None]:
    """AppError template -> its finished Korean translation (None when unfinished)."""
    out = {}
    for ctx in ET.parse(TS).getroot().iter("context"):
        if ctx.findtext("name") != "AppError":
            continue
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            done = tr is not None and tr.get("type") not in ("unfinished", "vanished", "obsolete")
            out[msg.findtext("source")] = tr.text if done and (tr.text or "").strip() else None
    return out


def test_fields_of_reads_names_like_str_format():
    assert fields_of("deal {deal} not found") == {"deal"}
    assert fields_of("'{text}' matches {n.count} of {rows[0]}") == {"text", "n", "rows"}
    assert fields_of("{0} and {}") == {"0", "{}"}
    assert fields_of("no fields, {{braces}} kept") == set()


def test_every_message_fills_exactly_the_fields_of_its_template():
    bad = []
    calls = list(message_calls(_trees()))
    assert len(calls) > 100  # the scan does see the services' messages
    for where, template, keywords in calls:
        if where.startswith("app/errors.py"):  # Message's own unpickling helper
            continue
        if template is None:
            bad.append(f"{where}: the template is not a literal (tools/update_translations.py cannot extract it)")
        elif keywords is None:
            bad.append(f"{where}: fields passed with ** cannot be checked; name them")
        elif fields_of(template) != keywords:
            bad.append(f"{where}: {template!r} names {sorted(fields_of(template))}, the call gives {sorted(keywords)}")
    assert bad == []


def test_every_template_has_a_korean_translation_with_the_same_fields():
    korean = _korean()
    missing, wrong = [], []
    for where, template, _keywords in message_calls(_trees()):
        if template is None:
            continue
        text = korean.get(template)
        if text is None:
            missing.append(f"{where}: {template!r}")
        elif fields_of(text) != fields_of(template):
            wrong.append(f"{where}: {template!r} -> {text!r}")
    assert wrong == [], "a translation must use the template's {field} names"
    assert missing == [], "run tools/update_translations.py --apply with a Korean translation"


def _app_error_names(trees: dict[Path, ast.Module]) -> set[str]:
    """AppError and every class that derives from it, anywhere under app/."""
    names = {"AppError"}
    classes = [n for t in trees.values() for n in ast.walk(t) if isinstance(n, ast.ClassDef)]
    grew = True
    while grew:
        grew = False
        for cls in classes:
            bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", None) for b in cls.bases}
            if cls.name not in names and bases & names:
                names.add(cls.name)
                grew = True
    return names


def _english_only(node: ast.AST | None) -> bool:
    """An f-string or a plain text literal: English that no translation can reach."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # "..." + ", ".join(...)
        return _english_only(node.left) or _english_only(node.right)
    return False


def english_raises(path: Path, tree: ast.Module, errors: set[str]) -> list[str]:
    """Where ``tree`` raises an AppError with an f-string or plain text, gives a
    ValidationError such a field message, or stores one in an ``errors[...]`` dict."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            func = node.exc.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in errors:
                continue
            first = node.exc.args[0] if node.exc.args else None
            if _english_only(first):
                out.append(_where(path, node))
            elif isinstance(first, (ast.Dict, ast.DictComp)):
                values = first.values if isinstance(first, ast.Dict) else [first.value]
                out += [_where(path, v) for v in values if _english_only(v)]
        elif isinstance(node, ast.Assign) and _english_only(node.value):
            for target in node.targets:
                if (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
                        and target.value.id == "errors"):
                    out.append(_where(path, node))
    return out


def test_the_check_catches_english_raises():
    tree = ast.parse(
        "def f(deal_id, errors):\n"
        "    errors['amount'] = 'must be a number'\n"
        "    errors['title'] = Message('a title is required')\n"
        "    if deal_id:\n"
        "        raise NotFound(f'deal {deal_id} not found')\n"
        "    raise ValidationError({'to': 'stage ' + str(deal_id), 'ok': Message('fine')})\n"
        "    raise KeyError(f'not an AppError {deal_id}')\n"
    )
    found = english_raises(ROOT / "app" / "x.py", tree, {"AppError", "NotFound", "ValidationError"})
    assert sorted(found) == ["app/x.py:2", "app/x.py:5", "app/x.py:6"]


def test_no_module_outside_the_views_and_the_cli_raises_english_only_text():
    trees = _trees()
    errors = _app_error_names(trees)
    assert {"NotFound", "ValidationError", "GateRefused", "UnitFailed", "DatabaseError"} <= errors
    bad = []
    checked = [p for p in trees if p.relative_to(APP).parts[0] not in CLI_ONLY]
    assert len(checked) > 30
    for path in checked:
        bad += english_raises(path, trees[path], errors)
    assert bad == []


def test_nested_and_listed_messages_render_through_a_translation():
    ko = {"gate refused, missing deliverables: {missing}": "단계 게이트를 통과하지 못했습니다. 누락된 요건: {missing}",
          "stage {position} {stage}: {deliverables}": "{position}단계 {stage}: {deliverables}",
          "{first}; {rest}": "{first}; {rest}"}
    stages = [Message("stage {position} {stage}: {deliverables}", position=2, stage="Qualify", deliverables="Budget"),
              Message("stage {position} {stage}: {deliverables}", position=3, stage="Demo", deliverables="Demo done")]
    msg = Message("gate refused, missing deliverables: {missing}", missing=listed(stages))
    assert msg == "gate refused, missing deliverables: stage 2 Qualify: Budget; stage 3 Demo: Demo done"
    assert render(msg, lambda t: ko.get(t, t)) == \
        "단계 게이트를 통과하지 못했습니다. 누락된 요건: 2단계 Qualify: Budget; 3단계 Demo: Demo done"
    assert listed([]) == "" and listed(["one"]) == "one"


def test_localized_fields_show_the_name_of_the_interface_language():
    """A stage's or deliverable's name is the template's data in both languages: English in
    str() (CLI, logs), the Korean name when rendered for Korean, English again when the
    data has no Korean name; a pickled message keeps both."""
    import pickle

    ko = {"stage {position} {stage}: {deliverables}": "{position}단계 {stage}: {deliverables}"}
    msg = Message("stage {position} {stage}: {deliverables}", position=2,
                  stage=Localized("Qualification", ko="영업기회 확인"), deliverables=Localized("Budget", ko=""))
    assert msg == "stage 2 Qualification: Budget"
    assert render(msg, lambda t: ko.get(t, t), "ko") == "2단계 영업기회 확인: Budget"
    assert render(msg, lambda t: t, "en") == "stage 2 Qualification: Budget"
    again = pickle.loads(pickle.dumps(msg))
    assert render(again, lambda t: ko.get(t, t), "ko") == "2단계 영업기회 확인: Budget"


def test_a_stored_message_comes_back_with_its_template_fields_and_names():
    """What a sync conflict stores (JSON) is the same Message again: nested messages,
    Localized names, numbers; other values as text; plain text and old rows as text."""
    import json

    msg = Message("gate refused, missing deliverables: {missing}", missing=listed([
        Message("stage {position}: {deliverable}", position=2, deliverable=Localized("Budget", ko="예산")),
        Message("deal {deal} not found", deal=__import__("uuid").UUID(int=7))]))
    back = from_json(json.loads(json.dumps(to_json(msg))))
    assert back == msg and back.template == msg.template
    ko = {"stage {position}: {deliverable}": "{position}단계: {deliverable}"}
    assert render(back, lambda t: ko.get(t, t), "ko") == render(msg, lambda t: ko.get(t, t), "ko")
    assert "2단계: 예산" in render(back, lambda t: ko.get(t, t), "ko")
    assert from_json(to_json("plain words")) == "plain words" and from_json(None) == ""
    assert from_json({"template": "a {b}", "fields": {"c": 1}, "text": "a b"}) == "a b"  # a broken row: its text


def test_validation_error_keeps_its_english_str_and_its_messages():
    exc = ValidationError({"amount": Message("at most {digits} decimal places", digits=3),
                           "title": Message("a title is required")})
    assert str(exc) == "amount: at most 3 decimal places; title: a title is required"
    assert exc.errors["amount"].template == "at most {digits} decimal places"
    assert isinstance(NotFound(Message("deal {deal} not found", deal=1)), AppError)


def test_gui_start_up_on_a_missing_folder_is_one_dialog_in_korean(qtbot, tmp_path, monkeypatch):
    """Opening the app in Korean on a database path whose folder does not exist: one
    critical dialog, in Korean, naming the path; nothing is created."""
    from PySide6.QtWidgets import QMessageBox

    from app.views import application
    from app.views import settings as settings_module
    from app.views.i18n import install_translators
    from app.views.settings import Settings

    settings = Settings.at(str(tmp_path / "settings.ini"))
    settings.user_name, settings.role, settings.language = "Kim", "rep", "ko"
    monkeypatch.setattr(application, "Settings", lambda: settings)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, title, text, *a, **k: shown.append(text))
    target = tmp_path / "nowhere" / "pipeline.sqlite"
    try:
        assert application.run_gui(str(target)) == 1
    finally:
        settings_module.set_current(None)
        install_translators(application.QApplication.instance(), "en")
    assert shown == [f"{target.parent}: 폴더가 없습니다"]
    assert not target.parent.exists()
