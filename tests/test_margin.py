"""The margin of victory: exact, against an exhaustive search, with every witness re-counted."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from golden import EXAMPLES, ROOT, _example_args
from helpers import run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svcount.count import count
from svcount.model import Ballots, Candidate, Method, NotCounted, Rejection
from svcount.operations.margin import KINDS, kind_counts, margins
from svcount.render.margin import outcome_text

# --------------------------------------------------------------------------- a naive reference


def winners(names, method, kinds):
    """Who could be elected from papers grouped by (first or None, second or None).

    Written from the README's rules, independently of svcount's count: an empty
    set when no paper is valid, several when a lot is needed.
    """
    votes = {c: sum(n for (a, _), n in kinds.items() if a == c) for c in names}
    valid = sum(votes.values())
    if valid == 0:
        return frozenset()

    def most(totals):
        top = max(totals.values())
        return frozenset(c for c, v in totals.items() if v == top)

    if method == "fptp" or len(names) <= 2:
        return most(votes)
    for c in names:
        if 2 * votes[c] > valid:
            return frozenset([c])
    second = sorted(votes.values(), reverse=True)[1]
    remain = [c for c in names if votes[c] >= second]
    totals = {
        y: votes[y] + sum(n for (a, b), n in kinds.items() if b == y and a not in remain)
        for y in remain
    }
    return most(totals)


def searched_margin(names, method, kinds, winner, mode):
    """Breadth-first over single-paper changes: the fewest after which ``winner`` is not certain."""
    every = [(None, None)] + [(a, b) for a in names for b in [None, *names] if b != a]
    start = tuple(kinds.get(k, 0) for k in every)
    seen, frontier, depth = {start}, [start], 0
    while frontier:
        for state in frontier:
            if winners(names, method, dict(zip(every, state, strict=True))) != {winner}:
                return depth
        depth += 1
        following = []
        for state in frontier:
            for i, n in enumerate(state):
                if mode == "add":
                    steps = [(None, i)]
                elif mode == "remove":
                    steps = [(i, None)] if n else []
                else:
                    steps = [(i, j) for j in range(len(every)) if j != i] if n else []
                for take, give in steps:
                    new = list(state)
                    if take is not None:
                        new[take] -= 1
                    if give is not None:
                        new[give] += 1
                    new = tuple(new)
                    if new not in seen:
                        seen.add(new)
                        following.append(new)
        frontier = following
    raise AssertionError("no change unseats the winner")


# --------------------------------------------------------------------------- elections


SECONDS = [NotCounted.BLANK, NotCounted.UNCERTAIN, NotCounted.MORE_THAN_ONE]


@st.composite
def small_elections(draw):
    n = draw(st.sampled_from([2, 3, 3, 4]))
    names = ["Ann", "Bob", "Cy", "Dee"][:n]
    method = draw(st.sampled_from(["sv", "sv", "fptp"]))
    papers = draw(st.integers(1, 7 if n == 4 else 11))
    pairs, rejected = Counter(), Counter()
    for _ in range(papers):
        if draw(st.integers(0, 9)) == 0:
            rejected[
                draw(st.sampled_from([Rejection.UNMARKED, Rejection.VOID_FOR_UNCERTAINTY]))
            ] += 1
            continue
        first = draw(st.sampled_from(names))
        second = draw(st.sampled_from([*names, *SECONDS]))
        pairs[(first, second)] += 1
    return names, method, Ballots(tuple(Candidate(c) for c in names), dict(pairs), dict(rejected))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_elections())
def test_every_margin_is_the_exhaustive_minimum_and_its_witness_unseats(election):
    names, method, ballots = election
    if not any(ballots.pairs.values()):
        return
    result = count(ballots, Method(method))
    if result.winner is None:
        return  # a lot is required: there is no winner to unseat
    found = margins(ballots, result)
    kinds = dict(kind_counts(ballots))
    for mode in KINDS:
        margin = getattr(found, mode)
        assert margin.papers == searched_margin(names, method, kinds, result.winner, mode), mode
        assert sum(m.papers for m in margin.witness) == margin.papers
        if margin.recount is not None:
            assert margin.recount.winner != result.winner


def _thirteen():
    names = tuple(Candidate(c) for c in "ABC")
    papers = {
        ("A", "B"): 3,
        ("B", NotCounted.BLANK): 5,
        ("B", "C"): 1,
        ("C", "A"): 3,
        ("C", "B"): 1,
    }
    return Ballots(names, papers)


def test_the_thirteen_paper_case_has_margin_one_where_half_the_gap_says_three():
    ballots = _thirteen()
    result = count(ballots)
    assert (result.winner, dict(result.final)) == ("B", {"B": 9, "C": 4})
    found = margins(ballots, result)
    assert found.naive_bound == 3 and found.runner_up == "C"
    assert found.change.papers == 1
    (move,) = found.change.witness
    assert (move.before, move.after[0], move.papers) == (("C", "B"), "A", 1)  # one paper A-first
    assert found.change.recount.winner == "A"
    assert outcome_text(found.change) == "A is elected, 7 to 6"
    assert (found.add.papers, found.remove.papers) == (2, 3)


@pytest.mark.parametrize("gap", [1, 2, 5, 6])
def test_fptp_margins_are_the_closed_forms(gap):
    names = tuple(Candidate(c) for c in ("Ann", "Bob", "Cy"))
    ballots = Ballots(
        names, {("Ann", NotCounted.BLANK): 10 + gap, ("Bob", "Cy"): 10, ("Cy", "Ann"): 3}
    )
    result = count(ballots, Method.FPTP)
    found = margins(ballots, result)
    assert found.change.papers == -(-gap // 2)
    assert found.add.papers == found.remove.papers == gap


def test_a_lone_candidate_is_unseated_only_when_no_valid_paper_is_left():
    """As with two candidates: every valid paper rejected, or removed; no paper added can."""
    ballots = Ballots((Candidate("Ann"),), {("Ann", NotCounted.BLANK): 4})
    found = margins(ballots, count(ballots))
    assert (found.change.papers, found.add.papers, found.remove.papers) == (4, None, 4)
    assert outcome_text(found.change) == "no valid ballot paper remains"
    two = Ballots((Candidate("Ann"), Candidate("Bob")), {("Ann", NotCounted.BLANK): 4})
    assert margins(two, count(two)).remove.papers == 4  # the same route with two candidates


# --------------------------------------------------------------------------- the command

PUBLISHED = {  # M, M_add, M_remove, half the final gap (README, "svcount margin")
    "llr-2012": (6413, 12826, 12826, 6413),
    "llr-2016": (9942, 19883, 19883, 9942),
    "llr-2024": (430, 860, 860, 430),
    "london-2021": (114217, 228433, 228433, 114217),
    "quickstart": (1, 2, 2, 1),
    "by-area": (19, 38, 38, 19),
}


@pytest.mark.parametrize("folder", EXAMPLES)
def test_margin_of_every_example(folder, monkeypatch):
    monkeypatch.chdir(ROOT)
    shown = run("margin", *_example_args(folder), "-f", "json")
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.stdout)
    assert doc["schema"] == "svcount-margin/1" and doc["exact"] is True
    figures = tuple(doc["margins"][m]["papers"] for m in KINDS) + (doc["naive_bound"],)
    if folder in PUBLISHED:
        assert figures == PUBLISHED[folder]
    for mode in KINDS:
        outcome = doc["margins"][mode]["outcome"]
        assert outcome["winner"] != doc["winner"], mode  # the witness, re-counted, unseats
        papers = sum(line["papers"] for line in doc["margins"][mode]["witness"])
        assert papers == doc["margins"][mode]["papers"]


def test_margin_as_a_table_and_as_markdown(monkeypatch):
    monkeypatch.chdir(ROOT)
    table = run("margin", "examples/quickstart/ballots.csv")
    assert table.exit_code == 0
    assert "M: papers read differently" in table.stdout and "Recount advice" in table.stdout
    md = run("margin", "examples/quickstart/ballots.csv", "-f", "markdown")
    assert "| M: papers read differently | 1 |" in md.stdout
    assert md.stdout.startswith("# Margin of victory")


def test_recount_advice_names_papers_issued_but_not_counted(monkeypatch):
    monkeypatch.chdir(ROOT)
    doc = json.loads(run("margin", *_example_args("by-area"), "-f", "json").stdout)
    melton = next(d for d in doc["doubts"] if d["figure"] == "issued_minus_counted.Melton")
    assert (melton["papers"], melton["compared_with"], melton["could_change"]) == (1, "add", False)
    assert "fewer than the M_add of 38" in melton["text"]


def test_recount_advice_says_when_doubtful_papers_could_change_it(tmp_path):
    rows = "first,second,rejected\n" + "Ann,,\n" * 5 + "Bob,,\n" * 4 + ",,unmarked\n" * 3
    (tmp_path / "b.csv").write_text(rows)
    doc = json.loads(run("margin", str(tmp_path / "b.csv"), "-f", "json").stdout)
    assert doc["margins"]["change"]["papers"] == 1
    unmarked = next(d for d in doc["doubts"] if d["figure"] == "rejected.unmarked")
    assert unmarked["could_change"] is True
    assert unmarked["text"].startswith("The 3 papers rejected as unmarked exceed the margin of 1")


def test_margin_while_a_lot_is_required_exits_3_and_after_a_lot_is_0(monkeypatch):
    monkeypatch.chdir(ROOT)
    tied = run("margin", "tests/data/lot/tie.csv")
    assert tied.exit_code == 3 and "a lot is required" in tied.stderr
    drawn = json.loads(run("margin", "tests/data/lot/tie.csv", "--seed", "3", "-f", "json").stdout)
    assert [drawn["margins"][m]["papers"] for m in KINDS] == [0, 0, 0]
    outcome = drawn["margins"]["change"]["outcome"]
    assert outcome["winner"] == drawn["winner"] and outcome["final"]
    assert outcome["text"].startswith("a lot was drawn between ")


def test_margin_of_bad_input_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "b.csv").write_text("nothing,here\n1,2\n")
    shown = run("margin", str(tmp_path / "b.csv"))
    assert shown.exit_code == 2 and shown.stderr.count("\n") == 1
    assert "Traceback" not in shown.output


def test_the_library_gives_the_same_margins():
    import svcount

    found = svcount.margin(ROOT / "examples/quickstart/ballots.csv")
    assert (found.change.papers, found.add.papers, found.remove.papers) == (1, 2, 2)


# --------------------------------------------------------------------------- --margin elsewhere


def test_tally_and_declare_show_the_margin_when_asked(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    quick = "examples/quickstart/ballots.csv"
    table = run("tally", quick, "--margin")
    assert "How close it was" in table.stdout and "M: papers read differently" in table.stdout
    assert "How close it was" not in run("tally", quick).stdout  # only when asked
    doc = json.loads(run("tally", quick, "--margin", "-f", "json").stdout)
    assert (doc["margin"]["exact"], doc["margin"]["change"], doc["margin"]["add"]) == (True, 1, 2)
    assert any("could change the result" in line for line in doc["margin"]["advice"])
    page = run("tally", quick, "--margin", "-f", "html").stdout
    assert 'id="table-margin"' in page and "How close it was" in page
    notice = run("declare", quick, "--margin").stdout
    assert "Margin of victory\n-----------------" in notice


def test_a_result_file_keeps_its_exact_margin_or_gives_bounds(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    with_margin, without = tmp_path / "m.json", tmp_path / "r.json"
    args = _example_args("llr-2016")
    assert run("tally", *args, "--margin", "-o", str(with_margin)).exit_code == 0
    assert run("tally", *args, "-o", str(without)).exit_code == 0
    kept = json.loads(run("tally", str(with_margin), "--margin", "-f", "json").stdout)["margin"]
    assert (kept["exact"], kept["change"]) == (True, 9942)
    bounds = json.loads(run("tally", str(without), "--margin", "-f", "json").stdout)["margin"]
    assert bounds["exact"] is False and bounds["change"] is None
    assert bounds["lower_bound"] <= 9942 and bounds["naive_bound"] == 9942
    assert "The ballot file gives the exact figure" in bounds["lines"][0]


def test_fptp_figures_give_the_margins_exactly(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = tmp_path / "r.json"
    assert run("tally", *_example_args("llr-2024"), "-o", str(result)).exit_code == 0
    margin = json.loads(run("tally", str(result), "--margin", "-f", "json").stdout)["margin"]
    assert (margin["exact"], margin["change"], margin["add"], margin["remove"]) == (
        True, 430, 860, 860,
    )  # fmt: skip


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_elections())
def test_the_bound_from_the_figures_never_exceeds_the_exact_margin(election):
    from svcount.figures import figures
    from svcount.operations.margin import figure_bounds

    names, method, ballots = election
    if not any(ballots.pairs.values()):
        return
    result = count(ballots, Method(method))
    if result.winner is None:
        return
    bounds = figure_bounds(figures(result))
    exact = margins(ballots, result)
    if bounds is None:
        return
    if bounds.exact:
        assert (bounds.change, bounds.add, bounds.remove) == tuple(m.papers for m in exact)
    else:
        assert bounds.lower <= exact.change.papers


# --------------------------------------------------------------------------- at any size


def _many(candidates, papers, seed):
    """``papers`` random papers over ``candidates``: ties for second place everywhere."""
    import random

    rng = random.Random(seed)
    names = [f"C{i:03}" for i in range(candidates)]
    pairs = Counter((rng.choice(names), rng.choice(names)) for _ in range(papers))
    return Ballots(tuple(Candidate(c) for c in names), dict(pairs))


@pytest.mark.parametrize(("candidates", "papers", "seed"), [(60, 61, 1), (60, 61, 2), (30, 90, 4)])
def test_many_candidates_tied_near_second_place_give_exact_margins(candidates, papers, seed):
    """Ties for second place among many: one program per candidate, exact, witnesses re-counted."""
    ballots = _many(candidates, papers, seed)
    result = count(ballots)
    if result.winner is None:
        pytest.skip("a lot is required")
    found = margins(ballots, result, seconds=120)
    for margin in found:
        assert margin.exact and margin.papers >= 1
        assert margin.recount is None or margin.recount.winner != result.winner


def test_a_margin_cut_short_gives_the_papers_found_and_the_fewest_proven(monkeypatch):
    """When the time runs out the bounds are reported, labelled, never exit 70."""
    from svcount.operations import routes

    monkeypatch.setattr(routes._Program, "solve", lambda self, seconds: routes.Solved(None, False))
    monkeypatch.chdir(ROOT)
    shown = run("margin", "examples/quickstart/ballots.csv", "-f", "json", "--time-limit", "1")
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.stdout)
    assert doc["exact"] is False and doc["time_limit_seconds"] == 1
    for mode in KINDS:
        margin = doc["margins"][mode]
        assert margin["exact"] is False and 1 <= margin["lower_bound"] <= margin["papers"]
        assert margin["outcome"]["winner"] != doc["winner"]  # still a witness, re-counted
    table = run("margin", "examples/quickstart/ballots.csv", "--time-limit", "1")
    assert table.exit_code == 0 and "not proven exact within 1 s" in table.stdout


@settings(deadline=None, max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6))
def test_five_candidates_with_ties_agree_with_the_exhaustive_search(seed):
    ballots = _many(5, 5, seed)
    names = [c.name for c in ballots.candidates]
    result = count(ballots)
    if result.winner is None:
        return
    found = margins(ballots, result, seconds=60)
    kinds = dict(kind_counts(ballots))
    for mode in KINDS:
        expected = searched_margin(names, "sv", kinds, result.winner, mode)
        assert getattr(found, mode).papers == expected, mode
