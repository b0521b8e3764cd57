"""The vocabulary of a count: ballots, headings, stages and the result.

Types and labels only, no rules: :mod:`svcount.count` applies the rules to
these. Everything is frozen; mappings are read-only views.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any

from svcount.errors import CountError, whole_number
from svcount.names import escaped

__all__ = [
    "by_excluded_problem",
    "second_as_counted",
    "FPTP_HEADINGS",
    "NON_TRANSFERABLE",
    "PAPER_HEADS",
    "STAGE_TWO_HEADS",
    "SV_HEADINGS",
    "AreaResult",
    "Ballots",
    "Candidate",
    "DecidedBy",
    "EnteredLot",
    "FirstPreferences",
    "Lot",
    "LotInstruction",
    "Marked",
    "Method",
    "NotCounted",
    "Provenance",
    "Rejection",
    "Result",
    "Second",
    "SeededLot",
    "StageOne",
    "StageTwo",
    "Transfers",
    "Turnout",
    "is_missing",
    "percent",
    "statement",
]


class Method(enum.StrEnum):
    """How the poll is counted."""

    SV = "sv"
    FPTP = "fptp"


class Rejection(enum.Enum):
    """Headings of the statement of rejected ballot papers (PCC Order r.53(7))."""

    WANT_OF_OFFICIAL_MARK = "want_of_official_mark"
    MORE_THAN_ONE_CANDIDATE = "voting_for_more_than_one_candidate"
    IDENTIFYING_MARK = "writing_or_mark_identifying_voter"
    UNMARKED = "unmarked"
    VOID_FOR_UNCERTAINTY = "void_for_uncertainty"
    # First past the post reports the last two under one heading.
    UNMARKED_OR_VOID = "unmarked_or_void_for_uncertainty"

    @property
    def label(self) -> str:
        return _REJECTION_LABELS[self]


_REJECTION_LABELS = {
    Rejection.WANT_OF_OFFICIAL_MARK: "Want of official mark",
    Rejection.MORE_THAN_ONE_CANDIDATE: "Voting for more than one candidate",
    Rejection.IDENTIFYING_MARK: "Writing or mark by which the voter could be identified",
    Rejection.UNMARKED: "Unmarked",
    Rejection.VOID_FOR_UNCERTAINTY: "Void for uncertainty",
    Rejection.UNMARKED_OR_VOID: "Unmarked or void for uncertainty",
}

SV_HEADINGS = (
    Rejection.WANT_OF_OFFICIAL_MARK,
    Rejection.MORE_THAN_ONE_CANDIDATE,
    Rejection.IDENTIFYING_MARK,
    Rejection.UNMARKED,
    Rejection.VOID_FOR_UNCERTAINTY,
)
FPTP_HEADINGS = (
    Rejection.WANT_OF_OFFICIAL_MARK,
    Rejection.MORE_THAN_ONE_CANDIDATE,
    Rejection.IDENTIFYING_MARK,
    Rejection.UNMARKED_OR_VOID,
)


class NotCounted(enum.Enum):
    """Why a valid paper's second preference is not counted (GLA r.57; PCC r.62).

    A plain Enum, not a str one, so no member can ever equal a candidate's name.
    ``NOT_REMAINING`` arises only at stage two: a usable second preference for
    a candidate who was excluded.
    """

    BLANK = "blank"
    MORE_THAN_ONE = "more_than_one_candidate"
    UNCERTAIN = "void_for_uncertainty"
    SAME_AS_FIRST = "same_as_first"
    NOT_REMAINING = "not_remaining"

    @property
    def label(self) -> str:
        return _NOT_COUNTED_LABELS[self]


_NOT_COUNTED_LABELS = {
    NotCounted.BLANK: "No second preference",
    NotCounted.MORE_THAN_ONE: "Second preference for more than one candidate",
    NotCounted.UNCERTAIN: "Second preference void for uncertainty",
    NotCounted.SAME_AS_FIRST: "Second preference same as first",
    NotCounted.NOT_REMAINING: "Second preference for a candidate not remaining",
}

#: Heads of unusable second preferences, a property of the paper itself.
PAPER_HEADS = (
    NotCounted.BLANK,
    NotCounted.MORE_THAN_ONE,
    NotCounted.UNCERTAIN,
    NotCounted.SAME_AS_FIRST,
)
#: Heads of non-transferable papers at stage two.
STAGE_TWO_HEADS = (*PAPER_HEADS, NotCounted.NOT_REMAINING)

Second = str | NotCounted


@dataclass(frozen=True, slots=True)
class Marked:
    """One preference of a structured record (a cast vote record): the candidates marked
    there, already apart, and whether a mark is of uncertain meaning.

    A CSV field is text that the separators split; a reader of a structured
    format hands the count its marks as they are, so no name, separator or
    encoding option can change what a paper says (README, "Interchange formats").
    """

    names: tuple[str, ...] = ()
    uncertain: bool = False
    overvoted: bool = False  # the source says more than one mark here, whoever they name

    def __str__(self) -> str:
        """As a ballot CSV would write it: names joined by ``|``, ``?`` for an uncertain mark."""
        return "|".join([*self.names, *(["?"] if self.uncertain else [])])


@dataclass(frozen=True)
class Candidate:
    name: str
    party: str | None = None


@dataclass(frozen=True)
class Ballots:
    """The count's input: valid papers grouped by (first, second), and rejected papers.

    ``pairs`` maps (first-preference candidate, second preference) to a number
    of papers, where the second preference is a candidate's name or the reason
    it cannot be counted. ``rejected`` maps statement headings to papers.
    """

    candidates: tuple[Candidate, ...]
    pairs: Mapping[tuple[str, Second], int]
    rejected: Mapping[Rejection, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [c.name for c in self.candidates]
        if len(set(names)) != len(names):
            dupes = sorted({n for n in names if names.count(n) > 1})
            raise CountError(f"candidate listed more than once: {', '.join(dupes)}")
        known = set(names)
        pairs: Counter[tuple[str, Second]] = Counter()
        rejected: Counter[Rejection] = Counter()
        for heading, papers in self.rejected.items():
            if heading is Rejection.UNMARKED_OR_VOID:
                raise CountError("give unmarked and void-for-uncertainty papers separately")
            rejected[heading] += _papers(papers, f"rejected papers ({heading.value})")
        for (first, second), papers in self.pairs.items():
            n = _papers(papers, f"papers for ({first!r}, {second!r})")
            if is_missing(first):  # no first preference: an unmarked paper (rule 1)
                rejected[Rejection.UNMARKED] += n
                continue
            if first not in known:
                raise CountError(f"first preference {first!r} is not a candidate")
            if is_missing(second):
                second = NotCounted.BLANK
            elif second == first:  # rule 2
                second = second_as_counted(first, second)
            elif isinstance(second, str) and second not in known:
                raise CountError(f"second preference {second!r} is not a candidate")
            pairs[(first, second)] += n
        object.__setattr__(self, "pairs", MappingProxyType(dict(pairs)))
        object.__setattr__(self, "rejected", MappingProxyType(dict(rejected)))

    @property
    def valid(self) -> int:
        return sum(self.pairs.values())

    @property
    def ballot_papers(self) -> int:
        """All papers counted, rejected ones included."""
        return self.valid + sum(self.rejected.values())


def _papers(papers: object, what: str) -> int:
    try:
        return whole_number(papers, what)
    except ValueError as exc:
        raise CountError(str(exc)) from None


def second_as_counted(first: str, second: Second) -> Second:
    """Rule 2: a second preference for the first preference's candidate can never transfer."""
    return NotCounted.SAME_AS_FIRST if second == first else second


