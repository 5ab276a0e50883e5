"""`make bench`: state-scale figures, each printed as `bench <name> <value> <unit>`.

Seeds the state demo (with its 45 days of history) into a fresh SQLite file, or
BENCH_DATABASE_URL, so it never touches the demo database; then runs every bench/bench_*.py
module's `run(bench)` with the Bench helper of bench/harness.py.
"""

from __future__ import annotations

import importlib
import tempfile
from pathlib import Path

from bench.harness import Bench


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bench = Bench(Path(tmp))
        for path in sorted(Path(__file__).parent.glob("bench_*.py")):
            module = importlib.import_module(f"bench.{path.stem}")
            module.run(bench)


if __name__ == "__main__":
    main()
