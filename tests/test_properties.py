"""Properties as axioms: the engine agrees with the naive reference, and invariants hold."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from reference import NoCount, figures_of, reference_count

from svcount.count import (
    count,
)
from svcount.errors import CountError
from svcount.io import load
from svcount.marks import classify
from svcount.model import (
    Method,
    NotCounted,
)

POOL = ["Ann", "Bob", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal"]
ADJUDICATIONS = ["want of official mark", "identifying mark"]


@st.composite
def elections(draw, max_rows=60):
    """(rows, candidate list or None): marks drawn to cover every rejection case."""
    names = draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=8, unique=True))
    name = st.sampled_from(names)
    padded = st.builds(
        lambda n, left, right: left + n + right,
        name,
        st.sampled_from(["", " "]),
        st.sampled_from(["", "  "]),
    )
    several = st.builds(lambda a, b, sep: a + sep + b, name, name, st.sampled_from(["|", ";"]))
    uncertain = st.sampled_from(["?", "?|?", "?;", " ?? "]) | st.builds(
        lambda n, sep: n + sep + "?", name, st.sampled_from(["|", ";"])
    )
    field = st.one_of(
        padded, padded, padded, padded, st.just(""), uncertain, several, st.just(" | ")
    )
    adjudication = st.sampled_from(["", "", "", "", "", "", "", "", *ADJUDICATIONS])
    # Few distinct kinds of paper, each a few times: equalities and exact halves are common.
    kinds = draw(st.lists(st.tuples(field, field, adjudication), max_size=12))
    copies = draw(st.lists(st.integers(1, 5), min_size=len(kinds), max_size=len(kinds)))
    rows = [row for row, n in zip(kinds, copies, strict=True) for _ in range(n)][:max_rows]
    rows = draw(st.permutations(rows)) if rows else rows
    with_list = draw(st.booleans())
    return rows, (names if with_list else None)


def engine(rows, names, method=Method.SV):
    from svcount.model import (
        Candidate,
    )

    candidates = None if names is None else [Candidate(n) for n in names]
    raw = Counter(rows)
    return count(classify(raw, candidates).ballots, method)


def both(rows, names, method="sv"):
    try:
        expected = reference_count(rows, names, method)
    except NoCount:
        with pytest.raises(CountError):
            engine(rows, names, Method(method))
        return None, None
    return expected, engine(rows, names, Method(method))


@given(elections(), st.sampled_from(["sv", "fptp"]))
def test_engine_agrees_with_the_naive_reference(election, method):
    rows, names = election
    expected, result = both(rows, names, method)
    if result is not None:
        assert figures_of(result) == expected


@given(elections())
def test_papers_are_conserved(election):
    rows, names = election
    _, result = both(rows, names)
    if result is None:
        return
    assert result.ballot_papers == len(rows)
    assert result.valid + sum(result.rejected.values()) == len(rows)
    if result.stage_two:
        two = result.stage_two
        kept = sum(result.stage_one.votes[n] for n in result.stage_one.remaining)
        assert sum(two.totals.values()) + sum(two.non_transferable.values()) == result.valid
        assert two.excluded_papers == result.valid - kept


@given(elections())
def test_a_majority_winner_wins_at_stage_one(election):
    rows, names = election
    _, result = both(rows, names)
    if result is None:
        return
    leaders = [n for n, v in result.stage_one.votes.items() if 2 * v > result.valid]
    if leaders and len(result.candidates) > 2:
        assert result.winner == leaders[0] and result.stage_two is None


@given(elections())
def test_the_winner_is_among_the_remaining(election):
    rows, names = election
    _, result = both(rows, names)
    if result is None or result.stage_two is None:
        return
    decided = result.winner or result.lot_required[0]
    assert decided in result.stage_one.remaining
    assert set(result.lot_required) <= set(result.stage_one.remaining)


@given(elections(), st.permutations(range(len(POOL))))
def test_renaming_candidates_renames_the_result(election, permutation):
    rows, names = election
    rename = {old: POOL[i] + "x" for old, i in zip(POOL, permutation, strict=True)}

    def renamed_field(text):
        for old in sorted(rename, key=len, reverse=True):
            text = text.replace(old, "\0" + old + "\0")
        for old, new in rename.items():
            text = text.replace("\0" + old + "\0", new)
        return text

    renamed_rows = [(renamed_field(f), renamed_field(s), r) for f, s, r in rows]
    renamed_names = None if names is None else [rename[n] for n in names]
    _, before = both(rows, names)
    _, after = both(renamed_rows, renamed_names)
    if before is None:
        return

    def mapped(result, translate):
        f = figures_of(result)
        for key in ("first", "transfers", "final"):
            if f[key] is not None:
                f[key] = {translate(k): v for k, v in f[key].items()}
        f["remaining"] = sorted(map(translate, f["remaining"]))
        f["tied"] = sorted(map(translate, f["tied"]))
        f["winner"] = translate(f["winner"]) if f["winner"] else None
        return f

    assert mapped(before, lambda n: rename[n]) == mapped(after, lambda n: n)


def to_csv(rows, header=("first", "second", "rejected")):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(elections(max_rows=200), st.randoms(use_true_random=False), st.integers(1, 7))
def test_reading_is_order_chunk_and_engine_invariant(tmp_path, election, rng, chunk_rows):
    rows, _ = election
    assume(any(not r for _, _, r in rows))
    shuffled = list(rows)
    rng.shuffle(shuffled)
    results = []
    for name, data, engine_name, chunk in [
        ("whole.csv", rows, "python", 1_000_000),
        ("shuffled.csv", shuffled, "python", 1_000_000),
        ("chunks.csv", rows, "pandas", chunk_rows),
        ("whole-pandas.csv", shuffled, "pandas", 1_000_000),
    ]:
        path = tmp_path / name
        path.write_bytes(to_csv(data))
        try:
            loaded = load(str(path), engine=engine_name, chunk_rows=chunk)
        except Exception as exc:  # the same error from every reading, or a bug
            results.append(type(exc).__name__ + str(exc).split(":", 1)[-1])
            continue
        results.append((loaded.ballots, loaded.rows))
    assert results[1:] == results[:1] * 3


def test_seeded_lots_spread_over_the_tied():
    """The seeded draw is not stuck on one candidate (a smoke check of the rng use)."""
    from svcount.model import (
        Ballots,
        Candidate,
        SeededLot,
    )

    ballots = Ballots(
        candidates=tuple(Candidate(n) for n in "ABC"),
        pairs={(n, NotCounted.BLANK): 5 for n in "ABC"},
    )
    winners = Counter(count(ballots, Method.FPTP, lot=SeededLot(s)).winner for s in range(300))
    assert set(winners) == {"A", "B", "C"}
    assert min(winners.values()) > 60
