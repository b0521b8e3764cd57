"""Ballot files from published figures: the reverse of a count.

A figures file states every figure a count reports (see the README). Where a
figure was not published it must still be given, and listed under
``assumed`` with the reason: synth never invents a number silently. The one
thing it does choose is what nobody counts: papers that are never looked at
again after stage one carry no second preference, and the excluded
candidates' transfers are shared among them at random (seeded).

Works per distinct kind of paper, so writing millions of rows takes seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from svcount.count import (
    stage_one,
)
from svcount.documents.seal import Fields
from svcount.documents.writing import csv_line
from svcount.errors import InputError
from svcount.model import (
    FPTP_HEADINGS,
    STAGE_TWO_HEADS,
    SV_HEADINGS,
    Candidate,
    FirstPreferences,
    Method,
    NotCounted,
    Rejection,
)

__all__ = ["Figures", "read_figures", "synthesise", "FIGURES_SCHEMA"]

FIGURES_SCHEMA = "svcount-figures/1"
SEPARATOR, UNCERTAIN = "|", "?"
ADJUDICATED = (Rejection.WANT_OF_OFFICIAL_MARK, Rejection.IDENTIFYING_MARK)


@dataclass(frozen=True)
class Part:
    """The figures of some papers: the whole poll, or one voting area."""

    first: Mapping[str, int]
    rejected: Mapping[Rejection, int]
    transfers: Mapping[str, int]  # to each remaining candidate; empty without a stage two
    non_transferable: Mapping[NotCounted, int]
    name: str = ""  # the voting area; "" for the whole poll
    electorate: int | None = None
    issued: int | None = None  # ballot papers issued, if known


@dataclass(frozen=True)
class Figures:
    """A validated figures file."""

    method: Method
    candidates: tuple[Candidate, ...]
    first: Mapping[str, int]
    rejected: Mapping[Rejection, int]
    transfers: Mapping[str, int]  # to each remaining candidate; empty without a stage two
    non_transferable: Mapping[NotCounted, int]
    remaining: tuple[str, ...]
    excluded: tuple[str, ...]
    electorate: int | None = None
    assumed: Mapping[str, str] = field(default_factory=dict)
    title: str = ""
    areas: tuple[Part, ...] = ()

    @property
    def ballot_papers(self) -> int:
        return sum(self.first.values()) + sum(self.rejected.values())


def read_figures(path: str) -> Figures:
    """Read and check a figures file; every inconsistency is an InputError naming it."""
    from svcount.documents.seal import read_json

    doc, _ = read_json(path)
    try:
        return parse_figures(doc)
    except InputError as exc:
        raise InputError(exc.message, file=path) from None


_ASSUMED = ' (give one; if it was not published, say so under "assumed")'


def _table(doc: Mapping[str, Any], key: str, names: list[str], where: str) -> dict[str, int]:
    """``doc[key]`` with a figure for exactly ``names``."""
    return Fields(doc, None).table(key, names, of=where, missing_hint=_ASSUMED)


def _count(value: Any, where: str) -> int:
    return Fields({}, None).number(value, where)


def _stage_two(
    doc: Mapping[str, Any],
    first: Mapping[str, int],
    names: list[str],
    remaining: tuple[str, ...],
    excluded: tuple[str, ...],
) -> tuple[dict[str, int], dict[NotCounted, int]]:
    """The second preferences and papers not transferred: exactly the excluded papers."""
    if not excluded:
        for key in ("second_preferences", "non_transferable"):
            if doc.get(key):
                raise InputError(
                    f"{key} given, but stage one decides this count: nobody is "
                    "excluded, so no second preferences are counted"
                )
        return {}, {}
    transfers = _table(doc, "second_preferences", list(remaining), "remaining candidates")
    heads = [h.value for h in STAGE_TWO_HEADS]
    non_transferable = {
        NotCounted(k): v for k, v in _table(doc, "non_transferable", heads, "heads").items()
    }
    papers = sum(first[n] for n in excluded)
    moved = sum(transfers.values()) + sum(non_transferable.values())
    if moved != papers:
        raise InputError(
            f"second_preferences ({sum(transfers.values()):,}) and non_transferable "
            f"({sum(non_transferable.values()):,}) add up to {moved:,}, but the excluded "
            f"candidates ({', '.join(excluded)}) have {papers:,} papers"
        )
    if non_transferable[NotCounted.NOT_REMAINING] and len(excluded) < 2:
        raise InputError(
            "non_transferable.not_remaining needs two or more excluded candidates "
            "(a second preference for another excluded candidate)"
        )
    if non_transferable[NotCounted.MORE_THAN_ONE] and len(names) < 2:
        raise InputError("non_transferable.more_than_one_candidate needs two candidates")
    return transfers, non_transferable


def _assumed(doc: Mapping[str, Any]) -> dict[str, str]:
    """Which figures were assumed, and why: each must name a figure of the file."""
    assumed = doc.get("assumed", {})
    if not isinstance(assumed, dict) or not all(isinstance(v, str) for v in assumed.values()):
        raise InputError('"assumed" maps a figure\'s path to why its value was assumed')
    unknown = [k for k in assumed if k.split(".")[0] not in doc]
    if unknown:
        raise InputError(f"assumed names figures that are not in the file: {', '.join(unknown)}")
    return assumed


def parse_figures(doc: Any) -> Figures:
    """Check a figures document (already parsed from JSON)."""
    if not isinstance(doc, dict):
        raise InputError("a figures file is a JSON object")
    try:
        method = Method(doc.get("method", "sv"))
    except ValueError:
        raise InputError(f"method must be sv or fptp, not {doc.get('method')!r}") from None
    candidates = _candidates(doc.get("candidates"))
    names = [c.name for c in candidates]
    first = _table(doc, "first_preferences", names, "candidates")
    headings = SV_HEADINGS if method is Method.SV else FPTP_HEADINGS
    rejected = {
        Rejection(k): v
        for k, v in _table(doc, "rejected", [h.value for h in headings], "headings").items()
    }
    valid = sum(first.values())
    if rejected[Rejection.MORE_THAN_ONE_CANDIDATE] and len(names) < 2:
        raise InputError("rejected.voting_for_more_than_one_candidate needs two candidates")
    if valid == 0 and len(names) > 1:
        raise InputError("first_preferences add up to 0: there would be no valid papers")

    remaining, excluded = _stage_one(candidates, first, method)
    transfers, non_transferable = _stage_two(doc, first, names, remaining, excluded)
    electorate = doc.get("electorate")
    if electorate is not None:
        electorate = _count(electorate, "electorate")
        papers = valid + sum(rejected.values())
        if electorate < papers:
            raise InputError(f"electorate {electorate:,} is smaller than the {papers:,} papers")
    assumed = _assumed(doc)
    whole = Part(first, rejected, transfers, non_transferable)
    areas = _areas(doc.get("areas"), whole, names, headings, remaining, bool(excluded))
    if areas and electorate is not None and all(a.electorate is not None for a in areas):
        total = sum(a.electorate for a in areas if a.electorate is not None)
        if total != electorate:
            raise InputError(f"the areas' electorates add up to {total:,}, not {electorate:,}")
    return Figures(
        method=method,
        candidates=candidates,
        first=first,
        rejected=rejected,
        transfers=transfers,
        non_transferable=non_transferable,
        remaining=remaining,
        excluded=excluded,
        electorate=electorate,
        assumed=assumed,
        title=str(doc.get("title", "")),
        areas=areas,
    )


def _areas(
    value: Any,
    whole: Part,
    names: list[str],
    headings: tuple[Rejection, ...],
    remaining: tuple[str, ...],
    stage_two: bool,
) -> tuple[Part, ...]:
    """Per-area figures, which must add up to the whole poll's."""
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        raise InputError("areas must be a non-empty list of voting areas")
    parts = [_area(entry, names, headings, remaining, stage_two) for entry in value]
    if len({p.name for p in parts}) != len(parts):
        raise InputError("a voting area is listed twice")
    for label in ("first", "rejected", "transfers", "non_transferable"):
        for key, total in getattr(whole, label).items():
            added = sum(getattr(p, label)[key] for p in parts)
            if added != total:
                shown = getattr(key, "value", key)
                raise InputError(
                    f"the areas' {_LABELS[label]} for {shown!r} add up to {added:,}, but the "
                    f"whole poll's is {total:,}"
                )
    return tuple(parts)