def is_missing(mark: object) -> bool:
    """Whether a mark is absent: ``None``, ``NaN``, ``pandas.NA`` or ``NaT``.

    What ``pandas.read_csv`` and ``groupby(..., dropna=False)`` give for a
    blank cell; it is a blank, never a name.
    """
    if mark is None or type(mark).__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(mark, str):
        return False
    try:
        return bool(mark != mark)  # NaN, of any float type, is not equal to itself
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class EnteredLot:
    """The result of the returning officer's draw, entered by hand."""

    winner: str


@dataclass(frozen=True)
class SeededLot:
    """Draw the lot here, reproducibly, from a recorded seed."""

    seed: int


LotInstruction = EnteredLot | SeededLot


@dataclass(frozen=True)
class Lot:
    """A lot that decided the result, and how it was drawn."""

    tied: tuple[str, ...]  # in candidate order; the seeded draw picks an index into it
    winner: str
    how: str  # "entered" or "seed"
    seed: int | None = None


class DecidedBy(enum.StrEnum):
    MAJORITY = "majority_at_stage_one"
    STAGE_TWO = "most_votes_after_second_preferences"
    SIMPLE_MAJORITY = "simple_majority"
    MOST_VOTES = "most_votes"
    UNOPPOSED = "unopposed"
    LOT = "lot"
    LOT_REQUIRED = "lot_required"


