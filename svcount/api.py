"""svcount for notebooks: ballots as pandas DataFrames, a count as one call.

    import svcount
    df = svcount.read_ballots("ballots.csv.gz")     # distinct marks with their papers
    result = svcount.tally(df, candidates=["Ann", "Bob", "Cy"], electorate=120)
    result.winner; result.to_dict(); result.to_frame()

:func:`tally` takes a path, a DataFrame of one row per paper, or a DataFrame
with a count column, and counts it exactly as ``svcount tally`` does: the same
column names, the same rules for marks, the same typed errors and messages
(:class:`~svcount.errors.InputError`, :class:`~svcount.errors.CountError`).
In a DataFrame a missing value (``NaN``, ``None``, ``pd.NA``) is a blank.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from svcount.errors import InputError, MarkError
from svcount.io import (
    ROLES,
    ReadOptions,
    Row,
    classify_marks,
    find_columns,
    open_source,
    read_marks,
    sniff,
)
from svcount.model import Candidate, Method, Result
from svcount.options import CountOptions
from svcount.pipeline import Provenance

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Tally", "read_ballots", "tally"]

FRAME = "DataFrame"  # how errors and provenance name a DataFrame given to tally


def read_ballots(
    path: str | os.PathLike[str],
    *,
    first_column: str | None = None,
    second_column: str | None = None,
    rejected_column: str | None = None,
    area_column: str | None = None,
    count_column: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> pd.DataFrame:
    """A ballot file as a DataFrame of its distinct marks, as written, with their papers.

    Columns ``first``, ``second``, then ``rejected`` and ``area`` when the
    file has them, then ``papers``. Marks are not classified here: that is
    :func:`tally`'s work, and it takes this frame back unchanged.
    """
    import pandas as pd

    options = ReadOptions(
        first_column=first_column,
        second_column=second_column,
        rejected_column=rejected_column,
        area_column=area_column,
        count_column=count_column,
        encoding=encoding,
        delimiter=delimiter,
    )
    with open_source(os.fspath(path)) as source:
        layout = sniff(source, options)
        marks = read_marks(source, layout, options)
    present = [r for r in ROLES if r in ("first", "second") or r in layout.columns]
    rows = [
        [*(key[ROLES.index(r)] for r in present), papers] for key, papers in marks.counts.items()
    ]
    return pd.DataFrame(rows, columns=[*present, "papers"])


@dataclass(frozen=True)
class Tally:
    """A count's :class:`~svcount.model.Result` with what is needed to publish it.

    Every attribute of the result is read through (``winner``, ``stage_one``,
    ``final``, ...).
    """

    result: Result
    provenance: Provenance

    def __getattr__(self, name: str) -> Any:
        return getattr(self.result, name)

    def to_dict(self) -> dict[str, Any]:
        """The JSON format of ``svcount tally --format json``, as a dict."""
        from svcount.render.tables import to_json

        return dict(json.loads(to_json(self.result, self.provenance)))

    def to_frame(self) -> pd.DataFrame:
        """The CSV format of ``svcount tally --format csv``: one row per candidate per stage."""
        import io

        import pandas as pd

        from svcount.render.tables import to_csv

        frame = pd.read_csv(io.StringIO(to_csv(self.result)), keep_default_na=False, dtype=str)
        for column in ("stage", "first_preferences", "second_preferences", "total"):
            frame[column] = pd.to_numeric(frame[column].replace("", None)).astype("Int64")
        frame["share_pct"] = frame["share_pct"].astype(float)
        return frame


def tally(
    ballots: str | os.PathLike[str] | pd.DataFrame,
    *,
    candidates: Sequence[str | Candidate] | str | os.PathLike[str] | None = None,
    method: Method | str | None = None,
    electorate: int | None = None,
    electorate_file: str | os.PathLike[str] | None = None,
    lot: str | None = None,
    seed: int | None = None,
    separator: str = "|;",
    uncertain_marker: str = "?",
    unknown_as_void: bool = False,
    count_column: str | None = None,
    **columns: str | None,
) -> Tally:
    """Count ballots as ``svcount tally`` does; ``candidates`` is a list or a candidate file.

    ``columns`` are the other reading options of the command (``first_column``,
    ``second_column``, ``rejected_column``, ``area_column``, ``encoding``,
    ``delimiter``).
    """
    from svcount import pipeline

    roster = _roster(candidates)
    options = CountOptions().merged(
        {
            "method": method,
            "candidates": candidates if isinstance(candidates, str | os.PathLike) else None,
            "electorate": electorate,
            "electorate_file": electorate_file,
            "lot": lot,
            "seed": seed,
            "separator": separator,
            "uncertain_marker": uncertain_marker,
            "unknown_as_void": unknown_as_void,
            "count_column": count_column,
            **_known(columns),
        }
    )
    options.check()
    if isinstance(ballots, str | os.PathLike):
        from svcount.io import load

        loaded = load(
            os.fspath(ballots),
            method=options.method,
            candidates=roster,
            options=pipeline.read_options(options),
            rules=options.rules(),
        )
        return Tally(pipeline.count_loaded(loaded, options), pipeline.provenance(loaded, options))
    return _tally_frame(ballots, roster, options)


def _known(columns: Mapping[str, str | None]) -> dict[str, str | None]:
    allowed = {"first_column", "second_column", "rejected_column", "area_column"}
    allowed |= {"encoding", "delimiter"}
    unknown = sorted(set(columns) - allowed)
    if unknown:
        raise TypeError(f"tally() got unexpected keyword arguments: {', '.join(unknown)}")
    return dict(columns)


def _roster(
    candidates: Sequence[str | Candidate] | str | os.PathLike[str] | None,
) -> tuple[Candidate, ...] | None:
    from svcount.documents.files import read_candidates
    from svcount.marks import normalise_name

    if candidates is None:
        return None
    if isinstance(candidates, str | os.PathLike):
        return read_candidates(os.fspath(candidates))
    roster = tuple(
        c if isinstance(c, Candidate) else Candidate(normalise_name(c)) for c in candidates
    )
    names = [c.name.casefold() for c in roster]
    dupes = sorted({c.name for c in roster if names.count(c.name.casefold()) > 1})
    if dupes:
        raise InputError(f"candidate listed more than once: {', '.join(map(repr, dupes))}")
    return roster


def _tally_frame(
    frame: pd.DataFrame, roster: tuple[Candidate, ...] | None, options: CountOptions
) -> Tally:
    """A DataFrame counted: its columns found as a header's are, its rows grouped first."""
    from svcount import __version__, pipeline
    from svcount.count import count, count_by_area
    from svcount.errors import CountError
    from svcount.io import MAX_ROW_PAPERS, describe

    header = [str(c) for c in frame.columns]
    columns = find_columns(header, pipeline.read_options(options), FRAME)
    has_second = "second" in columns
    method = options.method or (Method.SV if has_second else Method.FPTP)
    if method is Method.SV and not has_second:
        raise InputError("--method sv needs a second-preference column", file=FRAME)
    roles = [r for r in ROLES if r in columns and not (r == "second" and method is Method.FPTP)]
    marks = frame.iloc[:, [columns[r] for r in roles]].astype(object)
    marks = marks.where(marks.notna(), "").astype(str)
    marks.columns = roles
    if "count" in columns:
        papers = frame.iloc[:, columns["count"]]
        if papers.isna().any() or not all(float(v).is_integer() for v in papers):
            raise InputError("the count column must hold whole numbers of papers", file=FRAME)
        papers = papers.astype("int64")
        if (papers < 0).any() or (papers > MAX_ROW_PAPERS).any():
            raise InputError(
                f"the count column must hold numbers of papers from 0 to {MAX_ROW_PAPERS:,}",
                file=FRAME,
            )
    else:
        papers = None
    grouped = (
        marks.assign(papers=1 if papers is None else papers.to_numpy())
        .groupby(roles, sort=False, dropna=False)["papers"]
        .sum()
    )
    counts: Counter[Row] = Counter()
    for key, n in grouped.items():
        values = dict(zip(roles, key if isinstance(key, tuple) else (key,), strict=True))
        row: Row = tuple(values.get(r, "") for r in ROLES)
        counts[row] += int(n)
    try:
        classified, areas = classify_marks(counts, "area" in roles, roster, options.rules())
    except MarkError as exc:
        described = "; ".join(describe(p, None) for p in exc.problems)
        raise InputError(described, file=FRAME) from None
    lot = options.lot_instruction()
    electorates, issued = (
        pipeline.area_figures(options.electorate_file, areas, options.encoding)
        if areas is not None
        else ({}, {})
    )
    try:
        if areas is not None:
            result = count_by_area(
                areas,
                method,
                lot=lot,
                electorate=options.electorate,
                electorates=electorates,
                issued=issued,
            )
        else:
            result = count(classified.ballots, method, lot=lot, electorate=options.electorate)
    except CountError as exc:
        raise CountError(f"{FRAME}: {exc}") from None
    digest = hashlib.sha256(
        json.dumps(sorted((list(k), v) for k, v in counts.items())).encode()
    ).hexdigest()
    record = options.record()
    record["method"] = method.value
    provenance = Provenance(
        file=FRAME,
        sha256=digest,
        rows=len(frame),
        columns={
            r: header[columns[r]] if r in columns else None for r in ("first", "second", "rejected")
        },
        options=record,
        version=__version__,
    )
    return Tally(result, provenance)
