"""Cast vote records as their producers write them (tests/data/cvr/SOURCES.md), and the
NIST SP 1500-103 semantics clause by clause, in JSON and in XML (issue 34)."""

from __future__ import annotations

import gzip
import json

import pytest
from helpers import ROOT, refused, run
from test_one_door import cvr_report, cvr_xml

from svcount.io import load
from svcount.model import NotCounted, Rejection

CVR = ROOT / "tests" / "data" / "cvr"


def test_nist_example_1_is_refused_at_its_marked_write_in():
    said = refused("tally", str(CVR / "nist-example_1.xml"))
    assert "CVR 5: a write-in" in said and "supplementary vote cannot count" in said


def test_nist_example_2_needs_a_contest_and_reads_its_overvote_as_the_statute_does():
    assert "the report has 25 contests" in refused("tally", str(CVR / "nist-example_2.xml"))
    loaded = load(str(CVR / "nist-example_2.xml"), options=_contest("_5TS"))
    assert loaded.rows == 1  # CVR 2 holds no _5TS: not a paper of it
    assert dict(loaded.ballots.rejected) == {Rejection.MORE_THAN_ONE_CANDIDATE: 1}
    assert any("do not hold contest '_5TS'" in w for w in loaded.warnings)
    parties = {c.name: c.party for c in loaded.ballots.candidates}
    assert len(parties) == 2 and all(parties.values())  # declared, with parties, 0 votes


@pytest.mark.parametrize(
    ("contest", "said"),
    [("_6RC", "CVR 2 needs adjudication"), ("_1GO", "CVR 1 needs adjudication")],
)
def test_nist_example_2_refuses_what_still_needs_adjudication(contest, said):
    assert said in refused("tally", str(CVR / "nist-example_2.xml"), "--contest", contest)


def test_rctabs_export_of_an_ess_file_ends_in_a_four_four_tie():
    path = str(CVR / "rctab-conversions_from_ess_expected_cdf_cvr.json")
    shown = run("tally", path, "-f", "json")
    assert shown.exit_code == 3, shown.output  # a lot is required
    assert "12 marks have IsAllocable unknown" in shown.stderr
    loaded = load(path)
    assert [c.name for c in loaded.ballots.candidates] == [
        "George Gervin", "Mookie Blaylock", "Sedale Threatt", "Yinka Dare"
    ]  # RCTab's "overvote" marker is no candidate  # fmt: skip
    drawn = run("tally", path, "--lot", "Yinka Dare", "-f", "json")
    doc = json.loads(drawn.stdout)
    assert doc["stages"][0]["votes"] == {
        "George Gervin": 2, "Mookie Blaylock": 4, "Sedale Threatt": 1, "Yinka Dare": 3
    }  # fmt: skip
    assert doc["stages"][1]["totals"] == {"Mookie Blaylock": 4, "Yinka Dare": 4}
    assert doc["winner"] == "Yinka Dare"


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("rctab-cdf_json_file1_cvr.json", "CVR 1: a rank 3"),
        ("rctab-conversions_from_cdf_expected_cdf_cvr.json",
         "CVR 1: selection 'cs-candidate_a_name_file_1' is not one of the contest's"),
        ("nist-example_1.xml", "CVR 5: a write-in"),
        ("cdfprototype-example_2.json", "CVR 5: a write-in (_C1CS1) is marked"),
        ("cdfprototype-example_2.xml", "CVR 5: a write-in (_C1CS1) is marked"),
        ("cdfprototype-Multi-winner_NIST_CVR_3.json",
         "selection 'sel-A' names no one candidate of the report"),
        ("cdfprototype-testexport.xml",
         "an XML file whose root is <TestDeck>, not a cast vote record report"),
    ],
)  # fmt: skip
def test_real_files_sv_cannot_hold_are_refused_naming_the_cvr_and_the_rule(name, said):
    assert said in refused("tally", str(CVR / name))


VXSUITE = CVR / "vxsuite-amherst-cast-vote-record-report.json"


