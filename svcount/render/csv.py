"""Results, local counts and totals as CSV: one row per candidate per stage.

Written with the ``csv`` module, never through Rich, so they are stable byte
for byte; every cell that holds a name is made safe for spreadsheets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from svcount.documents.writing import csv_line, spreadsheet_safe
from svcount.model import percent

if TYPE_CHECKING:
    from svcount.documents.local import Combined, LocalCount
    from svcount.figures import View

__all__ = ["CSV_HEADER", "local_csv", "result_csv", "total_csv"]

CSV_HEADER = (
    "stage",
    "candidate",
    "party",
    "first_preferences",
    "second_preferences",
    "total",
    "share_pct",
    "status",
)


def result_csv(shown: View) -> str:
    """One row per candidate per stage, header ``CSV_HEADER``.

    Counted by area, an ``area`` column follows: empty on the rows of the whole
    count, then the same rows for each voting area.
    """
    f = shown.figures
    by_area = bool(f["areas"])
    lines = [csv_line([*CSV_HEADER, "fptp_status", *(["area"] if by_area else [])])]
    parts = [(None, f), *f["areas"].items()]
    for area, view in parts:
        votes, moved = view["first_preferences"], view["second_preferences"]
        tail = [] if not by_area else [spreadsheet_safe(area or "")]
        for stage in (1, 2) if moved is not None else (1,):
            status = f["stage_one_status"] if stage == 1 else f["status"]
            for c in shown.candidates:
                n = votes[c.name]
                extra = moved.get(c.name) if stage == 2 else None
                lines.append(
                    csv_line(
                        [
                            stage,
                            spreadsheet_safe(c.name),
                            spreadsheet_safe(c.party or ""),
                            n,
                            "" if extra is None else extra,
                            n if stage == 1 else ("" if extra is None else n + extra),
                            view["share_pct"][c.name],
                            status[c.name],
                            f["fptp_status"][c.name],
                            *tail,
                        ]
                    )
                )
    return "".join(lines)


def local_csv(local: LocalCount) -> str:
    """A local count as CSV rows of ``CSV_HEADER`` with an ``area`` column."""
    rows: list[list[Any]] = []
    if local.first is not None:
        votes = local.first.votes
        rows = [
            [1, c, votes[c.name], "", votes[c.name], percent(votes[c.name], local.first.valid), ""]
            for c in local.candidates
        ]
    elif local.transfers is not None:
        moved = local.transfers.transfers
        rows = [[2, c, "", moved[c.name], "", "", ""] for c in local.candidates if c.name in moved]
    return _csv_rows(rows, local.area)


def total_csv(combined: Combined) -> str:
    """The police-area total of first preferences as CSV, status remaining or excluded."""
    from functools import reduce
    from operator import add

    total = reduce(add, combined.firsts.values())
    remaining = combined.stage.remaining
    rows = [
        [
            1,
            c,
            total.votes[c.name],
            "",
            total.votes[c.name],
            percent(total.votes[c.name], total.valid),
            "remaining" if c.name in remaining else "excluded",
        ]
        for c in total.candidates
    ]
    return _csv_rows(rows, None)


def _csv_rows(rows: list[list[Any]], area: str | None) -> str:
    lines = [csv_line([*CSV_HEADER, *(["area"] if area is not None else [])])]
    tail = [] if area is None else [spreadsheet_safe(area)]
    for stage, c, *cells in rows:
        name, party = spreadsheet_safe(c.name), spreadsheet_safe(c.party or "")
        lines.append(csv_line([stage, name, party, *cells, *tail]))
    return "".join(lines)
