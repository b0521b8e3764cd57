"""svcount diff: two counts of one poll compared, for recounts."""

from __future__ import annotations

import json

import pytest
from helpers import BY_AREA, EXAMPLES, run, write

from svcount.documents.result import read_result
from svcount.operations.diff import compare_results

QUICK = EXAMPLES / "quickstart"


def result_of(tmp_path, name, text, *args):
    ballots = write(tmp_path, text, f"{name}.csv")
    out = tmp_path / f"{name}.json"
    assert run("tally", ballots, "-o", out, *args).exit_code in (0, 3)
    return out


def test_the_same_figures_from_other_files_exit_0_and_list_what_differed(tmp_path):
    a = result_of(tmp_path, "a", "first,second\nAnn,Bob\nBob,\nAnn,\nCy,Bob\n")
    b = result_of(tmp_path, "b", "first,second\nCy,Bob\nAnn,\nBob,\nAnn,Bob\n")
    result = run("diff", a, b)
    assert result.exit_code == 0
    assert "Every figure is the same." in result.stdout
    assert "Not figures, and different: file, sha256, input.file, input.sha256" in result.stdout


def test_a_recount_that_changes_the_winner_says_so_and_exits_1(tmp_path):
    a = result_of(tmp_path, "a", "first,second\nAnn,\nAnn,\nBob,\n")
    b = result_of(tmp_path, "b", "first,second\nAnn,\nBob,\nBob,\n")
    result = run("diff", a, b)
    assert result.exit_code == 1
    assert "The winner changed: Ann before, Bob after." in result.stdout
    assert "first_preferences.Ann" in result.stdout and "-1" in result.stdout
    assert "ballot_papers" not in result.stdout  # unchanged rows are left out ...
    everything = run("diff", a, b, "--all")
    assert "ballot_papers" in everything.stdout  # ... unless --all


def test_json_lists_every_changed_figure_with_before_after_and_change(tmp_path):
    a = result_of(tmp_path, "a", "first,second\nAnn,Bob\nBob,\nAnn,\nCy,Bob\nCy,\n")
    b = result_of(tmp_path, "b", "first,second\nAnn,Bob\nBob,\nAnn,\nCy,Bob\n,\n")
    doc = json.loads(run("diff", a, b, "-f", "json").stdout)
    assert doc["schema"] == "svcount-diff/1" and doc["same"] is False
    changed = {f["figure"]: (f["before"], f["after"], f["change"]) for f in doc["figures"]}
    assert changed["first_preferences.Cy"] == (2, 1, -1)
    assert changed["rejected.unmarked"] == (0, 1, 1)
    assert changed["valid_votes"] == (5, 4, -1)
    assert "ballot_papers" not in changed
    assert doc["winner"] == {"before": doc["winner"]["before"], "after": doc["winner"]["after"]}


def test_areas_turnout_and_reasons_are_compared(tmp_path):
    args = ("-c", BY_AREA / "candidates.txt", "--electorate-file", BY_AREA / "areas.csv")
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert run("tally", BY_AREA / "all.csv", *args, "-o", a).exit_code == 0
    text = (BY_AREA / "all.csv").read_text().replace("Ann,Ann,Blaby", "Ann,Bob,Blaby", 1)
    changed = write(tmp_path, text, "all.csv")
    assert run("tally", changed, *args, "-o", b).exit_code == 0
    comparison = compare_results(read_result(str(a)), read_result(str(b)))
    names = {c.figure for c in comparison.changed}
    assert "areas.Blaby.second_preferences_not_counted.same_as_first" in names
    assert "second_preferences_not_counted.same_as_first" in names
    assert not comparison.winner_changed


def test_different_polls_are_refused(tmp_path):
    a = result_of(tmp_path, "a", "first,second\nAnn,\nBob,\n", "--seed", "1")
    b = result_of(tmp_path, "b", "first,second\nAnn,\nCy,\n", "--seed", "1")
    result = run("diff", a, b)
    assert result.exit_code == 2 and "different polls: the candidates differ" in result.stderr
    c = result_of(tmp_path, "c", "first,second\nAnn,\nBob,\n", "--seed", "1", "--method", "fptp")
    result = run("diff", a, c)
    assert result.exit_code == 2 and "different polls: counted by fptp" in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ('{"schema": "svcount-expected/1", "figures": {}}', "not a result file"),
    ],
)
def test_inputs_that_are_not_result_files_are_exit_2(tmp_path, text, message):
    good = result_of(tmp_path, "a", "first\nAnn\n")
    bad = write(tmp_path, text, "bad.json")
    result = run("diff", good, bad)
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""
    assert "no such file" in run("diff", good, tmp_path / "missing.json").stderr


def test_an_unwritable_output_is_exit_2_and_nothing_is_written(tmp_path):
    a = result_of(tmp_path, "a", "first\nAnn\n")
    result = run("diff", a, a, "-o", tmp_path / "no" / "d.json")
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert "is the input file" in run("diff", a, a, "-o", a).stderr
