"""Benchmark: ``svcount margin`` on every example, whole processes, start to exit.

The margin works on the distinct kinds of paper, never on rows, so its cost
beside the count is the same for 13 papers and for 10 million. This times,
for each example folder, ``svcount tally`` and ``svcount margin`` with the
same options (median of several runs, wall time and peak RSS), and with
``--rows N`` also a generated file of N ballots (6 candidates, from
``bench.py``'s generator).

    python benchmarks/margin.py                 # every example, 3 runs each
    python benchmarks/margin.py --rows 10000000 --runs 1

Never run from the tests: timings are measured here, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(ROOT / "tests"))


def timed(args: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS in MiB of one whole process."""
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status:
        raise SystemExit(f"failed: {' '.join(args)}: {process.stderr.read().decode()}")
    return seconds, usage.ru_maxrss // 1024


def median_run(args: list[str], runs: int) -> tuple[float, int]:
    results = [timed(args) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def many_candidates(candidates: int, papers: int) -> Path:
    """One paper a row for ``candidates``, each with at least one, ties for second everywhere.

    Candidate 000 has a few papers more, so that there is a winner to unseat.
    """
    import random

    path = DATA / f"many-{candidates}-{papers}.csv"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        rng = random.Random(candidates * 1_000_003 + papers)
        names = [f"Candidate {i:03}" for i in range(candidates)]
        extra = max(2, papers // 100)
        firsts = names + [names[0]] * extra
        firsts += [rng.choice(names) for _ in range(papers - len(firsts))]
        lines = ["first,second", *(f"{a},{rng.choice(names)}" for a in firsts)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def close_race(candidates: int = 20) -> Path:
    """An aggregated file of every (first, second) pair, the two leaders a few papers apart."""
    import random

    path = DATA / f"close-{candidates}.csv"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        rng = random.Random(candidates)
        names = [f"Candidate {i:02}" for i in range(candidates)]
        share = {c: 40_000 if i < 2 else rng.randrange(2_000, 30_000) for i, c in enumerate(names)}
        lines = ["first,second,papers"]
        for a in names:
            weights = [rng.random() for _ in names]
            for b, weight in zip(names, weights, strict=True):
                papers = int(share[a] * weight / sum(weights)) + (a == names[0]) * 3
                lines.append(f"{a},{'' if a == b else b},{papers}")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cases(rows: int | None) -> list[tuple[str, list[str]]]:
    from golden import EXAMPLES, _example_args

    out = [(folder, list(_example_args(folder))) for folder in EXAMPLES]
    out.append(("close race, 20", [str(close_race(20))]))
    for candidates, papers in ((60, 62), (200, 202), (200, 100_000)):
        out.append((f"{candidates} cand., {papers:,}", [str(many_candidates(candidates, papers))]))
    if rows:  # made in another process, so that its memory is not this one's (nor a child's)
        made = subprocess.run(
            [sys.executable, "-c", f"from bench import generate; print(generate({rows}))"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            check=True,
        )
        out.append((f"generated {rows:,}", [made.stdout.strip()]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=None)
    given = parser.parse_args()
    svcount = [sys.executable, "-m", "svcount"]
    print(f"{'election':<22} {'tally s':>8} {'margin s':>9} {'margin MiB':>11}  M  exact")
    for name, args in cases(given.rows):
        tally, _ = median_run([*svcount, "tally", *args, "-f", "json"], given.runs)
        margin, rss = median_run([*svcount, "margin", *args, "-f", "json"], given.runs)
        out = subprocess.run(
            [*svcount, "margin", *args, "-f", "json"], cwd=ROOT, capture_output=True, check=True
        )
        document = json.loads(out.stdout)
        m = document["margins"]["change"]["papers"]
        exact = "yes" if document["exact"] else "no"
        print(f"{name:<22} {tally:>8.2f} {margin:>9.2f} {rss:>11,}  {m:,}  {exact}")


if __name__ == "__main__":
    main()
