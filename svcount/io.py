"""Ballot files in, distinct marks with counts out: the ballot reader.

A ballot file is a CSV (optionally gzip-compressed) with one row per paper (or
an aggregated file with a count column) and a column for the first
preference, optionally the second preference, an adjudication column naming a
rejection heading, and a voting area. Reading aggregates rows into distinct
(first, second, rejected, area) values with counts while it goes, so memory
does not grow with the number of rows. Two engines give the same counts: the
validating reader (:mod:`svcount.reading.rows`, the csv module) for small
files, and the fast path (:mod:`svcount.reading.fastpath`) for large ones.

Every problem becomes an :class:`~svcount.errors.InputError` naming the file
and, where it applies, the line.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io as io_module
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, Literal

from svcount.count import first_preferences
from svcount.errors import InputError, MarkError, UsageError, did_you_mean, whole_number
from svcount.marks import (
    Classified,
    classify_by_area,
    fold,
    shown,
)
from svcount.model import Candidate, Method
from svcount.names import look_alikes
from svcount.options import ReadOptions
from svcount.reading import fastpath
from svcount.reading.engine import polars_reads, read_polars, reads_by_line
from svcount.reading.formats import recognised
from svcount.reading.header import (
    COLUMN_NAMES,
    ROLES,
    Layout,
    Row,
    header_key,
    show_header,
    sniff,
)
from svcount.reading.papers import Loaded, RawMarks, load_records, record_marks
from svcount.reading.rows import (
    BlankRows,
    describe,
    first_line,
    locate,
    located,
    numbers_the_rows,
    records,
    spaced_lines,
    validated_rows,
)
from svcount.reading.source import (
    ASCII_COMPATIBLE,
    Source,
    is_stream,
    open_binary,
    open_source,
    past_preamble,
    reading,
    sha256_of,
)
from svcount.reading.unused import check_unused

__all__ = [
    "Engine",
    "Loaded",
    "RawMarks",
    "Reopened",
    "distinct_marks",
    "load",
    "papers_by_column",
    "read_marks",
    "reopened",
]

Engine = Literal["auto", "polars", "pandas", "python"]
#: Below this many bytes of CSV the csv module beats importing an engine.
PYTHON_ENGINE_MAX_BYTES = 1 << 20


def _engine(source: Source, layout: Layout, engine: Engine) -> str:
    """The reader for this file: the csv module for small or non-ASCII-compatible files,
    polars for large UTF-8 ones, chunked pandas for the rest (``benchmarks/engines.py``)."""
    if not ASCII_COMPATIBLE.match(layout.encoding.lower()):
        return "python"  # e.g. UTF-16: the byte counts that check pandas would not be exact
    if engine != "auto":
        return engine
    size = source.path.stat().st_size
    if layout.compressed:  # the gzip trailer's ISIZE (mod 4 GiB): a bomb is large, not small
        with open(source.path, "rb") as f:
            f.seek(-4, os.SEEK_END)
            size = max(size * 5, int.from_bytes(f.read(4), "little"))
    if size <= PYTHON_ENGINE_MAX_BYTES:
        return "python"
    return "polars" if polars_reads(layout) else "pandas"


def read_marks(
    source: Source,
    layout: Layout,
    roles: Sequence[str] = ROLES,
    *,
    engine: Engine = "auto",
    chunk_rows: int = 1_000_000,
    progress: Callable[[int, int], None] | None = None,
) -> RawMarks:
    """Aggregate the file's rows into distinct raw rows with their number of papers.

    Keys are in ROLES order; a role not in ``roles``, or not in the file, reads as "".
    ``progress`` is told (bytes read, file size) as a large file is read.
    """
    chosen = _engine(source, layout, engine)
    counting = chosen in ("polars", "pandas")
    halves = None
    if chosen == "pandas" and not layout.compressed:
        halves = fastpath.split_in_halves(source)
    scan = fastpath.Scan(
        source,
        layout.compressed,
        layout.delimiter.encode() if counting else None,
        progress,
        split=None if halves is None else halves[1],
        light=chosen == "polars",
        count=not (chosen == "polars" and reads_by_line(layout)),  # each line judged instead
    )
    with reading(source, layout):
        counted = _fast_counts(source, layout, roles, chosen, chunk_rows, halves, scan)
        if counted is not None:
            counts, rows, lines, chosen, vouched = counted
            ends = vouched.tail.endswith(b"\n")
            # polars' rows are the lines after the header: no line feed counted
            newlines = lines + ends if vouched.light else vouched.newlines
            lines_in_order = rows == newlines - ends
            try:
                blank_tail = fastpath.blank_tail(vouched.tail, newlines, layout)
            except fastpath.UnsureTail:
                counted = None
        if counted is None:  # the validating reader: exact line numbers for any malformed row
            counts, rows, blank_tail = _validated_counts(source, layout, roles)
            chosen, lines_in_order = "python", False
        sha256 = scan.result().sha256
    if rows == 0:
        raise InputError("the file has a header but no ballot papers", file=source.name)
    return RawMarks(counts, rows, layout, chosen, sha256, blank_tail, lines_in_order)


def _fast_counts(
    source: Source,
    layout: Layout,
    roles: Sequence[str],
    chosen: str,
    chunk_rows: int,
    halves: tuple[int, int, int] | None,
    scan: fastpath.Scan,
) -> tuple[Counter[Row], int, int, str, fastpath.Scan] | None:
    """Counts, papers and lines after the header from polars, else chunked pandas, with the
    byte scan that vouches for every row's width; None for the validating reader."""
    if chosen == "polars":
        grouped = read_polars(source, layout, roles)
        if grouped is not None:
            scanned = scan.result()
            papers = grouped.papers
            widths = grouped.judged or (
                grouped.clean and fastpath.rows_complete(scanned, layout, papers)
            )
            if not widths:  # quotes the light scan cannot vouch for: follow them, then judge
                scanned = fastpath.Scan(source, layout.compressed, layout.delimiter.encode())
                if not fastpath.rows_complete(scanned.result(), layout, papers):
                    return None
            return grouped.counts, papers, grouped.lines, "polars", scanned
        scan = fastpath.Scan(source, layout.compressed, layout.delimiter.encode())  # for pandas
    if chosen not in ("polars", "pandas"):
        return None
    counted = fastpath.read_pandas(source, layout, chunk_rows, roles, halves)
    if counted is None or scan.result().split_inside:  # pandas' halves cut inside a record
        return None
    complete = fastpath.rows_complete(scan, layout, counted[1])
    return (*counted, counted[1], "pandas", scan) if complete else None


