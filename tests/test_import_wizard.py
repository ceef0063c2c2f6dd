"""The import wizard driven as a user would: choose a generated CSV (file dialog patched),
preview, change a column mapping, a dry run that lists a bad row, fix the mapping, import
off the GUI thread, the change announced; "Save mapping…" writes a usable mapping file."""

from __future__ import annotations

import csv
import json
import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWizard

from app.services.deals import list_deals
from app.services.importer import ImportCancelled, load_mapping
from app.views import import_wizard
from app.views.context import AppContext
from app.views.i18n import install_translators
from app.views.import_wizard import ImportWizard


def make_ctx(db, user) -> AppContext:
    return AppContext(db=db, user_id=user.id, user_name=user.name, role=user.role)


def write_file(path):
    rows = [["source_id", "deal name", "owner", "amount", "net amount", "stage", "status"]]
    for i in range(1, 31):
        rows.append([f"w{i}", f"Deal {i}", "Mina Choi", f"{i * 100:,}", f"{i * 90:,}", "Lead generation", "open"])
    rows[7][3] = "-700"  # spreadsheet row 8: a negative amount
    rows[9][5] = "Proposal"  # stage 4 by its English name
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def open_wizard(qtbot, db, user, path) -> ImportWizard:
    """The import wizard shown, with ``path`` typed into its file page and previewed."""
    wiz = ImportWizard(make_ctx(db, user))
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.file_page.file_edit.setText(str(path))
    wiz.file_page.load_preview()
    return wiz


def choose(combo, data):
    i = combo.findData(data)
    assert i >= 0, data
    combo.setCurrentIndex(i)


def test_wizard_preview_map_check_and_import(qtbot, db, manager, tmp_path, monkeypatch):
    path = write_file(tmp_path / "deals.csv")
    ctx = make_ctx(db, manager)
    wiz = ImportWizard(ctx)
    qtbot.addWidget(wiz)
    wiz.show()
    page = wiz.file_page
    assert not page.isComplete()

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    qtbot.mouseClick(page.browse_button, Qt.MouseButton.LeftButton)
    assert page.preview.rowCount() == 20 and page.preview.columnCount() == 7
    assert page.preview.index(0, 1).data() == "Deal 1"
    assert page.preview.headerData(0, Qt.Orientation.Vertical) == "2"  # spreadsheet row numbers
    choose(page.preset_combo, "generic")
    assert page.isComplete()

    wiz.next()
    mp = wiz.mapping_page
    assert mp.combos["title"].currentData() is None  # "deal name" is not one of our names
    assert mp.combos["amount"].currentData() == "amount"
    choose(mp.combos["title"], "deal name")
    assert mp.stage_value_combos["Proposal"].currentData().position == 4
    assert set(mp.status_value_combos) == {"open"}

    wiz.next()
    check = wiz.check_page
    qtbot.waitUntil(lambda: not check.running(), timeout=20_000)
    assert not check.isComplete()
    problems = check.problems.problems
    assert [(p.row, p.column) for p in problems] == [(8, "amount")]
    assert check.problems.index(0, check.problems.COL_ROW).data() == "8"
    assert list_deals(db) == []

    wiz.back()
    choose(mp.combos["amount"], "net amount")
    wiz.next()
    qtbot.waitUntil(lambda: not check.running(), timeout=20_000)
    assert check.isComplete(), check.status.text()
    assert check.result.created == 30
    assert list_deals(db) == []  # a dry run

    heard = []
    ctx.hub.pipeline_changed.connect(lambda c, i: heard.append((c, i)))
    with qtbot.waitSignal(ctx.hub.pipeline_changed, timeout=20_000) as sig:
        wiz.next()
    changes, initiator = sig.args
    assert "imported" in changes.kinds and len(changes.deal_ids) == 30 and initiator is wiz
    assert wiz.run_page.isComplete()
    assert len(heard) == 1  # announced once, by the runner
    deals = {d.title: d for d in list_deals(db)}
    assert len(deals) == 30 and deals["Deal 8"].amount == 720 and deals["Deal 9"].stage == 4
    assert wiz.button(QWizard.WizardButton.FinishButton).isVisible()


