"""File → Import…: the import wizard.

Pages: choose the file (and the Salesforce history file) and the layout, with a preview of
the first rows; map columns to deal fields and the source's stage and status values; a dry
run that lists every problem; the import itself. Both the dry run and the import run
:func:`app.services.importer.import_file` as a ``QueryOp`` of the runner
(app/views/operations.py: progress bar, Cancel); the widgets are touched only on the GUI
thread. "Save mapping…" writes the mapping as JSON (docs/import-mapping.md). The import's
``OpChanges.of("imported")`` is announced by the runner, with the wizard as initiator.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.errors import AppError, Message
from app.services import board as board_service
from app.services.importer import (
    FIELDS,
    ImportCancelled,
    ImportFailed,
    ImportResult,
    Mapping,
    Problem,
    detect_preset,
    import_file,
    load_mapping,
    preset,
    save_mapping,
)
from app.services.importer.engine import history_column_stages
from app.services.importer.mapping import (
    StageTarget,
    distinct_values,
    find_column,
    norm,
    resolve_stage,
    resolve_status,
    stage_choices,
    status_choices,
)
from app.services.importer.parsing import ENCODING_HINT, ParseError, Table, is_workbook, read_table
from app.views.context import AppContext
from app.views.operations import Cancelled, QueryOp, Task, message_text, short_error

CONTEXT = "ImportWizard"
PREVIEW_ROWS = 20
# the text encodings offered for a CSV file (None: detect UTF-8, its BOMs, or Korean CP949)
ENCODINGS = (None, "utf-8", "cp949", "cp1252", "cp932", "gb18030")
PROGRESS_STEPS = 1000


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def field_label(name: str) -> str:
    return {
        "source_id": _tr("Source id"), "title": _tr("Title"), "account": _tr("Account"),
        "contact": _tr("Contact"), "owner": _tr("Owner"), "amount": _tr("Amount"),
        "currency": _tr("Currency"), "expected_close": _tr("Expected close date"),
        "created": _tr("Created"), "closed": _tr("Closed"), "won_date": _tr("Won date"),
        "lost_date": _tr("Lost date"), "stage_changed": _tr("Entered current stage"),
        "lead_source": _tr("Lead source"), "status": _tr("Status"), "stage": _tr("Stage"),
        "loss_reason": _tr("Loss reason"), "description": _tr("Description"),
    }.get(name, name)


def preset_label(name: str) -> str:
    return {
        "": _tr("Detect from the header row"), "generic": _tr("Generic (our column names)"),
        "pipedrive": _tr("Pipedrive"), "salesforce": _tr("Salesforce (Opportunity + history)"),
        "hubspot": _tr("HubSpot"),
    }.get(name, name)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ------------------------------------------------------------------ models

class PreviewModel(QAbstractTableModel):
    """The first rows of the file, as the file has them."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.headers: list[str] = []
        self.rows: list[tuple[int, list]] = []

    def set_table(self, table: Table | None) -> None:
        self.beginResetModel()
        self.headers = list(table.headers) if table else []
        self.rows = list(table.rows[:PREVIEW_ROWS]) if table else []
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.headers)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        rec = self.rows[index.row()][1]
        return _text(rec[index.column()]) if index.column() < len(rec) else ""

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers[section] if section < len(self.headers) else None
        return str(self.rows[section][0]) if section < len(self.rows) else None


