"""svcount synth and verify: figures in, ballots out, the same figures counted back."""

from __future__ import annotations

import copy
import json

import pytest
from helpers import SMALL_FIGURES, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svcount.count import (
    count,
)
from svcount.errors import InputError
from svcount.model import (
    FPTP_HEADINGS,
    STAGE_TWO_HEADS,
    SV_HEADINGS,
    Ballots,
    Candidate,
    Method,
    NotCounted,
    SeededLot,
)
from svcount.operations.synth import parse_figures, synthesise

NAMES = ["Ann", "Bob", "Cy", "Dee", "Eve", "Fay"]


def tally_json(tmp_path, data, *extra):
    path = tmp_path / "ballots.csv"
    path.write_bytes(data)
    result = run("tally", path, "-f", "json", *extra)
    assert result.exit_code in (0, 3), result.output
    return json.loads(result.stdout)


def test_synth_then_tally_reproduces_every_figure(tmp_path):
    doc = tally_json(
        tmp_path, synthesise(parse_figures(SMALL_FIGURES), seed=1), "--electorate", "500"
    )
    assert doc["stages"][0]["votes"] == SMALL_FIGURES["first_preferences"]
    assert doc["stages"][1]["transfers"] == SMALL_FIGURES["second_preferences"]
    assert doc["stages"][1]["non_transferable"] == {**SMALL_FIGURES["non_transferable"], "total": 8}
    assert doc["rejected"] == {**SMALL_FIGURES["rejected"], "total": 8}
    assert doc["ballot_papers"] == 108 and doc["turnout"]["ballot_papers_pct"] == 21.6


def test_synth_is_deterministic_and_shuffled():
    figures = parse_figures(SMALL_FIGURES)
    once, again, other = synthesise(figures, 5), synthesise(figures, 5), synthesise(figures, 6)
    assert once == again and once != other
    rows = once.decode().splitlines()[1:]
    assert rows != sorted(rows) and len(rows) == len(other.decode().splitlines()[1:])


def test_synth_cli_writes_gzip_and_names_assumptions(tmp_path):
    figures = tmp_path / "figures.json"
    figures.write_text(json.dumps({**SMALL_FIGURES, "assumed": {"rejected": "not published"}}))
    out = tmp_path / "b.csv.gz"
    result = run("synth", figures, "--seed", "3", "-o", out)
    assert result.exit_code == 0
    assert "wrote 108 ballot papers" in result.stderr
    assert "assumed rejected: not published" in result.stderr
    assert out.read_bytes()[:2] == b"\x1f\x8b"
    assert run("tally", out).exit_code == 0
    again = tmp_path / "again.csv.gz"
    run("synth", figures, "--seed", "3", "-o", again)
    assert again.read_bytes() == out.read_bytes()


def broken(**changes):
    doc = copy.deepcopy(SMALL_FIGURES)
    for key, value in changes.items():
        if value is None:
            doc.pop(key)
        else:
            doc[key] = value
    return doc


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            broken(second_preferences={"Ann": 30, "Bob": 12}),
            r"add up to 50, but the excluded candidates \(Cy, Dee\) have 30 papers",
        ),
        (
            broken(first_preferences={"Ann": 40, "Bob": 30, "Cy": 20}),
            r"first_preferences has no figure for 'Dee'",
        ),
        (broken(rejected={"unmarked": 3}), "rejected has no figure for 'want_of_official_mark'"),
        (broken(non_transferable=None), "non_transferable must be an object"),
        (broken(electorate=50), "electorate 50 is smaller than the 108 papers"),
        (
            broken(first_preferences={"Ann": 80, "Bob": 30, "Cy": 20, "Dee": 10}),
            "stage one decides this count",
        ),
        (broken(method="stv"), "method must be sv or fptp"),
        (
            broken(first_preferences={"Ann": -1, "Bob": 30, "Cy": 20, "Dee": 10}),
            "must be a whole number",
        ),
        (broken(candidates=[{"name": "Ann|Bob"}]), "cannot be written in a ballot file"),
        (broken(assumed={"turnout": "x"}), "assumed names figures that are not in the file"),
        (
            broken(
                candidates=["Ann"],
                first_preferences={"Ann": 3},
                second_preferences=None,
                non_transferable=None,
            ),
            "voting_for_more_than_one_candidate needs two candidates",
        ),
    ],
)
def test_infeasible_figures_name_the_inconsistency(doc, message):
    with pytest.raises(InputError, match=message):
        parse_figures(doc)


