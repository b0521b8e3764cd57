"""The integer programs of the margin: one per route by which the winner can lose.

Papers are grouped into kinds, (first preference or None if rejected, second
preference counted or None), and a route's program chooses how many papers
of each kind there are after the change. Who remains is fixed by the route,
so the transfers, and every condition of the count, are linear: HiGHS
(through ``highspy``) solves each exactly. :class:`Bounds` gives each
route a cheap lower bound from the first preferences, so that routes that
cannot beat the best found are never solved.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from typing import Literal

from svcount.model import Ballots, Method, Second

__all__ = [
    "Answer",
    "Best",
    "Bounds",
    "Kind",
    "Mode",
    "Route",
    "all_routes",
    "class_of",
    "classes",
    "held_by_class",
    "floor",
    "kind_counts",
    "kind_of",
    "solve",
]

Kind = tuple[str | None, str | None]  # (first or None if rejected, second or None)
Mode = Literal["change", "add", "remove"]


def kind_of(first: str, second: Second) -> Kind:
    """What the count sees of a valid paper."""
    return (first, second if isinstance(second, str) and second != first else None)


def kind_counts(ballots: Ballots) -> Counter[Kind]:
    counts: Counter[Kind] = Counter()
    for (first, second), papers in ballots.pairs.items():
        counts[kind_of(first, second)] += papers
    counts[(None, None)] += sum(ballots.rejected.values())
    return counts


# --------------------------------------------------------------------------- the programs


class _Program:
    """An integer program built row by row, then solved by HiGHS."""

    def __init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.cost: list[float] = []
        self.integer: list[int] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []

    def var(self, lower: float, upper: float, cost: float = 0.0, integer: bool = True) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.cost.append(cost)
        self.integer.append(1 if integer else 0)
        return len(self.lower) - 1

    def row(self, terms: Mapping[int, float], lower: float, upper: float = math.inf) -> None:
        self.rows.append((dict(terms), lower, upper))

    def solve(self, seconds: float) -> Solved:
        """Solve exactly (``mip_rel_gap`` 0) within ``seconds``; see :class:`Solved`."""
        import highspy
        import numpy as np

        # highspy.Highs() logs a banner to standard output before any option can be set;
        # the core class, silenced first, never does.
        highs = highspy._core._Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("mip_rel_gap", 0.0)  # exact, not within 0.01%
        highs.setOptionValue("time_limit", max(seconds, 0.01))
        highs.setOptionValue("threads", 1)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = len(self.lower), len(self.rows)
        inf = highspy.kHighsInf
        lp.col_cost_ = np.array(self.cost, dtype=np.float64)
        lp.col_lower_ = np.array(self.lower, dtype=np.float64)
        lp.col_upper_ = np.array([min(u, inf) for u in self.upper], dtype=np.float64)
        lp.row_lower_ = np.array([max(r[1], -inf) for r in self.rows], dtype=np.float64)
        lp.row_upper_ = np.array([min(r[2], inf) for r in self.rows], dtype=np.float64)
        starts: list[int] = [0]
        index: list[int] = []
        value: list[float] = []
        for terms, _, _ in self.rows:
            index += terms.keys()
            value += terms.values()
            starts.append(len(index))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = lp.num_col_, lp.num_row_
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(value, dtype=np.float64)
        kind = highspy.HighsVarType
        lp.integrality_ = [kind.kInteger if i else kind.kContinuous for i in self.integer]
        highs.passModel(lp)
        highs.run()
        status = highs.getModelStatus()
        info = highs.getInfo()
        found = None
        if info.primal_solution_status == 2:  # a feasible solution, optimal or not
            found = [int(round(v)) for v in highs.getSolution().col_value]
        if status == highspy.HighsModelStatus.kOptimal:
            return Solved(found, exact=True)
        if status == highspy.HighsModelStatus.kInfeasible:
            return Solved(None, exact=True)
        bound = info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else -math.inf
        return Solved(found, exact=False, bound=bound)


@dataclass(frozen=True)
class Solved:
    """A program's answer: the best values found (None: none), and whether proven optimal.

    When the time ran out first, ``bound`` is the proven least objective.
    """

    values: list[int] | None
    exact: bool
    bound: float = -math.inf


def _add(into: dict[int, float], terms: Mapping[int, float], scale: float = 1.0) -> None:
    for j, a in terms.items():
        into[j] = into.get(j, 0.0) + scale * a


def _plainness(kind: Kind, favoured: str) -> float:
    """How far a kind is from a plain paper: witnesses prefer papers with no second
    preference, and then those of ``favoured`` (w's taken, x's given) before anyone else's."""
    first, second = kind
    if first is None:
        return 3.0
    return 2.0 if second is not None else (0.5 if first == favoured else 1.0)


