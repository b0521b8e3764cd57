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
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from svcount.count import count
from svcount.errors import CountError
from svcount.model import Ballots, Method, NotCounted, Rejection, Result, Second
from svcount.operations.notebook import Tabulated
from svcount.operations.routes import (
    Answer,
    Bounds,
    Kind,
    Mode,
    Route,
    all_routes,
    class_of,
    floor,
    held_by_class,
    kind_counts,
    kind_of,
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
    "SECONDS",
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
    lower: int | None = None  # proven: no fewer papers can do it (None: as ``papers``)

    @property
    def exact(self) -> bool:
        """Proven the fewest; else ``papers`` is the fewest found in the time given."""
        return self.lower is None or self.lower == self.papers


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
class Margins(Tabulated):
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
    seconds: float = 5.0  # the time the three were given together

    def __iter__(self) -> Iterator[Margin]:
        return iter((self.change, self.add, self.remove))

    def __repr__(self) -> str:
        """One line for a notebook: the winner and each margin (≥ where not proven)."""

        def said(m: Margin) -> str:
            if m.papers is None:
                return f"{m.mode} none"
            return f"{m.mode} {'' if m.exact else '≥'}{(m.lower or m.papers):,}"

        return f"<Margins: {self.winner}; {', '.join(said(m) for m in self)} papers>"

    def rows(self) -> list[dict[str, Any]]:
        """Each margin: its papers, whether proven the fewest, and the fewest proven."""
        return [
            {
                "margin": m.mode,
                "papers": "" if m.papers is None else m.papers,
                "exact": m.exact,
                "at_least": "" if m.papers is None else (m.lower or m.papers),
            }  # fmt: skip
            for m in self
        ]


def naive_bound(result: Result) -> tuple[int | None, str | None]:
    """⌈(T_w − T_r)/2⌉ on the final totals, and the runner-up r: a bound, as reports quote it."""
    if result.winner is None or len(result.final) < 2:
        return None, None
    others = {n: v for n, v in result.final.items() if n != result.winner}
    runner = max(others, key=lambda n: others[n])
    return math.ceil((result.final[result.winner] - others[runner]) / 2), runner


Found = tuple[Route, list[Kind], list[int], Sequence[int]]  # a route's kinds, before, after


def _margin(ballots: Ballots, result: Result, mode: Mode, seconds: float) -> Margin:
    """The fewest papers by every route, or, when ``seconds`` run out, the bounds proven."""
    if len(ballots.candidates) < 2 and mode == "add":  # no added paper unseats a lone one
        return Margin(mode, None)
    search = _Search(ballots, result, mode, time.monotonic() + seconds)
    search.run()
    route, kinds, before, after = search.found or _plainest_change(
        search.names, search.have, mode, search.w
    )
    if not search.unproven:
        left = max(search.deadline - time.monotonic(), 0.1)
        plain = search.solve(route, left, natural=True)[2]
        if plain.papers == search.best and plain.exact:
            after = plain.after
    moves = search.witness(route, kinds, before, after)
    recount = _recount(ballots, moves, result.method)
    if recount is not None and recount.winner == search.w:
        raise AssertionError(f"the {mode} witness does not unseat {search.w}")  # a bug
    papers = sum(m.papers for m in moves)
    lower = max(search.least, min([papers, *search.unproven]))
    return Margin(mode, papers, moves, recount, lower=lower)


class _Search:
    """Routes tried cheapest bound first, each bounded by the best found, until the deadline."""

    def __init__(self, ballots: Ballots, result: Result, mode: Mode, deadline: float) -> None:
        assert result.winner is not None
        self.ballots, self.result, self.mode, self.deadline = ballots, result, mode, deadline
        self.names = [c.name for c in ballots.candidates]
        self.w = result.winner
        self.have = kind_counts(ballots)
        self.bounds = Bounds(result.stage_one.votes, mode)
        self.least = floor(result.method, self.names, self.w, mode, self.bounds)
        self.best = sum(self.have.values()) + 2  # at most the papers, plus one to add
        self.found: Found | None = None
        self.unproven: list[int] = []  # what each route cut short still proved

    def solve(
        self, route: Route, seconds: float, natural: bool = False
    ) -> tuple[list[Kind], list[int], Answer]:
        return solve(
            self.names, self.have, self.mode, route, self.w, self.best,
            seconds=seconds, natural=natural,
        )  # fmt: skip

    def run(self) -> None:
        names, w, votes = self.names, self.w, self.result.stage_one.votes
        first = None
        if self.result.method is Method.SV and len(names) > 2:
            # A first answer bounds the rest: the runner-up against w.
            runner = max((n for n in names if n != w), key=lambda n: votes[n])
            first = Route("stage_two", runner, tuple(n for n in names if n in (w, runner)))
            self.attempt(first)
        routes = all_routes(self.result.method, names, w, self.mode, self.bounds, self.best_now)
        for route in routes:
            if self.best <= self.least:
                break
            if time.monotonic() >= self.deadline:
                self.unproven.append(self.least)  # routes never tried: only the floor is known
                break
            if route != first:
                self.attempt(route)

    def best_now(self) -> int:
        return self.best

    def attempt(self, route: Route) -> None:
        bound = self.bounds.route(route, self.w)
        if bound >= self.best:
            return
        kinds, before, answer = self.solve(route, self.deadline - time.monotonic())
        if answer.papers is not None and answer.papers < self.best:
            if self.unseats((route, kinds, before, answer.after)):
                self.best, self.found = answer.papers, (route, kinds, before, answer.after)
            else:  # the solver's tolerance let a wrong answer through: this route unproven
                self.unproven.append(self.least)
        if not answer.exact:
            self.unproven.append(max(answer.lower, bound))

    def witness(
        self, route: Route, kinds: list[Kind], before: list[int], after: Sequence[int]
    ) -> tuple[Move, ...]:
        changed = _as_kinds(self.have, route, kinds, before, after, self.names)
        return tuple(_moves(*changed))

    def unseats(self, answer: Found) -> bool:
        recount = _recount(self.ballots, self.witness(*answer), self.result.method)
        return recount is None or recount.winner != self.w


def _plainest_change(
    names: Sequence[str], have: Mapping[Kind, int], mode: Mode, w: str
) -> tuple[Route, list[Kind], list[int], list[int]]:
    """A change that always unseats w, for when the time ran out before any route gave one.

    Every valid paper rejected, or removed; or, added, more papers for another
    candidate than there are.
    """
    x = next((n for n in names if n != w), w)  # add: never a lone candidate
    route = Route("majority", x) if mode == "add" else Route("no_valid")
    kinds, before = held_by_class(names, have, route)
    total = sum(before)
    if mode == "add":
        after = [b + (total + 1) * (k == (x, None)) for k, b in zip(kinds, before, strict=True)]
    elif mode == "change":
        after = [total if k == (None, None) else 0 for k in kinds]
    else:
        after = [b if k == (None, None) else 0 for k, b in zip(kinds, before, strict=True)]
    return route, kinds, before, after


def _as_kinds(
    have: Mapping[Kind, int],
    route: Route,
    kinds: list[Kind],
    before: list[int],
    after: Sequence[int],
    names: Sequence[str],
) -> tuple[list[Kind], list[int], list[int]]:
    """A program's answer over its kinds, as papers of the kinds the ballots hold.

    A kind of the program that lost papers loses them from the kinds it
    stands for, plainest first; one that gained them gains them as itself.
    """
    rank = {name: i for i, name in enumerate(names)}

    def order(kind: Kind) -> tuple[int, int, int]:  # rejected, no second preference, the rest
        first, second = kind
        if first is None:
            return (0, 0, 0)
        return (1, rank[first], 0) if second is None else (2, rank[first], rank[second])

    members: dict[Kind, list[Kind]] = {}
    for member in sorted(have, key=order):
        members.setdefault(class_of(member, route), []).append(member)
    now = dict(have)
    for kind, b, a in zip(kinds, before, after, strict=True):
        if a > b:
            now[kind] = now.get(kind, 0) + a - b
        lose = b - a
        for member in members.get(kind, []) if lose > 0 else []:
            taken = min(lose, have[member])
            now[member] -= taken
            lose -= taken
            if lose <= 0:
                break
    every = sorted(set(have) | set(now), key=order)
    return every, [have.get(k, 0) for k in every], [now.get(k, 0) for k in every]


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
    of_kind: dict[Kind, list[tuple[str, Second]]] = {}
    for pair in ballots.pairs:
        of_kind.setdefault(kind_of(*pair), []).append(pair)

    def take(kind: Kind, n: int) -> None:
        first, second = kind
        if first is None:
            for heading in list(rejected):
                n -= (k := min(n, rejected[heading]))
                rejected[heading] -= k
            return
        for pair in of_kind.get(kind, []):
            n -= (k := min(n, pairs[pair]))
            pairs[pair] -= k

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
    # Against the fewest papers proven: where a margin is not exact, its lower bound.
    change, add, remove = (found[m].papers if found[m].exact else found[m].lower for m in KINDS)
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


#: How long the three margins may take together, unless told: then the bounds proven are given.
SECONDS = 5.0


def margins(ballots: Ballots, result: Result, seconds: float = SECONDS) -> Margins:
    """The three margins of ``result``, counted from ``ballots`` (its whole count).

    Each is exact unless its share of ``seconds`` runs out first; then it is
    the fewest papers found, with the fewest proven (``Margin.lower``).
    """
    if result.winner is None:
        raise CountError("no margin while a lot is required: the count has no winner yet")
    bound, runner = naive_bound(result)
    if result.lot is not None:  # already decided by lot: not certain
        found = {m: Margin(m, 0, recount=result) for m in KINDS}
        notes: tuple[str, ...] = (
            "the winner was chosen by lot, so no paper is needed to change the result",
        )
    else:
        deadline = time.monotonic() + seconds
        found = {}
        for i, mode in enumerate(KINDS):
            share = (deadline - time.monotonic()) / (len(KINDS) - i)
            found[mode] = _margin(ballots, result, mode, max(share, 0.0))
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
        seconds=seconds,
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
    method, names = Method(view["method"]), list(votes)
    least = floor(method, names, w, "change", bounds)
    best = lambda: lowest  # noqa: E731 B023 - read afresh: the routes left are those below it
    for route in all_routes(method, names, w, "change", bounds, best):  # at most 6n + 1
        if lowest <= least:
            break
        bound = bounds.route(route, w)
        if held and route.kind == "stage_two" and set(route.remain) == {w, runner}:
            bound = max(bound, cap)  # these two remained: each paper moves their gap by 2
        lowest = min(lowest, bound)
    return FigureBounds(False, lowest, half)
