"""The plan of a risk-limiting audit: assertions about the papers that imply the winner.

Each assertion is in SHANGRLA's vocabulary and is an assorter: it scores
every paper 0, 1/2 or 1, and it is true exactly when the mean score is above
1/2. Rejected papers score 1/2 (no vote). A paper whose second preference
cannot count (none, void, the same as its first) is a one-rank paper.

- ``SUPERMAJORITY`` (w): 1 for a first preference for w, 0 for another
  candidate: w has more than half of the valid first preferences.
- ``IRV_ELIMINATION`` (w, l, eliminated): a paper counts for its first
  preference unless that one is eliminated, then for its second preference
  (README, "The count", rule 5); 1 for w, 0 for l. With nothing eliminated it
  is FP(w, l), first preferences; with everyone but the remaining set
  eliminated, w beats l at stage two.
- ``PLURALITY`` (w, l): first past the post, first preferences.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from svcount.errors import CountError, InputError
from svcount.marks import Outcome
from svcount.model import Ballots, Method, Rejection, Result, second_as_counted
from svcount.operations import risk
from svcount.operations.committed import Committed
from svcount.operations.notebook import Tabulated

__all__ = [
    "MISSING",
    "PLAN_SCHEMA",
    "Missing",
    "Assertion",
    "Plan",
    "holds",
    "kinds",
    "margin_of",
    "plan",
    "assertions_for",
    "figures_ballots",
    "plan_document",
    "read_plan",
]

#: The largest risk limit a plan may have (rla plan's --risk-limit takes no more).
MAX_RISK_LIMIT = 0.5
#: The assertions a plan may hold, in SHANGRLA's words.
KINDS = ("SUPERMAJORITY", "IRV_ELIMINATION", "PLURALITY")
#: Possible runners-up tried as partners of the winner, and the most in one set.
_PARTNERS, _MOST_IN_SET = 4, 3


class Missing:
    """A sampled paper that could not be found: the worst case for every assertion."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing()


@dataclass(frozen=True)
class Assertion:
    """One fact about the papers that, with the others of its plan, implies the winner."""

    kind: str
    winner: str
    loser: str | None
    eliminated: tuple[str, ...]
    margin: int  # in votes: what the papers must change by for the assertion to fail
    diluted: float  # margin ÷ ballot papers (rejected included)

    def score(self, outcome: Outcome | Missing) -> float:
        """The assorter's score of one paper: 1 for ``winner``, 0 against, 1/2 otherwise; a
        paper that cannot be found 0, as if it were against the winner (SHANGRLA)."""
        if isinstance(outcome, Missing):
            return 0.0
        if isinstance(outcome, Rejection):
            return 0.5
        first, second = outcome
        if self.kind == "SUPERMAJORITY":
            return 1.0 if first == self.winner else 0.0
        counts_for: object = first
        if first in self.eliminated:
            counts_for = second_as_counted(first, second)
            if counts_for in self.eliminated:
                counts_for = None
        return 1.0 if counts_for == self.winner else 0.0 if counts_for == self.loser else 0.5

    @property
    def reported_mean(self) -> float:
        """The assorter's mean over the reported papers: (1 + diluted margin) / 2."""
        return (1 + self.diluted) / 2


@dataclass(frozen=True)
class Plan(Tabulated):
    """The assertions of a count, and the papers an audit of them is expected to need."""

    winner: str
    method: Method
    candidates: tuple[str, ...]
    ballot_papers: int
    risk_limit: float
    assertions: tuple[Assertion, ...]
    comparison: int | None  # Super-simple, no discrepancy; None: a full hand count
    comparison_with_errors: int | None  # Super-simple at the expected error rates
    polling: float | None  # BRAVO's average sample number for the closest assertion
    alpha: risk.PollingSizes | None  # ALPHA, simulated: average and 90th percentile
    comparison_by_chance: tuple[tuple[int, int], ...] = ()  # (chance %, papers) of stopping
    plain: bool = False  # the count's own plain assertions (plain_assertions), not the best set
    committed: Committed | None = None  # the records a comparison audit compares with

    def __repr__(self) -> str:
        """One line for a notebook: the winner, the assertions, the closest and the sizes."""
        closest = min((a.diluted for a in self.assertions), default=0.0)
        sizes = (
            "only a full hand count confirms it"
            if self.comparison is None
            else f"{self.comparison:,} papers to compare"
            + ("" if self.alpha is None else f", about {round(self.alpha.average):,} to poll")
        )
        return (
            f"<Plan: {self.winner}; {len(self.assertions)} assertions, smallest diluted "
            f"margin {closest:.4f}; {sizes}>"
        )

    def rows(self) -> list[dict[str, Any]]:
        """The assertions as rows, closest first (``Tabulated``'s table)."""
        return [
            {
                "assertion": a.kind,
                "winner": a.winner,
                "loser": a.loser or "",
                "eliminated": ", ".join(a.eliminated),
                "margin": a.margin,
                "diluted": round(a.diluted, 6),
            }  # fmt: skip
            for a in sorted(self.assertions, key=lambda a: a.diluted)
        ]


