"""The ecosystem's formats: NIST SP 1500-103 CVRs in and out, NIST SP 1500-100 v2 results,
RCVis's Universal Tabulator JSON and RCTab's summary CSV, validated against the originals."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest
from helpers import ROOT, refused, run

STANDARDS = ROOT / "tests" / "data" / "standards"
#: The examples whose CVR export round-trips: every one but London (2.6 million papers: its
#: CVR export is most of a gigabyte).
EXAMPLES = ["quickstart", "llr-2012", "llr-2016", "llr-2024", "by-area", "llr-2024-areas"]
#: Every example, for the result formats.
ALL_EXAMPLES = [*EXAMPLES, "london-2021"]
_OWN_ARGS = {
    "by-area": ["all.csv", "-c", "candidates.txt", "--electorate-file", "areas.csv"],
    "llr-2024-areas": ["ballots.csv.gz", "-c", "../llr-2024/candidates.csv",
                       "--electorate-file", "areas.csv", "--method", "fptp"],
}  # fmt: skip


def _args(example):
    folder = ROOT / "examples" / example
    if example in _OWN_ARGS:
        own = _OWN_ARGS[example]
        return [a if a.startswith("-") or a == "fptp" else str(folder / a) for a in own]
    ballots = next(p for p in folder.iterdir() if p.name.startswith("ballots.csv"))
    return [str(ballots), "-c", str(folder / "candidates.csv")]


def _schema(name):
    return json.loads((STANDARDS / name).read_text())


def _validate(document, schema_name):
    schema = _schema(schema_name)
    jsonschema.validate(document, schema, cls=jsonschema.Draft4Validator)


def _figures(path_args):
    shown = run("tally", *path_args, "-f", "json")
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.stdout)
    for key in ("schema", "svcount_version", "input", "options", "digest"):
        doc.pop(key)
    return doc


@pytest.fixture(scope="module", params=ALL_EXAMPLES)
def exported(request, tmp_path_factory):
    """Each example written in every interchange format (CVRs for EXAMPLES only)."""
    folder = tmp_path_factory.mktemp(request.param)
    files = {}
    for fmt, name in [
        ("nist-cvr", "cvr.json"),
        ("nist-results", "results.json"),
        ("rcvis", "rcvis.json"),
        ("rctab-csv", "summary.csv"),
        ("rctab-json", "summary.json"),
    ]:
        if fmt == "nist-cvr" and request.param not in EXAMPLES:
            continue
        files[fmt] = folder / name
        made = run("tally", *_args(request.param), "-f", fmt, "-o", str(files[fmt]))
        assert made.exit_code == 0, made.output
    return request.param, files


@pytest.mark.slow
def test_the_cvr_export_validates_and_round_trips_every_figure(exported):
    example, files = exported
    if example not in EXAMPLES:
        pytest.skip("London's size: see EXAMPLES")
    report = json.loads(files["nist-cvr"].read_text())
    report["CVR"] = report["CVR"][:: max(1, len(report["CVR"]) // 500)]  # a spread, for speed
    _validate(report, "NIST_V0_cast_vote_records.json")
    again = [str(files["nist-cvr"]), *_args(example)[1:]]  # the same options, the CVRs read
    assert _figures(again) == _figures(_args(example))


def test_the_nist_results_validate_and_carry_both_stages(exported):
    _, files = exported
    doc = json.loads(files["nist-results"].read_text())
    _validate(doc, "NIST_V2_election_results_reporting.json")
    (contest,) = doc["Election"][0]["Contest"]
    assert contest["VoteVariation"] in ("other", "plurality")
    if contest["VoteVariation"] == "other":
        assert contest["OtherVoteVariation"] == "supplementary-vote"
    rounds = {c["Round"] for s in contest["ContestSelection"] for c in s["VoteCounts"]}
    assert rounds <= {1, 2}


def test_the_rcvis_json_passes_rcvformats_strict_schema(exported):
    from rcvformats.schemas.universaltabulator import SchemaV0

    _, files = exported
    schema = SchemaV0()
    assert schema.validate(str(files["rcvis"])), schema.last_error()


def test_rcvis_transfers_add_up_to_stage_two(exported):
    example, files = exported
    doc = json.loads(files["rcvis"].read_text())
    figures = _figures(_args(example))
    stages = figures["stages"]
    if len(stages) == 1:
        assert len(doc["results"]) == 1
        return
    first, final = doc["results"]
    for name, total in stages[1]["totals"].items():
        given = sum(int(r["transfers"].get(name, 0)) for r in first["tallyResults"])
        assert int(first["tally"][name]) + given == total == int(final["tally"][name])
    lost = sum(int(r["transfers"]["exhausted"]) for r in first["tallyResults"])
    assert lost == stages[1]["non_transferable"]["total"]


# --------------------------------------------------------------------------- CVRs in


def _report(cvrs, contests=("contest-1",)):
    candidates = [{"@type": "CVR.Candidate", "@id": f"c{i}", "Name": n}
                  for i, n in enumerate(["Ann", "Bob", "Cy"], 1)]  # fmt: skip
    selections = [{"@type": "CVR.CandidateSelection", "@id": f"s{i}", "CandidateIds": [f"c{i}"]}
                  for i in range(1, 4)]  # fmt: skip
    return {
        "@type": "CVR.CastVoteRecordReport",
        "Version": "1.0.0",
        "GeneratedDate": "2024-05-02T00:00:00Z",
        "ReportGeneratingDeviceIds": ["d"],
        "ReportingDevice": [{"@type": "CVR.ReportingDevice", "@id": "d"}],
        "GpUnit": [{"@type": "CVR.GpUnit", "@id": "g", "Type": "other"}],
        "Election": [{
            "@type": "CVR.Election", "@id": "e", "ElectionScopeId": "g", "Candidate": candidates,
            "Contest": [{"@type": "CVR.CandidateContest", "@id": c, "ContestSelection": selections}
                        for c in contests],
        }],
        "CVR": [_cvr(i, marks, contests[0]) for i, marks in enumerate(cvrs, 1)],
    }  # fmt: skip


def _cvr(i, marks, contest):
    chosen = [
        {"@type": "CVR.CVRContestSelection", "ContestSelectionId": s,
         "SelectionPosition": [{"@type": "CVR.SelectionPosition", "HasIndication": "yes",
                                "NumberVotes": 1, "Rank": rank, **extra}]}
        for s, rank, extra in marks
    ]  # fmt: skip
    return {"@type": "CVR.CVR", "ElectionId": "e", "CurrentSnapshotId": f"x{i}",
            "CVRSnapshot": [{"@type": "CVR.CVRSnapshot", "@id": f"x{i}", "Type": "original",
                             "CVRContest": [{"@type": "CVR.CVRContest", "ContestId": contest,
                                             "CVRContestSelection": chosen}]}]}  # fmt: skip


def _write(tmp_path, report, name="cvr.json"):
    path = tmp_path / name
    path.write_text(json.dumps(report))
    return str(path)


def test_ranks_allocability_and_several_marks_map_to_the_statutory_headings(tmp_path):
    report = _report([
        [("s1", 1, {}), ("s2", 2, {})],                      # Ann, then Bob
        [("s1", 1, {})],                                     # Ann alone
        [("s1", 1, {})],                                     # Ann alone
        [("s2", 1, {}), ("s1", 2, {"IsAllocable": "no"})],   # Bob, an uncertain second
        [("s1", 1, {}), ("s2", 1, {})],                      # two firsts: rejected
        [("s3", 1, {"IsAllocable": "unknown"})],             # left to the tabulator: Cy
        [("s2", 1, {"IsAllocable": "no"})],                  # a mark for no one: void
        [],                                                  # unmarked
        [("s3", 1, {}), ("s1", 2, {}), ("s2", 2, {})],       # Cy, two seconds
        [("s1", 1, {"IsAllocable": "no"}), ("s2", 1, {"IsAllocable": "no"})],  # an overvote
    ])  # fmt: skip
    _validate(report, "NIST_V0_cast_vote_records.json")
    shown = run("tally", _write(tmp_path, report), "-f", "json")
    assert shown.exit_code == 0, shown.output
    assert "1 marks have IsAllocable unknown" in shown.stderr
    doc = json.loads(shown.stdout)
    assert doc["stages"][0]["votes"] == {"Ann": 3, "Bob": 1, "Cy": 2}
    assert doc["rejected"]["voting_for_more_than_one_candidate"] == 2
    assert doc["rejected"]["void_for_uncertainty"] == 1 and doc["rejected"]["unmarked"] == 1
    assert doc["second_preferences_not_counted"]["more_than_one_candidate"] == 1
    assert doc["second_preferences_not_counted"]["void_for_uncertainty"] == 1
    assert (
        doc["input"]["sha256"] == hashlib.sha256((tmp_path / "cvr.json").read_bytes()).hexdigest()
    )


def test_a_report_of_several_contests_needs_contest(tmp_path):
    report = _report([[("s1", 1, {})], [("s2", 1, {})], [("s1", 1, {})]], ("mayor", "pcc"))
    path = _write(tmp_path, report)
    assert "--contest ID" in refused("tally", path)
    assert "no contest 'sheriff'" in refused("tally", path, "--contest", "sheriff")
    chosen = run("tally", path, "--contest", "mayor", "-f", "json")
    assert chosen.exit_code == 0 and json.loads(chosen.stdout)["winner"] == "Ann"
    assert json.loads(chosen.stdout)["options"]["contest"] == "mayor"
    assert "--contest chooses" in refused(
        "tally", str(ROOT / "examples/quickstart/ballots.csv"), "--contest", "mayor"
    )


@pytest.mark.parametrize(
    ("marks", "message"),
    [
        ([("s1", 3, {})], "rank 3"),
        ([("s9", 1, {})], "selection 's9'"),
    ],
)
def test_what_sv_cannot_hold_is_refused_naming_the_record(tmp_path, marks, message):
    said = refused("tally", _write(tmp_path, _report([[("s1", 1, {})], marks])))
    assert message in said and "CVR 2" in said


def test_a_record_needing_adjudication_or_a_write_in_is_refused(tmp_path):
    report = _report([[("s1", 1, {})]])
    report["CVR"][0]["CVRSnapshot"][0]["Status"] = ["needs-adjudication"]
    assert "needs adjudication" in refused("tally", _write(tmp_path, report))
    report = _report([[("s1", 1, {})]])
    report["Election"][0]["Contest"][0]["ContestSelection"][0]["IsWriteIn"] = True
    assert "write-in" in refused("tally", _write(tmp_path, report, "w.json"))


def test_a_cvr_report_is_not_taken_for_a_result_file_and_a_result_file_still_is(tmp_path):
    from svcount.pipeline import is_result_file

    assert not is_result_file(_write(tmp_path, _report([[("s1", 1, {})]])))
    result = tmp_path / "r.json"
    made = run("tally", str(ROOT / "examples/quickstart/ballots.csv"), "-o", str(result))
    assert made.exit_code == 0 and is_result_file(str(result))


def test_nist_cvr_from_a_result_file_is_refused(tmp_path):
    result = tmp_path / "r.json"
    run("tally", str(ROOT / "examples/quickstart/ballots.csv"), "-o", str(result))
    assert "count a ballot file" in refused("tally", str(result), "-f", "nist-cvr")


def test_a_dummy_output_format_is_one_module_and_one_table_line(tmp_path):
    """The recipe of docs/architecture.md: a module with a builder, one line in
    render/formats.py's table; tally's --format accepts it, --help lists it, nothing else
    changes. Run in a fresh interpreter, as the table is read when the command is built."""
    import subprocess
    import sys

    (tmp_path / "dummy_format.py").write_text(
        "def build(shown):\n    return 'winner=' + str(shown.figures['winner']) + '\\n'\n"
    )
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "from svcount.render import formats\n"
        "formats.RESULT_FORMATS['dummy'] = 'dummy_format:build'  # the one table line\n"
        "from svcount.cli import main\n"
        "sys.argv = ['svcount', *sys.argv[1:]]\n"
        "main()\n"
    )
    ballots = str(ROOT / "examples/quickstart/ballots.csv")
    shown = subprocess.run(
        [sys.executable, "-c", script, "tally", ballots, "-f", "dummy"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == "winner=Bob Baker\n"
    helped = subprocess.run(
        [sys.executable, "-c", script, "tally", "--help"], capture_output=True, text=True,
        check=False, env={**__import__("os").environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert "dummy" in helped.stdout


def test_format_choices_come_from_the_table():
    from svcount.render.formats import PAPERS_FORMATS, RESULT_FORMATS
    from svcount.shell.params import Format

    assert {f.value for f in Format} == {"table", "md", *RESULT_FORMATS, *PAPERS_FORMATS}
    assert Path(ROOT / "svcount/render/formats.py").read_text().count(":nist_results") == 1


def test_an_input_file_is_hashed_as_its_bytes_on_disk_whatever_it_is(tmp_path):
    """One meaning for every recorded sha256: the file's bytes as they are on disk, so a
    .json.gz result and a .csv.gz ballot file are hashed alike (compressed)."""
    import gzip

    result = tmp_path / "r.json"
    run("tally", str(ROOT / "examples/quickstart/ballots.csv"), "-o", str(result))
    packed = tmp_path / "r.json.gz"
    packed.write_bytes(gzip.compress(result.read_bytes(), mtime=0))
    shown = run("diff", str(packed), str(result), "-f", "json")
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.stdout)
    assert doc["before"]["sha256"] == hashlib.sha256(packed.read_bytes()).hexdigest()
    assert doc["after"]["sha256"] == hashlib.sha256(result.read_bytes()).hexdigest()
    ballots = ROOT / "examples/llr-2016/ballots.csv.gz"
    counted = run("tally", str(ballots), "-c", str(ballots.parent / "candidates.csv"), "-f", "json")
    assert (
        json.loads(counted.stdout)["input"]["sha256"]
        == hashlib.sha256(ballots.read_bytes()).hexdigest()
    )


def test_a_format_only_a_result_has_is_refused_for_a_local_count_before_reading(tmp_path):
    """tally --stage writes a local count: table, json or csv. Any other format is refused
    before a paper is read (the file named here does not even exist)."""
    for fmt in ("rcvis", "nist-results", "html"):
        said = refused(
            "tally", str(tmp_path / "missing.csv"), "--stage", "first", "--area", "Blaby",
            "-f", fmt,
        )  # fmt: skip
        assert f"--format {fmt} is for a result" in said
