"""A count's papers written as NIST SP 1500-103 cast vote records (JSON), one CVR a paper.

The inverse of reading/nist_cvr.py, so a ballot file round-trips: a first
preference is a selection at rank 1, a second at rank 2; a mark that counts
for no one (several candidates at a rank, an uncertain mark) is indicated but
not allocable (``IsAllocable`` ``"no"``), so a tabulator that counts
allocable marks, as RCTab does, gives svcount's own figures; every rejected
paper but an unmarked one has ``OtherStatus`` ``"rejected: HEADING"``. With
voting areas, each area is a ``GpUnit`` and each CVR names its area's in
``BallotStyleUnitId``. Papers are written grouped by area and
by their marks, in the count's order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from svcount.errors import UsageError
from svcount.figures import View
from svcount.model import Ballots, NotCounted, Rejection
from svcount.render.interchange import generated_by

__all__ = ["nist_cvr"]

_OTHER_VOTE_VARIATION = "supplementary-vote"
#: The most papers written as CVRs (London 2021's 2.6 million fit): past it, a report of
#: over a gigabyte from an aggregated file of a few bytes is refused, never begun.
MAX_PAPERS = 3_000_000
#: How many CVRs are written at a time.
_PART = 10_000
#: Stands for a CVR's number in its kind's template (a record holds ids, never names).
_NUMBER = "#N#"


def nist_cvr(
    ballots: Ballots, shown: View, areas: Mapping[str, Ballots] | None = None
) -> Iterator[str]:
    """The cast vote record report of ``ballots`` (by voting area when ``areas`` are given),
    valid against NIST's JSON schema, in parts: written as it is made, in flat memory."""
    if ballots.ballot_papers > MAX_PAPERS:  # said before anything is written
        raise UsageError(
            f"--format nist-cvr writes one CVR a paper, and this count has "
            f"{ballots.ballot_papers:,} papers: at most {MAX_PAPERS:,} are written (a report "
            "that size is over a gigabyte; count the file itself where a CVR report is wanted)"
        )
    parts = list((areas or {"": ballots}).items())
    units = {area: f"area-{i}" for i, (area, _) in enumerate(parts, 1)} if areas else {}
    head = json.dumps(_head(ballots, shown, units), ensure_ascii=False, separators=(",", ":"))
    return _written(head[: -len("]}")], parts, units, ballots)


def _head(ballots: Ballots, shown: View, units: Mapping[str, str]) -> dict[str, Any]:
    """The report but its CVRs: the device, the voting areas, the parties and the contest."""
    date = shown.notice.date.isoformat() if shown.notice.date else "1970-01-01"
    names = [c.name for c in ballots.candidates]
    parties = {p: f"party-{i}" for i, p in enumerate(dict.fromkeys(
        c.party for c in ballots.candidates if c.party), 1)}  # fmt: skip
    candidates = [
        {"@type": "CVR.Candidate", "@id": f"cand-{i}", "Name": c.name}
        | ({"PartyId": parties[c.party]} if c.party else {})
        for i, c in enumerate(ballots.candidates, 1)
    ]
    return {
        "@type": "CVR.CastVoteRecordReport",
        "Version": "1.0.0",
        "GeneratedDate": f"{date}T00:00:00Z",
        "ReportType": ["other"],
        "OtherReportType": "svcount-export",
        "ReportGeneratingDeviceIds": ["device-1"],
        "ReportingDevice": [
            {"@type": "CVR.ReportingDevice", "@id": "device-1", "Application": generated_by(shown)}
        ],
        "GpUnit": [
            {"@type": "CVR.GpUnit", "@id": "scope", "Type": "other"},
            *(
                {"@type": "CVR.GpUnit", "@id": unit, "Type": "other", "Name": area}
                for area, unit in units.items()
            ),
        ],  # fmt: skip
        "Party": [  # always, if empty: a reader has all it needs before the CVRs
            {"@type": "CVR.Party", "@id": key, "Name": party} for party, key in parties.items()
        ],
        "Election": [
            {
                "@type": "CVR.Election",
                "@id": "election-1",
                "ElectionScopeId": "scope",
                "Name": shown.notice.title or "Supplementary vote",
                "Candidate": candidates,
                "Contest": [_contest(names, shown)],
            }
        ],
        "CVR": [],
    }


