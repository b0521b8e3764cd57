"""The staged count across files: local counts, the PARO's total, combine and its refusals."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from helpers import (
    BY_AREA,
    FIRSTS,
    SECONDS,
    area_elections,
    classified_areas,
    refused,
    run,
    without_provenance,
    write_sealed,
)
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
    listed = tmp_path / "areas.csv"
    listed.write_text("area\n" + "".join(f"{a}\n" for a in areas))
    combined = ("combine", *firsts, "--areas", listed, "-o", total, "-f", "json", "--seed", "5")
    done = run(*combined)
    if done.exit_code == 2 and "hold the same papers" in done.stderr:
        return  # two areas of one mark table are refused, list or no list (issue 27, point 9)
    assert done.exit_code in (0, 3), done.stderr
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
        combined = run(
            "combine", *firsts, *seconds, "--areas", listed, "-f", "json", "--seed", "5"
        ).stdout
    else:
        combined = total.read_text()
    assert without_provenance(combined) == without_provenance(single.stdout)


# ----------------------------------------------------------------- refusals


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


def combine_refused(*args):
    result = run("combine", *args)
    assert result.exit_code == 2 and "Traceback" not in result.output
    return result.stderr


def test_combine_refuses_two_counts_of_one_area(staged):
    shutil.copy("blaby-1.json", "blaby-again.json")
    assert "a second first-stage count for 'Blaby'" in combine_refused(*FIRSTS, "blaby-again.json")


def test_combine_refuses_another_election(staged):
    doc = json.loads(Path("melton-1.json").read_text())
    doc["candidates"][0]["name"] = "Anne"
    doc["first_preferences"]["Anne"] = doc["first_preferences"].pop("Ann")
    write_sealed("melton-1.json", doc)
    assert "a different election: its candidate list differs" in combine_refused(*FIRSTS)


def test_combine_refuses_transfers_for_other_remaining_candidates(staged):
    doc = json.loads(Path("rutland-2.json").read_text())
    doc["remaining"] = ["Ann", "Cy"]
    moved = sum(doc["transfers"].values())  # the file's own sums still hold
    doc["transfers"] = {"Ann": moved - 1, "Cy": 1}
    write_sealed("rutland-2.json", doc)
    message = combine_refused(*FIRSTS, *SECONDS)
    assert (
        "the second count for 'Rutland' was made for Ann, Cy remaining, but the first "
        "counts leave Ann, Bob" in message
    )


def test_combine_refuses_a_missing_area(staged):
    assert "missing Rutland" in combine_refused(
        "blaby-1.json", "melton-1.json", "--areas", "areas.csv"
    )


def test_combine_refuses_second_counts_without_first_counts(staged):
    assert "second-stage counts without a first-stage count: Rutland" in combine_refused(
        "blaby-1.json", "melton-1.json", *SECONDS
    )


def test_combine_refuses_a_missing_second_count(staged):
    assert "second-stage counts are missing for: Rutland" in combine_refused(
        *FIRSTS, "blaby-2.json", "melton-2.json"
    )


def test_combine_refuses_files_that_are_not_local_counts(staged):
    assert "not a local count file" in combine_refused("total.json")
    Path("junk.json").write_text("[1, 2]")
    assert "not an svcount count file" in combine_refused("junk.json")


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


# ----------------------------------------------------------------- ties between files


def test_a_second_count_from_another_areas_ballots_is_refused_when_made(staged):
    message = refused(
        "tally", "melton.csv", "-c", "candidates.txt", "--stage", "second", "--area", "Blaby",
        "--remaining-from", "total.json", "-o", "blaby-2.json",
    )  # fmt: skip
    assert "melton.csv: Blaby's first count (blaby-1.json) was made from another ballot file" in (
        message
    )


def test_combine_refuses_a_second_count_relabelled_for_another_area(staged):
    doc = json.loads(Path("melton-2.json").read_text())
    doc["area"] = "Blaby"
    write_sealed("blaby-2.json", doc)
    message = refused("combine", *FIRSTS, *SECONDS, "--areas", "areas.csv")
    assert "blaby-2.json: the second count for 'Blaby' was made from another ballot file" in (
        message
    )
    assert "(compare blaby-1.json)" in message


def test_combine_refuses_a_second_count_whose_excluded_papers_differ_from_its_first_count(staged):
    doc = json.loads(Path("blaby-2.json").read_text())
    doc["excluded_papers"] -= 10
    doc["non_transferable"]["blank"] -= 10
    write_sealed("blaby-2.json", doc)
    message = refused("combine", *FIRSTS, *SECONDS)
    assert "the second count for 'Blaby' looked at" in message
    assert "but its first count gives them" in message and "blaby-1.json" in message


def test_combine_refuses_a_second_count_made_from_a_total_of_other_first_counts(staged):
    doc = json.loads(Path("rutland-2.json").read_text())
    doc["first_counts"]["Melton"] = "0" * 64
    write_sealed("rutland-2.json", doc)
    message = refused("combine", *FIRSTS, *SECONDS)
    assert "was made from a total (total.json) of other first counts" in message


def test_a_second_count_with_other_options_than_its_first_is_refused(staged):
    message = refused(
        "tally", "blaby.csv", "-c", "candidates.txt", "--stage", "second", "--area", "Blaby",
        "--remaining-from", "total.json", "--separator", ";", "--unknown-as-void",
    )  # fmt: skip
    assert "read with other options than Blaby's first count (blaby-1.json): --separator" in message


def test_combine_names_the_option_and_both_files_when_a_resealed_second_count_differs(staged):
    doc = json.loads(Path("blaby-2.json").read_text())
    doc["input"]["options"]["uncertain_marker"] = "??"
    write_sealed("blaby-2.json", doc)
    message = refused("combine", *FIRSTS, *SECONDS)
    assert "blaby-2.json: the second count for 'Blaby' read its ballots" in message
    assert "--uncertain-marker '??' here, " in message and "(compare blaby-1.json)" in message


def test_one_poll_has_one_rule_for_unknown_names(staged):
    doc = json.loads(Path("melton-1.json").read_text())
    doc["input"]["options"]["unknown_as_void"] = True
    write_sealed("melton-1.json", doc)
    message = refused("combine", *FIRSTS)
    assert "melton-1.json: one poll, one rule for unknown names" in message


def test_every_local_file_records_every_option_and_combine_records_each_file(staged):
    from svcount.options import RECORD_ORDER

    local = json.loads(Path("blaby-1.json").read_text())
    assert list(local["input"]["options"]) == list(RECORD_ORDER)
    result = json.loads(run("combine", *FIRSTS, *SECONDS, "-f", "json").stdout)
    given = result["input"]
    assert given["file"] == [*FIRSTS, *SECONDS]
    assert [p["file"] for p in given["local_counts"]] == [*FIRSTS, *SECONDS]
    for part in given["local_counts"]:
        assert len(part["sha256"]) == 64
        assert part["options"]["uncertain_marker"] == local["input"]["options"]["uncertain_marker"]


def test_the_staged_example_still_declares_241_to_203(staged):
    result = run("combine", *FIRSTS, *SECONDS, "-f", "json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 0
    assert doc["stages"][1]["totals"] == {"Ann": 241, "Bob": 203}


# ----------------------------------------------------------------- edited files


def test_a_hand_edited_local_file_is_refused_by_its_own_arithmetic(staged):
    doc = json.loads(Path("melton-1.json").read_text())
    doc["first_preferences"]["Bob"] += 1000
    Path("melton-1.json").write_text(json.dumps(doc))
    message = refused("combine", *FIRSTS, *SECONDS)
    assert "melton-1.json: the figures do not add up: first preferences sum to 1,195" in message


def test_a_consistently_edited_local_file_is_refused_by_its_digest(staged):
    doc = json.loads(Path("melton-1.json").read_text())
    doc["first_preferences"]["Bob"] += 1000
    doc["valid_votes"] += 1000
    doc["ballot_papers"] += 1000
    Path("melton-1.json").write_text(json.dumps(doc))
    message = refused("combine", *FIRSTS)
    assert "melton-1.json: its content does not match its digest" in message


def test_a_local_file_without_a_digest_is_refused(staged):
    doc = json.loads(Path("melton-1.json").read_text())
    del doc["digest"]
    Path("melton-1.json").write_text(json.dumps(doc))
    assert "has no digest of its figures" in refused("combine", *FIRSTS)


def test_a_second_count_whose_transfers_do_not_add_up_is_refused(staged):
    doc = json.loads(Path("blaby-2.json").read_text())
    doc["transfers"]["Ann"] += 5
    Path("blaby-2.json").write_text(json.dumps(doc))
    message = refused("combine", *FIRSTS, *SECONDS)
    assert "blaby-2.json: the figures do not add up" in message


def test_an_edited_total_is_refused_by_the_second_count(staged):
    doc = json.loads(Path("total.json").read_text())
    doc["remaining"] = ["Ann", "Cy"]
    Path("total.json").write_text(json.dumps(doc))
    message = refused(
        "tally", "blaby.csv", "-c", "candidates.txt", "--stage", "second", "--area", "Blaby",
        "--remaining-from", "total.json",
    )  # fmt: skip
    assert "total.json: the figures do not add up" in message


def test_a_total_with_its_digest_edited_is_refused(staged):
    doc = json.loads(Path("total.json").read_text())
    doc["svcount_version"] = "9.9"
    Path("total.json").write_text(json.dumps(doc))
    assert "total.json: its content does not match its digest" in refused(
        "tally", "blaby.csv", "-c", "candidates.txt", "--stage", "second", "--area", "Blaby",
        "--remaining-from", "total.json",
    )  # fmt: skip


# ----------------------------------------------------------------- readable local counts


def test_a_first_count_reads_as_a_table_when_asked(staged):
    result = run(
        "tally", "blaby.csv", "-c", "candidates.txt", "--stage", "first", "--area", "Blaby",
        "--format", "table",
    )  # fmt: skip
    assert result.exit_code == 0
    assert "Stage one: first preferences in Blaby" in result.stdout
    assert "Statement of rejected ballot papers" in result.stdout
    assert not result.stdout.lstrip().startswith("{")


def test_combine_of_first_counts_reads_as_a_table_or_csv_when_asked(staged):
    table = run("combine", *FIRSTS, "--format", "table")
    assert table.exit_code == 0 and "Ann and Bob remain" in table.stdout
    assert "Stage one: first preferences" in table.stdout
    csv_ = run("combine", *FIRSTS, "--format", "csv")
    assert csv_.exit_code == 0
    assert csv_.stdout.splitlines()[0].startswith("stage,candidate,party,first_preferences")
    assert ",remaining" in csv_.stdout and ",excluded" in csv_.stdout
    as_file = run("combine", *FIRSTS, "-o", "t.json")
    assert json.loads(Path("t.json").read_text())["schema"] == "svcount-total/1"
    assert as_file.exit_code == 0


# ----------------------------------------------------------------- options that cannot apply


def test_options_that_cannot_apply_are_refused_or_warned(staged):
    assert "--electorate belongs to the first-stage count" in refused(
        "tally", "blaby.csv", "-c", "candidates.txt", "--stage", "second", "--area", "Blaby",
        "--remaining-from", "total.json", "--electorate", "5000",
    )  # fmt: skip
    assert "--electorate belongs to the declaration" in refused(
        "combine", *FIRSTS, "--electorate", "5"
    )
    assert "give either --electorate" in refused(
        "combine", *FIRSTS, *SECONDS, "--electorate", "5000", "--electorate-file", "areas.csv"
    )
    warned = run("combine", *FIRSTS, "--lot", "Ann", "-f", "json")
    assert warned.exit_code == 0
    assert "the count goes on to second preferences; --lot ignored" in warned.stderr


def test_a_first_count_refuses_a_total_to_count_for(staged):
    assert "--remaining-from belongs to the second-stage count" in refused(
        "tally", "blaby.csv", "-c", "candidates.txt", "--stage", "first", "--area", "Blaby",
        "--remaining-from", "total.json",
    )  # fmt: skip


def test_an_impossible_electorate_for_a_local_count_is_refused(staged):
    assert "is smaller than the 300 ballot papers" in refused(
        "tally", "blaby.csv", "-c", "candidates.txt", "--stage", "first", "--area", "Blaby",
        "--electorate", "5",
    )  # fmt: skip


# ----------------------------------------------------------------- one file, two areas


def test_combine_refuses_one_ballot_file_counted_as_two_areas(staged):
    assert (
        run(
            "tally", "blaby.csv", "-c", "candidates.txt", "--stage", "first", "--area",
            "Melton", "-o", "melton-1.json",
        ).exit_code
        == 0
    )  # fmt: skip
    message = refused("combine", *FIRSTS)
    assert "'Blaby' and 'Melton' hold the same papers, read the same way" in message


def test_the_same_ballots_are_refused_whatever_their_bytes_or_the_area_name_case(staged):
    Path("copy.csv").write_text(Path("blaby.csv").read_text() + "\n")
    args = ("-c", "candidates.txt", "--stage", "first")
    assert run("tally", "copy.csv", *args, "--area", "BLABY", "-o", "again.json").exit_code == 0
    message = refused("combine", "blaby-1.json", "again.json")
    assert "a second first-stage count for 'BLABY'" in message
    assert run("tally", "copy.csv", *args, "--area", "Blabyshire", "-o", "b2.json").exit_code == 0
    assert "hold the same papers" in refused("combine", "blaby-1.json", "b2.json")


def test_a_second_count_weighed_by_another_count_column_is_refused(staged):
    """Issue 19's second case: --count-column w in stage two once elected B."""
    Path("w.csv").write_text("first,second,papers,w\nA,,4,4\nB,,3,3\nC,A,2,0\nC,B,0,2\n")
    Path("abc.txt").write_text("A\nB\nC\n")
    common = ("w.csv", "-c", "abc.txt", "--area", "X")
    first = run("tally", *common, "--stage", "first", "--count-column", "papers", "-o", "w1.json")
    assert first.exit_code == 0
    assert run("combine", "w1.json", "-o", "wt.json").exit_code == 0
    second = ("tally", *common, "--stage", "second", "--remaining-from", "wt.json")
    message = refused(*second, "--count-column", "w", "-o", "w2.json")
    assert "--count-column 'w' here, 'papers' there" in message
    assert run(*second, "--count-column", "papers", "-o", "w2.json").exit_code == 0
    declared = json.loads(run("combine", "w1.json", "w2.json", "-f", "json").stdout)
    assert (declared["winner"], declared["majority"]) == ("A", 3)  # 6 to 3, as one count


