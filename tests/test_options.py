"""One options type: every command that counts takes every option, and files are checked."""

from __future__ import annotations

import inspect

import pytest

from svcount import cli
from svcount.count import (
    count,
)
from svcount.errors import InputError, UsageError
from svcount.figures import figures
from svcount.model import (
    Ballots,
    Candidate,
    Method,
    NotCounted,
)
from svcount.options import CountOptions


@pytest.mark.parametrize("command", [cli.tally, cli.verify])
def test_every_count_option_is_a_parameter_of_each_counting_command(command):
    parameters = inspect.signature(command).parameters
    missing = [name for name in CountOptions.names() if name not in parameters]
    assert missing == []


def test_combine_takes_the_options_of_the_declaration():
    parameters = inspect.signature(cli.combine_counts).parameters
    for name in ("electorate", "electorate_file", "lot", "seed", "encoding"):
        assert name in parameters


def test_verify_checks_the_figures_view_that_json_publishes():
    """One view: every figure of the JSON output is a figure an expected file can check."""
    import json

    from svcount.pipeline import Provenance
    from svcount.render.tables import to_json

    ballots = Ballots(
        (Candidate("A"), Candidate("B"), Candidate("C")),
        {("A", NotCounted.BLANK): 3, ("B", "A"): 2, ("C", "B"): 2},
    )
    result = count(ballots)
    view = figures(result)
    doc = json.loads(to_json(result, Provenance("f", "0" * 64, 7, {})))
    for key in ("winner", "majority", "ballot_papers", "rejected", "votes_needed_at_stage_one"):
        assert doc[key] == view[key]
    assert doc["stages"][1]["totals"] == view["final"]
    assert doc["stages"][1]["non_transferable"] == view["non_transferable"]


def test_options_from_a_file_are_typed_by_the_one_options_type():
    options = CountOptions.from_mapping({"method": "fptp", "electorate": 9}, file="e.json")
    assert options.method is Method.FPTP and options.electorate == 9
    assert CountOptions.types()["electorate"] is int and CountOptions.types()["method"] is str
    with pytest.raises(InputError, match="option 'electorate' has the wrong type"):
        CountOptions.from_mapping({"electorate": True}, file="e.json")
    with pytest.raises(InputError, match="--method must be sv or fptp"):
        CountOptions.from_mapping({"method": "stv"}, file="e.json")


def test_command_line_values_override_a_files_and_none_means_not_given():
    base = CountOptions(electorate=5, separator="|")
    merged = base.merged({"electorate": None, "separator": ";", "unknown_as_void": False})
    assert merged == CountOptions(electorate=5, separator=";")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (CountOptions(lot="A", seed=1), "give either --lot"),
        (CountOptions(electorate=5, electorate_file="a.csv"), "give either --electorate"),
        (CountOptions(separator=""), "--separator must give at least one character"),
        (CountOptions(separator="x"), "letters and digits are parts of names"),
        (CountOptions(uncertain_marker=" "), "--uncertain-marker must not be blank"),
    ],
)
def test_contradictory_options_are_refused_once(options, message):
    with pytest.raises(UsageError, match=message):
        options.check()


def test_the_lot_is_normalised_as_names_are():
    assert CountOptions(lot=" Zoe\u0308 ").lot_instruction().winner == "Zoë"
