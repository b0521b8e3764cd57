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

import csv
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from svcount.reading.header import ROLES, Layout, Row
from svcount.reading.rows import judged_row
from svcount.reading.source import Source

__all__ = ["Grouped", "polars_reads", "read_polars", "reads_by_line"]


@dataclass(frozen=True)
class Grouped:
    """What polars read: distinct rows (ROLES order) with their papers."""

    counts: Counter[Row]
    papers: int
    lines: int  # the lines after the header, blank ones included
    judged: bool  # every distinct line judged whole: every row's width is known
    clean: bool  # no value holds a delimiter, a quote or a line break


def reads_by_line(layout: Layout) -> bool:
    """Whether every column is one the count reads (no ballot ids): then a file's distinct
    lines are few, and polars need only count them (:func:`_by_line`)."""
    return len(layout.columns) == len(layout.header)


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


def read_polars(source: Source, layout: Layout, roles: Sequence[str]) -> Grouped | None:
    """Distinct rows with their papers; None where polars cannot vouch.

    A file of the count's own columns is read a line at a time
    (:func:`_by_line`); one with others (ballot ids), or whose lines are not
    each a whole record, a column at a time, below.

    None when polars is missing or refuses the file (a row longer than the
    header included: every column is parsed), for an aggregated file (a count
    column is checked figure by figure elsewhere), and for an empty line in a
    file of one column (no paper, or an unmarked one: see :func:`_counted`).

    A column at a time, quotes are first read as text: where every quote wraps a whole value, as
    nearly every quoted file is written, polars then splits at every delimiter
    and line end, as fast as in an unquoted file, and the distinct values lose
    their quotes here. Any other quote, and polars reads the file again,
    honouring quotes.
    """
    if not polars_reads(layout) or layout.header_line.count('"') % 2:
        return None  # a header over several lines: records' line numbers are for the careful
    # 1 MiB blocks: measured faster than polars' default on 2 cores, and memory flat at about
    # 110 MB for 50M rows instead of 380 MB (benchmarks/engines.py); the user's value wins.
    os.environ.setdefault("POLARS_CSV_CHUNK_SIZE", str(1 << 20))
    try:
        import polars  # noqa: F401 - imported here, once, so that a broken install still counts
    except ImportError:  # pragma: no cover - a dependency
        return None
    if reads_by_line(layout) and (lines := _by_line(source, layout, roles)) is not None:
        return lines
    present = [role for role in ROLES if role in roles and role in layout.columns]
    odd = _odd(layout.delimiter)
    for quote in (None, '"') if _plain_header(source, layout) else ('"',):
        grouped = _grouped(source, layout, present, quote)
        if grouped is not None and quote is None:
            grouped = _unwrapped(grouped, len(present))  # None: a quote elsewhere, read again
        if grouped is not None:
            return _counted(grouped, present, odd, len(layout.header) > 1)
    return None  # refused with quotes honoured: the careful readers say why


def _by_line(source: Source, layout: Layout, roles: Sequence[str]) -> Grouped | None:
    """polars splits the file at line feeds and counts each distinct line; each is then
    judged whole, once, by the validating reader's rules (the csv module, strict: quotes,
    width, blank lines). None when a line is not a whole record (a quoted line feed, a lone
    CR, malformed quoting, a wrong width) or polars sees another header: then the file is
    read a column at a time, and judged as ever."""
    import polars as pl

    options: dict[str, Any] = {"separator": "\x00", "quote_char": None, "infer_schema": False}
    try:
        if pl.scan_csv(source.path, **options).collect_schema().names() != [layout.header_line]:
            return None
        frame = (
            pl.scan_csv(source.path, new_columns=["line"], empty_string_is_null=False, **options)
            .group_by("line")
            .len()
            .collect(engine="streaming")
        )
    except Exception:  # noqa: BLE001 - a NUL byte, say: the column reading decides
        return None
    indexes = [layout.columns.get(role) if role in roles else None for role in ROLES]
    counts: Counter[Row] = Counter()
    papers = lines = 0
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    for text, n in frame.rows():
        lines += n
        if text is None or "\r" in text:
            return None
        try:
            row = next(csv.reader([text], delimiter=layout.delimiter, strict=True), [])
            judged = judged_row(row, text, len(layout.header), indexes)
        except (csv.Error, ValueError):
            return None
        if judged is not None:
            counts[judged[0]] += n
            papers += n
    return Grouped(counts, papers, lines, True, True) if papers else None


