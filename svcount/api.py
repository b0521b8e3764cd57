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

import json
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from svcount.errors import CountError, InputError, SvcountWarning, UsageError, did_you_mean
from svcount.io import distinct_marks
from svcount.model import Candidate, Provenance, Result
from svcount.operations.margin import SECONDS
from svcount.options import CountOptions, ReadOptions
from svcount.reading.header import ROLES

if TYPE_CHECKING:
    import pandas as pd

    from svcount.operations.diff import Comparison
    from svcount.operations.margin import Margins
    from svcount.operations.verification import Statement

__all__ = ["Tally", "diff", "margin", "read_ballots", "tally", "verification"]


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
    skip_rows: int = 0,
    contest: str | None = None,
) -> pd.DataFrame:
    """A ballot file (of any input format) as a DataFrame of its distinct marks, as written,
    with their papers.

    Columns ``first``, ``second``, then ``rejected`` and ``area`` when the
    file has them, then ``papers``. Marks are not classified here: that is
    :func:`tally`'s work, and it takes this frame back unchanged. A cast vote
    record's preferences are :class:`~svcount.marks.Marked` values (the
    candidates marked, never text to split); ``contest`` chooses its contest.
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
        skip_rows=skip_rows,
        contest=contest,
    )
    marks = distinct_marks(os.fspath(path), options)
    present = marks.roles()
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
    #: What ``svcount tally`` would print as warnings; each is also a :class:`SvcountWarning`.
    warnings: tuple[str, ...] = ()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.result, name)

    def __repr__(self) -> str:
        """One line: the winner, how, and the papers (the figures are in ``to_frame()``)."""
        r = self.result
        won = f"winner={r.winner!r}" if r.winner else f"lot_required={list(r.lot_required)!r}"
        return (
            f"Tally({won}, method={r.method.value!r}, decided_by={r.decided_by.value!r}, "
            f"ballot_papers={r.ballot_papers:,})"
        )

    def _view(self) -> Any:
        """The figures view every format of the result is drawn from."""
        from svcount.figures import view

        return view(self.result, self.provenance)

    def to_markdown(self) -> str:
        """The table output as CommonMark with pipe tables (``svcount tally -f markdown``)."""
        from svcount.render.tables import to_markdown

        return to_markdown(self._view())

    def _repr_html_(self) -> str:
        """A notebook's view: the table output's sections as HTML tables."""
        from svcount.render.blocks import html_fragment
        from svcount.render.tables import result_blocks

        return html_fragment(result_blocks(self._view()))

    def to_dict(self) -> dict[str, Any]:
        """The JSON format of ``svcount tally --format json``, as a dict."""
        from svcount.documents.result import result_json

        return dict(json.loads(result_json(self._view())))

    def to_frame(self) -> pd.DataFrame:
        """The CSV format of ``svcount tally --format csv``: one row per candidate per stage."""
        import io

        import pandas as pd

        from svcount.render.csv import result_csv

        text = result_csv(self._view())
        frame = pd.read_csv(io.StringIO(text), keep_default_na=False, dtype=str)
        for column in ("stage", "first_preferences", "second_preferences", "total"):
            frame[column] = pd.to_numeric(frame[column].replace("", None)).astype("Int64")
        frame["share_pct"] = frame["share_pct"].astype(float)
        return frame


def tally(
    ballots: str | os.PathLike[str] | pd.DataFrame,
    *,
    candidates: Sequence[str | Candidate] | str | os.PathLike[str] | None = None,
    **options: Any,
) -> Tally:
    """Count ballots as ``svcount tally`` does; ``candidates`` is a list or a candidate file.

    Every other keyword is one of the command's count options, named as it is
    with ``_`` for ``-``: {options}. Each is declared once, as a field of
    :class:`~svcount.options.CountOptions`.
    """
    from svcount import pipeline

    source, counting, roster = _prepared(ballots, candidates, options, "tally")
    counted = pipeline.tally(source, counting, roster=roster)
    said = tuple(w.removeprefix("warning: ") for w in counted.warnings)
    for warning in said:
        warnings.warn(warning, SvcountWarning, stacklevel=2)
    return Tally(counted.result, counted.provenance, said)


def margin(
    ballots: str | os.PathLike[str] | pd.DataFrame,
    time_limit: float = SECONDS,
    *,
    candidates: Sequence[str | Candidate] | str | os.PathLike[str] | None = None,
    **options: Any,
) -> Margins:
    """The margins of victory, as ``svcount margin`` gives them; options as :func:`tally`.

    Each is exact unless ``time_limit`` seconds run out first: then
    ``Margin.exact`` is false and ``Margin.lower`` is the fewest papers proven.
    Raises :class:`~svcount.errors.CountError` while a lot is required.
    """
    from svcount import pipeline

    source, counting, roster = _prepared(ballots, candidates, options, "margin")
    counted, found = pipeline.margin(source, counting, time_limit, roster=roster)
    if found is None:
        raise CountError(
            f"no margin yet: a lot is required between {', '.join(counted.result.lot_required)}"
        )
    return found


def diff(before: str | os.PathLike[str], after: str | os.PathLike[str]) -> Comparison:
    """Two result files of one poll compared figure by figure, as ``svcount diff`` does.

    In a notebook the comparison shows what changed as a table; ``to_frame()``
    and ``to_markdown()`` give the same rows.
    """
    from svcount import pipeline

    return pipeline.diff(os.fspath(before), os.fspath(after))


def verification(
    accounts: str | os.PathLike[str],
    *,
    ballots: str | os.PathLike[str] | None = None,
    box_column: str | None = None,
) -> Statement:
    """The statement as to the result of the verification, as ``svcount verification``
    makes it: from the ballot paper accounts, each box's papers counted from ``ballots``'
    ``box_column`` when both are given."""
    from svcount.tasks import verification as made

    if (ballots is None) != (box_column is None):
        raise UsageError("give ballots and box_column together: the box column is of that file")
    found, _ = made(
        os.fspath(accounts), None if ballots is None else os.fspath(ballots), box_column
    )
    return found


#: The count options a library call takes by keyword: every one but the candidate list.
OPTIONS = tuple(name for name in CountOptions.names() if name != "candidates")
for _call in (tally, margin):
    _call.__doc__ = (_call.__doc__ or "").replace("{options}", ", ".join(OPTIONS))


def _prepared(
    ballots: str | os.PathLike[str] | pd.DataFrame,
    candidates: Sequence[str | Candidate] | str | os.PathLike[str] | None,
    given: Mapping[str, Any],
    call: str,
) -> tuple[str | pd.DataFrame, CountOptions, tuple[Candidate, ...] | None]:
    """The source, options and candidates of a library call, checked as the command checks them:
    each option by the type its field declares, a wrong name or type a TypeError naming it."""
    if not isinstance(ballots, str | os.PathLike):
        import pandas as pd

        if not isinstance(ballots, pd.DataFrame):
            raise TypeError(
                "ballots: expected a path or a pandas DataFrame, got "
                f"{type(ballots).__name__} (for a list of papers: pd.DataFrame({{'first': ...}}))"
            )
    kinds = CountOptions.types()
    checked: dict[str, Any] = {}
    for name, value in given.items():
        if name not in OPTIONS:
            raise TypeError(
                f"{call}() got an unexpected keyword argument {name!r}"
                f"{did_you_mean(name, list(OPTIONS))}"
            )
        if value is not None:
            checked[name] = _typed(value, name, kinds[name])
    roster = _roster(candidates)
    if isinstance(candidates, str | os.PathLike):
        checked["candidates"] = os.fspath(candidates)
    options = CountOptions.of(**checked)
    options.check()
    source = os.fspath(ballots) if isinstance(ballots, str | os.PathLike) else ballots
    return source, options, roster


def _typed(value: object, name: str, kind: type) -> object:
    """An option's value of the type its field declares (a path for a file's name)."""
    if kind is int:
        return _whole(value, name)
    if kind is bool:
        if not isinstance(value, bool):
            raise TypeError(f"{name}: expected True or False, got {value!r}")
        return value
    if isinstance(value, os.PathLike) and name.endswith("_file"):
        return os.fspath(value)
    return _text(value, name)


def _whole(value: object, parameter: str) -> int | None:
    """A whole-number parameter (Python or NumPy integer), or a TypeError naming it.

    ``"100"``, ``10.7`` and ``True`` are refused: a seed or an electorate is a
    number, so one seed gives one draw everywhere.
    """
    import operator

    if value is None:
        return None
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise TypeError(
            f"{parameter}: expected a whole number, got {type(value).__name__} {value!r}"
        )
    number = operator.index(value)  # type: ignore[arg-type]
    if number < 0:
        raise UsageError(f"{parameter} must be at least 0, not {number}")
    return number


def _text(value: object, parameter: str) -> str:
    """A string parameter, or a TypeError that names the parameter."""
    if not isinstance(value, str):
        raise TypeError(f"{parameter}: expected a name (str), got {type(value).__name__} {value!r}")
    return value


def _roster(
    candidates: Sequence[str | Candidate] | str | os.PathLike[str] | None,
) -> tuple[Candidate, ...] | None:
    """A list of names or candidates, checked; a candidate file is read by the pipeline."""
    from svcount.names import NameError_
    from svcount.names import name as name_policy

    if candidates is None or isinstance(candidates, str | os.PathLike):
        return None  # a candidate file: read by the pipeline, for a file or a DataFrame alike
    given: Any = candidates
    if type(given).__name__ == "DataFrame" and hasattr(given, "columns"):
        from svcount.reading.lists import frame_candidates

        given = [Candidate(n, p) for n, p in frame_candidates(given)]  # name (and party)
    elif type(given).__name__ == "Series" and hasattr(given, "tolist"):
        given = given.tolist()
    if isinstance(given, bytes | Mapping) or not hasattr(given, "__iter__"):
        raise TypeError(
            "candidates: expected a list of names, a DataFrame of names (and parties) or a "
            f"candidate file's path, got {type(given).__name__}"
        )
    try:
        roster = tuple(
            Candidate(
                name_policy(c.name, "candidate"),
                None if c.party is None else name_policy(c.party, "party") or None,
            )
            if isinstance(c, Candidate)
            else Candidate(name_policy(_text(c, "candidates"), "candidate"))
            for c in given
        )
    except NameError_ as exc:
        raise InputError(str(exc)) from None
    names = [c.name.casefold() for c in roster]
    dupes = sorted({c.name for c in roster if names.count(c.name.casefold()) > 1})
    if dupes:
        raise InputError(f"candidate listed more than once: {', '.join(map(repr, dupes))}")
    return roster
