"""Importing deals from CSV/XLSX files and other CRMs' exports. No Qt.

``import_file(db, path, preset=..., mapping=..., dry_run=...)`` is the one entry point the
CLI and the import wizard call; see :mod:`app.services.importer.engine`.
"""

from app.services.importer.engine import (
    ImportCancelled,
    ImportFailed,
    ImportResult,
    Problem,
    check_can_import,
    import_file,
    resolve_mapping,
)
from app.services.importer.mapping import FIELDS, Mapping, MappingError, load_mapping, save_mapping
from app.services.importer.presets import PRESETS, detect_preset, preset

__all__ = [
    "FIELDS", "ImportCancelled", "ImportFailed", "ImportResult", "Mapping", "MappingError", "PRESETS",
    "Problem", "check_can_import", "detect_preset", "import_file", "load_mapping", "preset", "resolve_mapping", "save_mapping",
]
