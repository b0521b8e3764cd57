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

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from svcount.errors import InputError
from svcount.marks import Marked, fold, heading_of
from svcount.model import Candidate, Method, Rejection
from svcount.names import name_in
from svcount.reading.hardened import JSON_PROBLEMS, Limits, iter_json, json_error
from svcount.reading.records import Record

__all__ = ["REJECTED_PREFIX", "CvrPapers", "detect", "of_report", "papers", "unit_of"]

REJECTED_PREFIX = "rejected: "
#: RCTab's own candidates in its CDF exports: a mark on "overvote" is an overvote at that
#: rank (EXPLICIT_OVERVOTE_LABEL); "Undeclared Write-ins" gathers write-ins.
OVERVOTE = "overvote"
_RCTAB_WRITE_INS = "Undeclared Write-ins"
_MERGED = fold(Rejection.UNMARKED_OR_VOID.value)  # first past the post's one heading
_REPORT = "CVR.CastVoteRecordReport"
#: What marks a report within its first bytes: its own type, or its records'.
_TYPES = (_REPORT, '"CVR.CVR"', '"CVR.CVRSnapshot"')
#: A report is streamed: no limit on its size, only on each CVR (and each other member).
LIMITS = Limits(bytes=64 << 20, what="a cast vote record report")


