"""NIST SP 1500-103 cast vote records (JSON) read as papers (README, "Interchange formats").

Each CVR's current snapshot gives the contest's selections: those at rank 1
are the first preference, at rank 2 the second (a selection with no rank is
rank 1, as in a plurality export; a contest whose ``VoteVariation`` is
``plurality`` is counted first past the post). Several candidates at one rank
are a vote for more than one candidate; a position whose ``IsAllocable`` is
``"unknown"`` is an uncertain mark, and one whose ``IsAllocable`` is ``"no"``
is not a mark. A snapshot whose ``OtherStatus`` is ``"rejected: HEADING"`` is
rejected under that heading. What SV cannot hold (a third rank, a write-in
marked, a snapshot that still needs adjudication) is refused, naming the CVR;
so are ids that repeat or point nowhere, and ranks that are not whole numbers.

Every candidate of the contest is kept, with 0 votes and its party. The marks
reach the count as :class:`~svcount.marks.Marked` values, never as text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from svcount.errors import InputError
from svcount.marks import Marked, heading_of
from svcount.model import Candidate, Method
from svcount.names import NameError_
from svcount.names import name as name_policy
from svcount.reading.hardened import Limits, read_json
from svcount.reading.records import Record

__all__ = ["REJECTED_PREFIX", "detect", "papers"]

REJECTED_PREFIX = "rejected: "
_REPORT = "CVR.CastVoteRecordReport"
#: A report is read whole (streaming is to come): at most this much JSON text.
LIMITS = Limits(bytes=1 << 30, what="a cast vote record report svcount can read whole")


def detect(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a cast vote record report."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"{") and _REPORT.encode() in head


class _Broken(Exception):
    """A report that lacks what the standard requires, or holds the wrong kind of value."""


def _get(obj: Any, key: str, kind: type, default: Any = None) -> Any:
    """``obj[key]`` of the kind expected; ``default`` when absent (never when required)."""
    try:
        value = obj[key]
        if type(value) is kind:  # the common case, first and cheap
            return value
    except KeyError:
        if default is None:
            raise _Broken(f"{key!r}") from None
        return default
    except TypeError:  # obj is not an object
        raise _Broken(f"an object where there is {type(obj).__name__}") from None
    if value is None and default is not None:
        return default
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _Broken(f"{key!r} of the right kind (found {value!r:.60})")
    return value


@dataclass(frozen=True)
class _Contest:
    id: str
    names: Mapping[str, str]  # selection id -> candidate name
    write_ins: frozenset[str]  # selection ids of write-ins: ignored unless marked
    candidates: tuple[Candidate, ...]
    plurality: bool


@dataclass(frozen=True)
class CvrPapers:
    """The papers of one contest of a cast vote record report."""

    file: str
    report: Mapping[str, Any]
    contest: _Contest
    areas: Mapping[str, str]  # GpUnit id -> voting area name, or {}
    noun: str = "CVR"

    @property
    def method(self) -> Method | None:
        return Method.FPTP if self.contest.plurality else None

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        return self.contest.candidates

    @property
    def has_areas(self) -> bool:
        return bool(self.areas)

    @property
    def columns(self) -> dict[str, str]:
        """Where a CVR keeps each role."""
        ranks = {"first": "Rank 1"} | ({} if self.contest.plurality else {"second": "Rank 2"})
        area = {"area": "BallotStyleUnitId"} if self.areas else {}
        return ranks | {"rejected": "OtherStatus"} | area

    def records(self) -> Iterator[Record]:
        for number, cvr in enumerate(self.report.get("CVR") or [], 1):
            where = f"CVR {number:,}"
            try:
                yield self._record(number, cvr, where)
            except _Broken as exc:
                raise InputError(f"{where}: a CVR without {exc}", file=self.file) from None

    def _record(self, number: int, cvr: Any, where: str) -> Record:
        own = _get(cvr, "@id", str, "")
        where += f" ({own})" if own else ""
        current = _get(cvr, "CurrentSnapshotId", str)
        snapshots = [s for s in _get(cvr, "CVRSnapshot", list) if _get(s, "@id", str) == current]
        if len(snapshots) != 1:
            said = "no snapshot" if not snapshots else "two snapshots"
            raise InputError(f"{where}: {said} {current!r}", file=self.file)
        snapshot = snapshots[0]
        if "needs-adjudication" in _get(snapshot, "Status", list, []):
            raise InputError(
                f"{where} needs adjudication: adjudicate it before counting", file=self.file
            )
        ranks: dict[int, list[str]] = {1: [], 2: []}
        uncertain = {1: False, 2: False}
        for part in _get(snapshot, "CVRContest", list, []):
            if _get(part, "ContestId", str) != self.contest.id:
                continue
            for selection in _get(part, "CVRContestSelection", list, []):
                for rank, name in self._marks(selection, where):
                    if name is None:
                        uncertain[rank] = True
                    else:
                        ranks[rank].append(name)
        if self.contest.plurality and (ranks[2] or uncertain[2]):
            raise InputError(
                f"{where}: a rank 2 in a plurality contest (VoteVariation plurality)",
                file=self.file,
            )
        area = self.areas[_get(cvr, "BallotStyleUnitId", str)] if self.areas else ""
        first, second = (Marked(tuple(ranks[r]), uncertain[r]) for r in (1, 2))
        return Record(number, own, first, second, self._rejected(snapshot, where), area)

    def _rejected(self, snapshot: Any, where: str) -> str:
        status = _get(snapshot, "OtherStatus", str, "")
        if not status.startswith(REJECTED_PREFIX):
            return ""
        heading = status[len(REJECTED_PREFIX) :]
        if heading_of(heading) is None:
            raise InputError(
                f"{where}: OtherStatus {status!r} names no heading of the statement of "
                "rejected ballot papers",
                file=self.file,
            )
        return str(heading)

    def _marks(self, selection: Any, where: str) -> Iterator[tuple[int, str | None]]:
        """Each (rank, candidate) of a selection's positions; None for an uncertain mark."""
        chosen = _get(selection, "ContestSelectionId", str)
        if chosen in self.contest.write_ins:
            raise InputError(
                f"{where}: a write-in ({chosen!r}) is marked, which a supplementary vote "
                "cannot count: adjudicate it to a candidate or reject the paper",
                file=self.file,
            )
        if chosen not in self.contest.names:
            raise InputError(
                f"{where}: selection {chosen!r} is not one of the contest's", file=self.file
            )
        for position in _get(selection, "SelectionPosition", list):
            allocable = _get(position, "IsAllocable", str, "yes")
            if _get(position, "HasIndication", str, "yes") == "no" or allocable == "no":
                continue
            rank = position.get("Rank", selection.get("Rank", 1))
            if not isinstance(rank, int) or isinstance(rank, bool) or rank < 1:
                raise InputError(
                    f"{where}: a rank {rank!r:.40}, where a rank is a whole number from 1",
                    file=self.file,
                )
            if rank not in (1, 2):
                raise InputError(
                    f"{where}: a rank {rank}, which a supplementary vote does not have "
                    "(1 and 2 only)",
                    file=self.file,
                )
            yield rank, None if allocable == "unknown" else self.contest.names[chosen]


