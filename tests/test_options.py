"""One options type: every command that counts takes every option, and files are checked."""

from __future__ import annotations

import inspect

import pytest

from svcount import cli
from svcount.count import Ballots, Candidate, Method, NotCounted, count
from svcount.errors import InputError, UsageError
from svcount.options import CountOptions
from svcount.verify import FIGURES, counted_figures


@pytest.mark.parametrize("command", [cli.tally, cli.verify])
def test_every_count_option_is_a_parameter_of_each_counting_command(command):
    parameters = inspect.signature(command).parameters
    missing = [name for name in CountOptions.names() if name not in parameters]
    assert missing == []


def test_combine_takes_the_options_of_the_declaration():
    parameters = inspect.signature(cli.combine_counts).parameters
    for name in ("electorate", "electorate_file", "lot", "seed", "encoding"):
        assert name in parameters


def test_the_figures_an_expected_file_may_give_are_those_counted():
    ballots = Ballots((Candidate("A"), Candidate("B")), {("A", NotCounted.BLANK): 1})
    assert tuple(counted_figures(count(ballots))) == FIGURES


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