@dataclass
class _Papers:
    """One route's program: the papers of each kind after the change, and their cost."""

    kinds: list[Kind]
    before: list[int]
    mode: Mode
    best: int  # only solutions cheaper than this are wanted
    natural: bool = False  # at exactly ``best``, the plainest witness
    x: str = ""  # the route's challenger: the plainest witness gives papers to x,
    w: str = ""  # and takes them from w, where it can
    program: _Program = field(default_factory=_Program)

    def __post_init__(self) -> None:
        p = self.program
        total = sum(self.before)
        room = total + 1  # adding total + 1 papers for anyone gives them a majority
        self.most = total + room  # more papers than there can be after any change
        self._sums: dict[str | None, int] = {}
        self.n: list[int] = []
        cost: dict[int, float] = {}
        for kind, before in zip(self.kinds, self.before, strict=True):
            plain = self.natural * _plainness(kind, self.x)
            if self.mode == "change":
                n = p.var(0, total)
                d = p.var(0, before, self.natural * _plainness(kind, self.w))  # papers taken
                if self.natural:  # and papers given to it: after = before - taken + given
                    g = p.var(0, total, plain)
                    p.row({n: 1, d: 1, g: -1}, before, before)
                else:
                    p.row({n: 1, d: 1}, before)
                cost[d] = 1.0
            elif self.mode == "add":
                n = p.var(before, before + room, plain)
                cost[n] = 1.0
            else:
                n = p.var(0, before, -self.natural * _plainness(kind, self.w))
                cost[n] = -1.0
            self.n.append(n)
        if not self.natural:
            for j, a in cost.items():
                p.cost[j] = a
        if self.mode == "change":
            p.row(dict.fromkeys(self.n, 1.0), total, total)
        offset = {"change": 0, "add": -sum(self.before), "remove": sum(self.before)}[self.mode]
        self.offset = offset  # papers = objective + offset
        most = self.best - offset - (0 if self.natural else 1)
        p.row(cost, -math.inf, most)  # better than the best found, or as good when natural

    def _sum(self, key: str | None, papers: Callable[[Kind], bool]) -> dict[int, float]:
        """One variable equal to the papers of the kinds chosen, so rows using it stay short."""
        if key not in self._sums:
            p = self.program
            total = p.var(0, self.most, integer=False)
            chosen = (self.n[i] for i, kind in enumerate(self.kinds) if papers(kind))
            p.row({total: 1.0, **dict.fromkeys(chosen, -1.0)}, 0, 0)
            self._sums[key] = total
        return {self._sums[key]: 1.0}

    def votes(self, name: str) -> dict[int, float]:
        """A candidate's first preferences."""
        return self._sum(name, lambda kind: kind[0] == name)

    def valid(self) -> dict[int, float]:
        return self._sum(None, lambda kind: kind[0] is not None)

    def solve(self, seconds: float) -> Answer:
        """The fewest papers by this route and the papers of each kind after, if any."""
        solved = self.program.solve(seconds)
        # The objective is the papers less the offset (see __post_init__); none if unbounded.
        proven = solved.bound + self.offset if math.isfinite(solved.bound) else 0
        lower = max(0, math.ceil(proven - 1e-6))
        if solved.values is None:
            return Answer(None, (), solved.exact, lower)
        after = [solved.values[n] for n in self.n]
        pairs = list(zip(self.before, after, strict=True))
        if self.mode == "add":
            papers = sum(a - b for b, a in pairs)
        else:
            papers = sum(max(0, b - a) for b, a in pairs)
        return Answer(papers, tuple(after), solved.exact, lower)