@dataclass(frozen=True)
class StageOne:
    """First preferences, and who stays in (rules 3-4)."""

    votes: Mapping[str, int]  # every candidate, candidate order
    valid: int
    majority: int  # votes needed to be elected: more than half of ``valid``
    elected: str | None
    remaining: tuple[str, ...]  # empty when the count ends here
    excluded: tuple[str, ...]
    tie_for_second: bool  # an equality kept more than two candidates in


@dataclass(frozen=True)
class StageTwo:
    """Second preferences on the excluded candidates' papers (rule 5)."""

    transfers: Mapping[str, int]  # remaining candidates only
    totals: Mapping[str, int]
    non_transferable: Mapping[NotCounted, int]  # every STAGE_TWO_HEADS member
    excluded_papers: int  # papers whose first preference was excluded
    #: Each excluded candidate's papers: to each remaining candidate, and not transferred.
    #: Empty when not known (a total combined from local counts of an older version).
    by_excluded: Mapping[str, Mapping[str, int]] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Turnout:
    """Two published conventions, each labelled (README, "The count": turnout)."""

    electorate: int
    ballot_papers: int
    valid_votes: int

    @classmethod
    def of(cls, papers: int, valid: int, electorate: int, area: str | None = None) -> Turnout:
        """A turnout, refusing an electorate that cannot be right."""
        where = f" of {area}" if area else ""
        if electorate <= 0:
            raise CountError(f"the electorate{where} must be a positive number, not {electorate:,}")
        if electorate < papers:
            raise CountError(
                f"the electorate{where}, {electorate:,}, is smaller than the {papers:,} ballot "
                "papers counted"
            )
        return cls(electorate, papers, valid)

    @property
    def ballot_papers_pct(self) -> Decimal:
        """Returning officers' turnout: all papers counted, rejected ones included."""
        return percent(self.ballot_papers, self.electorate)

    @property
    def valid_votes_pct(self) -> Decimal:
        """Press turnout: valid votes only."""
        return percent(self.valid_votes, self.electorate)


@dataclass(frozen=True)
class FirstPreferences:
    """A first count of some papers: what a local count reports to the police area.

    Only properties of the papers themselves, so the figures of several local
    counts add up to those of one count of all their papers.
    """

    candidates: tuple[Candidate, ...]
    votes: Mapping[str, int]
    rejected: Mapping[Rejection, int]  # SV_HEADINGS; FPTP joins two at declaration
    second_not_counted: Mapping[NotCounted, int]  # PAPER_HEADS

    @property
    def valid(self) -> int:
        return sum(self.votes.values())

    @property
    def ballot_papers(self) -> int:
        return self.valid + sum(self.rejected.values())

    def __add__(self, other: FirstPreferences) -> FirstPreferences:
        if other.candidates != self.candidates:
            raise CountError("the counts are of different elections: the candidate lists differ")
        return FirstPreferences(
            candidates=self.candidates,
            votes=_sum(self.votes, other.votes),
            rejected=_sum(self.rejected, other.rejected),
            second_not_counted=_sum(self.second_not_counted, other.second_not_counted),
        )


