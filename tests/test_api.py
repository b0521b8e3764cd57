"""The notebook API: svcount.read_ballots and svcount.tally count as the command does."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from helpers import (
    EXAMPLES,
    run,
    write,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import svcount
from svcount.count import (
    count,
)
from svcount.errors import CountError, InputError
from svcount.marks import classify
from svcount.model import (
    Ballots,
    Candidate,
    NotCounted,
    Rejection,
)

QUICK = EXAMPLES / "quickstart"
POOL = ["Ann", "Bob", "Cy", "Dee"]


def figures_only(doc):
    return {k: v for k, v in doc.items() if k not in ("input", "options", "digest")}


@st.composite
def papers(draw):
    names = draw(st.lists(st.sampled_from(POOL), min_size=2, max_size=4, unique=True))
    field = st.one_of(
        st.sampled_from(names), st.sampled_from(names), st.just(""), st.just("?"),
        st.builds("|".join, st.lists(st.sampled_from(names), min_size=2, max_size=2)),
    )  # fmt: skip
    rows = draw(st.lists(st.tuples(field, field), min_size=1, max_size=30))
    return names, rows


@pytest.mark.filterwarnings("ignore::svcount.SvcountWarning")  # --seed with no lot to draw
@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(papers())
def test_the_api_gives_the_commands_json(tmp_path, election):
    names, rows = election
    path = write(tmp_path, "first,second\n" + "".join(f"{a},{b}\n" for a, b in rows))
    cands = write(tmp_path, "\n".join(names) + "\n", "c.txt")
    cli = run("tally", path, "-c", cands, "-f", "json", "--seed", "2")
    frame = pd.DataFrame(rows, columns=["first", "second"])
    try:
        from_path = svcount.tally(path, candidates=cands, seed=2)
        from_frame = svcount.tally(frame, candidates=names, seed=2)
        grouped = svcount.tally(svcount.read_ballots(path), candidates=names, seed=2)
    except CountError as exc:
        assert cli.exit_code == 2 and str(exc).split(": ", 1)[1] in cli.stderr
        return
    assert from_path.to_dict() == json.loads(cli.stdout)
    assert figures_only(from_frame.to_dict()) == figures_only(json.loads(cli.stdout))
    assert figures_only(grouped.to_dict()) == figures_only(json.loads(cli.stdout))


def test_read_ballots_gives_distinct_marks_with_papers():
    df = svcount.read_ballots(EXAMPLES / "llr-2016" / "ballots.csv.gz")
    assert list(df.columns) == ["first", "second", "rejected", "papers"]
    assert int(df["papers"].sum()) == 155_661 and len(df) < 100


def test_missing_values_and_numpy_counts_in_a_frame(tmp_path):
    frame = pd.DataFrame(
        {
            "first": ["Ann", "Bob", np.nan, "Cy", "Cy"],
            "second": [None, "Ann", "Bob", pd.NA, "Bob"],
            "n": np.array([5, 4, 2, 1, 1], dtype=np.int64),
        }
    )
    result = svcount.tally(frame, candidates=["Ann", "Bob", "Cy"])
    assert result.ballot_papers == 13 and dict(result.rejected)[svcount.Rejection.UNMARKED] == 2
    assert result.stage_two.non_transferable[svcount.NotCounted.BLANK] == 1
    assert result.stage_two.non_transferable[svcount.NotCounted.NOT_REMAINING] == 0


def test_to_frame_is_the_csv_format():
    result = svcount.tally(QUICK / "ballots.csv", electorate=120)
    frame = result.to_frame()
    cli = run("tally", QUICK / "ballots.csv", "-f", "csv").stdout.splitlines()
    assert list(frame.columns) == cli[0].split(",")
    assert len(frame) == len(cli) - 1
    assert frame["stage"].tolist() == [int(line.split(",")[0]) for line in cli[1:]]


def test_errors_are_typed_with_the_commands_messages(tmp_path):
    frame = pd.DataFrame({"first": ["Ann", "Xavier"], "second": ["", ""]})
    with pytest.raises(InputError, match="DataFrame: first preference 'Xavier' is not a candidate"):
        svcount.tally(frame, candidates=["Ann", "Bob"])
    with pytest.raises(InputError, match="no first-preference column"):
        svcount.tally(pd.DataFrame({"x": ["Ann"]}))
    with pytest.raises(InputError, match="count column must hold whole numbers"):
        svcount.tally(pd.DataFrame({"first": ["Ann"], "papers": [2.5]}))
    with pytest.raises(CountError, match="no valid ballot papers"):
        svcount.tally(pd.DataFrame({"vote": ["", "?"]}), candidates=["Ann"])
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        svcount.tally(QUICK / "ballots.csv", colour="red")


def test_an_aggregated_frame_counts_as_its_expanded_frame():
    expanded = pd.DataFrame({"first": ["Ann"] * 3 + ["Bob"] * 2 + ["Cy"], "second": [""] * 6})
    aggregated = pd.DataFrame(
        {"first": ["Ann", "Bob", "Cy"], "second": [""] * 3, "papers": [3, 2, 1]}
    )
    a = svcount.tally(aggregated).to_dict()
    b = svcount.tally(expanded).to_dict()
    assert figures_only(a) == figures_only(b)


# ----------------------------------------------------------------- the library and pandas


def test_missing_values_from_pandas_are_blanks_in_the_library():
    names = tuple(Candidate(n) for n in ("Ann", "Bob", "Cy"))
    pairs = {
        ("Ann", "Bob"): 7,
        ("Bob", "Ann"): 6,
        ("Cy", np.nan): np.int64(2),
        ("Cy", None): 1,
        ("Cy", pd.NA): 1,
        ("Cy", "Ann"): 1,
        (None, "Ann"): 3,
    }
    ballots = Ballots(names, pairs)
    assert ballots.pairs[("Cy", NotCounted.BLANK)] == 4
    assert ballots.rejected == {Rejection.UNMARKED: 3}
    result = count(ballots)
    assert result.stage_two.non_transferable[NotCounted.BLANK] == 4
    assert result.stage_two.non_transferable[NotCounted.NOT_REMAINING] == 0


def test_missing_values_in_raw_marks_are_blanks():
    frame = pd.DataFrame(
        {"first": ["Ann", "Bob", None, "Ann"], "second": [np.nan, "Ann", "Bob", "Bob"]}
    )
    grouped = frame.groupby(["first", "second"], dropna=False).size()
    raw = {(f, s, None): n for (f, s), n in grouped.items()}
    ballots = classify(raw).ballots
    assert dict(ballots.pairs) == {
        ("Ann", NotCounted.BLANK): 1,
        ("Ann", "Bob"): 1,
        ("Bob", "Ann"): 1,
    }
    assert dict(ballots.rejected) == {Rejection.UNMARKED: 1}


def test_numpy_counts_are_accepted_and_bad_ones_refused():
    ballots = Ballots((Candidate("Ann"),), {("Ann", NotCounted.BLANK): np.int64(0)})
    assert ballots.valid == 0
    with pytest.raises(CountError, match="must be a whole number of at least 0, not 2.5"):
        Ballots((Candidate("Ann"),), {("Ann", NotCounted.BLANK): 2.5})


def test_a_tally_shows_itself_briefly_and_in_a_notebook():
    """Issue 37: a short repr, the tables as HTML for a notebook, and markdown."""
    import warnings

    from helpers import ROOT

    import svcount

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quick = ROOT / "examples" / "quickstart"
        t = svcount.tally(quick / "ballots.csv", candidates=quick / "candidates.csv")
    assert repr(t) == (
        "Tally(winner='Bob Baker', method='sv', "
        "decided_by='most_votes_after_second_preferences', ballot_papers=43)"
    )
    page = t._repr_html_()
    assert page.count("<table>") >= 5 and "Bob Baker" in page and "<script" not in page
    assert t.to_markdown().startswith("# Supplementary vote")


def test_candidates_may_be_a_dataframe_of_names_and_parties_or_a_series():
    """Issue 37: a DataFrame with name (and party) columns, or a Series of names."""
    import warnings

    import pandas as pd
    import pytest
    from helpers import ROOT

    import svcount

    quick = ROOT / "examples" / "quickstart" / "ballots.csv"
    frame = pd.DataFrame({"Name": ["Ann Archer", "Bob Baker", "Cy Cole", "Dee Dale"],
                          "Party": ["Red", "Blue", None, "Green"]})  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        listed = svcount.tally(quick, candidates=frame)
        named = svcount.tally(quick, candidates=frame["Name"])
    parties = {c.name: c.party for c in listed.result.candidates}
    assert parties["Ann Archer"] == "Red" and parties["Cy Cole"] is None
    assert listed.winner == named.winner == "Bob Baker"
    with pytest.raises(svcount.InputError, match="no name column"):
        svcount.tally(quick, candidates=pd.DataFrame({"x": ["a"], "y": ["b"]}))


def test_a_recount_comparison_shows_what_changed_in_a_notebook(tmp_path):
    """Issue 37: svcount.diff gives a comparison with a one-line repr and a table of changes."""
    from helpers import ROOT, run

    quick = ROOT / "examples" / "quickstart"
    lines = (quick / "ballots.csv").read_text().splitlines(keepends=True)
    (tmp_path / "recount.csv").write_text("".join(lines[:-1]))  # one paper fewer: Cy Cole's
    for name, ballots in (("a", quick / "ballots.csv"), ("b", tmp_path / "recount.csv")):
        made = run("tally", ballots, "-c", quick / "candidates.csv", "-f", "json", "-o",
                   tmp_path / f"{name}.json")  # fmt: skip
        assert made.exit_code == 0, made.stderr
    c = svcount.diff(tmp_path / "a.json", tmp_path / "b.json")
    assert repr(c).startswith("Comparison(before=") and "winner_changed=False" in repr(c)
    frame = c.to_frame()
    changed = dict(zip(frame["figure"], frame["change"], strict=True))
    assert changed["first_preferences.Cy Cole"] == "-1" and changed["ballot_papers"] == "-1"
    assert "first_preferences.Ann Archer" not in changed  # only what changed
    assert "| first_preferences.Cy Cole | 8 | 7 | -1 |" in c.to_markdown()
    assert c._repr_html_().startswith("<p>Comparison(") and "<td>-1</td>" in c._repr_html_()
    same = svcount.diff(tmp_path / "a.json", tmp_path / "a.json")
    assert same.same and same.to_markdown() == "" and "changed=0" in repr(same)


def test_a_verification_statement_shows_its_boxes_in_a_notebook():
    """Issue 37: svcount.verification gives the statement, its boxes as a table."""
    from helpers import BY_AREA

    accounts = BY_AREA / "verification" / "accounts.csv"
    s = svcount.verification(accounts)
    assert repr(s) == (
        "Statement(boxes=8, expected=620, verified=620, with_variance=2, unexplained=1)"
    )
    frame = s.to_frame()
    assert frame.loc[frame["box"] == "R1", "variance"].item() == 1
    assert list(frame.columns[:4]) == ["box", "expected", "verified", "variance"]
    assert "| M1 | 101 | 100 | -1 |" in s.to_markdown()
    assert "<table>" in s._repr_html_()
    with pytest.raises(svcount.UsageError, match="together"):
        svcount.verification(accounts, ballots=BY_AREA / "all.csv")
