"""Rules 1-2: which papers are rejected, and which second preferences are not counted."""

from __future__ import annotations

import json
import unicodedata

import pytest
from helpers import (
    ENGINES,
    refused,
    run,
    write,
)

from svcount.count import (
    count,
)
from svcount.errors import CountError, MarkError
from svcount.io import load
from svcount.marks import MarkRules, classify
from svcount.model import (
    Ballots,
    Candidate,
    NotCounted,
    Rejection,
)

CANDIDATES = (Candidate("Ann"), Candidate("Bob"), Candidate("Cy"))


def marks(rows, candidates=CANDIDATES, **rules):
    """Classify {(first, second[, rejected]): papers}."""
    raw = {(k + ("",))[:3]: n for k, n in rows.items()}
    return classify(raw, candidates, MarkRules(**rules))


@pytest.mark.parametrize(
    ("first", "second"),
    [("", ""), ("", "Bob"), ("   ", "Bob"), ("|", "")],
    ids=["blank", "only-second-column", "whitespace", "separator-only"],
)
def test_no_first_preference_is_unmarked(first, second):
    ballots = marks({(first, second): 3}).ballots
    assert dict(ballots.rejected) == {Rejection.UNMARKED: 3}
    assert ballots.valid == 0


@pytest.mark.parametrize("first", ["Ann|Bob", "Ann;Bob", "Ann | Bob", "Ann|Bob|Cy"])
def test_several_first_preferences_reject_the_paper(first):
    ballots = marks({(first, ""): 2}).ballots
    assert dict(ballots.rejected) == {Rejection.MORE_THAN_ONE_CANDIDATE: 2}


def test_separator_is_configurable():
    ballots = marks(
        {("Ann+Bob", ""): 1, ("Ann|Bob", ""): 1},
        separators="+",
        candidates=(*CANDIDATES, Candidate("Ann|Bob")),
    ).ballots
    assert dict(ballots.rejected) == {Rejection.MORE_THAN_ONE_CANDIDATE: 1}
    assert dict(ballots.pairs) == {("Ann|Bob", NotCounted.BLANK): 1}


def test_the_same_name_twice_is_one_preference():
    assert dict(marks({("Ann|Ann", ""): 1}).ballots.pairs) == {("Ann", NotCounted.BLANK): 1}


def test_uncertain_marker_voids_the_paper_and_is_configurable():
    assert dict(marks({("?", "Bob"): 4}).ballots.rejected) == {Rejection.VOID_FOR_UNCERTAINTY: 4}
    custom = marks(
        {("X", ""): 1, ("?", ""): 1}, uncertain="X", candidates=(*CANDIDATES, Candidate("?"))
    ).ballots
    assert dict(custom.rejected) == {Rejection.VOID_FOR_UNCERTAINTY: 1}
    assert dict(custom.pairs) == {("?", NotCounted.BLANK): 1}


@pytest.mark.parametrize(
    ("value", "heading"),
    [
        ("want_of_official_mark", Rejection.WANT_OF_OFFICIAL_MARK),
        ("Want of official mark", Rejection.WANT_OF_OFFICIAL_MARK),
        ("identifying mark", Rejection.IDENTIFYING_MARK),
        ("writing_or_mark_identifying_voter", Rejection.IDENTIFYING_MARK),
        ("void for uncertainty", Rejection.VOID_FOR_UNCERTAINTY),
        ("voting_for_more_than_one_candidate", Rejection.MORE_THAN_ONE_CANDIDATE),
        ("unmarked", Rejection.UNMARKED),
    ],
)
def test_adjudication_column_names_the_heading(value, heading):
    ballots = marks({("Ann", "Bob", value): 2, ("Ann", "Bob", ""): 1}).ballots
    assert dict(ballots.rejected) == {heading: 2}
    assert ballots.valid == 1


def test_unknown_adjudication_value_is_an_error():
    with pytest.raises(MarkError, match="rejected value 'spoilt' is not a heading"):
        marks({("Ann", "", "spoilt"): 1})


