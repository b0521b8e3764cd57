"""One door for every ballot file (issue 33): a structured format's papers reach the count as
marks, never as CSV text, so what a name or a CSV option holds cannot change a CVR's count."""

from __future__ import annotations

import csv
import gzip
import json
import tempfile
import warnings
from pathlib import Path

import pytest
from helpers import ROOT, refused, run
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import svcount
from svcount.errors import UsageError

#: Letters a name may hold: separators, quotes, commas, spaces and letters beyond ASCII.
NAME_LETTERS = "AbZé Ø漢|;/,+&#'\"-."
SEPARATORS = "|;/+&#"
HEADINGS = ("want_of_official_mark", "writing_or_mark_identifying_voter")


def cvr_report(names, papers, areas=None):
    """A NIST SP 1500-103 report of one contest: each paper (first, second, heading), where a
    preference is a tuple of candidate indexes, or None for an uncertain mark; with ``areas``
    (one a paper), each area a named GpUnit its CVRs give as their BallotStyleUnitId."""
    people = [{"@type": "CVR.Candidate", "@id": f"c{i}", "Name": n} for i, n in enumerate(names)]
    selections = [
        {"@type": "CVR.CandidateSelection", "@id": f"s{i}", "CandidateIds": [f"c{i}"]}
        for i in range(len(names))
    ]
    records = []
    for number, (first, second, heading) in enumerate(papers, 1):
        chosen = []
        for rank, marks in ((1, first), (2, second)):
            uncertain = marks is None
            for i in (0,) if uncertain else marks:
                position = {"@type": "CVR.SelectionPosition", "HasIndication": "yes",
                            "NumberVotes": 1, "Rank": rank,
                            **({"IsAllocable": "no"} if uncertain else {})}  # fmt: skip
                chosen.append({"@type": "CVR.CVRContestSelection", "ContestSelectionId": f"s{i}",
                               "SelectionPosition": [position]})  # fmt: skip
        snapshot = {"@type": "CVR.CVRSnapshot", "@id": f"x{number}", "Type": "original",
                    "CVRContest": [{"@type": "CVR.CVRContest", "ContestId": "pcc",
                                    "CVRContestSelection": chosen}]}  # fmt: skip
        if heading:
            snapshot["OtherStatus"] = f"rejected: {heading}"
        records.append({"@type": "CVR.CVR", "@id": f"cvr-{number}", "ElectionId": "e",
                        "CurrentSnapshotId": f"x{number}", "CVRSnapshot": [snapshot]})  # fmt: skip
        if areas:
            records[-1]["BallotStyleUnitId"] = f"area-{sorted(set(areas)).index(areas[number - 1])}"
    units = [{"@type": "CVR.GpUnit", "@id": f"area-{i}", "Type": "other", "Name": a}
             for i, a in enumerate(sorted(set(areas or ())))]  # fmt: skip
    return {
        "@type": "CVR.CastVoteRecordReport", "Version": "1.0.0",
        "GeneratedDate": "2024-05-02T00:00:00Z", "ReportGeneratingDeviceIds": ["d"],
        "ReportingDevice": [{"@type": "CVR.ReportingDevice", "@id": "d"}],
        "GpUnit": [{"@type": "CVR.GpUnit", "@id": "g", "Type": "other"}, *units],
        "Election": [{"@type": "CVR.Election", "@id": "e", "ElectionScopeId": "g",
                      "Candidate": people,
                      "Contest": [{"@type": "CVR.CandidateContest", "@id": "pcc",
                                   "ContestSelection": selections}]}],
        "CVR": records,
    }  # fmt: skip


#: The XML form's elements that hold lists (repeated), as NIST SP 1500-103's schema has them.
_ID_LISTS = {"CandidateIds", "ReportGeneratingDeviceIds"}


