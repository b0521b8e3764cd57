"""A result file proves its own result: what it states must follow from its figures."""

from __future__ import annotations

import json

import pytest
from helpers import run, write, write_sealed

from svcount.documents.result import DERIVED


def _result(tmp_path, text="first,second\nAnn,Bob\nAnn,\nBob,Ann\nCy,Bob\nCy,Bob\nAnn,\n", *extra):
    path = write(tmp_path, text)
    out = tmp_path / "r.json"
    assert run("tally", path, *extra, "-o", str(out)).exit_code == 0
    return out, json.loads(out.read_text())


def _refused_after(out, doc, says):
    write_sealed(out, doc)  # a consistent forgery: the digest matches, the arithmetic holds
    for command in (("declare", str(out)), ("diff", str(out), str(out)), ("tally", str(out))):
        shown = run(*command)
        assert shown.exit_code == 2, (command, shown.output)
        assert "its own figures give" in shown.stderr and says in shown.stderr


@pytest.mark.parametrize(
    ("key", "forged", "says"),
    [
        ("winner", "Bob", "winner: the file says 'Bob'"),
        ("decided_by", "majority_at_stage_one", "decided_by"),
        ("majority", 0, "majority"),
        ("first_preference_leader", "Cy", "first_preference_leader"),
        ("winner_changed_by_transfers", True, "winner_changed_by_transfers"),
        ("votes_needed_at_stage_one", 1, "votes_needed_at_stage_one"),
    ],
)
def test_a_stated_result_that_does_not_follow_is_refused(tmp_path, key, forged, says):
    out, doc = _result(tmp_path)
    doc[key] = forged
    _refused_after(out, doc, says)


def test_a_forged_status_or_stage_is_refused(tmp_path):
    out, doc = _result(tmp_path)
    doc["candidates"][1]["status"] = "elected"
    _refused_after(out, doc, "status")
    out, doc = _result(tmp_path)
    doc["stages"][0]["remaining"] = ["Ann", "Bob"]  # Ann 3, Cy 2, Bob 1: Ann and Cy remain
    write_sealed(out, doc)
    assert run("declare", str(out)).exit_code == 2


def test_a_lot_must_name_one_of_the_tied_and_a_seed_draws_again(tmp_path):
    tie = "first,second\nAnn,\nBob,\n"
    out, doc = _result(tmp_path, tie, "--lot", "Bob")
    assert run("declare", str(out)).exit_code == 0
    doc["lot"]["winner"] = doc["winner"] = doc["stages"][0]["elected"] = "Ann"
    for c in doc["candidates"]:
        c["status"] = "elected" if c["name"] == "Ann" else "not_elected"
    write_sealed(out, doc)
    assert run("declare", str(out)).exit_code == 0  # an entered draw may elect either tied
    doc["lot"]["winner"] = "Cy"  # but not one who was not tied
    write_sealed(out, doc)
    assert run("declare", str(out)).exit_code == 2
    out, doc = _result(tmp_path, tie, "--seed", "5")
    other = next(n for n in ("Ann", "Bob") if n != doc["winner"])
    doc["lot"]["winner"] = doc["winner"] = doc["stages"][0]["elected"] = other
    for c in doc["candidates"]:
        c["status"] = "elected" if c["name"] == other else "not_elected"
    _refused_after(out, doc, "winner")


def test_every_example_result_re_derives(tmp_path):
    import os

    from golden import EXAMPLES, ROOT, _example_args

    os.chdir(ROOT)
    for folder in EXAMPLES:
        out = tmp_path / f"{folder}.json"
        assert run("tally", *_example_args(folder), "-o", str(out)).exit_code == 0
        assert run("declare", str(out)).exit_code == 0, folder


def test_the_derived_figures_are_documented():
    assert {"winner", "decided_by", "majority", "status", "lot"} <= set(DERIVED)


def test_an_excluded_candidate_declared_unopposed_is_refused(tmp_path):
    out, doc = _result(tmp_path)
    doc["winner"], doc["decided_by"] = "Bob", "unopposed"
    _refused_after(out, doc, "the file says 'Bob'")


def test_a_second_winner_line_is_refused_not_read_past(tmp_path):
    out, _ = _result(tmp_path)
    text = out.read_text().replace('"winner":', '"winner": "Bob",\n  "winner":', 1)
    out.write_text(text)
    shown = run("diff", str(out), str(out))
    assert shown.exit_code == 2 and "the key 'winner' appears twice" in shown.stderr