def detect(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a cast vote record report in JSON (UTF-8, 16
    or 32): an object naming the report's type, or its CVRs' (``@type`` may come late)."""
    try:
        text = head.decode(json.detect_encoding(head), errors="ignore").lstrip("\ufeff \t\r\n")
    except LookupError:
        return False
    return text.startswith("{") and any(kind in text for kind in _TYPES)


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
    names: Mapping[str, str]  # selection id -> candidate name (or OVERVOTE)
    write_ins: frozenset[str]  # selection ids of write-ins: ignored unless marked
    candidates: tuple[Candidate, ...]
    plurality: bool


@dataclass
class CvrPapers:
    """The papers of one contest of a cast vote record report."""

    file: str
    report: Mapping[str, Any]  # all but the CVRs
    contest: _Contest
    named: Mapping[str, str]  # each named GpUnit's id -> its name: a voting area's
    cvrs: Callable[[], Iterable[tuple[Any, str]]]  # (CVR, its text made alike or ""), read again
    units: set[str] | None = None  # the GpUnits the CVRs name, once a reading has seen them all
    noun: str = "CVR"
    said: Counter[str] = field(default_factory=Counter)  # what the last reading counted

    @property
    def method(self) -> Method | None:
        return Method.FPTP if self.contest.plurality else None

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        return self.contest.candidates

    @property
    def has_areas(self) -> bool:
        """Whether every CVR names a voting area (a named GpUnit): known after one reading."""
        if self.units is None:
            for _ in self.records():
                pass
        assert self.units is not None
        return bool(self.units) and self.units <= set(self.named)

    @property
    def columns(self) -> dict[str, str]:
        """Where a CVR keeps each role."""
        ranks = {"first": "Rank 1"} | ({} if self.contest.plurality else {"second": "Rank 2"})
        area = {"area": "BallotStyleUnitId"} if self.has_areas else {}
        return ranks | {"rejected": "OtherStatus"} | area

    def records(self) -> Iterator[Record]:
        """Each CVR's paper. A CVR alike another already read (its text the same, ids aside:
        ``_alike``) is the same paper: read once, then only numbered and named."""
        self.said.clear()
        read: dict[str, tuple[Record | None, Counter[str], str]] = {}
        again: Counter[str] = Counter()  # how many more times each alike CVR was met
        units: set[str] = set()
        for number, (cvr, key) in enumerate(self.cvrs(), 1):
            if key in read:
                record, said, unit = read[key]
                again[key] += 1
                units.add(unit)
                if record is not None:
                    own = cvr.get("@id", "")
                    yield Record(
                        number, own, record.first, record.second, record.rejected, record.area
                    )
                continue
            before = self.said.copy()
            where = f"CVR {number:,}"
            try:
                record = self._record(number, cvr, where)
            except _Broken as exc:
                raise InputError(f"{where}: a CVR without {exc}", file=self.file) from None
            units.add(unit := unit_of(cvr))
            if key and len(read) < _ALIKE_KEPT:
                read[key] = record, self.said - before, unit
            if record is not None:
                yield record
        self.units = units
        for key, times in again.items():  # what alike CVRs say, said as often as they were met
            self.said.update({what: n * times for what, n in read[key][1].items()})

    def notices(self) -> tuple[str, ...]:
        """What the last reading of the records found that changes how they are read."""
        said = self.said
        notes = []
        if said["unknown"]:
            notes.append(
                f"{said['unknown']:,} marks have IsAllocable unknown (left to the tabulator, "
                "as NIST SP 1500-103 says): counted as marks"
            )
        if said["without"]:
            notes.append(
                f"{said['without']:,} CVRs do not hold contest {self.contest.id!r}: they are "
                "not ballot papers of it, and are not counted"
            )
        if said["interpreted"]:
            notes.append(
                f"{said['interpreted']:,} CVRs point to an interpreted snapshot (a "
                "tabulator's allocation): the voter's marks, their modified or original "
                "snapshot, were counted"
            )
        return tuple(notes)

    def _record(self, number: int, cvr: Any, where: str) -> Record | None:
        own = _get(cvr, "@id", str, "")
        where += f" ({own})" if own else ""
        snapshot = self._snapshot(cvr, where)
        parts = [
            part
            for part in _get(snapshot, "CVRContest", list, [])
            if _get(part, "ContestId", str) == self.contest.id
        ]
        if not parts:  # a paper of another contest (another ballot style)
            self.said["without"] += 1
            return None
        if "needs-adjudication" in _get(snapshot, "Status", list, []):
            raise InputError(
                f"{where} needs adjudication: adjudicate it before counting", file=self.file
            )
        allocated: dict[int, list[str]] = {1: [], 2: []}
        withheld: dict[int, list[str]] = {1: [], 2: []}  # indicated, IsAllocable no
        overvoted = False
        overvoted_at: set[int] = set()
        for part in parts:
            overvoted |= "overvoted" in _get(part, "Status", list, [])
            for selection in _get(part, "CVRContestSelection", list, []):
                for rank, name, allocable in self._marks(selection, where):
                    if name == OVERVOTE:  # RCTab's overvote at this rank
                        overvoted_at.add(rank)
                    else:
                        (allocated if allocable else withheld)[rank].append(name)
        if self.contest.plurality and (allocated[2] or withheld[2]):
            raise InputError(
                f"{where}: a rank 2 in a plurality contest (VoteVariation plurality)",
                file=self.file,
            )
        area = self.named.get(unit_of(cvr), "")
        first, second = (
            Marked(tuple(allocated[r] + withheld[r]), overvoted=True)
            if r in overvoted_at
            else _preference(allocated[r], withheld[r], overvoted)
            for r in (1, 2)
        )
        return Record(number, own, first, second, self._rejected(snapshot, where), area)

    def _snapshot(self, cvr: Any, where: str) -> Any:
        """The voter's marks: the current snapshot, unless it is a tabulator's interpretation
        and the CVR keeps the marks themselves (modified after adjudication, or original)."""
        current = _get(cvr, "CurrentSnapshotId", str)
        snapshots = _get(cvr, "CVRSnapshot", list)
        chosen = [s for s in snapshots if _get(s, "@id", str) == current]
        if len(chosen) != 1:
            said = "no snapshot" if not chosen else "two snapshots"
            raise InputError(f"{where}: {said} {current!r}", file=self.file)
        if _get(chosen[0], "Type", str, "original") != "interpreted":
            return chosen[0]
        kinds = [_get(s, "Type", str, "original") for s in snapshots]
        marks = [s for s, kind in zip(snapshots, kinds, strict=True) if kind == "modified"]
        marks = marks or [s for s, kind in zip(snapshots, kinds, strict=True) if kind == "original"]
        if marks:
            self.said["interpreted"] += 1
            return marks[-1]
        if len(snapshots) > 1:
            raise InputError(
                f"{where}: only interpreted snapshots, {len(snapshots)} of them (a tabulator's "
                "allocations, round by round), and not the voter's marks: export the CVRs "
                "with their original snapshots",
                file=self.file,
            )
        return chosen[0]  # a device's one interpretation of the marks, as NIST's examples give

    def _rejected(self, snapshot: Any, where: str) -> str:
        status = _get(snapshot, "OtherStatus", str, "")
        if not status.startswith(REJECTED_PREFIX):
            return ""
        heading = status[len(REJECTED_PREFIX) :]
        if heading_of(heading) is None and fold(heading) != _MERGED:
            raise InputError(
                f"{where}: OtherStatus {status!r} names no heading of the statement of "
                "rejected ballot papers",
                file=self.file,
            )
        return str(heading)

    def _marks(self, selection: Any, where: str) -> Iterator[tuple[int, str, bool]]:
        """Each (rank, candidate, allocable) of a selection's indicated positions."""
        chosen = _get(selection, "ContestSelectionId", str, "")
        positions = [
            p
            for p in _get(selection, "SelectionPosition", list, [])
            if _get(p, "HasIndication", str, "yes") != "no"
        ]
        if positions and "needs-adjudication" in _get(selection, "Status", list, []):
            raise InputError(
                f"{where} needs adjudication (selection {chosen or 'with no id'}): adjudicate "
                "it before counting",
                file=self.file,
            )
        if positions and (
            not chosen
            or chosen in self.contest.write_ins
            or any("CVRWriteIn" in p for p in positions)
        ):
            raise InputError(
                f"{where}: a write-in ({chosen or 'no selection id'}) is marked, which a "
                "supplementary vote cannot count: adjudicate it to a candidate or reject the paper",
                file=self.file,
            )
        if chosen and chosen not in self.contest.names and chosen not in self.contest.write_ins:
            raise InputError(
                f"{where}: selection {chosen!r} is not one of the contest's", file=self.file
            )
        for position in positions:
            allocable = _get(position, "IsAllocable", str, "yes")
            if allocable not in ("yes", "no", "unknown"):
                raise _Broken(f"an IsAllocable of yes, no or unknown (found {allocable!r:.40})")
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
            self.said["unknown"] += allocable == "unknown"
            yield rank, self.contest.names[chosen], allocable != "no"