def cvr_xml(report):
    """A report (the JSON form) written as NIST SP 1500-103 XML, element by element."""
    from xml.sax.saxutils import escape, quoteattr

    def element(name, value):
        if isinstance(value, dict):
            attributes = f" ObjectId={quoteattr(value['@id'])}" if "@id" in value else ""
            inner = "".join(body(k, v) for k, v in sorted(value.items()) if not k.startswith("@"))
            return f"<{name}{attributes}>{inner}</{name}>"
        return f"<{name}>{escape(str(value))}</{name}>"

    def body(name, value):
        if name in _ID_LISTS:
            return element(name, " ".join(value))
        if isinstance(value, list):
            return "".join(element(name, v) for v in value)
        return element(name, value)

    inner = "".join(body(k, v) for k, v in sorted(report.items()) if not k.startswith("@"))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<CastVoteRecordReport '
        'xmlns="http://itl.nist.gov/ns/voting/1500-103/v1">' + inner + "</CastVoteRecordReport>\n"
    )


def csv_text(names, papers, separator, delimiter, areas=None):
    """The same papers as a ballot CSV with the given separator and delimiter (and an area
    column, with ``areas``)."""

    def field(marks):
        return "?" if marks is None else separator.join(names[i] for i in marks)

    rows = [["first", "second", "rejected", *(["area"] if areas else [])]]
    rows += [
        [field(first), field(second), heading, *([areas[i]] if areas else [])]
        for i, (first, second, heading) in enumerate(papers)
    ]
    out = []
    for row in rows:
        buffer = __import__("io").StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerow(row)
        out.append(buffer.getvalue())
    return "".join(out)


@st.composite
def elections(draw):
    raw = draw(st.lists(st.text(NAME_LETTERS, min_size=1, max_size=12), min_size=1, max_size=5))
    names = list(dict.fromkeys(" ".join(n.split()) for n in raw if n.strip()))
    assume(names and len({n.casefold() for n in names}) == len(names))
    index = st.integers(0, len(names) - 1)
    several = [st.lists(index, min_size=2, max_size=3, unique=True).map(tuple)]
    preference = st.one_of(
        st.builds(lambda i: (i,), index),
        st.just(()),
        *(several if len(names) > 1 else []),
        st.none(),
    )
    heading = st.sampled_from(["", "", "", *HEADINGS])
    papers = draw(st.lists(st.tuples(preference, preference, heading), min_size=1, max_size=30))
    areas = None
    if draw(st.booleans()):  # voting areas, as a by-area count has them
        areas = draw(st.lists(st.sampled_from(["Blaby", "Melton", "Rutland"]),
                              min_size=len(papers), max_size=len(papers)))  # fmt: skip
    return names, papers, areas


def _figures(tally):
    doc = tally.to_dict()
    for key in ("input", "options", "digest", "svcount_version"):
        doc.pop(key, None)
    return doc


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    election=elections(),
    separator=st.sampled_from(SEPARATORS),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_a_cvr_in_json_and_xml_and_a_csv_of_the_same_papers_count_alike_whatever_the_names(
    election, separator, delimiter
):
    names, papers, areas = election
    assume(not any(separator in n or delimiter in n for n in names))
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cvr = Path(folder) / "cvr.json"
        cvr.write_text(json.dumps(cvr_report(names, papers, areas)), encoding="utf-8")
        xml = Path(folder) / "cvr.xml"
        xml.write_text(cvr_xml(cvr_report(names, papers, areas)), encoding="utf-8")
        ballots = Path(folder) / "ballots.csv"
        ballots.write_text(csv_text(names, papers, separator, delimiter, areas), encoding="utf-8")
        try:
            from_csv = svcount.tally(
                ballots, candidates=names, separator=separator, delimiter=delimiter
            )
        except svcount.CountError:  # a lot needed: the CVR needs it too
            for path in (cvr, xml):
                with pytest.raises(svcount.CountError):
                    svcount.tally(path)
            return
        assert _figures(svcount.tally(cvr)) == _figures(from_csv)
        assert _figures(svcount.tally(xml)) == _figures(from_csv)
        for option, value in (("separator", separator), ("delimiter", delimiter)):
            with pytest.raises(UsageError, match=f"--{option} is an option of a CSV"):
                svcount.tally(cvr, **{option: value})


def _overvoted(tmp_path):
    papers = [((0, 1), (), "")] * 3 + [((0,), (), "")] * 2 + [((2,), (0,), "")]
    path = tmp_path / "cvr.json"
    path.write_text(json.dumps(cvr_report(["Ann", "Bob", "Cy"], papers)))
    return path