class ProblemModel(QAbstractTableModel):
    """The import's problems, one a row: file, row, column, what is wrong (in the interface
    language, app.views.operations.message_text); the whole line as the tooltip."""

    COL_FILE, COL_ROW, COL_COLUMN, COL_MESSAGE = range(4)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.problems: list[Problem] = []
        self.fields_of: dict[str, str] = {}  # a file's column header (normalised) -> the field it feeds
        self.templated: set[str] = set()  # fields built from a template: a problem names the field

    def set_problems(self, problems: list[Problem], mapping: Mapping | None = None) -> None:
        """The problems to list; ``mapping`` (the one checked) says which field each column feeds."""
        self.beginResetModel()
        self.problems = list(problems)
        self.fields_of, self.templated = {}, set()
        for f, spec in (mapping.fields.items() if mapping is not None else ()):
            if isinstance(spec, list):
                for header in spec:
                    self.fields_of.setdefault(norm(header), f)
            elif "template" in spec:
                self.templated.add(f)
        self.endResetModel()

    def column_text(self, p: Problem) -> str:
        """The column as the user's file names it (its header, what they will look for in
        the spreadsheet); a field built from a template has no one column: its label."""
        if not p.column:
            return ""
        return field_label(p.column) if p.column in self.templated else p.column

    def column_tip(self, p: Problem) -> str | None:
        f = self.fields_of.get(norm(p.column)) if p.column and p.column not in self.templated else None
        if f is None:
            return None
        return _tr("The file's column “%1”, imported as %2").replace("%1", p.column).replace("%2", field_label(f))

    def rowCount(self, parent: QModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.problems)

    def columnCount(self, parent: QModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else 4

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        p = self.problems[index.row()]
        c = index.column()
        if role == Qt.ItemDataRole.ToolTipRole:
            return (self.column_tip(p) if c == self.COL_COLUMN else None) or message_text(
                Problem(p.file, p.row, p.column, in_wizard_words(p.message)).text)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if c == self.COL_MESSAGE:
            return message_text(in_wizard_words(p.message))
        return (p.file, "" if p.row is None else str(p.row), self.column_text(p))[c]

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return (_tr("File"), _tr("Row"), _tr("Column"), _tr("Problem"))[section]

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 3)
        if self.problems:
            self.dataChanged.emit(self.index(0, self.COL_COLUMN), self.index(len(self.problems) - 1, self.COL_MESSAGE))


def in_wizard_words(message: str) -> str:
    """The importer's advice to pass ``--encoding`` (a command-line option) said the way the
    wizard offers it, the Text encoding choice on its first page; other messages as they are."""
    if isinstance(message, Message) and message.fields.get("hint") is ENCODING_HINT:
        return Message(message.template, **{**message.fields, "hint": _tr(
            "choose the file's text encoding above (Windows-1252 for Western European Excel), "
            "or save the file as UTF-8")})
    return message


# ------------------------------------------------------------------ the job

def _import_work(path: Path, mapping: Mapping, history: Path | None, dry_run: bool, actor_id,
                 returned: threading.Event, encoding: str | None = None):
    """The op's work (on a worker): the import with the op's progress and stop flag; a real
    import's value carries what it changed. ``returned`` is set when it is over."""
    def work(task: Task):
        try:
            result = import_file(task.db, path, mapping=mapping, history_path=history, dry_run=dry_run,
                                 actor_id=actor_id, encoding=encoding, cancelled=task.stop.is_set,
                                 progress=task.progress)
        finally:
            returned.set()
        return result  # the runner announces result.changes (none for a dry run)
    return work


class ImportJob(QObject):
    """One dry run or import, as a QueryOp. ``finished(outcome, payload)``: outcome is
    "done" (ImportResult), "failed" (AppError) or "cancelled". A real import's change is
    announced by the runner with ``initiator``."""

    progressed = Signal(int, int)
    finished = Signal(str, object)

    def __init__(self, ctx: AppContext, path: Path, mapping: Mapping, history: Path | None,
                 dry_run: bool, parent: QObject | None = None, *, initiator: object = None,
                 encoding: str | None = None):
        super().__init__(parent)
        self.outcome: str | None = None
        self._started = False
        self._returned = threading.Event()  # the work has returned (or raised) on its worker
        work = _import_work(path, mapping, history, dry_run, ctx.user_id, self._returned, encoding)
        self.op = QueryOp(ctx, work, parent=parent, initiator=initiator)
        self.op.progress(self.progressed.emit).success(lambda result: self._end("done", result)) \
            .failure(self._on_failed)

    def start(self) -> None:
        self._started = True
        self.op.run_in_background()

    def cancel(self) -> None:
        self.op.cancel()

    def is_running(self) -> bool:
        return self.outcome is None and self._started and not self._returned.is_set()

    def wait(self, ms: int = 60_000) -> bool:
        """Block until the work has returned on its worker (its answer comes by the event loop)."""
        return self._returned.wait(ms / 1000)

    def _on_failed(self, exc: BaseException) -> bool:
        """Shown on the page (status and problem list), not in a message box."""
        if isinstance(exc, (ImportCancelled, Cancelled)):
            self._end("cancelled", None)
        elif isinstance(exc, AppError):
            self._end("failed", exc)
        else:
            self._end("failed", AppError(short_error(exc, "import")))
        return True

    def _end(self, outcome: str, payload) -> None:
        self.outcome = outcome
        self.finished.emit(outcome, payload)


