"""The options in two sections: every command that counts takes every option, declared once."""

from __future__ import annotations

import inspect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
from svcount.options import CountOptions, CountRules, ReadOptions
from svcount.shell.params import COUNT_PARAMETERS

COUNTING_COMMANDS = [cli.tally, cli.verify, cli.declare_result]


@pytest.mark.parametrize("command", COUNTING_COMMANDS)
def test_every_count_option_is_a_parameter_of_each_counting_command(command):
    parameters = inspect.signature(command).parameters
    missing = [name for name in CountOptions.names() if name not in parameters]
    assert missing == []


@pytest.mark.parametrize("command", COUNTING_COMMANDS)
def test_a_counting_command_declares_only_its_own_options(command):
    """The shared options come from one declaration: the command's own code lists none."""
    own = inspect.signature(command.__wrapped__).parameters
    assert not set(own) & set(COUNT_PARAMETERS) and "options" in own


@pytest.mark.parametrize("name", CountOptions.names())
def test_every_option_belongs_to_exactly_one_section(name):
    sections = [cls for cls in (ReadOptions, CountRules) if name in cls.__dataclass_fields__]
    assert len(sections) == 1


def test_reading_options_are_the_files_and_rules_are_the_counts():
    options = CountOptions.of(first_column="vote", delimiter=";", electorate=9, lot="Ann")
    assert options.reading == ReadOptions(first_column="vote", delimiter=";")
    assert options.rules == CountRules(electorate=9, lot="Ann")


def test_combine_takes_the_options_of_the_declaration():
    parameters = inspect.signature(cli.combine_counts).parameters
    for name in ("electorate", "electorate_file", "lot", "seed", "encoding"):
        assert name in parameters


def test_verify_checks_the_figures_view_that_json_publishes():
    """One view: every figure of the JSON output is a figure an expected file can check."""
    import json

    from svcount.documents.result import result_json as to_json
    from svcount.figures import View
    from svcount.model import Provenance

    ballots = Ballots(
        (Candidate("A"), Candidate("B"), Candidate("C")),
        {("A", NotCounted.BLANK): 3, ("B", "A"): 2, ("C", "B"): 2},
    )
    result = count(ballots)
    view = figures(result)
    doc = json.loads(to_json(View(view, result.candidates, Provenance("f", "0" * 64, 7, {}))))
    for key in ("winner", "majority", "ballot_papers", "rejected", "votes_needed_at_stage_one"):
        assert doc[key] == view[key]
    assert doc["stages"][1]["totals"] == view["final"]
    assert doc["stages"][1]["non_transferable"] == view["non_transferable"]


def test_options_from_a_file_are_typed_by_the_one_options_type():
    options = CountOptions.from_mapping({"method": "fptp", "electorate": 9}, file="e.json")
    assert options.rules.method is Method.FPTP and options.rules.electorate == 9
    assert CountOptions.types()["electorate"] is int and CountOptions.types()["method"] is str
    with pytest.raises(InputError, match="option 'electorate' has the wrong type"):
        CountOptions.from_mapping({"electorate": True}, file="e.json")
    with pytest.raises(InputError, match="--method must be sv or fptp"):
        CountOptions.from_mapping({"method": "stv"}, file="e.json")


def test_command_line_values_override_a_files_and_none_means_not_given():
    base = CountOptions.of(electorate=5, separator="|")
    merged = base.merged({"electorate": None, "separator": ";", "unknown_as_void": False})
    assert merged == CountOptions.of(electorate=5, separator=";")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (CountOptions.of(lot="A", seed=1), "give either --lot"),
        (CountOptions.of(electorate=5, electorate_file="a.csv"), "give either --electorate"),
        (CountOptions.of(separator=""), "--separator must give at least one character"),
        (CountOptions.of(separator="x"), "letters and digits are parts of names"),
        (CountOptions.of(uncertain_marker=" "), "--uncertain-marker must not be blank"),
    ],
)
def test_contradictory_options_are_refused_once(options, message):
    with pytest.raises(UsageError, match=message):
        options.check()


def test_the_lot_is_normalised_as_names_are():
    assert CountOptions.of(lot=" Zoe\u0308 ").rules.lot_instruction().winner == "Zoë"


def test_format_is_declared_once_and_forgives_case_on_every_command():
    """Issue 33: one declaration of --format (shell/params.format_option) for every command."""
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "svcount"
    declared = [
        str(p.relative_to(package)) for p in package.rglob("*.py") if '"--format"' in p.read_text()
    ]
    assert declared == ["shell/params.py"]


def test_options_forgive_case_spacing_and_thousands_alike(tmp_path):
    """Issue 37: --method in any case, --electorate with a thousands separator, a column named
    as headers are matched, a lot entered in another case; --time-limit finite."""
    import json

    from helpers import ROOT, refused, run, write

    quick = str(ROOT / "examples" / "quickstart" / "ballots.csv")
    shown = run("tally", quick, "--method", "SV", "--electorate", "12,000", "-f", "json", "-q")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["turnout"]["electorate"] == 12000
    path = write(tmp_path, "First vote,Second vote\nAnn,Bob\nAnn,\nBob,\n")
    named = run("tally", path, "--first-column", "first_vote", "--second-column", "SECOND-vote",
                "-f", "json", "-q")  # fmt: skip
    assert json.loads(named.stdout)["winner"] == "Ann"
    tied = write(tmp_path, "first\nAnn Archer\nBob Baker\n", "tied.csv")
    drawn = run("tally", tied, "--lot", "ann  ARCHER", "-f", "json", "-q")
    assert json.loads(drawn.stdout)["winner"] == "Ann Archer"
    said = refused("tally", tied, "--lot", "Ann Archr", "--method", "fptp")
    assert "did you mean 'Ann Archer'" in said
    limited = run("margin", quick, "--time-limit", "inf")
    assert limited.exit_code == 2 and "--time-limit" in limited.stderr


