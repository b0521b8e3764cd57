"""Readable at 2 a.m.: the same sections piped as on a terminal, no empty columns, plain words."""

from __future__ import annotations

import json

import pytest
from helpers import EXAMPLES, run, write

QUICK = str(EXAMPLES / "quickstart" / "ballots.csv")


@pytest.mark.parametrize("spelling", ["JSON", "Json", "json"])
def test_format_names_are_read_in_any_case(spelling):
    assert json.loads(run("tally", QUICK, "-f", spelling).stdout)["schema"] == "svcount-result/1"


@pytest.mark.parametrize("command", ["tally", "declare", "margin"])
@pytest.mark.parametrize("spelling", ["md", "MD", "Markdown"])
def test_md_is_markdown_everywhere(command, spelling):
    shown = run(command, QUICK, "-f", spelling)
    assert shown.exit_code == 0 and shown.stdout.startswith("# ")


def test_piped_output_has_the_declaration_heading_as_the_terminal_has_its_panel():
    plain = run("tally", QUICK).stdout
    assert "\nDeclaration\nBob Baker is elected" in plain
    assert "### Declaration\n\nBob Baker is elected" in run("tally", QUICK, "-f", "md").stdout


def test_no_empty_turnout_column_without_an_electorate():
    assert "Turnout %" not in run("tally", QUICK).stdout
    assert "Turnout %" in run("tally", QUICK, "--electorate", "120").stdout


def test_a_lot_says_decided_by_lot_never_majority_zero(tmp_path):
    path = write(tmp_path, "first,second\nAnn,\nBob,\n")
    shown = run("tally", path, "--lot", "Bob").stdout
    assert "majority 0" not in shown and "with 1 votes each" in shown.replace("\n", " ")


def test_an_unopposed_candidate_is_elected_unopposed(tmp_path):
    path = write(tmp_path, "first,second\nAnn,\nAnn,\n")
    for method in ("sv", "fptp"):
        shown = run("tally", path, "--method", method).stdout
        assert "Ann is elected unopposed." in shown and "by unopposed" not in shown


def test_tally_takes_the_notice_options_for_every_format():
    notice = ("--title", "PCC for Anyshire", "--date", "2024-05-02", "--returning-officer", "Jo")
    md = run("tally", QUICK, *notice, "-f", "md").stdout
    assert md.startswith("# PCC for Anyshire\n\nDate of poll: 2 May 2024\n\nReturning officer: Jo")
    page = run("tally", QUICK, *notice, "-f", "html").stdout
    assert "<h1>PCC for Anyshire</h1>" in page and "2 May 2024" in page
    table = run("tally", QUICK, *notice).stdout
    assert table.startswith("PCC for Anyshire\n")
    bad = run("tally", QUICK, "--date", "2024-13-01")
    assert bad.exit_code == 2 and "is not a date" in bad.stderr
