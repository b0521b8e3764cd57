"""RCTab's own reports, written by svcount: row by row and key by key as RCTab writes them
(tests/data/rctab/SOURCES.md), with RCTab's accounting identity in every round (issue 34)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from helpers import ROOT, refused, run, write
from test_interchange import ALL_EXAMPLES, _args

RCTAB = ROOT / "tests" / "data" / "rctab"
DETAILED = RCTAB / "first_round_determines_threshold_test_expected_detailed_report"


def _rows(text):
    return list(csv.reader(io.StringIO(text)))


def _labels(rows, candidates):
    """The first cell of each row, candidates' rows and the footnote (with its blank row) left
    out."""
    kept = [r[0] if r else "" for r in rows if not r or r[0] not in candidates]
    while kept and (not kept[-1] or kept[-1].startswith("*")):
        kept.pop()
    return kept


@pytest.fixture(scope="module", params=ALL_EXAMPLES)
def reports(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    made = {}
    for fmt in ("rctab-csv", "rctab-json", "rcvis", "json"):
        shown = run("tally", *_args(request.param), "-f", fmt, "-q")
        assert shown.exit_code == 0, shown.output
        made[fmt] = shown.stdout
    del folder
    return made


def test_the_csv_has_rctabs_rows_in_rctabs_order(reports):
    theirs = _rows(DETAILED.with_suffix(".csv").read_text())
    mine = _rows(reports["rctab-csv"])
    names = set(json.loads(reports["json"])["stages"][0]["votes"])
    theirs_names = {r[0] for r in theirs[20:] if r and r[0].count(",") or (r and '"' in r[0])}
    theirs_names |= {"Vail, Christopher L.", "Haadoow, Hamza A.", "Carmona, Ralph C."}
    assert _labels(mine, names) == _labels(theirs, theirs_names)
    rounds = len(json.loads(reports["rctab-json"])["results"])
    width = 1 + 3 * rounds
    for row in mine:
        if row and row[0] not in ("Contest Information", "Contest Summary") and len(row) > 2:
            assert len(row) == width, row  # every round's three columns, as RCTab's rows


def test_each_round_accounts_for_every_ballot(reports):
    """RCTab's identity: ballots = undervotes + active + inactive, in every round."""
    doc = json.loads(reports["rctab-json"])
    ballots, undervotes = int(doc["summary"]["totalNumBallots"]), doc["summary"]["undervotes"]
    rows = {r[0]: r for r in _rows(reports["rctab-csv"]) if r}
    assert int(rows["Total Number of Ballots"][1]) == ballots
    for i, held in enumerate(doc["results"]):
        active = sum(int(v) for v in held["tally"].values())
        inactive = sum(int(v) for v in held["inactiveBallots"].values())
        assert ballots == undervotes + active + inactive
        assert int(rows["Active Ballots"][1 + 3 * i]) == active
        assert int(rows["Inactive Ballots Total"][1 + 3 * i]) == inactive
        assert int(held["threshold"]) == active // 2 + 1  # more than half of this round's
    assert doc["summary"]["finalThreshold"] == doc["results"][-1]["threshold"]


def test_the_json_has_rctabs_keys_and_kinds(reports):
    theirs = json.loads(DETAILED.with_suffix(".json").read_text())
    mine = json.loads(reports["rctab-json"])

    def shape(value):
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()
                    if k not in ("tally", "transfers")}  # fmt: skip
        if isinstance(value, list):
            return [shape(value[0])] if value else []
        return type(value).__name__

    assert shape(mine)["config"] == shape(theirs)["config"]
    assert shape(mine)["summary"] == shape(theirs)["summary"]
    actions = {k for r in theirs["results"] for a in r["tallyResults"] for k in a}
    assert {k for r in mine["results"] for a in r["tallyResults"] for k in a} <= actions
    for held in mine["results"]:
        assert {k: v for k, v in shape(held).items() if k != "tallyResults"} == {
            k: v for k, v in shape(theirs["results"][0]).items() if k != "tallyResults"
        }
    assert mine["jsonFormatVersion"] == theirs["jsonFormatVersion"] == "1"


