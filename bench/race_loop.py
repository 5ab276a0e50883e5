"""Run the concurrency suite (tests/concurrency/) many times and say how often each race really
collided, so we know the tests bite: `python -m bench.race_loop [--runs 20] [--database sqlite]`.

Each run is a whole pytest run of the suite (its own database and gunicorn servers). Every race
writes one JSON line to RACE_RECORD (tests/concurrency/conftest.py `record`): whether two or more of
its requests were inside the app at the same moment, by the servers' own notes (for the double tap:
whether the second tap reached the server within 0.9 s of the first's answer). Failures come from
pytest's JUnit XML. Per race and database it prints

    bench race_<name>_<database>_collided <k>/<N> runs
    bench race_<name>_<database>_failed <k>/<N> runs

and comment lines: the statuses the race's requests were answered over all runs, and how many runs
found each count of what got saved (rows, holding, audit rows...). SQLite
first, then PostgreSQL (TEST_DATABASE_URL, else the local `test` database) when it answers.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What every race's line carries; the rest is what the race found saved (rows, holding, audited...).
COMMON = {"race", "test", "database", "requests", "winners", "losers", "overlap", "collided", "statuses"}
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), 2).close()
    except OSError:
        return False
    return True


def _failed_tests(junit: Path) -> set[str]:
    if not junit.exists():
        return {"*"}  # pytest did not get as far as its report: count every race as failed
    failed = set()
    for case in ET.parse(junit).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed.add(case.get("name", ""))
    return failed


def _one_run(database: str, folder: Path, index: int) -> tuple[list[dict], set[str], float]:
    record = folder / f"{database}-{index}.jsonl"
    junit = folder / f"{database}-{index}.xml"
    env = {**os.environ, "RACE_RECORD": str(record)}
    if database == "sqlite":
        env.pop("TEST_DATABASE_URL", None)
    else:
        env["TEST_DATABASE_URL"] = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
    command = [sys.executable, "-m", "pytest", "tests/concurrency", "-q", "-p", "no:cacheprovider"]
    started = time.perf_counter()
    subprocess.run(
        [*command, f"--junitxml={junit}"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=False
    )
    seconds = time.perf_counter() - started
    lines = record.read_text(encoding="utf-8").splitlines() if record.exists() else []
    return [json.loads(line) for line in lines], _failed_tests(junit), seconds


def loop(database: str, runs: int, folder: Path) -> None:
    collided: Counter = Counter()
    failed: Counter = Counter()
    statuses: dict[str, Counter] = defaultdict(Counter)
    saved: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    tests: dict[str, str] = {}
    seconds = []
    for index in range(runs):
        found, failures, took = _one_run(database, folder, index)
        seconds.append(took)
        seen = set()
        for line in found:
            race = line["race"]
            seen.add(race)
            tests[race] = line.get("test", "")
            collided[race] += bool(line["collided"])
            statuses[race].update(line["statuses"])
            for key, value in line.items():
                if key not in COMMON and key != "gap_seconds":
                    saved[race][key][json.dumps(value)] += 1
            if "*" in failures or line.get("test") in failures:
                failed[race] += 1
        for race in set(tests) - seen:  # a run that never reached the race
            failed[race] += 1
        broke = sorted(line["race"] for line in found if "*" in failures or line.get("test") in failures)
        print(
            f"# {database} run {index + 1}/{runs}: {took:.1f} s, failed: {', '.join(broke) or 'none'}",
            flush=True,
        )
    for race in sorted(tests):
        name = f"race_{race}_{database}"
        print(f"bench {name}_collided {collided[race]}/{runs} runs")
        print(f"bench {name}_failed {failed[race]}/{runs} runs")
        seen = ", ".join(f"{status}×{count}" for status, count in sorted(statuses[race].items()))
        print(f"# {race} on {database}, statuses over the runs: {seen}")
        for key, values in sorted(saved[race].items()):
            spread = ", ".join(f"{value}×{count}" for value, count in sorted(values.items()))
            print(f"#   {key}, runs by value: {spread}")
    print(
        f"bench race_suite_{database}_seconds {max(seconds):.1f} s (the slowest of {runs} runs)", flush=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    chosen = parser.parse_args()
    databases = ["sqlite", "postgresql"] if chosen.database == "both" else [chosen.database]
    with tempfile.TemporaryDirectory(prefix="race-loop-") as tmp:
        for database in databases:
            if database == "postgresql" and not _postgres_answers():
                print("NOTICE: PostgreSQL at 127.0.0.1:5432 does not answer; its races were not run.")
                continue
            loop(database, chosen.runs, Path(tmp))


if __name__ == "__main__":
    main()