_LABELS = {
    "first": "first_preferences",
    "rejected": "rejected",
    "transfers": "second_preferences",
    "non_transferable": "non_transferable",
}


def _area(
    entry: Any,
    names: list[str],
    headings: tuple[Rejection, ...],
    remaining: tuple[str, ...],
    stage_two: bool,
) -> Part:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise InputError(f"a voting area needs a name: {entry!r}")
    where = f"areas[{entry['name']!r}]"
    try:
        first = _table(entry, "first_preferences", names, "candidates")
        rejected = {
            Rejection(k): v
            for k, v in _table(entry, "rejected", [h.value for h in headings], "headings").items()
        }
        transfers: dict[str, int] = {}
        lost: dict[NotCounted, int] = {}
        if stage_two:
            transfers = _table(entry, "second_preferences", list(remaining), "remaining")
            heads = [h.value for h in STAGE_TWO_HEADS]
            lost = {
                NotCounted(k): v
                for k, v in _table(entry, "non_transferable", heads, "heads").items()
            }
        electorate, issued = entry.get("electorate"), entry.get("ballot_papers_issued")
        part = Part(
            first,
            rejected,
            transfers,
            lost,
            name=entry["name"],
            electorate=None if electorate is None else _count(electorate, "electorate"),
            issued=None if issued is None else _count(issued, "ballot_papers_issued"),
        )
    except InputError as exc:
        raise InputError(f"{where}: {exc.message}") from None
    papers = sum(first.values()) + sum(rejected.values())
    if part.electorate is not None and part.electorate < papers:
        raise InputError(
            f"{where}: electorate {part.electorate:,} is smaller than the {papers:,} papers"
        )
    excluded_papers = sum(v for n, v in first.items() if n not in remaining)
    if stage_two and sum(transfers.values()) + sum(lost.values()) != excluded_papers:
        raise InputError(
            f"{where}: second_preferences and non_transferable do not add up to the area's "
            f"{excluded_papers:,} papers of excluded candidates"
        )
    return part