def kinds(ballots: Ballots) -> Iterator[tuple[Outcome, int]]:
    """Each kind of paper and how many there are: the valid pairs, then each rejection."""
    yield from ballots.pairs.items()
    yield from ballots.rejected.items()


def margin_of(assertion: Assertion, ballots: Ballots) -> int:
    """Votes for the assertion's winner less votes against it, over ``ballots``."""
    total = 0
    for outcome, papers in kinds(ballots):
        total += round(2 * assertion.score(outcome) - 1) * papers
    return total


def holds(assertion: Assertion, ballots: Ballots) -> bool:
    """Whether ``assertion`` is true of ``ballots``: what an audit tests, paper by paper."""
    return margin_of(assertion, ballots) > 0


def plan(
    ballots: Ballots, result: Result, risk_limit: float = 0.05, *, plain: bool = False
) -> Plan:
    """The assertions whose truth implies ``result``'s winner, with the sample sizes.

    SV (README, "The count"): a majority at stage one is one SUPERMAJORITY.
    Otherwise the set that keeps the smallest margin largest, as RAIRE
    chooses for IRV (:func:`_runoff_sets`). FPTP: the winner beats each other
    candidate. A count decided by lot has margin 0: only a full hand count
    confirms it.
    """
    if not 0 < risk_limit < 1:
        raise CountError(f"the risk limit is between 0 and 1, not {risk_limit}")
    chosen = assertions_for(ballots, result, plain=plain)
    return replace(_sized(ballots, result, chosen, risk_limit), plain=plain)


def assertions_for(
    ballots: Ballots, result: Result, *, plain: bool = False
) -> tuple[Assertion, ...]:
    """The assertions of :func:`plan`, without their sample sizes: what a plan's recorded
    papers are checked against when it is read back.

    ``plain``: the count's own plain assertions, which its figures state: each
    candidate remaining at stage two has more first preferences than each one
    excluded, and the winner beats each other remaining candidate once the
    excluded are out. A packet's label records exactly what these need (a
    paper's first preference, and an excluded candidate's transfer); with an
    equality for second place they are not enough, and are refused.
    """
    if result.winner is None:
        raise CountError("no plan while a lot is required: the count has no winner yet")
    w, votes, papers = result.winner, result.stage_one.votes, result.ballot_papers

    def made(
        kind: str, a: str, b: str | None, out: tuple[str, ...] = (), margin: int | None = None
    ) -> Assertion:
        found = margin_of(Assertion(kind, a, b, out, 0, 0.0), ballots) if margin is None else margin
        return Assertion(kind, a, b, out, found, found / papers if papers else 0.0)

    if result.method is Method.FPTP or len(votes) <= 2:
        chosen = [made("PLURALITY", w, loser) for loser in votes if loser != w]
    elif result.stage_one.elected is not None:
        chosen = [made("SUPERMAJORITY", w, None)]
    elif plain:
        chosen = _plain_set(w, result, made)
    else:
        chosen = max(_runoff_sets(w, votes, made), key=_strength)
    if result.lot is not None:
        chosen = [replace(a, margin=0, diluted=0.0) for a in chosen]
    return tuple(chosen)


def _plain_set(w: str, result: Result, made: _Maker) -> list[Assertion]:
    """The count's own stage two as assertions (``assertions_for``, ``plain``)."""
    remaining, excluded = result.stage_one.remaining, result.stage_one.excluded
    if len(remaining) > 2:
        raise CountError(
            f"an equality for second place kept {len(remaining)} candidates in: the plain "
            "assertions (and packet labels) cannot show who would remain without it; plan "
            "from the papers (rla plan BALLOTS, or --cvrs FILE)"
        )
    firsts = [made("IRV_ELIMINATION", f, e) for f in remaining for e in excluded]
    return firsts + [made("IRV_ELIMINATION", w, r, excluded) for r in remaining if r != w]


