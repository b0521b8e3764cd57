"""The integer programs of the margin: one per route by which the winner can lose.

Papers are grouped into kinds, (first preference or None if rejected, second
preference counted or None), and a route's program chooses how many papers
of each kind there are after the change. Who remains is fixed by the route,
so the transfers, and every condition of the count, are linear: HiGHS
(``scipy.optimize.milp``) solves each exactly. :class:`Bounds` gives each
route a cheap lower bound from the first preferences, so that routes that
cannot beat the best found are never solved.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from svcount.model import Ballots, Method, Second

__all__ = [
    "Bounds",
    "Kind",
    "Mode",
    "Route",
    "all_routes",
    "kind_counts",
    "kind_of",
    "kinds_of",
    "solve",
]

Kind = tuple[str | None, str | None]  # (first or None if rejected, second or None)
Mode = Literal["change", "add", "remove"]


def kinds_of(names: Sequence[str]) -> list[Kind]:
    out: list[Kind] = [(None, None)]
    out += [(a, None) for a in names]
    out += [(a, b) for a in names for b in names if b != a]
    return out


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

    def solve(self) -> list[int] | None:
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import coo_array

        data, rows, cols = [], [], []
        for i, (terms, _, _) in enumerate(self.rows):
            for j, a in terms.items():
                rows.append(i)
                cols.append(j)
                data.append(a)
        shape = (len(self.rows), len(self.lower))
        matrix = coo_array((data, (rows, cols)), shape=shape).tocsr()
        constraints = LinearConstraint(matrix, [r[1] for r in self.rows], [r[2] for r in self.rows])
        solved = milp(
            np.array(self.cost),
            integrality=np.array(self.integer),
            bounds=Bounds(self.lower, self.upper),
            constraints=constraints,
            options={"presolve": True, "mip_rel_gap": 0.0},  # exact, not within 0.01%
        )
        if solved.status != 0 or solved.x is None:
            return None
        return [int(round(v)) for v in solved.x]


def _add(into: dict[int, float], terms: Mapping[int, float], scale: float = 1.0) -> None:
    for j, a in terms.items():
        into[j] = into.get(j, 0.0) + scale * a


def _plainness(kind: Kind) -> float:
    """How far a kind is from a plain paper: witnesses prefer papers with no second preference."""
    first, second = kind
    return 3.0 if first is None else (2.0 if second is not None else 1.0)


@dataclass
class _Papers:
    """One route's program: the papers of each kind after the change, and their cost."""

    kinds: list[Kind]
    before: list[int]
    mode: Mode
    best: int  # only solutions cheaper than this are wanted
    natural: bool = False  # at exactly ``best``, the plainest witness
    program: _Program = field(default_factory=_Program)

    def __post_init__(self) -> None:
        p = self.program
        total = sum(self.before)
        room = total + 1  # adding total + 1 papers for anyone gives them a majority
        self.n: list[int] = []
        cost: dict[int, float] = {}
        for kind, before in zip(self.kinds, self.before, strict=True):
            plain = self.natural * _plainness(kind)
            if self.mode == "change":
                n = p.var(0, total)
                d = p.var(0, before, plain)  # papers taken from this kind
                p.row({n: 1, d: 1}, before)
                if self.natural:  # and papers given to it
                    g = p.var(0, total, plain)
                    p.row({n: 1, g: -1}, -math.inf, before)
                cost[d] = 1.0
            elif self.mode == "add":
                n = p.var(before, before + room, plain)
                cost[n] = 1.0
            else:
                n = p.var(0, before, -plain)
                cost[n] = -1.0
            self.n.append(n)
        if not self.natural:
            for j, a in cost.items():
                p.cost[j] = a
        if self.mode == "change":
            p.row(dict.fromkeys(self.n, 1.0), total, total)
        offset = {"change": 0, "add": -sum(self.before), "remove": sum(self.before)}[self.mode]
        most = self.best - offset - (0 if self.natural else 1)
        p.row(cost, -math.inf, most)  # better than the best found, or as good when natural

    def votes(self, name: str) -> dict[int, float]:
        return {self.n[i]: 1.0 for i, k in enumerate(self.kinds) if k[0] == name}

    def valid(self) -> dict[int, float]:
        return {self.n[i]: 1.0 for i, k in enumerate(self.kinds) if k[0] is not None}

    def solve(self) -> tuple[int, list[int]] | None:
        """The fewest papers by this route, and the papers of each kind after; None if none."""
        x = self.program.solve()
        if x is None:
            return None
        after = [x[n] for n in self.n]
        pairs = list(zip(self.before, after, strict=True))
        if self.mode == "add":
            return sum(a - b for b, a in pairs), after
        return sum(max(0, b - a) for b, a in pairs), after


