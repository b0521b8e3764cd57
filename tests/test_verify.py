"""svcount verify: expected files, mismatches, and bad expected files."""

from __future__ import annotations

import json

import pytest
from helpers import SMALL_FIGURES, run

from svcount.synth import parse_figures, synthesise


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
