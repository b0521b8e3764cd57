"""The audit's sample: Arlo's draws, ticket for ticket, and rounds that extend without redrawing."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path

import pytest
from helpers import ROOT, refused, run, write, write_sealed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import svcount.rla
from svcount.errors import UsageError

#: Arlo's own recorded draws (votingworks/arlo@8d86156c, test_sampler.py snapshots).
ARLO = json.loads(
    (Path(__file__).parent / "data" / "rla" / "arlo_sampler_vectors.json").read_text()
)


def _as_arlo(draws):
    return [[d.ticket, [d.batch, d.position], d.draw] for d in draws]


def test_the_sample_is_arlos_ticket_for_ticket():
    drawn = svcount.rla.sample(ARLO["manifest"], ARLO["seed"], 20)
    assert _as_arlo(drawn) == ARLO["draw_sample_20"]


def test_a_second_round_goes_on_as_arlos_does():
    first = svcount.rla.sample(ARLO["manifest"], ARLO["seed"], 10)
    then = svcount.rla.sample(ARLO["manifest"], ARLO["seed"], 10, already=10)
    assert _as_arlo(first) == ARLO["draw_more_samples_first10"]
    assert _as_arlo(then) == ARLO["draw_more_samples_next10_num_sampled10"]


def test_the_command_draws_the_same_list(tmp_path):
    rows = "batch,papers\n" + "".join(f"{b},{n}\n" for b, n in ARLO["manifest"].items())
    path = write(tmp_path, rows, "manifest.csv")
    shown = run("rla", "sample", path, "--seed", ARLO["seed"], "--size", "20", "-f", "json")
    assert shown.exit_code == 0, shown.output
    draws = json.loads(shown.stdout)["draws"]
    assert [[d["ticket"], [d["batch"], d["position"]], d["draw"]] for d in draws] == ARLO[
        "draw_sample_20"
    ]
    listed = run("rla", "sample", path, "--seed", ARLO["seed"], "--size", "3").stdout
    assert listed.splitlines() == [
        "ticket,batch,position,draw",
        "0.000617786129909912,pct 2,3,1",
        "0.002991631653037245,pct 3,24,1",
        "0.012057030610635061,pct 1,25,1",
    ]


@settings(deadline=None, max_examples=150)
@given(
    manifest=st.dictionaries(
        st.text(alphabet="AB 'é\"3\\", min_size=1, max_size=6).map(str.strip).filter(bool),
        st.integers(1, 40),
        min_size=1,
        max_size=6,
    ),
    seed=st.text(min_size=1, max_size=20).filter(str.strip),
    size=st.integers(0, 80),
    already=st.integers(0, 40),
)
def test_the_fast_first_tickets_draw_as_the_consistent_sampler_draws(manifest, seed, size, already):
    """svcount computes the first tickets with hashlib and NumPy and gives the sampler only
    the papers that can be drawn: the draws are those of ``consistent_sampler`` over every
    paper (which Arlo runs), ticket for ticket, names with quotes and accents included."""
    import consistent_sampler

    from svcount.operations.sampling import DIGITS, Draw

    total = sum(manifest.values())
    size, already = min(size, 10 * total), min(already, 10 * total - min(size, 10 * total))
    papers = [(b, i) for b, n in manifest.items() for i in range(1, n + 1)]
    every = consistent_sampler.sampler(
        papers, seed=seed, with_replacement=True, drop=already, take=size, digits=DIGITS
    )
    expected = [Draw(t, b, p, d) for t, (b, p), d in every]
    assert svcount.rla.sample(manifest, seed, size, already) == expected


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.sampled_from(["A", "B", "Box 3", "D"]), st.integers(0, 30), min_size=1),
    st.text(min_size=1, max_size=12).filter(str.strip),
    st.integers(0, 25),
    st.integers(0, 25),
)
def test_rounds_extend_the_sample_without_redrawing(manifest, seed, first, more):
    if not sum(manifest.values()):
        with pytest.raises(UsageError):
            svcount.rla.sample(manifest, seed, first)
        return
    if first + more > 10 * sum(manifest.values()):  # past ten draws a paper: refused
        with pytest.raises(UsageError, match="ten draws a paper"):
            svcount.rla.sample(manifest, seed, first + more)
        return
    whole = svcount.rla.sample(manifest, seed, first + more)
    rounds = svcount.rla.sample(manifest, seed, first) + svcount.rla.sample(
        manifest, seed, more, already=first
    )
    assert whole == rounds
    assert all(1 <= d.position <= manifest[d.batch] for d in whole)
    tickets = [d.ticket for d in whole]
    assert tickets == sorted(tickets)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("name,count_of\nA,3\n", "needs a batch column"),
        ("batch,papers\nA,3\nA,4\n", "listed twice"),
        ("batch,papers\nA,three\n", "a whole number"),
        ("batch,papers\nA\u202e,3\n", "U+202E"),
        ("", "empty"),
    ],
)
def test_a_manifest_that_cannot_be_read_is_one_line(tmp_path, text, says):
    path = write(tmp_path, text, "manifest.csv")
    assert says in refused("rla", "sample", path, "--seed", "1", "--size", "3")


def test_an_empty_seed_is_refused(tmp_path):
    path = write(tmp_path, "batch,papers\nA,3\n", "manifest.csv")
    assert "seed is empty" in refused("rla", "sample", path, "--seed", " ", "--size", "1")


# --------------------------------------------------------------------------- the risk measures


@pytest.mark.parametrize(("margin", "papers"), [(0.01, 623), (0.05, 125)])
def test_super_simple_sizes_are_the_published_ones(margin, papers):
    """2γ ln(1/α)/μ at α = 0.05, γ = 1.03905 (Stark 2010)."""
    assert svcount.rla.super_simple_size(margin) == papers


def test_super_simple_risk_at_a_fifth_after_34_clean_papers_is_about_0_032():
    assert svcount.rla.super_simple_risk(0.2, 34) == pytest.approx(0.032, abs=0.0005)
    assert svcount.rla.super_simple_risk(0.2, 34, o1=1) > 0.032
    assert svcount.rla.super_simple_risk(0.2, 34, o2=1) > svcount.rla.super_simple_risk(
        0.2, 34, o1=1
    )
    assert svcount.rla.super_simple_risk(0.2, 34, u1=1) < 0.032
    for margin in (0.01, 0.05, 0.2, 0.5):  # the published size is conservative: clean, it stops
        assert svcount.rla.super_simple_risk(margin, svcount.rla.super_simple_size(margin)) <= 0.05


def test_super_simple_sizes_with_expected_errors_are_larger_and_can_be_none():
    """n = −2γ ln α / (μ + 2γ(r₁ ln(1 − 1/2γ) + r₂ ln(1 − 1/γ))) (Stark 2010)."""
    clean = svcount.rla.super_simple_size(0.05)
    assert svcount.rla.super_simple_size(0.05, 0.05, 0.001, 0.0001) > clean
    assert svcount.rla.super_simple_size(0.05, 0.05, 0.1) is None  # errors swamp the margin


@pytest.mark.parametrize(("share", "average"), [(0.55, 608), (0.6, 154)])
def test_bravo_average_sample_numbers_are_the_published_ones(share, average):
    """55/45: about 608; 600/400 of 1,000: about 154 (Lindeman, Stark and Yates 2012)."""
    assert svcount.rla.bravo_average_size(share) == pytest.approx(average, abs=1)


def test_bravo_stops_when_the_sample_is_one_sidedly_for_the_winner():
    assert svcount.rla.bravo_risk(0.6, 0, 0) == 1.0
    assert svcount.rla.bravo_risk(0.6, 17, 0) < 0.05 < svcount.rla.bravo_risk(0.6, 16, 0)


@pytest.mark.parametrize("margin", [0, -0.1, 1.5])
def test_a_margin_with_no_audit_is_refused(margin):
    with pytest.raises(UsageError, match="diluted margin"):
        svcount.rla.super_simple_size(margin)


# --------------------------------------------------------------------------- the plan

from test_margin import SECONDS, small_elections  # noqa: E402

from svcount.count import count  # noqa: E402
from svcount.errors import CountError  # noqa: E402
from svcount.model import Ballots, Candidate, EnteredLot, Method, NotCounted, Rejection  # noqa: E402
from svcount.operations.assertions import Assertion, holds, kinds, margin_of, plan  # noqa: E402
from svcount.operations.assess import assess  # noqa: E402
from svcount.operations.sampling import Draw  # noqa: E402


def _recounted(ballots, method):
    try:
        return count(ballots, method)
    except CountError:
        return None


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(small_elections(), st.data())
def test_every_change_that_unseats_the_winner_breaks_an_assertion(election, data):
    """The assertions imply the outcome: no other count of papers keeps them all and elects
    someone else (or needs a lot)."""
    names, method, ballots = election
    result = _recounted(ballots, Method(method))
    if result is None or result.winner is None or result.stage_one.tie_for_second:
        return
    planned = plan(ballots, result)
    assert all(holds(a, ballots) for a in planned.assertions)
    pairs = dict(ballots.pairs)
    for _ in range(data.draw(st.integers(1, 4))):  # move a few papers anywhere
        kinds = sorted(pairs, key=str)
        taken = data.draw(st.sampled_from(kinds))
        pairs[taken] -= 1
        if not pairs[taken]:
            del pairs[taken]
        given = (data.draw(st.sampled_from(names)), data.draw(st.sampled_from([*names, *SECONDS])))
        pairs[given] = pairs.get(given, 0) + 1
        if not pairs:
            return
    changed = Ballots(ballots.candidates, pairs, ballots.rejected)
    recount = _recounted(changed, Method(method))
    if recount is None or recount.winner != result.winner:
        assert not all(holds(a, changed) for a in planned.assertions)


def test_the_plan_of_llr_2016(monkeypatch):
    from helpers import ROOT

    monkeypatch.chdir(ROOT)
    shown = run(
        "rla", "plan", "examples/llr-2016/ballots.csv.gz", "-c", "examples/llr-2016/candidates.csv",
        "-f", "json",
    )  # fmt: skip
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.stdout)
    closest = min(doc["assertions"], key=lambda a: a["diluted_margin"])
    assert (closest["winner"], closest["loser"], closest["margin"]) == (
        "Willy Bach",
        "Neil Durban Bannister",
        19_883,
    )
    assert closest["already_eliminated"] == ["Sarah Hill", "David Sprason"]
    assert doc["sample_sizes"]["comparison_super_simple"] == svcount.rla.super_simple_size(
        19_883 / 155_661
    )
    table = run("rla", "plan", "examples/quickstart/ballots.csv")
    assert table.exit_code == 0 and "Assertions, closest first" in table.stdout
    assert run("rla", "plan", "tests/data/lot/tie.csv").exit_code == 3


def test_alpha_measures_a_one_sided_sample_and_its_simulated_sizes_are_near_bravos():
    """ALPHA (Stark 2023) with SHANGRLA's shrink-trunc estimate: a sample all for the winner
    confirms it, one all against it never does; 600/400 needs about BRAVO's 154 papers."""
    assert svcount.rla.alpha_risk([], 0.6) == 1.0
    assert svcount.rla.alpha_risk([1.0] * 20, 0.6) < 0.05 < svcount.rla.alpha_risk([1.0] * 5, 0.6)
    assert svcount.rla.alpha_risk([0.0] * 200, 0.6) == 1.0
    assert svcount.rla.alpha_risk([0.5] * 200, 0.6) == 1.0  # no vote moves nothing
    sizes = svcount.rla.polling_sizes([600, 400], [[1.0, 0.0]], [0.6], 0.05, 1000)
    assert 140 <= sizes.average <= 180 and sizes.percentile_90 > sizes.average
    assert sizes == svcount.rla.polling_sizes([600, 400], [[1.0, 0.0]], [0.6], 0.05, 1000)
    hopeless = svcount.rla.polling_sizes([400, 600], [[1.0, 0.0]], [0.6], 0.05, 300)
    assert hopeless.hand_count_share >= 0.95 and hopeless.percentile_90 == 300  # at most α stop


