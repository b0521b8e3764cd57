"""The staged count across files: local counts, the PARO's total, combine and its refusals."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from helpers import BY_AREA, area_elections, classified_areas, run, without_provenance, write_sealed
from hypothesis import HealthCheck, given, settings

from svcount.count import (
    count_by_area,
    declare_areas,
    first_preferences,
    stage_one,
    transfers,
)
from svcount.model import (
    SeededLot,
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
