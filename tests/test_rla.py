"""The audit's sample: Arlo's draws, ticket for ticket, and rounds that extend without redrawing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import refused, run, write
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
    assert svcount.rla.super_simple_risk(0.2, 34, overstatements=1) > 0.032
    for margin in (0.01, 0.05, 0.2, 0.5):  # the published size is conservative: clean, it stops
        assert svcount.rla.super_simple_risk(margin, svcount.rla.super_simple_size(margin)) <= 0.05


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
from svcount.model import Ballots, Method  # noqa: E402
from svcount.operations.rla import holds, plan  # noqa: E402


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
    planned = plan(result)
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