def _validated_counts(
    source: Source, layout: Layout, roles: Sequence[str]
) -> tuple[Counter[Row], int, BlankRows | None]:
    """Distinct rows, papers and any blank rows at the end, by the validating reader."""
    counts, rows = Counter[Row](), 0
    blank = BlankRows(0, 0, 0)
    for line, key, empty, papers in validated_rows(source, layout, roles):
        counts[key] += papers
        rows += 1
        blank = (
            BlankRows(blank.rows + 1, blank.first_line or line, line)
            if empty
            else BlankRows(0, 0, 0)
        )
    return counts, rows, (blank if blank.rows else None)


def _method(source: Source, layout: Layout, method: Method | None) -> Method:
    """The method given, else SV when the file has a second-preference column."""
    has_second = "second" in layout.columns
    if method is None:
        return Method.SV if has_second else Method.FPTP
    if method is Method.SV and not has_second:
        raise InputError(
            f"--method sv needs a second-preference column, and the header has none "
            f"({show_header(layout.header)}): name it second or give --second-column",
            file=source.name,
            line=1,
        )
    return method


def input_format(name: str) -> str:
    """The input format of a ballot file: ``csv``, or a key of reading/formats.READERS
    (told by content; a pipe or stdin is a CSV)."""
    return "csv" if name == "-" or is_stream(name) else recognised(name) or "csv"