def figures_ballots(figures: Mapping[str, Any], candidates: Sequence[Any]) -> Ballots:
    """Papers that give a result file's figures, kind by kind, as far as its plain
    assertions look: each first preference, each excluded candidate's papers by where
    they went at stage two (its second preferences no further), each heading rejected.
    What a plan from a result, not its papers, is made from (``plain`` only)."""
    from svcount.model import NotCounted

    pairs = Counter[tuple[str, Any]]()
    went: Mapping[str, Mapping[str, int]] = figures.get("transfers_by_excluded") or {}
    for name, votes in figures["first_preferences"].items():
        transfers = {t: int(n) for t, n in went.get(name, {}).items() if t != "non_transferable"}
        for target, n in transfers.items():
            pairs[(name, target)] += n
        pairs[(name, NotCounted.BLANK)] += int(votes) - sum(transfers.values())
    rejected = {
        Rejection(h): int(n) for h, n in figures["rejected"].items() if h != "total" and int(n)
    }
    return Ballots(tuple(candidates), +pairs, rejected)


def _strength(assertions: Sequence[Assertion]) -> tuple[int, int]:
    """The smallest margin first, then fewer assertions."""
    return min(a.margin for a in assertions), -len(assertions)


def _runoff_sets(w: str, votes: Mapping[str, int], made: _Maker) -> Iterator[list[Assertion]]:
    """Every set of assertions, of a family RAIRE's search would try, that implies w wins.

    Choose the possible runners-up P. Each candidate outside P and w is beaten
    on first preferences by two others (so it is third at best); w beats on
    first preferences all but at most one of P (so w is in the top two). Then
    every set who could remain, w with any of P (more than one only through an
    equality for second place), must see w beat each of them once everyone
    else is out. A tie for second place in the count is just such a set.
    """
    names = tuple(votes)

    def first_pref(a: str, b: str) -> Assertion:  # its margin is the first preferences'
        return made("IRV_ELIMINATION", a, b, (), votes[a] - votes[b])

    by_votes = sorted(names, key=lambda c: -votes[c])  # stable: candidate order within ties
    others = [c for c in by_votes if c != w]
    strongest = {e: [first_pref(a, e) for a in [c for c in by_votes if c != e][:2]] for e in others}
    runoffs: dict[frozenset[str], list[Assertion]] = {}
    for size in range(1, min(_MOST_IN_SET, len(others)) + 1):
        for partners in itertools.combinations(others[:_PARTNERS], size):
            beaten = [a for e in others if e not in partners for a in strongest[e]]
            for remaining in _subsets(partners):
                if remaining not in runoffs:
                    out = tuple(c for c in names if c not in remaining and c != w)
                    runoffs[remaining] = [made("IRV_ELIMINATION", w, p, out) for p in remaining]
            needed = [a for s in _subsets(partners) for a in runoffs[s]]
            for behind_w in itertools.combinations(partners, max(len(partners) - 1, 0)):
                yield beaten + [first_pref(w, p) for p in behind_w] + needed


def _subsets(partners: tuple[str, ...]) -> Iterator[frozenset[str]]:
    for size in range(1, len(partners) + 1):
        for chosen in itertools.combinations(partners, size):
            yield frozenset(chosen)


def _sized(
    ballots: Ballots, result: Result, assertions: tuple[Assertion, ...], risk_limit: float
) -> Plan:
    """The plan with its sample sizes, at the closest assertion (all of them for ALPHA)."""
    papers = result.ballot_papers
    closest = min(assertions, key=lambda a: a.diluted)
    comparison = with_errors = polling = alpha = None
    if closest.diluted > 0:  # never more than every paper: then the audit is a hand count
        comparison = min(risk.super_simple_size(closest.diluted, risk_limit) or papers, papers)
        found = risk.super_simple_size(
            closest.diluted, risk_limit, risk.EXPECTED_O1, risk.EXPECTED_O2
        )
        with_errors = papers if found is None else min(found, papers)
        polling = min(_bravo(ballots, closest, papers, risk_limit), float(papers))
        counted = list(kinds(ballots))
        alpha = risk.polling_sizes(
            [n for _, n in counted],
            [[a.score(o) for o, _ in counted] for a in assertions],
            [a.reported_mean for a in assertions],
            risk_limit,
            papers,
        )
    names = tuple(c.name for c in ballots.candidates)
    chances = (
        () if comparison is None else risk.comparison_sizes(closest.diluted, risk_limit, papers)
    )
    return Plan(
        result.winner or "", result.method, names, papers, risk_limit, assertions,
        comparison, with_errors, polling, alpha, chances,
    )  # fmt: skip