# ------------------------------------------------------------------ pages

class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.wiz = wizard
        self.file_label = QLabel()
        self.file_edit = QLineEdit()
        self.browse_button = QPushButton()
        self.browse_button.clicked.connect(self.browse)
        self.preset_label = QLabel()
        self.preset_combo = QComboBox()
        for name in ("", "generic", "pipedrive", "salesforce", "hubspot"):
            self.preset_combo.addItem("", name)
        self.load_button = QPushButton()
        self.load_button.clicked.connect(self.load_mapping_file)
        self.encoding_label = QLabel()
        self.encoding_combo = QComboBox()
        for code in ENCODINGS:
            self.encoding_combo.addItem("", code)
        self.history_label = QLabel()
        self.history_edit = QLineEdit()
        self.history_button = QPushButton()
        self.history_button.clicked.connect(self.browse_history)
        self.error_label = QLabel()
        self.error = None  # how the error line's text is made (again on a language switch)
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.setWordWrap(True)
        self.preview_label = QLabel()
        self.preview = PreviewModel(self)
        self.preview_view = QTableView()
        self.preview_view.setModel(self.preview)
        self.preview_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview_view.verticalHeader().setDefaultSectionSize(22)

        grid = QGridLayout()
        grid.addWidget(self.file_label, 0, 0)
        grid.addWidget(self.file_edit, 0, 1)
        grid.addWidget(self.browse_button, 0, 2)
        grid.addWidget(self.preset_label, 1, 0)
        grid.addWidget(self.preset_combo, 1, 1)
        grid.addWidget(self.load_button, 1, 2)
        grid.addWidget(self.encoding_label, 2, 0)
        grid.addWidget(self.encoding_combo, 2, 1)
        grid.addWidget(self.history_label, 3, 0)
        grid.addWidget(self.history_edit, 3, 1)
        grid.addWidget(self.history_button, 3, 2)
        lay = QVBoxLayout(self)
        lay.addLayout(grid)
        lay.addWidget(self.error_label)
        lay.addWidget(self.preview_label)
        lay.addWidget(self.preview_view, 1)

        self.file_edit.editingFinished.connect(self.load_preview)
        self.file_edit.textChanged.connect(lambda _t: self.completeChanged.emit())
        self.preset_combo.currentIndexChanged.connect(self._preset_changed)
        self.encoding_combo.currentIndexChanged.connect(lambda _i: self.load_preview())
        self.retranslate()
        self._preset_changed()

    def retranslate(self) -> None:
        self.setTitle(_tr("Choose the file"))
        self.setSubTitle(_tr("A CSV or Excel file: an export of Pipedrive, Salesforce, HubSpot, or your own."))
        self.file_label.setText(_tr("File:"))
        self.browse_button.setText(_tr("Browse…"))
        self.preset_label.setText(_tr("Layout:"))
        for i in range(self.preset_combo.count()):
            self.preset_combo.setItemText(i, preset_label(self.preset_combo.itemData(i)))
        if self.wiz.loaded_mapping is not None:
            self.preset_combo.setItemText(self.preset_combo.count() - 1,
                                          _tr("Mapping file: %1").replace("%1", self.wiz.loaded_mapping.name))
        self.load_button.setText(_tr("Load mapping…"))
        self.encoding_label.setText(_tr("Text encoding:"))
        names = {None: _tr("Detect (UTF-8 or Korean CP949)"), "utf-8": _tr("UTF-8"),
                 "cp949": _tr("Korean (CP949, Korean Excel)"), "cp1252": _tr("Western European (Windows-1252)"),
                 "cp932": _tr("Japanese (Shift_JIS)"), "gb18030": _tr("Chinese (GB18030)")}
        for i in range(self.encoding_combo.count()):
            self.encoding_combo.setItemText(i, names[self.encoding_combo.itemData(i)])
        self.encoding_combo.setToolTip(_tr("How the CSV file's text is encoded; an Excel workbook needs none"))
        self.history_label.setText(_tr("Stage history file:"))
        self.history_edit.setPlaceholderText(_tr("Salesforce OpportunityHistory.csv (found beside the file if empty)"))
        self.history_button.setText(_tr("Browse…"))
        self.preview_label.setText(_tr("First rows of the file:"))
        if getattr(self, "error", None) is not None:
            self.error_label.setText(self.error())

    def _preset_changed(self) -> None:
        data = self.preset_combo.currentData()
        history = data == "salesforce" or (data == "__mapping__" and self.wiz.loaded_mapping is not None
                                           and self.wiz.loaded_mapping.history_file is not None)
        for w in (self.history_label, self.history_edit, self.history_button):
            w.setEnabled(history or data == "")
        self.wiz.invalidate_mapping()

    def browse(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, _tr("Import deals from"), "",
                                               _tr("Spreadsheets (*.csv *.xlsx *.txt);;All files (*)"))
        if path:
            self.file_edit.setText(path)
            self.load_preview()

    def browse_history(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, _tr("Stage history file"), "",
                                               _tr("Spreadsheets (*.csv *.xlsx);;All files (*)"))
        if path:
            self.history_edit.setText(path)

    def load_mapping_file(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, _tr("Load mapping"), "", _tr("Mapping (*.json)"))
        if not path:
            return
        try:
            self.wiz.loaded_mapping = load_mapping(path)
        except AppError as exc:
            self._show_error(lambda msg=exc.message: message_text(msg))
            return
        if self.preset_combo.findData("__mapping__") < 0:
            self.preset_combo.addItem("", "__mapping__")
        self.retranslate()
        self.preset_combo.setCurrentIndex(self.preset_combo.findData("__mapping__"))
        self.wiz.invalidate_mapping()

    def load_preview(self) -> None:
        self._show_error(None)
        path = self.path()
        table = None
        if path is not None:
            self.encoding_combo.setEnabled(not is_workbook(path))
            try:
                table = read_table(path, limit=PREVIEW_ROWS, encoding=self.encoding())
            except ParseError as exc:
                self._show_error(lambda name=path.name, msg=exc.message:
                                 message_text(Problem(name, None, None, in_wizard_words(msg)).text))
        self.preview.set_table(table)
        self.preview_view.resizeColumnsToContents()
        self.wiz.invalidate_mapping()
        self.completeChanged.emit()

    def _show_error(self, text: Callable[[], str] | None) -> None:
        """The error line: ``text()`` in the interface language now and after a switch."""
        self.error = text
        self.error_label.setText("" if text is None else text())

    def path(self) -> Path | None:
        text = self.file_edit.text().strip()
        return Path(text) if text else None

    def encoding(self) -> str | None:
        """The chosen text encoding of a CSV file (None: detect it; a workbook has none)."""
        path = self.path()
        return None if path is None or is_workbook(path) else self.encoding_combo.currentData()

    def history_path(self) -> Path | None:
        text = self.history_edit.text().strip()
        return Path(text) if text and self.history_edit.isEnabled() else None

    def isComplete(self) -> bool:
        p = self.path()
        return p is not None and p.is_file() and bool(self.preview.headers)


