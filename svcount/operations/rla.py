"""The sample of a risk-limiting audit: which ballot papers to retrieve, drawn as Arlo draws them.

Each paper is named by its batch (a box, a bundle) and its position in the
batch, counting from 1. Every paper gets a ticket number from SHA-256 of the
public seed and its name (Rivest's consistent sampler, the PyPI package
``consistent_sampler``, which VotingWorks' Arlo uses); the sample is the
papers with the smallest tickets, drawn with replacement as Arlo's
ballot-polling and comparison audits draw them. So the same seed and
manifest give the same list as Arlo's, ticket for ticket, on any machine,
and a later round extends the sample (``already``) without redrawing it.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

from svcount.errors import CountError, InputError, UsageError
from svcount.marks import fold
from svcount.model import Ballots, Method, Result
from svcount.names import NameError_
from svcount.names import name as name_policy

__all__ = [
    "DIGITS",
    "GAMMA",
    "Assertion",
    "Draw",
    "Plan",
    "bravo_average_size",
    "bravo_risk",
    "holds",
    "plan",
    "read_manifest",
    "sample",
    "super_simple_risk",
    "super_simple_size",
]

#: Decimal digits of each ticket number, as Arlo draws them.
DIGITS = 18
#: A manifest's columns, matched as headers are (case, spaces and punctuation aside).
_BATCH = ("batch", "batchname", "box", "container", "bundle", "tabulator")
_PAPERS = ("papers", "ballots", "numberofballots", "ballotpapers", "count")


@dataclass(frozen=True)
class Draw:
    """One draw: the paper (batch, position from 1), its ticket, and which draw of it this is."""

    ticket: str
    batch: str
    position: int
    draw: int  # 1 the first time this paper is drawn, 2 the second (with replacement)


def sample(manifest: Mapping[str, int], seed: str, size: int, already: int = 0) -> list[Draw]:
    """The draws ``already + 1`` to ``already + size`` of the audit's sample.

    ``manifest`` gives each batch's papers. A round after the first passes
    the draws made so far as ``already``: the list goes on where it stopped.
    """
    import consistent_sampler

    if not seed.strip():
        raise UsageError("the seed is empty: roll it in public (20 digits from ten-sided dice)")
    if size < 0 or already < 0:
        raise UsageError("the sample size and the draws already made are at least 0")
    if sum(manifest.values()) == 0:
        raise UsageError("the manifest lists no ballot paper")
    papers = [(batch, i) for batch, count in manifest.items() for i in range(1, count + 1)]
    drawn = consistent_sampler.sampler(
        papers, seed=seed, with_replacement=True, drop=already, take=size, digits=DIGITS
    )
    return [Draw(ticket, batch, position, draw) for ticket, (batch, position), draw in drawn]


def read_manifest(path: str) -> dict[str, int]:
    """A ballot manifest: CSV with a batch column and a papers column, a row per batch."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InputError(f"cannot read the manifest: {why}", file=path) from None
    if not rows:
        raise InputError("the manifest is empty", file=path)
    header = [fold(h) for h in rows[0]]
    batch = next((header.index(n) for n in _BATCH if n in header), None)
    papers = next((header.index(n) for n in _PAPERS if n in header), None)
    if batch is None or papers is None:
        raise InputError(
            "the header needs a batch column (batch, box, container) and a papers column "
            "(papers, ballots, number of ballots)",
            file=path,
            line=1,
        )
    manifest: dict[str, int] = {}
    for line, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        cells = row + [""] * (max(batch, papers) + 1 - len(row))
        try:
            name = name_policy(cells[batch], "batch")
        except NameError_ as exc:
            raise InputError(str(exc), file=path, line=line) from None
        count = cells[papers].strip().replace(",", "")
        if not name or not count.isdigit():
            raise InputError(
                f"each row needs a batch and its papers (a whole number), not {row!r}",
                file=path,
                line=line,
            )
        if name in manifest:
            raise InputError(f"the batch {name!r} is listed twice", file=path, line=line)
        manifest[name] = int(count)
    return manifest


# --------------------------------------------------------------------------- risk measures

