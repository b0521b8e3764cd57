"""svcount verify: expected files, mismatches, and bad expected files."""

from __future__ import annotations

import json
import shutil

import pytest
from helpers import (
    EXAMPLES,
    SMALL_FIGURES,
    refused,
    run,
    write,
)

from svcount.operations.synth import parse_figures, synthesise


def test_verify_lists_each_mismatch(tmp_path):
    ballots = tmp_path / "b.csv"
    ballots.write_bytes(synthesise(parse_figures(SMALL_FIGURES), 0))
    expected = tmp_path / "e.json"
    expected.write_text(
        json.dumps(
            {
                "figures": {
                    "winner": "Ann",
                    "first_preferences": {"Ann": 41, "Bob": 30},
                    "turnout": {"ballot_papers_pct": 21.6},
                }
            }
        )
    )
    result = run("verify", ballots, expected, "--electorate", "500")
    assert result.exit_code == 1
    assert "first_preferences.Ann" in result.stdout and "MISMATCH" in result.stdout
    assert "1 of 4 figures do not match" in result.stdout
    report = json.loads(
        run("verify", ballots, expected, "--electorate", "500", "-f", "json").stdout
    )
    assert [c["figure"] for c in report["checks"] if not c["ok"]] == ["first_preferences.Ann"]


def test_verify_compares_percentages_at_published_precision(tmp_path):
    ballots = tmp_path / "b.csv"
    ballots.write_text("vote\nAnn\nAnn\nBob\n")
    expected = tmp_path / "e.json"
    expected.write_text('{"figures": {"share_pct": {"Ann": 67, "Bob": 33.33}}}')
    assert run("verify", ballots, expected).exit_code == 0
    expected.write_text('{"figures": {"share_pct": {"Ann": 66.6}}}')
    assert run("verify", ballots, expected).exit_code == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", 'a JSON object with a "figures" object'),
        ('{"figures": {}}', "nothing to verify"),
        ('{"figures": {"winner": "A"}, "options": {"colour": 1}}', "unknown option 'colour'"),
        ('{"figures": {"winner": "A"}, "options": {"electorate": "9"}}', "wrong type"),
    ],
)
def test_bad_expected_files_are_exit_2(tmp_path, text, message):
    ballots = tmp_path / "b.csv"
    ballots.write_text("vote\nAnn\n")
    expected = tmp_path / "e.json"
    expected.write_text(text)
    result = run("verify", ballots, expected)
    assert result.exit_code == 2 and message in result.stderr


# ----------------------------------------------------------------- many reference elections


REFERENCE = ["llr-2012", "llr-2016", "llr-2024", "london-2021"]


def test_many_folders_verify_in_one_call():
    result = run("verify", *(EXAMPLES / f for f in REFERENCE))
    assert result.exit_code == 0, result.stdout
    assert "All 4 elections match" in result.stdout
    for name in ("Clive Loader", "Willy Bach", "Sadiq Aman Khan"):
        assert name in result.stdout
    doc = json.loads(run("verify", *(EXAMPLES / f for f in REFERENCE), "-f", "json").stdout)
    assert doc["schema"] == "svcount-verify-set/1" and doc["ok"] is True
    assert [e["method"] for e in doc["elections"]] == ["sv", "sv", "fptp", "sv"]
    assert all(e["mismatches"] == 0 and e["figures"] >= 8 for e in doc["elections"])


def test_every_example_folder_is_a_reference_election():
    folders = sorted(p for p in EXAMPLES.iterdir() if p.is_dir())
    assert run("verify", *folders).exit_code == 0


def test_a_mismatch_in_one_folder_is_listed_and_exits_1(tmp_path):
    folder = tmp_path / "llr-2016"
    shutil.copytree(EXAMPLES / "llr-2016", folder)
    doc = json.loads((folder / "expected.json").read_text())
    doc["figures"]["majority"] = 1
    (folder / "expected.json").write_text(json.dumps(doc))
    result = run("verify", EXAMPLES / "llr-2012", folder)
    assert result.exit_code == 1
    text = "".join(result.stdout.split())  # long temporary paths wrap
    assert "".join(f"{folder}: majority: expected 1, counted 19,883".split()) in text
    assert "1of2electionsdonotmatch" in text
    report = json.loads(run("verify", EXAMPLES / "llr-2012", folder, "-f", "json").stdout)
    assert report["elections"][1]["mismatched"] == [
        {"figure": "majority", "expected": 1, "counted": 19883}
    ]


def test_a_folder_that_is_not_a_reference_election_is_exit_2(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run("verify", EXAMPLES / "llr-2012", tmp_path / "empty")
    assert result.exit_code == 2
    assert f"{tmp_path / 'empty'}: not a reference election: the folder has no expected.json" in (
        result.stderr
    )
    (tmp_path / "empty" / "expected.json").write_text('{"figures": {"winner": "A"}}')
    result = run("verify", tmp_path / "empty")
    assert result.exit_code == 2 and "the folder has no ballot file" in result.stderr


def test_files_and_folders_cannot_be_mixed():
    result = run("verify", EXAMPLES / "llr-2012", EXAMPLES / "quickstart" / "ballots.csv")
    assert result.exit_code == 2 and "folders only" in result.stderr
    result = run("verify", EXAMPLES / "quickstart" / "ballots.csv")
    assert result.exit_code == 2 and "give BALLOTS EXPECTED" in result.stderr


def test_an_expected_file_may_name_its_ballots():
    assert run("verify", EXAMPLES / "by-area").exit_code == 0


# ----------------------------------------------------------------- verify's own input


def test_a_misspelled_figure_is_bad_input_with_the_nearest_name(tmp_path):
    ballots = str(EXAMPLES / "quickstart" / "ballots.csv")
    expected = tmp_path / "e.json"
    expected.write_text('{"figures": {"winer": "Bob Baker"}}')
    assert "unknown figure 'winer' (did you mean 'winner'?)" in refused("verify", ballots, expected)
    expected.write_text('{"figures": {"first_preferences": {"Bob Bakr": 12}}}')
    message = refused("verify", ballots, expected)
    assert "unknown figure 'first_preferences.Bob Bakr' (did you mean 'Bob Baker'?)" in message


def test_a_figure_the_count_has_none_of_is_still_a_mismatch(tmp_path):
    ballots = write(tmp_path, "first,second\nAnn,\nAnn,\nBob,\n")
    expected = tmp_path / "e.json"
    expected.write_text('{"figures": {"second_preferences": {"Ann": 1}}}')
    assert run("verify", ballots, expected).exit_code == 1


def test_a_wrong_schema_is_refused(tmp_path):
    expected = tmp_path / "e.json"
    expected.write_text('{"schema": "svcount-result/1", "figures": {"winner": "Ann"}}')
    ballots = str(EXAMPLES / "quickstart" / "ballots.csv")
    assert "schema 'svcount-result/1' is not 'svcount-expected/1'" in refused(
        "verify", ballots, expected
    )