class MappingPage(QWizardPage):
    NOT_IMPORTED = None

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.wiz = wizard
        self.stages = board_service.stages(wizard.ctx.db)
        self.field_labels: dict[str, QLabel] = {}
        self.combos: dict[str, QComboBox] = {}
        self.fields_box = QGroupBox()
        form = QFormLayout(self.fields_box)
        for f in FIELDS:
            lab = QLabel()
            combo = QComboBox()
            combo.setObjectName(f"field_{f}")
            combo.currentIndexChanged.connect(lambda _i, f=f: self._field_changed(f))
            self.field_labels[f], self.combos[f] = lab, combo
            form.addRow(lab, combo)
        self.stage_box = QGroupBox()
        self.stage_form = QFormLayout(self.stage_box)
        self.status_box = QGroupBox()
        self.status_form = QFormLayout(self.status_box)
        self.stage_value_combos: dict[str, QComboBox] = {}
        self.status_value_combos: dict[str, QComboBox] = {}
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.save_mapping)
        self.note = QLabel()
        self.note.setWordWrap(True)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(self.stage_box)
        rl.addWidget(self.status_box)
        rl.addStretch(1)
        scroll_left, scroll_right = QScrollArea(), QScrollArea()
        for sc, w in ((scroll_left, self.fields_box), (scroll_right, right)):
            sc.setWidgetResizable(True)
            sc.setWidget(w)
        row = QHBoxLayout()
        row.addWidget(scroll_left, 1)
        row.addWidget(scroll_right, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(row, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.note, 1)
        bottom.addWidget(self.save_button)
        lay.addLayout(bottom)
        self._filling = False
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(_tr("Map the columns"))
        self.setSubTitle(_tr("Which column holds each deal field, and what the file's stages and statuses mean."))
        self.fields_box.setTitle(_tr("Deal fields"))
        self.stage_box.setTitle(_tr("Stage values"))
        self.status_box.setTitle(_tr("Status values"))
        self.save_button.setText(_tr("Save mapping…"))
        self.note.setText(_tr("Rows are matched to deals already imported by the source id; "
                              "a re-import updates them."))
        for f, lab in self.field_labels.items():
            lab.setText(field_label(f) + ":")
        for combo in self.combos.values():
            if combo.count():
                combo.setItemText(0, _tr("— not imported —"))
        for combos in (self.stage_value_combos, self.status_value_combos):
            for combo in combos.values():
                self._label_target_items(combo)

    # ---- filling from the mapping
    def initializePage(self) -> None:
        self.wiz.ensure_table()
        base = self.wiz.base_mapping()
        headers = self.wiz.table.headers if self.wiz.table else []
        self._filling = True
        for f, combo in self.combos.items():
            combo.clear()
            combo.addItem(_tr("— not imported —"), None)
            for h in headers:
                if h:
                    combo.addItem(h, h)
            spec = base.fields.get(f)
            if isinstance(spec, list):
                i = find_column(headers, spec)
                if i is not None:
                    combo.setCurrentIndex(combo.findData(headers[i]))
            elif isinstance(spec, dict):
                label = spec.get("template") or str(spec.get("value"))
                combo.addItem(("{…} " if "template" in spec else "= ") + label, spec)
                combo.setCurrentIndex(combo.count() - 1)
        self._filling = False
        self._fill_values("stage")
        self._fill_values("status")

    def _field_changed(self, f: str) -> None:
        if not self._filling and f in ("stage", "status"):
            self._fill_values(f)

    def _label_target_items(self, combo: QComboBox) -> None:
        lang = self.wiz.ctx.lang
        for i in range(combo.count()):
            t = combo.itemData(i)
            if t is None:
                combo.setItemText(i, _tr("— not mapped —"))
            elif t.position is not None:
                st = self.stages[t.position - 1]
                combo.setItemText(i, f"{st.position}. {st.name(lang)}")
            else:
                combo.setItemText(i, {"open": _tr("Open"), "won": _tr("Won"), "lost": _tr("Lost")}[t.status])

    def _fill_values(self, which: str) -> None:
        form = self.stage_form if which == "stage" else self.status_form
        combos = self.stage_value_combos if which == "stage" else self.status_value_combos
        while form.rowCount():
            form.removeRow(0)
        combos.clear()
        column = self.combos[which].currentData()
        if not isinstance(column, str) or self.wiz.table is None:
            hint = QLabel(_tr("Choose the %1 column to map its values.").replace("%1", field_label(which)))
            hint.setWordWrap(True)
            form.addRow(hint)
            return
        values = distinct_values(self.wiz.table, column, limit=60)
        base = self.wiz.base_mapping()
        if which == "stage":  # stages named by history columns (HubSpot "Date entered …") too
            for label in history_column_stages(base, self.wiz.table.headers):
                values.setdefault(norm(label), label)
        targets = stage_choices(self.stages) if which == "stage" else status_choices()
        for _key, v in sorted(values.items()):
            combo = QComboBox()
            combo.setObjectName(f"{which}_value_{v}")
            combo.addItem("", None)
            for t in targets:
                combo.addItem("", t)
            current = self._known_target(which, base, v)
            if current is not None:
                for j in range(1, combo.count()):
                    t = combo.itemData(j)
                    if (t.position, t.status) == (current.position, current.status) or (
                            which == "stage" and current.position is None and t.status == current.status):
                        combo.setCurrentIndex(j)
                        break
            self._label_target_items(combo)
            combos[v] = combo
            form.addRow(QLabel(v), combo)

    def _known_target(self, which: str, base: Mapping, value: str) -> StageTarget | None:
        if which == "stage":
            return resolve_stage(base, self.stages, value)
        st = resolve_status(base, value)
        return StageTarget(status=st) if st else None

    # ---- the mapping the user built
    def mapping(self) -> Mapping:
        m = self.wiz.base_mapping().copy()
        m.fields, m.required_columns = {}, set()
        for f, combo in self.combos.items():
            d = combo.currentData()
            if isinstance(d, str):
                m.fields[f] = [d]
                m.required_columns.add(f)
            elif isinstance(d, dict):
                m.fields[f] = dict(d)
        for v, combo in self.stage_value_combos.items():
            t = combo.currentData()
            if t is not None:
                m.stage_values[norm(v)] = t
        for v, combo in self.status_value_combos.items():
            t = combo.currentData()
            if t is not None:
                m.status_values[norm(v)] = t.status
        return m

    def save_mapping(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self, _tr("Save mapping"), "mapping.json", _tr("Mapping (*.json)"))
        if path:
            save_mapping(self.mapping(), path)
            self.note.setText(_tr("Mapping saved to %1").replace("%1", path))


class _JobPage(QWizardPage):
    """A page that runs one import job (dry or real) with a progress bar."""

    dry_run = True

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.wiz = wizard
        self.job: ImportJob | None = None
        self.mapping: Mapping | None = None
        self.result: ImportResult | None = None
        self.error: AppError | None = None
        self.progress = QProgressBar()
        self.progress.setRange(0, PROGRESS_STEPS)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.problems = ProblemModel(self)
        self.problem_view = QTableView()
        self.problem_view.setModel(self.problems)
        self.problem_view.horizontalHeader().setStretchLastSection(True)
        self.problem_view.verticalHeader().setVisible(False)
        lay = QVBoxLayout(self)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addWidget(self.problem_view, 1)
        lay.addStretch(0)
        self.status.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

    def initializePage(self) -> None:
        self.result, self.error = None, None
        self.problems.set_problems([])
        self.progress.setValue(0)
        self.progress.show()
        self.mapping = self.wiz.mapping_page.mapping()
        self.job = ImportJob(self.wiz.ctx, self.wiz.file_page.path(), self.mapping,
                             self.wiz.file_page.history_path(), self.dry_run, self, initiator=self.wiz,
                             encoding=self.wiz.file_page.encoding())
        self.job.progressed.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.retranslate()
        self.completeChanged.emit()
        self.job.start()

    def cleanupPage(self) -> None:
        self.cancel()

    def cancel(self) -> None:
        if self.job is not None and self.job.is_running():
            self.job.cancel()
            self.job.wait()

    def running(self) -> bool:
        return self.job is not None and self.job.outcome is None

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setValue(min(PROGRESS_STEPS, done * PROGRESS_STEPS // total))

    @Slot(str, object)
    def _on_finished(self, outcome: str, payload) -> None:
        # every row was read (with or without problems): the bar says done; a job that was
        # cancelled or could not read the file (its problems name no row) did not get
        # through, and its bar goes
        if outcome == "done" or (isinstance(payload, ImportFailed)
                                 and any(p.row is not None for p in payload.problems)):
            self.progress.setValue(PROGRESS_STEPS)
        else:
            self.progress.hide()
        if outcome == "done":
            self.result = payload
        elif outcome == "failed":
            self.error = payload
            if isinstance(payload, ImportFailed):
                self.problems.set_problems(payload.problems, self.mapping)
                self.problem_view.resizeColumnsToContents()
        self.retranslate()
        self.finished_job(outcome)
        self.completeChanged.emit()

    def finished_job(self, outcome: str) -> None:
        pass

    def isComplete(self) -> bool:
        return self.result is not None

    def summary(self, r: ImportResult) -> str:
        text = _tr("%1 rows: %2 new deals, %3 updated, %4 unchanged, %5 history rows")
        for i, n in enumerate((r.rows, r.created, r.updated, r.unchanged, r.history_rows), start=1):
            text = text.replace(f"%{i}", str(n))
        if r.users_created or r.accounts_created:
            more = _tr("%1 new users, %2 new accounts")
            text += " (" + more.replace("%1", str(r.users_created)).replace("%2", str(r.accounts_created)) + ")"
        return text

    def status_text(self) -> str:
        if self.error is not None:
            if isinstance(self.error, ImportFailed):
                return _tr("%1 problem(s) found; nothing was imported. Go back and fix the mapping or the file.") \
                    .replace("%1", str(len(self.error.problems)))
            return message_text(self.error.message)
        if self.job is not None and self.job.outcome == "cancelled":
            return _tr("Cancelled; nothing was imported.")
        return ""


class CheckPage(_JobPage):
    dry_run = True

    def retranslate(self) -> None:
        self.setTitle(_tr("Check"))
        self.setSubTitle(_tr("Every row is checked before anything is written."))
        self.problems.retranslate()
        if self.result is not None:
            self.status.setText(_tr("No problems. The import will do this:") + " " + self.summary(self.result))
        elif self.running():
            self.status.setText(_tr("Checking every row…"))
        else:
            self.status.setText(self.status_text())


class RunPage(_JobPage):
    dry_run = False

    def __init__(self, wizard: ImportWizard):
        super().__init__(wizard)
        self.problem_view.hide()
        self.layout().setStretch(3, 1)
        self.setCommitPage(True)

    def retranslate(self) -> None:
        self.setTitle(_tr("Import"))
        self.setSubTitle(_tr("All rows are written in one transaction."))
        self.problems.retranslate()
        if self.result is not None:
            self.status.setText(_tr("Imported.") + " " + self.summary(self.result))
        elif self.running():
            self.status.setText(_tr("Importing…"))
        else:
            self.status.setText(self.status_text())

    def finished_job(self, outcome: str) -> None:
        if outcome == "done":
            self.wiz.imported.emit(self.result)  # the runner then announces the import's changes
        elif self.error is not None and isinstance(self.error, ImportFailed):
            self.problem_view.show()


# ------------------------------------------------------------------ the wizard

class ImportWizard(QWizard):
    """File → Import…: ``ImportWizard(ctx, parent).exec()``."""

    imported = Signal(object)  # ImportResult, after a successful import

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.loaded_mapping: Mapping | None = None
        self.table: Table | None = None
        self._table_path: tuple | None = None  # (path, encoding) the table was read with
        self._base: Mapping | None = None
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setMinimumSize(860, 600)
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.check_page = CheckPage(self)
        self.run_page = RunPage(self)
        for page in (self.file_page, self.mapping_page, self.check_page, self.run_page):
            self.addPage(page)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_tr("Import deals"))
        for page in (self.file_page, self.mapping_page, self.check_page, self.run_page):
            page.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def invalidate_mapping(self) -> None:
        self._base = None

    def ensure_table(self) -> None:
        """The whole file, read once per path (for the stage and status values)."""
        path = self.file_page.path()
        if path is None:
            self.table = None
            return
        path_key = (path, self.file_page.encoding())
        if self.table is None or self._table_path != path_key:
            try:
                self.table = read_table(path, encoding=self.file_page.encoding())
            except ParseError:
                self.table = None
            self._table_path = path_key

    def base_mapping(self) -> Mapping:
        """The preset or mapping file chosen on the first page (before the user's changes)."""
        if self._base is None:
            choice = self.file_page.preset_combo.currentData()
            if choice == "__mapping__" and self.loaded_mapping is not None:
                self._base = self.loaded_mapping
            elif choice:
                self._base = preset(choice)
            else:
                headers = self.file_page.preview.headers
                self._base = preset(detect_preset(headers))
        return self._base

    def reject(self) -> None:
        for page in (self.check_page, self.run_page):
            page.cancel()
        super().reject()

    def done(self, result: int) -> None:
        for page in (self.check_page, self.run_page):
            if page.running():
                page.cancel()
        super().done(result)