def _bravo(ballots: Ballots, closest: Assertion, papers: int, risk_limit: float) -> float:
    """BRAVO's average sample number for the closest assertion, over all papers drawn.

    Only papers scored 0 or 1 move BRAVO's ratio, so the average for them is
    scaled by the share of papers that are.
    """
    scored: Counter[float] = Counter()
    for outcome, n in kinds(ballots):
        scored[closest.score(outcome)] += n
    decisive = scored[1.0] + scored[0.0]
    share = scored[1.0] / decisive
    return risk.bravo_average_size(share, risk_limit) * papers / decisive


class _Maker(Protocol):
    """Plan's ``made``: the assertion (kind, winner, loser, eliminated) with its margin."""

    def __call__(
        self,
        kind: str,
        a: str,
        b: str | None,
        out: tuple[str, ...] = (),
        margin: int | None = None,
    ) -> Assertion: ...


# --------------------------------------------------------------------------- the plan as a file

PLAN_SCHEMA = "svcount-rla-plan/1"


def plan_document(
    planned: Plan, ballots: Ballots, given: Mapping[str, object] | None = None
) -> dict[str, object]:
    """The plan as a sealed JSON document: the assertions in SHANGRLA's words, and the count's
    papers by kind, from which ``read_plan`` derives every assertion and margin again."""
    from svcount.documents.seal import seal

    alpha = planned.alpha
    return seal(
        {
            "schema": PLAN_SCHEMA,
            "input": dict(given or {}),
            "winner": planned.winner,
            "method": planned.method.value,
            "candidates": list(planned.candidates),
            "ballot_papers": planned.ballot_papers,
            "risk_limit": planned.risk_limit,
            "assertion_set": "plain" if planned.plain else "best",
            **({"records": planned.committed.document()} if planned.committed else {}),
            "assertions": [
                {
                    "assertion_type": a.kind,
                    "winner": a.winner,
                    "loser": a.loser,
                    "already_eliminated": list(a.eliminated),
                    "margin": a.margin,
                    "diluted_margin": round(a.diluted, 6),
                }
                for a in planned.assertions
            ],
            "papers": _papers_record(ballots),
            "sample_sizes": {
                "comparison_super_simple": planned.comparison,
                "comparison_super_simple_expected_errors": planned.comparison_with_errors,
                "polling_bravo_average": None
                if planned.polling is None
                else round(planned.polling),
                "polling_alpha_average": None if alpha is None else round(alpha.average),
                "polling_alpha_90th_percentile": None if alpha is None else alpha.percentile_90,
            },
            "round_sizes": {
                "comparison": {str(c): n for c, n in planned.comparison_by_chance} or None,
                "polling": None if alpha is None else {str(c): n for c, n in alpha.by_chance},
            },
        }
    )


def _papers_record(ballots: Ballots) -> dict[str, object]:
    """The count's papers by kind: each valid (first, second) pair, each rejection heading."""
    valid = []
    for (first, second), n in sorted(ballots.pairs.items(), key=lambda kv: repr(kv[0])):
        said = {"second": second} if isinstance(second, str) else {"not_counted": second.value}
        valid.append({"first": first, **said, "papers": n})
    rejected = {h.value: n for h, n in sorted(ballots.rejected.items(), key=lambda kv: kv[0].value)}
    return {"valid": valid, "rejected": rejected}


def read_plan(path: str) -> tuple[Plan, Ballots, Result]:
    """A plan written by ``svcount rla plan --format json``, for ``assess``: its seal checked,
    and its assertions and margins derived again from its recorded papers (README,
    "Risk-limiting audits"), so an edited plan is refused, never believed. With the count
    its papers give (what committed packets are checked against again)."""
    from svcount.documents.seal import Fields, read_document

    not_a_plan = f"not a plan of svcount rla plan (schema {PLAN_SCHEMA})"
    try:
        doc, _ = read_document(path, not_a_plan)
    except InputError as exc:
        if exc.message.startswith(("no such file", "is a directory", "cannot read")):
            raise
        raise InputError(f"{not_a_plan}: {exc.message}", file=path) from None
    fields = Fields(doc, path)
    fields.check(doc.get("schema") == PLAN_SCHEMA, not_a_plan)
    fields.sealed("the plan has no digest: write it again with svcount rla plan --format json")
    try:
        planned = _plan_of(doc)
    except (KeyError, TypeError, ValueError, ZeroDivisionError, AttributeError) as exc:
        raise InputError(f"the plan is damaged: {exc}", file=path) from None
    ballots = _ballots_of(doc, planned)
    return planned, ballots, _rederived(planned, ballots, path)


