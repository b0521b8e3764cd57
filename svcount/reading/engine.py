"""The fast engine for large ballot files: polars counts, svcount judges.

Chosen by measurement (``benchmarks/engines.py``, ``benchmarks/matrix.py``).
A file of the count's own columns is read a line at a time: polars' streaming
``scan_csv`` splits it at line feeds and counts each distinct line (quoted or
not, alike), and each distinct line is judged whole, once, by the validating
reader's rules. A file with other columns (ballot ids) is grouped a column at
a time. Either way only distinct values are classified; the per-row work is
polars'.

It never judges a file itself. Every cell is text, an empty field is ``""``
never a null, and whatever polars refuses or cannot vouch for goes to the
chunked pandas path and then the validating reader, which give the one-line
error with the file's own line number. Read a column at a time, the byte scan
beside it (:class:`svcount.reading.fastpath.Scan`) decides whether every row
had the header's width, since polars fills a short row with empty fields.
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from svcount.reading.header import ROLES, Layout, Row
from svcount.reading.rows import judged_row
from svcount.reading.source import Source, open_binary

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
    byte-order mark), or a byte a character (Windows-1252, Latin-1: :func:`_transcoded`);
    and one paper a row (a count column is checked figure by figure)."""
    return (_utf8(layout) or _single_byte(layout.encoding)) and "count" not in layout.columns


def _utf8(layout: Layout) -> bool:
    import codecs

    try:
        return codecs.lookup(layout.encoding).name in ("utf-8", "utf-8-sig", "ascii")
    except LookupError:
        return False


def _single_byte(encoding: str) -> bool:
    """Whether every byte is one character and ASCII is itself (Windows-1252, Latin-1,
    ISO 8859-15 and kin: Python's charmap codecs)."""
    import codecs
    import importlib

    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    if name == "iso8859-1":
        return True
    try:
        table = getattr(
            importlib.import_module(f"encodings.{name.replace('-', '_')}"), "decoding_table", None
        )
    except ImportError:
        return False
    return isinstance(table, str) and len(table) == 256 and table[:128].isascii()


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

    A column at a time, quotes are first read as text: where every quote
    wraps a whole value, as nearly every quoted file is written, polars then
    splits at every delimiter and line end, and the distinct values lose their
    quotes here. Any other quote, and polars reads the file again, honouring
    quotes.
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
    if not _utf8(layout):
        return None  # polars reads columns of UTF-8 only: pandas, then the careful reader
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
    found = _lines(source, layout) if _utf8(layout) else _transcoded(source, layout)
    if found is None:
        return None
    header, distinct = found
    if header != layout.header_line:
        return None
    indexes = [layout.columns.get(role) if role in roles else None for role in ROLES]
    counts: Counter[Row] = Counter()
    papers = lines = 0
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    for text, n in distinct:
        lines += n
        if "\r" in text:
            return None  # a lone CR: the csv module would end a record there
        try:
            row = next(csv.reader([text], delimiter=layout.delimiter, strict=True), [])
            judged = judged_row(row, text, len(layout.header), indexes)
        except (csv.Error, ValueError):
            return None
        if judged is not None:
            counts[judged[0]] += n
            papers += n
    return Grouped(counts, papers, lines, True, True) if papers else None


#: How polars reads a file a line at a time: no byte of a text file is NUL, no quote is special.
_AS_LINES: dict[str, Any] = {"separator": "\x00", "quote_char": None, "infer_schema": False}


def _lines(source: Source, layout: Layout) -> tuple[str, list[tuple[Any, int]]] | None:
    """The header line and each distinct line after it with how often it occurs; None when
    polars refuses (a NUL byte, say)."""
    import polars as pl

    try:
        header = pl.scan_csv(source.path, **_AS_LINES).collect_schema().names()
        frame = (
            pl.scan_csv(source.path, new_columns=["line"], empty_string_is_null=False, **_AS_LINES)
            .group_by("line")
            .len()
            .collect(engine="streaming")
        )
    except Exception:  # noqa: BLE001 - the column reading decides
        return None
    return (header[0] if len(header) == 1 else "\x00"), frame.rows()


#: Bytes of a single-byte file re-encoded at a time: 8 MiB kept 10M rows at a 199 MB peak
#: (16 MiB: 270 MB) in the same time.
BLOCK_BYTES = 8 << 20


def _transcoded(source: Source, layout: Layout) -> tuple[str, list[tuple[Any, int]]] | None:
    """:func:`_lines` for a file of a byte a character: read in blocks cut at line feeds, each
    decoded as Latin-1 and encoded as UTF-8 for polars (one character a byte both ways, so
    nothing is lost), the counts added; each line then decoded in the file's own encoding.
    None when polars refuses, or a byte has no character in that encoding (then the
    validating reader names its line)."""
    import polars as pl

    counts: Counter[str] = Counter()
    header: str | None = None
    try:
        with open_binary(source, layout.compressed) as binary:
            for text in _recoded(_blocks(binary)):
                frame = pl.read_csv(
                    io.BytesIO(text),
                    has_header=header is None,
                    empty_string_is_null=False,
                    raise_if_empty=False,
                    **_AS_LINES,
                )
                header = frame.columns[0] if header is None else header
                counts.update(dict(frame.group_by(frame.columns[0]).len().rows()))
        if header is None:
            return None
        distinct = [
            (line.encode("latin-1").decode(layout.encoding), n) for line, n in counts.items()
        ]
        return header.encode("latin-1").decode(layout.encoding), distinct
    except Exception:  # noqa: BLE001 - the careful readers say what is wrong
        return None


def _recoded(blocks: Iterator[bytes]) -> Iterator[bytes]:
    """Each block as UTF-8, the next one re-encoded on another thread while polars (the GIL
    released) counts this one."""
    from concurrent.futures import ThreadPoolExecutor

    def recode() -> bytes | None:
        block = next(blocks, None)
        return None if block is None else block.decode("latin-1").encode()

    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(recode)
        while (text := pending.result()) is not None:
            pending = pool.submit(recode)
            yield text


def _blocks(binary: Any) -> Iterator[bytes]:
    """The stream in blocks of whole lines (the last may lack its line feed)."""
    carry = b""
    while block := binary.read(BLOCK_BYTES):
        text = carry + block
        cut = text.rfind(b"\n") + 1
        text, carry = text[:cut], text[cut:]
        if text:
            yield text
    if carry:
        yield carry


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