def _plain_header(source: Source, layout: Layout) -> bool:
    """Whether polars, taking quotes as text, finds the header svcount found: its first line
    (to a line feed) has every quote wrapping a whole name."""
    import polars as pl

    try:
        found = pl.scan_csv(
            source.path, separator=layout.delimiter, quote_char=None, infer_schema=False
        ).collect_schema()
    except Exception:  # noqa: BLE001 - then quotes are honoured, and judged as ever
        return False
    names = [_unwrap(name) for name in found.names()]
    return tuple(name.strip() if name is not None else None for name in names) == layout.header


def _grouped(
    source: Source, layout: Layout, present: list[str], quote: str | None
) -> list[tuple[Any, ...]] | None:
    """polars' distinct (present roles) rows, their papers, and whether another column held an
    odd value; None where polars refuses the file."""
    import polars as pl

    names = [f"c{i}" for i in range(len(layout.header))]
    keys = [names[layout.columns[role]] for role in present]
    others = [n for n in names if n not in keys]  # parsed too, and looked at for odd values
    looked_at = [_odd_value(pl.col(n), layout.delimiter, quote) for n in others]
    odd = [pl.any_horizontal(looked_at).any().alias("odd")] if others else []
    try:
        frame = (
            pl.scan_csv(
                source.path,
                has_header=True,
                new_columns=names,
                separator=layout.delimiter,
                quote_char=quote,
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
    return frame.rows()


def _odd_value(column: Any, delimiter: str, quote: str | None) -> Any:
    """Whether a value of another column is odd: with quotes honoured, one holding a
    delimiter, a quote or a line break; with quotes as text, a quote not wrapping the whole
    value (or a carriage return), since no value can then hold a delimiter or a newline."""
    if quote is not None:
        return column.str.contains_any(list(_odd(delimiter)))
    quotes = column.str.count_matches('"', literal=True)
    wrapped = (quotes == 2) & column.str.starts_with('"') & column.str.ends_with('"')
    return ((quotes > 0) & ~wrapped) | column.str.contains("\r", literal=True)


def _unwrapped(grouped: list[tuple[Any, ...]], width: int) -> list[tuple[Any, ...]] | None:
    """Rows read with quotes as text, each whole-value pair of quotes taken off; None where a
    quote sits anywhere else, or another column held one (then quotes are honoured)."""
    rows = []
    for row in grouped:
        if len(row) > width + 1 and row[-1]:
            return None
        values = list(row[:width])
        for i, value in enumerate(values):
            if value is not None and '"' in value:
                values[i] = _unwrap(value)
                if values[i] is None:
                    return None
        rows.append((*values, *row[width:]))
    return rows


def _unwrap(field: str) -> str | None:
    """A field read with quotes as text, its wrapping quotes taken off; None for any other
    quote (doubled, inside, or on one side only)."""
    if '"' not in field:
        return field
    if len(field) < 2 or field[0] != '"' or field[-1] != '"' or '"' in field[1:-1]:
        return None
    return field[1:-1]


def _counted(
    grouped: list[tuple[Any, ...]], present: list[str], odd: tuple[str, ...], delimited: bool
) -> Grouped | None:
    """The grouped rows as svcount's keys (ROLES order, "" for a role absent); a last field
    after the papers says whether another column held an odd value.

    A row of empty fields is an unmarked paper, and a blank line none; polars reads both
    as empty fields. With more than one column (``delimited``) the byte scan tells them
    apart (a blank line has no delimiter); with one, only the line-by-line readers can.
    """
    counts: Counter[Row] = Counter()
    rows, clean = 0, True
    where = {role: i for i, role in enumerate(present)}
    for row in grouped:
        values, papers = row[: len(present)], row[len(present)]
        if not (delimited or any(values)) or any(v is None or "\r" in v for v in values):
            return None  # one column's empty line, or a lone CR: line by line
        clean = clean and not (len(row) > len(present) + 1 and row[-1])
        clean = clean and not any(mark in v for v in values for mark in odd)
        key = tuple(values[where[role]] if role in where else "" for role in ROLES)
        counts[key] += papers  # type: ignore[index]
        rows += papers
    # no row: perhaps lines polars cannot see
    return Grouped(counts, rows, rows, False, clean) if rows else None