#: Super-simple's error inflation (Stark 2010, "Super-simple simultaneous single-ballot
#: risk-limiting audits", EVT/WOTE): γ = 1.03905, Arlo's default.
GAMMA = 1.03905


def super_simple_size(diluted_margin: float, risk_limit: float = 0.05) -> int:
    """Papers for a comparison audit that finds no discrepancy: ⌈2γ ln(1/α) / μ⌉ (Stark 2010)."""
    import math

    _check(diluted_margin, risk_limit)
    return math.ceil(2 * GAMMA * math.log(1 / risk_limit) / diluted_margin)


def super_simple_risk(diluted_margin: float, papers: int, overstatements: int = 0) -> float:
    """The risk measured after ``papers`` compared, ``overstatements`` of one vote among them.

    P = (1 − μ/(2γ))^n / (1 − 1/(2γ))^o1 (Stark 2010, eq. 10, one-vote overstatements
    only), at most 1.
    """
    _check(diluted_margin, 0.5)
    base = (1 - diluted_margin / (2 * GAMMA)) ** papers
    return min(1.0, base / (1 - 1 / (2 * GAMMA)) ** overstatements)


def bravo_average_size(winner_share: float, risk_limit: float = 0.05) -> float:
    """BRAVO's average sample number for a two-candidate contest (Lindeman, Stark and Yates
    2012, "BRAVO", EVT/WOTE): (ln(1/α) + z_w/2) / (s z_w + (1 − s) z_l), z_w = ln 2s,
    z_l = ln(2 − 2s), with s the winner's share of the two's votes."""
    import math

    if not 0.5 < winner_share <= 1 or not 0 < risk_limit < 1:
        raise UsageError("BRAVO needs a winner's share above 1/2 and a risk limit in (0, 1)")
    z_w = math.log(2 * winner_share)
    drift = winner_share * z_w  # a loser with no vote adds nothing (s ln 2s as s → 1)
    if winner_share < 1:
        drift += (1 - winner_share) * math.log(2 - 2 * winner_share)
    return (math.log(1 / risk_limit) + z_w / 2) / drift


def bravo_risk(winner_share: float, for_winner: int, for_loser: int) -> float:
    """The risk measured after a ballot-polling sample: 1/T, T = Π 2s per paper for the winner,
    Π (2 − 2s) per paper for the loser (Wald's SPRT as BRAVO uses it), at most 1."""
    import math

    if not 0.5 < winner_share <= 1:
        raise UsageError("BRAVO needs a winner's share above 1/2")
    if winner_share == 1 and for_loser:  # the reported share cannot be: never confirmed
        return 1.0
    log_t = for_winner * math.log(2 * winner_share)
    log_t += for_loser * math.log(2 - 2 * winner_share) if for_loser else 0.0
    return min(1.0, math.exp(-log_t))


def _check(diluted_margin: float, risk_limit: float) -> None:
    if not 0 < diluted_margin <= 1:
        raise UsageError(
            f"a diluted margin is above 0 and at most 1, not {diluted_margin} (a margin of 0 "
            "needs a full hand count)"
        )
    if not 0 < risk_limit < 1:
        raise UsageError(f"the risk limit is between 0 and 1, not {risk_limit}")


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Assertion:
    """One fact about the papers that, with the others, implies the reported winner.

    ``kind`` in SHANGRLA's vocabulary: ``SUPERMAJORITY`` (``winner`` has more
    than half of the valid first preferences); ``IRV_ELIMINATION`` (``winner``
    has more votes than ``loser`` once ``eliminated`` are out: with nothing
    eliminated, on first preferences, FP; with everyone else out, after
    transfers, RUN); ``PLURALITY`` (more first preferences, first past the post).
    """

    kind: str
    winner: str
    loser: str | None
    eliminated: tuple[str, ...]
    margin: int  # in votes: what the papers must change by for the assertion to fail
    diluted: float  # margin ÷ ballot papers (rejected included)