# --------------------------------------------------------------------------- plans of any count


@st.composite
def sv_elections(draw, most=5, papers=30):
    """3-5 candidates, a few papers: ties for second and close thirds come up often."""
    names = ["Ann", "Bob", "Cy", "Dee", "Eve"][: draw(st.integers(3, most))]
    pairs, rejected = Counter(), Counter()
    for _ in range(draw(st.integers(1, papers))):
        if draw(st.integers(0, 12)) == 0:
            rejected[Rejection.UNMARKED] += 1
            continue
        pairs[(draw(st.sampled_from(names)), draw(st.sampled_from([*names, *SECONDS])))] += 1
    return names, Ballots(tuple(Candidate(c) for c in names), dict(pairs), dict(rejected))


def _moved(ballots, data, names, most=4):
    """``ballots`` with a few papers moved to any other marks."""
    pairs = dict(ballots.pairs)
    for _ in range(data.draw(st.integers(1, most))):
        if not pairs:
            break
        taken = data.draw(st.sampled_from(sorted(pairs, key=str)))
        pairs[taken] -= 1
        if not pairs[taken]:
            del pairs[taken]
        given = (data.draw(st.sampled_from(names)), data.draw(st.sampled_from([*names, *SECONDS])))
        pairs[given] = pairs.get(given, 0) + 1
    return Ballots(ballots.candidates, pairs, ballots.rejected)


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(sv_elections(), st.data())
def test_the_chosen_assertions_imply_the_sv_winner_ties_for_second_included(election, data):
    """Whatever set the search chooses (ties for second place kept more than two in), no
    other count of papers keeps every assertion true and elects someone else."""
    names, ballots = election
    result = _recounted(ballots, Method.SV)
    if result is None or result.winner is None:
        return
    planned = plan(ballots, result)
    assert (
        all(holds(a, ballots) for a in planned.assertions)
        or min(a.margin for a in planned.assertions) <= 0
    )
    if min(a.margin for a in planned.assertions) <= 0:
        assert planned.comparison is None  # a margin of 0: a full hand count
        return
    changed = _moved(ballots, data, names)
    recount = _recounted(changed, Method.SV)
    if recount is None or recount.winner != result.winner:
        assert not all(holds(a, changed) for a in planned.assertions)


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(sv_elections())
def test_the_chosen_set_is_never_weaker_than_the_plain_one(election):
    """RAIRE's aim: the smallest margin is at least that of the plain set (the two who
    remain beat each excluded candidate, the winner beats the runner-up)."""
    _, ballots = election
    result = _recounted(ballots, Method.SV)
    if result is None or result.winner is None or result.stage_two is None:
        return
    if result.stage_one.tie_for_second:
        return
    w = result.winner
    (runner,) = (c for c in result.stage_one.remaining if c != w)
    plain = [
        Assertion("IRV_ELIMINATION", x, e, (), 0, 0.0)
        for x in result.stage_one.remaining
        for e in result.stage_one.excluded
    ] + [Assertion("IRV_ELIMINATION", w, runner, result.stage_one.excluded, 0, 0.0)]
    chosen = plan(ballots, result).assertions
    assert min(a.margin for a in chosen) >= min(margin_of(a, ballots) for a in plain)


