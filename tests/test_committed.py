"""Comparison audits against records committed before the seed is rolled (issue 35): a CVR
file, or the count's own sealed packets (README, "Risk-limiting audits")."""

from __future__ import annotations

import csv
import dataclasses
import json
import subprocess
import sys
from collections import Counter

import pytest
from helpers import ROOT, refused, run, write_sealed

from svcount.count import count
from svcount.model import Ballots, Candidate, Method, NotCounted
from svcount.operations.assertions import plan
from svcount.operations.assess import assess
from svcount.operations.committed import NOT_TRANSFERRED, _classes
from svcount.operations.sampling import Draw

LLR = ROOT / "examples" / "llr-2016"
PACKETS = LLR / "audit" / "packets.csv"
SEED = "32795213463457212049"
COUNT = [str(LLR / "ballots.csv.gz"), "-c", str(LLR / "candidates.csv")]


def _packet_audit(tmp_path, size, *board, packets=PACKETS):
    plan_file, sample_file, readings = (tmp_path / n for n in ("plan.json", "s.json", "r.csv"))
    made = run("rla", "plan", *COUNT, "--packets", packets, "-f", "json", "-o", plan_file)
    assert made.exit_code == 0, made.output
    drawn = run("rla", "sample", packets, "--seed", SEED, "--size", size, "-o", sample_file)
    assert drawn.exit_code == 0, drawn.output
    with readings.open("w") as out:
        subprocess.run(
            [sys.executable, LLR / "audit" / "board.py", packets, LLR / "ballots.csv.gz",
             sample_file, "--packets", *board],
            stdout=out, check=True,
        )  # fmt: skip
    return plan_file, sample_file, readings


def test_the_packets_of_llr_2016_confirm_the_result_in_49_papers(tmp_path):
    """The count's own plain assertions, compared with the packets' labels: Super-simple's
    49 papers suffice when every paper is as labelled; misread ones are overstatements."""
    plan_file, sample_file, readings = _packet_audit(tmp_path, 49)
    doc = json.loads(plan_file.read_text())
    assert doc["assertion_set"] == "plain" and doc["records"]["kind"] == "packets"
    assert doc["records"]["papers"] == 155_661
    assert doc["sample_sizes"]["comparison_super_simple"] == 49
    done = run("rla", "assess", plan_file, sample_file, readings, "-f", "json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["audit"] == "comparison"
    (tmp_path / "misread").mkdir()
    _, _, misread = _packet_audit(tmp_path / "misread", 49, "--misread", "2")
    grown = run("rla", "assess", plan_file, sample_file, misread, "-f", "json")
    assert grown.exit_code == 4, grown.output
    assert any(a["seen"]["o1"] + a["seen"]["o2"] for a in json.loads(grown.stdout)["assertions"])


def _edited(tmp_path, edit):
    with PACKETS.open(newline="") as f:
        rows = list(csv.reader(f))
    edit(rows)
    path = tmp_path / "packets.csv"
    with path.open("w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return path


def _relabel(row, first, to=""):
    row[2], row[3] = first, to


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda r: r[1].__setitem__(1, "499"), "the packets hold 67,990 of Willy Bach's papers"),
        (lambda r: _relabel(r[1], "Neil Durban Bannister"), "of Neil Durban Bannister's papers"),
        (lambda r: _relabel(r[-1], "Unmarked"), "papers rejected as unmarked"),
        (lambda r: _relabel(r[1], "Ann Other"), "'Ann Other' is neither a candidate nor a heading"),
        (lambda r: _relabel(r[1], "Willy Bach", "Sarah Hill"), "Willy Bach's papers were not"),
        (lambda r: _relabel(r[250], "Sarah Hill", "David Sprason"), "transferred to one of"),
        (lambda r: _relabel(r[-1], "Void for uncertainty", "Willy Bach"), "rejected papers is"),
        (lambda r: r[2].__setitem__(0, "P0001"), "the packet 'P0001' is listed twice"),
        (lambda r: r[1].__setitem__(1, "five"), "a packet's papers are a whole number"),
        (lambda r: r[0].__setitem__(2, "marks"), "a packet manifest's header has packet"),
    ],
)
def test_packets_that_do_not_add_up_to_the_count_are_refused(tmp_path, edit, said):
    path = _edited(tmp_path, edit)
    assert said in refused("rla", "plan", *COUNT, "--packets", path)