def test_two_areas_of_one_mark_table_are_refused_even_when_listed(staged):
    """--areas once turned this refusal into a warning: the staged checks never weaken."""
    Path("copy.csv").write_bytes(Path("blaby.csv").read_bytes())
    args = ("-c", "candidates.txt", "--stage", "first", "--area", "Blabyshire")
    assert run("tally", "copy.csv", *args, "-o", "twin.json").exit_code == 0
    assert "hold the same papers" in refused("combine", *FIRSTS, "twin.json")
    Path("areas2.csv").write_text(Path("areas.csv").read_text() + "Blabyshire,1000,300\n")
    listed = refused("combine", *FIRSTS, "twin.json", "--areas", "areas2.csv", "-o", "t.json")
    assert "'Blaby' and 'Blabyshire' hold the same papers" in listed
    assert not Path("t.json").exists()


def test_papers_issued_are_checked_against_those_counted_at_the_first_combine(staged):
    shown = run("combine", *FIRSTS, "--electorate-file", "areas.csv", "-o", "t1.json")
    assert shown.exit_code == 0, shown.stderr
    assert "Melton: 201 ballot papers issued but 200 counted (a difference of +1)" in shown.stderr


def test_a_second_count_read_with_another_column_is_refused(staged):
    """Issue 19's case: a stage-two file from other options once declared a wrong winner."""
    rows = "first,second,alt\n" + "A,,\n" * 4 + "B,,\n" * 3 + "C,A,B\n" * 2
    Path("x.csv").write_text(rows)
    Path("abc.txt").write_text("A\nB\nC\n")
    first = ("tally", "x.csv", "-c", "abc.txt", "--stage", "first", "--area", "X")
    assert run(*first, "-o", "x1.json").exit_code == 0
    assert run("combine", "x1.json", "-o", "t.json").exit_code == 0
    second = ("tally", "x.csv", "-c", "abc.txt", "--stage", "second", "--area", "X")
    second += ("--remaining-from", "t.json")
    message = refused(*second, "--second-column", "alt", "-o", "x2.json")
    assert "--second-column 'alt' here, the default there" in message
    assert not Path("x2.json").exists()
    total = json.loads(Path("t.json").read_text())  # an insider makes the options agree:
    total["first_counts"][0]["options"]["second_column"] = "alt"
    write_sealed("t.json", total)
    assert "its mark table differs" in refused(*second, "--second-column", "alt")
    assert run("combine", "x1.json", "-o", "t.json").exit_code == 0
    assert run(*second, "-o", "x2.json").exit_code == 0
    declared = json.loads(run("combine", "x1.json", "x2.json", "-f", "json").stdout)
    assert (declared["winner"], declared["majority"]) == ("A", 3)  # 6 to 3, as one count