@dataclass(frozen=True)
class Plan:
    """The assertions of a count, and the papers an audit of them is expected to need."""

    winner: str
    ballot_papers: int
    risk_limit: float
    assertions: tuple[Assertion, ...]
    comparison: int | None  # Super-simple, no discrepancy: papers; None: a full hand count
    polling: float | None  # BRAVO's average sample number for the closest assertion


def plan(result: Result, risk_limit: float = 0.05) -> Plan:
    """The assertions whose truth implies ``result``'s winner, with the sample sizes.

    SV (README, "The count"): a majority at stage one is one SUPERMAJORITY;
    otherwise each remaining candidate beats each excluded one on first
    preferences, and the winner beats the runner-up with everyone else out.
    FPTP: the winner beats each other candidate. A count decided by lot has
    margin 0: only a full hand count confirms it.
    """
    if result.winner is None:
        raise CountError("no plan while a lot is required: the count has no winner yet")
    if result.stage_one.tie_for_second:
        raise UsageError(
            "an equality for second place kept more than two candidates in: the winner "
            "would have to beat every possible set who remain, which rla plan does not yet do"
        )
    w, votes, papers = result.winner, result.stage_one.votes, result.ballot_papers
    out: list[Assertion] = []

    def add(kind: str, a: str, b: str | None, out_: tuple[str, ...], margin: int) -> None:
        out.append(Assertion(kind, a, b, out_, margin, margin / papers if papers else 0.0))

    if result.method is Method.FPTP or len(votes) <= 2:
        for loser in (c for c in votes if c != w):
            add("PLURALITY", w, loser, (), votes[w] - votes[loser])
    elif result.stage_one.elected is not None:
        add("SUPERMAJORITY", w, None, (), 2 * votes[w] - result.valid)
    else:
        remaining, excluded = result.stage_one.remaining, result.stage_one.excluded
        for x in remaining:
            for e in excluded:
                add("IRV_ELIMINATION", x, e, (), votes[x] - votes[e])
        (runner,) = (c for c in remaining if c != w)
        add("IRV_ELIMINATION", w, runner, excluded, result.final[w] - result.final[runner])
    if result.lot is not None:
        out = [replace(a, margin=0, diluted=0.0) for a in out]
    closest = min(out, key=lambda a: a.diluted)
    comparison: int | None = None
    polling: float | None = None
    if closest.diluted > 0:  # never more than every paper: then the audit is a hand count
        comparison = min(super_simple_size(closest.diluted, risk_limit), papers)
        polling = min(_polling(result, closest, risk_limit), float(papers))
    return Plan(w, papers, risk_limit, tuple(out), comparison, polling)


def _polling(result: Result, closest: Assertion, risk_limit: float) -> float:
    """BRAVO's average sample number for the closest assertion, over all papers drawn.

    Only papers for its two candidates move BRAVO's ratio, so the average
    for them is scaled by the share of papers that are for one of them.
    """
    if closest.kind == "SUPERMAJORITY":
        mine = result.stage_one.votes[closest.winner]
        theirs = result.valid - mine
    elif closest.eliminated:
        mine, theirs = result.final[closest.winner], result.final[closest.loser or ""]
    else:
        mine = result.stage_one.votes[closest.winner]
        theirs = result.stage_one.votes[closest.loser or ""]
    share = mine / (mine + theirs)
    return bravo_average_size(share, risk_limit) * result.ballot_papers / (mine + theirs)


def holds(assertion: Assertion, ballots: Ballots) -> bool:
    """Whether ``assertion`` is true of ``ballots``: what an audit tests, paper by paper."""
    votes: Counter[str] = Counter()
    for (first, _), papers in ballots.pairs.items():
        votes[first] += papers
    a, b = assertion.winner, assertion.loser
    if assertion.kind == "SUPERMAJORITY":
        return 2 * votes[a] > sum(votes.values())
    if not assertion.eliminated:
        return votes[a] > votes[b or ""]
    out = set(assertion.eliminated)
    totals = {a: votes[a], b or "": votes[b or ""]}
    for (first, second), papers in ballots.pairs.items():
        if first in out and second in totals:
            totals[second] += papers
    return totals[a] > totals[b or ""]