def test_save_mapping_writes_what_the_user_chose(qtbot, db, manager, tmp_path, monkeypatch):
    path = write_file(tmp_path / "deals.csv")
    wiz = open_wizard(qtbot, db, manager, path)
    wiz.next()
    mp = wiz.mapping_page
    choose(mp.combos["title"], "deal name")
    choose(mp.combos["amount"], "net amount")
    choose(mp.stage_value_combos["Lead generation"], mp.stage_value_combos["Lead generation"].itemData(2))
    out = tmp_path / "my-mapping.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    qtbot.mouseClick(mp.save_button, Qt.MouseButton.LeftButton)
    data = json.loads(out.read_text("utf-8"))
    assert data["fields"]["title"] == "deal name" and data["fields"]["amount"] == "net amount"
    assert data["stage_values"]["lead generation"] == 2
    m = load_mapping(out)
    assert m.fields["title"] == ["deal name"]


def test_cancel_during_the_check_stops_it_and_imports_nothing(qtbot, db, manager, tmp_path, monkeypatch):
    path = write_file(tmp_path / "deals.csv")
    ctx = make_ctx(db, manager)
    heard = []
    ctx.hub.pipeline_changed.connect(lambda c, i: heard.append(c))
    started = threading.Event()

    def held_until_cancelled(*args, cancelled, **kwargs):
        started.set()
        while not cancelled():
            threading.Event().wait(0.01)
        raise ImportCancelled()

    monkeypatch.setattr(import_wizard, "import_file", held_until_cancelled)
    wiz = ImportWizard(ctx)
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.file_page.file_edit.setText(str(path))
    wiz.file_page.load_preview()
    choose(wiz.file_page.preset_combo, "generic")
    wiz.next()
    choose(wiz.mapping_page.combos["title"], "deal name")
    wiz.next()
    check = wiz.check_page
    assert started.wait(10) and check.running()
    qtbot.mouseClick(wiz.button(QWizard.WizardButton.CancelButton), Qt.MouseButton.LeftButton)
    assert not check.job.is_running()  # the wizard waited for the work to stop
    qtbot.waitUntil(lambda: not check.running(), timeout=5000)
    assert check.job.outcome == "cancelled" and check.status.text() == "Cancelled; nothing was imported."
    assert check.progress.isHidden()  # it did not get through: no bar left standing at some percent
    assert heard == [] and list_deals(db) == []


def write_bad_file(path):
    """Two bad rows: a typo in an amount (row 3) and a day that does not exist (row 5)."""
    rows = [["source_id", "title", "owner", "amount", "expected_close", "stage", "status"]]
    for i in range(1, 6):
        rows.append([f"k{i}", f"Deal {i}", "Mina Choi", "1000", "2026-03-31", "1", "open"])
    rows[2][3] = "12o0"  # spreadsheet row 3
    rows[4][4] = "2026-02-30"  # spreadsheet row 5
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_the_problem_list_in_korean_names_row_column_and_what_is_wrong(qtbot, korean, db, manager, tmp_path):
    path = write_bad_file(tmp_path / "거래.csv")
    wiz = open_wizard(qtbot, db, manager, path)
    choose(wiz.file_page.preset_combo, "generic")
    wiz.next()
    wiz.next()
    check = wiz.check_page
    qtbot.waitUntil(lambda: not check.running(), timeout=20_000)
    model = check.problems

    def cell(r, c, role=Qt.ItemDataRole.DisplayRole):
        return model.index(r, c).data(role)

    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == ["파일", "행", "열", "문제"]
    assert [[cell(r, c) for c in range(4)] for r in range(model.rowCount())] == [
        ["거래.csv", "3", "amount", "'12o0'은(는) 금액이 아닙니다 (숫자가 아닙니다)"],
        ["거래.csv", "5", "expected_close", "'2026-02-30'은(는) 날짜가 아닙니다 (그 달에 없는 날짜입니다)"],
    ]
    assert cell(0, model.COL_MESSAGE, Qt.ItemDataRole.ToolTipRole) == \
        "거래.csv, 3행, 'amount' 열: '12o0'은(는) 금액이 아닙니다 (숫자가 아닙니다)"
    assert check.status.text().startswith("문제 2건이 발견되어 아무것도 가져오지 않았습니다.")
    assert list_deals(db) == []
    # the check went through every row: the bar says so (it stood at 0%)
    assert check.progress.isVisible() and check.progress.text() == "100%"
    # the column as the file names it (the message names the field); the tooltip says what it feeds
    assert cell(0, model.COL_COLUMN, Qt.ItemDataRole.ToolTipRole) == "파일의 “amount” 열, 금액 항목으로 가져옵니다"

    install_translators(korean, "en")  # the list follows a language switch
    qtbot.waitUntil(lambda: cell(0, model.COL_MESSAGE) == "'12o0' is not an amount (not a number)")
    assert cell(1, model.COL_MESSAGE) == "'2026-02-30' is not a date (day is out of range for month)"
    assert cell(1, model.COL_MESSAGE, Qt.ItemDataRole.ToolTipRole) == \
        "거래.csv, row 5, column 'expected_close': '2026-02-30' is not a date (day is out of range for month)"
    assert model.headerData(3, Qt.Orientation.Horizontal) == "Problem"