def _preference(allocated: list[str], withheld: list[str], overvoted: bool) -> Marked:
    """One rank's marks. A mark indicated but not allocated (IsAllocable no) is still the
    voter's: beside another mark, or where the contest is overvoted, it makes a vote for
    more than one candidate; alone, a mark that counts for no one, void for uncertainty."""
    names = tuple(dict.fromkeys(allocated + withheld))
    if not withheld:
        return Marked(names)
    if overvoted or len(allocated) + len(withheld) > 1:
        return Marked(names, overvoted=True)
    return Marked(names, uncertain=True)


def papers(path: str, file: str, contest: str | None) -> CvrPapers:
    """The papers of ``contest`` (the only one when None) in the report at ``path``, the CVRs
    streamed each time they are asked for.

    What the reading needs (the contest, the parties, the voting areas) is read
    first. When the report gives it all before its CVRs (svcount, VxSuite), that
    is all read first; else (RCTab writes its CVRs first) the whole report is
    looked through first, its CVRs only for the areas they name.
    """
    report: dict[str, Any] = {}
    units: set[str] | None = None
    try:
        for name, value, _ in iter_json(path, "CVR", LIMITS, trusted=True):
            if name != "CVR":
                report[name] = value
            elif units is not None:
                units.add(unit_of(value))
            elif _NEEDED <= report.keys():
                break  # all that is needed comes first: the CVRs are read once, later
            else:
                units = {unit_of(value)}  # each CVR is checked when it is read
        else:
            units = units or set()
    except JSON_PROBLEMS as exc:
        raise json_error(exc, file) from None
    if report.get("@type") != _REPORT:
        raise InputError(f"not a cast vote record report (@type {_REPORT})", file=file)
    checked: set[str] = set()  # the CVR texts (ids aside) checked: not checked again
    return of_report(report, units, lambda: _cvrs(path, file, checked), file, contest)


#: The members of a report that its CVRs are read by.
_NEEDED = {"Election", "GpUnit", "Party"}


