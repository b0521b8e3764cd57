"""Candidates in tables by votes, in ballot order by surname (README, "Output")."""

from __future__ import annotations

import re

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import svcount
from svcount.names import ballot_order
from svcount.render.html import result_page

NAMES = ["Zed Adams", "Ann Zimmer", "Bob Young", "Cy Young", "Dee Xu", "Eve Archer"]


def _frame(votes: dict[str, int], seconds: dict[str, str] | None = None) -> pd.DataFrame:
    rows = []
    for name, n in votes.items():
        second = (seconds or {}).get(name, "")
        rows += [(name, second)] * n
    return pd.DataFrame(rows, columns=["first", "second"])


def _table(markdown: str, title: str) -> list[list[str]]:
    """The body rows of the first markdown table whose heading starts with ``title``."""
    lines = markdown.split(f"### {title}", 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip().strip("*") for cell in line.strip("|").split("|")])
    return rows


def test_ballot_order_is_by_surname_then_other_names():
    names = ["Cy Young", "Zed Adams", "ARCHER, Ann", "Bob Young", "Madonna"]
    assert sorted(names, key=ballot_order) == [
        "Zed Adams",
        "ARCHER, Ann",
        "Madonna",
        "Bob Young",
        "Cy Young",
    ]


def test_inferred_candidates_take_the_ballot_order():
    result = svcount.tally(_frame(dict.fromkeys(NAMES, 1)), method="fptp")
    assert [c.name for c in result.candidates] == [
        "Zed Adams",
        "Eve Archer",
        "Dee Xu",
        "Bob Young",
        "Cy Young",
        "Ann Zimmer",
    ]


def test_the_winner_after_transfers_heads_stage_two_and_the_page():
    seconds = {"Cy Young": "Bob Young", "Dee Xu": "Bob Young"}
    result = svcount.tally(
        _frame({"Ann Zimmer": 10, "Bob Young": 8, "Cy Young": 5, "Dee Xu": 2}, seconds)
    )
    assert result.winner == "Bob Young"
    md = result.to_markdown()
    assert [r[0] for r in _table(md, "Stage one: first preferences")][:4] == [
        "Ann Zimmer",
        "Bob Young",
        "Cy Young",
        "Dee Xu",
    ]
    assert [r[0] for r in _table(md, "Stage two: second preferences")] == [
        "Bob Young",
        "Ann Zimmer",
    ]
    listed = svcount.tally(
        _frame({"Ann Zimmer": 10, "Bob Young": 8, "Cy Young": 5, "Dee Xu": 2}, seconds),
        candidates=["Dee Xu", "Cy Young", "Ann Zimmer", "Bob Young"],
    )
    table = result_page(listed._view()).split('<table id="table-candidates">', 1)[1]
    table = table.split("</table>", 1)[0]
    shown = re.findall(r"Ann Zimmer|Bob Young|Cy Young|Dee Xu", table)
    assert shown == ["Bob Young", "Ann Zimmer", "Cy Young", "Dee Xu"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=2, max_size=6), st.booleans())
def test_tables_put_the_most_votes_first_and_ties_in_ballot_order(votes, listed):
    names = NAMES[: len(votes)]
    tallied = dict(zip(names, votes, strict=True))
    if not sum(votes):
        return
    given_list = list(reversed(names)) if listed else None
    result = svcount.tally(
        _frame(tallied),
        candidates=given_list,
        method="fptp",
        unknown_as_void=True,
    )
    ballot = [c.name for c in result.candidates]
    rows = _table(result.to_markdown(), "Votes")[:-1]
    shown = [(name, int(n.replace(",", ""))) for name, n, *_ in rows]
    expected = sorted(
        ((c, tallied.get(c, 0)) for c in ballot), key=lambda cv: -cv[1]
    )  # stable: equal votes keep the ballot order
    assert shown == expected


def test_by_area_columns_start_with_the_most_votes():
    frame = _frame({"Eve Archer": 3, "Zed Adams": 9, "Dee Xu": 5})
    frame["area"] = ["North", "South"] * (len(frame) // 2) + ["North"] * (len(frame) % 2)
    md = svcount.tally(frame, method="fptp", area_column="area").to_markdown()
    header = md.split("Votes by voting area", 1)[1].split("\n\n", 2)[1].splitlines()[0]
    assert re.findall(r"Adams|Xu|Archer", header) == ["Adams", "Xu", "Archer"]