def _plan_of(doc: Mapping[str, Any]) -> Plan:
    papers = int(doc["ballot_papers"])
    risk_limit = doc["risk_limit"]
    if not isinstance(risk_limit, int | float) or not 0 < risk_limit <= MAX_RISK_LIMIT:
        raise ValueError(
            f"the risk limit is a number above 0 and at most {MAX_RISK_LIMIT}, as rla plan "
            f"takes it, not {risk_limit!r}"
        )
    assertions = tuple(
        Assertion(
            str(a["assertion_type"]),
            str(a["winner"]),
            None if a["loser"] is None else str(a["loser"]),
            tuple(str(e) for e in a["already_eliminated"]),
            int(a["margin"]),
            int(a["margin"]) / papers,
        )
        for a in doc["assertions"]
    )
    names = tuple(map(str, doc["candidates"]))
    chosen = doc.get("assertion_set", "best")
    if chosen not in ("best", "plain"):
        raise ValueError(f"an assertion set is best or plain, not {chosen!r}")
    committed = Committed.of(doc["records"]) if "records" in doc else None
    if committed is not None and committed.papers != papers:
        raise ValueError(f"its records hold {committed.papers:,} papers, its count {papers:,}")
    return Plan(
        str(doc["winner"]), Method(doc["method"]), names, papers,
        float(risk_limit), assertions, None, None, None, None,
        plain=chosen == "plain", committed=committed,
    )  # fmt: skip


def _ballots_of(doc: Mapping[str, Any], planned: Plan) -> Ballots:
    """The count's papers as the plan records them."""
    from svcount.model import Candidate, NotCounted

    recorded = doc["papers"]
    pairs: Counter[tuple[str, Any]] = Counter()
    for kind in recorded["valid"]:
        second = kind["second"] if "second" in kind else NotCounted(kind["not_counted"])
        pairs[(str(kind["first"]), second)] += int(kind["papers"])
    rejected = Counter({Rejection(h): int(n) for h, n in recorded["rejected"].items()})
    candidates = tuple(Candidate(n) for n in planned.candidates)
    return Ballots(candidates=candidates, pairs=pairs, rejected=rejected)


def _rederived(planned: Plan, ballots: Ballots, path: str) -> Result:
    """The plan's winner, papers and assertions, each the one its recorded papers give."""
    from svcount.count import count
    from svcount.model import EnteredLot

    result = count(ballots, planned.method)
    if result.winner is None and planned.winner in result.lot_required:
        result = count(ballots, planned.method, lot=EnteredLot(planned.winner))
    try:
        wanted = assertions_for(ballots, result, plain=planned.plain)
    except CountError as exc:
        said = f"the plan does not agree with its own recorded count: {exc}"
        raise InputError(said, file=path) from None
    found = [(a.kind, a.winner, a.loser, a.eliminated, a.margin) for a in planned.assertions]
    expected = [(a.kind, a.winner, a.loser, a.eliminated, a.margin) for a in wanted]
    problems = []
    if result.ballot_papers != planned.ballot_papers:
        problems.append(
            f"it says {planned.ballot_papers:,} ballot papers, its papers {result.ballot_papers:,}"
        )
    if result.winner != planned.winner:
        problems.append(f"it names {planned.winner!r} the winner, its papers {result.winner!r}")
    if found != expected:
        problems.append(
            f"its {len(found)} assertions are not the {len(expected)} its papers imply"
            + next(
                (
                    f" (assertion {i}: {f[0]} {f[1]} over {f[2]}, margin {f[4]:,})"
                    for i, (f, e) in enumerate(zip(found, expected, strict=False), 1)
                    if f != e
                ),
                "",
            )  # fmt: skip
        )
    if problems:
        raise InputError(
            f"the plan does not agree with its own recorded count: {'; '.join(problems)}. It "
            "was edited: plan again with svcount rla plan",
            file=path,
        )
    return result