def test_not_remaining_needs_two_excluded_candidates():
    doc = {
        "method": "sv",
        "candidates": ["Ann", "Bob", "Cy"],
        "first_preferences": {"Ann": 4, "Bob": 3, "Cy": 2},
        "second_preferences": {"Ann": 0, "Bob": 1},
        "non_transferable": {
            "blank": 0,
            "more_than_one_candidate": 0,
            "void_for_uncertainty": 0,
            "same_as_first": 0,
            "not_remaining": 1,
        },
        "rejected": {h.value: 0 for h in SV_HEADINGS},
    }
    with pytest.raises(InputError, match="not_remaining needs two or more excluded"):
        parse_figures(doc)


def test_synth_bad_figures_file_is_exit_2(tmp_path):
    path = tmp_path / "f.json"
    path.write_text("{not json")
    result = run("synth", path)
    assert result.exit_code == 2 and "f.json:1: not valid JSON" in result.stderr


def split(draw, total, parts):
    """``total`` cut into ``parts`` whole numbers."""
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1)))
    bounds = [0, *cuts, total]
    return [b - a for a, b in zip(bounds, bounds[1:], strict=False)]


@st.composite
def feasible_figures(draw):
    method = draw(st.sampled_from(["sv", "fptp"]))
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=6, unique=True))
    first = {n: draw(st.integers(0, 40)) for n in names}
    if sum(first.values()) == 0:
        first[names[0]] = 1
    headings = SV_HEADINGS if method == "sv" else FPTP_HEADINGS
    rejected = {h.value: draw(st.integers(0, 4)) for h in headings}
    if len(names) < 2:  # an overvote needs two candidates to mark
        rejected["voting_for_more_than_one_candidate"] = 0
    doc = {
        "method": method,
        "candidates": names,
        "first_preferences": first,
        "rejected": rejected,
    }
    # Who is excluded follows from the first preferences: ask the count itself.
    stage = count(
        Ballots(
            tuple(Candidate(n) for n in names), {(n, NotCounted.BLANK): v for n, v in first.items()}
        ),
        Method(method),
        lot=SeededLot(0),
    ).stage_one
    if stage.excluded:
        papers = sum(first[n] for n in stage.excluded)
        heads = [h.value for h in STAGE_TWO_HEADS]
        if len(stage.excluded) < 2:
            heads.remove("not_remaining")
        outcomes = list(stage.remaining) + heads
        shares = dict(zip(outcomes, split(draw, papers, len(outcomes)), strict=True))
        doc["second_preferences"] = {n: shares[n] for n in stage.remaining}
        doc["non_transferable"] = {h.value: shares.get(h.value, 0) for h in STAGE_TWO_HEADS}
    return doc


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(feasible_figures(), st.integers(0, 2**32))
def test_synth_round_trip_property(tmp_path, doc, seed):
    figures = parse_figures(doc)
    ballots = tmp_path / "ballots.csv"
    ballots.write_bytes(synthesise(figures, seed))
    expected_figures = {
        "first_preferences": doc["first_preferences"],
        "rejected": {**doc["rejected"], "total": sum(doc["rejected"].values())},
        "ballot_papers": figures.ballot_papers,
    }
    if "second_preferences" in doc:
        expected_figures["second_preferences"] = doc["second_preferences"]
        expected_figures["non_transferable"] = {
            **doc["non_transferable"],
            "total": sum(doc["non_transferable"].values()),
        }
    names = tmp_path / "candidates.txt"
    names.write_text("\n".join(doc["candidates"]) + "\n")
    expected = tmp_path / "expected.json"
    expected.write_text(
        json.dumps(
            {
                "options": {"candidates": "candidates.txt", "method": doc["method"]},
                "figures": expected_figures,
            }
        )
    )
    result = run("verify", ballots, expected, "-f", "json")
    assert result.exit_code == 0, result.stdout
    perturbed = copy.deepcopy(expected_figures)
    perturbed["ballot_papers"] += 1
    expected.write_text(
        json.dumps(
            {
                "options": {"candidates": "candidates.txt", "method": doc["method"]},
                "figures": perturbed,
            }
        )
    )
    assert run("verify", ballots, expected).exit_code == 1