@dataclass(frozen=True)
class Answer:
    """One route's program solved: ``papers`` None when no cheaper change exists by it.

    ``after`` gives the papers of each kind of the program after the change.
    When ``exact`` is false the time ran out: ``papers`` is the best found,
    and ``lower`` what the solver proved no change by this route can beat.
    """

    papers: int | None
    after: tuple[int, ...]
    exact: bool
    lower: int = 0


@dataclass(frozen=True)
class Route:
    """One way w can stop being the certain winner, for candidate ``x``.

    ``majority``: x has more than half at stage one; ``plurality``: x has as
    many votes as w; ``stage_two``: exactly the two of ``remain`` remain and x
    is not behind the other after transfers; ``any_remain``: x remains with
    two or more others through an equality for second place (rule 4), or with
    ``pairs`` with any others, and w (then ``remain`` is (x, w)) is excluded
    or not ahead of x after transfers; ``no_valid``: no valid paper is left.
    """

    kind: Literal["majority", "plurality", "stage_two", "any_remain", "no_valid"]
    x: str = ""
    remain: tuple[str, ...] = ()
    pairs: bool = False  # any_remain: two remaining too (in place of a route per pair)


def _over_half(route: _Papers, c: str) -> dict[int, float]:
    """2 × c's votes − the valid votes: above 0 exactly when c has more than half."""
    terms: dict[int, float] = {}
    _add(terms, route.votes(c), 2.0)
    _add(terms, route.valid(), -1.0)
    return terms


def _majority_route(route: _Papers, x: str) -> None:
    """x has more than half of the valid first preferences."""
    route.program.row(_over_half(route, x), 1)


def _no_majority(route: _Papers, names: Sequence[str]) -> None:
    for c in names:
        route.program.row(_over_half(route, c), -math.inf, 0)


def _at_least(route: _Papers, a: str, b: str, gap: int) -> None:
    """a has at least ``gap`` more first preferences than b (gap 0: as many)."""
    terms: dict[int, float] = {}
    _add(terms, route.votes(a))
    _add(terms, route.votes(b), -1.0)
    route.program.row(terms, gap)


def _transfers_to(route: _Papers, y: str, excluded: Callable[[str], bool]) -> dict[int, float]:
    """y's votes after stage two: its own, and the papers of excluded candidates for it."""
    totals = route.votes(y)
    for i, (a, b) in enumerate(route.kinds):
        if a is not None and b == y and excluded(a):
            _add(totals, {route.n[i]: 1.0})
    return totals


def _stage_two_route(route: _Papers, x: str, remain: Sequence[str], names: Sequence[str]) -> None:
    """No majority; the two of ``remain`` lead everyone else (rule 4); x not behind after.

    With who remains fixed, the transfers are linear in the papers of each kind.
    """
    _no_majority(route, names)
    for s in remain:
        for c in names:
            if c not in remain:
                _at_least(route, s, c, 1)
    (y,) = (c for c in remain if c != x)
    terms = _transfers_to(route, x, lambda a: a not in remain)
    _add(terms, _transfers_to(route, y, lambda a: a not in remain), -1.0)
    route.program.row(terms, 0)