def _candidates(value: Any) -> tuple[Candidate, ...]:
    if not isinstance(value, list) or not value:
        raise InputError("candidates must be a non-empty list of {name, party}")
    out = []
    for entry in value:
        if isinstance(entry, str):
            entry = {"name": entry}
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"a candidate needs a name: {entry!r}")
        if name != name.strip() or any(ch in name for ch in SEPARATOR + ";") or name == UNCERTAIN:
            raise InputError(
                f"candidate name {name!r} cannot be written in a ballot file "
                "(surrounding spaces, | or ;, or just ?)"
            )
        out.append(Candidate(name, entry.get("party") or None))
    names = [c.name for c in out]
    if len(set(names)) != len(names):
        raise InputError("a candidate is listed twice")
    return tuple(out)


def _stage_one(
    candidates: tuple[Candidate, ...], first: Mapping[str, int], method: Method
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Who remains and who is excluded: the count's own rule 4, on these figures."""
    votes = FirstPreferences(candidates, first, rejected={}, second_not_counted={})
    stage = stage_one(votes, method)
    if not stage.remaining:  # stage one decides: nobody is excluded
        return tuple(first), ()
    return stage.remaining, stage.excluded


Kind = tuple[str, str, str]  # first, second, rejected


def _kinds(figures: Figures, part: Part, rng: Any) -> list[tuple[Kind, int]]:
    """Every distinct paper (first, second, rejected) of ``part`` with how many to write."""
    kinds: list[tuple[Kind, int]] = []
    names = [c.name for c in figures.candidates]
    for name in names:
        if name not in figures.excluded:
            kinds.append(((name, "", ""), part.first[name]))
    if figures.excluded:
        kinds += _excluded_papers(figures, part, rng)
    several = SEPARATOR.join(names[:2])
    for heading, papers in part.rejected.items():
        first, adjudication = {
            Rejection.UNMARKED: ("", ""),
            Rejection.UNMARKED_OR_VOID: ("", ""),
            Rejection.VOID_FOR_UNCERTAINTY: (UNCERTAIN, ""),
            Rejection.MORE_THAN_ONE_CANDIDATE: (several, ""),
        }.get(heading, (names[0], heading.value))
        kinds.append(((first, "", adjudication), papers))
    return [(k, n) for k, n in kinds if n]


def _excluded_papers(figures: Figures, part: Part, rng: Any) -> list[tuple[Kind, int]]:
    """Share the transfers and non-transferable papers among the excluded candidates.

    The excluded candidates' papers are put in a seeded random order and dealt
    out to the outcomes in turn, so each candidate gets about its share.
    """
    import numpy as np

    excluded = list(figures.excluded)
    owners = rng.permutation(np.repeat(np.arange(len(excluded)), [part.first[n] for n in excluded]))
    outcomes: list[tuple[str | NotCounted, int]] = [
        *part.transfers.items(),
        *part.non_transferable.items(),
    ]
    names = (
        list(figures.remaining)
        if len(figures.remaining) > 1
        else [c.name for c in figures.candidates]
    )
    several = SEPARATOR.join(names[:2])
    kinds = []
    start = 0
    for outcome, papers in outcomes:
        shares = np.bincount(owners[start : start + papers], minlength=len(excluded))
        start += papers
        for index, n in enumerate(shares.tolist()):
            first = excluded[index]
            if isinstance(outcome, str):
                second = outcome
            else:
                second = {
                    NotCounted.BLANK: "",
                    NotCounted.MORE_THAN_ONE: several,
                    NotCounted.UNCERTAIN: UNCERTAIN,
                    NotCounted.SAME_AS_FIRST: first,
                    NotCounted.NOT_REMAINING: excluded[(index + 1) % len(excluded)],
                }[outcome]
            kinds.append(((first, second, ""), n))
    return kinds


def synthesise(figures: Figures, seed: int = 0, aggregate: bool = False) -> bytes:
    """A ballot CSV (UTF-8) whose count reproduces ``figures``; rows shuffled by ``seed``.

    With voting areas, each area's papers follow its own figures and an ``area``
    column is added. ``aggregate`` writes each distinct paper once with a
    ``papers`` column instead of one row per paper.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    whole = Part(figures.first, figures.rejected, figures.transfers, figures.non_transferable)
    parts = figures.areas or (whole,)
    kinds = [((*kind, part.name), n) for part in parts for kind, n in _kinds(figures, part, rng)]
    adjudicated = any(k[2] for k, _ in kinds)
    sv = figures.method is Method.SV
    header = ["first", "second"] if sv else ["vote"]
    if adjudicated:
        header.append("rejected")
    if figures.areas:
        header.append("area")
    if aggregate:
        header.append("papers")

    def line(kind: tuple[str, str, str, str]) -> str:
        fields = [kind[0], kind[1]] if sv else [kind[0]]
        if adjudicated:
            fields.append(kind[2])
        if figures.areas:
            fields.append(kind[3])
        return csv_line(fields)[:-1]

    if aggregate:
        merged: dict[tuple[str, str, str, str], int] = {}
        for kind, n in kinds:
            merged[kind] = merged.get(kind, 0) + n
        body = "".join(f"{line(k)},{n}\n" for k, n in merged.items())
        return (",".join(header) + "\n" + body).encode("utf-8")
    lines = np.array([line(k) for k, _ in kinds], dtype=object)
    order = rng.permutation(np.repeat(np.arange(len(kinds)), [n for _, n in kinds]))
    body = "\n".join(lines[order].tolist())
    return (",".join(header) + "\n" + body + ("\n" if body else "")).encode("utf-8")


def areas_csv(figures: Figures) -> str:
    """The areas file (area, electorate, ballot_papers_issued) for --electorate-file."""
    lines = [csv_line(["area", "electorate", "ballot_papers_issued"])]
    for part in figures.areas:
        electorate = "" if part.electorate is None else part.electorate
        lines.append(csv_line([part.name, electorate, "" if part.issued is None else part.issued]))
    return "".join(lines)
