"""Ballot files in, distinct marks with counts out.

A ballot file is a CSV (optionally gzip-compressed) with one row per paper and
a column for the first preference, optionally the second preference and an
adjudication column naming a rejection heading. Reading aggregates rows into
distinct (first, second, rejected) values with counts while it goes, so
memory does not grow with the number of rows. Two engines give the same
counts: the ``csv`` module for small files (no pandas import: fast start-up)
and chunked pandas with categorical codes for large ones.

Every problem becomes an :class:`~svcount.errors.InputError` naming the file
and, where it applies, the line.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import hashlib
import io
import os
import re
import sys
import tempfile
import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from svcount.errors import InputError, MarkError, MarkProblem
from svcount.documents.files import check_readable
from svcount.marks import (
    Classified,
    MarkRules,
    Outcome,
    RawKey,
    classify,
    fold,
    normalise_name,
    shown,
)
from svcount.model import Ballots, Candidate, Method

__all__ = [
    "Loaded",
    "classify_marks",
    "describe",
    "find_columns",
    "ReadOptions",
    "Source",
    "load",
    "open_source",
    "read_marks",
]

Engine = Literal["auto", "pandas", "python"]
ROLES = ("first", "second", "rejected", "area")
#: One row's fields in ROLES order; "" for a role not read.
Row = tuple[str, str, str, str]

#: Header spellings recognised for each role, compared with case and punctuation removed.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "first": (
        "first",
        "firstpreference",
        "firstpref",
        "firstchoice",
        "1st",
        "1stpreference",
        "1stpref",
        "1stchoice",
        "preference1",
        "pref1",
        "choice1",
        "vote",
        "choice",
        "candidate",
    ),
    "second": (
        "second",
        "secondpreference",
        "secondpref",
        "secondchoice",
        "2nd",
        "2ndpreference",
        "2ndpref",
        "2ndchoice",
        "preference2",
        "pref2",
        "choice2",
    ),
    "rejected": ("rejected", "rejection", "rejectionreason", "rejectedreason", "adjudication"),
    "area": ("area", "votingarea", "countingarea"),
    "count": ("papers", "count", "votes", "n", "weight", "ballots"),
}
#: The largest number of papers one row of an aggregated file may stand for.
MAX_ROW_PAPERS = 100_000_000
DELIMITERS = (",", ";", "\t")
SNIFF_BYTES = 1 << 16
#: Below this many bytes of CSV the csv module beats importing pandas.
PYTHON_ENGINE_MAX_BYTES = 8 << 20
GZIP_MAGIC = b"\x1f\x8b"
TAIL_BYTES = 1 << 16
_ASCII_COMPATIBLE = re.compile(
    r"^(utf[-_]?8(-sig)?|ascii|us-ascii|latin[-_]?1|iso8859[-_]\d+|cp125\d)$"
)


@dataclass(frozen=True)
class ReadOptions:
    """How to read a ballot file; every field can be given on the command line."""

    first_column: str | None = None
    second_column: str | None = None
    rejected_column: str | None = None
    area_column: str | None = None
    count_column: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    engine: Engine = "auto"
    chunk_rows: int = 1_000_000
    #: Told (bytes read, file size) as the file is read; for a progress bar.
    progress: Callable[[int, int], None] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Source:
    """A ballot file ready to read: a real path (stdin is first copied to one)."""

    name: str  # as the user gave it; "-" for stdin
    path: Path


class QuoteState:
    """Where a scan is, across blocks, in a quoted CSV: enough to count fields exactly.

    Counts delimiters outside quotes, and checks that every quote sits at a
    field boundary: an opening quote follows a delimiter, a line break, the
    start of the file or a closing quote (``""`` inside a field); a closing
    quote is followed by a delimiter, a line break, the end or an opening
    quote. A file where that fails is left to the validating reader.
    """

    def __init__(self, delimiter: int) -> None:
        self.delimiter = delimiter
        self.inside = False  # within a quoted field at the end of the last block
        self.previous = 10  # the last byte seen: the start of the file is a line start
        self.check_next = False  # the last block ended on a closing quote
        self.outside = 0  # delimiters outside quotes
        self.well_formed = True

    def feed_plain(self, text: bytes) -> bool:
        """Take a block with no quote outside a quoted field cheaply; False if it has quotes."""
        if self.inside or not text or text.find(b'"') >= 0:
            return False
        if self.check_next and text[0] not in (self.delimiter, 10, 13, 34):
            self.well_formed = False
        self.check_next = False
        import numpy as np

        # NumPy's comparison releases the GIL: the parser threads keep running.
        self.outside += int(np.count_nonzero(np.frombuffer(text, np.uint8) == self.delimiter))
        self.previous = text[-1]
        return True

    def feed(self, data: Any) -> None:
        """A block that holds quotes: O(block) NumPy passes, the GIL released throughout."""
        import numpy as np

        if not len(data):
            return
        if self.check_next and not self._boundary(data[:1]).all():
            self.well_formed = False
        self.check_next = False
        delimiters = np.flatnonzero(data == self.delimiter)
        quotes = np.flatnonzero(data == 34)
        if not len(quotes):
            self.outside += 0 if self.inside else len(delimiters)
            self.previous = int(data[-1])
            return
        # A delimiter is inside a quoted field when an odd number of quotes precede it.
        inside = (np.searchsorted(quotes, delimiters) % 2 == 1) ^ self.inside
        self.outside += int(len(delimiters) - np.count_nonzero(inside))
        # Quotes alternate: opening, closing, ... (a block may start inside a field).
        opening, closing = (
            (quotes[1::2], quotes[0::2]) if self.inside else (quotes[0::2], quotes[1::2])
        )
        prior = np.where(opening > 0, data[np.maximum(opening - 1, 0)], self.previous)
        last = len(data) - 1
        following = data[np.minimum(closing + 1, last)][closing < last]
        if not (self._boundary(prior).all() and self._boundary(following).all()):
            self.well_formed = False
        self.check_next = bool(len(closing) and closing[-1] == last)
        self.inside ^= len(quotes) % 2 == 1
        self.previous = int(data[-1])

    def _boundary(self, values: Any) -> Any:
        """Bytes a quote may touch: a delimiter, a line break, or another quote."""
        return (values == self.delimiter) | (values == 10) | (values == 13) | (values == 34)


class Scan(threading.Thread):
    """One pass over the file's bytes beside the parser: SHA-256 and byte counts.

    Runs on the other core: hashlib, zlib and NumPy's comparisons release the
    GIL, so the parser barely notices. The counts (delimiters outside quotes
    in the decompressed text, and whether quotes sit where a CSV allows) let
    ``_read_pandas`` detect short rows, quoted files included.
    """

    def __init__(
        self,
        source: Source,
        compressed: bool,
        delimiter: bytes | None,
        progress: Callable[[int, int], None] | None = None,
        split: int | None = None,
    ) -> None:
        """Hash the file; count ``delimiter`` and quote bytes unless it is None.

        ``split`` is an offset where the file was cut in two for parsing:
        ``split_inside`` says whether it falls inside a quoted field.
        """
        super().__init__(daemon=True)
        self.source, self.compressed, self.delimiter = source, compressed, delimiter
        self.progress = progress
        self.split = split
        self.split_inside = False
        self.sha256 = ""
        self.delimiters = 0  # outside quotes
        self.newlines = 0
        self.quotes_well_formed = True
        self.tail = b""  # the last bytes of the decompressed text, to find blank rows at the end
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self._scan()
        except BaseException as exc:  # re-raised in the reading thread by result()
            self.error = exc

    def _scan(self) -> None:
        digest = hashlib.sha256()
        with open(self.source.path, "rb") as f:
            if self.delimiter is None:
                self.sha256 = hashlib.file_digest(f, "sha256").hexdigest()
                return
            import numpy as np

            inflate = zlib.decompressobj(wbits=47) if self.compressed else None
            state = QuoteState(self.delimiter[0])
            size, done = os.fstat(f.fileno()).st_size, 0
            while block := f.read(4 << 20):
                digest.update(block)
                if self.split is not None and done <= self.split < done + len(block):
                    quotes = block.count(b'"', 0, self.split - done)
                    self.split_inside = state.inside ^ (quotes % 2 == 1)
                done += len(block)
                if self.progress is not None:
                    self.progress(done, size)
                text = inflate.decompress(block) if inflate else block
                while inflate and inflate.unused_data:  # concatenated gzip members
                    rest = inflate.unused_data
                    inflate = zlib.decompressobj(wbits=47)
                    text += inflate.decompress(rest)
                if not state.feed_plain(text):
                    state.feed(np.frombuffer(text, dtype=np.uint8))
                self.newlines += int(np.count_nonzero(np.frombuffer(text, np.uint8) == 10))
                self.tail = (self.tail + text)[-TAIL_BYTES:]
            self.delimiters = state.outside
            self.quotes_well_formed = state.well_formed and not state.inside
        self.sha256 = digest.hexdigest()

    def result(self) -> Scan:
        self.join()
        if self.error is not None:
            raise self.error
        return self


@dataclass(frozen=True)
class Layout:
    """What the header says: delimiter, encoding and where each role's column is."""

    encoding: str
    delimiter: str
    compressed: bool
    header: tuple[str, ...]
    columns: Mapping[str, int]  # role -> column index, only roles present
    header_line: str

    def column_name(self, role: str) -> str | None:
        index = self.columns.get(role)
        return None if index is None else self.header[index]


