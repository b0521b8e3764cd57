"""The count-night protocol across separate files (PCC Order 2012 Sch. 3 r.57-60).

Each local returning officer counts their own voting area and sends the first
count to the police area returning officer (a *local* file, stage ``first``).
The PARO adds them up and decides who remains (a *total* file). If nobody was
elected, each local count counts the second preferences on its excluded
candidates' papers for those remaining candidates (a local file, stage
``second``), and the PARO declares the result from all of them.

Because the local figures are those of :func:`svcount.count.first_preferences`
and :func:`svcount.count.transfers`, the combined result is, figure for figure,
that of one count of all the papers.

Every file crosses a trust boundary, so each is checked when it is read back:

- its own arithmetic (papers = valid + rejected, first preferences sum to the
  valid votes, transfers and non-transferable papers sum to the excluded
  candidates' papers), and a ``digest`` of its own content, so an edit is found;
- its ties: a second count names the first count of its area and the total it
  was made from, and was made from the same ballot file; its excluded papers
  are what that first count gave the excluded candidates. ``combine`` checks
  every tie and refuses, naming both files, what does not belong together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import reduce
from operator import add
from typing import Any

from svcount.count import first_preferences, stage_one, transfers
from svcount.documents.local import (
    BallotFile,
    Combined,
    LocalCount,
    Total,
    first_figures,
    marks_digest,
)
from svcount.documents.seal import canonical_digest
from svcount.errors import CountError, InputError, UsageError
from svcount.io import Loaded
from svcount.marks import area_order, shown
from svcount.model import Ballots, Method, StageOne, Turnout
from svcount.options import first_difference, policed

__all__ = ["choose_area", "combine", "first_count", "local_count", "second_count"]


def choose_area(
    ballots: Ballots, areas: Mapping[str, Ballots] | None, area: str | None, file: str
) -> tuple[str, Ballots]:
    """The voting area a local count is for, and its papers.

    A file without an area column is all one area, named by ``area``; a file
    with one gives its papers for ``area`` (which may be left out when the
    file holds just one).
    """
    if areas is None:
        if area is None:
            raise UsageError("--stage needs --area NAME: the voting area this count is for")
        return policed("--area", area), ballots
    if area is None:
        if len(areas) != 1:
            raise UsageError(f"the file holds {len(areas)} voting areas: choose one with --area")
        return next(iter(areas.items()))
    wanted = policed("--area", area)
    if wanted not in areas:
        held = ", ".join(map(shown, areas))
        message = f"no papers for the area {shown(wanted)} (the file has: {held})"
        raise InputError(message, file=file)
    return wanted, areas[wanted]


def first_count(
    *,
    area: str,
    papers: Ballots,
    method: Method,
    source: BallotFile,
    electorate: int | None = None,
) -> LocalCount:
    """A voting area's first count (stage ``first``): its papers' own figures."""
    name = area
    first = first_preferences(papers)
    if electorate is not None:
        Turnout.of(first.ballot_papers, first.valid, electorate, name)
    return LocalCount(
        path="",
        stage="first",
        area=name,
        method=method,
        candidates=papers.candidates,
        source=source,
        first=first,
        electorate=electorate,
    )


def second_count(
    *,
    area: str,
    papers: Ballots,
    method: Method,
    source: BallotFile,
    total: Total,
) -> LocalCount:
    """A voting area's second count (stage ``second``) for the total's remaining candidates.

    Refuses ballots other than those of the area's first count: the ballot
    file's SHA-256 and the figures of its first count must both be the ones
    the total was made from.
    """
    name = area
    if (total.candidates, total.method) != (papers.candidates, method):
        raise InputError(
            "a different election: its candidates or method differ from this count's",
            file=total.path,
        )
    ref = next((r for r in total.first_counts if r.area == name), None)
    if ref is None:
        raise InputError(f"the total has no first count for {name!r}", file=total.path)
    if ref.sha256 != source.sha256:
        raise InputError(
            f"{name}'s first count ({ref.file}) was made from another ballot file (sha256 "
            f"{ref.sha256[:12]}…, this one {source.sha256[:12]}…): count the second "
            "preferences from the same file",
            file=source.file,
        )
    differs = first_difference(source.options, ref.options)
    if differs is not None:
        raise InputError(
            f"these ballots were read with other options than {name}'s first count "
            f"({ref.file}): {differs}. Count the second preferences with the options "
            "of the first",
            file=source.file,
        )
    if ref.marks != source.marks or (
        canonical_digest(first_figures(first_preferences(papers))) != ref.figures
    ):
        raise InputError(
            f"these ballots, read with these options, are not the papers of {name}'s first "
            f"count ({ref.file}): its mark table differs. Count the second preferences from "
            "the same file with the same options (columns, count column, separator, marker) "
            "as the first",
            file=source.file,
        )
    return LocalCount(
        path="",
        stage="second",
        area=name,
        method=method,
        candidates=papers.candidates,
        source=source,
        transfers=transfers(papers, total.remaining),
        remaining_from=(total.path, total.digest),
        first_counts={r.area: r.digest for r in total.first_counts},
    )


def local_count(
    loaded: Loaded,
    area: str | None,
    options: Mapping[str, Any],
    *,
    electorate: int | None = None,
    total: Total | None = None,
) -> LocalCount:
    """A loaded ballot file's local count: its first count, or with ``total`` its second.

    ``options`` records every option the file was read with (``CountOptions.record``).
    """
    name, papers = choose_area(loaded.ballots, loaded.areas, area, loaded.file)
    source = BallotFile(
        loaded.file,
        loaded.sha256,
        loaded.column_name("area") if loaded.areas is not None else None,
        marks=marks_digest(papers),
        options=options,
    )
    if total is None:
        return first_count(
            area=name, papers=papers, method=loaded.method, source=source, electorate=electorate
        )
    return second_count(area=name, papers=papers, method=loaded.method, source=source, total=total)


def _differ(what: str, local: LocalCount, other: LocalCount) -> InputError:
    return InputError(f"{what} (compare {other.path})", file=local.path)


def _one_election(local: LocalCount, reference: LocalCount) -> None:
    """The same candidates, method and rule for unknown names as the first file."""
    if (local.candidates, local.method) != (reference.candidates, reference.method):
        what = "method" if local.method != reference.method else "candidate list"
        raise InputError(
            f"a different election: its {what} differs from that in {reference.path}",
            file=local.path,
        )
    if local.election != reference.election:
        said = [f"the poll {e!r}" if e else "no poll" for e in (local.election, reference.election)]
        raise InputError(
            f"another poll: this file names {said[0]}, {reference.path} {said[1]} (--election)",
            file=local.path,
        )
    rule = "unknown_as_void"
    if local.source.options.get(rule) != reference.source.options.get(rule):
        raise InputError(
            "one poll, one rule for unknown names: counted "
            f"{'with' if local.source.options.get(rule) else 'without'} --unknown-as-void, "
            f"unlike {reference.path}",
            file=local.path,
        )


def _twins(local: LocalCount, twin: LocalCount) -> InputError:
    """Two areas of one mark table: the same papers would be counted twice."""
    return _differ(
        f"{twin.area!r} and {local.area!r} hold the same papers, read the same way "
        f"(one mark table, from {twin.source.file} and {local.source.file}): they "
        "would be counted twice. Count each area's own ballot file",
        local,
        twin,
    )


def _by_stage(counts: Sequence[LocalCount]) -> tuple[dict[str, LocalCount], dict[str, LocalCount]]:
    """Each area's first and second counts: one election, one file per area and stage.

    An area is its name as names are read, whatever its case; "the same
    ballots" are the same classified mark table, whatever the bytes. Two
    areas with one table are refused, always: --areas admits no twins.
    """
    reference = counts[0]
    firsts: dict[str, LocalCount] = {}
    seconds: dict[str, LocalCount] = {}
    seen: dict[tuple[str, str], LocalCount] = {}
    by_marks: dict[str, LocalCount] = {}
    for local in counts:
        _one_election(local, reference)
        other = seen.get((local.stage, local.area.casefold()))
        if other is not None:
            raise InputError(
                f"a second {local.stage}-stage count for {local.area!r} "
                f"(the first is {other.path}, for {other.area!r})",
                file=local.path,
            )
        seen[(local.stage, local.area.casefold())] = local
        (firsts if local.stage == "first" else seconds)[local.area] = local
        if local.stage != "first":
            continue
        twin = by_marks.get(local.source.marks)
        if twin is not None:
            raise _twins(local, twin)
        by_marks[local.source.marks] = local
    return firsts, seconds


def _as_listed(firsts: dict[str, LocalCount], areas: Sequence[str]) -> None:
    """The areas file must list exactly the areas of the first counts."""
    missing = [a for a in areas if a not in firsts]
    unknown = [a for a in firsts if a not in areas]
    if missing or unknown:
        parts = [f"missing {', '.join(missing)}" if missing else ""]
        parts.append(f"not in the list {', '.join(unknown)}" if unknown else "")
        raise InputError(
            "the local counts do not match the list of areas: " + "; ".join(p for p in parts if p)
        )


def combine(counts: Sequence[LocalCount], areas: Sequence[str] | None = None) -> Combined:
    """Check local counts belong together, then add them up.

    Refuses: two files for one area at one stage; one ballot file counted as
    two areas; different elections (candidates or method); transfers without
    a first count, counted for other remaining candidates than the totals
    leave, from another ballot file or first count, or for a number of
    excluded papers other than the first count gives; a missing area when
    ``areas`` lists them.
    """
    if not counts:
        raise InputError("no local count files given")
    reference = counts[0]
    firsts, seconds = _by_stage(counts)
    orphans = [a for a in seconds if a not in firsts]
    if orphans:
        raise InputError(f"second-stage counts without a first-stage count: {', '.join(orphans)}")
    if areas is not None:
        _as_listed(firsts, areas)
    firsts = {a: firsts[a] for a in sorted(firsts, key=area_order)}  # as a whole count orders
    totals = {a: local.first for a, local in firsts.items() if local.first is not None}
    try:
        stage = stage_one(reduce(add, totals.values()), reference.method)
    except CountError as exc:
        raise InputError(str(exc)) from None
    digests = {a: local.digest for a, local in firsts.items()}
    for area, second in seconds.items():
        _check_tie(second, firsts[area], stage, digests)
    if seconds:
        missing = [a for a in firsts if a not in seconds]
        if missing:
            raise InputError(f"second-stage counts are missing for: {', '.join(missing)}")
    electorates = {a: lc.electorate for a, lc in firsts.items() if lc.electorate is not None}
    return Combined(
        method=reference.method,
        firsts=totals,
        moved={a: t for a in firsts if a in seconds and (t := seconds[a].transfers) is not None},
        electorates=electorates if len(electorates) == len(firsts) else {},
        stage=stage,
        first_counts=tuple(firsts.values()),
        election=reference.election,
    )


def _check_tie(
    second: LocalCount, first: LocalCount, stage: StageOne, digests: Mapping[str, str]
) -> None:
    """A second count must have been made from this first count, for these totals."""
    moved = second.transfers
    assert moved is not None and second.remaining_from is not None and first.first is not None
    area = second.area
    if moved.remaining != stage.remaining:
        raise InputError(
            f"the second count for {area!r} was made for {', '.join(moved.remaining)} "
            f"remaining, but the first counts leave "
            f"{', '.join(stage.remaining) or 'nobody to transfer to'}",
            file=second.path,
        )
    if second.source.sha256 != first.source.sha256:
        raise _differ(
            f"the second count for {area!r} was made from another ballot file than its first "
            f"count ({second.source.file}, not {first.source.file})",
            second,
            first,
        )
    differs = first_difference(second.source.options, first.source.options)
    if differs is not None:
        raise _differ(
            f"the second count for {area!r} read its ballots with other options than its "
            f"first count: {differs}",
            second,
            first,
        )
    if second.source.marks != first.source.marks:
        raise _differ(
            f"the second count for {area!r} was made from other papers, or papers read with "
            "other options, than its first count: their mark tables differ",
            second,
            first,
        )
    if dict(second.first_counts) != dict(digests):
        raise _differ(
            f"the second count for {area!r} was made from a total "
            f"({second.remaining_from[0]}) of other "
            "first counts than those given here",
            second,
            first,
        )
    excluded = sum(first.first.votes[n] for n in stage.excluded)
    if moved.excluded_papers != excluded:
        raise _differ(
            f"the second count for {area!r} looked at {moved.excluded_papers:,} papers of "
            f"excluded candidates, but its first count gives them {excluded:,}",
            second,
            first,
        )
