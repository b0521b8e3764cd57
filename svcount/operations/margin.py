"""The margin of victory: the fewest papers read otherwise, added or removed to unseat a winner.

Three exact margins of an SV or FPTP count whose winner w is certain (README,
"The margin of victory"):

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
program over the kinds, solved exactly by HiGHS (``scipy.optimize.milp``).
Routes are solved in order of a cheap estimate, each bounded by the best found.
Every witness is re-counted by the ordinary count before it is reported.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from svcount.count import count
from svcount.errors import CountError
from svcount.model import Ballots, Method, NotCounted, Rejection, Result, Second

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

Kind = tuple[str | None, str | None]  # (first or None if rejected, second or None)
Mode = Literal["change", "add", "remove"]
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


# --------------------------------------------------------------------------- kinds


def _kinds(names: Sequence[str]) -> list[Kind]:
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


def _majority_route(route: _Papers, x: str) -> None:
    """x has more than half of the valid first preferences."""
    terms: dict[int, float] = {}
    _add(terms, route.votes(x), 2.0)
    _add(terms, route.valid(), -1.0)
    route.program.row(terms, 1)


def _no_majority(route: _Papers, names: Sequence[str]) -> None:
    for c in names:
        terms: dict[int, float] = {}
        _add(terms, route.votes(c), 2.0)
        _add(terms, route.valid(), -1.0)
        route.program.row(terms, -math.inf, 0)


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
class _Bounds:
    """Cheap lower bounds on each route's papers, from the first preferences alone.

    A re-marked paper moves the difference between two candidates' votes by
    at most 2; an added or removed paper by at most 1.
    """

    votes: Mapping[str, int]
    mode: Mode

    @property
    def step(self) -> int:
        return 2 if self.mode == "change" else 1

    def ahead(self, a: str, b: str, gap: int) -> int:
        """Papers for a to lead b by ``gap``."""
        return max(0, -(-(gap - self.votes[a] + self.votes[b]) // self.step))

    def route(self, route: Route, w: str) -> int:
        kind, x = route.kind, route.x
        if kind == "no_valid":
            return sum(self.votes.values())
        if kind == "plurality":
            return self.ahead(x, w, 0)
        valid = sum(self.votes.values())
        if kind == "majority":
            return max(0, -(-(1 + valid - 2 * self.votes[x]) // self.step))
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
        return max(0, -(-(second - self.votes[c]) // self.step))


def _stage_two_routes(names: Sequence[str], x: str, bounds: _Bounds, best: int) -> Iterator[Route]:
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


def _routes(
    method: Method, names: Sequence[str], w: str, mode: Mode, bounds: _Bounds, best: int
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


def _solve(
    names: Sequence[str],
    before: list[int],
    mode: Mode,
    route: Route,
    w: str,
    best: int,
    natural: bool = False,
) -> tuple[int, list[int]] | None:
    program = _Papers(_kinds(names), before, mode, best, natural)
    if route.kind == "plurality":
        _at_least(program, route.x, w, 0)
    elif route.kind == "majority":
        _majority_route(program, route.x)
    elif route.kind == "stage_two":
        _stage_two_route(program, route.x, route.remain, route.top, names)
    else:
        _no_valid_route(program)
    return program.solve()


def _margin(ballots: Ballots, result: Result, mode: Mode) -> Margin:
    names = [c.name for c in ballots.candidates]
    w = result.winner
    assert w is not None
    if len(names) < 2:  # elected unopposed: no paper read otherwise elects anyone else
        return Margin(mode, None)
    kinds = _kinds(names)
    have = kind_counts(ballots)
    before = [have.get(k, 0) for k in kinds]
    bounds = _Bounds(result.stage_one.votes, mode)
    best = sum(before) + 2  # every margin is at most the papers, plus one to add
    found: list[int] | None = None
    chosen: Route | None = None

    tried: set[Route] = set()

    def attempt(route: Route) -> None:
        nonlocal best, found, chosen
        if route not in tried and bounds.route(route, w) < best:
            tried.add(route)
            solved = _solve(names, before, mode, route, w, best)
            if solved is not None and solved[0] < best:
                (best, found), chosen = solved, route

    # A first answer bounds the rest: the runner-up against w, and each majority.
    plurality = result.method is Method.FPTP or len(names) <= 2
    runner = max((n for n in names if n != w), key=lambda n: result.stage_one.votes[n])
    if not plurality:
        attempt(Route("stage_two", runner, tuple(n for n in names if n in (w, runner))))
    for route in _routes(result.method, names, w, mode, bounds, best):
        attempt(route)
    assert found is not None and chosen is not None, "some route always unseats the winner"
    plainest = _solve(names, before, mode, chosen, w, best, natural=True)
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
    bounds = _Bounds(votes, "change")
    cap = half if half is not None else sum(votes.values())
    runner = max(others, key=lambda n: others[n]) if others else None
    held = view["stage_two_held"] and set(view["remaining"]) == {w, runner}
    lowest = cap
    for route in _routes(Method(view["method"]), list(votes), w, "change", bounds, cap):
        bound = bounds.route(route, w)
        if held and route.kind == "stage_two" and set(route.remain) == {w, runner}:
            bound = max(bound, cap)  # these two remained: each paper moves their gap by 2
        lowest = min(lowest, bound)
    return FigureBounds(False, lowest, half)