@dataclass(frozen=True)
class RawMarks:
    counts: Mapping[Row, int]
    rows: int
    layout: Layout
    engine: str  # "pandas" or "python": which reader produced the counts
    sha256: str  # of the file's bytes as given (compressed if it is)
    blank_tail: BlankRows | None = None  # fully blank rows at the end of the file
    lines_in_order: bool = False  # record i is on line i + 2 (known from the pandas scan)


@dataclass(frozen=True)
class BlankRows:
    """Rows with every field empty (``,,``) at the end of a file, as spreadsheets leave."""

    rows: int
    first_line: int
    last_line: int

    def warning(self) -> str:
        lines = (
            f"line {self.first_line}"
            if self.rows == 1
            else f"lines {self.first_line}-{self.last_line}"
        )
        return (
            f"{self.rows:,} row{'s' if self.rows != 1 else ''} at the end of the file "
            f"({lines}) {'have' if self.rows != 1 else 'has'} every field empty: counted as "
            "unmarked ballot papers (delete them if they are not papers)"
        )


@dataclass(frozen=True)
class Loaded:
    """A ballot file read, classified and ready to count."""

    ballots: Ballots
    method: Method
    file: str
    sha256: str
    rows: int
    layout: Layout
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    areas: Mapping[str, Ballots] | None = None  # per voting area, when the file has an area column
    outcomes: Mapping[RawKey, Outcome] = field(default_factory=dict)  # what each mark became
    lines_in_order: bool = False  # record i is on line i + 2: no blank lines, no quoted newlines