def load(
    name: str,
    *,
    method: Method | None = None,
    candidates: Sequence[Candidate] | None = None,
    options: ReadOptions | None = None,
    stdin: IO[bytes] | None = None,
    engine: Engine = "auto",
    chunk_rows: int = 1_000_000,
    progress: Callable[[int, int], None] | None = None,
    case_forgiven: bool = False,
) -> Loaded:
    """Read, aggregate and classify a ballot file (``-`` for stdin), of any input format.

    Lines before the header (``--skip-rows``, an Excel ``sep=`` line) are left
    out; every line number said is still the file's own. A file of another
    input format (reading/formats.py) gives its records' marks as they are.
    """
    options = options or ReadOptions()
    kind = input_format(name)
    if kind != "csv":
        return load_records(name, kind, method, candidates, options, case_forgiven)
    if options.contest is not None:
        raise UsageError("--contest chooses a contest of a cast vote record report (NIST JSON)")
    with from_header(name, options, stdin) as (source, options, given):
        how = (engine, chunk_rows, progress, case_forgiven)
        loaded = _load(source, method, candidates, options, *how)
        if not source.skipped:
            return loaded
        warnings = tuple(_shifted(w, source.skipped) for w in loaded.warnings)
        return dataclasses.replace(
            loaded, sha256=sha256_of(given.path), warnings=warnings, skipped=source.skipped
        )


def distinct_marks(name: str, options: ReadOptions) -> RawMarks:
    """A ballot file of any input format aggregated into its distinct raw rows, unclassified."""
    kind = input_format(name)
    if kind != "csv":
        return record_marks(name, kind, options)
    with from_header(name, options) as (source, options, _):
        return read_marks(source, sniff(source, options))


@dataclass(frozen=True)
class Reopened:
    """A counted ballot file read again, record by record: for the audit trail and readings."""

    loaded: Loaded
    source: Source | None  # a CSV from its header on; None for a structured format

    @property
    def locator(self) -> tuple[str, ...]:
        """What names a record: a CSV's line, or a structured record's number and id."""
        return ("line",) if self.loaded.papers is None else ("record", "id")

    def records(self) -> Iterator[tuple[tuple[int | str, ...], Row, int]]:
        """Each record in file order: its locator, raw row and papers (validated again)."""
        if self.loaded.papers is not None:
            for r in self.loaded.papers.records():
                yield (r.number, r.id), (r.first, r.second, r.rejected, r.area), r.papers
            return
        assert self.source is not None and self.loaded.layout is not None
        for line, row, papers in records(self.source, self.loaded.layout):
            yield (line + self.loaded.skipped,), row, papers

    def chunks(self, chunk_rows: int) -> Iterator[list[Any]] | None:
        """The columns of each chunk of rows, by pandas, when record i is on line i + 2 (after
        any skipped lines) and each row is one paper; else None."""
        loaded = self.loaded
        if self.source is None or loaded.layout is None or loaded.aggregated:
            return None
        if not loaded.lines_in_order:  # quoted newlines or blank lines: count line by line
            return None
        return fastpath.pandas_chunks(self.source, loaded.layout, ROLES, chunk_rows)

    def cells(self, columns: Sequence[int]) -> Iterator[tuple[int, list[str]]]:
        """Each CSV record's first line and its cells in ``columns`` (a short row gives [])."""
        layout = self.loaded.layout
        if self.source is None or layout is None:
            raise InputError("expected a CSV file here", file=self.loaded.file)
        yield from _cells(self.source, layout, columns, self.loaded.skipped)