def test_a_close_third_is_left_unproved_when_the_runoffs_are_wider():
    """Bob leads Cy by one first preference, but Ann beats either of them in a runoff by
    far: the plan proves Ann is in the top two and wins either runoff, not Bob ≥ Cy."""
    ballots = Ballots(
        (Candidate("Ann"), Candidate("Bob"), Candidate("Cy"), Candidate("Dee")),
        {("Ann", NotCounted.BLANK): 40, ("Bob", "Cy"): 21, ("Cy", "Bob"): 20, ("Dee", "Ann"): 19},
    )
    result = count(ballots, Method.SV)
    chosen = plan(ballots, result)
    assert result.winner == "Ann"
    assert min(a.margin for a in chosen.assertions) > 1
    assert not any((a.winner, a.loser) == ("Bob", "Cy") for a in chosen.assertions)


def test_a_tie_for_second_is_planned_with_every_set_that_could_remain():
    """Bob and Cy equal for second: Ann must beat each of them with everyone else out, and
    both of them with all three in."""
    ballots = Ballots(
        (Candidate("Ann"), Candidate("Bob"), Candidate("Cy"), Candidate("Dee")),
        {("Ann", NotCounted.BLANK): 40, ("Bob", "Ann"): 20, ("Cy", "Ann"): 20, ("Dee", "Ann"): 5},
    )
    result = count(ballots, Method.SV)
    assert result.stage_one.tie_for_second and result.winner == "Ann"
    outs = {(a.loser, a.eliminated) for a in plan(ballots, result).assertions if a.winner == "Ann"}
    assert {("Bob", ("Dee",)), ("Cy", ("Dee",))} <= outs  # all three remain
    assert {("Bob", ("Cy", "Dee")), ("Cy", ("Bob", "Dee"))} <= outs  # one pair remains


# --------------------------------------------------------------------------- soundness