# --------------------------------------------------------------------------- sources


@contextlib.contextmanager
def open_source(name: str, stdin: IO[bytes] | None = None) -> Iterator[Source]:
    """Yield a readable :class:`Source`; ``-`` copies stdin to a temporary file.

    The copy lets errors name lines (a second, targeted pass reads the file
    again) while memory stays flat.
    """
    if name != "-":
        check_readable(Path(name), name)
        yield Source(name=name, path=Path(name))
        return
    stream = stdin if stdin is not None else sys.stdin.buffer
    with tempfile.NamedTemporaryFile(prefix="svcount-stdin-", suffix=".csv") as spool:
        while block := stream.read(1 << 20):
            spool.write(block)
        spool.flush()
        yield Source(name="-", path=Path(spool.name))


def _open_binary(source: Source, compressed: bool) -> IO[bytes]:
    """The file's bytes, decompressed; closing the stream closes the file."""
    if compressed:
        return gzip.open(source.path, "rb")  # type: ignore[return-value]
    return open(source.path, "rb")  # noqa: SIM115 - closed by the caller


@contextlib.contextmanager
def _reading(source: Source, layout: Layout | None = None) -> Iterator[None]:
    """Turn the low-level failures of reading into located, one-line errors."""
    try:
        yield
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        detail = "it ends early (truncated)" if isinstance(exc, EOFError) else str(exc)
        raise InputError(f"the gzip data is damaged: {detail}", file=source.name) from None
    except UnicodeDecodeError as exc:
        encoding = layout.encoding if layout else "utf-8"
        raise _decode_error(source, layout, encoding, exc) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=source.name) from None


# --------------------------------------------------------------------------- the header


def sniff(source: Source, options: ReadOptions) -> Layout:
    """Read the start of the file: compression, encoding, delimiter, header columns."""
    with open(source.path, "rb") as f:
        magic = f.read(2)
    compressed = magic == GZIP_MAGIC
    if not compressed and source.name.endswith(".gz") and magic:
        raise InputError(
            "the name ends in .gz but the file is not gzip-compressed", file=source.name
        )
    with _reading(source), _open_binary(source, compressed) as stream:
        head = stream.read(SNIFF_BYTES)
    if not head.strip():
        raise InputError("the file is empty", file=source.name)
    encoding = _choose_encoding(source, head, options.encoding)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    header_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    if not header_line.strip():
        raise InputError(
            "the first line is blank: expected a header such as first,second",
            file=source.name,
            line=1,
        )
    delimiter = _choose_delimiter(header_line, options)
    header = tuple(h.strip() for h in next(csv.reader([header_line], delimiter=delimiter)))
    _check_unique(header, source.name)
    columns = find_columns(header, options, source.name)
    return Layout(
        encoding=encoding,
        delimiter=delimiter,
        compressed=compressed,
        header=header,
        columns=columns,
        header_line=header_line,
    )


def _choose_encoding(source: Source, head: bytes, given: str | None) -> str:
    if given:
        try:
            name = codecs.lookup(given).name
        except LookupError:
            raise InputError(
                f"unknown encoding {given!r} (try utf-8, cp1252 or utf-16)", file=source.name
            ) from None
        return "utf-8-sig" if name == "utf-8" and head.startswith(codecs.BOM_UTF8) else name
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        odd, even = head[1::2].count(0), head[0::2].count(0)
        if max(odd, even) > len(head) // 4:
            endian = "le" if odd > even else "be"
            raise InputError(
                f"looks like UTF-16 without a byte-order mark: try --encoding utf-16-{endian}",
                file=source.name,
            )
        line = head[: head.index(b"\x00")].count(b"\n") + 1
        raise InputError(
            "contains a NUL byte: this is not a text CSV file", file=source.name, line=line
        )
    return "utf-8"