def test_a_title_row_above_the_header_gets_the_skip_rows_hint(tmp_path):
    """Issue 37: a spreadsheet's title row: say --skip-rows N when a later line is a header."""
    from helpers import refused, write

    path = write(tmp_path, "PCC election 2024 – Blaby count;;\n\nfirst;second\nAnn;Bob\nBob;\n")
    assert "line 3 looks like the header" in refused("tally", path)
    assert "--skip-rows 2" in refused("tally", path)


# ------------------------------------------- every command's values, forgiven alike


def _commands():
    """(command words, callback) of every command, subcommands included."""
    for command in cli.app.registered_commands:
        yield (command.name or command.callback.__name__,), command.callback
    for group in cli.app.registered_groups:
        for command in group.typer_instance.registered_commands:
            yield (group.name, command.name or command.callback.__name__), command.callback


def _valued_options():
    """(command, option, value type, parser) of every option taking a number or a choice."""
    import enum
    import typing

    import typer

    found = []
    for words, callback in _commands():
        for name, parameter in inspect.signature(callback, eval_str=True).parameters.items():
            kind, *extras = typing.get_args(parameter.annotation) or (parameter.annotation,)
            info = next((e for e in extras if isinstance(e, typer.models.OptionInfo)), None)
            core = [t for t in typing.get_args(kind) or (kind,) if t is not type(None)][0]
            numeric = core in (int, float) and core is not bool
            chosen = isinstance(core, type) and issubclass(core, enum.Enum)
            if info is not None and (numeric or chosen):
                found.append((" ".join(words), name, core, info.parser))
    return found


VALUED = _valued_options()


def test_every_number_or_choice_option_of_every_command_has_its_kinds_one_parser():
    """Issue 37: one rule, one table: shell/values.py's parsers, never a library's own."""
    from svcount.shell.values import FORGIVING

    kinds = {int: "whole", float: "decimal"}
    assert len(VALUED) >= 40 and {c for c, *_ in VALUED} >= {"tally", "margin", "rla sample"}
    for command, name, core, parser in VALUED:
        assert parser in FORGIVING, f"{command} --{name}: declared without shell/values.py"
        assert FORGIVING[parser] == kinds.get(core, "choice"), f"{command} --{name}"


def _outcome(parser, text):
    import typer

    try:
        return ("value", parser(text))
    except typer.BadParameter as exc:
        return ("refused", str(exc).replace(repr(text.strip()), "VALUE"))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_every_option_treats_case_spacing_and_thousands_alike(data):
    """Issue 37: the same value in any case, with spaces, with thousands separators: one
    outcome, for every number and choice option of every command."""
    import enum

    command, name, core, parser = data.draw(st.sampled_from(VALUED), label="option")
    space = st.sampled_from(["", " ", "  ", "\t"])
    if isinstance(core, type) and issubclass(core, enum.Enum):
        value = data.draw(st.sampled_from([str(m.value) for m in core]))
        spelled = data.draw(st.sampled_from([value.upper(), value.title(), value.swapcase()]))
        spelled = data.draw(space) + spelled.replace("-", data.draw(st.sampled_from("-_")))
        assert parser(spelled + data.draw(space)) is core(value), (command, name, spelled)
        return
    if core is int:
        n = data.draw(st.integers(-10, 10**9))
        plain, grouped = str(n), f"{n:,}"
        spellings = [grouped, f" {plain} ", grouped.replace(",", " "), data.draw(space) + grouped]
    else:
        n = data.draw(st.integers(0, 10**6)) / data.draw(st.sampled_from([1, 10, 1000, 10**5]))
        plain, grouped = repr(n), f"{n:,}"
        spellings = [grouped, f" {plain} ", data.draw(space) + grouped + data.draw(space)]
    expected = _outcome(parser, plain)
    for spelled in spellings:
        assert _outcome(parser, spelled) == expected, (command, name, spelled)


@pytest.mark.parametrize(
    "args, said",
    [
        (["--method", " SV "], None),
        (["-f", "JSON"], None),
        (["--seed", "1,000"], None),
        (["--method", "svv"], "--method 'svv' is not one of its choices: give sv, fptp"),
        (["--electorate", "12,0x0"], "--electorate '12,0x0' is not a whole number"),
        (["--skip-rows", "-1"], "--skip-rows must be at least 0, not -1"),
        (["--seed", "1.5"], "--seed '1.5' is not a whole number"),
    ],
)
def test_a_value_is_forgiven_or_refused_in_one_line_on_the_command_line(args, said):
    import subprocess
    import sys

    from helpers import ROOT

    quick = ROOT / "examples" / "quickstart" / "ballots.csv"
    result = subprocess.run(
        [sys.executable, "-m", "svcount", "tally", str(quick), *args, "-q"],
        capture_output=True,
        text=True,
    )
    if said is None:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode == 2 and said in result.stderr, result.stderr
        assert "Invalid value" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