def test_records_given_after_the_seed_are_refused(tmp_path):
    plain = tmp_path / "plain.json"
    assert run("rla", "plan", *COUNT, "-f", "json", "-o", plain).exit_code == 0
    plan_file, sample_file, readings = _packet_audit(tmp_path, 49)
    said = refused("rla", "assess", plain, sample_file, readings, "--recorded", readings)
    assert "the plan commits no records" in said
    said = refused("rla", "assess", plan_file, sample_file, readings, "--recorded", readings)
    assert "not the records the plan committed (packets" in said
    moved = tmp_path / "moved.csv"
    moved.write_bytes(PACKETS.read_bytes())
    again = run("rla", "assess", plan_file, sample_file, readings, "--recorded", moved)
    assert again.exit_code == 0, again.output


def test_a_packet_audit_is_drawn_from_the_packet_manifest(tmp_path):
    plan_file, _, readings = _packet_audit(tmp_path, 49)
    boxes = tmp_path / "boxes.json"
    drawn = run("rla", "sample", LLR / "audit" / "manifest.csv", "--seed", SEED, "--size", 49,
                "-o", boxes)  # fmt: skip
    assert drawn.exit_code == 0
    assert "drawn from another manifest than the committed packets" in refused(
        "rla", "assess", plan_file, boxes, readings
    )


def test_cvrs_that_do_not_count_to_the_count_are_refused(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("first,second\nWilly Bach,\n")
    said = refused("rla", "plan", *COUNT, "--cvrs", other)
    assert "--cvrs" in said and "do not count to the count's own" in said
    both = refused("rla", "plan", *COUNT, "--cvrs", other, "--packets", PACKETS)
    assert "one set of records" in both


def test_an_aggregated_cvr_file_gives_each_paper_its_rows_vote(tmp_path):
    """The k-th paper of the records is the manifest's k-th, a row of n papers n of them."""
    ballots = tmp_path / "b.csv"
    ballots.write_text("first,second,papers\nAnn,,3\nBob,Ann,2\nAnn,Bob,4\n")
    manifest = tmp_path / "m.csv"
    manifest.write_text("box,papers\nA,4\nB,5\n")
    plan_file, sample_file = tmp_path / "p.json", tmp_path / "s.json"
    assert (
        run("rla", "plan", ballots, "--cvrs", ballots, "-f", "json", "-o", plan_file).exit_code == 0
    )
    assert (
        run("rla", "sample", manifest, "--seed", "1", "--size", 30, "-o", sample_file).exit_code
        == 0
    )
    truth = {("A", i): o for i, o in enumerate(["Ann,"] * 3 + ["Bob,Ann"], 1)}
    truth |= {("B", i): o for i, o in enumerate(["Bob,Ann"] + ["Ann,Bob"] * 4, 1)}
    readings = tmp_path / "r.csv"
    readings.write_text("box,position,first,second\n" + "".join(
        f"{b},{p},{o}\n" for (b, p), o in truth.items()))  # fmt: skip
    done = run("rla", "assess", plan_file, sample_file, readings, "-f", "json")
    seen = [a["seen"] for a in json.loads(done.stdout)["assertions"]]
    assert seen and all(s == {"o1": 0, "o2": 0, "u1": 0, "u2": 0} for s in seen), done.output


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.__setitem__("assertion_set", "best"),
        lambda d: d.__setitem__("assertion_set", "some"),
        lambda d: d["records"].__setitem__("papers", 100),
        lambda d: d["records"].__setitem__("kind", "ballots"),
        lambda d: d["records"].__setitem__("sha256", "0" * 64),
        lambda d: d.pop("records"),
    ],
)
def test_an_edited_packet_plan_never_stops_the_audit(tmp_path, edit):
    plan_file, sample_file, readings = _packet_audit(tmp_path, 49)
    doc = json.loads(plan_file.read_text())
    edit(doc)
    write_sealed(plan_file, doc)
    shown = run("rla", "assess", plan_file, sample_file, readings)
    assert shown.exit_code != 0, shown.output


