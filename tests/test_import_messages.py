"""The importer's problems are app.errors.Message, so that the import wizard can show them in
the interface language: every Problem a corpus of bad files makes the importer emit carries a
Message whose plain-text fields are data from the file (never English a Korean reader would
need translated), every problem message of the importer's code is reached by the corpus, and
no problem is ever built from an f-string. The English (CLI) text stays as it was."""

from __future__ import annotations

import ast
import csv
import json
import string
from pathlib import Path

import pytest

from app.errors import Message, render
from app.services import marketing
from app.services.deals import list_deals
from app.services.importer import ImportFailed, MappingError, import_file, load_mapping
from app.services.importer.engine import Problem
from app.services.importer.parsing import FIELD_LIMIT

IMPORTER = Path(__file__).resolve().parents[1] / "app" / "services" / "importer"
HEAD = ["source_id", "title", "account", "owner", "amount", "currency", "expected_close", "created", "stage",
        "status"]
# fields that may hold plain text: what the file or the mapping says (a value, a name, a header)
# or a library's technical detail; "message", "reason" and "hint" are always Messages
DATA_FIELDS = {"file", "column", "value", "code", "source_id", "layout", "key", "field", "encoding", "detail",
               "path", "keys", "fields", "name", "presets", "template", "timezone", "status", "metric",
               "metrics"}


def write_csv(path: Path, rows, encoding="utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as fh:
        csv.writer(fh).writerows(rows)
    return path


def row(**cells) -> list:
    base = {"source_id": "", "title": "Deal", "account": "A", "owner": "o", "amount": "10", "currency": "",
            "expected_close": "", "created": "", "stage": "1", "status": "open"}
    base.update(cells)
    return [base[h] for h in HEAD]


def bad_rows(tmp: Path) -> dict:
    rows = [HEAD, row(source_id="ok")]
    for i, cells in enumerate([
        {"amount": "abc"}, {"amount": "-700"}, {"amount": "1,2,3"}, {"amount": "1.2,3,4"}, {"amount": "12."},
        {"expected_close": "2026-02-30"}, {"expected_close": "0000-01-01"}, {"created": "45123"},
        {"created": "31/12/2026 10:00"}, {"created": "02/23/2026 13:05 PM"}, {"created": "2026-02-23 25:00"},
        {"created": "2026-02-23 10:61"}, {"created": "2026-02-23 10:00:61"}, {"created": "next tuesday"},
        {"currency": "XYZ"}, {"stage": "Nowhere"}, {"status": "maybe"}, {"title": ""}, {"title": "x" * 301},
        {"source_id": "y" * 101},
    ]):
        rows.append(row(**{"source_id": f"b{i}", **cells}))
    rows.append(row(source_id=""))
    rows.append(row(source_id="ok"))
    return {"path": write_csv(tmp / "rows.csv", rows), "preset": "generic"}


def xlsx_cells(tmp: Path) -> dict:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEAD)
    ws.append(["x1", "Serial", "A", "o", 10, "USD", 99999999, None, 1, "open"])
    ws.append(["x2", "Flag", "A", "o", True, "USD", None, True, 1, "open"])
    wb.save(tmp / "cells.xlsx")
    return {"path": tmp / "cells.xlsx", "preset": "generic"}


def mapping(tmp: Path, name: str, data: dict) -> Path:
    path = tmp / f"{name}.json"
    path.write_text(json.dumps(data), "utf-8")
    return path


def same_deal_twice(tmp: Path) -> dict:
    path = write_csv(tmp / "twice.csv", [["Name", "Company"], ["Deal", "A"], ["Deal", "A"]])
    return {"path": path, "mapping": mapping(tmp, "twice", {"fields": {"title": "Name", "account": "Company"}})}


def missing_columns(tmp: Path) -> dict:
    path = write_csv(tmp / "cols.csv", [["Name"], ["Deal"]])
    return {"path": path, "mapping": mapping(tmp, "cols", {"fields": {
        "title": "Name", "amount": "Value", "description": {"template": "{Name} {Nope}"}}})}


def no_title(tmp: Path) -> dict:
    path = write_csv(tmp / "untitled.csv", [["amount"], ["10"]])
    return {"path": path, "mapping": mapping(tmp, "untitled", {"fields": {"amount": "amount"}})}


def constant_amount(tmp: Path) -> dict:
    """A mapped constant has no column: its problems name the row only."""
    path = write_csv(tmp / "constant.csv", [["Name"], ["Deal"]])
    return {"path": path, "mapping": mapping(tmp, "constant", {"fields": {"title": "Name", "amount": {"value": "ten"}}})}


HISTORY = {"file": "hist.csv", "deal_id": "OppId", "at": "At", "stage": "Stage", "close_date": "Close"}


