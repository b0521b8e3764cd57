"""The count: supplementary vote (SV) and first past the post (FPTP).

Pure and small on purpose: it takes ballots already grouped into distinct
(first, second) pairs with counts, and returns a frozen :class:`Result` that
carries every figure of the declaration. It never reads files or prints, so it
is the same whether called from the command line or a notebook.

The rules are those of ``shared/rules.md`` (PCC Order 2012 Sch. 3 r.53, 57-62;
GLA Act 1999 Sch. 2 para 4); rule numbers are cited where they are applied.
"""

from __future__ import annotations

import enum
import operator
import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from types import MappingProxyType
from typing import Any

from svcount.errors import CountError, whole_number

__all__ = [
    "AreaResult",
    "Ballots",
    "Candidate",
    "DecidedBy",
    "EnteredLot",
    "Lot",
    "Method",
    "NotCounted",
    "Rejection",
    "Result",
    "SeededLot",
    "StageOne",
    "StageTwo",
    "FirstPreferences",
    "Transfers",
    "Turnout",
    "count",
    "count_by_area",
    "declare",
    "declare_areas",
    "first_preferences",
    "is_missing",
    "percent",
    "stage_one",
    "statement",
    "transfers",
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
            elif second == first:  # rule 2: it can never transfer
                second = NotCounted.SAME_AS_FIRST
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


@dataclass(frozen=True)
class Turnout:
    """Two published conventions, each labelled (rules.md, "Turnout")."""

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


def count(
    ballots: Ballots,
    method: Method = Method.SV,
    *,
    lot: LotInstruction | None = None,
    electorate: int | None = None,
) -> Result:
    """Count ``ballots`` by ``method`` and return the declared result.

    An equality that only a lot can settle is settled by ``lot`` when given;
    otherwise the result has ``winner=None`` and names the tied candidates in
    ``lot_required``.
    """
    first = first_preferences(ballots)
    stage = stage_one(first, method)
    moved = transfers(ballots, stage.remaining) if stage.remaining else None
    return declare(first, method, moved, lot=lot, electorate=electorate)


def count_by_area(
    areas: Mapping[str, Ballots],
    method: Method = Method.SV,
    *,
    lot: LotInstruction | None = None,
    electorate: int | None = None,
    electorates: Mapping[str, int] | None = None,
    issued: Mapping[str, int] | None = None,
) -> Result:
    """Count several voting areas as one poll, reporting every figure per area too.

    Who remains is decided on the totals; each area then counts the second
    preferences on its own excluded papers (PCC Order r.57-60).
    """
    if not areas:
        raise CountError("there are no voting areas to count")
    firsts = {name: first_preferences(b) for name, b in areas.items()}
    stage = stage_one(reduce(operator.add, firsts.values()), method)
    moved = {n: transfers(b, stage.remaining) for n, b in areas.items()} if stage.remaining else {}
    return declare_areas(
        firsts,
        moved,
        method,
        lot=lot,
        electorate=electorate,
        electorates=electorates,
        issued=issued,
    )


def declare_areas(
    firsts: Mapping[str, FirstPreferences],
    moved: Mapping[str, Transfers],
    method: Method = Method.SV,
    *,
    lot: LotInstruction | None = None,
    electorate: int | None = None,
    electorates: Mapping[str, int] | None = None,
    issued: Mapping[str, int] | None = None,
) -> Result:
    """The declaration from local counts: their first counts and, if needed, transfers."""
    electorates = electorates or {}
    missing = [n for n in firsts if n not in moved]
    if moved and missing:
        raise CountError(f"second preferences are missing for: {', '.join(missing)}")
    areas = tuple(
        AreaResult(n, first, moved.get(n), electorates.get(n), (issued or {}).get(n), method)
        for n, first in firsts.items()
    )
    for area in areas:
        if area.electorate is not None:
            Turnout.of(area.first.ballot_papers, area.first.valid, area.electorate, area.name)
    if electorates:
        if electorate is not None:
            raise CountError(
                "give the electorate of the whole area or of each voting area, not both"
            )
        missing = [n for n in firsts if n not in electorates]
        if missing:
            raise CountError(f"no electorate for: {', '.join(missing)}")
        electorate = sum(electorates[n] for n in firsts)
    result = declare(
        reduce(operator.add, firsts.values()),
        method,
        reduce(operator.add, moved.values()) if moved else None,
        lot=lot,
        electorate=electorate,
    )
    return replace(result, areas=areas)


def first_preferences(ballots: Ballots) -> FirstPreferences:
    """Stage one of a local count: first preferences and the papers' own figures."""
    votes = dict.fromkeys((c.name for c in ballots.candidates), 0)
    heads: Counter[NotCounted] = Counter()
    for (first, second), papers in ballots.pairs.items():
        votes[first] += papers
        head = _head(second)
        if head is not None:
            heads[head] += papers
    return FirstPreferences(
        candidates=ballots.candidates,
        votes=MappingProxyType(votes),
        rejected=_frozen(ballots.rejected, SV_HEADINGS),
        second_not_counted=_frozen(heads, PAPER_HEADS),
    )


def transfers(ballots: Ballots, remaining: tuple[str, ...]) -> Transfers:
    """Rule 5 on these papers: only excluded candidates' papers are looked at again."""
    moved = dict.fromkeys(remaining, 0)
    lost: Counter[NotCounted] = Counter()
    excluded_papers = 0
    for (first, second), papers in ballots.pairs.items():
        if first in moved:
            continue
        excluded_papers += papers
        head = _head(second)
        if head is not None:
            lost[head] += papers
        elif isinstance(second, str) and second in moved:
            moved[second] += papers
        else:
            lost[NotCounted.NOT_REMAINING] += papers
    return Transfers(
        remaining=remaining,
        transfers=MappingProxyType(moved),
        non_transferable=_frozen(lost, STAGE_TWO_HEADS),
        excluded_papers=excluded_papers,
    )


def stage_one(first: FirstPreferences, method: Method = Method.SV) -> StageOne:
    """Rules 3-4 on the totals: who is elected, or who remains.

    ``remaining`` is empty when the count ends here; in a plurality count
    (FPTP, or two candidates) ``elected`` is None while the leaders are equal.
    """
    names = tuple(c.name for c in first.candidates)
    if not names:
        raise CountError(
            f"no candidates: none of the {first.ballot_papers:,} papers has a valid first "
            "preference (give --candidates to list the candidates)"
        )
    votes, valid = first.votes, first.valid
    if valid == 0:  # even a lone candidate: a poll with no valid vote declares nothing
        raise CountError(
            f"no valid ballot papers: all {first.ballot_papers:,} papers were rejected"
        )
    majority = valid // 2 + 1
    top = max(votes.values())
    leaders = [n for n in names if votes[n] == top]
    plurality = len(names) <= 2 or method is Method.FPTP
    if plurality or top * 2 > valid:  # more than half; exactly half is not enough
        elected = leaders[0] if len(leaders) == 1 else None
        return StageOne(
            votes, valid, majority, elected, remaining=(), excluded=(), tie_for_second=False
        )
    # Rule 4: the two leaders remain; an equality for second place keeps every
    # tied candidate in (GLA Act Sch. 2 para 4(3)): no lot here.
    second_place = sorted(votes.values(), reverse=True)[1]
    remaining = tuple(n for n in names if votes[n] >= second_place)
    return StageOne(
        votes=votes,
        valid=valid,
        majority=majority,
        elected=None,
        remaining=remaining,
        excluded=tuple(n for n in names if n not in remaining),
        tie_for_second=len(remaining) > 2,
    )


def declare(
    first: FirstPreferences,
    method: Method = Method.SV,
    moved: Transfers | None = None,
    *,
    lot: LotInstruction | None = None,
    electorate: int | None = None,
) -> Result:
    """The result from a first count and, when stage one does not decide, the transfers."""
    names = tuple(c.name for c in first.candidates)
    if isinstance(lot, EnteredLot) and lot.winner not in names:
        raise CountError(f"--lot {lot.winner!r} is not a candidate")
    stage = stage_one(first, method)
    stage_two = None
    winner: str | None
    lot_drawn: Lot | None
    tied: tuple[str, ...]
    if len(names) == 1:
        winner, lot_drawn, tied, by = names[0], None, (), DecidedBy.UNOPPOSED
    elif stage.remaining:
        if moved is None or moved.remaining != stage.remaining:
            counted = (
                "not counted" if moved is None else f"counted for {', '.join(moved.remaining)}"
            )
            raise CountError(
                f"stage one leaves {', '.join(stage.remaining)} remaining, but the second "
                f"preferences were {counted}"
            )
        stage_two = StageTwo(
            transfers=moved.transfers,
            totals=MappingProxyType(
                {n: first.votes[n] + moved.transfers[n] for n in stage.remaining}
            ),
            non_transferable=moved.non_transferable,
            excluded_papers=moved.excluded_papers,
        )
        winner, lot_drawn, tied = _most_votes(stage_two.totals, stage.remaining, lot)
        by = DecidedBy.STAGE_TWO
    elif method is Method.FPTP or len(names) == 2:
        winner, lot_drawn, tied = _most_votes(first.votes, names, lot)
        by = DecidedBy.MOST_VOTES if method is Method.FPTP else DecidedBy.SIMPLE_MAJORITY
        stage = replace(stage, elected=winner)
    else:
        winner, lot_drawn, tied, by = stage.elected, None, (), DecidedBy.MAJORITY
    if lot_drawn is not None:
        by = DecidedBy.LOT
    elif winner is None:
        by = DecidedBy.LOT_REQUIRED
    return Result(
        method=method,
        candidates=first.candidates,
        ballot_papers=first.ballot_papers,
        valid=first.valid,
        rejected=MappingProxyType(statement(first.rejected, method)),
        second_not_counted=None if method is Method.FPTP else first.second_not_counted,
        stage_one=stage,
        stage_two=stage_two,
        winner=winner,
        decided_by=by,
        lot_required=() if winner else tied,
        lot=lot_drawn,
        turnout=None
        if electorate is None
        else Turnout.of(first.ballot_papers, first.valid, electorate),
    )


def _head(second: Second) -> NotCounted | None:
    """Why this paper's second preference can never be counted, if it cannot."""
    return second if isinstance(second, NotCounted) else None


def _most_votes(
    totals: Mapping[str, int], order: tuple[str, ...], lot: LotInstruction | None
) -> tuple[str | None, Lot | None, tuple[str, ...]]:
    """The candidate with most votes, or the lot's winner among the tied (rule 6)."""
    top = max(totals[n] for n in order)
    tied = tuple(n for n in order if totals[n] == top)
    if len(tied) == 1:
        return tied[0], None, tied
    if lot is None:
        return None, None, tied
    if isinstance(lot, EnteredLot):
        if lot.winner not in tied:
            raise CountError(
                f"--lot {lot.winner!r} is not one of the candidates in the equality of votes: "
                + ", ".join(tied)
            )
        return lot.winner, Lot(tied=tied, winner=lot.winner, how="entered"), tied
    # random.Random(int).randrange is stable across Python versions.
    winner = tied[random.Random(lot.seed).randrange(len(tied))]
    return winner, Lot(tied=tied, winner=winner, how="seed", seed=lot.seed), tied


def statement(rejected: Mapping[Rejection, int], method: Method) -> dict[Rejection, int]:
    """The statement of rejected ballot papers, every heading, statutory order."""
    if method is Method.SV:
        return {h: rejected.get(h, 0) for h in SV_HEADINGS}
    merged = dict(rejected)
    merged[Rejection.UNMARKED_OR_VOID] = merged.pop(Rejection.UNMARKED, 0) + merged.pop(
        Rejection.VOID_FOR_UNCERTAINTY, 0
    )
    return {h: merged.get(h, 0) for h in FPTP_HEADINGS}


def _frozen(counts: Mapping[Any, int], keys: Iterable[Any]) -> Mapping[Any, int]:
    return MappingProxyType({k: counts.get(k, 0) for k in keys})


def _sum(a: Mapping[Any, int], b: Mapping[Any, int]) -> Mapping[Any, int]:
    return MappingProxyType({k: a.get(k, 0) + b.get(k, 0) for k in dict.fromkeys([*a, *b])})
