"""Voting areas: per-area figures, electorate files, and the staged local/PARO count."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import write_sealed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from svcount.cli import app
from svcount.count import (
    Candidate,
    Method,
    SeededLot,
    count,
    count_by_area,
    declare_areas,
    first_preferences,
    stage_one,
    transfers,
)
from svcount.marks import classify

ROOT = Path(__file__).resolve().parent.parent
BY_AREA = ROOT / "examples" / "by-area"
POOL = ["Ann", "Bob", "Cy", "Dee", "Eve"]
AREAS = ["Blaby", "Melton", "Rutland", "Oadby and Wigston"]


def run(*args, input=None):
    return CliRunner().invoke(app, [str(a) for a in args], input=input)


def without_provenance(text):
    doc = json.loads(text)
    doc.pop("input")
    doc.pop("options")
    return doc


# ----------------------------------------------------------------- one file


@pytest.mark.parametrize("header", ["first,second,area", "first,second,Voting Area"])
def test_the_area_column_is_detected(tmp_path, header):
    path = tmp_path / "b.csv"
    path.write_text(f"{header}\nAnn,Bob,Blaby\nBob,,Melton\nAnn,,Blaby\n")
    doc = json.loads(run("tally", path, "-f", "json").stdout)
    assert [a["area"] for a in doc["areas"]] == ["Blaby", "Melton"]
    assert doc["areas"][0]["first_preferences"] == {"Ann": 2, "Bob": 0}


def test_the_area_column_can_be_named(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("first,second,council\nAnn,Bob,Blaby\nBob,,Melton\nAnn,,Blaby\n")
    assert json.loads(run("tally", path, "-f", "json").stdout)["areas"] == []
    doc = json.loads(run("tally", path, "-f", "json", "--area-column", "council").stdout)
    assert [a["area"] for a in doc["areas"]] == ["Blaby", "Melton"]


def test_a_paper_without_an_area_is_an_error_with_its_line(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("first,second,area\nAnn,Bob,Blaby\nBob,, \n")
    result = run("tally", path)
    assert result.exit_code == 2
    assert "b.csv:3: a paper has no voting area (the area is blank) (1 paper)" in result.stderr


def test_per_area_figures_in_json_and_csv():
    doc = json.loads(
        run(
            "tally",
            BY_AREA / "all.csv",
            "-c",
            BY_AREA / "candidates.txt",
            "--electorate-file",
            BY_AREA / "areas.csv",
            "-f",
            "json",
        ).stdout
    )
    blaby = doc["areas"][0]
    assert blaby["area"] == "Blaby" and blaby["ballot_papers"] == 300
    assert blaby["turnout"]["ballot_papers_pct"] == 30.0
    assert set(blaby) >= {
        "first_preferences",
        "second_preferences",
        "final",
        "rejected",
        "second_preferences_not_counted",
        "non_transferable",
    }
    melton = doc["areas"][1]
    assert (melton["ballot_papers_issued"], melton["issued_minus_counted"]) == (201, 1)
    assert doc["turnout"]["electorate"] == 2400
    rows = list(csv.DictReader(io.StringIO(run("tally", BY_AREA / "all.csv", "-f", "csv").stdout)))
    assert {r["area"] for r in rows} == {"", "Blaby", "Melton", "Rutland"}
    assert sum(int(r["first_preferences"]) for r in rows if r["area"] and r["stage"] == "1") == sum(
        int(r["first_preferences"]) for r in rows if not r["area"] and r["stage"] == "1"
    )


def test_issued_and_counted_differences_are_flagged():
    result = run("tally", BY_AREA / "all.csv", "--electorate-file", BY_AREA / "areas.csv")
    assert "Melton: 201 ballot papers issued but 200 counted" in result.stderr
    assert "+1 CHECK" in result.stdout


@pytest.mark.parametrize(
    ("areas", "message"),
    [
        ("area,electorate\nBlaby,1000\nMelton,900\n", "in the ballots but not the file: Rutland"),
        (
            "area,electorate\nBlaby,1000\nMelton,900\nRutland,500\nDerby,9\n",
            "in the file but not the ballots: Derby",
        ),
        ("area,electorate\nBlaby,1000\nBlaby,900\n", "area 'Blaby' is listed twice"),
        ("area,electorate\nBlaby,lots\n", "electorate 'lots' is not a whole number"),
        ("area\nBlaby\n", "the header needs the columns area,electorate"),
        (
            "area,electorate\nBlaby,10\nMelton,900\nRutland,500\n",
            "the electorate of Blaby, 10, is smaller than the 300 ballot papers",
        ),
    ],
)
def test_bad_electorate_files(tmp_path, areas, message):
    path = tmp_path / "areas.csv"
    path.write_text(areas)
    result = run("tally", BY_AREA / "all.csv", "--electorate-file", path)
    assert result.exit_code == 2 and message in result.stderr, result.stderr


def test_electorate_file_needs_areas(tmp_path):
    result = run("tally", BY_AREA / "blaby.csv", "--electorate-file", BY_AREA / "areas.csv")
    assert result.exit_code == 2 and "needs voting areas" in result.stderr


def test_area_tables_fit_80_columns():
    """9 areas and 6 candidates (the LLR 2024 shape): nothing cut, nothing wider than 80."""
    names = [
        "Rupert Oliver Matthews",
        "Rory Palmer",
        "Aasiya Bora",
        "Ian Robert Sharpe",
        "Fizza Askari",
        "Neil Durban Bannister",
    ]
    areas = [
        "Blaby",
        "Charnwood",
        "Harborough",
        "Hinckley and Bosworth",
        "Leicester",
        "Melton",
        "North West Leicestershire",
        "Oadby and Wigston",
        "Rutland",
    ]
    lines = ["vote,area"] + [
        f"{n},{a}"
        for i, a in enumerate(areas)
        for j, n in enumerate(names)
        for _ in range((i + 1) * (j + 2))
    ]
    result = CliRunner().invoke(
        app, ["tally", "-"], input="\n".join(lines) + "\n", env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert not [line for line in result.stdout.splitlines() if "…" in line and "sha256" not in line]
    assert "North West Leicestershire" in result.stdout


# ----------------------------------------------------------------- properties


@st.composite
def area_elections(draw):
    names = draw(st.lists(st.sampled_from(POOL), min_size=2, max_size=5, unique=True))
    field = st.one_of(
        st.sampled_from(names),
        st.sampled_from(names),
        st.just(""),
        st.just("?"),
        st.builds("|".join, st.lists(st.sampled_from(names), min_size=2, max_size=2)),
    )
    kinds = draw(st.lists(st.tuples(field, field, st.sampled_from(AREAS)), min_size=1, max_size=14))
    copies = draw(st.lists(st.integers(1, 6), min_size=len(kinds), max_size=len(kinds)))
    rows = [k for k, n in zip(kinds, copies, strict=True) for _ in range(n)]
    return names, rows


def classified_areas(names, rows):
    candidates = [Candidate(n) for n in names]
    union = Counter((f, s, "") for f, s, _ in rows)
    classified = classify(union, candidates)
    by_area: dict[str, Counter] = {}
    for f, s, a in rows:
        by_area.setdefault(a, Counter())[(f, s, "")] += 1
    return classified, {a: classified.ballots_for(c) for a, c in sorted(by_area.items())}


@given(area_elections(), st.sampled_from(list(Method)))
def test_counting_by_area_declares_what_one_count_declares(election, method):
    names, rows = election
    classified, areas = classified_areas(*election)
    try:
        whole = count(classified.ballots, method, lot=SeededLot(1))
    except Exception as exc:
        with pytest.raises(type(exc)):
            count_by_area(areas, method, lot=SeededLot(1))
        return
    by_area = count_by_area(areas, method, lot=SeededLot(1))
    assert replace(by_area, areas=()) == whole
    # Every figure of the areas adds up to the whole.
    for name in names:
        assert sum(a.first.votes[name] for a in by_area.areas) == whole.stage_one.votes[name]
    assert sum(a.first.ballot_papers for a in by_area.areas) == whole.ballot_papers
    for heading, n in first_preferences(classified.ballots).rejected.items():
        assert sum(a.first.rejected[heading] for a in by_area.areas) == n
    if whole.stage_two:
        for name, n in whole.stage_two.transfers.items():
            assert sum(a.transfers.transfers[name] for a in by_area.areas) == n
        assert (
            sum(a.transfers.excluded_papers for a in by_area.areas)
            == whole.stage_two.excluded_papers
        )


@given(area_elections())
def test_local_counts_combine_to_the_declaration(election):
    _, areas = classified_areas(*election)
    firsts = {a: first_preferences(b) for a, b in areas.items()}
    try:
        stage = stage_one(sum(list(firsts.values())[1:], list(firsts.values())[0]))
    except Exception:
        return
    moved = {a: transfers(b, stage.remaining) for a, b in areas.items()} if stage.remaining else {}
    assert declare_areas(firsts, moved, lot=SeededLot(3)) == count_by_area(areas, lot=SeededLot(3))


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(area_elections())
def test_staged_files_equal_the_single_file_count(tmp_path, election):
    """The whole count-night protocol through the command line, for random splits."""
    names, rows = election
    for old in tmp_path.iterdir():
        old.unlink()
    (tmp_path / "candidates.txt").write_text("\n".join(names) + "\n")
    with open(tmp_path / "all.csv", "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([("first", "second", "area"), *rows])
    single = run(
        "tally",
        tmp_path / "all.csv",
        "-c",
        tmp_path / "candidates.txt",
        "-f",
        "json",
        "--seed",
        "5",
    )
    if single.exit_code == 2:
        return  # no valid papers: nothing to combine either
    areas = sorted({a for _, _, a in rows})
    cands = ["-c", tmp_path / "candidates.txt"]
    for area in areas:
        out = tmp_path / f"{area}-1.json"
        assert (
            run(
                "tally", tmp_path / "all.csv", *cands, "--stage", "first", "--area", area, "-o", out
            ).exit_code
            == 0
        )
    firsts = [tmp_path / f"{a}-1.json" for a in areas]
    total = tmp_path / "total.json"
    assert run("combine", *firsts, "-o", total, "-f", "json", "--seed", "5").exit_code in (0, 3)
    seconds = []
    if json.loads(total.read_text())["schema"] == "svcount-total/1":
        for area in areas:
            out = tmp_path / f"{area}-2.json"
            result = run(
                "tally",
                tmp_path / "all.csv",
                *cands,
                "--stage",
                "second",
                "--area",
                area,
                "--remaining-from",
                total,
                "-o",
                out,
            )
            assert result.exit_code == 0, result.stderr
            seconds.append(out)
        combined = run("combine", *firsts, *seconds, "-f", "json", "--seed", "5").stdout
    else:
        combined = total.read_text()
    assert without_provenance(combined) == without_provenance(single.stdout)


# ----------------------------------------------------------------- refusals


FIRSTS = ["blaby-1.json", "melton-1.json", "rutland-1.json"]
SECONDS = ["blaby-2.json", "melton-2.json", "rutland-2.json"]


def test_staged_equals_the_single_file(staged):
    combined = run("combine", *FIRSTS, *SECONDS, "-f", "json", "--electorate-file", "areas.csv")
    single = run(
        "tally",
        BY_AREA / "all.csv",
        "-c",
        "candidates.txt",
        "-f",
        "json",
        "--electorate-file",
        "areas.csv",
    )
    assert combined.exit_code == 0
    assert without_provenance(combined.stdout) == without_provenance(single.stdout)
    doc = json.loads(combined.stdout)
    assert [p["area"] for p in doc["input"]["local_counts"]] == ["Blaby", "Melton", "Rutland"] * 2


def test_the_total_names_who_remains(staged):
    total = json.loads((staged / "total.json").read_text())
    assert total["schema"] == "svcount-total/1" and total["remaining"] == ["Ann", "Bob"]
    assert total["areas"] == ["Blaby", "Melton", "Rutland"]


def refused(*args):
    result = run("combine", *args)
    assert result.exit_code == 2 and "Traceback" not in result.output
    return result.stderr


def test_combine_refuses_two_counts_of_one_area(staged):
    shutil.copy("blaby-1.json", "blaby-again.json")
    assert "a second first-stage count for 'Blaby'" in refused(*FIRSTS, "blaby-again.json")


def test_combine_refuses_another_election(staged):
    doc = json.loads(Path("melton-1.json").read_text())
    doc["candidates"][0]["name"] = "Anne"
    doc["first_preferences"]["Anne"] = doc["first_preferences"].pop("Ann")
    write_sealed("melton-1.json", doc)
    assert "a different election: its candidate list differs" in refused(*FIRSTS)


def test_combine_refuses_transfers_for_other_remaining_candidates(staged):
    doc = json.loads(Path("rutland-2.json").read_text())
    doc["remaining"] = ["Ann", "Cy"]
    moved = sum(doc["transfers"].values())  # the file's own sums still hold
    doc["transfers"] = {"Ann": moved - 1, "Cy": 1}
    write_sealed("rutland-2.json", doc)
    message = refused(*FIRSTS, *SECONDS)
    assert (
        "the second count for 'Rutland' was made for Ann, Cy remaining, but the first "
        "counts leave Ann, Bob" in message
    )


def test_combine_refuses_a_missing_area(staged):
    assert "missing Rutland" in refused("blaby-1.json", "melton-1.json", "--areas", "areas.csv")


def test_combine_refuses_second_counts_without_first_counts(staged):
    assert "second-stage counts without a first-stage count: Rutland" in refused(
        "blaby-1.json", "melton-1.json", *SECONDS
    )


def test_combine_refuses_a_missing_second_count(staged):
    assert "second-stage counts are missing for: Rutland" in refused(
        *FIRSTS, "blaby-2.json", "melton-2.json"
    )


def test_combine_refuses_files_that_are_not_local_counts(staged):
    assert "not a local count file" in refused("total.json")
    Path("junk.json").write_text("[1, 2]")
    assert "not an svcount count file" in refused("junk.json")


def test_a_local_count_needs_a_candidate_list_and_an_area(staged):
    result = run("tally", "blaby.csv", "--stage", "first", "--area", "Blaby")
    assert result.exit_code == 2 and "--stage needs --candidates" in result.stderr
    result = run("tally", "blaby.csv", "-c", "candidates.txt", "--stage", "first")
    assert result.exit_code == 2 and "--stage needs --area NAME" in result.stderr
    result = run("tally", BY_AREA / "all.csv", "-c", "candidates.txt", "--stage", "first")
    assert result.exit_code == 2 and "holds 3 voting areas: choose one with --area" in result.stderr
    result = run("tally", "blaby.csv", "--area", "Blaby")
    assert result.exit_code == 2 and "give --stage" in result.stderr


def test_a_second_count_needs_a_total_that_leaves_candidates_remaining(staged):
    result = run(
        "tally", "blaby.csv", "-c", "candidates.txt", "--stage", "second", "--area", "Blaby"
    )
    assert result.exit_code == 2 and "needs --remaining-from" in result.stderr
    result = run(
        "tally",
        "blaby.csv",
        "-c",
        "candidates.txt",
        "--stage",
        "second",
        "--area",
        "Blaby",
        "--remaining-from",
        "blaby-1.json",
    )
    assert result.exit_code == 2 and "not a police-area total" in result.stderr