def _choose_delimiter(header_line: str, options: ReadOptions) -> str:
    if options.delimiter is not None:
        return options.delimiter
    for delimiter in DELIMITERS:
        header = [h.strip() for h in next(csv.reader([header_line], delimiter=delimiter))]
        if _role_index(header, "first") is not None or (
            options.first_column and _named_index(header, options.first_column) is not None
        ):
            return delimiter
    return ","


def _check_unique(header: Sequence[str], file: str) -> None:
    """Named columns are unique; unnamed ones (a spreadsheet's empty cells) are ignored."""
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        key = name.casefold()
        if not key:
            continue
        if key in seen:
            raise InputError(
                f"duplicate column name {name!r} (columns {seen[key] + 1} and {i + 1})",
                file=file,
                line=1,
            )
        seen[key] = i


def _role_indexes(header: Sequence[str], role: str) -> list[int]:
    """Every column whose name is a spelling of ``role``, best spelling first."""
    folded = [fold(h) for h in header]
    return [folded.index(s) for s in COLUMN_NAMES[role] if s in folded]


def _role_index(header: Sequence[str], role: str) -> int | None:
    found = _role_indexes(header, role)
    return found[0] if found else None


def _named_index(header: Sequence[str], name: str) -> int | None:
    for exact in (True, False):
        for i, h in enumerate(header):
            if (h == name.strip()) if exact else (h.casefold() == name.strip().casefold()):
                return i
    return None


_ROLE_OPTION = {
    "first": "--first-column",
    "second": "--second-column",
    "rejected": "--rejected-column",
    "area": "--area-column",
    "count": "--count-column",
}
_ROLE_NAME = {
    "first": "first-preference",
    "second": "second-preference",
    "rejected": "rejected",
    "area": "area",
    "count": "count",
}


def find_columns(header: Sequence[str], options: ReadOptions, file: str) -> dict[str, int]:
    """Each role's column: named by an option, or the one column spelled for it.

    Two columns spelled for one role (``rejected`` and ``rejection_reason``)
    are an error, never a silent choice; so is one column for two roles.
    """
    given = {
        "first": options.first_column,
        "second": options.second_column,
        "rejected": options.rejected_column,
        "area": options.area_column,
        "count": options.count_column,
    }
    columns: dict[str, int] = {}
    for role in (*ROLES, "count"):
        name = given[role]
        if name is not None:
            index = _named_index(header, name)
            if index is None:
                raise InputError(
                    f"{_ROLE_OPTION[role]} {name!r} is not in the header ({_show_header(header)})",
                    file=file,
                    line=1,
                )
            columns[role] = index
            continue
        found = _role_indexes(header, role)
        if len(found) > 1:
            a, b = sorted(found[:2])
            raise InputError(
                f"two {_ROLE_NAME[role]} columns, {header[a]!r} and {header[b]!r}: choose one "
                f"with {_ROLE_OPTION[role]}",
                file=file,
                line=1,
            )
        if found:
            columns[role] = found[0]
    if "first" not in columns:
        raise InputError(
            f"no first-preference column in the header ({_show_header(header)}): name it "
            "first (or first_preference, 1st, vote) or give --first-column; "
            "a ballot file needs a header row",
            file=file,
            line=1,
        )
    by_column: dict[int, str] = {}
    for role, index in columns.items():
        if index in by_column:
            other = by_column[index]
            raise InputError(
                f"the column {header[index]!r} cannot be both the {_ROLE_NAME[other]} and the "
                f"{_ROLE_NAME[role]} column (check {_ROLE_OPTION[role]} and "
                f"{_ROLE_OPTION[other]})",
                file=file,
                line=1,
            )
        by_column[index] = role
    return columns


def _show_header(header: Sequence[str]) -> str:
    shown = ", ".join(repr(h) for h in header[:8])
    return shown + (", ..." if len(header) > 8 else "")


# --------------------------------------------------------------------------- the rows


