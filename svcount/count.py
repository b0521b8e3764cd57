"""The count: the rules of supplementary vote (SV) and first past the post (FPTP).

Pure and small on purpose: it takes ballots already grouped into distinct
(first, second) pairs with counts (:class:`~svcount.model.Ballots`), and
returns a frozen :class:`~svcount.model.Result` that carries every figure of
the declaration. It never reads files or prints.

The rules are those of the README's "The count" (PCC Order 2012 Sch. 3 r.53,
57-62; GLA Act 1999 Sch. 2 para 4), in that order:

==== ========================================= ============================== ================
rule what                                      function                       tests
==== ========================================= ============================== ================
1    is the paper valid? (first preference)    :func:`svcount.marks.rule_1`   test_marks.py
2    is the second preference usable?          :func:`svcount.marks.rule_2`;  test_marks.py
                                               ``Ballots`` (same as first)
3    more than half of the valid votes wins    :func:`stage_one`              test_rule_3_*
4    the two leaders remain (ties keep all)    :func:`stage_one`              test_rule_4_*
5    excluded papers' second preferences       :func:`transfers`              test_rule_5_*
6    an equality at the end is settled by lot  :func:`_most_votes`            test_rule_6_*
7    the declaration                           :func:`declare`                test_rule_7_*
==== ========================================= ============================== ================

:func:`count` composes them for one file; :func:`count_by_area` and
:func:`declare_areas` for voting areas and the staged count (r.57-60).
"""

from __future__ import annotations

import operator
import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import reduce
from types import MappingProxyType
from typing import Any, TypedDict, Unpack

from svcount.errors import CountError, did_you_mean
from svcount.marks import fold
from svcount.model import (
    NON_TRANSFERABLE,
    PAPER_HEADS,
    STAGE_TWO_HEADS,
    SV_HEADINGS,
    AreaResult,
    Ballots,
    DecidedBy,
    EnteredLot,
    FirstPreferences,
    Lot,
    LotInstruction,
    Method,
    NotCounted,
    Result,
    Second,
    StageOne,
    StageTwo,
    Transfers,
    Turnout,
    statement,
)

__all__ = [  # the rules; the vocabulary is svcount.model's (imported here for convenience)
    "count",
    "count_by_area",
    "declare",
    "declare_areas",
    "first_preferences",
    "stage_one",
    "transfers",
]


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
        excluded=tuple(n for n in names if votes[n] < second_place),  # linear in candidates
        tie_for_second=len(remaining) > 2,
    )


def transfers(ballots: Ballots, remaining: tuple[str, ...]) -> Transfers:
    """Rule 5 on these papers: only excluded candidates' papers are looked at again."""
    moved = dict.fromkeys(remaining, 0)
    lost: Counter[NotCounted] = Counter()
    excluded_papers = 0
    names = [c.name for c in ballots.candidates]
    by_excluded = {n: dict.fromkeys([*remaining, NON_TRANSFERABLE], 0) for n in names}
    for (first, second), papers in ballots.pairs.items():
        if first in moved:
            continue
        excluded_papers += papers
        head = _head(second)
        if head is not None:
            lost[head] += papers
            by_excluded[first][NON_TRANSFERABLE] += papers
        elif isinstance(second, str) and second in moved:
            moved[second] += papers
            by_excluded[first][second] += papers
        else:
            lost[NotCounted.NOT_REMAINING] += papers
            by_excluded[first][NON_TRANSFERABLE] += papers
    return Transfers(
        remaining=remaining,
        transfers=MappingProxyType(moved),
        non_transferable=_frozen(lost, STAGE_TWO_HEADS),
        excluded_papers=excluded_papers,
        by_excluded={n: by_excluded[n] for n in names if n not in moved},
    )


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


def _stage_two(first: FirstPreferences, stage: StageOne, moved: Transfers | None) -> StageTwo:
    """Rule 6's totals: the transfers must be those of the candidates stage one left."""
    if moved is None or moved.remaining != stage.remaining:
        counted = "not counted" if moved is None else f"counted for {', '.join(moved.remaining)}"
        raise CountError(
            f"stage one leaves {', '.join(stage.remaining)} remaining, but the second "
            f"preferences were {counted}"
        )
    return StageTwo(
        transfers=moved.transfers,
        totals=MappingProxyType({n: first.votes[n] + moved.transfers[n] for n in stage.remaining}),
        non_transferable=moved.non_transferable,
        excluded_papers=moved.excluded_papers,
        by_excluded=moved.by_excluded,
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
        alike = [n for n in names if fold(n) == fold(lot.winner)]  # case and spacing forgiven
        if len(alike) != 1:
            raise CountError(
                f"--lot {lot.winner!r} is not a candidate{did_you_mean(lot.winner, list(names))}"
            )
        lot = EnteredLot(alike[0])
    stage = stage_one(first, method)
    stage_two = None
    winner: str | None
    lot_drawn: Lot | None
    tied: tuple[str, ...]
    if len(names) == 1:
        winner, lot_drawn, tied, by = names[0], None, (), DecidedBy.UNOPPOSED
    elif stage.remaining:
        stage_two = _stage_two(first, stage, moved)
        winner, lot_drawn, tied = _most_votes(stage_two.totals, stage.remaining, lot)
        by = DecidedBy.STAGE_TWO
    elif method is Method.FPTP or len(names) == 2:
        winner, lot_drawn, tied = _most_votes(first.votes, names, lot)
        by = DecidedBy.MOST_VOTES if method is Method.FPTP else DecidedBy.SIMPLE_MAJORITY
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


class Declaring(TypedDict, total=False):
    """What a declaration takes beyond the figures: declared once, by :func:`declare_areas`."""

    lot: LotInstruction | None
    electorate: int | None
    electorates: Mapping[str, int] | None
    issued: Mapping[str, int] | None


def count_by_area(
    areas: Mapping[str, Ballots], method: Method = Method.SV, **declaring: Unpack[Declaring]
) -> Result:
    """Count several voting areas as one poll, reporting every figure per area too.

    Who remains is decided on the totals; each area then counts the second
    preferences on its own excluded papers (PCC Order r.57-60). ``declaring``
    is :func:`declare_areas`'s: the lot, the electorate or each area's, papers issued.
    """
    if not areas:
        raise CountError("there are no voting areas to count")
    firsts = {name: first_preferences(b) for name, b in areas.items()}
    stage = stage_one(reduce(operator.add, firsts.values()), method)
    moved = {n: transfers(b, stage.remaining) for n, b in areas.items()} if stage.remaining else {}
    return declare_areas(firsts, moved, method, **declaring)


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


def _head(second: Second) -> NotCounted | None:
    """Why this paper's second preference can never be counted, if it cannot."""
    return second if isinstance(second, NotCounted) else None


def _frozen(counts: Mapping[Any, int], keys: Iterable[Any]) -> Mapping[Any, int]:
    return MappingProxyType({k: counts.get(k, 0) for k in keys})
