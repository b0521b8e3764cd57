"""The per-paper audit trail: aggregating it reproduces every figure of the result."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import Counter

import pytest
from helpers import ENGINES, EXAMPLES, run, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svcount.count import count, count_by_area
from svcount.io import load
from svcount.model import Candidate, SeededLot
from svcount.names import normal
from svcount.operations.audit import AUDIT_HEADER, STATUSES, write_audit


def read_audit(path):
    raw = path.read_bytes()
    text = gzip.decompress(raw).decode() if str(path).endswith(".gz") else raw.decode()
    return list(csv.DictReader(io.StringIO(text)))


def aggregate(rows):
    """Every figure the audit file adds up to, as the JSON result names them."""
    rejected, moved, lost, final, first = Counter(), Counter(), Counter(), Counter(), Counter()
    for row in rows:
        status = row["status"]
        assert status in STATUSES
        if status == "rejected":
            assert row["candidate"] == "" and row["reason"]
            rejected[row["reason"]] += 1
            continue
        first[normal(row["first"].split("|")[0])] += 1
        if status == "not_transferred":
            assert row["candidate"] == ""
            lost[row["reason"]] += 1
        if status == "transferred":
            moved[row["candidate"]] += 1
        if row["candidate"]:
            final[row["candidate"]] += 1
    return {
        "ballot_papers": len(rows),
        "rejected": dict(rejected),
        "transferred": dict(moved),
        "not_transferred": dict(lost),
        "final": dict(final),
        "valid": sum(first.values()),
    }


def figures_of(result):
    two = result.stage_two
    return {
        "ballot_papers": result.ballot_papers,
        "rejected": {h.value: n for h, n in result.rejected.items() if n},
        "transferred": {n: v for n, v in two.transfers.items() if v} if two else {},
        "not_transferred": {h.value: n for h, n in two.non_transferable.items() if n}
        if two
        else {},
        "final": {n: v for n, v in result.final.items() if v},
        "valid": result.valid,
    }


POOL = ["Ann", "Bob", "Cy", "Dee"]


@st.composite
def ballot_files(draw):
    names = draw(st.lists(st.sampled_from(POOL), min_size=2, max_size=4, unique=True))
    field = st.one_of(
        st.sampled_from(names), st.sampled_from(names), st.just(""), st.just("?"),
        st.builds("|".join, st.lists(st.sampled_from(names), min_size=2, max_size=2)),
    )  # fmt: skip
    rejected = st.sampled_from(["", "", "", "", "want of official mark", "identifying mark"])
    area = st.sampled_from(["Blaby", "Melton"])
    kinds = draw(st.lists(st.tuples(field, field, rejected, area), min_size=1, max_size=10))
    copies = draw(st.lists(st.integers(1, 5), min_size=len(kinds), max_size=len(kinds)))
    rows = [k for k, n in zip(kinds, copies, strict=True) for _ in range(n)]
    return names, draw(st.permutations(rows)), draw(st.booleans())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ballot_files(), st.sampled_from(ENGINES), st.sampled_from(["sv", "fptp"]))
def test_aggregating_the_audit_reproduces_every_figure(tmp_path, election, engine, method):
    names, rows, with_area = election
    header = "first,second,rejected" + (",area" if with_area else "")
    body = [",".join(r if with_area else r[:3]) for r in rows]
    path = write(tmp_path, header + "\n" + "\n".join(body) + "\n")
    from svcount.model import Method

    loaded = load(
        path,
        method=Method(method),
        candidates=[Candidate(n) for n in names],
        engine=engine,
    )
    if loaded.ballots.valid == 0:
        return
    lot = SeededLot(1)
    result = (
        count_by_area(loaded.areas, loaded.method, lot=lot)
        if loaded.areas is not None
        else count(loaded.ballots, loaded.method, lot=lot)
    )
    out = tmp_path / "audit.csv"
    write_audit(out, loaded, result)
    audit = read_audit(out)
    assert [int(r["line"]) for r in audit] == list(range(2, len(rows) + 2))
    assert [r["first"] for r in audit] == [r[0] for r in rows]
    assert aggregate(audit) == figures_of(result)
    if with_area:
        for area in result.areas:
            mine = [r for r in audit if r["area"] == area.name]
            assert len(mine) == area.first.ballot_papers


@pytest.mark.parametrize("example", ["llr-2012", "llr-2016", "llr-2024"])
def test_the_reference_elections_audit_to_their_published_figures(tmp_path, example):
    folder = EXAMPLES / example
    out = tmp_path / "audit.csv.gz"
    args = (folder / "ballots.csv.gz", "-c", folder / "candidates.csv")
    result = run("tally", *args, "--audit", out, "-f", "json", "--seed", "1")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    totals = aggregate(read_audit(out))
    assert totals["ballot_papers"] == doc["ballot_papers"]
    assert totals["final"] == {c["name"]: c["final"] for c in doc["candidates"] if c["final"]}
    assert totals["rejected"] == {k: v for k, v in doc["rejected"].items() if v and k != "total"}
    if len(doc["stages"]) > 1:
        lost = doc["stages"][1]["non_transferable"]
        assert totals["not_transferred"] == {k: v for k, v in lost.items() if v and k != "total"}


def test_the_header_and_a_row_are_as_documented(tmp_path):
    rows = ["Ann,Bob,Blaby", "Ann,,Blaby", "Ann,Cy,Blaby", "Cy,Bob,Blaby", "Bob,,Melton"]
    rows += ["Bob,Ann,Melton", "Bob,,Melton", "Dee,Dee,Melton", ",,Melton"]
    path = write(tmp_path, "first,second,area\n" + "\n".join(rows) + "\n")
    out = tmp_path / "a.csv"
    assert run("tally", path, "--audit", out).exit_code == 0
    lines = out.read_text().splitlines()
    assert lines[0] == ",".join(AUDIT_HEADER)
    assert lines[1:] == [
        "2,Blaby,Ann,Bob,counted_first,Ann,",
        "3,Blaby,Ann,,counted_first,Ann,",
        "4,Blaby,Ann,Cy,counted_first,Ann,",
        "5,Blaby,Cy,Bob,transferred,Bob,",
        "6,Melton,Bob,,counted_first,Bob,",
        "7,Melton,Bob,Ann,counted_first,Bob,",
        "8,Melton,Bob,,counted_first,Bob,",
        "9,Melton,Dee,Dee,not_transferred,,same_as_first",
        "10,Melton,,,rejected,,unmarked",
    ]


def test_lines_are_where_records_start_even_with_quoted_newlines(tmp_path):
    path = write(tmp_path, 'first,second,note\nAnn,Bob,"two\nlines"\n\nBob,,x\nAnn,,y\n')
    out = tmp_path / "a.csv"
    assert run("tally", path, "--audit", out).exit_code == 0
    assert [r["line"] for r in read_audit(out)] == ["2", "5", "6"]


def test_fptp_rejections_are_under_the_fptp_heading(tmp_path):
    path = write(tmp_path, 'vote\nAnn\n""\n?\nAnn|Bob\nBob\nAnn\n')
    out = tmp_path / "a.csv"
    assert run("tally", path, "--audit", out).exit_code == 0
    reasons = [r["reason"] for r in read_audit(out) if r["status"] == "rejected"]
    assert reasons == [
        "unmarked_or_void_for_uncertainty",
        "unmarked_or_void_for_uncertainty",
        "voting_for_more_than_one_candidate",
    ]


def test_cells_a_spreadsheet_would_run_are_neutralised(tmp_path):
    path = write(tmp_path, "first,second\n=SUM(A1),\n=SUM(A1),\n@x,\n")
    out = tmp_path / "a.csv"
    assert run("tally", path, "--audit", out).exit_code == 0
    assert read_audit(out)[0]["first"] == "'=SUM(A1)" and read_audit(out)[0]["candidate"] == (
        "'=SUM(A1)"
    )


def test_gzip_output_is_reproducible(tmp_path):
    ballots = EXAMPLES / "quickstart" / "ballots.csv"
    a, b = tmp_path / "a.csv.gz", tmp_path / "b.csv.gz"
    assert run("tally", ballots, "--audit", a).exit_code == 0
    assert run("tally", ballots, "--audit", b).exit_code == 0
    assert a.read_bytes() == b.read_bytes() and a.read_bytes()[:2] == b"\x1f\x8b"


def test_the_audit_is_refused_where_it_cannot_apply(tmp_path):
    ballots = EXAMPLES / "quickstart" / "ballots.csv"
    stdin = run("tally", "-", "--audit", tmp_path / "a.csv", input=ballots.read_text())
    assert stdin.exit_code == 2 and "not standard input" in stdin.stderr
    assert "is the input file" in run("tally", ballots, "--audit", ballots).stderr
    nowhere = run("tally", ballots, "--audit", tmp_path / "no" / "a.csv")
    assert nowhere.exit_code == 2 and "does not exist" in nowhere.stderr
    assert list(tmp_path.iterdir()) == []