def _audit_stops(planned, papers, rng, most, recorded=None):
    """One simulated audit of ``papers`` (the truth, by ("b", position)) against ``planned``:
    whether it stops within ``most`` draws, in three rounds, polling with ALPHA or comparing
    with Super-simple against ``recorded``."""
    drawn = rng.integers(1, len(papers) + 1, size=most)
    for n in (most // 4, most // 2, most):  # rounds, as an audit grows
        draws = [Draw("", "b", int(i), 1) for i in drawn[:n]]
        if assess(planned, draws, papers, recorded, estimate=False).verdict == "stop":
            return True
    return False


def _papers(ballots):
    """Every paper of ``ballots``, named ("b", position)."""
    ordered = [o for o, n in sorted(kinds(ballots), key=lambda kn: str(kn[0])) for _ in range(n)]
    return {("b", i): o for i, o in enumerate(ordered, 1)}


def _wrongly_reported(rng):
    """A random election of 400-800 papers and a recorded version of its papers, a few read
    as another candidate's, whose count names the wrong winner (or None if none was made)."""
    names = ["Ann", "Bob", "Cy", "Dee"][: int(rng.integers(3, 5))]
    weights = rng.dirichlet([2.0] * len(names))
    papers = {}
    for i in range(1, int(rng.integers(400, 801)) + 1):
        first = names[rng.choice(len(names), p=weights)]
        second = rng.choice([*(n for n in names if n != first), NotCounted.BLANK])
        papers["b", i] = (first, str(second) if second != NotCounted.BLANK else second)
    roster = tuple(Candidate(c) for c in names)
    truth = count(Ballots(roster, dict(Counter(papers.values()))), Method.SV)
    if truth.winner is None:
        return None
    thief = names[int(rng.integers(len(names)))]
    recorded = dict(papers)
    for paper, (first, second) in papers.items():
        if thief == truth.winner:
            return None
        if first == truth.winner:
            recorded[paper] = (thief, second if second != thief else NotCounted.BLANK)
            told = _recounted(Ballots(roster, dict(Counter(recorded.values()))), Method.SV)
            if told is not None and told.winner == thief:
                return papers, recorded, Ballots(roster, dict(Counter(recorded.values()))), told
    return None


@pytest.mark.slow
def test_audits_of_wrong_winners_seldom_stop():
    """Soundness by simulation: random elections whose reported count (papers misrecorded
    one by one until the winner changes) names the wrong winner. Audits of the true papers,
    polling (ALPHA) and comparison (Super-simple) in three rounds of up to 400 draws, stop
    no more often than the risk limit allows (within three standard errors)."""
    import numpy as np

    rng = np.random.default_rng(2026)
    alpha, stopped, audits, elections = 0.1, Counter(), Counter(), 0
    while elections < 60:
        made = _wrongly_reported(rng)
        if made is None:
            continue
        papers, recorded, reported, told = made
        elections += 1
        planned = dataclasses.replace(plan(reported, told), risk_limit=alpha)
        for audit, shown in (("polling", None), ("comparison", recorded)):
            for _ in range(10):
                audits[audit] += 1
                stopped[audit] += _audit_stops(planned, papers, rng, 400, shown)
    for audit in ("polling", "comparison"):
        rate = stopped[audit] / audits[audit]
        assert rate <= alpha + 3 * (alpha * (1 - alpha) / audits[audit]) ** 0.5, (audit, rate)


def test_an_audit_of_the_right_winner_usually_stops():
    import numpy as np

    rng = np.random.default_rng(11)
    truth = Ballots(
        (Candidate("Ann"), Candidate("Bob"), Candidate("Cy")),
        {("Ann", "Cy"): 560, ("Bob", "Cy"): 420, ("Cy", "Ann"): 120, ("Cy", "Bob"): 100},
    )
    planned = plan(truth, count(truth, Method.SV))
    papers = _papers(truth)
    size = planned.alpha.percentile_90
    stops = sum(_audit_stops(planned, papers, rng, size) for _ in range(100))
    assert stops >= 80
    compared = sum(
        _audit_stops(planned, papers, rng, planned.comparison, papers) for _ in range(50)
    )
    assert compared == 50  # no discrepancy: Super-simple's size always suffices


def test_a_lot_needs_a_full_hand_count():
    ballots = Ballots(
        (Candidate("Ann"), Candidate("Bob")),
        {("Ann", NotCounted.BLANK): 5, ("Bob", NotCounted.BLANK): 5},
    )
    result = count(ballots, Method.SV, lot=EnteredLot("Ann"))
    planned = plan(ballots, result)
    assert planned.comparison is None and planned.alpha is None
    assert all(a.margin == 0 for a in planned.assertions)


# --------------------------------------------------------------------------- rla assess, end to end

LLR = "examples/llr-2016"
SEED = "32795213463457212049"


def _worked_audit(tmp_path, size, *board, cvrs=False):
    """The README's worked audit of llr-2016: plan, sample, the simulated board's readings;
    with ``cvrs``, the plan commits the ballot file as the records to compare with."""
    import subprocess
    import sys

    from helpers import ROOT

    plan_file, sample_file, readings = (tmp_path / n for n in ("plan.json", "s.json", "r.csv"))
    made = run(
        "rla", "plan", f"{ROOT}/{LLR}/ballots.csv.gz", "-c", f"{ROOT}/{LLR}/candidates.csv",
        "-f", "json", "-o", str(plan_file),
        *(["--cvrs", f"{ROOT}/{LLR}/ballots.csv.gz"] if cvrs else []),
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    drawn = run(
        "rla", "sample", f"{ROOT}/{LLR}/audit/manifest.csv", "--seed", SEED,
        "--size", str(size), "-o", str(sample_file),
    )  # fmt: skip
    assert drawn.exit_code == 0, drawn.output
    with readings.open("w") as out:
        subprocess.run(
            [sys.executable, f"{ROOT}/{LLR}/audit/board.py", f"{ROOT}/{LLR}/audit/manifest.csv",
             f"{ROOT}/{LLR}/ballots.csv.gz", str(sample_file), *board],
            stdout=out, check=True,
        )  # fmt: skip
    return plan_file, sample_file, readings


def test_the_worked_audit_of_llr_2016(tmp_path):
    """Polling with too few draws must grow; comparing clean readings at the planned size
    stops; a board that misreads papers as blank finds overstatements."""
    plan_file, sample_file, readings = _worked_audit(tmp_path, 60)
    polled = run("rla", "assess", str(plan_file), str(sample_file), str(readings), "-f", "json")
    assert polled.exit_code == 4, polled.output
    doc = json.loads(polled.stdout)
    assert doc["schema"] == "svcount-rla-assessment/1" and doc["verdict"] == "grow"
    assert doc["more_draws"] >= 1 and doc["audit"] == "polling"
    assert [i["role"] for i in doc["input"]] == ["plan", "sample", "readings"]
    (tmp_path / "cvrs").mkdir()
    committed, _, _ = _worked_audit(tmp_path / "cvrs", 60, cvrs=True)
    compared = run("rla", "assess", str(committed), str(sample_file), str(readings), "-f", "json")
    assert compared.exit_code == 0, compared.output
    assert json.loads(compared.stdout)["audit"] == "comparison"
    (tmp_path / "again").mkdir()
    _, _, misread = _worked_audit(tmp_path / "again", 60, "--misread", "3")
    found = run("rla", "assess", str(committed), str(sample_file), str(misread), "-f", "json")
    seen = [a["seen"] for a in json.loads(found.stdout)["assertions"]]
    assert any(s["o1"] + s["o2"] for s in seen)


def test_a_wrong_winner_in_the_plan_is_not_confirmed(tmp_path):
    """The plan says Bannister won (a forged plan); the papers say otherwise: no stop."""
    plan_file, sample_file, readings = _worked_audit(tmp_path, 200)
    doc = json.loads(plan_file.read_text())
    for a in doc["assertions"]:
        a["winner"], a["loser"] = a["loser"] or a["winner"], a["winner"]
    plan_file.write_text(json.dumps(doc))
    assert "does not match its digest" in refused(
        "rla", "assess", str(plan_file), str(sample_file), str(readings)
    )
    write_sealed(plan_file, doc)  # resealed: the recorded count still names Bach
    said = refused("rla", "assess", str(plan_file), str(sample_file), str(readings))
    assert "does not agree with its own recorded count" in said


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("Willy Bach", "Willy Bach Jr", 1), "not a candidate"),
        (lambda t: t.replace("box,", "crate,", 1), "batch column and a position column"),
        (lambda t: "\n".join(t.splitlines()[:-1]) + "\n", "which was drawn"),
        (lambda t: t + t.splitlines()[-1] + "\n", "read twice"),
    ],
)
def test_readings_that_cannot_be_assessed_are_one_line(tmp_path, change, message):
    plan_file, sample_file, readings = _worked_audit(tmp_path, 20)
    readings.write_text(change(readings.read_text()))
    said = refused("rla", "assess", str(plan_file), str(sample_file), str(readings))
    assert message in said