def history_rows(tmp: Path) -> dict:
    (tmp / "hist").mkdir()
    path = write_csv(tmp / "hist" / "opps.csv", [["Id", "Name"], ["o1", "Deal"]])
    write_csv(tmp / "hist" / "hist.csv", [
        ["OppId", "At", "Stage", "Close"], ["o1", "soon", "1", ""], ["o1", "", "1", ""],
        ["o1", "2026-01-05", "Limbo", ""], ["o1", "2026-01-06", "2", "later"]])
    return {"path": path, "mapping": mapping(tmp, "hist", {
        "fields": {"source_id": "Id", "title": "Name"}, "history_file": HISTORY})}


def history_without_column(tmp: Path) -> dict:
    (tmp / "hist2").mkdir()
    path = write_csv(tmp / "hist2" / "opps.csv", [["Id", "Name"], ["o1", "Deal"]])
    write_csv(tmp / "hist2" / "hist.csv", [["OppId", "At"], ["o1", "2026-01-05"]])
    return {"path": path, "mapping": mapping(tmp, "hist2", {
        "fields": {"source_id": "Id", "title": "Name"}, "history_file": HISTORY})}


def history_for_a_layout_without_one(tmp: Path) -> dict:
    return {"path": write_csv(tmp / "g.csv", [HEAD, row(source_id="g1")]), "preset": "generic",
            "history_path": tmp / "elsewhere.csv"}


def missing_history_file(tmp: Path) -> dict:
    path = write_csv(tmp / "opps.csv", [["Id", "Name"], ["o1", "Deal"]])
    return {"path": path, "history_path": tmp / "gone.csv", "mapping": mapping(tmp, "gone", {
        "fields": {"source_id": "Id", "title": "Name"}, "history_file": HISTORY})}


def history_columns(tmp: Path) -> dict:
    path = write_csv(tmp / "hub.csv", [
        ["Record ID", "Deal Name", 'Date entered "Weird"', 'Date entered "1"'], ["h1", "Deal", "", "whenever"],
        ["h2", "Deal 2", "2026-01-05", ""]])
    return {"path": path, "mapping": mapping(tmp, "hub", {
        "fields": {"source_id": "Record ID", "title": "Deal Name"}, "history_columns": "Date entered"})}


def unreadable_lookup(tmp: Path) -> dict:
    (tmp / "lk").mkdir()
    path = write_csv(tmp / "lk" / "opps.csv", [["Id", "Name", "AccountId"], ["o1", "Deal", "001"]])
    (tmp / "lk" / "Account.csv").write_bytes(b"")
    return {"path": path, "mapping": mapping(tmp, "lk", {
        "fields": {"source_id": "Id", "title": "Name", "account": "AccountId"},
        "lookups": [{"field": "account", "file": "Account.csv", "key": "Id", "name": "Name"}]})}


def file_level(name: str, content: bytes | None, **kw):
    def make(tmp: Path) -> dict:
        path = tmp / name
        if content is not None:
            path.write_bytes(content)
        return {"path": path, "preset": "generic", **kw}
    make.__name__ = name
    return make


def empty_sheet(tmp: Path) -> dict:
    from openpyxl import Workbook

    Workbook().save(tmp / "blank.xlsx")
    return {"path": tmp / "blank.xlsx", "preset": "generic"}


def huge_field(tmp: Path) -> dict:
    path = tmp / "huge.csv"
    path.write_text('title\n"' + "x" * (FIELD_LIMIT + 1) + '"\n', "utf-8")
    return {"path": path, "preset": "generic"}