def test_the_column_of_a_problem_is_the_files_own_header_or_the_field_of_a_template(qtbot, korean):
    from app.errors import Message
    from app.services.importer import Mapping, Problem

    model = import_wizard.ProblemModel()
    mapping = Mapping(fields={"title": {"template": "{Company} {Project}"}, "amount": ["Deal value", "Amount"]})
    model.set_problems([Problem("영업.csv", 3, "title", Message("a title is required")),
                        Problem("영업.csv", 4, "Deal value", Message("must be 0 or more"))], mapping)
    rows = [[model.index(r, c).data() for c in range(4)] for r in range(2)]
    assert rows == [["영업.csv", "3", "제목", "제목은 필수입니다"],
                    ["영업.csv", "4", "Deal value", "0 이상이어야 합니다"]]
    assert model.index(1, model.COL_COLUMN).data(Qt.ItemDataRole.ToolTipRole) == \
        "파일의 “Deal value” 열, 금액 항목으로 가져옵니다"
    # a template's field has no one column: the tooltip is the whole line
    assert model.index(0, model.COL_COLUMN).data(Qt.ItemDataRole.ToolTipRole) == \
        model.index(0, model.COL_MESSAGE).data(Qt.ItemDataRole.ToolTipRole)


def test_a_file_that_cannot_be_read_is_said_in_korean(qtbot, korean, db, manager, tmp_path):
    path = tmp_path / "빈파일.csv"
    path.write_bytes(b"")
    wiz = ImportWizard(make_ctx(db, manager))
    qtbot.addWidget(wiz)
    wiz.file_page.file_edit.setText(str(path))
    wiz.file_page.load_preview()
    assert wiz.file_page.error_label.text() == "빈파일.csv: 파일이 비어 있습니다"
    assert not wiz.file_page.isComplete()


def test_a_bad_mapping_file_is_said_in_korean(qtbot, korean, db, manager, tmp_path, monkeypatch):
    bad = tmp_path / "매핑.json"
    bad.write_text(json.dumps({"fields": {"title": "Name"}, "stage_values": {"Demo": 9}}), "utf-8")
    wiz = ImportWizard(make_ctx(db, manager))
    qtbot.addWidget(wiz)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    qtbot.mouseClick(wiz.file_page.load_button, Qt.MouseButton.LeftButton)
    assert wiz.file_page.error_label.text() == f"{bad}: stage_values.Demo: 9단계는 없습니다 (1-7)"
    assert wiz.loaded_mapping is None


def test_a_western_european_csv_is_read_once_its_encoding_is_chosen(qtbot, db, manager, tmp_path, monkeypatch):
    """A Windows-1252 file (Excel on a Western European PC) is refused by the detection, with
    advice that names the page's Text encoding choice (not the command line's --encoding);
    choosing Windows-1252 shows it right in the preview, and the import stores it right."""
    path = tmp_path / "kunden.csv"
    rows = [["source_id", "title", "account", "owner", "amount", "stage", "status"],
            ["k1", "Café Müller ERP", "Café Müller GmbH", "Jürgen Weiß", "1200", "1", "open"],
            ["k2", "Señor Pérez CRM", "Pérez S.L.", "Jürgen Weiß", "900", "2", "open"]]
    with open(path, "w", newline="", encoding="cp1252") as fh:
        csv.writer(fh).writerows(rows)
    ctx = make_ctx(db, manager)
    wiz = ImportWizard(ctx)
    qtbot.addWidget(wiz)
    wiz.show()
    page = wiz.file_page
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    qtbot.mouseClick(page.browse_button, Qt.MouseButton.LeftButton)
    assert not page.isComplete()
    error = page.error_label.text()
    assert error.startswith("kunden.csv: the file is not UTF-8 and does not read as CP949")
    assert "choose the file's text encoding above" in error and "--encoding" not in error
    choose(page.encoding_combo, "cp1252")
    assert page.error_label.text() == "" and page.isComplete()
    assert page.preview.index(0, 2).data() == "Café Müller GmbH"
    choose(page.preset_combo, "generic")
    wiz.next()
    wiz.next()
    check = wiz.check_page
    qtbot.waitUntil(lambda: not check.running(), timeout=20_000)
    assert check.isComplete(), check.status.text()
    with qtbot.waitSignal(ctx.hub.pipeline_changed, timeout=20_000):
        wiz.next()
    stored = {d.title: d for d in list_deals(db)}
    assert set(stored) == {"Café Müller ERP", "Señor Pérez CRM"}
    assert stored["Café Müller ERP"].account == "Café Müller GmbH" and stored["Señor Pérez CRM"].owner == "Jürgen Weiß"