def papers(path: str, file: str, contest: str | None) -> CvrPapers:
    """The papers of ``contest`` (the only one when None) in the report at ``path``."""
    report, _ = read_json(path, LIMITS)
    if not isinstance(report, dict) or report.get("@type") != _REPORT:
        raise InputError(f"not a cast vote record report (@type {_REPORT})", file=file)
    try:
        chosen = _contest(report, contest, file)
        return CvrPapers(file, report, chosen, _areas(report))
    except _Broken as exc:
        raise InputError(f"a cast vote record report without {exc}", file=file) from None


def _named(name: str, file: str) -> str:
    """A candidate's name under the one name policy."""
    try:
        return name_policy(name, "candidate")
    except NameError_ as exc:
        raise InputError(str(exc), file=file) from None


def _unique(items: Sequence[Any], what: str, file: str) -> dict[str, Any]:
    """Items by their ``@id``; an id twice is refused (which one would a reference mean?)."""
    out: dict[str, Any] = {}
    for item in items:
        key = _get(item, "@id", str)
        if key in out:
            raise InputError(f"two {what} have the @id {key!r}", file=file)
        out[key] = item
    return out


def _areas(report: Mapping[str, Any]) -> dict[str, str]:
    """Each named GpUnit that every CVR gives as its ``BallotStyleUnitId``: the voting areas,
    or {} when some CVR names none of them."""
    units = (
        (_get(u, "@id", str), _get(u, "Name", str, "")) for u in _get(report, "GpUnit", list, [])
    )
    named = {unit: name for unit, name in units if name}
    used = {_get(cvr, "BallotStyleUnitId", str, "") for cvr in _get(report, "CVR", list, [])}
    if not used or not used <= set(named):
        return {}
    return {unit: named[unit] for unit in used}


