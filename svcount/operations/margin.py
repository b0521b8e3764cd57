"""The margin of victory: the fewest papers read otherwise, added or removed to unseat a winner.

Three exact margins of an SV or FPTP count whose winner w is certain (README,
"How close was it"):

- **change** (M): papers re-marked (any reading to any other, rejected
  included) until w is not the certain winner: another candidate is
  elected, or a lot that includes w is needed;
- **add** (M_add): papers added, as from an uncounted box;
- **remove** (M_remove): papers taken away, as if wrongly included.

Only what the count looks at matters, so papers are grouped into *kinds*:
rejected, (a, no second preference counted), and (a, b). For each route by
which another candidate x can win (a majority at stage one; or a place among
those who remain and no fewer votes than any of them after transfers; or,
under a plurality, as many votes as w), the fewest papers is a small integer
program over the kinds (:mod:`svcount.operations.routes`), solved exactly by HiGHS.
Routes are solved in order of a cheap estimate, each bounded by the best found.
Every witness is re-counted by the ordinary count before it is reported.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from svcount.count import count
from svcount.errors import CountError
from svcount.model import Ballots, Method, NotCounted, Rejection, Result, Second
from svcount.operations.routes import (
    Bounds,
    Kind,
    Mode,
    Route,
    all_routes,
    kind_counts,
    kind_of,
    kinds_of,
    solve,
)

__all__ = [
    "KINDS",
    "Doubt",
    "FigureBounds",
    "Kind",
    "Margin",
    "Margins",
    "Move",
    "Route",
    "doubts",
    "figure_bounds",
    "kind_counts",
    "kind_of",
    "margins",
    "naive_bound",
]

KINDS: tuple[Mode, ...] = ("change", "add", "remove")

#: How an added or re-marked paper of a kind is written, where the kind has a choice.
_NEW_REJECTION = Rejection.VOID_FOR_UNCERTAINTY
_NEW_NO_SECOND = NotCounted.BLANK


@dataclass(frozen=True)
class Move:
    """Papers of one kind read as another: ``before`` None is an added paper, ``after`` removed.

    A kind is (first preference, second preference counted), with None for a
    rejected paper or for no second preference counted.
    """

    before: Kind | None
    after: Kind | None
    papers: int


@dataclass(frozen=True)
class Margin:
    """One margin: how many papers, which ones, and the count they give."""

    mode: Mode
    papers: int | None  # None: no such change can unseat the winner (one candidate)
    witness: tuple[Move, ...] = ()
    recount: Result | None = None  # the witness applied and counted; None if no valid papers


@dataclass(frozen=True)
class Doubt:
    """Papers whose reading is in doubt, against the margin they would have to reach."""

    key: str  # as the JSON names it: "rejected.unmarked", "second_preference_uncertain", ...
    what: str  # in words: "rejected as unmarked"
    papers: int
    mode: Mode  # the margin they are compared with
    margin: int

    @property
    def could_change(self) -> bool:
        """At least as many as the margin: re-reading them could change the result."""
        return self.papers >= self.margin


@dataclass(frozen=True)
class Margins:
    """The three margins of a count, with the figures they are compared with."""

    method: Method
    winner: str
    change: Margin
    add: Margin
    remove: Margin
    naive_bound: int | None  # ceil((T_w - T_r) / 2) on the final figures
    majority: int | None
    runner_up: str | None
    doubts: tuple[Doubt, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def __iter__(self) -> Iterator[Margin]:
        return iter((self.change, self.add, self.remove))


def naive_bound(result: Result) -> tuple[int | None, str | None]:
    """⌈(T_w − T_r)/2⌉ on the final totals, and the runner-up r: a bound, as reports quote it."""
    if result.winner is None or len(result.final) < 2:
        return None, None
    others = {n: v for n, v in result.final.items() if n != result.winner}
    runner = max(others, key=lambda n: others[n])
    return math.ceil((result.final[result.winner] - others[runner]) / 2), runner


def _margin(ballots: Ballots, result: Result, mode: Mode) -> Margin:
    names = [c.name for c in ballots.candidates]
    w = result.winner
    assert w is not None
    if len(names) < 2:  # elected unopposed: no paper read otherwise elects anyone else
        return Margin(mode, None)
    kinds = kinds_of(names)
    have = kind_counts(ballots)
    before = [have.get(k, 0) for k in kinds]
    bounds = Bounds(result.stage_one.votes, mode)
    best = sum(before) + 2  # every margin is at most the papers, plus one to add
    found: list[int] | None = None
    chosen: Route | None = None

    tried: set[Route] = set()

    def attempt(route: Route) -> None:
        nonlocal best, found, chosen
        if route not in tried and bounds.route(route, w) < best:
            tried.add(route)
            solved = solve(names, before, mode, route, w, best)
            if solved is not None and solved[0] < best:
                (best, found), chosen = solved, route

    # A first answer bounds the rest: the runner-up against w, and each majority.
    plurality = result.method is Method.FPTP or len(names) <= 2
    runner = max((n for n in names if n != w), key=lambda n: result.stage_one.votes[n])
    if not plurality:
        attempt(Route("stage_two", runner, tuple(n for n in names if n in (w, runner))))
    for route in all_routes(result.method, names, w, mode, bounds, best):
        attempt(route)
    assert found is not None and chosen is not None, "some route always unseats the winner"
    plainest = solve(names, before, mode, chosen, w, best, natural=True)
    if plainest is not None and plainest[0] == best:
        found = plainest[1]
    witness = tuple(_moves(kinds, before, found))
    recount = _recount(ballots, witness, result.method)
    if recount is not None and recount.winner == w:
        raise AssertionError(f"the {mode} witness does not unseat {w}")  # a bug, never input
    return Margin(mode, best, witness, recount)


def _moves(kinds: list[Kind], before: list[int], after: list[int]) -> Iterator[Move]:
    """Pair the kinds that lost papers with those that gained them."""
    changes = list(zip(kinds, before, after, strict=True))
    lost = [(k, b - a) for k, b, a in changes if b > a]
    gained = [(k, a - b) for k, b, a in changes if a > b]
    i = j = 0
    while i < len(lost) and j < len(gained):
        n = min(lost[i][1], gained[j][1])
        yield Move(lost[i][0], gained[j][0], n)
        lost[i], gained[j] = (lost[i][0], lost[i][1] - n), (gained[j][0], gained[j][1] - n)
        i += lost[i][1] == 0
        j += gained[j][1] == 0
    for k, n in lost[i:]:
        yield Move(k, None, n)
    for k, n in gained[j:]:
        yield Move(None, k, n)


def _recount(ballots: Ballots, witness: Sequence[Move], method: Method) -> Result | None:
    """The ordinary count of the papers with the witness applied; None if none is valid."""
    pairs: Counter[tuple[str, Second]] = Counter(ballots.pairs)
    rejected: Counter[Rejection] = Counter(ballots.rejected)

    def take(kind: Kind, n: int) -> None:
        first, second = kind
        if first is None:
            for heading in list(rejected):
                n -= (k := min(n, rejected[heading]))
                rejected[heading] -= k
            return
        for (a, s), papers in list(pairs.items()):
            if kind_of(a, s) == kind and n:
                n -= (k := min(n, papers))
                pairs[(a, s)] -= k

    def give(kind: Kind, n: int) -> None:
        first, second = kind
        if first is None:
            rejected[_NEW_REJECTION] += n
        else:
            pairs[(first, second if second is not None else _NEW_NO_SECOND)] += n

    for move in witness:
        if move.before is not None:
            take(move.before, move.papers)
        if move.after is not None:
            give(move.after, move.papers)
    changed = Ballots(
        ballots.candidates,
        {k: v for k, v in pairs.items() if v},
        {h: v for h, v in rejected.items() if v},
    )
    try:
        return count(changed, method)
    except CountError:
        return None


_REJECTED_AS = {
    Rejection.WANT_OF_OFFICIAL_MARK: "rejected for want of an official mark",
    Rejection.MORE_THAN_ONE_CANDIDATE: "rejected for voting for more than one candidate",
    Rejection.IDENTIFYING_MARK: "rejected for a mark identifying the voter",
    Rejection.UNMARKED: "rejected as unmarked",
    Rejection.VOID_FOR_UNCERTAINTY: "rejected as void for uncertainty",
    Rejection.UNMARKED_OR_VOID: "rejected as unmarked or void for uncertainty",
}


def doubts(ballots: Ballots, result: Result, found: Mapping[Mode, Margin]) -> tuple[Doubt, ...]:
    """The papers whose reading is in doubt, each against the margin it bears on.

    A rejected paper, or a second preference void for uncertainty, read
    otherwise is a re-marked paper (M). Papers issued but not counted could
    be added (M_add); papers counted but never issued could be removed
    (M_remove).
    """
    change, add, remove = (found[m].papers for m in KINDS)
    out: list[Doubt] = []
    if change is not None:
        shown = [(h, n) for h, n in result.rejected.items() if n]
        for heading, n in shown:
            what = _REJECTED_AS[heading]
            out.append(Doubt(f"rejected.{heading.value}", what, n, "change", change))
        if len(shown) > 1:
            total = sum(n for _, n in shown)
            out.append(Doubt("rejected.total", "rejected in all", total, "change", change))
        uncertain = sum(n for (_, s), n in ballots.pairs.items() if s is NotCounted.UNCERTAIN)
        if uncertain and result.method is Method.SV:
            what = "counted with a second preference void for uncertainty"
            out.append(Doubt("second_preference_uncertain", what, uncertain, "change", change))
    for area in result.areas:
        diff = area.issued_minus_counted
        if diff and diff > 0 and add is not None:
            what = f"issued but not counted in {area.name}"
            out.append(Doubt(f"issued_minus_counted.{area.name}", what, diff, "add", add))
        elif diff and diff < 0 and remove is not None:
            what = f"counted but not issued in {area.name}"
            out.append(Doubt(f"issued_minus_counted.{area.name}", what, -diff, "remove", remove))
    return tuple(out)


def margins(ballots: Ballots, result: Result) -> Margins:
    """The three exact margins of ``result``, counted from ``ballots`` (its whole count)."""
    if result.winner is None:
        raise CountError("no margin while a lot is required: the count has no winner yet")
    bound, runner = naive_bound(result)
    if result.lot is not None:  # already decided by lot: not certain
        found = {m: Margin(m, 0) for m in KINDS}
        notes: tuple[str, ...] = (
            "the winner was chosen by lot, so no paper is needed to change the result",
        )
    else:
        found = {mode: _margin(ballots, result, mode) for mode in KINDS}
        notes = ()
    return Margins(
        method=result.method,
        winner=result.winner,
        change=found["change"],
        add=found["add"],
        remove=found["remove"],
        naive_bound=bound,
        majority=result.majority,
        runner_up=runner,
        doubts=doubts(ballots, result, found),
        notes=notes,
    )


@dataclass(frozen=True)
class FigureBounds:
    """What a result's figures alone say of its margins (a result file has no mark table).

    Under FPTP the figures give the margins exactly. Under SV, ``lower`` is
    the least M any route could need, from the first preferences and the
    final totals; the exact figures need the ballots.
    """

    exact: bool
    lower: int
    naive_bound: int | None
    change: int | None = None
    add: int | None = None
    remove: int | None = None


def figure_bounds(view: Mapping[str, Any]) -> FigureBounds | None:
    """Bounds on M from a figures view; None while there is no certain winner."""
    w, votes, final = view["winner"], view["first_preferences"], view["final"]
    if w is None or view["lot"] or len(votes) < 2:
        return None
    others = {n: v for n, v in final.items() if n != w}
    gap = final[w] - max(others.values()) if others else None
    half = None if gap is None else -(-gap // 2)
    if view["method"] == Method.FPTP.value or len(votes) <= 2:
        assert gap is not None
        return FigureBounds(True, half or 0, half, half, gap, gap)
    bounds = Bounds(votes, "change")
    cap = half if half is not None else sum(votes.values())
    runner = max(others, key=lambda n: others[n]) if others else None
    held = view["stage_two_held"] and set(view["remaining"]) == {w, runner}
    lowest = cap
    for route in all_routes(Method(view["method"]), list(votes), w, "change", bounds, cap):
        bound = bounds.route(route, w)
        if held and route.kind == "stage_two" and set(route.remain) == {w, runner}:
            bound = max(bound, cap)  # these two remained: each paper moves their gap by 2
        lowest = min(lowest, bound)
    return FigureBounds(False, lowest, half)
