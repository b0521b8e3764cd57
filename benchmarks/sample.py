"""Benchmark: an audit's sample drawn from a large ballot manifest.

Writes a manifest of ``--papers`` papers (2.6 million by default, London 2021's
size) in boxes of 500 into ``benchmarks/data/``, then times ``svcount rla
sample MANIFEST --seed ... --size N`` whole process (median of ``--runs``) and
reads its peak RSS. The first tickets are computed with ``hashlib`` and
compared with NumPy; only the papers that can be drawn go to
``consistent_sampler`` (Arlo's sampler), so the draws are Arlo's.

    python benchmarks/sample.py                     # 2,000 draws from 2.6M papers
    python benchmarks/sample.py --papers 10000000 --size 5000

Never run from the tests: timings are measured here, not asserted.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys

from bench import DATA, measure  # one way of measuring for every benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=2_600_000)
    parser.add_argument("--size", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    manifest = DATA / f"manifest-{args.papers}.csv"
    boxes, last = divmod(args.papers, 500)
    with manifest.open("w") as out:
        out.write("box,papers\n")
        out.writelines(f"Box {i:06d},500\n" for i in range(1, boxes + 1))
        if last:
            out.write(f"Box {boxes + 1:06d},{last}\n")
    argv = [sys.executable, "-m", "svcount", "rla", "sample", str(manifest),
            "--seed", "32795213463457212049", "--size", str(args.size), "-q"]  # fmt: skip
    runs = [measure(argv) for _ in range(args.runs)]
    seconds = statistics.median(t for t, _ in runs)
    peak = max(m for _, m in runs) / 1e6
    print(
        f"{args.size:,} draws from {args.papers:,} papers: {seconds:.2f} s, {peak:,.0f} MB peak "
        f"(median of {args.runs}; {platform.machine()}, Python {platform.python_version()})"
    )


if __name__ == "__main__":
    main()