@dataclass(frozen=True)
class Transfers:
    """Second preferences on the excluded candidates' papers (rule 5), for given remaining."""

    remaining: tuple[str, ...]
    transfers: Mapping[str, int]  # remaining candidates only
    non_transferable: Mapping[NotCounted, int]  # STAGE_TWO_HEADS
    excluded_papers: int
    by_excluded: Mapping[str, Mapping[str, int]] = field(default_factory=dict, compare=False)

    def __add__(self, other: Transfers) -> Transfers:
        if other.remaining != self.remaining:
            raise CountError(
                "second preferences counted for different remaining candidates: "
                f"{', '.join(self.remaining)} and {', '.join(other.remaining)}"
            )
        return Transfers(
            remaining=self.remaining,
            transfers=_sum(self.transfers, other.transfers),
            non_transferable=_sum(self.non_transferable, other.non_transferable),
            excluded_papers=self.excluded_papers + other.excluded_papers,
            by_excluded=_sum_by_excluded(self.by_excluded, other.by_excluded),
        )


@dataclass(frozen=True)
class AreaResult:
    """One voting area's share of every figure."""

    name: str
    first: FirstPreferences
    transfers: Transfers | None = None
    electorate: int | None = None
    issued: int | None = None  # ballot papers issued, when the area reported it
    method: Method = Method.SV

    @property
    def rejected(self) -> Mapping[Rejection, int]:
        """The area's statement of rejected ballot papers, headings as the method has them."""
        return statement(self.first.rejected, self.method)

    @property
    def totals(self) -> Mapping[str, int]:
        """First preferences plus transfers, for the remaining candidates."""
        if self.transfers is None:
            return self.first.votes
        moved = self.transfers.transfers
        return {n: self.first.votes[n] + moved[n] for n in self.transfers.remaining}

    @property
    def turnout(self) -> Turnout | None:
        if self.electorate is None:
            return None
        return Turnout(self.electorate, self.first.ballot_papers, self.first.valid)

    @property
    def issued_minus_counted(self) -> int | None:
        """Papers issued but not counted (negative: counted but not issued): 0 when it tallies."""
        return None if self.issued is None else self.issued - self.first.ballot_papers


@dataclass(frozen=True)
class Result:
    """Everything a declaration states, with the story of how it was reached."""

    method: Method
    candidates: tuple[Candidate, ...]
    ballot_papers: int
    valid: int
    rejected: Mapping[Rejection, int]  # the statement's headings for ``method``
    second_not_counted: Mapping[NotCounted, int] | None  # PAPER_HEADS; None for FPTP
    stage_one: StageOne
    stage_two: StageTwo | None
    winner: str | None  # None only while a lot is required
    decided_by: DecidedBy
    lot_required: tuple[str, ...] = ()  # the tied candidates, when no lot was given
    lot: Lot | None = None
    turnout: Turnout | None = None
    areas: tuple[AreaResult, ...] = ()  # per voting area, when counted by area

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    @property
    def final(self) -> Mapping[str, int]:
        """The deciding totals: stage two where held, else first preferences."""
        return self.stage_two.totals if self.stage_two else self.stage_one.votes

    def share(self, name: str) -> Decimal:
        """A candidate's first preferences as a percentage of valid votes."""
        return percent(self.stage_one.votes[name], self.valid)

    @property
    def majority(self) -> int | None:
        """Winner's lead over the runner-up in the deciding totals."""
        if self.winner is None or len(self.final) < 2:
            return None
        others = [v for n, v in self.final.items() if n != self.winner]
        return self.final[self.winner] - max(others)


