"""The by-area tables of a poll counted by voting area: one row per area, then the total."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from svcount.model import Method, NotCounted, Rejection, Result, StageTwo, Transfers, Turnout
from svcount.render.words import table

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table

__all__ = ["area_tables"]

_SHORT_HEADING = {
    Rejection.WANT_OF_OFFICIAL_MARK: "Official mark",
    Rejection.MORE_THAN_ONE_CANDIDATE: "More than one",
    Rejection.IDENTIFYING_MARK: "Identifying",
    Rejection.UNMARKED: "Unmarked",
    Rejection.VOID_FOR_UNCERTAINTY: "Uncertain",
    Rejection.UNMARKED_OR_VOID: "Unmarked or uncertain",
}
_SHORT_HEAD = {
    NotCounted.BLANK: "None",
    NotCounted.MORE_THAN_ONE: "Several",
    NotCounted.UNCERTAIN: "Uncertain",
    NotCounted.SAME_AS_FIRST: "Same as first",
    NotCounted.NOT_REMAINING: "Not remaining",
}


Cell = int | str | None


def area_table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[tuple[str, Sequence[Cell]]],
    total: Sequence[Cell],
    *,
    plain: bool,
) -> Table:
    """Areas as rows, figures as columns, ruled off with a Total row; fits 80 columns.

    Number columns are kept narrow (their headers fold onto more lines) to
    leave room for area names, which wrap between words and are never cut.
    """
    from rich.text import Text

    def cell(v: Cell) -> str:
        return v if isinstance(v, str) else ("" if v is None else f"{v:,}")

    t = table(title, "Area", *columns, plain=plain)
    cells = [[cell(v) for v in values] for _, values in rows] + [[cell(v) for v in total]]
    for label, row in zip([*(label for label, _ in rows), "Total"], cells, strict=True):
        if label == "Total":
            t.add_section()
        t.add_row(Text(label), *row)
    names = [label for label, _ in rows]
    longest_word = max(len(w) for name in names for w in name.split())
    t.columns[0].min_width = max(min(14, max(len(n) for n in names)), longest_word)
    t.columns[0].overflow = "fold"
    for i, column in enumerate(t.columns[1:]):
        words = str(column.header).split() or [""]
        column.max_width = max(8, *(len(w) for w in words), *(len(row[i]) for row in cells))
        column.overflow = "fold"
    return t


def area_votes_table(result: Result, *, plain: bool) -> Table:
    names = [c.name for c in result.candidates]
    title = "First preferences" if result.method is Method.SV else "Votes"
    return area_table(
        f"{title} by voting area",
        names,
        [(a.name, [a.first.votes[n] for n in names]) for a in result.areas],
        [result.stage_one.votes[n] for n in names],
        plain=plain,
    )


def area_transfers_table(result: Result, two: StageTwo, *, plain: bool) -> Table:
    remaining = list(result.stage_one.remaining)

    def row(moved: Transfers | StageTwo) -> list[Cell]:
        return [*(moved.transfers[n] for n in remaining), sum(moved.non_transferable.values())]

    return area_table(
        "Second preferences by voting area",
        [*(f"{n} +" for n in remaining), "Not transferred"],
        [(a.name, row(a.transfers)) for a in result.areas if a.transfers is not None],
        row(two),
        plain=plain,
    )


def area_final_table(result: Result, two: StageTwo, *, plain: bool) -> Table:
    remaining = list(result.stage_one.remaining)
    return area_table(
        "Final totals by voting area",
        remaining,
        [(a.name, [a.totals[n] for n in remaining]) for a in result.areas],
        [two.totals[n] for n in remaining],
        plain=plain,
    )


def area_rejected_table(result: Result, *, plain: bool) -> Table:
    headings = list(result.rejected)

    def row(rejected: Mapping[Rejection, int]) -> list[Cell]:
        return [*(rejected[h] for h in headings), sum(rejected.values())]

    return area_table(
        "Rejected ballot papers by voting area",
        [*(_SHORT_HEADING[h] for h in headings), "Total"],
        [(a.name, row(a.rejected)) for a in result.areas],
        row(result.rejected),
        plain=plain,
    )


def area_unusable_table(result: Result, heads: Mapping[NotCounted, int], *, plain: bool) -> Table:
    return area_table(
        "Second preferences not counted, by voting area",
        [_SHORT_HEAD[h] for h in heads],
        [(a.name, [a.first.second_not_counted[h] for h in heads]) for a in result.areas],
        list(heads.values()),
        plain=plain,
    )


def area_papers_table(result: Result, *, plain: bool) -> Table:
    """Papers, valid votes, turnout and papers issued by area (the last two when known)."""
    areas = result.areas
    with_turnout = all(a.electorate is not None for a in areas)
    with_issued = any(a.issued is not None for a in areas)
    columns = ["Papers", "Valid"]
    if with_turnout:
        columns += ["Electorate", "Turnout %", "Valid %"]
    if with_issued:
        columns += ["Issued", "Issued - counted"]

    def check(diff: int | None) -> str:
        return "" if diff is None else (f"{diff:+,} CHECK" if diff else "0")

    def row(papers: int, valid: int, turnout: Turnout | None) -> list[Cell]:
        cells: list[Cell] = [papers, valid]
        if with_turnout and turnout:
            cells += [
                turnout.electorate,
                f"{turnout.ballot_papers_pct}",
                f"{turnout.valid_votes_pct}",
            ]
        return cells

    rows = []
    for a in areas:
        cells = row(a.first.ballot_papers, a.first.valid, a.turnout)
        if with_issued:
            cells += [a.issued, check(a.issued_minus_counted)]
        rows.append((a.name, cells))
    total = row(result.ballot_papers, result.valid, result.turnout)
    if with_issued:
        issued = [a.issued for a in areas if a.issued is not None]
        whole = sum(issued) if len(issued) == len(areas) else None
        total += [whole, check(None if whole is None else whole - result.ballot_papers)]
    return area_table("Ballot papers by voting area", columns, rows, total, plain=plain)


def area_tables(result: Result, plain: bool) -> list[RenderableType]:
    """Every figure by voting area, in the order of the whole count's tables."""
    out: list[RenderableType] = [area_votes_table(result, plain=plain)]
    if result.stage_two:
        out.append(area_transfers_table(result, result.stage_two, plain=plain))
        out.append(area_final_table(result, result.stage_two, plain=plain))
    out.append(area_rejected_table(result, plain=plain))
    if result.second_not_counted is not None:
        out.append(area_unusable_table(result, result.second_not_counted, plain=plain))
    out.append(area_papers_table(result, plain=plain))
    return out
