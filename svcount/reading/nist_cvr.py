"""NIST SP 1500-103 cast vote records (JSON) read as a ballot file (README, "Interchange formats").

Each CVR's current snapshot gives the contest's selections: those at rank 1
are the first preference, at rank 2 the second (a selection with no rank is
rank 1, as in a plurality export; a contest whose ``VoteVariation`` is
``plurality`` is counted first past the post). Several at one rank are written as one
field joined by ``|``, which the count classifies as a vote for more than one
candidate; a position whose ``IsAllocable`` is ``"unknown"`` is the uncertain
marker, and one whose ``IsAllocable`` is ``"no"`` is not a mark. A snapshot
whose ``OtherStatus`` is ``"rejected: HEADING"`` is rejected under that
heading. What SV cannot hold (a third rank, a write-in, a snapshot that still
needs adjudication) is refused, naming the CVR.

The records become the ballot file's own CSV (first, second, rejected), so
every mark is classified exactly as a CSV's would be.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from svcount.errors import InputError

__all__ = ["REJECTED_PREFIX", "detect", "to_ballot_csv"]

REJECTED_PREFIX = "rejected: "
_REPORT = "CVR.CastVoteRecordReport"


def detect(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a cast vote record report."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"{") and _REPORT.encode() in head


def to_ballot_csv(data: bytes, file: str, contest: str | None, uncertain: str) -> bytes:
    """The report's papers for ``contest`` as a ballot CSV (first, second, rejected)."""
    try:
        report = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not a readable cast vote record report: {exc}", file=file) from None
    if not isinstance(report, dict) or report.get("@type") != _REPORT:
        raise InputError(f"not a cast vote record report (@type {_REPORT})", file=file)
    try:
        chosen, names, plurality = _contest(report, contest, file)
        records = report.get("CVR") or []
        areas = _areas(report, records)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        header = ["first", "rejected"] if plurality else ["first", "second", "rejected"]
        writer.writerow(header + (["area"] if areas else []))
        for number, record in enumerate(records, 1):
            where = f"CVR {number}"
            first, second, rejected = _paper(record, chosen, names, uncertain, where, file)
            if plurality and second:
                raise InputError(
                    f"CVR {number}: a rank 2 in a plurality contest (VoteVariation plurality)",
                    file=file,
                )
            row = [first, rejected] if plurality else [first, second, rejected]
            writer.writerow(row + ([areas[record["BallotStyleUnitId"]]] if areas else []))
    except (KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"a cast vote record report without {exc}", file=file) from None
    return out.getvalue().encode()


def _areas(report: Mapping[str, Any], records: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Each named GpUnit a CVR gives as its ``BallotStyleUnitId``: the voting areas, or {}."""
    named = {u["@id"]: u["Name"] for u in report.get("GpUnit") or [] if u.get("Name")}
    used = {r.get("BallotStyleUnitId") for r in records}
    if not used or not used <= set(named):
        return {}
    return {unit: named[unit] for unit in used if unit is not None}


def _contest(
    report: Mapping[str, Any], given: str | None, file: str
) -> tuple[str, dict[str, str], bool]:
    """The contest counted, each of its selection ids' candidate name, and whether it is a
    plurality contest (first past the post: no second preference)."""
    people = {}
    contests = []
    for election in report["Election"]:
        for c in election.get("Candidate") or []:
            people[c["@id"]] = c.get("Name") or c["@id"]
        contests += election["Contest"]
    ids = [c["@id"] for c in contests]
    if given is None and len(ids) != 1:
        raise InputError(
            f"the report has {len(ids)} contests ({', '.join(ids)}): choose one with --contest ID",
            file=file,
        )
    if given is not None and given not in ids:
        raise InputError(f"no contest {given!r} in the report ({', '.join(ids)})", file=file)
    contest = contests[ids.index(given or ids[0])]
    names = {}
    for selection in contest["ContestSelection"]:
        if selection.get("IsWriteIn"):
            raise InputError(
                f"selection {selection['@id']} is a write-in, which a supplementary vote "
                "cannot count: give it a candidate or remove it",
                file=file,
            )
        candidates = selection.get("CandidateIds") or []
        if len(candidates) != 1:
            raise InputError(f"selection {selection['@id']} names no one candidate", file=file)
        names[selection["@id"]] = people.get(candidates[0], candidates[0])
    return contest["@id"], names, contest.get("VoteVariation") == "plurality"


def _paper(
    record: Mapping[str, Any], contest: str, names: Mapping[str, str], uncertain: str,
    where: str, file: str,
) -> list[str]:  # fmt: skip
    """One CVR as a row: its first preference, second preference and rejection heading."""
    current = record["CurrentSnapshotId"]
    snapshot = next((s for s in record["CVRSnapshot"] if s["@id"] == current), None)
    if snapshot is None:
        raise InputError(f"{where}: no snapshot {current!r}", file=file)
    status = snapshot.get("OtherStatus") or ""
    if "needs-adjudication" in (snapshot.get("Status") or []):
        raise InputError(f"{where} needs adjudication: adjudicate it before counting", file=file)
    rejected = status[len(REJECTED_PREFIX) :] if status.startswith(REJECTED_PREFIX) else ""
    ranks: dict[int, list[str]] = {1: [], 2: []}
    for part in snapshot.get("CVRContest") or []:
        if part["ContestId"] != contest:
            continue
        for selection in part.get("CVRContestSelection") or []:
            for rank, mark in _marks(selection, names, uncertain, where, file):
                ranks[rank].append(mark)
    return ["|".join(ranks[1]), "|".join(ranks[2]), rejected]


def _marks(
    selection: Mapping[str, Any], names: Mapping[str, str], uncertain: str, where: str, file: str
) -> Sequence[tuple[int, str]]:
    """Each (rank, mark) of one contest selection's positions; not allocable is no mark."""
    chosen = selection.get("ContestSelectionId")
    if chosen not in names:
        raise InputError(f"{where}: selection {chosen!r} is not one of the contest's", file=file)
    out = []
    for position in selection["SelectionPosition"]:
        if position.get("HasIndication", "yes") == "no" or position.get("IsAllocable") == "no":
            continue
        rank = int(position.get("Rank") or selection.get("Rank") or 1)
        if rank not in (1, 2):
            raise InputError(
                f"{where}: a rank {rank}, which a supplementary vote does not have (1 and 2 only)",
                file=file,
            )
        unknown = position.get("IsAllocable") == "unknown"
        out.append((rank, uncertain if unknown else names[str(chosen)]))
    return out
