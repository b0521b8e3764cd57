"""The byte scan beside the fast engines, and chunked pandas for files polars cannot read.

A :class:`Scan` thread hashes the file and counts its delimiters, which is how
a short row (that polars and pandas fill with "" instead of failing) is
caught: beside polars (``reading/engine.py``) it counts them all (``light``);
beside pandas it follows the quotes, counting those outside quoted fields and
checking that every quote sits at a field boundary. pandas
(``dtype="category"``, ``na_filter=False``) parses the rows and
``np.bincount`` counts the distinct combinations of category codes per chunk;
a large uncompressed file is parsed as two halves on two threads. Whatever
these cannot vouch for, the validating reader reads instead.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from svcount.reading.header import ROLES, Layout, Row
from svcount.reading.rows import BlankRows, row_papers
from svcount.reading.source import Source

__all__ = [
    "Scan",
    "UnsureTail",
    "blank_tail",
    "read_pandas",
    "split_in_halves",
    "rows_complete",
]

TAIL_BYTES = 1 << 16


class Inflater:
    """gzip text in bounded pieces, members one after another: a bomb never fills memory.

    One 4 MiB block of a highly compressible file can inflate to gigabytes;
    each call here returns at most :data:`PIECE` bytes.
    """

    PIECE = 16 << 20

    def __init__(self) -> None:
        self.inflate = zlib.decompressobj(wbits=47)

    def pieces(self, block: bytes) -> Iterator[bytes]:
        data = block
        while True:
            text = self.inflate.decompress(data, self.PIECE)
            if text:
                yield text
            if self.inflate.eof:  # this member is done: the next one, if any
                data = self.inflate.unused_data
                if not data:
                    return
                self.inflate = zlib.decompressobj(wbits=47)
                continue
            data = self.inflate.unconsumed_tail
            if not data and len(text) < self.PIECE:  # all input read, no output held back
                return


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
    ``read_pandas`` detect short rows, quoted files included.
    """

    def __init__(
        self,
        source: Source,
        compressed: bool,
        delimiter: bytes | None,
        progress: Callable[[int, int], None] | None = None,
        split: int | None = None,
        light: bool = False,
        count: bool = True,
    ) -> None:
        """Hash the file; count ``delimiter`` and quote bytes unless it is None.

        ``split`` is an offset where the file was cut in two for parsing:
        ``split_inside`` says whether it falls inside a quoted field. ``light``
        counts every delimiter, quoted or not, and leaves quotes unjudged: enough
        beside polars, whose values say whether any delimiter was quoted; without
        ``count``, a light scan only hashes and keeps the text's tail (polars judged every
        line whole).
        """
        super().__init__(daemon=True)
        self.source, self.compressed, self.delimiter = source, compressed, delimiter
        self.progress = progress
        self.split = split
        self.light, self.count = light, count
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
        with open(self.source.path, "rb") as f:
            if self.delimiter is None:
                self.sha256 = hashlib.file_digest(f, "sha256").hexdigest()
            elif self.light and not self.compressed:
                self._light(f, self.delimiter)
            else:
                self._counted(f, self.delimiter)

    def _light(self, f: Any, delimiter: bytes) -> None:
        """Beside polars: hash first, with the GIL released, while the engine is imported;
        then count every delimiter (``bytearray.count``: no NumPy to import)."""
        size, done = os.fstat(f.fileno()).st_size, 0
        digest, buffer = hashlib.sha256(), bytearray(4 << 20)
        view = memoryview(buffer)
        while got := f.readinto(buffer):
            digest.update(view[:got])
            done += got
            if self.progress is not None:
                self.progress(done, size)
        self.sha256 = digest.hexdigest()
        f.seek(0)
        while self.count and (got := f.readinto(buffer)):
            self.delimiters += buffer.count(delimiter, 0, got)
        f.seek(max(0, size - TAIL_BYTES))
        self.tail = f.read()

    def _counted(self, f: Any, delimiter: bytes) -> None:
        """One pass: the hash of the file's bytes, the counts of its (decompressed) text."""
        digest = hashlib.sha256()
        inflate = Inflater() if self.compressed else None
        state = QuoteState(delimiter[0])
        size, done = os.fstat(f.fileno()).st_size, 0
        while block := f.read(4 << 20):
            digest.update(block)
            if self.split is not None and done <= self.split < done + len(block):
                quotes = block.count(b'"', 0, self.split - done)
                self.split_inside = state.inside ^ (quotes % 2 == 1)
            done += len(block)
            if self.progress is not None:
                self.progress(done, size)
            for text in inflate.pieces(block) if inflate else (block,):
                if self.light:  # polars' rows are the lines: no newline to count
                    state.outside += text.count(delimiter) if self.count else 0
                else:
                    self._feed(state, text)
                self.tail = (self.tail + text[-TAIL_BYTES:])[-TAIL_BYTES:]
        self.delimiters = state.outside
        self.quotes_well_formed = self.light or (state.well_formed and not state.inside)
        self.sha256 = digest.hexdigest()

    def _feed(self, state: QuoteState, text: bytes) -> None:
        """Delimiters outside quotes, quotes' places and newlines, for pandas."""
        import numpy as np

        if not state.feed_plain(text):
            state.feed(np.frombuffer(text, dtype=np.uint8))
        self.newlines += int(np.count_nonzero(np.frombuffer(text, np.uint8) == 10))

    def result(self) -> Scan:
        self.join()
        if self.error is not None:
            raise self.error
        return self


