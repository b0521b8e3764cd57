"""Which engine should parse and group a large ballot file? Measured, on every kind of file.

For each kind of file of ``benchmarks/matrix.py`` (10M papers by default), a
fresh process per run reads the file and groups its distinct (first, second,
area, count) rows, with each engine:

- svcount's reading with ``engine="polars"`` and with ``engine="pandas"``
  (``svcount.io.load``: the header sniffed, the file hashed and its rows'
  widths checked by the byte scan, the marks classified; what svcount does);
- and, as yardsticks doing the grouping alone (no hash, no checks): polars'
  streaming ``scan_csv(...).group_by(...).len()``, pyarrow's streaming CSV
  reader with a dictionary ``group_by``, and DuckDB's ``GROUP BY``.

Standard input (``< FILE``) is timed for svcount and for DuckDB
(``/dev/stdin``). It prints median wall seconds and peak RSS per engine and
file. The choice it supports (README, "Performance"): polars for large files
(UTF-8 as it is, a byte-a-character encoding re-encoded in blocks), chunked
pandas for aggregated files and what polars cannot vouch for, the csv module
for small files.
DuckDB, pyarrow and the yardsticks come with ``pip install -e '.[bench]'``.

    python benchmarks/engines.py               # 10M papers, 3 runs
    python benchmarks/engines.py --rows 1000000 --runs 5

Never run from the tests: timings are measured here, not asserted.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
from pathlib import Path

from bench import measure
from matrix import DUCKDB, arguments, write_variants

SVCOUNT = (
    "import sys\n"
    "from svcount.io import load\n"
    "from svcount.options import ReadOptions\n"
    "enc = 'cp1252' if 'cp1252' in sys.argv[1] else None\n"
    "loaded = load(sys.argv[2], options=ReadOptions(encoding=enc), engine=sys.argv[3])\n"
    "print(loaded.rows)\n"
)
POLARS = (
    "import sys, polars as pl\n"
    "enc = 'utf8-lossy' if 'cp1252' in sys.argv[1] else 'utf8'\n"
    "lf = pl.scan_csv(sys.argv[1], infer_schema=False, empty_string_is_null=False, "
    "encoding=enc)\n"
    "print(len(lf.group_by(lf.collect_schema().names()).len().collect(engine='streaming')))\n"
)
PYARROW = (
    "import sys, gzip, pyarrow as pa, pyarrow.csv as pc\n"
    "path = sys.argv[1]\n"
    "source = gzip.open(path) if path.endswith('.gz') else path\n"
    "enc = 'cp1252' if 'cp1252' in path else 'utf8'\n"
    "reader = pc.open_csv(source, read_options=pc.ReadOptions(block_size=1 << 20, "
    "encoding=enc), convert_options=pc.ConvertOptions(auto_dict_encode=True, "
    "strings_can_be_null=False))\n"
    "names = reader.schema.names\n"
    "tables = [pa.Table.from_batches([b]).group_by(names).aggregate([([], 'count_all')]) "
    "for b in reader]\n"
    "print(len(tables))\n"
)


#: The engines timed on standard input too.
STDIN_TOO = ("svcount, polars", "svcount, pandas", "DuckDB alone")


def engines() -> dict[str, object]:
    """Each engine's command for a file kind: (kind, path, DuckDB's columns) -> argv."""
    python = sys.executable
    found: dict[str, object] = {
        "svcount, polars": lambda kind, path, cols: [python, "-c", SVCOUNT, kind, path, "polars"],
        "svcount, pandas": lambda kind, path, cols: [python, "-c", SVCOUNT, kind, path, "pandas"],
        "polars alone": lambda kind, path, cols: [python, "-c", POLARS, path],
    }
    if importlib.util.find_spec("pyarrow"):
        found["pyarrow alone"] = lambda kind, path, cols: [python, "-c", PYARROW, path]
    if importlib.util.find_spec("duckdb"):
        found["DuckDB alone"] = lambda kind, path, cols: [python, "-c", DUCKDB, path, cols]
    return found


def main() -> None:
    args = arguments(__doc__)
    files = write_variants(args.rows)
    chosen = engines()
    print(f"{args.rows:,} papers; median of {args.runs} runs; whole processes")
    print()
    print("| file | " + " | ".join(f"{name} s (MB)" for name in chosen) + " |")
    print("|---|" + "---:|" * len(chosen))
    kinds = [(kind, path, cols, None) for kind, (path, cols) in files.items()]
    unquoted, columns = files["unquoted"]
    kinds.insert(4, ("stdin (< FILE)", unquoted, columns, unquoted))
    for kind, path, cols, stdin in kinds:
        cells = []
        for name, argv in chosen.items():
            # a count column: the grouping alone is no yardstick; standard input: only
            # svcount and DuckDB (/dev/stdin) read it as they read a file
            if ("alone" in name) if kind == "aggregated" else (stdin and name not in STDIN_TOO):
                cells.append("n/a")
                continue
            where = "/dev/stdin" if stdin and "DuckDB" in name else "-" if stdin else str(path)
            runs = [measure(argv(kind, where, cols), stdin) for _ in range(args.runs)]  # type: ignore[operator]
            seconds = statistics.median(t for t, _ in runs)
            cells.append(f"{seconds:.2f} ({max(m for _, m in runs) / 1e6:,.0f})")
        print(f"| {kind} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