def test_a_tie_for_second_cannot_be_audited_by_its_packets(tmp_path):
    ballots = tmp_path / "tie.csv"
    ballots.write_text("first,second,papers\nAnn,,40\nBob,Ann,20\nCy,Ann,20\nDee,Ann,5\n")
    packets = tmp_path / "p.csv"
    packets.write_text("packet,papers,first,transferred_to\n1,40,Ann,\n2,20,Bob,\n3,20,Cy,\n"
                       "4,5,Dee,Ann\n")  # fmt: skip
    said = refused("rla", "plan", ballots, "--packets", packets, "-q")
    assert "an equality for second place kept 3 candidates in" in said


# --------------------------------------------------------------------------- soundness


def _label(paper, result):
    """A paper as its packet's label records it: its first preference, and for an excluded
    candidate's paper where it went at stage two (the class ``_classes`` counts)."""
    first, second = paper
    if first not in result.stage_one.excluded or result.stage_two is None:
        return first, NotCounted.BLANK
    went = second if isinstance(second, str) and second != first else None
    return first, went if went in result.stage_one.remaining else NotCounted.BLANK


def _wrongly_packed(rng):
    """True papers, sorted into packets whose labels (bundles of 10 of the winner's papers
    labelled as another's, one at a time) name the wrong winner; or None."""
    names = ["Ann", "Bob", "Cy", "Dee"][: int(rng.integers(3, 5))]
    weights = rng.dirichlet([2.0] * len(names))
    papers = []
    for _ in range(int(rng.integers(400, 801))):
        first = names[rng.choice(len(names), p=weights)]
        second = rng.choice([*(n for n in names if n != first), NotCounted.BLANK])
        papers.append((first, str(second) if second != NotCounted.BLANK else second))
    roster = tuple(Candidate(c) for c in names)
    truth = count(Ballots(roster, dict(Counter(papers))), Method.SV)
    if truth.winner is None:
        return None
    thief = names[int(rng.integers(len(names)))]
    if thief == truth.winner:
        return None
    recorded = list(papers)
    moved = 0
    for i, (first, second) in enumerate(papers):
        if first != truth.winner:
            continue
        recorded[i] = (thief, second if second != thief else NotCounted.BLANK)
        moved += 1
        if moved % 10:
            continue  # a bundle at a time
        reported = Ballots(roster, dict(Counter(recorded)))
        told = count(reported, Method.SV)
        if told.winner == thief and len(told.stage_one.remaining) <= 2:
            return papers, recorded, reported, told
    return None


@pytest.mark.slow
def test_audits_of_mislabelled_packets_seldom_stop():
    """Soundness by simulation: packets whose labels (bundles relabelled, papers in the
    wrong packet) name the wrong winner. Comparison audits of the true papers against
    the labels, in three rounds of up to 400 draws, stop no more often than α allows."""
    import numpy as np

    rng = np.random.default_rng(35)
    alpha, stopped, audits, elections = 0.1, 0, 0, 0
    while elections < 50:
        made = _wrongly_packed(rng)
        if made is None:
            continue
        papers, recorded, reported, told = made
        elections += 1
        planned = dataclasses.replace(plan(reported, told, plain=True), risk_limit=alpha)
        truth = {("p", k): paper for k, paper in enumerate(papers, 1)}
        shown = {("p", k): _label(paper, told) for k, paper in enumerate(recorded, 1)}
        for _ in range(10):
            audits += 1
            drawn = rng.integers(1, len(papers) + 1, size=400)
            for n in (100, 200, 400):
                draws = [Draw("", "p", int(i), 1) for i in drawn[:n]]
                if assess(planned, draws, truth, shown, estimate=False).verdict == "stop":
                    stopped += 1
                    break
    rate = stopped / audits
    assert rate <= alpha + 3 * (alpha * (1 - alpha) / audits) ** 0.5, rate


