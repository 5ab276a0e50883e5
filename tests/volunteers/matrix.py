"""The volunteers' routes in the authorization matrix: each part of the feature lists its own
in tests/volunteers/matrix_<part>.py (ENTRIES, and ids(app) for the objects its URLs need)."""

import importlib
from pathlib import Path

_PARTS = [
    importlib.import_module(f"tests.volunteers.{path.stem}")
    for path in sorted(Path(__file__).parent.glob("matrix_*.py"))
]

ENTRIES: dict = {}
for _part in _PARTS:
    ENTRIES.update(_part.ENTRIES)


def ids(app) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in _PARTS:
        if hasattr(part, "ids"):
            found.update(part.ids(app))
    return found
