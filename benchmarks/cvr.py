"""Benchmark: cast vote record reports (NIST SP 1500-103 JSON) written and read, streamed.

For a reference election's ballot file (llr-2016 by default: 155,661 papers;
``--example london-2021`` gives 2.6 million), it times whole processes (median
of ``--runs``) and reads their peak RSS:

- ``svcount tally BALLOTS -f json``: the CSV, the yardstick;
- ``svcount tally BALLOTS -f nist-cvr -o cvr.json``: the export, written in parts;
- ``svcount tally cvr.json -f json`` and the same gzip-compressed: the reading,
  one CVR at a time, each kind of CVR read once.

It prints each time over the CSV's, and checks that the report counts to the
CSV's own figures. Files go to ``benchmarks/data/`` (not committed).

    python benchmarks/cvr.py                          # llr-2016, 3 runs
    python benchmarks/cvr.py --example london-2021 --runs 1

Never run from the tests: timings are measured here, not asserted.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from bench import DATA, measure  # one way of measuring for every benchmark

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def svcount(*args: str) -> list[str]:
    return [sys.executable, "-m", "svcount", *args]


def figures(argv: list[str]) -> dict[str, object]:
    """The count's figures, without what names the file read."""
    result = json.loads(subprocess.run(argv, capture_output=True, check=True).stdout)
    return {k: v for k, v in result.items() if k not in ("input", "options", "digest")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", default="llr-2016", help="an examples/ directory")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = EXAMPLES / args.example
    ballots = next(p for p in folder.iterdir() if p.name.startswith("ballots."))
    candidates = ["--candidates", str(folder / "candidates.csv")]
    DATA.mkdir(exist_ok=True)
    report = DATA / f"{args.example}-cvr.json"
    packed = DATA / f"{args.example}-cvr.json.gz"
    export = svcount("tally", str(ballots), *candidates, "-f", "nist-cvr", "-o", str(report), "-q")
    rows = [
        ("CSV", svcount("tally", str(ballots), *candidates, "-f", "json", "-q")),
        ("export as nist-cvr", export),
        ("CVR report (JSON)", svcount("tally", str(report), "-f", "json", "-q")),
        ("CVR report (JSON, gzip)", svcount("tally", str(packed), "-f", "json", "-q")),
    ]
    subprocess.run(export, check=True)
    with report.open("rb") as src, gzip.open(packed, "wb", compresslevel=6) as out:
        shutil.copyfileobj(src, out)
    assert figures(rows[0][1]) == figures(rows[2][1]) == figures(rows[3][1]), "figures differ"
    print(
        f"{args.example}: {report.stat().st_size / 1e6:,.0f} MB report "
        f"({packed.stat().st_size / 1e6:,.0f} MB gzip); {platform.machine()}, "
        f"Python {platform.python_version()}; median of {args.runs}"
    )
    print("| what | median s | peak RSS MB | time / CSV's |")
    print("|---|---:|---:|---:|")
    base = None
    for name, argv in rows:
        runs = [measure(argv) for _ in range(args.runs)]
        seconds = statistics.median(t for t, _ in runs)
        peak = max(m for _, m in runs) / 1e6
        base = base or seconds
        print(f"| {name} | {seconds:.2f} | {peak:,.0f} | {seconds / base:.2f} |", flush=True)


if __name__ == "__main__":
    main()