def test_rcvformats_reads_the_json_as_the_rcvis_export(reports):
    """rcvformats reads RCTab's JSON, less the fields of RCTab's own that its strict schema
    refuses, as the Universal Tabulator JSON svcount's rcvis export is."""
    from rcvformats.conversions.automatic import AutomaticConverter

    doc = json.loads(reports["rctab-json"])
    del doc["jsonFormatVersion"], doc["summary"]
    doc["config"] = {k: v for k, v in doc["config"].items() if v and k != "generatedBy"}
    for held in doc["results"]:
        del held["inactiveBallots"], held["threshold"]
    converted = AutomaticConverter().convert_to_ut(io.StringIO(json.dumps(doc)))
    rcvis = json.loads(reports["rcvis"])
    assert [r["tally"] for r in converted["results"]] == [r["tally"] for r in rcvis["results"]]

    def actions(doc):  # RCTab lists a round's eliminations by name, rcvis in the count's order
        return [sorted(r["tallyResults"], key=json.dumps) for r in doc["results"]]

    assert actions(converted) == actions(rcvis)


def test_shares_are_written_as_rctab_writes_them():
    from svcount.render.rctab import _share

    assert [_share(6, 16), _share(5, 16), _share(0, 16), _share(6, 14), _share(8, 13)] == [
        "37.5%", "31.25%", "0.0%", "42.85%", "61.53%"
    ]  # RCTab's own fixtures  # fmt: skip
    assert _share(1, 3) == "33.33%" and _share(2, 3) == "66.66%" and _share(3, 3) == "100.0%"


def test_names_are_neutralised_and_reserved_words_refused(tmp_path):
    path = write(tmp_path, "first,second\n=SUM(A1),@x\n=SUM(A1),\n@x,+y\n+y,\n")
    shown = run("tally", path, "-f", "rctab-csv")
    assert shown.exit_code == 0, shown.output
    cells = [c for row in _rows(shown.stdout) for c in row]
    assert "'=SUM(A1)" in cells and "'@x" in cells and "=SUM(A1)" not in cells
    clash = write(tmp_path, "first,second\nexhausted,Bob\nBob,\nexhausted,\n", "c.csv")
    for fmt in ("rctab-csv", "rctab-json", "rcvis"):
        assert "named like RCTab's own word" in refused("tally", clash, "-f", fmt)


def test_a_lot_is_marked_as_rctab_marks_a_tie_broken(tmp_path):
    path = write(tmp_path, "first\nAnn\nBob\n")
    rows = _rows(run("tally", path, "--seed", "1", "-f", "rctab-csv").stdout)
    assert rows[-1] == ["*Tie resolved in accordance with election law"]
    assert any(r and r[0] == "Elected" and r[1].endswith("*") for r in rows)


def test_nist_results_count_blank_fptp_papers_and_carry_each_voting_area(tmp_path):
    path = write(tmp_path, 'first\nAnn\nBob\nAnn\n""\n""\n""\n')
    doc = json.loads(run("tally", path, "--method", "fptp", "-f", "nist-results", "-q").stdout)
    counts = doc["Election"][0]["Contest"][0]["OtherCounts"][0]
    assert counts["Undervotes"] == 3
    folder = ROOT / "examples" / "by-area"
    doc = json.loads(run("tally", str(folder / "all.csv"), "-c", str(folder / "candidates.txt"),
                         "--electorate-file", str(folder / "areas.csv"), "-f", "nist-results",
                         "-q").stdout)  # fmt: skip
    units = {u["@id"]: u for u in doc["GpUnit"]}
    areas = [u for u in units.values() if u.get("OtherType") == "voting-area"]
    assert len(areas) == 3 and units["area-1"]["ComposingGpUnitIds"] == [u["@id"] for u in areas]
    for selection in doc["Election"][0]["Contest"][0]["ContestSelection"]:
        for number in (1, 2):
            whole = [c["Count"] for c in selection["VoteCounts"]
                     if c["Round"] == number and c["GpUnitId"] == "area-1"]  # fmt: skip
            parts = [c["Count"] for c in selection["VoteCounts"]
                     if c["Round"] == number and c["GpUnitId"] != "area-1"]  # fmt: skip
            assert sum(parts) == sum(whole)
