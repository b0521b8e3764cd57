"""A pandas DataFrame read as a ballot file is: columns found as a header's are, rows grouped.

The notebook API counts a DataFrame of one row per paper (or with a count
column) exactly as the command counts a file: the same column names, the same
rules for marks, the same typed errors. A missing value is a blank.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from svcount.errors import InputError, MarkError, whole_number
from svcount.marks import Field, Marked, classify_by_area
from svcount.model import Ballots, Candidate, Method, Provenance
from svcount.options import CountOptions
from svcount.reading.header import ROLES, Row, find_columns
from svcount.reading.rows import MAX_ROW_PAPERS, describe
from svcount.reading.unused import refuse_headings, refuse_look_alikes

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FRAME", "FrameMarks", "frame_marks"]

FRAME = "DataFrame"  # how errors and provenance name a DataFrame given to tally


@dataclass(frozen=True)
class FrameMarks:
    """A DataFrame's papers, classified and ready to count."""

    ballots: Ballots
    areas: Mapping[str, Ballots] | None
    method: Method
    counts: Mapping[Row, int]
    rows: int
    columns: Mapping[str, str | None]
    file: str = FRAME

    def provenance(self, options: CountOptions) -> Provenance:
        from svcount.version import version

        rows = sorted(self.counts.items(), key=lambda kv: ([_order(f) for f in kv[0]], kv[1]))
        plain = [[[_plain(f) for f in k], v] for k, v in rows]
        digest = hashlib.sha256(json.dumps(plain).encode()).hexdigest()
        record = options.record()
        record["method"] = self.method.value
        return Provenance(
            file=FRAME,
            sha256=digest,
            rows=self.rows,
            columns=self.columns,
            options=record,
            version=version(),
        )


def _plain(value: Field) -> object:
    """A mark as JSON: text as it is, a structured preference as its names and uncertainty."""
    return value if isinstance(value, str) else {"names": value.names, "uncertain": value.uncertain}


def _order(value: Field) -> tuple[int, str]:
    """Text in its own order, structured preferences after it."""
    return (0, value) if isinstance(value, str) else (1, repr(value))


def _papers(frame: pd.DataFrame, index: int) -> pd.Series:
    """The count column as whole numbers of papers, checked."""
    papers = frame.iloc[:, index]

    def whole(v: object) -> int:  # 3.0 from a float column is 3; 1.5, NaN and True are not
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return whole_number(v, "the count column", text=True)

    try:  # each distinct value once, not each row: a count column has few of them
        distinct = {v: whole(v) for v in papers.drop_duplicates().tolist()}
    except ValueError as exc:  # NaN, True, 1.5, "1e1", "x": each named, never a raw error
        message = f"the count column must hold whole numbers of papers ({exc})"
        raise InputError(message, file=FRAME) from None
    if any(n > MAX_ROW_PAPERS for n in distinct.values()):
        raise InputError(
            f"the count column must hold numbers of papers from 0 to {MAX_ROW_PAPERS:,}",
            file=FRAME,
        )
    return papers.map(distinct).astype("int64")


def _grouped(frame: pd.DataFrame, columns: Mapping[str, int], roles: list[str]) -> Counter[Row]:
    """Distinct marks (blanks for missing values) with their papers, in ROLES order."""
    marks = frame.iloc[:, [columns[r] for r in roles]].astype(object)
    marks = marks.where(marks.notna(), "")
    marks.columns = roles
    papers = _papers(frame, columns["count"]) if "count" in columns else None
    grouped = (
        marks.assign(papers=1 if papers is None else papers.to_numpy())
        .groupby(roles, sort=False, dropna=False)["papers"]
        .sum()
    )
    counts: Counter[Row] = Counter()
    for key, n in grouped.items():  # each distinct value made text once, not each cell
        values = dict(zip(roles, key if isinstance(key, tuple) else (key,), strict=True))
        row: Row = tuple(_text(values.get(r, "")) for r in ROLES)  # type: ignore[assignment]
        counts[row] += int(n)
    return counts


def _text(value: object) -> Field:
    """A cell as a mark: a structured preference (from ``read_ballots`` of a CVR) as it is."""
    return value if isinstance(value, Marked) else str(value)


def frame_marks(
    frame: pd.DataFrame, options: CountOptions, roster: tuple[Candidate, ...] | None
) -> FrameMarks:
    """A DataFrame's marks, read and classified (rules 1-2) as a ballot file's are."""
    header = [str(c) for c in frame.columns]
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        raise InputError(f"the DataFrame has two columns named {twice[0]!r}", file=FRAME)
    columns = find_columns(header, options.reading, FRAME)
    unused = refuse_look_alikes(header, columns, options.rules.method, FRAME)
    if "rejected" not in columns:
        for i, name in unused:
            for value in frame.iloc[:, i].dropna().astype(str).unique():
                refuse_headings({name: str(value)}, FRAME, None)
    has_second = "second" in columns
    method = options.rules.method or (Method.SV if has_second else Method.FPTP)
    if method is Method.SV and not has_second:
        raise InputError("--method sv needs a second-preference column", file=FRAME)
    roles = [r for r in ROLES if r in columns and not (r == "second" and method is Method.FPTP)]
    counts = _grouped(frame, columns, roles)
    try:
        classified, areas = classify_by_area(
            counts, "area" in roles, roster, options.reading.mark_rules()
        )
    except MarkError as exc:
        described = "; ".join(describe(p, None) for p in exc.problems)
        raise InputError(described, file=FRAME) from None
    named = {
        r: header[columns[r]] if r in columns else None for r in ("first", "second", "rejected")
    }
    return FrameMarks(classified.ballots, areas, method, counts, len(frame), named)