@pytest.mark.parametrize(
    ("second", "head"),
    [
        ("", NotCounted.BLANK),
        ("Bob|Cy", NotCounted.MORE_THAN_ONE),
        ("?", NotCounted.UNCERTAIN),
        ("Ann", NotCounted.SAME_AS_FIRST),
        (" Ann ", NotCounted.SAME_AS_FIRST),
    ],
)
def test_unusable_second_preference_keeps_the_first(second, head):
    ballots = marks({("Ann", second): 5}).ballots
    assert dict(ballots.pairs) == {("Ann", head): 5}
    assert not ballots.rejected


def test_unknown_names_with_a_candidate_list_are_an_error_listing_them():
    with pytest.raises(MarkError) as caught:
        marks({("Ann", "Bobb"): 7, ("Zed", ""): 2, ("Bob", "Bobb"): 1})
    problems = {(p.role, p.message, p.papers) for p in caught.value.problems}
    assert problems == {
        ("second", "second preference 'Bobb' is not a candidate (did you mean 'Bob'?)", 8),
        ("first", "first preference 'Zed' is not a candidate", 2),
    }


def test_unknown_names_can_be_counted_as_void_for_uncertainty():
    ballots = marks({("Ann", "Bobb"): 7, ("Zed", "Ann"): 2}, unknown_as_void=True).ballots
    assert dict(ballots.pairs) == {("Ann", NotCounted.UNCERTAIN): 7}
    assert dict(ballots.rejected) == {Rejection.VOID_FOR_UNCERTAINTY: 2}


def test_without_a_list_candidates_are_the_valid_first_preferences():
    classified = marks({("Bob", "Ann"): 1, ("Ann", "Zed"): 2, ("Cy|Dee", ""): 1}, candidates=None)
    assert [c.name for c in classified.ballots.candidates] == ["Ann", "Bob"]
    assert dict(classified.ballots.pairs) == {("Bob", "Ann"): 1, ("Ann", NotCounted.UNCERTAIN): 2}
    [warning] = classified.warnings
    assert warning.values == ("Zed",) and warning.papers == 2
    assert "'Zed' is nobody's first preference" in warning.message


def test_names_match_after_trimming_and_nfc():
    decomposed = "Zoe\u0301"  # Zoé written with a combining accent
    classified = marks(
        {(" Zo\u00e9 ", decomposed): 1, ("Ann", "Zo\u00e9"): 1},
        candidates=(Candidate("Zo\u00e9"), Candidate("Ann")),
    )
    assert dict(classified.ballots.pairs) == {
        ("Zo\u00e9", NotCounted.SAME_AS_FIRST): 1,
        ("Ann", "Zo\u00e9"): 1,
    }
    assert any("counted" in note and "'Zoé'" in note for note in classified.notes)


def test_case_differences_are_an_error_suggesting_the_name():
    with pytest.raises(MarkError, match="'ann' differs only in case from the candidate 'Ann'"):
        marks({("ann", ""): 1})


def test_case_differences_among_inferred_candidates_are_an_error():
    with pytest.raises(MarkError) as caught:
        marks({("Smith", ""): 5, ("SMITH", ""): 1}, candidates=None)
    [problem] = caught.value.problems
    assert problem.message.startswith("first preference 'SMITH' differs only in case")
    assert problem.papers == 1


def test_control_characters_are_an_error():
    with pytest.raises(MarkError, match="U\\+0000 NULL|U\\+0000 a control character"):
        marks({("Ann\x00", ""): 1})


# ----------------------------------------------------------------- marks read rightly


def test_a_field_of_only_markers_and_separators_is_void_never_a_candidate(tmp_path):
    path = write(tmp_path, "first,second\nAnn,Bob\nBob,Ann\nAnn,\n?|?,Bob\n?|?,Bob\n?;,Bob\n")
    doc = json.loads(run("tally", path, "-f", "json").stdout)
    assert [c["name"] for c in doc["candidates"]] == ["Ann", "Bob"]
    assert doc["rejected"]["void_for_uncertainty"] == 3
    assert doc["winner"] == "Ann" and doc["stages"][0]["votes"] == {"Ann": 2, "Bob": 1}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("blank", ['" "', '"\t"'])