def read_marks(
    source: Source, layout: Layout, options: ReadOptions, roles: Sequence[str] = ROLES
) -> RawMarks:
    """Aggregate the file's rows into distinct raw rows with their number of papers.

    Keys are in ROLES order; a role not in ``roles``, or not in the file, reads as "".
    """
    engine = options.engine
    if engine == "auto":
        size = source.path.stat().st_size * (5 if layout.compressed else 1)
        engine = "python" if size <= PYTHON_ENGINE_MAX_BYTES else "pandas"
    if not _ASCII_COMPATIBLE.match(layout.encoding.lower()):
        engine = "python"  # e.g. UTF-16: the byte counts that check pandas would not be exact
    counting = engine == "pandas"
    halves = _halves(source) if counting and not layout.compressed else None
    scan = Scan(
        source,
        layout.compressed,
        layout.delimiter.encode() if counting else None,
        options.progress,
        split=None if halves is None else halves[1],
    )
    with _reading(source, layout):
        counted = None
        if engine == "pandas":
            counted = _read_pandas(source, layout, options, roles, halves)
        if (
            counted is not None
            and _rows_complete(scan.result(), layout, counted[1])
            and not scan.split_inside  # the halves were cut at a record boundary
        ):
            counts, rows = counted
            blank_tail = _blank_tail(scan, layout) if len(layout.header) > 1 else None
            ends = scan.tail.endswith(b"\n")
            lines_in_order = rows == scan.newlines - (1 if ends else 0)
        else:  # the validating reader: exact line numbers for any malformed row
            counts, rows, engine = Counter[Row](), 0, "python"
            blank = BlankRows(0, 0, 0)
            for line, key, empty, papers in _rows(source, layout, roles):
                counts[key] += papers
                rows += 1
                blank = (
                    BlankRows(blank.rows + 1, blank.first_line or line, line)
                    if empty
                    else BlankRows(0, 0, 0)
                )
            blank_tail = blank if blank.rows else None
            lines_in_order = False
        sha256 = scan.result().sha256
    if rows == 0:
        raise InputError("the file has a header but no ballot papers", file=source.name)
    return RawMarks(
        counts=counts,
        rows=rows,
        layout=layout,
        engine=engine,
        sha256=sha256,
        blank_tail=blank_tail,
        lines_in_order=lines_in_order,
    )


def _blank_tail(scan: Scan, layout: Layout) -> BlankRows | None:
    """Fully blank rows at the end of a file read by pandas (no quotes), from the scan's tail."""
    text = scan.tail.decode(layout.encoding, errors="replace")
    lines = text.split("\n")
    last = scan.newlines + 1  # the physical line number of lines[-1]
    found: list[int] = []
    for offset, line in enumerate(reversed(lines)):
        content = line.rstrip("\r")
        if not content.strip():
            continue  # an empty line is not a paper
        if content.replace(layout.delimiter, "").strip():
            break
        found.append(last - offset)
    return BlankRows(len(found), found[-1], found[0]) if found else None


def _rows_complete(scan: Scan, layout: Layout, rows: int) -> bool:
    """Whether every row has the header's width, judged from the byte counts.

    pandas fills a short row's missing fields with "" instead of failing (a
    longer row is an error). Every row has the header's width exactly when
    the data holds rows * (width - 1) delimiters outside quotes, and every
    quote sits at a field boundary (else the validating reader decides).
    """
    header = _outside_quotes(layout.header_line, layout.delimiter)
    return scan.quotes_well_formed and scan.delimiters - header == rows * (len(layout.header) - 1)


def _outside_quotes(line: str, delimiter: str) -> int:
    """Delimiters of one line outside quoted fields."""
    return sum(part.count(delimiter) for i, part in enumerate(line.split('"')) if i % 2 == 0)


class _Lines:
    """A text stream's lines, remembering the last one read (to see how a record was written)."""

    def __init__(self, text: IO[str]) -> None:
        self.text, self.last = text, ""

    def __iter__(self) -> Iterator[str]:
        for line in self.text:
            self.last = line
            yield line


def row_papers(value: str) -> int:
    """The papers one row of an aggregated file stands for; ``ValueError`` says why not."""
    text = value.strip()
    if not text:
        raise ValueError("the count is empty")
    if text.isdigit() and text.isascii():
        papers = int(text)
        if papers > MAX_ROW_PAPERS:
            raise ValueError(
                f"the count {shown(text)} is too large to be real "
                f"(over {MAX_ROW_PAPERS:,} papers in one row)"
            )
        return papers
    if text.startswith("-") and text[1:].strip().isdigit():
        raise ValueError(f"the count {shown(text)} is negative")
    try:
        float(text)
    except ValueError:
        raise ValueError(f"the count {shown(text)} is not a number") from None
    raise ValueError(f"the count {shown(text)} is not a whole number of papers")