def _any_remain_route(route: _Papers, x: str, w: str, names: Sequence[str], fewest: int) -> None:
    """No majority; x and ``fewest`` - 1 or more others remain (rule 4); w not ahead of x.

    Who remains is chosen by the program, one binary r_c each, so that ties
    for second place among many candidates are one program, not 2^n. With s
    the second-highest first preferences, c remains exactly when its votes
    reach s; ``fewest`` or more reach s, and at most one (u_c) passes it.
    While w remains, x has no fewer votes than w after transfers, so w is not
    the certain winner (whoever else is ahead). A transfer t from a counts
    only while a is excluded: linearised with ``big``, more votes than any
    candidate can have, so every row is exact for integer values.
    """
    p = route.program
    big = float(route.most + 1)
    _no_majority(route, names)
    s = p.var(0, big)
    r = {c: p.var(1 if c == x else 0, 1) for c in names}
    u = {c: p.var(0, 1) for c in names}
    for c in names:
        votes = route.votes(c)
        p.row({**votes, s: -1.0, r[c]: -big}, -big)  # r_c = 1: c's votes reach s
        p.row({**votes, s: -1.0, r[c]: -big}, -math.inf, -1)  # r_c = 0: c's votes below s
        p.row({**votes, s: -1.0, u[c]: -big}, -math.inf, 0)  # u_c = 0: c's votes at most s
    p.row({r[c]: 1.0 for c in names}, fewest)
    p.row({u[c]: 1.0 for c in names}, -math.inf, 1)
    lead = {**route.votes(x)}  # x's votes less w's, after transfers
    _add(lead, route.votes(w), -1.0)
    for i, (a, b) in enumerate(route.kinds):
        if a is None or b not in (x, w):
            continue
        n = route.n[i]
        t = p.var(0, big, integer=False)  # papers of a for b counted at stage two
        if b == x:  # at most them, and none while a remains
            p.row({t: 1.0, n: -1.0}, -math.inf, 0)
            p.row({t: 1.0, r[a]: big}, -math.inf, big)
            lead[t] = 1.0
        else:  # at least them while a is excluded
            p.row({t: 1.0, n: -1.0, r[a]: big}, 0)
            lead[t] = -1.0
    p.row({**lead, r[w]: -big}, -big)  # while w remains, x has no fewer votes


def _no_valid_route(route: _Papers) -> None:
    route.program.row(route.valid(), -math.inf, 0)


# --------------------------------------------------------------------------- the search