def test_labels_are_the_classes_the_packets_are_checked_against():
    """The simulation's labels, counted, are the count's packet classes."""
    ballots = Ballots(
        (Candidate("Ann"), Candidate("Bob"), Candidate("Cy")),
        {("Ann", "Cy"): 5, ("Bob", NotCounted.BLANK): 4, ("Cy", "Ann"): 2, ("Cy", "Cy"): 1},
    )
    result = count(ballots, Method.SV)
    labels = Counter()
    for paper, n in ballots.pairs.items():
        first, second = _label(paper, result)
        labels[(first, second if isinstance(second, str) else "")] += n
    classes = {
        (f, "" if t == NOT_TRANSFERRED else t): n for (f, t), n in _classes(ballots, result).items()
    }
    assert labels == Counter(classes)


def test_an_assessment_is_sealed_and_its_discrepancies_explained(tmp_path):
    from svcount.documents.seal import canonical_digest

    plan_file, sample_file, readings = _packet_audit(tmp_path, 49)
    doc = json.loads(run("rla", "assess", plan_file, sample_file, readings, "-f", "json").stdout)
    digest = doc.pop("digest")
    assert digest == canonical_digest(doc)
    table = run("rla", "assess", plan_file, sample_file, readings).stdout
    assert "o1, o2: papers whose reading gives the reported winner" in " ".join(table.split())


def test_a_plan_and_an_assessment_show_themselves_in_a_notebook(tmp_path):
    """Issue 37: a short repr, the table as HTML (names escaped), Markdown and a DataFrame."""
    import svcount.rla
    from svcount.operations.assertions import read_plan
    from svcount.operations.assess import read_papers
    from svcount.operations.sampling import read_sample, verified

    planned = svcount.rla.plan(str(LLR / "ballots.csv.gz"), candidates=str(LLR / "candidates.csv"))
    said = repr(planned)
    assert said.startswith("<Plan: Willy Bach; 5 assertions") and len(said) < 200
    assert "49 papers to compare" in said
    assert planned.to_frame()["margin"].tolist() == [19883, 27599, 29143, 48632, 50176]
    assert planned.to_markdown().splitlines()[0].startswith("| assertion | winner |")
    assert "<table>" in planned._repr_html_() and "&lt;Plan" in planned._repr_html_()
    plan_file, sample_file, readings = _packet_audit(tmp_path, 49)
    found, ballots, result = read_plan(str(plan_file))
    _, draws = verified(read_sample(str(sample_file)), found.ballot_papers)
    read = read_papers(str(readings), found.candidates, found.method)
    polled = svcount.rla.assess(found, draws, read)
    assert repr(polled).startswith("<Assessment: ") and "polling, 49 draws" in repr(polled)
    assert list(polled.to_frame().columns)[:2] == ["assertion", "winner"]
    assert "<td>" in polled._repr_html_() and "| risk |" in polled.to_markdown()
    assert ballots is not None and result.winner == "Willy Bach"


def test_margins_show_themselves_in_a_notebook():
    """Issue 37: the margins too: a one-line repr, HTML, Markdown and a DataFrame."""
    import svcount

    quick = ROOT / "examples" / "quickstart"
    found = svcount.margin(str(quick / "ballots.csv"), candidates=str(quick / "candidates.csv"))
    assert repr(found) == "<Margins: Bob Baker; change 1, add 2, remove 2 papers>"
    assert found.to_frame()["papers"].tolist() == [1, 2, 2]
    assert "| change | 1 | True | 1 |" in found.to_markdown()
    assert "<table>" in found._repr_html_()
