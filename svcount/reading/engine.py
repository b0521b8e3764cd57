"""The fast engine for large UTF-8 ballot files: polars parses and groups, svcount judges.

Chosen by measurement (``benchmarks/engines.py``): polars' streaming
``scan_csv(...).group_by(...).len()`` reads plain, quoted, CRLF and gzip
files alike, on every core, in flat memory, faster than DuckDB's ``GROUP BY``.
It hands back the distinct (first, second, rejected, area) rows with their
papers: only distinct values are classified, and the per-row work is its own.

It never judges a file. Every cell is text (``infer_schema=False``), an empty
field is ``""`` never a null, and whatever polars refuses or cannot vouch
for goes to the chunked pandas path and then the validating reader, which
give the one-line error with the file's own line number. The byte scan beside
it (:class:`svcount.reading.fastpath.Scan`) still decides whether every row
had the header's width, since polars fills a short row with empty fields.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from typing import Any

from svcount.reading.header import ROLES, Layout, Row
from svcount.reading.source import Source

__all__ = ["polars_reads", "read_polars"]


def polars_reads(layout: Layout) -> bool:
    """Whether polars may read this file: UTF-8 or ASCII as it is (polars leaves out a UTF-8
    byte-order mark), and one paper a row (a count column is checked figure by figure)."""
    import codecs

    try:
        name = codecs.lookup(layout.encoding).name
    except LookupError:
        return False
    return name in ("utf-8", "utf-8-sig", "ascii") and "count" not in layout.columns


def _odd(delimiter: str) -> tuple[str, ...]:
    """What a value may not hold for the light byte scan to vouch for the rows' widths: the
    delimiter (then quoted), a quote or a line break."""
    return delimiter, '"', "\r", "\n"


def read_polars(
    source: Source, layout: Layout, roles: Sequence[str]
) -> tuple[Counter[Row], int, bool] | None:
    """Distinct rows with their papers, the rows read, and whether no value holds a
    delimiter, a quote or a line break; None where polars cannot vouch.

    None when polars is missing or refuses the file (a row longer than the
    header included: every column is parsed), for an aggregated file (a count
    column is checked figure by figure elsewhere), and when a row's fields
    are all empty: a blank line is no paper, and a row of empty fields is an
    unmarked one, which only the line-by-line readers can tell apart.
    """
    if not polars_reads(layout):
        return None
    # 1 MiB blocks: measured faster than polars' default on 2 cores, and memory flat at about
    # 110 MB for 50M rows instead of 380 MB (benchmarks/engines.py); the user's value wins.
    os.environ.setdefault("POLARS_CSV_CHUNK_SIZE", str(1 << 20))
    try:
        import polars as pl
    except ImportError:  # pragma: no cover - a dependency, but a broken install still counts
        return None
    present = [role for role in ROLES if role in roles and role in layout.columns]
    names = [f"c{i}" for i in range(len(layout.header))]
    keys = [names[layout.columns[role]] for role in present]
    others = [n for n in names if n not in keys]  # parsed too, and looked at for odd values
    odd_value = _odd(layout.delimiter)
    looked_at = [pl.col(n).str.contains_any(list(odd_value)) for n in others]
    odd = [pl.any_horizontal(looked_at).any().alias("odd")] if others else []
    try:
        frame = (
            pl.scan_csv(
                source.path,
                has_header=True,
                new_columns=names,
                separator=layout.delimiter,
                quote_char='"',
                infer_schema=False,
                empty_string_is_null=False,
                raise_if_empty=False,
            )
            .group_by(keys)
            .agg(pl.len().alias("papers"), *odd)
            .collect(engine="streaming")
        )
    except Exception:  # noqa: BLE001 - any refusal: the careful readers say what is wrong
        return None
    return _counted(frame.rows(), present, bool(others), odd_value)


def _counted(
    grouped: list[tuple[Any, ...]], present: list[str], with_odd: bool, odd: tuple[str, ...]
) -> tuple[Counter[Row], int, bool] | None:
    """The grouped rows as svcount's keys (ROLES order, "" for a role absent)."""
    counts: Counter[Row] = Counter()
    rows, clean = 0, True
    where = {role: i for i, role in enumerate(present)}
    for row in grouped:
        values, papers = row[: len(present)], row[len(present)]
        if not any(values) or any(v is None or "\r" in v for v in values):
            return None  # a blank line, a row of empty fields or a lone CR: line by line
        clean = clean and not (with_odd and row[-1])
        clean = clean and not any(mark in v for v in values for mark in odd)
        key = tuple(values[where[role]] if role in where else "" for role in ROLES)
        counts[key] += papers  # type: ignore[index]
        rows += papers
    return (counts, rows, clean) if rows else None  # no row: perhaps lines polars cannot see