def test_the_encoding_choice_is_off_for_a_workbook(qtbot, db, manager, tmp_path, monkeypatch):
    from openpyxl import Workbook

    path = tmp_path / "deals.xlsx"
    wb = Workbook()
    wb.active.append(["title", "amount"])
    wb.active.append(["Alpha", 100])
    wb.save(path)
    wiz = ImportWizard(make_ctx(db, manager))
    qtbot.addWidget(wiz)
    page = wiz.file_page
    choose(page.encoding_combo, "cp1252")
    page.file_edit.setText(str(path))
    page.load_preview()
    assert not page.encoding_combo.isEnabled() and page.encoding() is None
    assert page.preview.index(0, 0).data() == "Alpha"


def test_a_history_file_in_another_encoding_is_told_to_choose_it_in_the_wizard(qtbot, db, manager, tmp_path):
    """The check refuses a Salesforce stage history saved as Windows-1252: the problem names
    the wizard's Text encoding choice (not the command line's --encoding), and since no row
    was checked the progress bar does not claim 100 %."""
    main = tmp_path / "Opportunity.csv"
    with open(main, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["Id", "Name", "Account Name", "Owner Name", "Amount", "Stage", "Close Date",
                                   "Created Date"],
                                  ["006A", "ERP", "Acme", "Mina Choi", "100", "Prospecting", "2026-03-01",
                                   "2026-01-01"]])
    with open(tmp_path / "OpportunityHistory.csv", "w", newline="", encoding="cp1252") as fh:
        csv.writer(fh).writerows([["OpportunityId", "CreatedDate", "StageName", "CloseDate"],
                                  ["006A", "2026-01-02", "Qualificatión", "2026-03-01"]])
    wiz = open_wizard(qtbot, db, manager, main)
    page = wiz.file_page
    choose(page.preset_combo, "salesforce")
    wiz.next()
    wiz.next()
    check = wiz.check_page
    qtbot.waitUntil(lambda: not check.running(), timeout=20_000)
    m = check.problems
    texts = [m.index(r, m.COL_MESSAGE).data() for r in range(m.rowCount())]
    assert len(texts) == 1 and m.index(0, m.COL_FILE).data() == "OpportunityHistory.csv"
    assert "choose the file's text encoding above" in texts[0] and "--encoding" not in texts[0]
    assert "--encoding" not in m.index(0, m.COL_MESSAGE).data(Qt.ItemDataRole.ToolTipRole)
    assert not check.progress.isVisible()
    assert list_deals(db) == []


def test_the_file_error_follows_a_language_switch(qtbot, korean, db, manager, tmp_path):
    """The file page's error line is said again in the new language after a switch (the
    page's other labels were; the error stayed Korean)."""
    path = tmp_path / "kunden.csv"
    with open(path, "w", newline="", encoding="cp1252") as fh:
        csv.writer(fh).writerows([["title"], ["Café"]])
    wiz = ImportWizard(make_ctx(db, manager))
    qtbot.addWidget(wiz)
    page = wiz.file_page
    page.file_edit.setText(str(path))
    page.load_preview()
    assert page.error_label.text().startswith("kunden.csv: 파일이 UTF-8이 아니고")
    assert "위에서 파일의 텍스트 인코딩을 선택하거나" in page.error_label.text()
    install_translators(korean, "en")
    qtbot.waitUntil(lambda: page.title() == "Choose the file")
    assert page.error_label.text().startswith("kunden.csv: the file is not UTF-8")
    assert "choose the file's text encoding above" in page.error_label.text()
