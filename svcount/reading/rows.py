"""The validating reader: every record of a ballot file with its line, checked field by field.

The csv module reads small files here, and any file the fast path cannot
vouch for; a second, targeted pass finds the lines of the marks that a
problem is about (:func:`locate`), so every error names its line.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO

from svcount.errors import InputError, MarkProblem
from svcount.marks import shown
from svcount.reading.header import ROLES, Layout, Row
from svcount.reading.source import Source, open_binary, reading

__all__ = [
    "MAX_ROW_PAPERS",
    "BlankRows",
    "describe",
    "judged_row",
    "locate",
    "located",
    "records",
    "row_papers",
]

#: The largest number of papers one row of an aggregated file may stand for.
MAX_ROW_PAPERS = 100_000_000


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


class _Lines:
    """A text stream's lines, remembering the last one read (to see how a record was written)."""

    def __init__(self, text: IO[str]) -> None:
        self.text, self.last = text, ""

    def __iter__(self) -> Iterator[str]:
        for line in self.text:
            self.last = line
            yield line


_GROUPED = re.compile(r"^\d{1,3}(?:[, ]\d{3})+$")


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
    if _GROUPED.match(text):  # "1,000": a spreadsheet's display, not the number
        raise ValueError(
            f"the count {shown(text)} has a thousands separator: write counts as plain "
            f"digits ({text.replace(',', '').replace(' ', '')})"
        )
    try:
        float(text)
    except ValueError:
        raise ValueError(f"the count {shown(text)} is not a number") from None
    raise ValueError(f"the count {shown(text)} is not a whole number of papers")


def validated_rows(
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
    with open_binary(source, layout.compressed) as binary:
        lines = _Lines(io.TextIOWrapper(binary, encoding=layout.encoding, newline=""))
        reader = csv.reader(lines, delimiter=layout.delimiter, strict=True)
        start = 1
        try:
            next(reader, None)
            start = reader.line_num + 1
            for row in reader:
                line, start = start, reader.line_num + 1
                try:
                    judged = judged_row(row, lines.last, width, indexes)
                except ValueError as exc:
                    raise InputError(str(exc), file=source.name, line=line) from None
                if judged is None:
                    continue
                key, empty = judged
                papers = 1
                if count_at is not None:
                    try:
                        papers = row_papers(row[count_at])
                    except ValueError as exc:
                        raise InputError(str(exc), file=source.name, line=line) from None
                yield line, key, empty, papers
        except csv.Error as exc:
            raise InputError(
                _csv_message(str(exc), start),
                file=source.name,
                line=reader.line_num if "end of data" not in str(exc) else start,
            ) from None


def judged_row(
    row: list[str], text: str, width: int, indexes: Sequence[int | None]
) -> tuple[Row, bool] | None:
    """A record's fields in ROLES order and whether every field is empty; None for a line that
    is no paper (empty, or only spaces in a one-column file, as in pandas; a quoted blank
    field, ``" "``, is an unmarked paper). ``text`` is the record's last line as written.
    ValueError when its width is not the header's."""
    if not row or (len(row) == 1 and row[0].isspace() and '"' not in text):
        return None
    if len(row) != width:
        raise ValueError(
            f"this row has {len(row)} field{'s' if len(row) != 1 else ''} but the header has "
            f"{width}"
        )
    key = tuple(row[i] if i is not None else "" for i in indexes)
    return key, width > 1 and not any(cell.strip() for cell in row)  # type: ignore[return-value]


def _csv_message(message: str, start: int) -> str:
    if "end of data" in message:
        return "a quoted field is never closed (its quote opens on this line)"
    if "expected after" in message:
        return (
            "malformed quoting: text follows a closing quote (write a quote inside a "
            'quoted field as "")'
        )
    return f"malformed CSV: {message}"


def records(source: Source, layout: Layout) -> Iterator[tuple[int, Row, int]]:
    """Every record as (line where it starts, its fields in ROLES order, papers), validated."""
    for line, key, _, papers in validated_rows(source, layout, ROLES):
        yield line, key, papers


_SPACED = re.compile(rb"^[ \t]+\r?$", re.MULTILINE)


def spaced_lines(source: Source, layout: Layout) -> tuple[int, int | None]:
    """Lines of only spaces in a one-column file, which no reader counts as papers.

    Returns how many, and the first one's line number. The file is scanned in
    blocks with a regular expression, not line by line, so it stays fast.
    """
    found, first, line, carry = 0, None, 1, b""
    with contextlib.suppress(OSError, EOFError), open_binary(source, layout.compressed) as raw:
        while True:
            block = raw.read(1 << 20)
            text = carry + block
            if block:  # the last, unfinished line waits for the next block
                cut = text.rfind(b"\n") + 1
                text, carry = text[:cut], text[cut:]
            at, counted = 0, line
            for match in _SPACED.finditer(text):
                counted += text.count(b"\n", at, match.start())
                at = match.start()
                if counted > 1:  # not the header
                    found += 1
                    first = first or counted
            line += text.count(b"\n")
            if not block:
                break
    return found, first


#: How many rows of an inferred count column are read to see whether it numbers the rows.
SERIAL_ROWS = 1000


def numbers_the_rows(source: Source, layout: Layout, rows: int) -> bool:
    """Whether the count column reads 1, 2, 3, … down the file: a serial number, not papers.

    The first :data:`SERIAL_ROWS` rows decide (all of them in a smaller file);
    fewer than three rows never look like a serial.
    """
    if rows < 3:
        return False
    expected = 1
    with contextlib.suppress(InputError), reading(source, layout):
        for _, _, papers in records(source, layout):
            if papers != expected:
                return False
            if expected == min(rows, SERIAL_ROWS):
                return True
            expected += 1
    return False


def locate(
    source: Source, layout: Layout, problems: Sequence[MarkProblem]
) -> dict[tuple[str, Hashable], int]:
    """The first line of each problem's values: a targeted pass, only on error."""
    wanted = {(p.role, v) for p in problems for v in p.values}
    found: dict[tuple[str, Hashable], int] = {}
    with contextlib.suppress(InputError), reading(source, layout):
        for line, key, _, _ in validated_rows(source, layout, ROLES):
            for role, value in zip(ROLES, key, strict=True):
                if (role, value) in wanted and (role, value) not in found:
                    found[(role, value)] = line
            if len(found) == len(wanted):
                break
    return found


def first_line(problem: MarkProblem, lines: Mapping[tuple[str, Hashable], int]) -> int | None:
    hits = [lines[(problem.role, v)] for v in problem.values if (problem.role, v) in lines]
    return min(hits) if hits else None


def describe(problem: MarkProblem, line: int | str | None) -> str:
    """A problem with its papers and where it is first met: a line, or a record (``CVR 3``)."""
    where = f", first on line {line}" if line else ""
    if isinstance(line, str):
        where = f", first in {line}"
    return (
        f"{problem.message} ({problem.papers:,} paper{'s' if problem.papers != 1 else ''}{where})"
    )


def located(source: Source, layout: Layout, problems: Sequence[MarkProblem]) -> InputError:
    lines = locate(source, layout, problems)
    if len(problems) == 1:
        line = first_line(problems[0], lines)
        return InputError(describe(problems[0], None), file=source.name, line=line)
    described = "; ".join(describe(p, first_line(p, lines)) for p in problems)
    return InputError(f"{len(problems)} problems with names: {described}", file=source.name)
