"""Aggregated ballot files: a count column says how many identical papers a row stands for."""

from __future__ import annotations

import json

import pytest
from helpers import ENGINES, run, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svcount.io import load

POOL = ["Ann", "Bob", "Cy", "Dee"]


def without_provenance(text):
    doc = json.loads(text)
    for key in ("input", "options", "digest"):
        doc.pop(key)
    return doc


@st.composite
def aggregated(draw):
    names = draw(st.lists(st.sampled_from(POOL), min_size=2, max_size=4, unique=True))
    field = st.one_of(
        st.sampled_from(names), st.sampled_from(names), st.just(""), st.just("?"),
        st.builds("|".join, st.lists(st.sampled_from(names), min_size=2, max_size=2)),
    )  # fmt: skip
    rejected = st.sampled_from(["", "", "", "identifying mark"])
    rows = draw(
        st.lists(
            st.tuples(
                field, field, rejected, st.sampled_from(["Blaby", "Melton"]), st.integers(0, 6)
            ),
            min_size=1,
            max_size=12,
        )
    )
    return names, rows, draw(st.booleans())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(aggregated(), st.sampled_from(["papers", "count", "Votes", "N", "weight", "ballots"]))
def test_an_aggregated_file_counts_as_its_expanded_file(tmp_path, election, column):
    names, rows, with_area = election
    cols = "first,second,rejected" + (",area" if with_area else "")

    def fields(r):
        return ",".join(r[:4] if with_area else r[:3])

    agg = write(
        tmp_path, f"{cols},{column}\n" + "".join(f"{fields(r)},{r[4]}\n" for r in rows), "agg.csv"
    )
    expanded = write(
        tmp_path,
        cols + "\n" + "".join(f"{fields(r)}\n" for r in rows for _ in range(r[4])),
        "exp.csv",
    )
    cands = write(tmp_path, "\n".join(names) + "\n", "c.txt")
    a = run("tally", agg, "-c", cands, "-f", "json", "--seed", "3")
    if sum(r[4] for r in rows) == 0:
        assert a.exit_code == 2 and "no valid ballot papers" in a.stderr
        return
    b = run("tally", expanded, "-c", cands, "-f", "json", "--seed", "3")
    assert a.exit_code == b.exit_code
    if a.exit_code == 2:  # the same error (the expanded file may also warn of blank rows)
        last = [r.stderr.splitlines()[-1] for r in (a, b)]
        assert last[0].replace("agg.csv", "") == last[1].replace("exp.csv", "")
    if a.exit_code in (0, 3):
        assert without_provenance(a.stdout) == without_provenance(b.stdout)


@pytest.mark.parametrize("engine", ENGINES)
def test_both_readers_add_up_counts_and_repeated_rows(tmp_path, engine):
    path = write(tmp_path, "first,second,papers\nAnn,Bob,5\nBob,,3\nAnn,Bob,2\nCy,,0\n")
    loaded = load(path, engine=engine)
    assert loaded.ballots.ballot_papers == 10 and loaded.rows == 4
    assert dict(loaded.ballots.pairs)[("Ann", "Bob")] == 7


def test_the_count_column_can_be_named(tmp_path):
    path = write(tmp_path, "first,second,how_many\nAnn,Bob,5\nBob,,3\n")
    assert json.loads(run("tally", path, "-f", "json").stdout)["ballot_papers"] == 2
    doc = json.loads(run("tally", path, "-f", "json", "--count-column", "how_many").stdout)
    assert doc["ballot_papers"] == 8 and doc["input"]["columns"]["count"] == "how_many"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "the count is empty"),
        ("-2", "the count '-2' is negative"),
        ("2.5", "the count '2.5' is not a whole number of papers"),
        ("many", "the count 'many' is not a number"),
        ("100000001", "the count '100000001' is too large to be real (over 100,000,000"),
    ],
)
def test_bad_counts_name_the_file_line_and_value(tmp_path, engine, value, message):
    path = write(tmp_path, f"first,second,n\nAnn,Bob,4\nBob,,{value}\nAnn,,1\n")
    with pytest.raises(Exception, match="ballots.csv:3: " + message.replace("(", r"\(")):
        load(path, engine=engine)
    result = run("tally", path)
    assert result.exit_code == 2 and f"ballots.csv:3: {message}" in result.stderr


def test_two_count_columns_are_refused(tmp_path):
    path = write(tmp_path, "first,second,papers,count\nAnn,Bob,1,1\n")
    result = run("tally", path)
    assert result.exit_code == 2 and "two count columns, 'papers' and 'count'" in result.stderr


def test_synth_writes_the_aggregated_form(tmp_path):
    from helpers import EXAMPLES

    figures = EXAMPLES / "llr-2016" / "figures.json"
    out = tmp_path / "agg.csv"
    assert run("synth", figures, "--aggregate", "-o", out).exit_code == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "first,second,rejected,papers" and len(lines) < 40
    doc = json.loads(run("tally", out, "-f", "json").stdout)
    assert doc["ballot_papers"] == 155_661 and doc["winner"] == "Willy Bach"