def _cells(
    source: Source, layout: Layout, columns: Sequence[int], skipped: int = 0
) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record's first line (the file's own) and its cells in ``columns`` (a short row
    gives [])."""
    with open_binary(source, layout.compressed) as binary:
        text = io_module.TextIOWrapper(binary, encoding=layout.encoding, newline="")
        rows = csv.reader(text, delimiter=layout.delimiter)
        next(rows, None)
        start = rows.line_num + 1
        for row in rows:
            line, start = start + skipped, rows.line_num + 1
            yield line, ([row[c] for c in columns] if len(row) > max(columns) else [])


@contextlib.contextmanager
def reopened(loaded: Loaded) -> Iterator[Reopened]:
    """The ballot file of ``loaded`` opened again, past any lines before its header."""
    if loaded.papers is not None:
        yield Reopened(loaded, None)
        return
    if loaded.file == "-" or is_stream(loaded.file):
        raise UsageError("standard input or a pipe cannot be read a second time: give a file")
    with (
        open_source(loaded.file) as given,
        past_preamble(given, loaded.skipped) as source,
        reading(source, loaded.layout),
    ):
        yield Reopened(loaded, source)


@contextlib.contextmanager
def from_header(
    name: str, options: ReadOptions, stdin: IO[bytes] | None = None
) -> Iterator[tuple[Source, ReadOptions, Source]]:
    """The ballot file from its header on, the options to read it with, and the file as given.

    Lines before the header (``--skip-rows``, an Excel ``sep=`` line, which
    also names the delimiter) are left out; an error about the file raised
    inside has its line numbers counted from the top of the file again.
    """
    with open_source(name, stdin) as given, past_preamble(given, options.skip_rows) as source:
        if source.sep is not None and options.delimiter is None:
            options = dataclasses.replace(options, delimiter=source.sep)
        try:
            yield source, options, given
        except InputError as exc:
            if source.skipped and exc.file == source.name:
                exc.line = None if exc.line is None else exc.line + source.skipped
                exc.message = _shifted(exc.message, source.skipped)
            raise


def papers_by_column(name: str, column: str, options: ReadOptions) -> dict[str, int]:
    """The papers of a CSV ballot file in each value of ``column`` (its box, at verification):
    rows, or the count column's papers in an aggregated file."""
    if input_format(name) != "csv":
        raise UsageError(f"{name}: a box column is a CSV ballot file's; this file is not one")
    with from_header(name, options) as (source, options, _):
        layout = sniff(source, options)
        keys = [header_key(h) for h in layout.header]
        at = [i for i, k in enumerate(keys) if k == header_key(column)]
        if len(at) != 1:
            raise InputError(
                f"the box column {column!r} is not in the header ({show_header(layout.header)})",
                file=source.name,
                line=1,
            )
        papers = layout.columns.get("count")
        wanted = (at[0], at[0] if papers is None else papers)
        counts: Counter[str] = Counter()
        with reading(source, layout):
            for line, cells in _cells(source, layout, wanted):  # lines shifted by from_header
                if not cells:
                    raise InputError("this row has no box", file=source.name, line=line)
                box = " ".join(cells[0].split())
                counts[box] += 1 if papers is None else _papers_cell(cells[1], source.name, line)
    return dict(counts)


def _papers_cell(text: str, file: str, line: int) -> int:
    try:
        return whole_number(text, "the count column", text=True)
    except ValueError as exc:
        raise InputError(str(exc), file=file, line=line) from None


#: A line number said in a message: "line 7", "lines 1,204".
_LINE_NUMBER = re.compile(r"\b(lines? )(\d[\d,]*)")


def _shifted(text: str, skipped: int) -> str:
    """A warning's line numbers counted from the top of the file, as the user sees it."""
    return _LINE_NUMBER.sub(
        lambda m: m.group(1) + f"{int(m.group(2).replace(',', '')) + skipped:,}", text
    )


def _load(
    source: Source,
    method: Method | None,
    candidates: Sequence[Candidate] | None,
    options: ReadOptions,
    engine: Engine,
    chunk_rows: int,
    progress: Callable[[int, int], None] | None,
    case_forgiven: bool = False,
) -> Loaded:
    """:func:`load` of a source whose first line is its header."""
    layout = sniff(source, options)
    given_method = method
    check_unused(source, layout, given_method)
    method = _method(source, layout, method)
    roles = [r for r in ROLES if not (r == "second" and method is Method.FPTP)]
    marks = read_marks(
        source, layout, roles, engine=engine, chunk_rows=chunk_rows, progress=progress
    )
    try:
        classified, by_area = classify_by_area(
            marks.counts,
            "area" in layout.columns,
            candidates,
            dataclasses.replace(
                options.mark_rules(), fptp=method is Method.FPTP, case_forgiven=case_forgiven
            ),
        )
    except MarkError as exc:
        raise located(source, layout, exc.problems) from None
    warnings: tuple[str, ...] = ()
    if classified.warnings:
        lines = locate(source, layout, classified.warnings)
        warnings = tuple(describe(w, first_line(w, lines)) for w in classified.warnings)
    if marks.blank_tail is not None:
        warnings += (f"{source.name}: {marks.blank_tail.warning()}",)
    if len(layout.header) == 1:
        warnings += _spaced_warning(source, layout)
    warnings += _inferences(source, layout, given_method, options, marks.rows, classified)
    if candidates is None:  # inferred: a typo would be a candidate of its own
        firsts = first_preferences(classified.ballots).votes
        warnings += look_alike_warnings(source.name, firsts)
    return Loaded(
        ballots=classified.ballots,
        method=method,
        file=source.name,
        sha256=marks.sha256,
        rows=marks.rows,
        layout=layout,
        warnings=warnings,
        notes=classified.notes + _reading_notes(layout, method),
        areas=by_area,
        outcomes=classified.outcomes,
        lines_in_order=marks.lines_in_order,
    )


