"""Benchmark: svcount against the obvious ways to count a ballot CSV.

Generates seeded ballot files (6 candidates, about 15% blank second
preferences, about 22.7 bytes a row: 10M rows is about 227 MB) into
``benchmarks/data/`` (not committed), then times whole processes, start to
exit, several runs each, and reports the median wall time, ballots a second,
peak RSS (from ``os.wait4``, per process) and the ratio of svcount's time to
each baseline's. Baselines run only if their package is installed
(``pip install -e '.[bench]'``).

    python benchmarks/bench.py                 # 100k and 10M rows, 5 runs
    python benchmarks/bench.py --rows 50000000 --runs 1 --only svcount

The two ``svcount --audit`` rows also write the per-paper audit trail, plain
and gzip-compressed: their ratio to the plain ``svcount`` row is the audit's
cost.

Never run from the tests: timings are measured here, not asserted.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
NAMES = [
    "Rupert Matthews",
    "Rory Palmer",
    "Aasiya Bora",
    "Ian Sharpe",
    "Fizza Askari",
    "Willy Bach",
]
FIRST_SHARE = [0.30, 0.28, 0.16, 0.14, 0.07, 0.05]
BLANK_SECOND = 0.15

BASELINES = {
    "python csv + Counter": (
        None,
        "import csv,sys,collections\n"
        "r=csv.reader(open(sys.argv[1],newline=''));next(r)\n"
        "print(len(collections.Counter(map(tuple,r))))",
    ),
    "pandas read_csv + value_counts": (
        "pandas",
        "import sys,pandas as pd\n"
        "d=pd.read_csv(sys.argv[1],na_filter=False,dtype=str)\n"
        "print(len(d.value_counts(['first','second'])))",
    ),
    "DuckDB GROUP BY": (
        "duckdb",
        "import sys,duckdb\n"
        'print(len(duckdb.sql("select first, second, count(*) from read_csv(\'"+sys.argv[1]+'
        '"\', all_varchar=true) group by all").fetchall()))',
    ),
    "polars streaming group_by": (
        "polars",
        "import sys,polars as pl\n"
        "q=pl.scan_csv(sys.argv[1],infer_schema=False).group_by(['first','second']).len()\n"
        "print(q.collect(engine='streaming').height)",
    ),
}


def generate(rows: int) -> Path:
    """A seeded ballot file of ``rows`` papers; reused when already there."""
    import numpy as np

    path = DATA / f"ballots-{rows}.csv"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(rows)
    names = np.array(NAMES)
    temp = path.with_suffix(".tmp")
    with open(temp, "w", encoding="utf-8") as out:
        out.write("first,second\n")
        block = 1_000_000
        for start in range(0, rows, block):
            n = min(block, rows - start)
            first = names[rng.choice(len(NAMES), n, p=FIRST_SHARE)]
            second = names[rng.choice(len(NAMES), n)]
            second = np.where(rng.random(n) < BLANK_SECOND, "", second)
            lines = np.char.add(np.char.add(first, ","), second)
            out.write("\n".join(lines.tolist()))
            out.write("\n")
    temp.rename(path)
    return path


def generate_aggregated(rows: int) -> Path:
    """The same kind of poll as ``generate``, aggregated: a few thousand rows with papers.

    Each distinct (first, second, area) of nine voting areas appears a few
    times with its share of ``rows`` papers, as a table of counts would.
    """
    import numpy as np

    path = DATA / f"aggregated-{rows}.csv"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(rows)
    areas = [f"Area {i}" for i in range(1, 10)]
    kinds = [(f, s, a) for f in NAMES for s in ["", *NAMES] for a in areas]
    kinds = [k for k in kinds for _ in range(8)]  # each distinct paper on several rows
    weights = rng.random(len(kinds))
    papers = np.floor(weights / weights.sum() * rows).astype(np.int64)
    papers[0] += rows - papers.sum()
    with open(path, "w", encoding="utf-8") as out:
        out.write("first,second,area,papers\n")
        for (first, second, area), n in zip(kinds, papers.tolist(), strict=True):
            out.write(f"{first},{second},{area},{n}\n")
    return path


#: The environment a user's process has: Python keeps its bytecode caches (a sandbox's
#: PYTHONDONTWRITEBYTECODE would make every run compile every module again).
USERS_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(argv: list[str], stdin: Path | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one process, reading ``stdin`` if given."""
    source = open(stdin, "rb") if stdin else subprocess.DEVNULL  # noqa: SIM115
    start = time.perf_counter()
    child = subprocess.Popen(
        argv, stdin=source, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=USERS_ENV
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if stdin:
        source.close()  # type: ignore[union-attr]
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(argv)} failed: {child.stderr.read().decode()}")  # type: ignore[union-attr]
    child.stderr.close()  # type: ignore[union-attr]
    return elapsed, usage.ru_maxrss * 1024


def svcount_argv(path: Path) -> list[str]:
    return [sys.executable, "-m", "svcount", "tally", str(path), "--format", "json"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=["svcount"], help="skip the baselines")
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(args.generate)
        generate_aggregated(args.generate)
        return

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.platform()}"
    )
    print()
    print("| rows | MB | tool | median s | ballots/s | peak RSS MB | svcount time / tool time |")
    print("|---:|---:|---|---:|---:|---:|---:|")
    for rows in args.rows:
        # Generate in a child: a forked child's peak RSS would include ours.
        subprocess.run([sys.executable, __file__, "--generate", str(rows)], check=True)
        path = DATA / f"ballots-{rows}.csv"
        megabytes = path.stat().st_size / 1e6
        audit = DATA / "audit-out.csv"
        aggregated = DATA / f"aggregated-{rows}.csv"
        tools = [
            ("svcount", svcount_argv(path)),
            (
                f"svcount, aggregated ({sum(1 for _ in open(aggregated)) - 1:,} rows)",
                svcount_argv(aggregated),
            ),
            ("svcount --audit (csv)", [*svcount_argv(path), "--audit", str(audit)]),
            ("svcount --audit (csv.gz)", [*svcount_argv(path), "--audit", f"{audit}.gz"]),
        ]
        if not args.only:
            for name, (package, code) in BASELINES.items():
                if package is None or importlib.util.find_spec(package):
                    tools.append((name, [sys.executable, "-c", code, str(path)]))
        medians: dict[str, float] = {}
        for name, argv in tools:
            if name == "python csv + Counter" and rows > 20_000_000:
                continue  # minutes per run, and nothing new to learn
            runs = [measure(argv) for _ in range(args.runs)]
            medians[name] = statistics.median(t for t, _ in runs)
            peak = max(m for _, m in runs)
            ratio = medians["svcount"] / medians[name]
            print(
                f"| {rows:,} | {megabytes:,.0f} | {name} | {medians[name]:.2f} | "
                f"{rows / medians[name]:,.0f} | {peak / 1e6:,.0f} | {ratio:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