@dataclass(frozen=True)
class Route:
    """One way w can stop being the certain winner, for candidate ``x``.

    ``majority``: x has more than half at stage one; ``plurality``: x has as
    many votes as w; ``stage_two``: exactly ``remain`` remain (``top`` is the
    one allowed above a tie for second place) and x is not behind any of them;
    ``no_valid``: no valid paper is left.
    """

    kind: Literal["majority", "plurality", "stage_two", "no_valid"]
    x: str = ""
    remain: tuple[str, ...] = ()
    top: str | None = None


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


def _stage_two_route(
    route: _Papers, x: str, remain: Sequence[str], top: str | None, names: Sequence[str]
) -> None:
    """No majority; exactly ``remain`` remain (rule 4); x is not behind any of them after.

    Two remain when both lead everyone else. More remain only through an
    equality for second place: all but ``top`` have the same votes, ``top``
    at least as many, everyone else fewer. With who remains fixed, the
    transfers are linear in the papers of each kind.
    """
    _no_majority(route, names)
    out = [c for c in names if c not in remain]
    tied = [c for c in remain if c != top]
    for s in tied:
        for c in out:
            _at_least(route, s, c, 1)
    if top is not None:
        _at_least(route, top, tied[0], 0)
        for s in tied[1:]:
            _at_least(route, s, tied[0], 0)
            _at_least(route, tied[0], s, 0)
    totals: dict[str, dict[int, float]] = {y: route.votes(y) for y in remain}
    for i, (a, y) in enumerate(route.kinds):
        if a is not None and a not in remain and y in totals:
            _add(totals[y], {route.n[i]: 1.0})
    for y in remain:
        if y != x:
            terms: dict[int, float] = {}
            _add(terms, totals[x])
            _add(terms, totals[y], -1.0)
            route.program.row(terms, 0)


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
        remain, top = route.remain, route.top
        tied = [c for c in remain if c != top]
        out = [c for c in self.votes if c not in remain]
        bound = max([0, *(self.ahead(s, c, 1) for s in tied for c in out)])
        if top is None:  # two remain, in either order
            return bound
        return max([bound, *(self.ahead(s, t, 0) for s in tied for t in tied)])

    def may_remain(self, c: str) -> int:
        """Papers for c to reach second place, which it needs to remain."""
        others = sorted((v for n, v in self.votes.items() if n != c), reverse=True)
        second = others[1] if len(others) > 1 else 0
        return self.papers_for(second - self.votes[c])


def _stage_two_routes(names: Sequence[str], x: str, bounds: Bounds, best: int) -> Iterator[Route]:
    """Every set who could remain with x, within ``best``; ties for second place included."""
    from itertools import combinations

    viable = [c for c in names if c != x and bounds.may_remain(c) < best]
    for size in range(1, len(viable) + 1):
        for others in combinations(viable, size):
            remain = tuple(c for c in names if c == x or c in others)
            if len(remain) == 2:
                yield Route("stage_two", x, remain)
            else:
                for top in remain:
                    yield Route("stage_two", x, remain, top)


def all_routes(
    method: Method, names: Sequence[str], w: str, mode: Mode, bounds: Bounds, best: int
) -> list[Route]:
    """Every route by which w stops being the certain winner, cheapest estimate first."""
    routes: list[Route] = []
    plurality = method is Method.FPTP or len(names) <= 2
    for x in names:
        if x == w:
            continue
        if plurality:
            routes.append(Route("plurality", x))
            continue
        routes.append(Route("majority", x))
        if bounds.may_remain(x) < best:
            routes.extend(_stage_two_routes(names, x, bounds, best))
    if mode != "add":
        routes.append(Route("no_valid"))
    return sorted(routes, key=lambda r: bounds.route(r, w))


def solve(
    names: Sequence[str],
    before: list[int],
    mode: Mode,
    route: Route,
    w: str,
    best: int,
    natural: bool = False,
) -> tuple[int, list[int]] | None:
    program = _Papers(kinds_of(names), before, mode, best, natural)
    if route.kind == "plurality":
        _at_least(program, route.x, w, 0)
    elif route.kind == "majority":
        _majority_route(program, route.x)
    elif route.kind == "stage_two":
        _stage_two_route(program, route.x, route.remain, route.top, names)
    else:
        _no_valid_route(program)
    return program.solve()