def _inferences(
    source: Source,
    layout: Layout,
    given: Method | None,
    options: ReadOptions,
    rows: int,
    classified: Classified,
) -> tuple[str, ...]:
    """Every guess that changes the count, said without --verbose (--quiet silences it)."""
    said: tuple[str, ...] = ()
    file = source.name
    if given is None and "second" not in layout.columns:
        unused = [
            h for i, h in enumerate(layout.header) if i not in layout.columns.values() and h.strip()
        ]
        known = sorted({s for spellings in COLUMN_NAMES.values() for s in spellings})
        hints = [f"column {shown(h)} not used{did_you_mean(fold(h), known)}" for h in unused]
        said += (
            f"{file}: {'; '.join([*hints, ''])}counted first past the post: "
            "no second-preference column (give --method fptp to say so)",
        )
    if "count" in layout.columns and options.count_column is None:
        column = shown(layout.column_name("count") or "")
        if numbers_the_rows(source, layout, rows):
            raise InputError(
                f"the column {column} numbers the rows (1, 2, 3, …), so it is not a count of "
                f"papers: rename it, or give --count-column {layout.column_name('count')} if "
                "each row truly stands for that many papers",
                file=source.name,
            )
        papers = classified.ballots.ballot_papers
        said += (
            f"{file}: aggregated file: {rows:,} rows stand for {papers:,} papers "
            f"(column {column}; give --count-column to say so)",
        )
    return said


#: At most this many look-alike warnings, then how many more.
MAX_LOOK_ALIKES = 10


def look_alike_warnings(file: str, votes: Mapping[str, int]) -> tuple[str, ...]:
    """Inferred candidates that look like a typo of another: a few warnings, then a count."""
    said = [
        f"{file}: {shown(small)} ({votes[small]:,} first preference"
        f"{'s' if votes[small] != 1 else ''}) looks like {shown(big)} ({votes[big]:,}): counted "
        "as another candidate. A typo? Give --candidates to list the candidates"
        for small, big in look_alikes(votes)
    ]
    if len(said) > MAX_LOOK_ALIKES:  # a few say it; a thousand would bury it
        more = len(said) - MAX_LOOK_ALIKES
        said = [*said[:MAX_LOOK_ALIKES], f"{file}: and {more:,} more names that look like others"]
    return tuple(said)


def _spaced_warning(source: Source, layout: Layout) -> tuple[str, ...]:
    """Lines of only spaces in a one-column file: not papers, and said so with their line."""
    found, first = spaced_lines(source, layout)
    if not found:
        return ()
    said = (
        f"line {first} holds only spaces: not counted as a ballot paper"
        if found == 1
        else f"{found:,} lines hold only spaces (the first is line {first}): not counted as "
        "ballot papers"
    )
    return (f'{source.name}: {said} (write " " in quotes for an unmarked paper, or delete it)',)


def _reading_notes(layout: Layout, method: Method) -> tuple[str, ...]:
    """What ``--verbose`` says about columns the count did not use."""
    notes: tuple[str, ...] = ()
    if method is Method.FPTP and "second" in layout.columns:
        notes += (f"first past the post: column {layout.column_name('second')!r} ignored",)
    extra = [h for i, h in enumerate(layout.header) if i not in layout.columns.values()]
    if extra:
        notes += (f"columns not used: {', '.join(repr(h) for h in extra)}",)
    return notes