def _written(
    head: str, parts: list[tuple[str, Ballots]], units: Mapping[str, str], ballots: Ballots
) -> Iterator[str]:
    """The report's text in parts: its head, then its CVRs a part at a time, one template
    per kind of paper, numbered."""
    names = [c.name for c in ballots.candidates]
    selection = {n: f"sel-{i}" for i, n in enumerate(names, 1)}
    yield head
    number = 0
    for area, papers in parts:
        for marks, n in _kinds(papers):
            record = _record(_NUMBER, marks, selection, names)
            if units:
                record["BallotStyleUnitId"] = units[area]
            template = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
            for start in range(number + 1, number + n + 1, _PART):
                numbers = range(start, min(start + _PART, number + n + 1))
                texts = (template.replace(_NUMBER, str(i)) for i in numbers)
                yield "," * (start > 1) + ",".join(texts)
            number += n
    yield "]}\n"


def _contest(names: list[str], shown: View) -> dict[str, Any]:
    fptp = shown.figures["method"] == "fptp"
    contest: dict[str, Any] = {
        "@type": "CVR.CandidateContest",
        "@id": "contest-1",
        "Name": shown.notice.title or "Supplementary vote",
        "VotesAllowed": 1,
        "NumberElected": 1,
        "VoteVariation": "plurality" if fptp else "other",
        "ContestSelection": [
            {"@type": "CVR.CandidateSelection", "@id": f"sel-{i}", "CandidateIds": [f"cand-{i}"]}
            for i in range(1, len(names) + 1)
        ],
    }
    if not fptp:
        contest["OtherVoteVariation"] = _OTHER_VOTE_VARIATION
    return contest


def _kinds(ballots: Ballots) -> Iterator[tuple[tuple[object, object], int]]:
    """Each kind of paper, (first, second) or (Rejection, None), with how many there are."""
    for (first, second), n in ballots.pairs.items():
        yield (first, second), n
    for heading, n in ballots.rejected.items():
        yield (heading, None), n


def _record(
    number: int | str, marks: tuple[object, object], selection: dict[str, str], names: list[str]
) -> dict[str, Any]:
    first, second = marks
    snapshot: dict[str, Any] = {"@type": "CVR.CVRSnapshot", "@id": f"s-{number}",
                                "Type": "original"}  # fmt: skip
    contest: dict[str, Any] = {"@type": "CVR.CVRContest", "ContestId": "contest-1"}
    chosen: list[dict[str, Any]] = []
    if isinstance(first, Rejection):
        chosen += _rejected(first, selection, names, snapshot, contest)
    else:
        chosen.append(_selection(selection[str(first)], 1))
        chosen += _second(str(first), second, selection, names)
    contest["CVRContestSelection"] = chosen
    snapshot["CVRContest"] = [contest]
    return {
        "@type": "CVR.CVR",
        "ElectionId": "election-1",
        "UniqueId": str(number),
        "CurrentSnapshotId": f"s-{number}",
        "CVRSnapshot": [snapshot],
    }


def _rejected(
    heading: Rejection,
    selection: dict[str, str],
    names: list[str],
    snapshot: dict[str, Any],
    contest: dict[str, Any],
) -> list[dict[str, Any]]:
    """A rejected paper: its heading as the snapshot's status, and any marks it shows (two
    at rank 1, or an uncertain one) indicated but not allocable, so that a tabulator reading
    allocable marks (RCTab's rule) counts it for no one, as svcount does."""
    if heading is not Rejection.UNMARKED and heading is not Rejection.UNMARKED_OR_VOID:
        snapshot["Status"] = ["other"]
        snapshot["OtherStatus"] = f"rejected: {heading.value}"
    if heading is Rejection.MORE_THAN_ONE_CANDIDATE:
        contest["Status"] = ["overvoted"]
        return [_selection(selection[n], 1, "no") for n in (names * 2)[:2]]
    if heading is Rejection.VOID_FOR_UNCERTAINTY:
        return [_selection(selection[names[0]], 1, "no")]
    return []


def _second(
    first: str, second: object, selection: dict[str, str], names: list[str]
) -> list[dict[str, Any]]:
    """A valid paper's second preference: allocable when it counts (or repeats the first);
    several, or an uncertain one, indicated but not allocable."""
    if second is NotCounted.SAME_AS_FIRST:
        return [_selection(selection[first], 2)]
    if second is NotCounted.MORE_THAN_ONE:
        return [_selection(selection[n], 2, "no") for n in names[:2]]
    if second is NotCounted.UNCERTAIN:
        return [_selection(selection[names[0]], 2, "no")]
    if isinstance(second, str) and second in selection:
        return [_selection(selection[second], 2)]
    return []  # blank


def _selection(chosen: str, rank: int, allocable: str = "yes") -> dict[str, Any]:
    return {
        "@type": "CVR.CVRContestSelection",
        "ContestSelectionId": chosen,
        "Rank": rank,
        "SelectionPosition": [
            {
                "@type": "CVR.SelectionPosition",
                "HasIndication": "yes",
                "IsAllocable": allocable,
                "NumberVotes": 1,
                "Rank": rank,
            }
        ],
    }