def _cvrs(path: str, file: str, checked: set[str]) -> Iterator[tuple[Any, str]]:
    """The report's CVRs, one at a time, with their texts made alike (``_alike``)."""
    try:
        for name, value, key in iter_json(path, "CVR", LIMITS, _alike, checked):
            if name == "CVR":
                yield value, key
    except JSON_PROBLEMS as exc:
        raise json_error(exc, file) from None


#: A CVR's own names, which differ from paper to paper and do not change what it says.
_OWN_IDS = re.compile(r'"(?:@id|UniqueId|CurrentSnapshotId)":"[^"\\]*"')
#: How many unlike CVRs are remembered: the memory a report of CVRs all unlike may take.
_ALIKE_KEPT = 20_000


def _alike(text: str, cvr: Any) -> str:
    """A CVR's text without its own names (its ``@id``, ``UniqueId``, and its snapshots'
    ids), but with which snapshot is current: two CVRs alike say the same."""
    try:
        current = cvr["CurrentSnapshotId"]
        ids = [snapshot["@id"] for snapshot in cvr["CVRSnapshot"]]
        which = f"{ids.index(current)}/{ids.count(current)}/{len(ids)}"
    except (KeyError, TypeError, ValueError, AttributeError):
        return ""  # a CVR the reading will refuse: never taken for another
    return f"{which}|{_OWN_IDS.sub('', text)}"


def unit_of(cvr: Any) -> str:
    """The GpUnit a CVR names as its ballot style's (its voting area), or ""."""
    unit = cvr.get("BallotStyleUnitId", "") if isinstance(cvr, dict) else ""
    return unit if isinstance(unit, str) else ""


def of_report(
    report: Mapping[str, Any],
    units: set[str] | None,
    cvrs: Callable[[], Iterable[Any]],
    file: str,
    contest: str | None,
) -> CvrPapers:
    """The papers of a report (JSON or XML) whose CVRs name ``units`` as their areas (None:
    not yet known, until the CVRs are read)."""
    try:
        chosen = _contest(report, contest, file)
        return CvrPapers(file, report, chosen, _named_units(report), cvrs, units)
    except _Broken as exc:
        raise InputError(f"a cast vote record report without {exc}", file=file) from None


def _unique(items: Sequence[Any], what: str, file: str) -> dict[str, Any]:
    """Items by their ``@id``; an id twice is refused (which one would a reference mean?)."""
    out: dict[str, Any] = {}
    for item in items:
        key = _get(item, "@id", str)
        if key in out:
            raise InputError(f"two {what} have the @id {key!r}", file=file)
        out[key] = item
    return out


def _named_units(report: Mapping[str, Any]) -> dict[str, str]:
    """Each GpUnit with a name: a CVR naming one as its ``BallotStyleUnitId`` is of that
    voting area, when every CVR names one."""
    gp_units = _get(report, "GpUnit", list, [])
    units = ((_get(u, "@id", str), _get(u, "Name", str, "")) for u in gp_units)
    return {unit: name for unit, name in units if name}


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
        given = _named(given, contests, ids, file)
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


def _named(given: str, contests: Sequence[Any], ids: list[str], file: str) -> str:
    """The id of the contest ``--contest`` names by its ``Name`` (as RCTab's contestId
    does), case and spacing aside; refused when none, or several, have that name."""
    names = [_get(contest, "Name", str, "") for contest in contests]
    found = [i for i, name in zip(ids, names, strict=True) if fold(name) == fold(given)]
    if len(found) == 1:
        return found[0]
    listed = ", ".join(f"{i} ({n})" if n else i for i, n in zip(ids, names, strict=True))
    said = f"{len(found)} contests are named {given!r}" if found else f"no contest {given!r}"
    raise InputError(f"{said} in the report: give one's id ({listed})", file=file)


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
        name = name_in(_get(person, "Name", str, "") or chosen[0], "candidate", file)
        if name == _RCTAB_WRITE_INS:  # RCTab's markers, never candidates
            write_ins.add(key)
            continue
        if name == OVERVOTE:
            names[key] = OVERVOTE
            continue
        if name in names.values():
            raise InputError(
                f"two selections of contest {contest['@id']!r} name {name!r}", file=file
            )
        names[key] = name
        party = parties.get(_get(person, "PartyId", str, ""), "") or None
        candidates.append(Candidate(name, party))
    return names, frozenset(write_ins), tuple(candidates)