def test_a_vxsuite_export_counts_a_contest_and_its_unused_write_ins_are_no_candidates():
    assert "the report has 14 contests" in refused("tally", str(VXSUITE))
    loaded = load(str(VXSUITE), options=_contest("Governor-061a401b"))
    assert [c.name for c in loaded.ballots.candidates] == [
        "Josiah Bartlett", "Hannah Dustin", "John Spencer"
    ]  # every declared candidate, 0 votes kept; the declared write-in is none  # fmt: skip
    assert dict(loaded.ballots.pairs) == {("John Spencer", NotCounted.BLANK): 1}
    assert loaded.rows == 1 and not loaded.warnings


@pytest.mark.parametrize(
    ("contest", "said"),
    [
        ("State-Representatives-Hillsborough-District-34-b1012d38", "has VotesAllowed 3"),
        ("Shall-there-be-a-convention-to-amend-or-revise-the-constitution--15e8b5bc",
         "names no one candidate of the report"),
    ],
)  # fmt: skip
def test_a_vxsuite_contest_sv_cannot_count_is_refused_with_its_rule(contest, said):
    assert said in refused("tally", str(VXSUITE), "--contest", contest)


UNISYN = CVR / "unisyn-101-RCV-CVT_TEST_3_UNIOVS2103-2.xml"


@pytest.mark.parametrize(
    "contest", ["CON_117", "For County Coroner (1/2)", "for county coroner 1 2"]
)
def test_a_unisyn_export_gives_rctabs_own_first_round(contest):
    """RCTab's expected report for this file and contest (unisyn_xml_cdf_county_coroner,
    chosen there by name): 35 ballots, 6 with no rankings, and round 1 as below."""
    shown = run("tally", str(UNISYN), "--contest", contest, "-f", "json")
    doc = json.loads(shown.stdout)
    assert doc["stages"][0]["votes"] == {
        "Willy Wonka": 5, "Niels Larson": 5, "Emily Steffan": 4, "Laura Brown": 3,
        "Kay Daniels": 3, "Andrea Doria": 3, "Jimmy Hendriks": 3, "Walter Gerber": 3,
    }  # fmt: skip
    assert doc["ballot_papers"] == 35 and doc["rejected"]["unmarked"] == 6
    assert "58 marks have IsAllocable unknown" in shown.stderr


@pytest.mark.parametrize(
    ("contest", "said"),
    [
        ("CON_175", "CVR 1: a rank 3, which a supplementary vote does not have"),
        ("CON_155", "selection 'CONS_155_113' names no one candidate"),
        ("Coroner", "no contest 'Coroner' in the report: give one's id (CON_175 (For City C"),
    ],
)
def test_a_unisyn_contest_sv_cannot_count_is_refused_with_its_rule(contest, said):
    assert said in refused("tally", str(UNISYN), "--contest", contest)


def test_rctabs_copy_of_nist_example_2_reads_as_nists():
    for name in ("nist-example_2.xml", "rctab-nist_xml_cdf_2.xml"):
        loaded = load(str(CVR / name), options=_contest("_5TS"))
        assert dict(loaded.ballots.rejected) == {Rejection.MORE_THAN_ONE_CANDIDATE: 1}


def test_an_rctab_overvote_mark_is_an_overvote(tmp_path):
    report = cvr_report(
        ["Ann", "Bob", "overvote"],
        [((0,), (), ""), ((2,), (), ""), ((1,), (2,), ""), ((0,), (1,), "")],
    )
    for path in _write_both(tmp_path, report):
        loaded = load(path)
        assert [c.name for c in loaded.ballots.candidates] == ["Ann", "Bob"]
        assert dict(loaded.ballots.rejected) == {Rejection.MORE_THAN_ONE_CANDIDATE: 1}
        assert loaded.ballots.pairs[("Bob", NotCounted.MORE_THAN_ONE)] == 1


def _contest(contest):
    from svcount.options import ReadOptions

    return ReadOptions(contest=contest)