def percent(part: int, whole: int) -> Decimal:
    """``part / whole`` as a percentage, exact, rounded half up to two decimals."""
    if whole == 0:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def statement(rejected: Mapping[Rejection, int], method: Method) -> dict[Rejection, int]:
    """The statement of rejected ballot papers, every heading, statutory order."""
    if method is Method.SV:
        return {h: rejected.get(h, 0) for h in SV_HEADINGS}
    merged = dict(rejected)
    merged[Rejection.UNMARKED_OR_VOID] = merged.pop(Rejection.UNMARKED, 0) + merged.pop(
        Rejection.VOID_FOR_UNCERTAINTY, 0
    )
    return {h: merged.get(h, 0) for h in FPTP_HEADINGS}


#: The key of an excluded candidate's papers that transfer to no one, in ``by_excluded``.
NON_TRANSFERABLE = "non_transferable"


def by_excluded_problem(
    by_excluded: Mapping[str, Mapping[str, int]],
    transfers: Mapping[str, int],
    not_transferred: int | None,
) -> str | None:
    """Why transfers per excluded candidate do not add up to stage two's, or None if they do
    (or are not known). ``not_transferred`` None leaves the papers not transferred to other
    checks (a second count's are checked against its first count when combined)."""
    if not by_excluded:
        return None
    for name, total in transfers.items():
        given = sum(t.get(name, 0) for t in by_excluded.values())
        if given != total:
            return f"transfers_by_excluded give {name} {given:,} papers, but transfers {total:,}"
    lost = sum(t.get(NON_TRANSFERABLE, 0) for t in by_excluded.values())
    if not_transferred is not None and lost != not_transferred:
        return (
            f"transfers_by_excluded leave {lost:,} papers not transferred, not {not_transferred:,}"
        )
    return None


def _sum_by_excluded(
    a: Mapping[str, Mapping[str, int]], b: Mapping[str, Mapping[str, int]]
) -> Mapping[str, Mapping[str, int]]:
    """Per-excluded transfers summed; unknown (empty) if either part does not know them."""
    if not a or not b:
        return {}
    return {e: _sum(a.get(e, {}), b.get(e, {})) for e in {**a, **b}}


def _sum(a: Mapping[Any, int], b: Mapping[Any, int]) -> Mapping[Any, int]:
    return MappingProxyType({k: a.get(k, 0) + b.get(k, 0) for k in dict.fromkeys([*a, *b])})


@dataclass(frozen=True)
class Provenance:
    """What is needed to reproduce a result: the input and the options."""

    file: str
    sha256: str
    rows: int
    columns: Mapping[str, str | None]
    options: Mapping[str, Any] = field(default_factory=dict)
    version: str = ""
    parts: tuple[Mapping[str, Any], ...] = ()  # the local count files combined, if any
    files: tuple[Mapping[str, Any], ...] = ()  # every other input: role, file, sha256

    def __post_init__(self) -> None:
        """File names come from outside (a disk, a result file): kept inert, escaped."""
        object.__setattr__(self, "file", escaped(self.file))
        for key in ("parts", "files"):
            named = tuple(
                {**p, "file": escaped(str(p["file"]))} if isinstance(p.get("file"), str) else p
                for p in getattr(self, key)
            )
            object.__setattr__(self, key, named)

    def input_record(self) -> dict[str, Any]:
        """The ``input`` object of every JSON output: the file, its SHA-256, rows, columns."""
        return {
            # a combined result lists its local files (each with its SHA-256 in local_counts)
            "file": [p["file"] for p in self.parts] if self.parts else self.file,
            "sha256": self.sha256,
            "rows": self.rows,
            "columns": dict(self.columns),
            **({"local_counts": list(self.parts)} if self.parts else {}),
            **({"files": list(self.files)} if self.files else {}),
        }
