"""`make bench`: state-scale figures, each printed as `bench <name> <value> <unit>`.

Seeds the state demo (with its 45 days of history) into a fresh SQLite file, or
BENCH_DATABASE_URL, so it never touches the demo database; then runs every bench/bench_*.py
module's `run(bench)` with the Bench helper of bench/harness.py.

`python -m bench write_path` runs only bench/bench_write_path.py (names without "bench_"). With
BENCH_STATE_SQLITE=/some/file.sqlite the state seed is made once into that file and reused as it is
by later runs (keep it outside the repository; benches that write to `bench.app` change it, the
write-path bench writes to a copy). `python -m bench.bench_uploads` runs the photo uploads against
gunicorn alone, on its own tiny demo, without the state seed.
"""

from __future__ import annotations

import importlib
import sys
import tempfile
from pathlib import Path

from bench.harness import Bench


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        chosen = {f"bench_{name}" for name in sys.argv[1:]}
        paths = sorted(Path(__file__).parent.glob("bench_*.py"))
        unknown = chosen - {path.stem for path in paths}
        if unknown:
            raise SystemExit(f"no such bench: {', '.join(sorted(unknown))}")
        bench = Bench(Path(tmp))
        for path in paths:
            if chosen and path.stem not in chosen:
                continue
            module = importlib.import_module(f"bench.{path.stem}")
            module.run(bench)


if __name__ == "__main__":
    main()
