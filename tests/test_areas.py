"""Voting areas in one ballot file: per-area figures, electorate files, area tables."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest
from helpers import (
    BY_AREA,
    area_elections,
    classified_areas,
    refused,
    run,
    write,
)
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from svcount.cli import app
from svcount.count import (
    count,
    count_by_area,
    first_preferences,
)
from svcount.model import (
    Method,
    SeededLot,
)

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


# ----------------------------------------------------------------- areas read as names


def test_areas_differing_in_case_are_refused_naming_both(tmp_path):
    path = write(tmp_path, "first,second,area\nAnn,,Blaby\nBob,,Blaby\nAnn,,blaby\n")
    message = refused("tally", path)
    assert "voting area 'blaby' differs only in case from 'Blaby'" in message
    assert "b.csv" not in message and ":4:" in message


def test_areas_are_trimmed_and_normalised_like_names(tmp_path):
    path = write(tmp_path, "first,second,area\nAnn,,Blaby\nBob,, Blaby \nAnn,,Melton\n")
    doc = json.loads(run("tally", path, "-f", "json").stdout)
    assert [a["area"] for a in doc["areas"]] == ["Blaby", "Melton"]


def test_an_areas_file_with_a_case_clash_is_refused(tmp_path):
    areas = write(tmp_path, "area,electorate\nBlaby,10\nBLABY ,20\n", "areas.csv")
    path = write(tmp_path, "first,second,area\nAnn,,Blaby\n")
    message = refused("tally", path, "--electorate-file", areas)
    assert "area 'BLABY' and 'Blaby' differ only in case (lines 2 and 3)" in message


# ----------------------------------------------------------------- area tables


def test_area_tables_fit_80_columns_with_real_area_names(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    areas = [
        "Blaby", "Charnwood", "Harborough", "Hinckley and Bosworth", "Leicester", "Melton",
        "North West Leicestershire", "Oadby and Wigston", "Rutland",
    ]  # fmt: skip
    names = ["Willy Bach", "Neil Durban Bannister", "Sarah Hill", "David Sprason"]
    rows = [f"{names[i % 4]},{names[(i * 7) % 4]},{areas[i % 9]}" for i in range(20_000 + 500)]
    path = write(tmp_path, "first,second,area\n" + "\n".join(rows) + "\n")
    issued = "\n".join(f"{a},{100_000},{(20_500 // 9) + (1 if i < 20_500 % 9 else 0) + (i == 5)}"
                       for i, a in enumerate(areas))  # fmt: skip
    electorate = write(tmp_path, "area,electorate,ballot_papers_issued\n" + issued + "\n", "a.csv")
    result = run("tally", path, "--electorate-file", electorate, "--seed", "1")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in result.stdout.split("by voting area", 1)[1]  # names wrap, never cut
    assert not any(line.split()[:1] == ["Leicestershire"] for line in lines)  # never split
    assert sum(" North West Leicestershire " in line for line in lines) >= 5
    total = [line for line in lines if line.split()[:1] == ["Total"] and "CHECK" in line]
    assert total and "20,501" in total[-1]  # the papers issued, summed


def test_the_results_pages_total_row_gives_the_papers_issued_as_the_text_does():
    """Issue 36: every format says the same: the page's Total row gives the papers issued in
    all and issued less counted, as the text table's does."""
    import re

    from helpers import ROOT

    by_area = ROOT / "examples" / "by-area"
    args = (str(by_area / "all.csv"), "-c", str(by_area / "candidates.txt"), "--area-column",
            "area", "--electorate-file", str(by_area / "areas.csv"))  # fmt: skip
    page = run("tally", *args, "-f", "html").stdout
    total = re.search(r'<tfoot><tr><th scope="row">Total</th>(.*?)</tr></tfoot>', page)
    assert total is not None
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", total.group(1))
    assert cells[-2:] == ["621", "+1 check"]
    assert "621" in run("tally", *args).stdout  # the table's Total row
