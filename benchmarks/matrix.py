"""Benchmark matrix: svcount on every kind of ballot file, with DuckDB as the yardstick.

For 10M papers (by default) written as unquoted CSV, all-quoted CSV, CRLF,
gzip, standard input, with an area column, aggregated, with a UTF-8 byte-order
mark and in Windows-1252 (DuckDB reading it as latin-1), it times whole
processes (median of ``--runs``), reads their peak RSS, and in the same run
times DuckDB's ``GROUP BY`` over the same file (``read_csv(...,
all_varchar=true)``), printing svcount's time over DuckDB's per row. Files go
to ``benchmarks/data/`` (not committed). DuckDB comes with ``pip install -e
'.[bench]'``.

    python benchmarks/matrix.py                  # 10M papers, 3 runs
    python benchmarks/matrix.py --rows 50000000 --runs 1

Never run from the tests: timings are measured here, not asserted.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import statistics
import sys
from pathlib import Path

from bench import DATA, FIRST_SHARE, NAMES, measure  # one way of measuring for both

AREAS = [f"Area {i}" for i in range(1, 10)]
DUCKDB = (
    "import sys,duckdb\n"
    "cols=sys.argv[2]\n"
    "enc=', encoding=\\'latin-1\\'' if 'cp1252' in sys.argv[1] else ''\n"
    'print(len(duckdb.sql("select "+cols+", count(*) from read_csv(\'"+sys.argv[1]+'
    '"\', all_varchar=true"+enc+") group by all").fetchall()))'
)


def write_variants(rows: int) -> dict[str, tuple[Path, str]]:
    """Every kind of file for ``rows`` papers: name -> (path, columns DuckDB groups by)."""
    import numpy as np

    DATA.mkdir(parents=True, exist_ok=True)
    base = DATA / f"matrix-{rows}"
    files = {
        "unquoted": (base.with_suffix(".csv"), "first, second"),
        "all quoted": (base.with_name(base.name + "-quoted.csv"), "first, second"),
        "CRLF": (base.with_name(base.name + "-crlf.csv"), "first, second"),
        "gzip": (base.with_name(base.name + ".csv.gz"), "first, second"),
        "area column": (base.with_name(base.name + "-area.csv"), "first, second, area"),
        "aggregated": (base.with_name(base.name + "-aggregated.csv"), "first, second, papers"),
        "BOM": (base.with_name(base.name + "-bom.csv"), "first, second"),
        "cp1252": (base.with_name(base.name + "-cp1252.csv"), "first, second"),
    }
    if all(path.exists() for path, _ in files.values()):
        return files
    rng = np.random.default_rng(rows)
    names = np.array(NAMES)
    outs = {
        key: open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        for key, (path, _) in files.items()
        if key not in ("gzip", "aggregated", "BOM", "cp1252")
    }
    outs["unquoted"].write("first,second\n")
    outs["all quoted"].write('"first","second"\n')
    outs["CRLF"].write("first,second\r\n")
    outs["area column"].write("first,second,area\n")
    block = 1_000_000
    for start in range(0, rows, block):
        n = min(block, rows - start)
        first = names[rng.choice(len(NAMES), n, p=FIRST_SHARE)]
        second = np.where(rng.random(n) < 0.15, "", names[rng.choice(len(NAMES), n)])
        area = np.array(AREAS)[rng.integers(0, len(AREAS), n)]
        pairs = np.char.add(np.char.add(first, ","), second).tolist()
        outs["unquoted"].write("\n".join(pairs) + "\n")
        outs["CRLF"].write("\r\n".join(pairs) + "\r\n")
        quoted = np.char.add(np.char.add(np.char.add('"', first), '","'), np.char.add(second, '"'))
        outs["all quoted"].write("\n".join(quoted.tolist()) + "\n")
        with_area = np.char.add(np.char.add(np.array(pairs), ","), area)
        outs["area column"].write("\n".join(with_area.tolist()) + "\n")
    for out in outs.values():
        out.close()
    with open(files["unquoted"][0], "rb") as src, gzip.open(files["gzip"][0], "wb", 1) as dst:
        while chunk := src.read(1 << 24):
            dst.write(chunk)
    plain = files["unquoted"][0].read_bytes()
    files["BOM"][0].write_bytes(b"\xef\xbb\xbf" + plain)
    # one candidate spelled with an accent, as Windows-1252 writes it
    files["cp1252"][0].write_bytes(plain.replace(b"Ian Sharpe", "Iàn Sharpé".encode("cp1252")))
    del plain
    kinds = [(f, s, a) for f in NAMES for s in ["", *NAMES] for a in AREAS for _ in range(8)]
    weights = rng.random(len(kinds))
    papers = np.floor(weights / weights.sum() * rows).astype(np.int64)
    papers[0] += rows - papers.sum()
    with open(files["aggregated"][0], "w", encoding="utf-8") as out:
        out.write("first,second,area,papers\n")
        out.writelines(
            f"{f},{s},{a},{n}\n" for (f, s, a), n in zip(kinds, papers.tolist(), strict=True)
        )
    return files


def arguments(doc: str) -> argparse.Namespace:
    """``--rows`` (10M) and ``--runs`` (3), as both matrix benchmarks take them."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    return parser.parse_args()


def main() -> None:
    args = arguments(__doc__)
    files = write_variants(args.rows)
    rows = [(k, p, c, None) for k, (p, c) in files.items()]
    rows.insert(4, ("stdin (< FILE)", files["unquoted"][0], "first, second", files["unquoted"][0]))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.platform()}; {args.rows:,} papers"
    )
    print()
    print("| file | MB | svcount s | svcount peak MB | DuckDB s | svcount / DuckDB |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind, path, columns, stdin in rows:
        source = "-" if stdin else str(path)
        svcount = [sys.executable, "-m", "svcount", "tally", source, "-f", "json", "-q"]
        svcount += ["--encoding", "cp1252"] if kind == "cp1252" else []
        runs = [measure(svcount, stdin) for _ in range(args.runs)]
        ours = statistics.median(t for t, _ in runs)
        peak = max(m for _, m in runs)
        duck = [sys.executable, "-c", DUCKDB, str(path), columns]
        theirs = statistics.median(measure(duck)[0] for _ in range(args.runs))
        print(
            f"| {kind} | {path.stat().st_size / 1e6:,.0f} | {ours:.2f} | {peak / 1e6:,.0f} | "
            f"{theirs:.2f} | {ours / theirs:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
