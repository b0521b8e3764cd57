"""SV against first past the post: the first-preference leader, and who came from behind."""

from __future__ import annotations

import csv
import io
import json

import pytest
from helpers import EXAMPLES, run, write

QUICK = EXAMPLES / "quickstart" / "ballots.csv"


def test_a_winner_from_behind_is_reported_in_json_csv_and_table():
    doc = json.loads(run("tally", QUICK, "-f", "json").stdout)
    assert doc["first_preference_leader"] == "Ann Archer" and doc["winner"] == "Bob Baker"
    assert doc["winner_changed_by_transfers"] is True and doc["first_preference_deficit"] == 2
    rows = list(csv.DictReader(io.StringIO(run("tally", QUICK, "-f", "csv").stdout)))
    assert {r["candidate"]: r["fptp_status"] for r in rows if r["stage"] == "1"} == {
        "Ann Archer": "elected",
        "Bob Baker": "not_elected",
        "Cy Cole": "not_elected",
        "Dee Dale": "not_elected",
    }
    table = " ".join(run("tally", QUICK).stdout.split())
    assert "Ann Archer led on first preferences and would have been elected" in table
    assert "Bob Baker came from 2 first preferences behind" in table


def test_fptp_on_an_sv_file_is_the_comparison():
    """--method fptp counts the same file's first preferences only: the FPTP result."""
    sv = json.loads(run("tally", QUICK, "-f", "json").stdout)
    fptp = json.loads(run("tally", QUICK, "--method", "fptp", "-f", "json").stdout)
    assert fptp["method"] == "fptp" and fptp["winner"] == sv["first_preference_leader"]
    assert fptp["stages"][0]["votes"] == sv["stages"][0]["votes"] and len(fptp["stages"]) == 1
    assert fptp["winner_changed_by_transfers"] is None
    assert fptp["first_preference_deficit"] is None


@pytest.mark.parametrize(("example", "changed"), [("llr-2012", False), ("llr-2016", False)])
def test_the_reference_elections_were_won_by_the_leader(example, changed):
    folder = EXAMPLES / example
    doc = json.loads(run("tally", folder / "ballots.csv.gz", "-f", "json").stdout)
    assert doc["winner_changed_by_transfers"] is changed
    assert doc["first_preference_leader"] == doc["winner"] and doc["first_preference_deficit"] == 0


def test_a_shared_lead_has_no_single_leader(tmp_path):
    path = write(tmp_path, "first,second\nAnn,Cy\nBob,\nCy,Bob\nAnn,\nBob,\n")
    doc = json.loads(run("tally", path, "-f", "json", "--seed", "1").stdout)
    assert doc["first_preference_leader"] is None
    statuses = {c["name"]: c for c in doc["candidates"]}
    assert statuses and doc["winner_changed_by_transfers"] in (True, False)
    rows = list(csv.DictReader(io.StringIO(run("tally", path, "-f", "csv", "--seed", "1").stdout)))
    assert {r["candidate"]: r["fptp_status"] for r in rows if r["stage"] == "1"} == {
        "Ann": "tied",
        "Bob": "tied",
        "Cy": "not_elected",
    }