def _rows(
    source: Source, layout: Layout, roles: Sequence[str] = ROLES
) -> Iterator[tuple[int, Row, bool, int]]:
    """Each record as (line, row, every field empty, papers) with the csv module.

    Validates every row. A record is a paper — or, in an aggregated file, as
    many papers as its count column says; an empty line, or one of only spaces
    in a one-column file, is not (as in pandas), but a quoted blank field
    (``" "``) is an unmarked paper.
    """
    indexes = [layout.columns.get(role) if role in roles else None for role in ROLES]
    count_at = layout.columns.get("count")
    width = len(layout.header)
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    with _open_binary(source, layout.compressed) as binary:
        lines = _Lines(io.TextIOWrapper(binary, encoding=layout.encoding, newline=""))
        reader = csv.reader(lines, delimiter=layout.delimiter, strict=True)
        start = 1
        try:
            next(reader, None)
            start = reader.line_num + 1
            for row in reader:
                line, start = start, reader.line_num + 1
                if not row or (len(row) == 1 and row[0].isspace() and '"' not in lines.last):
                    continue  # blank lines are not papers (as in pandas)
                if len(row) != width:
                    raise InputError(
                        f"this row has {len(row)} field{'s' if len(row) != 1 else ''} but the "
                        f"header has {width}",
                        file=source.name,
                        line=line,
                    )
                key = tuple(row[i] if i is not None else "" for i in indexes)
                empty = width > 1 and not any(cell.strip() for cell in row)
                papers = 1
                if count_at is not None:
                    try:
                        papers = row_papers(row[count_at])
                    except ValueError as exc:
                        raise InputError(str(exc), file=source.name, line=line) from None
                yield line, key, empty, papers  # type: ignore[misc]
        except csv.Error as exc:
            raise InputError(
                _csv_message(str(exc), start),
                file=source.name,
                line=reader.line_num if "end of data" not in str(exc) else start,
            ) from None


def _csv_message(message: str, start: int) -> str:
    if "end of data" in message:
        return "a quoted field is never closed (its quote opens on this line)"
    if "expected after" in message:
        return (
            "malformed quoting: text follows a closing quote (write a quote inside a "
            'quoted field as "")'
        )
    return f"malformed CSV: {message}"


def pandas_chunks(
    source: Source,
    layout: Layout,
    roles: Sequence[str],
    chunk_rows: int,
    byte_range: tuple[int, int] | None = None,
) -> Iterator[list[Any]]:
    """The file in chunks of categorical columns, one per role present, in ROLES order,
    then the count column when the file has one.

    Every cell is text (``na_filter=False``: "NA", "None" and "null" are names,
    never missing values). ``byte_range`` reads only the records between two
    offsets of an uncompressed file (no header). Raises pandas' own errors on
    a file it cannot parse.
    """
    import pandas as pd

    present = [role for role in ROLES if role in roles and role in layout.columns]
    present += ["count"] if "count" in layout.columns else []
    usecols = [layout.columns[role] for role in present]
    where: Any = source.path
    if byte_range is not None:
        where = io.BufferedReader(_ByteRange(source.path, *byte_range), 1 << 20)
    chunks = pd.read_csv(
        where,
        sep=layout.delimiter,
        header=0 if byte_range is None else None,
        dtype="category",
        na_filter=False,
        keep_default_na=False,
        encoding=layout.encoding,
        compression="gzip" if layout.compressed else None,
        chunksize=chunk_rows,
        usecols=usecols if len(usecols) < len(layout.header) else None,
        engine="c",
    )
    with chunks:
        for chunk in chunks:
            # usecols keeps file order; put the columns in role order.
            yield [chunk.iloc[:, sorted(usecols).index(i)] for i in usecols]


class _ByteRange(io.RawIOBase):
    """The bytes of a file between two offsets, as a file."""

    def __init__(self, path: Path, start: int, end: int) -> None:
        self.file = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by close()
        self.file.seek(start)
        self.left = end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.left <= 0:
            return 0
        n = self.file.readinto(memoryview(buffer)[: min(len(buffer), self.left)]) or 0
        self.left -= n
        return n

    def close(self) -> None:
        self.file.close()
        super().close()


#: Uncompressed files at least this large are parsed as two halves on two threads.
PARALLEL_MIN_BYTES = 64 << 20