def test_a_plan_or_sample_that_is_not_one_is_refused(tmp_path):
    plan_file, sample_file, readings = _worked_audit(tmp_path, 5)
    assert "not a plan" in refused(
        "rla", "assess", str(sample_file), str(sample_file), str(readings)
    )
    assert "not a sample" in refused("rla", "assess", str(plan_file), str(plan_file), str(readings))
    damaged = tmp_path / "damaged.json"
    doc = json.loads(plan_file.read_text().replace('"margin"', '"margins"'))
    write_sealed(damaged, doc)
    assert "damaged" in refused("rla", "assess", str(damaged), str(sample_file), str(readings))


# ------------------------------------------------------------- paperwork that cannot fool


def _sample(tmp_path, name, *args):
    path = tmp_path / name
    made = run("rla", "sample", f"{ROOT}/{LLR}/audit/manifest.csv", "--seed", SEED, *args,
               "-o", str(path))  # fmt: skip
    assert made.exit_code == 0, made.output
    return path


def test_a_sample_is_derived_again_from_its_seed_and_manifest(tmp_path):
    plan_file, sample_file, readings = _worked_audit(tmp_path, 60)
    doc = json.loads(sample_file.read_text())
    five = {**doc, "draws": doc["draws"] * 5, "size": 300}  # 60 papers listed five times
    write_sealed(tmp_path / "five.json", five)
    said = refused("rla", "assess", str(plan_file), str(tmp_path / "five.json"), str(readings))
    assert "draw 61 is paper" in said and "the sample was edited" in said
    swapped = {**doc, "draws": [doc["draws"][1], doc["draws"][0], *doc["draws"][2:]]}
    write_sealed(tmp_path / "swapped.json", swapped)
    said = refused("rla", "assess", str(plan_file), str(tmp_path / "swapped.json"), str(readings))
    assert "draw 1 is paper" in said
    edited = tmp_path / "edited.json"
    edited.write_text(sample_file.read_text().replace('"draw": 1', '"draw": 2', 1))
    assert "does not match its digest" in refused(
        "rla", "assess", str(plan_file), str(edited), str(readings)
    )


def test_a_later_round_alone_is_not_the_whole_sample(tmp_path):
    plan_file, _, readings = _worked_audit(tmp_path, 60)
    later = _sample(tmp_path, "round2.json", "--size", "136", "--already", "60")
    said = refused("rla", "assess", str(plan_file), str(later), str(readings))
    assert "starts after draw 60" in said and "--size 196" in said


def test_a_manifest_short_of_the_plans_papers_is_refused(tmp_path):
    plan_file, _, readings = _worked_audit(tmp_path, 20)
    rows = (ROOT / LLR / "audit" / "manifest.csv").read_text().splitlines()
    short = tmp_path / "short.csv"
    short.write_text("\n".join(rows[:-4]) + "\n")  # four boxes short
    drawn = run("rla", "sample", str(short), "--seed", SEED, "--size", "20", "-o",
                str(tmp_path / "short.json"))  # fmt: skip
    assert drawn.exit_code == 0
    said = refused("rla", "assess", str(plan_file), str(tmp_path / "short.json"), str(readings))
    assert "155,661" in said and "the manifest lists" in said


