"""The by-area tables of a poll counted by voting area: one row per area, then the total.

Built from the figures view: the whole count's figures and each area's
(:func:`svcount.figures.area_figures`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from svcount.figures import by_votes
from svcount.model import Candidate, Method, NotCounted, Rejection
from svcount.render.blocks import Grid

__all__ = ["area_grids"]

#: Each heading's column header in the by-area tables, and the short form it gives way to.
_AREA_HEADING = {
    Rejection.WANT_OF_OFFICIAL_MARK.value: ("Official mark", "No mark"),
    Rejection.MORE_THAN_ONE_CANDIDATE.value: ("More than one", "Several"),
    Rejection.IDENTIFYING_MARK.value: ("Identifying", "Ident."),
    Rejection.UNMARKED.value: ("Unmarked", "Unmarked"),
    Rejection.VOID_FOR_UNCERTAINTY.value: ("Uncertain", "Uncertain"),
    Rejection.UNMARKED_OR_VOID.value: ("Unmarked or uncertain", "Unm./unc."),
}
_AREA_HEAD = {
    NotCounted.BLANK.value: ("No second preference", "None"),
    NotCounted.MORE_THAN_ONE.value: ("More than one", "Several"),
    NotCounted.UNCERTAIN.value: ("Void for uncertainty", "Uncertain"),
    NotCounted.SAME_AS_FIRST.value: ("Same as first", "Same"),
    NotCounted.NOT_REMAINING.value: ("Not remaining", "Not rem."),
}

Cell = int | str | None
Figures = Mapping[str, Any]


def _cell(v: Cell) -> str:
    return v if isinstance(v, str) else ("" if v is None else f"{v:,}")


def area_grid(
    title: str,
    columns: Sequence[str],
    rows: Sequence[tuple[str, Sequence[Cell]]],
    total: Sequence[Cell],
    short: Sequence[str] | None = None,
) -> Grid:
    """Areas as rows, figures as columns, ruled off with a Total row.

    ``short`` headers give way first when the table is too wide (with a
    legend): candidates heading columns give way to their surnames.
    """
    return Grid(
        title,
        ("Area", *columns),
        tuple((label, *(_cell(v) for v in values)) for label, values in rows),
        ("Total", *(_cell(v) for v in total)),
        short=None if short is None else ("Area", *short),
    )


def _surnames(columns: Sequence[str]) -> list[str]:
    """Each header's last word, when that names it alone; else the header itself."""
    last = [c.split()[-1] if c.split() else c for c in columns]
    return [s if last.count(s) == 1 else c for s, c in zip(last, columns, strict=True)]


def _votes(f: Figures, names: Sequence[str]) -> Grid:
    names = by_votes(names, f["first_preferences"])
    title = "First preferences" if f["method"] == Method.SV.value else "Votes"
    return area_grid(
        f"{title} by voting area",
        names,
        [(name, [a["first_preferences"][n] for n in names]) for name, a in f["areas"].items()],
        [f["first_preferences"][n] for n in names],
        _surnames(names),
    )


def _transfers(f: Figures) -> Grid:
    remaining = by_votes(f["remaining"], f["final"])

    def row(figures: Figures) -> list[Cell]:
        moved = figures["second_preferences"]
        return [*(moved[n] for n in remaining), figures["non_transferable"]["total"]]

    return area_grid(
        "Second preferences added to each remaining candidate, by voting area",
        [*remaining, "Not transferred"],
        [(name, row(a)) for name, a in f["areas"].items() if a["second_preferences"] is not None],
        row(f),
        [*_surnames(remaining), "Not transferred"],
    )


def _final(f: Figures) -> Grid:
    remaining = by_votes(f["remaining"], f["final"])
    return area_grid(
        "Final totals by voting area",
        remaining,
        [(name, [a["final"][n] for n in remaining]) for name, a in f["areas"].items()],
        [f["final"][n] for n in remaining],
        _surnames(remaining),
    )


def _by_heading(
    f: Figures,
    key: str,
    labels: Mapping[str, tuple[str, str]],
    title: str,
    total: bool,
) -> Grid:
    """Figures by heading (rejections, or second preferences not counted) for each area.

    ``labels`` gives each heading's header and its short form.
    """
    heads = [k for k in f[key] if k != "total"] + (["total"] if total else [])
    named = [labels.get(h, ("Total", "Total")) for h in heads]
    return area_grid(
        title,
        [full for full, _ in named],
        [(name, [a[key][h] for h in heads]) for name, a in f["areas"].items()],
        [f[key][h] for h in heads],
        [short for _, short in named],
    )


def _papers(f: Figures) -> Grid:
    """Papers, valid votes, turnout and papers issued by area (the last two when known)."""
    areas = f["areas"]
    with_turnout = all(a["turnout"] is not None for a in areas.values())
    with_issued = any(a["ballot_papers_issued"] is not None for a in areas.values())
    columns = ["Papers", "Valid"]
    if with_turnout:
        columns += ["Electorate", "Turnout %", "Valid %"]
    if with_issued:
        columns += ["Issued", "Issued - counted"]

    def check(diff: int | None) -> str:
        return "" if diff is None else (f"{diff:+,} CHECK" if diff else "0")

    def row(figures: Figures) -> list[Cell]:
        cells: list[Cell] = [figures["ballot_papers"], figures["valid_votes"]]
        turnout = figures["turnout"]
        if with_turnout and turnout:
            cells += [
                turnout["electorate"],
                f"{turnout['ballot_papers_pct']}",
                f"{turnout['valid_votes_pct']}",
            ]
        return cells

    rows = []
    for name, a in areas.items():
        cells = row(a)
        if with_issued:
            cells += [a["ballot_papers_issued"], check(a["issued_minus_counted"])]
        rows.append((name, cells))
    total = row(f)
    if with_issued:
        issued = [a["ballot_papers_issued"] for a in areas.values()]
        known = [n for n in issued if n is not None]
        whole = sum(known) if len(known) == len(issued) else None
        total += [whole, check(None if whole is None else whole - f["ballot_papers"])]
    return area_grid("Ballot papers by voting area", columns, rows, total)


def area_grids(f: Figures, candidates: Sequence[Candidate]) -> list[Grid]:
    """Every figure by voting area, in the order of the whole count's tables."""
    out = [_votes(f, [c.name for c in candidates])]
    if f["second_preferences"] is not None:
        out += [_transfers(f), _final(f)]
    out.append(
        _by_heading(f, "rejected", _AREA_HEADING, "Rejected ballot papers by voting area", True)
    )
    if f["second_preferences_not_counted"] is not None:
        out.append(
            _by_heading(
                f,
                "second_preferences_not_counted",
                _AREA_HEAD,
                "All valid papers: second preference not counted, by voting area",
                False,
            )
        )
    out.append(_papers(f))
    return out