def _halves(source: Source) -> tuple[int, int, int] | None:
    """(end of header, start of the second half, end of file) at line breaks, or None."""
    size = source.path.stat().st_size
    if size < PARALLEL_MIN_BYTES:
        return None
    with open(source.path, "rb") as f:
        f.readline()
        head = f.tell()
        f.seek(size // 2)
        f.readline()
        middle = f.tell()
    return (head, middle, size) if head < middle < size else None


def _read_pandas(
    source: Source,
    layout: Layout,
    options: ReadOptions,
    roles: Sequence[str],
    halves: tuple[int, int, int] | None = None,
) -> tuple[Counter[Row], int] | None:
    """Chunked pandas: categorical codes counted with ``np.bincount`` per chunk.

    Returns None when pandas cannot parse the file: the validating reader then
    finds the line and says what is wrong.
    """
    import pandas as pd

    present = [role for role in ROLES if role in roles and role in layout.columns]
    ranges: list[tuple[int, int] | None] = (
        [None] if halves is None else [(halves[0], halves[1]), (halves[1], halves[2])]
    )

    def read(byte_range: tuple[int, int] | None) -> tuple[Counter[Row], int]:
        counts: Counter[Row] = Counter()
        rows = 0
        for columns in pandas_chunks(source, layout, roles, options.chunk_rows, byte_range):
            rows += len(columns[0])
            weights = _weights(columns.pop()) if "count" in layout.columns else None
            _count_chunk(columns, present, counts, weights)
        return counts, rows

    try:
        if len(ranges) == 1:
            return read(None)
        # pandas' C tokenizer releases the GIL: the halves parse on both cores.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1) as other:
            second = other.submit(read, ranges[1])
            counts, rows = read(ranges[0])
            more, more_rows = second.result()
        counts.update(more)
        return counts, rows + more_rows
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
        return None  # the validating reader finds the line and says what is wrong


def _weights(column: Any) -> Any:
    """A chunk's count column as papers per row; ``ValueError`` on any bad count."""
    import numpy

    papers = numpy.array([row_papers(str(v)) for v in column.cat.categories], dtype=numpy.int64)
    return papers[column.cat.codes.to_numpy()]


def _count_chunk(
    columns: Sequence[Any], present: list[str], counts: Counter[Row], weights: Any = None
) -> None:
    """Add one chunk's distinct combinations of category codes to ``counts``.

    ``weights`` gives each row's papers in an aggregated file (else one each).
    """
    import numpy

    codes = [c.cat.codes.to_numpy() for c in columns]
    labels = [c.cat.categories.to_list() for c in columns]
    sizes = [max(len(lab), 1) for lab in labels]
    total = 1
    for size in sizes:
        total *= size
    if total <= 1 << 24:
        flat = numpy.ravel_multi_index(codes, sizes)
        tally = _bincount(flat, weights, total)
        nonzero = numpy.flatnonzero(tally)
        keys = numpy.unravel_index(nonzero, sizes)
        papers = tally[nonzero]
    else:  # many distinct values: sort the code rows instead of a dense table
        unique, inverse = numpy.unique(numpy.stack(codes, axis=1), axis=0, return_inverse=True)
        papers = _bincount(inverse.ravel(), weights, len(unique))
        keys = tuple(unique[:, i] for i in range(len(codes)))
    position = {role: i for i, role in enumerate(present)}
    for j, n in enumerate(papers.tolist()):
        key = tuple(
            labels[position[role]][int(keys[position[role]][j])] if role in position else ""
            for role in ROLES
        )
        counts[key] += n  # type: ignore[index]


def _bincount(index: Any, weights: Any, size: int) -> Any:
    """Papers per index: one per row, or each row's count.

    Counted in float64, exactly: a chunk's sum is at most rows x 1e8, far below 2**53.
    """
    import numpy

    if weights is None:
        return numpy.bincount(index, minlength=size)
    summed = numpy.bincount(index, weights=weights.astype(numpy.float64), minlength=size)
    return summed.astype(numpy.int64)


# --------------------------------------------------------------------------- locating


def records(source: Source, layout: Layout) -> Iterator[tuple[int, Row, int]]:
    """Every record as (line where it starts, its fields in ROLES order, papers), validated."""
    for line, key, _, papers in _rows(source, layout, ROLES):
        yield line, key, papers


def locate(
    source: Source, layout: Layout, problems: Sequence[MarkProblem]
) -> dict[tuple[str, str], int]:
    """The first line of each problem's values: a targeted pass, only on error."""
    wanted = {(p.role, v) for p in problems for v in p.values}
    found: dict[tuple[str, str], int] = {}
    with contextlib.suppress(InputError), _reading(source, layout):
        for line, key, _, _ in _rows(source, layout, ROLES):
            for role, value in zip(ROLES, key, strict=True):
                if (role, value) in wanted and (role, value) not in found:
                    found[(role, value)] = line
            if len(found) == len(wanted):
                break
    return found


def _first_line(problem: MarkProblem, lines: Mapping[tuple[str, str], int]) -> int | None:
    hits = [lines[(problem.role, v)] for v in problem.values if (problem.role, v) in lines]
    return min(hits) if hits else None


def describe(problem: MarkProblem, line: int | None) -> str:
    where = f", first on line {line}" if line else ""
    return (
        f"{problem.message} ({problem.papers:,} paper{'s' if problem.papers != 1 else ''}{where})"
    )


def _decode_error(
    source: Source, layout: Layout | None, encoding: str, exc: UnicodeDecodeError
) -> InputError:
    """Find the line of the first undecodable byte and suggest an encoding."""
    line = None
    if layout is not None and _ASCII_COMPATIBLE.match(encoding.lower()):
        with (
            contextlib.suppress(OSError, EOFError, zlib.error),
            _open_binary(source, layout.compressed) as binary,
        ):
            for number, raw in enumerate(binary, start=1):
                try:
                    raw.decode(encoding)
                except UnicodeDecodeError as bad:
                    byte = raw[bad.start : bad.start + 1]
                    line = number
                    exc = bad
                    break
    byte = exc.object[exc.start : exc.start + 1] if isinstance(exc.object, bytes) else b""
    hint = "try --encoding cp1252" if encoding.startswith("utf") else "try --encoding utf-8"
    shown = f"byte 0x{byte.hex()}" if byte else "a byte"
    return InputError(
        f"is not valid {encoding.upper()} text ({shown}): {hint}", file=source.name, line=line
    )


# --------------------------------------------------------------------------- all together


def load(
    name: str,
    *,
    method: Method | None = None,
    candidates: Sequence[Candidate] | None = None,
    options: ReadOptions | None = None,
    rules: MarkRules | None = None,
    stdin: IO[bytes] | None = None,
) -> Loaded:
    """Read, aggregate and classify a ballot file (``-`` for stdin)."""
    options = options or ReadOptions()
    with open_source(name, stdin) as source:
        layout = sniff(source, options)
        has_second = "second" in layout.columns
        if method is None:
            method = Method.SV if has_second else Method.FPTP
        if method is Method.SV and not has_second:
            raise InputError(
                f"--method sv needs a second-preference column, and the header has none "
                f"({_show_header(layout.header)}): name it second or give --second-column",
                file=source.name,
                line=1,
            )
        roles = [r for r in ROLES if not (r == "second" and method is Method.FPTP)]
        marks = read_marks(source, layout, options, roles)
        try:
            classified, by_area = classify_marks(
                marks.counts, "area" in layout.columns, candidates, rules
            )
        except MarkError as exc:
            raise _located(source, layout, exc.problems) from None
        warnings: tuple[str, ...] = ()
        if classified.warnings:
            lines = locate(source, layout, classified.warnings)
            warnings = tuple(describe(w, _first_line(w, lines)) for w in classified.warnings)
        if marks.blank_tail is not None:
            warnings += (f"{source.name}: {marks.blank_tail.warning()}",)
        notes = classified.notes
        if method is Method.FPTP and has_second:
            notes += (f"first past the post: column {layout.column_name('second')!r} ignored",)
        extra = [h for i, h in enumerate(layout.header) if i not in layout.columns.values()]
        if extra:
            notes += (f"columns not used: {', '.join(repr(h) for h in extra)}",)
        return Loaded(
            ballots=classified.ballots,
            method=method,
            file=source.name,
            sha256=marks.sha256,
            rows=marks.rows,
            layout=layout,
            warnings=warnings,
            notes=notes,
            areas=by_area,
            outcomes=classified.outcomes,
            lines_in_order=marks.lines_in_order,
        )


def classify_marks(
    counts: Mapping[Row, int],
    has_areas: bool,
    candidates: Sequence[Candidate] | None = None,
    rules: MarkRules | None = None,
) -> tuple[Classified, dict[str, Ballots] | None]:
    """Distinct raw rows with their papers, classified (rules 1-2), and split by voting area.

    Areas are read as names are; raises :class:`MarkError` (not yet located).
    """
    union: Counter[RawKey] = Counter()
    by_area: dict[str, Counter[RawKey]] = {}
    spellings: dict[str, list[str]] = {}
    for (first, second, rejected, area), papers in counts.items():
        if not papers:
            continue  # an aggregated row of 0 papers counts nothing, not even its area
        union[(first, second, rejected)] += papers
        if has_areas:
            name = normalise_name(area)
            spellings.setdefault(name, []).append(area)
            by_area.setdefault(name, Counter())[(first, second, rejected)] += papers
    area_problem = _area_problem(spellings, by_area)
    if area_problem is not None:
        raise MarkError((area_problem,))
    classified = classify(union, candidates, rules)
    areas = {a: classified.ballots_for(by_area[a]) for a in sorted(by_area, key=_area_order)}
    return classified, (areas if has_areas and areas else None)


def _area_problem(
    spellings: Mapping[str, list[str]], by_area: Mapping[str, Counter[RawKey]]
) -> MarkProblem | None:
    """A blank area, or two areas that differ only in case: areas are read as names are."""
    if "" in spellings:
        return MarkProblem(
            "area",
            tuple(spellings[""]),
            sum(by_area[""].values()),
            "a paper has no voting area (the area is blank)",
        )
    folded: dict[str, str] = {}
    for name in sorted(spellings, key=lambda n: -sum(by_area[n].values())):
        other = folded.setdefault(name.casefold(), name)
        if other != name:
            return MarkProblem(
                "area",
                tuple(spellings[name]),
                sum(by_area[name].values()),
                f"voting area {shown(name)} differs only in case from {shown(other)}: "
                "correct the file (areas are named as candidates are)",
            )
    return None


def _area_order(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


def _located(source: Source, layout: Layout, problems: Sequence[MarkProblem]) -> InputError:
    lines = locate(source, layout, problems)
    if len(problems) == 1:
        line = _first_line(problems[0], lines)
        return InputError(describe(problems[0], None), file=source.name, line=line)
    described = "; ".join(describe(p, _first_line(p, lines)) for p in problems)
    return InputError(f"{len(problems)} problems with names: {described}", file=source.name)
