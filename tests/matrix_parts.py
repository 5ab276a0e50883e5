"""A feature whose routes are split over tests/<feature>/matrix_<part>.py gathers them here."""

import importlib
from pathlib import Path


def gather(matrix_file: str) -> tuple[dict, object]:
    """(ENTRIES of every matrix_<part>.py beside `matrix_file`, an ids(app) joining their ids)."""
    folder = Path(matrix_file).parent
    parts = [
        importlib.import_module(f"tests.{folder.name}.{path.stem}")
        for path in sorted(folder.glob("matrix_*.py"))
    ]
    entries: dict = {}
    for part in parts:
        entries.update(part.ENTRIES)

    def ids(app) -> dict[str, int]:
        found: dict[str, int] = {}
        for part in parts:
            if hasattr(part, "ids"):
                found.update(part.ids(app))
        return found

    return entries, ids
