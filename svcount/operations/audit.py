"""The per-paper audit trail: what happened to every ballot paper, in input order.

One row per paper: where its record is (a CSV's line, or a cast vote record's
number and id), its area, its marks as written, and its disposition —
``rejected`` (and under which heading),
``counted_first`` (in its first preference's total at the last stage),
``transferred`` (added to a remaining candidate at stage two) or
``not_transferred`` (and why). Aggregating the file reproduces every figure
of the result.

The disposition is decided once per distinct (first, second, rejected, area)
value, from the count's own classification and result; rows only look it up.
Large files stream through chunked pandas with the disposition mapped back to
rows by NumPy indexing, so memory stays flat and there is no per-row Python
code; files whose lines cannot be numbered from the row index (quoted
newlines, blank lines), small files and structured formats are read record by
record. The file is opened again only through ``io.reopened``.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from svcount.documents.writing import Landing, atomic_output, csv_line, spreadsheet_safe
from svcount.io import Loaded, Reopened, reopened
from svcount.marks import Outcome, RawKey
from svcount.model import Method, NotCounted, Rejection, Result, second_as_counted, statement
from svcount.names import normal
from svcount.reading.header import ROLES, Row

__all__ = ["AUDIT_HEADER", "STATUSES", "disposition", "write_audit"]

AUDIT_HEADER = ("line", "area", "first", "second", "status", "candidate", "reason")
STATUSES = ("rejected", "counted_first", "transferred", "not_transferred")
CHUNK_ROWS = 200_000


def disposition(outcome: Outcome, result: Result) -> tuple[str, str, str]:
    """(status, candidate whose final total holds the paper, reason) for one kind of paper."""
    if isinstance(outcome, Rejection):  # under the statement's heading (FPTP joins two)
        heading = next(h for h, n in statement({outcome: 1}, result.method).items() if n)
        return "rejected", "", heading.value
    first, second = outcome
    second = second_as_counted(first, second)
    remaining = result.stage_one.remaining
    if result.stage_two is None or first in remaining:
        return "counted_first", first, ""
    if isinstance(second, NotCounted):
        return "not_transferred", "", second.value
    if second in remaining:
        return "transferred", second, ""
    return "not_transferred", "", NotCounted.NOT_REMAINING.value


class _Dispositions:
    """The audit row (after its line number) of each distinct raw row, built once."""

    def __init__(self, loaded: Loaded, result: Result) -> None:
        self.loaded, self.result = loaded, result
        self.with_area = loaded.areas is not None
        self.fptp = loaded.method is Method.FPTP
        self.cache: dict[Row, str] = {}

    def __call__(self, row: Row) -> str:
        hit = self.cache.get(row)
        if hit is None:
            hit = self.cache[row] = self._suffix(row)
        return hit

    def _suffix(self, row: Row) -> str:
        first, second, rejected, area = row
        key: RawKey = (first, "" if self.fptp else second, rejected)
        status, candidate, reason = disposition(self.loaded.outcomes[key], self.result)
        cells = [normal(area)] if self.with_area else []
        cells += [str(first), str(second), status, candidate, reason]
        return "," + csv_line([spreadsheet_safe(c) for c in cells])[:-1]


def _header(locator: tuple[str, ...], with_area: bool, with_papers: bool) -> str:
    names = [*locator, *(h for h in AUDIT_HEADER[1:] if with_area or h != "area")]
    return ",".join(names + (["papers"] if with_papers else [])) + "\n"


def _python_rows(
    rows: Iterable[tuple[tuple[int | str, ...], Row, int]],
    suffix: _Dispositions,
    with_papers: bool,
) -> Iterator[str]:
    """Record by record: exact line numbers whatever the file holds, or a record's own."""
    batch: list[str] = []
    for locator, row, papers in rows:
        where = csv_line([spreadsheet_safe(str(part)) for part in locator])[:-1]
        batch.append(
            f"{where}{suffix(row)},{papers}\n" if with_papers else f"{where}{suffix(row)}\n"
        )
        if len(batch) >= 65536:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def _pandas_rows(
    loaded: Loaded, chunks: Iterable[list[Any]], suffix: _Dispositions
) -> Iterator[str]:
    """Chunks of audit text: each distinct row's suffix built once, mapped back by index."""
    import numpy as np

    assert loaded.layout is not None
    roles = [r for r in ROLES if r in loaded.layout.columns]
    line = 2 + loaded.skipped
    for columns in chunks:
        labels = [c.cat.categories.to_list() for c in columns]
        sizes = [max(len(lab), 1) for lab in labels]
        flat = np.ravel_multi_index([c.cat.codes.to_numpy() for c in columns], sizes)
        kinds, inverse = _distinct(flat, int(np.prod(sizes)))
        suffixes = np.empty(len(kinds), dtype=object)
        for i, combo in enumerate(zip(*np.unravel_index(kinds, sizes), strict=True)):
            values = {
                role: labels[j][int(k)]
                for j, (role, k) in enumerate(zip(roles, combo, strict=True))
            }
            suffixes[i] = suffix(tuple(values.get(r, "") for r in ROLES)) + "\n"
        n = len(inverse)
        parts: list[str] = [""] * (2 * n)  # line, suffix, line, suffix, ...: one join
        parts[0::2] = map(str, range(line, line + n))
        parts[1::2] = suffixes[inverse].tolist()
        yield "".join(parts)
        line += n