@pytest.mark.parametrize(
    "option", [["--separator", "/"], ["--encoding", "cp1252"], ["--delimiter", ";"],
               ["--skip-rows", "1"], ["--first-column", "x"], ["--uncertain-marker", "*"]]
)  # fmt: skip
def test_a_csv_option_given_for_a_cvr_is_refused_in_one_line(tmp_path, option):
    said = refused("tally", str(_overvoted(tmp_path)), *option)
    assert f"{option[0]} is an option of a CSV ballot file" in said and "\n" not in said.strip()


def test_an_overvote_stays_one_rejected_paper_and_a_name_with_a_separator_keeps_its_votes(
    tmp_path,
):
    shown = run("tally", str(_overvoted(tmp_path)), "-f", "json")
    doc = json.loads(shown.stdout)
    assert doc["stages"][0]["votes"] == {"Ann": 2, "Bob": 0, "Cy": 1}
    assert doc["rejected"]["voting_for_more_than_one_candidate"] == 3
    path = tmp_path / "smith.json"
    papers = [((0,), (), "")] * 2 + [((1,), (0,), "")] * 3
    path.write_text(json.dumps(cvr_report(["Ann", "Smith; John"], papers)))
    doc = json.loads(run("tally", str(path), "-f", "json").stdout)
    assert doc["winner"] == "Smith; John" and doc["stages"][0]["votes"]["Smith; John"] == 3


def test_the_audit_trail_of_a_cvr_numbers_papers_by_record_and_id(tmp_path):
    audit = tmp_path / "audit.csv"
    made = run("tally", str(_overvoted(tmp_path)), "--audit", str(audit), "-q")
    assert made.exit_code == 0, made.output
    lines = audit.read_text().splitlines()
    assert lines[0] == "record,id,first,second,status,candidate,reason"
    assert lines[1] == "1,cvr-1,Ann|Bob,,rejected,,voting_for_more_than_one_candidate"
    assert lines[6] == "6,cvr-6,Cy,Ann,counted_first,Cy,"


def test_read_ballots_of_a_cvr_gives_marks_that_tally_takes_back(tmp_path):
    frame = svcount.read_ballots(_overvoted(tmp_path))
    assert sorted(map(str, frame["first"])) == ["Ann", "Ann|Bob", "Cy"]
    again = svcount.tally(frame, candidates=["Ann", "Bob", "Cy"])
    assert again.stage_one.votes == svcount.tally(_overvoted(tmp_path)).stage_one.votes


def test_a_deeply_nested_or_truncated_json_input_is_one_line(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text('{"@type": "CVR.CastVoteRecordReport", "x": ' + "[" * 1000 + "]" * 1000 + "}")
    assert "nested more than 32 deep" in refused("tally", str(deep))
    whole = gzip.compress(_overvoted(tmp_path).read_bytes())
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    assert "the gzip data is damaged" in refused("tally", str(cut))
    twice = tmp_path / "twice.json"
    twice.write_text('{"@type": "CVR.CastVoteRecordReport", "@type": "x"}')
    assert "appears twice in one object" in refused("tally", str(twice))


def test_skip_rows_on_a_gzip_file_reads_past_the_title(tmp_path):
    path = tmp_path / "ballots.csv.gz"
    path.write_bytes(gzip.compress(b"PCC count\nfirst,second\nAnn,Bob\nBob,\nAnn,\n"))
    shown = run("tally", str(path), "--skip-rows", "1", "-f", "json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["stages"][0]["votes"] == {"Ann": 2, "Bob": 1}


def test_the_example_cvr_round_trip_still_reads(tmp_path):
    cvr = tmp_path / "cvr.json"
    quickstart = ROOT / "examples" / "quickstart"
    made = run("tally", str(quickstart / "ballots.csv"), "-c", str(quickstart / "candidates.csv"),
               "-f", "nist-cvr", "-o", str(cvr))  # fmt: skip
    assert made.exit_code == 0, made.output
    assert run("tally", str(cvr), "-q").exit_code == 0