def _write_both(tmp_path, report):
    """The report as JSON and as XML."""
    paths = tmp_path / "cvr.json", tmp_path / "cvr.xml"
    paths[0].write_text(json.dumps(report))
    paths[1].write_text(cvr_xml(report))
    return [str(p) for p in paths]


def _figures(path, *args):
    shown = run("tally", path, "-f", "json", *args)
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.stdout)
    return doc, shown.stderr


def _position(report, cvr, rank, **fields):
    """Set fields of one CVR's position at ``rank`` (first selection at that rank)."""
    snapshot = report["CVR"][cvr]["CVRSnapshot"][0]
    for selection in snapshot["CVRContest"][0]["CVRContestSelection"]:
        for position in selection["SelectionPosition"]:
            if position["Rank"] == rank:
                position.update(fields)
                return


def test_each_clause_reads_alike_in_json_and_xml(tmp_path):
    names = ["Ann", "Bob", "Cy"]
    papers = [((0,), (1,), "")] * 3 + [((1,), (), "")] * 2 + [((2,), (0,), "")]
    papers += [((0, 1), (), ""), ((2,), (), "want_of_official_mark")]
    report = cvr_report(names, papers)
    _position(report, 0, 1, IsAllocable="unknown")  # left to the tabulator: still Ann's
    _position(report, 5, 2, IsAllocable="no")  # Cy's paper: an uncertain second
    for i in range(2):  # the overvote's marks not allocated, as NIST's example writes them
        report["CVR"][6]["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][i][
            "SelectionPosition"
        ][0]["IsAllocable"] = "no"
    report["CVR"].append(
        {**report["CVR"][0], "@id": "cvr-x", "CVRSnapshot": [
            {**report["CVR"][0]["CVRSnapshot"][0], "CVRContest": []}]}
    )  # fmt: skip
    results = [_figures(path) for path in _write_both(tmp_path, report)]
    (doc, said), (xml_doc, xml_said) = results
    assert {k: v for k, v in doc.items() if k not in ("input", "digest")} == {
        k: v for k, v in xml_doc.items() if k not in ("input", "digest")
    }
    assert doc["stages"][0]["votes"] == {"Ann": 3, "Bob": 2, "Cy": 1}
    assert doc["rejected"]["voting_for_more_than_one_candidate"] == 1
    assert doc["rejected"]["want_of_official_mark"] == 1
    assert doc["second_preferences_not_counted"]["void_for_uncertainty"] == 1
    for text in (said, xml_said):
        assert "1 marks have IsAllocable unknown" in text
        assert "1 CVRs do not hold contest 'pcc'" in text


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda r: r["Election"][0]["Candidate"].append(dict(r["Election"][0]["Candidate"][0])),
         "two candidates have the @id 'c0'"),
        (lambda r: r["Election"][0]["Contest"][0]["ContestSelection"][0].update(
            CandidateIds=["ghost"]), "selection 's0' names no one candidate"),
        (lambda r: r["Election"][0]["Contest"][0].update(VotesAllowed=3), "VotesAllowed 3"),
        (lambda r: r["CVR"][0]["CVRSnapshot"][0].update(OtherStatus="rejected: no"),
         "names no heading"),
    ],
)  # fmt: skip
def test_ids_limits_and_statuses_are_refused_in_json_and_xml(tmp_path, edit, said):
    report = cvr_report(["Ann", "Bob"], [((0,), (1,), ""), ((1,), (), "")])
    edit(report)
    for path in _write_both(tmp_path, report):
        assert said in refused("tally", path), path


@pytest.mark.parametrize("rank", [0, 1.5, True, "abc", 3])
def test_a_rank_that_is_not_one_or_two_is_refused_naming_the_cvr(tmp_path, rank):
    report = cvr_report(["Ann", "Bob"], [((0,), (1,), ""), ((1,), (), "")])
    _position(report, 0, 2, Rank=rank)
    path = tmp_path / "cvr.json"
    path.write_text(json.dumps(report))
    said = refused("tally", str(path))
    assert "CVR 1" in said and "rank" in said