class UnsureTail(Exception):
    """The last bytes cannot tell the blank rows at the end: a record over several lines ends
    there, or blank rows go back further than the bytes kept."""


def blank_tail(tail: bytes, newlines: int, layout: Layout) -> BlankRows | None:
    """Rows with every field empty at the end of a file read by an engine, from the text's
    last bytes and how many line feeds the whole text holds.

    Read back from the end, each line alone by the csv module: the last line
    of a record over several lines holds an odd number of quotes, so it never
    reads alone, and :class:`UnsureTail` sends the file to the validating
    reader, as do a line ended by a CR alone (lines are found by line feeds)
    and reaching the first line kept when it may be cut short. A file of one
    column has none: its empty line is no paper.
    """
    if len(layout.header) == 1:
        return None
    if b"\r" in tail.replace(b"\r\n", b""):
        raise UnsureTail
    text = tail.decode(layout.encoding, errors="replace")
    lines = text.split("\n")
    last = newlines + 1  # the physical line number of lines[-1]
    found: list[int] = []
    for offset, line in enumerate(reversed(lines)):
        content = line.rstrip("\r")
        if not content.strip():
            continue  # an empty line is not a paper
        if offset == len(lines) - 1 and len(tail) >= TAIL_BYTES:
            raise UnsureTail
        try:
            fields = next(csv.reader([content], delimiter=layout.delimiter, strict=True))
        except csv.Error:
            raise UnsureTail from None
        if any(field.strip() for field in fields):
            break  # a field with something in it
        found.append(last - offset)
    return BlankRows(len(found), found[-1], found[0]) if found else None


def rows_complete(scan: Scan, layout: Layout, rows: int) -> bool:
    """Whether every row has the header's width, judged from the byte counts.

    pandas fills a short row's missing fields with "" instead of failing (a
    longer row is an error). Every row has the header's width exactly when
    the data holds rows * (width - 1) delimiters outside quotes, and every
    quote sits at a field boundary (else the validating reader decides). A
    light scan counts every delimiter, the header's quoted ones included.
    """
    line, delimiter = layout.header_line, layout.delimiter
    header = line.count(delimiter) if scan.light else _outside_quotes(line, delimiter)
    return scan.quotes_well_formed and scan.delimiters - header == rows * (len(layout.header) - 1)


def _outside_quotes(line: str, delimiter: str) -> int:
    """Delimiters of one line outside quoted fields."""
    return sum(part.count(delimiter) for i, part in enumerate(line.split('"')) if i % 2 == 0)


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


def split_in_halves(source: Source) -> tuple[int, int, int] | None:
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


def read_pandas(
    source: Source,
    layout: Layout,
    chunk_rows: int,
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
        for columns in pandas_chunks(source, layout, roles, chunk_rows, byte_range):
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
