"""The published risk measures of a risk-limiting audit, and the samples they need.

Every assertion of a plan is an *assorter* (Stark 2020, "Sets of half-average
nulls generate risk-limiting audits: SHANGRLA", Voting '20): a score of 0, 1/2
or 1 per paper whose mean over all the papers is above 1/2 exactly when the
assertion is true. The measures here test that mean:

- ballot polling, papers read without their recorded votes: **ALPHA** (Stark
  2023, "ALPHA: Audit that Learns from Previously Hand-Audited Ballots", Annals
  of Applied Statistics 17(1)), with SHANGRLA's truncated-shrinkage estimate,
  and **BRAVO** (Lindeman, Stark and Yates 2012, EVT/WOTE) for its closed form;
- ballot-level comparison, each paper against its recorded votes:
  **Super-simple** (Stark 2010, "Super-simple simultaneous single-ballot
  risk-limiting audits", EVT/WOTE) with γ = 1.03905, as Arlo uses it.

Sizes that depend on chance are simulated with a fixed seed, so the same
count gives the same figures on any machine.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from svcount.errors import UsageError

__all__ = [
    "ALPHA_D",
    "CHANCES",
    "EXPECTED_O1",
    "EXPECTED_O2",
    "GAMMA",
    "comparison_sizes",
    "SIMULATED_AUDITS",
    "PollingSizes",
    "alpha_log_t",
    "alpha_risk",
    "bravo_average_size",
    "bravo_risk",
    "polling_sizes",
    "super_simple_more",
    "super_simple_risk",
    "super_simple_size",
]

#: Super-simple's error inflation (Stark 2010), Arlo's default.
GAMMA = 1.03905
#: Expected rates of one- and two-vote overstatements for a comparison audit's size, the
#: defaults of Stark's Super-simple calculator (Arlo's first round assumes none).
EXPECTED_O1, EXPECTED_O2 = 0.001, 0.0001
#: ALPHA's weight on the reported mean, in papers (SHANGRLA's default d).
ALPHA_D = 100
#: Audits simulated for a ballot-polling size, and the seed they are drawn with.
SIMULATED_AUDITS, SIMULATION_SEED = 400, 20_260_505
_MEAN = 0.5  # the null: the assorter's mean is at most 1/2 (SHANGRLA)
_U = 1.0  # every assorter here scores 0, 1/2 or 1
_CEILING = _U * (1 - 2**-52)


def _check(diluted_margin: float, risk_limit: float) -> None:
    if not 0 < diluted_margin <= 1:
        raise UsageError(
            f"a diluted margin is above 0 and at most 1, not {diluted_margin} (a margin of 0 "
            "needs a full hand count)"
        )
    if not 0 < risk_limit < 1:
        raise UsageError(f"the risk limit is between 0 and 1, not {risk_limit}")


# --------------------------------------------------------------------------- comparison


def super_simple_size(
    diluted_margin: float, risk_limit: float = 0.05, o1_rate: float = 0.0, o2_rate: float = 0.0
) -> int | None:
    """Papers for a comparison audit: ⌈−2γ ln α / (μ + 2γ(r₁ ln(1 − 1/2γ) + r₂ ln(1 − 1/γ)))⌉.

    Stark 2010, with r₁, r₂ the expected rates of one- and two-vote
    overstatements; with none it is ⌈2γ ln(1/α) / μ⌉. None when errors at
    those rates would never let the audit stop: a full hand count.
    """
    _check(diluted_margin, risk_limit)
    drift = diluted_margin + 2 * GAMMA * (
        o1_rate * math.log(1 - 1 / (2 * GAMMA)) + o2_rate * math.log(1 - 1 / GAMMA)
    )
    if drift <= 0:
        return None
    return math.ceil(-2 * GAMMA * math.log(risk_limit) / drift)


def super_simple_more(
    diluted_margin: float,
    risk_limit: float,
    seen: dict[str, int],
    drawn: int,
    most: int,
) -> int | None:
    """Papers still to compare after ``drawn`` with discrepancies ``seen``, from the evidence:
    the fewest more whose risk reaches ``risk_limit`` if they hold overstatements only at the
    expected rates (Stark's calculator's). None when even ``most`` more would not.

    One two-vote overstatement in 81 papers is a rate no audit could outgrow, but it is one
    paper: the next round needs the papers that outweigh it, not a full hand count.
    """

    def risk_after(more: int) -> float:
        o1 = seen.get("o1", 0) + EXPECTED_O1 * more
        o2 = seen.get("o2", 0) + EXPECTED_O2 * more
        log_p = (drawn + more) * math.log(1 - diluted_margin / (2 * GAMMA))
        log_p -= o1 * math.log(1 - 1 / (2 * GAMMA)) + seen.get("u1", 0) * math.log(
            1 + 1 / (2 * GAMMA)
        )
        log_p -= o2 * math.log(1 - 1 / GAMMA) + seen.get("u2", 0) * math.log(1 + 1 / GAMMA)
        return math.exp(min(log_p, 0.0))

    if risk_after(most) > risk_limit:
        return None
    low, high = 0, most  # risk falls as papers are added: the first size that reaches α
    while low < high:
        middle = (low + high) // 2
        if risk_after(middle) <= risk_limit:
            high = middle
        else:
            low = middle + 1
    return low


#: The chances of stopping a round's size is offered at, as Arlo offers them (percent).
CHANCES = (70, 80, 90)


def _by_chance(sizes: Any) -> tuple[tuple[int, int], ...]:
    """The draws within which each chance of :data:`CHANCES` of simulated audits stopped."""
    import numpy as np

    return tuple((c, int(np.percentile(sizes, c, method="higher"))) for c in CHANCES)


def comparison_sizes(
    diluted_margin: float,
    risk_limit: float,
    cap: int,
    o1_rate: float = EXPECTED_O1,
    o2_rate: float = EXPECTED_O2,
) -> tuple[tuple[int, int], ...]:
    """The papers a comparison audit compares before it stops, with each chance of
    :data:`CHANCES`, simulating :data:`SIMULATED_AUDITS` audits (a fixed seed) whose papers
    hold one- and two-vote overstatements at the given rates (Super-simple's risk)."""
    import numpy as np

    _check(diluted_margin, risk_limit)
    rng = np.random.default_rng(SIMULATION_SEED)
    step = math.log(1 - diluted_margin / (2 * GAMMA))
    up1, up2 = -math.log(1 - 1 / (2 * GAMMA)), -math.log(1 - 1 / GAMMA)
    goal, runs = math.log(risk_limit), SIMULATED_AUDITS
    log_p, done_at, made, block = np.zeros(runs), np.full(runs, -1), 0, 64
    while made < cap and (done_at < 0).any():
        block = min(block * 2, 8192, cap - made)
        u = rng.random((runs, block))
        steps = (
            step
            + np.where(u < o1_rate, up1, 0.0)
            + np.where((u >= o1_rate) & (u < o1_rate + o2_rate), up2, 0.0)
        )
        path = log_p[:, None] + np.cumsum(steps, 1)
        hit = path <= goal
        first = np.where(hit.any(1), hit.argmax(1) + made + 1, -1)
        done_at = np.where((done_at < 0) & (first > 0), first, done_at)
        log_p, made = path[:, -1], made + block
    return _by_chance(np.where(done_at < 0, cap, done_at))


def super_simple_risk(
    diluted_margin: float, papers: int, o1: int = 0, o2: int = 0, u1: int = 0, u2: int = 0
) -> float:
    """The risk measured after ``papers`` compared, with their discrepancies (Stark 2010):

    P = (1 − μ/2γ)ⁿ (1 − 1/2γ)^−o₁ (1 − 1/γ)^−o₂ (1 + 1/2γ)^−u₁ (1 + 1/γ)^−u₂, at most 1,
    where o₁, o₂ are one- and two-vote overstatements and u₁, u₂ understatements.
    """
    if diluted_margin <= 0:
        return 1.0
    _check(diluted_margin, 0.5)
    log_p = papers * math.log(1 - diluted_margin / (2 * GAMMA))
    log_p -= o1 * math.log(1 - 1 / (2 * GAMMA)) + u1 * math.log(1 + 1 / (2 * GAMMA))
    log_p -= u2 * math.log(1 + 1 / GAMMA)
    if o2:  # 1 − 1/γ is small but positive: each two-vote overstatement weighs heavily
        log_p -= o2 * math.log(1 - 1 / GAMMA)
    return min(1.0, math.exp(log_p))


# --------------------------------------------------------------------------- ballot polling


def bravo_average_size(winner_share: float, risk_limit: float = 0.05) -> float:
    """BRAVO's average sample number for a two-candidate contest (Lindeman, Stark and Yates
    2012): (ln(1/α) + z_w/2) / (s z_w + (1 − s) z_l), z_w = ln 2s, z_l = ln(2 − 2s), with s
    the winner's share of the two's votes."""
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
    if not 0.5 < winner_share <= 1:
        raise UsageError("BRAVO needs a winner's share above 1/2")
    if winner_share == 1 and for_loser:  # the reported share cannot be: never confirmed
        return 1.0
    log_t = for_winner * math.log(2 * winner_share)
    log_t += for_loser * math.log(2 - 2 * winner_share) if for_loser else 0.0
    return min(1.0, math.exp(-log_t))


def _alpha_logs(x: Any, eta0: float, before: Any, drawn: int) -> Any:
    """log of ALPHA's factor for each draw of ``x`` (rows: audits, columns: draws in order).

    T = Π (x_i η_i/μ + (u − x_i)(u − η_i)/(u − μ)) / u with μ = 1/2 (sampling with
    replacement), η_i = (d η₀ + Σ_{k<i} x_k)/(d + i − 1) kept within
    [μ + c/√(d + i − 1), u) and c = (η₀ − μ)/2: SHANGRLA's shrink_trunc.
    ``before`` is each row's sum of earlier draws, ``drawn`` how many there were.
    """
    import numpy as np

    j = np.arange(drawn + 1, drawn + x.shape[1] + 1)
    sums = before[:, None] + np.cumsum(x, axis=1) - x
    weight = ALPHA_D + j - 1
    eta = (ALPHA_D * eta0 + sums) / weight
    floor = _MEAN + (eta0 - _MEAN) / 2 / np.sqrt(weight)
    eta = np.minimum(_CEILING, np.maximum(eta, floor))
    factor = (x * eta / _MEAN + (_U - x) * (_U - eta) / (_U - _MEAN)) / _U
    return np.log(factor)


def _alpha_path(scores: Sequence[float], reported_mean: float) -> Any:
    """log T after each draw of a ballot-polling sample, in draw order."""
    import numpy as np

    x = np.asarray([scores], dtype=float)
    return np.cumsum(_alpha_logs(x, _eta0(reported_mean), np.zeros(1), 0)[0])


def _eta0(reported_mean: float) -> float:
    """ALPHA's first estimate of the mean: the reported one, kept within (1/2, u)."""
    return min(max(reported_mean, _MEAN + 1e-9), _CEILING)


def alpha_risk(scores: Sequence[float], reported_mean: float) -> float:
    """The risk ALPHA measures from a ballot-polling sample's scores, in draw order: 1/max T."""
    if not scores:
        return 1.0
    return float(min(1.0, math.exp(-max(0.0, float(_alpha_path(scores, reported_mean).max())))))


def alpha_log_t(scores: Sequence[float], reported_mean: float) -> float:
    """log T after the last draw: where a later round's test goes on from."""
    return float(_alpha_path(scores, reported_mean)[-1]) if scores else 0.0


@dataclass(frozen=True)
class PollingSizes:
    """Ballot-polling draws until every assertion is confirmed, over simulated audits."""

    average: float
    percentile_90: int
    hand_count_share: float  # audits that reached ``cap`` draws unconfirmed: a full hand count
    by_chance: tuple[tuple[int, int], ...] = ()  # (chance of stopping in %, draws), as Arlo offers


def polling_sizes(
    chances: Sequence[float],
    scores: Sequence[Sequence[float]],
    reported_means: Sequence[float],
    risk_limit: float,
    cap: int,
    start: tuple[Sequence[float], Sequence[float], int] | None = None,
) -> PollingSizes:
    """The draws ALPHA needs to confirm every assertion, simulating :data:`SIMULATED_AUDITS`
    audits that draw kinds of paper with the given ``chances``.

    ``scores[a][k]`` is assertion a's score of a paper of kind k. A later
    round passes ``start``: each assertion's log T and sum of scores so far,
    and the draws made; the sizes are then the draws still to make.
    """
    import numpy as np

    rng = np.random.default_rng(SIMULATION_SEED)
    table = np.asarray(scores, dtype=float)
    p = np.asarray(chances, dtype=float)
    runs, n_assertions = SIMULATED_AUDITS, len(table)
    log_t = np.zeros((n_assertions, runs))
    sums = np.zeros((n_assertions, runs))
    drawn = 0
    if start is not None:
        log_t += np.asarray(start[0], dtype=float)[:, None]
        sums += np.asarray(start[1], dtype=float)[:, None]
        drawn = start[2]
    goal = math.log(1 / risk_limit)
    best = log_t.copy()
    done_at = np.full(runs, -1)
    made, block = 0, 64
    while made < cap and (done_at < 0).any():
        block = min(block * 2, 8192, cap - made)
        kinds = rng.choice(len(p), size=(runs, block), p=p / p.sum())
        confirmed = np.ones((runs, block), dtype=bool)
        for a in range(n_assertions):
            x = table[a][kinds]
            steps = _alpha_logs(x, _eta0(reported_means[a]), sums[a], drawn + made)
            path = log_t[a][:, None] + np.cumsum(steps, 1)
            confirmed &= np.maximum.accumulate(np.maximum(path, best[a][:, None]), 1) >= goal
            log_t[a], sums[a] = path[:, -1], sums[a] + x.sum(1)
            best[a] = np.maximum(best[a], path.max(1))
        first = np.where(confirmed.any(1), confirmed.argmax(1) + made + 1, -1)
        done_at = np.where((done_at < 0) & (first > 0), first, done_at)
        made += block
    sizes = np.where(done_at < 0, cap, done_at)
    return PollingSizes(
        float(sizes.mean()),
        int(np.percentile(sizes, 90, method="higher")),
        float((done_at < 0).mean()),
        _by_chance(sizes),
    )