@dataclass(frozen=True)
class Bounds:
    """Cheap lower bounds on each route's papers, from the first preferences alone.

    A re-marked paper moves the difference between two candidates' votes by
    at most 2; an added or removed paper by at most 1.
    """

    votes: Mapping[str, int]
    mode: Mode

    @property
    def step(self) -> int:
        return 2 if self.mode == "change" else 1

    def papers_for(self, shortfall: int) -> int:
        """The fewest papers that can close ``shortfall`` votes of difference."""
        return max(0, -(-shortfall // self.step))

    def ahead(self, a: str, b: str, gap: int) -> int:
        """Papers for a to lead b by ``gap``."""
        return self.papers_for(gap - self.votes[a] + self.votes[b])

    def route(self, route: Route, w: str) -> int:
        kind, x = route.kind, route.x
        if kind == "no_valid":
            return sum(self.votes.values())
        if kind == "plurality":
            return self.ahead(x, w, 0)
        valid = sum(self.votes.values())
        if kind == "majority":
            return self.papers_for(1 + valid - 2 * self.votes[x])
        if kind == "any_remain" and route.pairs:
            return self.may_remain(x)
        if kind == "any_remain":  # three reach second place: the third gains what the second loses
            third = [self.votes[c] for c in self.ranking[1:3]]
            tie = self.papers_for(third[0] - third[1]) if len(third) == 2 else 0
            return max(tie, self.may_remain(x))
        out = next((c for c in self.ranking if c not in route.remain), None)  # most votes out
        return max([0, *(self.ahead(s, out, 1) for s in route.remain if out is not None)])

    @cached_property
    def ranking(self) -> list[str]:
        """The candidates, most first preferences first."""
        return sorted(self.votes, key=lambda c: -self.votes[c])

    def may_remain(self, c: str) -> int:
        """Papers for c to reach second place, which it needs to remain."""
        others = [n for n in self.ranking[:3] if n != c]
        second = self.votes[others[1]] if len(others) > 1 else 0
        return self.papers_for(second - self.votes[c])


def _pair_routes(names: Sequence[str], x: str, bounds: Bounds, best: int) -> Iterator[Route]:
    """x remains with one other: no equality for second place (the pair in ballot order)."""
    at = names.index(x)
    for i, y in enumerate(names):
        if y != x and bounds.may_remain(y) < best:
            yield Route("stage_two", x, (x, y) if at < i else (y, x))


Best = Callable[[], int]

#: Who could remain with x, at most, for a program each; past it, one program chooses.
_MOST_PAIRS = 4


def all_routes(
    method: Method, names: Sequence[str], w: str, mode: Mode, bounds: Bounds, best: Best
) -> Iterator[Route]:
    """Every route by which w stops being the certain winner, each while it can beat ``best()``.

    First those with no binary choice (majorities, pluralities, exactly two
    remaining), cheapest estimate first; then, for each x, x remaining with
    whoever remains (the routes through an equality for second place).
    """
    routes: list[Route] = []
    plurality = method is Method.FPTP or len(names) <= 2
    others = [x for x in names if x != w]
    ties: list[str] = []  # those with a route for each pair: their ties come after
    for x in others:
        if plurality:
            routes.append(Route("plurality", x))
            continue
        routes.append(Route("majority", x))
        if bounds.may_remain(x) < best():
            # one more than the most tells enough: many candidates, few pairs looked at
            pairs = list(islice(_pair_routes(names, x, bounds, best()), _MOST_PAIRS + 1))
            if len(pairs) <= _MOST_PAIRS:
                routes.extend(pairs)
                ties.append(x)
            else:  # one program for all who could remain with x, ties included
                routes.append(Route("any_remain", x, (x, w), pairs=True))
    if mode != "add":
        routes.append(Route("no_valid"))
    yield from sorted(routes, key=lambda r: bounds.route(r, w))
    for x in sorted(ties, key=bounds.may_remain):
        if bounds.may_remain(x) < best():
            yield Route("any_remain", x, (x, w))


def floor(method: Method, names: Sequence[str], w: str, mode: Mode, bounds: Bounds) -> int:
    """A lower bound on every route's papers: at least one, since w is the certain winner."""
    plurality = method is Method.FPTP or len(names) <= 2
    cheapest = [bounds.route(Route("no_valid"), w)] if mode != "add" else []
    for x in names:
        if x == w:
            continue
        if plurality:
            cheapest.append(bounds.route(Route("plurality", x), w))
        else:
            majority = bounds.route(Route("majority", x), w)
            cheapest.append(min(majority, bounds.may_remain(x)))
    return max(1, min(cheapest))


def classes(names: Sequence[str], route: Route) -> list[Kind]:
    """The kinds a route's program needs: one for each effect a paper can have by it.

    Only who remains makes a second preference count, so every other kind is
    one with no second preference: (a, b) is (a, None) unless a is excluded
    and b remains. This keeps each program near 3n kinds, not n². Where the
    program chooses who remains, only papers for x or w can change whether
    x has as many votes as w.
    """
    out: list[Kind] = [(None, None), *((a, None) for a in names)]
    if route.kind == "stage_two":
        out += [(a, b) for a in names if a not in route.remain for b in route.remain]
    elif route.kind == "any_remain":  # for x or w, from anyone who may be excluded
        out += [(a, b) for a in names for b in route.remain if b != a]
    return out


def held_by_class(
    names: Sequence[str], have: Mapping[Kind, int], route: Route
) -> tuple[list[Kind], list[int]]:
    """The route's kinds (:func:`classes`) and the papers the ballots hold of each."""
    kinds = classes(names, route)
    held: Counter[Kind] = Counter()
    for kind, papers in have.items():
        held[class_of(kind, route)] += papers
    return kinds, [held[k] for k in kinds]


def class_of(kind: Kind, route: Route) -> Kind:
    """The kind of the route's program that stands for ``kind`` (see :func:`classes`)."""
    first, second = kind
    if route.kind == "any_remain":
        return kind if second in route.remain else (first, None)
    if route.kind != "stage_two" or first in route.remain or second not in route.remain:
        return (first, None)
    return kind


def solve(
    names: Sequence[str],
    have: Mapping[Kind, int],
    mode: Mode,
    route: Route,
    w: str,
    best: int,
    *,
    seconds: float,
    natural: bool = False,
) -> tuple[list[Kind], list[int], Answer]:
    """The route's program over its kinds: the kinds, their papers before, and the answer."""
    kinds, before = held_by_class(names, have, route)
    program = _Papers(kinds, before, mode, best, natural, route.x, w)
    if route.kind == "plurality":
        _at_least(program, route.x, w, 0)
    elif route.kind == "majority":
        _majority_route(program, route.x)
    elif route.kind == "stage_two":
        _stage_two_route(program, route.x, route.remain, names)
    elif route.kind == "any_remain":
        _any_remain_route(program, route.x, w, names, 2 if route.pairs else 3)
    else:
        _no_valid_route(program)
    return kinds, before, program.solve(seconds)