def open_quote_beyond_the_header(tmp: Path) -> dict:
    path = tmp / "quote.csv"
    path.write_text('title\nok\nbad,"opened\n' + "more\n" * (FIELD_LIMIT // 5 + 1), "utf-8")
    return {"path": path, "preset": "generic"}


def one_deal_two_rows(tmp: Path, db) -> dict:
    """One row names a stored deal by our id, the other by its source id."""
    first = write_csv(tmp / "first.csv", [["source_id", "title"], ["S1", "Deal"]])
    import_file(db, first, preset="generic")
    deal_id = next(d.id for d in list_deals(db) if d.title == "Deal")
    path = write_csv(tmp / "both.csv", [["id", "title"], [str(deal_id), "Deal"], ["S1", "Deal"]])
    return {"path": path, "preset": "generic"}


one_deal_two_rows.needs_db = True


def salesforce_owner_ids(tmp: Path) -> dict:
    """A Salesforce Opportunity.csv without the User.csv that names its OwnerIds."""
    from test_import_qa_fixes import salesforce_export

    (tmp / "sf").mkdir()
    return {"path": salesforce_export(tmp / "sf", None), "preset": "salesforce"}


CORPUS = [
    bad_rows, xlsx_cells, same_deal_twice, missing_columns, no_title, constant_amount, history_rows, history_without_column,
    history_for_a_layout_without_one, missing_history_file, history_columns, unreadable_lookup, empty_sheet,
    huge_field, open_quote_beyond_the_header, one_deal_two_rows, salesforce_owner_ids,
    file_level("empty.csv", b""), file_level("broken.xlsx", b"not a zip"), file_level("missing.csv", None),
    file_level("western.csv", "title\nÄrger mit Müller\n".encode("cp1252")),
    file_level("strange.csv", b"title\n\x81\x8d\x8f\x90\x9d\n"),
    file_level("klingon.csv", b"title\nDeal\n", encoding="klingon"),
    file_level("korean.csv", "title\n한국어\n".encode("cp949"), encoding="utf-8"),
]


def emitted(db, tmp: Path) -> list[Problem]:
    problems = []
    for make in CORPUS:
        kw = make(tmp, db) if getattr(make, "needs_db", False) else make(tmp)
        with pytest.raises(ImportFailed) as info:
            import_file(db, kw.pop("path"), dry_run=True, **kw)
        assert info.value.problems, make.__name__
        problems += info.value.problems
    return problems


def walk(message: Message):
    """``message`` and every Message among its fields, depth first."""
    yield message
    for value in message.fields.values():
        if isinstance(value, Message):
            yield from walk(value)


def fields_of(template: str) -> list[str]:
    return list(dict.fromkeys(name for _t, name, _s, _c in string.Formatter().parse(template) if name))


@pytest.fixture
def problems(db, tmp_path):
    return emitted(db, tmp_path)


def test_every_problem_is_a_message_with_data_only_in_its_plain_fields(problems):
    assert len(problems) == 53  # the salesforce_owner_ids case adds two
    for p in problems:
        assert isinstance(p.message, Message), p
        assert isinstance(p.text, Message) and str(p) == str(p.text) == render(p.text, lambda t: t)
        for m in walk(p.text):
            assert set(m.fields) == set(fields_of(m.template)), m.template
            for name, value in m.fields.items():
                if isinstance(value, str) and not isinstance(value, Message):
                    assert name in DATA_FIELDS, (p, name, value)


def test_a_translation_reaches_every_part_of_a_problem(problems):
    """Rendered with a 'translation' that keeps only the fields, nothing of the English
    templates is left: every word of a problem comes from a template or from the data."""
    def fields_only(template: str) -> str:
        return "|".join("{" + f + "}" for f in fields_of(template))

    p = next(p for p in problems if p.file == "rows.csv" and p.row == 3)
    assert str(p) == "rows.csv, row 3, column 'amount': 'abc' is not an amount (not a number)"
    assert render(p.text, fields_only) == "rows.csv|3|amount|abc|"
    for p in problems:
        text = render(p.text, fields_only).replace(p.file, "").replace(str(p.column), "")
        for m in walk(p.text):  # a library's own words (zipfile, csv, codecs) are kept as they are
            text = text.replace(str(m.fields.get("detail", "")), "")
        for word in ("row", "column", "is not", "must be", "no such", "the file"):
            assert word not in text, (p, text)


def test_the_english_lines_are_the_ones_the_cli_prints(problems):
    lines = {str(p) for p in problems}
    for expected in (
        "rows.csv, row 3, column 'amount': 'abc' is not an amount (not a number)",
        "rows.csv, row 4, column 'amount': amount -700: must be 0 or more",
        "rows.csv, row 5, column 'amount': '1,2,3' is not an amount (misplaced thousands separator)",
        "rows.csv, row 8, column 'expected_close': '2026-02-30' is not a date (day is out of range for month)",
        "rows.csv, row 9, column 'expected_close': '0000-01-01' is not a date (year 0 is out of range)",
        "rows.csv, row 11, column 'created': '31/12/2026 10:00' is not a date (month must be in 1..12)",
        "rows.csv, row 12, column 'created': '02/23/2026 13:05 PM' is not a date (hour must be 1 to 12 with AM/PM)",
        "rows.csv, row 13, column 'created': '2026-02-23 25:00' is not a date (hour must be in 0..23)",
        "rows.csv, row 17, column 'currency': 'XYZ' is not an ISO currency code",
        "rows.csv, row 18, column 'stage': unknown stage 'Nowhere' (map it in stage_values of a mapping file)",
        "rows.csv, row 23, column 'source_id': the source id is empty",
        "rows.csv, row 24, column 'source_id': source id 'ok' is also on row 2",
        "cells.xlsx, row 2, column 'expected_close': 99999999.0 is outside the range of Excel dates",
        "cells.xlsx, row 3, column 'amount': 'True' is not an amount",
        "twice.csv, row 3, column 'Name': the same deal (title, account, created) is also on row 2",
        "cols.csv, row 1, column 'Value': no such column (mapped to amount)",
        "untitled.csv: no column is mapped to the deal title",
        "constant.csv, row 2: 'ten' is not an amount (not a number)",
        "hist.csv, row 3, column 'At': the time is empty",
        "elsewhere.csv: the generic layout has no history file; use the salesforce preset or a mapping with "
        "history_file",
        "empty.csv: the file is empty",
        "missing.csv: no such file",
        "Account.csv: the file is empty",
        "huge.csv: row 2, column 'title': 10,485,761 characters, more than the 10,485,760 a value may have",
        "quote.csv: row 3, column 2: 10,485,772 characters spanning several lines, more than the 10,485,760 a "
        "value may have: a quote that is never closed makes the rest of the file one value",
    ):
        assert expected in lines, expected


def _message_templates(node: ast.AST) -> set[str]:
    return {n.args[0].value for n in ast.walk(node)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "Message"
            and n.args and isinstance(n.args[0], ast.Constant)}


def _problem_calls(tree: ast.Module):
    """Every ``bad(...)`` and ``Problem(...)`` call with the argument that is its message."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name in ("bad", "Problem") and len(node.args) == 4:
                yield node, node.args[3]


def test_every_problem_of_the_importer_code_is_a_message_and_the_corpus_reaches_it(problems):
    tree = ast.parse((IMPORTER / "engine.py").read_text("utf-8"))
    helpers = {f.name: _message_templates(f) for f in tree.body if isinstance(f, ast.FunctionDef)}
    expected: set[str] = set()
    for call, message in _problem_calls(tree):
        # never an f-string or a plain literal: a Message, a ParseError's .message, or a helper building one
        assert not isinstance(message, ast.JoinedStr | ast.Constant), ast.unparse(call)
        assert not (isinstance(message, ast.Call) and getattr(message.func, "id", None) == "str"), ast.unparse(call)
        expected |= _message_templates(message)
        if isinstance(message, ast.Call) and isinstance(message.func, ast.Name):
            expected |= helpers.get(message.func.id, set())
        if isinstance(message, ast.Attribute):
            assert message.attr == "message", ast.unparse(call)
    # what a ParseError says: every message template of parsing.py
    expected |= _message_templates(ast.parse((IMPORTER / "parsing.py").read_text("utf-8")))
    expected.discard("{file}: {message}")  # Problem.text's own, seen below
    # csv.reader (strict=False, a field limit of 10 MB) raises only for a field over the limit,
    # which FieldTooLarge says; this is a guard for a future csv
    expected.discard("not a readable CSV file ({detail})")
    seen = {m.template for p in problems for m in walk(p.message)}
    assert expected - seen == set()
    assert {m.template for p in problems for m in walk(p.text)} >= {
        "{file}: {message}", "{file}, row {row}: {message}", "{file}, row {row}, column '{column}': {message}"}


@pytest.mark.parametrize(("data", "english"), [
    ({"fields": {"titel": "Name"}}, "fields: 'titel' is not a deal field"),
    ({"stage_values": {"Demo": 9}}, "stage_values.Demo: stage 9 does not exist (1-7)"),
    ({"stage_values": {"Demo": "later"}}, "stage_values.Demo: 'later' is not a stage (1-7), 'won', 'lost' or 'open'"),
    ({"timezone": "Mars/Olympus"}, "timezone: 'Mars/Olympus' is not a time zone name (e.g. Asia/Seoul)"),
    ({"fields": {"title": 5}}, 'fields.title: a column name, a list of column names, {"template": "..."} or '
                               '{"value": ...}'),
])
def test_a_mapping_file_error_is_a_message_naming_the_file_and_the_key(tmp_path, data, english):
    path = mapping(tmp_path, "bad", data)
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    message = info.value.message
    assert isinstance(message, Message) and message.template == "{path}: {message}"
    assert str(message).startswith(f"{path}: {english}")
    assert isinstance(message.fields["message"], Message)


def test_marketing_refusals_are_messages(db):
    from app.errors import ValidationError

    web = marketing.create_lead_source(db, "Web")
    for call in (lambda: marketing.create_lead_source(db, "  "),
                 lambda: marketing.create_lead_source(db, "web"),
                 lambda: marketing.create_spend(db, web.id, "2026-01-15", "abc", currency="XYZ"),
                 lambda: marketing.create_spend(db, web.id, "2026-02-30", "-5"),
                 lambda: marketing.create_target(db, "won_count", "2026-02-01", "2026-01-01", "2.5")):
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.errors and all(isinstance(m, Message) for m in info.value.errors.values()), \
            info.value.errors