def test_a_tabulators_round_snapshots_are_not_the_voters_marks(tmp_path):
    report = cvr_report(["Ann", "Bob"], [((0,), (1,), ""), ((1,), (), ""), ((1,), (), "")])
    original = report["CVR"][0]["CVRSnapshot"][0]
    rounds = [{**original, "@id": f"round-{i}", "Type": "interpreted",
               "CVRContest": []} for i in (1, 2)]  # fmt: skip
    report["CVR"][0]["CVRSnapshot"] += rounds
    report["CVR"][0]["CurrentSnapshotId"] = "round-2"
    path = tmp_path / "cvr.json"
    path.write_text(json.dumps(report))
    doc, said = _figures(str(path))
    assert doc["stages"][0]["votes"] == {"Ann": 1, "Bob": 2} and "interpreted snapshot" in said
    report["CVR"][0]["CVRSnapshot"] = rounds
    path.write_text(json.dumps(report))
    assert "only interpreted snapshots" in refused("tally", str(path))


def test_hostile_xml_is_one_line(tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        "<CastVoteRecordReport>&b;</CastVoteRecordReport>"
    )
    assert "DOCTYPE" in refused("tally", str(bomb))
    deep = tmp_path / "deep.xml"
    deep.write_text(
        "<CastVoteRecordReport>" + "<a>" * 200 + "</a>" * 200 + "</CastVoteRecordReport>"
    )
    assert "nested more than" in refused("tally", str(deep))
    broken = tmp_path / "broken.xml"
    broken.write_text("<CastVoteRecordReport><CVR></CastVoteRecordReport>")
    assert "not well-formed XML" in refused("tally", str(broken))
    whole = gzip.compress(cvr_xml(cvr_report(["Ann"], [((0,), (), "")] * 400)).encode())
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    assert "damaged" in refused("tally", str(cut))


ORDERS = [
    ("Party", "GpUnit", "Election", "CVR"),  # all that is needed first: one pass
    ("CVR", "Party", "GpUnit", "Election"),  # RCTab's order: the CVRs first
    ("Party", "Election", "CVR", "GpUnit"),  # the voting areas after the CVRs
    ("GpUnit", "Election", "CVR", "Party"),  # the parties after the CVRs
    ("GpUnit", "Election", "CVR"),  # no parties at all
]


@pytest.mark.parametrize("order", ORDERS, ids=["-".join(o) for o in ORDERS])
def test_a_report_reads_alike_whatever_order_its_members_come_in(tmp_path, order):
    """One pass when the contest, parties and areas come before the CVRs; else the whole
    report is looked through first: the same papers, areas and parties either way."""
    made, listed = tmp_path / "made.json", tmp_path / "candidates.csv"
    names = (ROOT / "examples" / "by-area" / "candidates.txt").read_text().split()
    listed.write_text("name,party\n" + "".join(f"{n},Party of {n}\n" for n in names))
    counted = run(
        "tally", ROOT / "examples" / "by-area" / "all.csv", "-c", listed,
        "--area-column", "area", "-f", "nist-cvr", "-o", made,
    )  # fmt: skip
    assert counted.exit_code == 0, counted.output
    report = json.loads(made.read_text())
    expected = load(str(made))
    others = [k for k in report if k not in (*order, "@type", "Party")]
    members = ["@type", *others, *order]
    path = tmp_path / "report.json"
    path.write_text(json.dumps({k: report[k] for k in members}))
    got = load(str(path))
    assert got.ballots.pairs == expected.ballots.pairs
    assert got.ballots.rejected == expected.ballots.rejected
    assert got.areas is not None and expected.areas is not None and len(got.areas) == 3
    assert {a: b.pairs for a, b in got.areas.items()} == {
        a: b.pairs for a, b in expected.areas.items()
    }
    parties = [c.party for c in got.ballots.candidates]
    assert parties == [f"Party of {n}" if "Party" in order else None for n in names]