def test_a_sample_list_is_checked_only_with_its_seed_and_manifest(tmp_path):
    plan_file, _, readings = _worked_audit(tmp_path, 20)
    listed = _sample(tmp_path, "list.csv", "--size", "20")
    said = refused("rla", "assess", str(plan_file), str(listed), str(readings))
    assert "--manifest FILE and --seed" in said
    checked = run("rla", "assess", str(plan_file), str(listed), str(readings), "--manifest",
                  f"{ROOT}/{LLR}/audit/manifest.csv", "--seed", SEED)  # fmt: skip
    assert checked.exit_code in (0, 4, 5), checked.output
    wrong = run("rla", "assess", str(plan_file), str(listed), str(readings), "--manifest",
                f"{ROOT}/{LLR}/audit/manifest.csv", "--seed", "1" + SEED[1:])  # fmt: skip
    assert wrong.exit_code == 2 and "another seed or manifest" in wrong.stderr


def test_a_paper_that_cannot_be_found_counts_as_the_worst_case(tmp_path):
    """SHANGRLA's rule: a missing paper scores against the winner (polling) and is a two-vote
    overstatement (comparison); it never blocks the audit, and never helps it stop."""
    plan_file, sample_file, readings = _worked_audit(tmp_path, 60)
    rows = readings.read_text().splitlines()
    lost = [rows[0] + ",found"] + [r + (",no" if i < 3 else ",yes") for i, r in enumerate(rows[1:])]
    (tmp_path / "lost.csv").write_text("\n".join(lost) + "\n")
    polled = run("rla", "assess", str(plan_file), str(sample_file), str(tmp_path / "lost.csv"),
                 "-f", "json")  # fmt: skip
    assert polled.exit_code in (4, 5), polled.output
    clean = json.loads(run("rla", "assess", str(plan_file), str(sample_file), str(readings),
                           "-f", "json").stdout)  # fmt: skip
    worse = json.loads(polled.stdout)
    for before, after in zip(clean["assertions"], worse["assertions"], strict=True):
        assert after["risk"] >= before["risk"]
    (tmp_path / "cvrs").mkdir()
    committed, _, _ = _worked_audit(tmp_path / "cvrs", 60, cvrs=True)
    compared = run("rla", "assess", str(committed), str(sample_file), str(tmp_path / "lost.csv"),
                   "-f", "json")  # fmt: skip
    seen = [a["seen"] for a in json.loads(compared.stdout)["assertions"]]
    assert all(s["o2"] >= 3 for s in seen)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([rows[0] + ",found", rows[1] + ",perhaps"]) + "\n")
    assert "found is yes or no" in refused("rla", "assess", str(plan_file), str(sample_file),
                                           str(bad))  # fmt: skip


@pytest.mark.parametrize(
    ("manifest", "args", "said"),
    [
        ("batch,papers\nA,1000000000000000\n", ["--size", "5"], "at most 30,000,000"),
        ("batch,papers\nA,²\n", ["--size", "5"], "a whole number"),
        ("batch,papers\nA,40\n", ["--size", "100000000000"], "at most 400"),
        ("batch,papers\nA,40\n", ["--size", "300", "--already", "200"], "ten draws a paper"),
    ],
)
def test_sizes_and_papers_are_bounded_in_one_line(tmp_path, manifest, args, said):
    path = write(tmp_path, manifest, "manifest.csv")
    assert said in refused("rla", "sample", path, "--seed", "1", *args)


@pytest.fixture(scope="module")
def polled_audit(tmp_path_factory):
    """The worked audit after 60 polled draws: the sample must grow (exit 4)."""
    folder = tmp_path_factory.mktemp("polled")
    files = _worked_audit(folder, 60)
    shown = run("rla", "assess", *map(str, files))
    assert shown.exit_code == 4, shown.output
    return files