def _text(again: Reopened, suffix: _Dispositions, aggregated: bool) -> Iterator[str]:
    """The audit's rows: by pandas chunks where lines can be numbered so, else record by record."""
    chunks = again.chunks(CHUNK_ROWS)
    if chunks is not None:
        return _pandas_rows(again.loaded, chunks, suffix)
    return _python_rows(again.records(), suffix, aggregated)


def _distinct(flat: Any, total: int) -> tuple[Any, Any]:
    """The distinct values of ``flat`` and each row's index into them, in O(rows)."""
    import numpy as np

    if total > 1 << 24:  # many distinct values: sort instead of a dense table
        return np.unique(flat, return_inverse=True)
    seen = np.zeros(total, dtype=bool)
    seen[flat] = True
    kinds = np.flatnonzero(seen)
    index = np.empty(total, dtype=np.int64)
    index[kinds] = np.arange(len(kinds))
    return kinds, index[flat]


def _write_behind(
    sink: Any, chunks: Iterable[str], progress: Callable[[int, int], None] | None, rows: int
) -> None:
    """Write (and hash, and compress) each chunk on the other core while the next is built.

    Writing, hashing and zlib release the GIL; building the text does not.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    done = 0
    with ThreadPoolExecutor(max_workers=1) as writer:
        pending: Future[Any] | None = None
        for text in chunks:
            if progress is not None:
                done += text.count("\n")
                progress(done, rows)
            data = text.encode("utf-8")
            if pending is not None:
                pending.result()
            pending = writer.submit(sink.write, data)
        if pending is not None:
            pending.result()


def write_audit(
    path: str | Path,
    loaded: Loaded,
    result: Result,
    progress: Callable[[int, int], None] | None = None,
    landing: Landing | None = None,
) -> str:
    """Write the audit trail of ``loaded`` counted as ``result``; return the file's SHA-256.

    ``path`` ending in ``.gz`` is gzip-compressed (reproducibly: no name or
    time in its header). The file is written atomically, or into ``landing``
    to land with the run's other outputs. ``progress`` is told (rows written,
    rows) as it goes.
    """
    suffix = _Dispositions(loaded, result)
    aggregated = loaded.aggregated  # one audit row per row, with its count
    compressed = str(path).endswith(".gz")
    output = atomic_output(path) if landing is None else landing.output(path)
    with reopened(loaded) as again, output as out:
        sink: Any = (
            gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=1, mtime=0)
            if compressed
            else out
        )
        sink.write(_header(again.locator, suffix.with_area, aggregated).encode("utf-8"))
        _write_behind(sink, _text(again, suffix, aggregated), progress, loaded.rows)
        if compressed:
            sink.close()
    return out.digest.hexdigest()