def _contest(report: Mapping[str, Any], given: str | None, file: str) -> _Contest:
    """The contest counted: its candidates by selection, and whether it is plurality."""
    people: dict[str, Any] = {}
    contests: list[Any] = []
    parties: dict[str, Any] = {}
    for election in _get(report, "Election", list):
        people |= _unique(_get(election, "Candidate", list, []), "candidates", file)
        contests += _get(election, "Contest", list)
    for party in _get(report, "Party", list, []):
        parties[_get(party, "@id", str)] = _get(party, "Name", str, "")
    ids = list(_unique(contests, "contests", file))
    if given is None and len(ids) != 1:
        raise InputError(
            f"the report has {len(ids)} contests ({', '.join(ids)}): choose one with --contest ID",
            file=file,
        )
    if given is not None and given not in ids:
        raise InputError(f"no contest {given!r} in the report ({', '.join(ids)})", file=file)
    contest = contests[ids.index(given or ids[0])]
    for key, most in (("VotesAllowed", 1), ("NumberElected", 1)):
        if _get(contest, key, int, 1) > most:
            raise InputError(
                f"contest {contest['@id']!r} has {key} {contest[key]}: a supplementary vote or "
                "first past the post elects one, and each voter votes once at each rank",
                file=file,
            )
    names, write_ins, candidates = _selections(contest, people, parties, file)
    plurality = _get(contest, "VoteVariation", str, "") == "plurality"
    return _Contest(contest["@id"], names, write_ins, candidates, plurality)


def _selections(
    contest: Mapping[str, Any], people: Mapping[str, Any], parties: Mapping[str, str], file: str
) -> tuple[dict[str, str], frozenset[str], tuple[Candidate, ...]]:
    """Each selection's candidate name, the write-ins' selections, and the candidates."""
    names: dict[str, str] = {}
    write_ins: set[str] = set()
    candidates: list[Candidate] = []
    selections = _unique(_get(contest, "ContestSelection", list), "selections", file)
    for key, selection in selections.items():
        if _get(selection, "IsWriteIn", bool, False):
            write_ins.add(key)
            continue
        chosen = _get(selection, "CandidateIds", list, [])
        if len(chosen) != 1 or chosen[0] not in people:
            raise InputError(
                f"selection {key!r} names no one candidate of the report "
                f"(CandidateIds {chosen!r:.80})",
                file=file,
            )
        person = people[chosen[0]]
        name = _named(_get(person, "Name", str, "") or chosen[0], file)
        if name in names.values():
            raise InputError(
                f"two selections of contest {contest['@id']!r} name {name!r}", file=file
            )
        names[key] = name
        party = parties.get(_get(person, "PartyId", str, ""), "") or None
        candidates.append(Candidate(name, party))
    return names, frozenset(write_ins), tuple(candidates)