def _leaves(doc, path=()):
    """Every (path, value) of a JSON document's scalar fields, the digest aside."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key != "digest":
                yield from _leaves(value, (*path, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from _leaves(value, (*path, i))
    else:
        yield path, doc


def _edited(value, choice):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return [value + 1, value - 1, value * 2, 0][choice % 4]
    if isinstance(value, float):
        return [value * 2, 1.0, 0.9, value / 2][choice % 4]
    if isinstance(value, str):
        return ["Neil Durban Bannister", "Willy Bach", value + "x", "1"][choice % 4]
    return "x"


@pytest.mark.slow
@settings(deadline=None, max_examples=30, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(which=st.sampled_from(["plan", "sample", "readings"]), pick=st.integers(0, 10**6),
       choice=st.integers(0, 3))  # fmt: skip
def test_no_edit_of_a_plan_or_sample_makes_the_audit_stop(polled_audit, tmp_path, which, pick,
                                                          choice):  # fmt: skip
    """Issue 35: edit any one field (and seal it again, as a forger would), or which paper a
    reading names (a row twice, a row gone, its batch or position changed): never "stop"."""
    plan_file, sample_file, readings = polled_audit
    if which == "readings":
        rows = readings.read_text().splitlines()
        at = 1 + pick % (len(rows) - 1)
        cells = rows[at].split(",")
        if choice == 0:
            rows.insert(at, rows[at])
        elif choice == 1:
            del rows[at]
        else:
            cells[choice - 2] += "1"  # the box's name, or the position
            rows[at] = ",".join(cells)
        edited = tmp_path / "edited.csv"
        edited.write_text("\n".join(rows) + "\n")
        shown = run("rla", "assess", plan_file, sample_file, edited)
        assert shown.exit_code != 0, (choice, shown.output)
        return
    original = plan_file if which == "plan" else sample_file
    doc = json.loads(original.read_text())
    leaves = list(_leaves(doc))
    path, value = leaves[pick % len(leaves)]
    target = doc
    for key in path[:-1]:
        target = target[key]
    new = _edited(value, choice)
    if new == value:
        return
    target[path[-1]] = new
    edited = tmp_path / f"edited-{which}.json"
    write_sealed(edited, doc)
    files = [plan_file, sample_file, readings]
    files[0 if which == "plan" else 1] = edited
    shown = run("rla", "assess", *map(str, files))
    assert shown.exit_code != 0, (path, value, new, shown.output)


@pytest.mark.parametrize("limit", [0.9, 1.0, 0, -1, "0.05", None])
def test_a_plans_risk_limit_is_what_rla_plan_takes(polled_audit, tmp_path, limit):
    plan_file, sample_file, readings = polled_audit
    doc = json.loads(plan_file.read_text())
    doc["risk_limit"] = limit
    write_sealed(tmp_path / "plan.json", doc)
    said = refused("rla", "assess", str(tmp_path / "plan.json"), str(sample_file), str(readings))
    assert "risk limit" in said


def test_retrieval_by_box_split_among_boards_with_sheets_and_templates(tmp_path):
    """The list box by box, boards by whole boxes, a sheet and a readings template each; a
    filled template is what rla assess reads."""
    import csv
    import io

    plan_file, sample_file, readings = _worked_audit(tmp_path, 60)
    listed = run("rla", "sample", f"{ROOT}/{LLR}/audit/manifest.csv", "--seed", SEED,
                 "--size", "60", "--sort", "box", "--boards", "3",
                 "--sheets", str(tmp_path / "sheets"))  # fmt: skip
    assert listed.exit_code == 0, listed.output
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    keys = [(r["batch"], int(r["position"])) for r in rows]
    assert keys == sorted(keys) and len(rows) == 60
    boards = {}
    for r in rows:
        boards.setdefault(r["batch"], set()).add(r["board"])
    assert all(len(b) == 1 for b in boards.values())  # a box is opened by one board
    sizes = [sum(1 for r in rows if r["board"] == str(n)) for n in (1, 2, 3)]
    assert max(sizes) - min(sizes) <= 10 and sum(sizes) == 60
    said = {(r["box"], r["position"]): r for r in csv.DictReader(io.StringIO(readings.read_text()))}
    filled = ["box,position,ticket,found,first,second"]
    for n in (1, 2, 3):
        sheet = (tmp_path / "sheets" / f"board-{n}.html").read_text()
        assert "signature" in sheet and "&#9744;" in sheet
        template = (tmp_path / "sheets" / f"readings-board-{n}.csv").read_text()
        for r in csv.DictReader(io.StringIO(template)):
            read = said[(r["box"], r["position"])]
            filled.append(f'{r["box"]},{r["position"]},{r["ticket"]},yes,"{read["first"]}",'
                          f'"{read["second"]}"')  # fmt: skip
    (tmp_path / "filled.csv").write_text("\n".join(filled) + "\n")
    mine = run("rla", "assess", str(plan_file), str(sample_file), str(tmp_path / "filled.csv"),
               "-f", "json")  # fmt: skip
    theirs = run("rla", "assess", str(plan_file), str(sample_file), str(readings), "-f", "json")
    assert json.loads(mine.stdout)["assertions"] == json.loads(theirs.stdout)["assertions"]


def test_one_overstatement_asks_for_the_papers_that_outweigh_it_not_a_hand_count():
    """Issue 35: one two-vote overstatement in 81 draws at a 6 % diluted margin: about 120
    more clean papers would do, and the next round asks for about that (not all 10,000)."""
    from svcount.operations import risk

    more = risk.super_simple_more(0.06, 0.05, {"o2": 1}, 81, 10_000)
    assert more is not None and 100 <= more <= 160
    assert risk.super_simple_risk(0.06, 81 + more, o2=1) <= 0.05
    assert risk.super_simple_more(0.06, 0.05, {"o2": 30}, 81, 500) is None  # then, a hand count


@pytest.mark.parametrize("name", ["Box  1", "Cafe\u0301", "Box\u00a01", " Box 1\t"])
def test_batch_names_are_hashed_as_arlo_hashes_them_or_refused(tmp_path, name):
    """Arlo strips a batch name and hashes the rest as written: svcount too, and a name the
    name policy would read otherwise is refused rather than drawn as another paper."""
    path = tmp_path / "manifest.csv"
    path.write_text(f'batch,papers\n"{name}",40\nOther,10\n', encoding="utf-8")
    if name.strip() == " ".join(name.split()) and name.isascii():
        drawn = run("rla", "sample", str(path), "--seed", "1", "--size", "3")
        assert drawn.exit_code == 0 and name.strip() in drawn.stdout
    else:
        assert "Arlo hashes names as written" in refused(
            "rla", "sample", str(path), "--seed", "1", "--size", "3"
        )


def test_the_library_plans_from_a_path_or_a_dataframe_with_every_count_option(tmp_path):
    """Issue 37: svcount.rla.plan takes what svcount.tally takes, as well as Ballots and Result."""
    import pandas as pd

    from svcount.rla import plan as library_plan

    from_file = library_plan(ROOT / LLR / "ballots.csv.gz",
                             candidates=ROOT / LLR / "candidates.csv")  # fmt: skip
    assert from_file.winner == "Willy Bach" and from_file.comparison == 49
    frame = pd.DataFrame({"first": ["A", "A", "B", "C"], "second": ["", "B", "A", "A"]})
    assert library_plan(frame, risk_limit=0.1).risk_limit == 0.1
    with pytest.raises(TypeError, match="unexpected keyword argument 'seperator'"):
        library_plan(frame, seperator="|")
    with pytest.raises(TypeError, match="give the count's Result"):
        library_plan(_ballots(frame))


def _ballots(frame):
    from svcount.options import CountOptions
    from svcount.pipeline import tally

    return tally(frame, CountOptions()).ballots


def test_a_result_file_is_planned_from_its_figures_with_the_plain_assertions(tmp_path):
    """A result's figures give the plain assertions' margins (not every set's): planned so,
    and said; the plan's recorded papers give those figures again when it is read."""
    result = tmp_path / "result.json"
    run("tally", f"{ROOT}/{LLR}/ballots.csv.gz", "-c", f"{ROOT}/{LLR}/candidates.csv", "-f", "json",
        "-o", str(result))  # fmt: skip
    shown = run("rla", "plan", str(result), "-f", "json")
    assert shown.exit_code == 0, shown.output
    assert "planned from its figures with the count's plain assertions" in shown.stderr
    doc = json.loads(shown.stdout)
    assert doc["assertion_set"] == "plain" and doc["input"]["figures"] is True
    assert [a["margin"] for a in doc["assertions"]] == [48632, 50176, 27599, 29143, 19883]
    assert "--cvrs" in refused("rla", "plan", str(result), "--cvrs", str(result))


def test_readings_forgive_the_case_of_a_name_and_suggest_a_batch(tmp_path):
    """An audit board writes by hand: 'willy bach' is Willy Bach (a name not on the plan is
    refused with a did-you-mean), and 'Box 23' for the manifest's 'Box 023' is pointed out."""
    plan_file, sample_file, readings = _worked_audit(tmp_path, 20)
    text = readings.read_text()
    cased = tmp_path / "cased.csv"
    cased.write_text(text.replace("Willy Bach", "willy BACH"))
    shown = [
        json.loads(run("rla", "assess", plan_file, sample_file, f, "-f", "json").stdout)
        for f in (readings, cased)
    ]
    assert [(d["verdict"], d["assertions"]) for d in shown][0] == (
        shown[1]["verdict"],
        shown[1]["assertions"],
    )
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(text.replace("Willy Bach", "Wily Bach"))
    assert "(did you mean 'Willy Bach'?)" in refused("rla", "assess", plan_file, sample_file, wrong)
    boxed = tmp_path / "boxed.csv"
    boxed.write_text(text.replace("Box 0", "box "))
    said = refused("rla", "assess", plan_file, sample_file, boxed)
    assert "(they name batch 'box " in said and "write the batch as the manifest does" in said


def test_round_sizes_come_with_their_chance_of_stopping(tmp_path):
    """As Arlo offers 70, 80 and 90 %: the plan's first round, and a growing audit's next,
    each from simulated audits with a fixed seed (the same figures everywhere)."""
    import math

    from svcount.operations import risk

    plan_file, sample_file, readings = _worked_audit(tmp_path, 60)
    doc = json.loads(plan_file.read_text())
    sizes = doc["round_sizes"]
    for kind in ("comparison", "polling"):
        assert list(sizes[kind]) == ["70", "80", "90"]
        assert sizes[kind]["70"] <= sizes[kind]["80"] <= sizes[kind]["90"]
    assert sizes["polling"]["90"] == doc["sample_sizes"]["polling_alpha_90th_percentile"]
    clean = risk.comparison_sizes(0.2, 0.05, 10_000, 0.0, 0.0)  # no error: the exact stop
    exact = math.ceil(math.log(0.05) / math.log(1 - 0.2 / (2 * risk.GAMMA)))
    assert clean == ((70, exact), (80, exact), (90, exact))
    assert risk.comparison_sizes(0.2, 0.05, 10_000, 0.01, 0.001)[-1][1] > exact
    grown = json.loads(run("rla", "assess", plan_file, sample_file, readings, "-f", "json").stdout)
    by_chance = grown["more_draws_by_chance"]
    assert by_chance["90"] == grown["more_draws"] and by_chance["70"] <= by_chance["90"]


ARLO_MANIFEST = (
    "Container,Tabulator,Batch Name,Number of Ballots\n"
    "Box A,TABULATOR1,BATCH1,20\nBox A,TABULATOR1,BATCH2,25\n"
    "Box B,TABULATOR2,BATCH1,30\nBox B,TABULATOR2,BATCH2,15\n"
)


def test_arlos_manifest_columns_and_server_keys(tmp_path):
    """Arlo's own manifest (Container, Tabulator, Batch Name, Number of Ballots): the batch is
    the tabulator's (a name twice across tabulators is two batches, the container is where
    it is kept); with --jurisdiction each paper is hashed as Arlo's server keys it,
    ((jurisdiction, tabulator, batch name), position), and assess derives the draws again."""
    import consistent_sampler

    from svcount.operations.sampling import DIGITS

    path = write(tmp_path, ARLO_MANIFEST, "manifest.csv")
    shown = run("rla", "sample", path, "--seed", SEED, "--size", 15, "--jurisdiction", "J1",
                "-f", "json")  # fmt: skip
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.stdout)
    assert doc["jurisdiction"] == "J1" and doc["manifest"]["papers"] == 90
    rows = [("TABULATOR1", "BATCH1", 20), ("TABULATOR1", "BATCH2", 25),
            ("TABULATOR2", "BATCH1", 30), ("TABULATOR2", "BATCH2", 15)]  # fmt: skip
    ids = [(("J1", t, b), i) for t, b, n in rows for i in range(1, n + 1)]
    server = consistent_sampler.sampler(ids, seed=SEED, with_replacement=True, take=15,
                                        digits=DIGITS)  # fmt: skip
    expected = [[t, f"{key[1]} / {key[2]}", pos, d] for t, (key, pos), d in server]
    assert [[d["ticket"], d["batch"], d["position"], d["draw"]] for d in doc["draws"]] == expected
    plain = json.loads(run("rla", "sample", path, "--seed", SEED, "--size", 15, "-f",
                           "json").stdout)["draws"]  # fmt: skip
    assert [d["ticket"] for d in plain] != [d["ticket"] for d in doc["draws"]]
    sample_file = tmp_path / "s.json"
    sample_file.write_text(shown.stdout)
    from svcount.operations.sampling import read_sample, verified

    _, again = verified(read_sample(str(sample_file)), 90)
    assert [d.ticket for d in again] == [d["ticket"] for d in doc["draws"]]