def test_a_quoted_blank_paper_in_a_one_column_file_is_counted(tmp_path, engine, blank):
    path = write(tmp_path, f"vote\nAnn\n{blank}\nBob\nAnn\n")
    loaded = load(path, engine=engine)
    assert loaded.rows == 4
    assert loaded.ballots.rejected[Rejection.UNMARKED] == 1


@pytest.mark.parametrize(
    ("header", "first", "second"),
    [
        ("first,second,rejected,rejection_reason", "rejected", "rejection_reason"),
        ("vote,first,second", "first", "vote"),
        ("first,second,2nd", "second", "2nd"),
        ("first,second,area,voting_area", "area", "voting_area"),
    ],
)
def test_two_columns_for_one_role_are_refused_naming_both(tmp_path, header, first, second):
    width = header.count(",") + 1
    path = write(tmp_path, f"{header}\n" + ",".join(["Ann"] * 2 + [""] * (width - 2)) + "\n")
    message = refused("tally", path)
    assert f"'{first}' and '{second}'" in message or f"'{second}' and '{first}'" in message
    assert "choose one with --" in message


def test_an_option_chooses_between_two_columns_for_one_role(tmp_path):
    path = write(tmp_path, "first,second,rejected,rejection_reason\nAnn,,,unmarked\nBob,,,\n")
    doc = json.loads(
        run("tally", path, "--rejected-column", "rejection_reason", "-f", "json").stdout
    )
    assert doc["rejected"]["unmarked"] == 1 and doc["valid_votes"] == 1


@pytest.mark.parametrize(
    ("row", "role"),
    [
        ("Ann|Xavier,Bob,", "first preference"),
        ("Ann,Bob|Xavier,", "second preference"),
        ("Xavier,Bob,unmarked", "first preference"),
        (",Xavier,", "second preference"),
        ("?,Xavier,", "second preference"),
    ],
)
def test_every_name_on_every_paper_is_checked_against_the_list(tmp_path, row, role):
    path = write(tmp_path, f"first,second,rejected\nAnn,Bob,\n{row}\n")
    candidates = write(tmp_path, "Ann\nBob\n", "c.txt")
    assert f"{role} 'Xavier' is not a candidate" in refused("tally", path, "-c", candidates)


def test_unknown_names_on_rejected_papers_pass_with_unknown_as_void():
    raw = {("Ann|Xavier", "", ""): 1, ("Ann", "Bob", ""): 2, ("", "Xavier", ""): 1}
    names = [Candidate("Ann"), Candidate("Bob")]
    ballots = classify(
        raw, names, __import__("svcount.marks").marks.MarkRules(unknown_as_void=True)
    )
    assert dict(ballots.ballots.rejected) == {
        Rejection.VOID_FOR_UNCERTAINTY: 1,  # Ann|Xavier: one candidate and an uncertain name
        Rejection.UNMARKED: 1,
    }


def test_one_candidate_and_no_valid_papers_is_the_same_error_as_two(tmp_path):
    candidates = write(tmp_path, "Ann\n", "c.txt")
    path = write(tmp_path, "first,second\n,\n?,\n")
    assert "no valid ballot papers: all 2 papers were rejected" in refused(
        "tally", path, "-c", candidates
    )
    with pytest.raises(CountError, match="no valid ballot papers"):
        count(Ballots((Candidate("Ann"),), {}, {Rejection.UNMARKED: 1}))


# ----------------------------------------------------------------- the lot as names are read


@pytest.mark.parametrize("lot", [" B ", "B"])
def test_the_lot_is_read_as_names_are(tmp_path, lot):
    path = write(tmp_path, "first\nA\nB\n")
    result = run("tally", path, "--lot", lot, "-f", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["winner"] == "B"


def test_a_decomposed_lot_matches_a_composed_name(tmp_path):
    path = write(tmp_path, "first\nZoë\nAnn\n")
    decomposed = unicodedata.normalize("NFD", "Zoë")
    result = run("tally", path, "--lot", decomposed, "-f", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["winner"] == "Zoë"


@pytest.mark.parametrize(
    ("field", "reads_as"),
    [("A|A", "A"), ("A|", "A"), (";A;", "A"), ("|", None), ("?|?", None)],
)
def test_odd_marks_read_as_documented(field, reads_as):
    ballots = classify({(field, "", ""): 1}, [Candidate("A"), Candidate("B")]).ballots
    if reads_as is None:
        assert ballots.valid == 0
    else:
        assert dict(ballots.pairs) == {(reads_as, NotCounted.BLANK): 1}


def test_mark_errors_are_typed_for_the_library():
    with pytest.raises(MarkError):
        classify({("Xavier", "", ""): 1}, [Candidate("A")])


# ----------------------------------------------------------------- marks as the README reads them


def test_unknown_as_void_reads_a_multiple_mark_as_the_readme_says(tmp_path):
    rows = "first,second\nAnn|Xavier,\nAnn|Bob|Xavier,\nBob,Ann|Xavier\nBob,Ann|Bob|Xavier\nAnn,\n"
    path = write(tmp_path, rows)
    names = write(tmp_path, "Ann\nBob\n", "c.txt")
    doc = json.loads(run("tally", path, "-c", names, "--unknown-as-void", "-f", "json").stdout)
    assert doc["rejected"]["void_for_uncertainty"] == 1  # Ann|Xavier: one candidate, uncertain
    assert doc["rejected"]["voting_for_more_than_one_candidate"] == 1  # Ann|Bob|Xavier
    unusable = doc["second_preferences_not_counted"]
    assert (unusable["void_for_uncertainty"], unusable["more_than_one_candidate"]) == (1, 1)


def test_first_past_the_posts_own_heading_is_accepted_as_an_adjudication(tmp_path):
    rows = "vote,rejected\nAnn,\nBob,\n,unmarked_or_void_for_uncertainty\nAnn,\n"
    doc = json.loads(run("tally", write(tmp_path, rows), "-f", "json").stdout)
    assert doc["method"] == "fptp" and doc["rejected"]["unmarked_or_void_for_uncertainty"] == 1
    sv = write(
        tmp_path, "first,second,rejected\nAnn,,\n,,unmarked_or_void_for_uncertainty\n", "s.csv"
    )
    result = run("tally", sv)
    assert result.exit_code == 2 and "first past the post's heading" in result.stderr


def test_a_typo_or_an_accent_without_a_candidate_list_is_warned_of(tmp_path):
    rows = ["Dee Dale,"] * 40 + ["Dee Dal,"] + ["Bob Baker,"] * 30 + ["Bób Baker,"] * 25
    rows += ["Ann Archer,"] * 20 + ["Ann Archers,"] * 15  # close, but not a tenth: two people
    path = write(tmp_path, "first,second\n" + "\n".join(rows) + "\n")
    said = run("tally", path).stderr
    assert "'Dee Dal' (1 first preference) looks like 'Dee Dale' (40)" in said
    assert "'Bób Baker' (25 first preferences) looks like 'Bob Baker' (30)" in said
    assert "Ann Archers" not in said and "Give --candidates" in said
    names = "Dee Dale\nDee Dal\nBob Baker\nBób Baker\nAnn Archer\nAnn Archers\n"
    listed = run("tally", path, "-c", write(tmp_path, names, "c.txt"))
    assert listed.exit_code == 0 and "looks like" not in listed.stderr


def test_look_alike_warnings_are_few_however_many_names(tmp_path):
    rows = [f"Candidate {i:04d}," for i in range(60) for _ in range(20 if i % 2 else 1)]
    path = write(tmp_path, "first,second\n" + "\n".join(rows) + "\n")
    said = [line for line in run("tally", path).stderr.splitlines() if "look" in line]
    assert len(said) == 11 and said[-1].endswith("more names that look like others")
