"""The statement as to the result of the verification: tables, text, markdown, CSV and HTML."""

from __future__ import annotations

import io

from svcount.documents.writing import csv_line, spreadsheet_safe
from svcount.operations.verification import Statement
from svcount.render.blocks import Block, Grid, Note, html_fragment, markdown

__all__ = ["statement_blocks", "statement_csv", "statement_html", "statement_markdown",
           "statement_text"]  # fmt: skip

TITLE = "Statement as to the result of the verification"


def _n(value: int) -> str:
    return f"{value:,}"


def _signed(value: int) -> str:
    return f"{value:+,}" if value else "0"


def statement_blocks(found: Statement) -> list[Block]:
    """The statement as blocks: every box, each voting area, the total, and what is unexplained."""
    areas = found.areas()
    total = areas[""]
    boxes = Grid(
        "Ballot boxes: papers expected (ballot paper account) and verified",
        ("Box", "Expected", "Verified", "Variance", "Area", "Kind", "Station"),
        tuple(
            (b.box, _n(b.expected), _n(b.verified), _signed(b.variance), b.area, b.kind, b.station)
            for b in found.boxes
        ),  # fmt: skip
        total=(
            "Total",
            _n(total["expected"]),
            _n(total["verified"]),
            _signed(total["verified"] - total["expected"]),
            "",
            "",
            "",
        ),  # fmt: skip
    )
    variances = [
        Note(
            b.explanation or "not explained",
            lead=f"Variance in box {b.box} ({_signed(b.variance)}): ",
        )
        for b in found.boxes
        if b.variance
    ]
    by_area = Grid(
        "Papers verified",
        ("Area", "Postal papers", "Station papers", "Verified", "Boxes with a variance",
         "Unexplained"),  # fmt: skip
        tuple(
            (name or "All", _n(f["postal_verified"]), _n(f["station_verified"]),
             _n(f["verified"]), _n(f["with_variance"]), _n(f["unexplained"]))
            for name, f in areas.items() if name
        ),  # fmt: skip
        total=("Total", _n(total["postal_verified"]), _n(total["station_verified"]),
               _n(total["verified"]), _n(total["with_variance"]), _n(total["unexplained"])),
    )  # fmt: skip
    unexplained = found.unexplained
    verdict = (
        f"{unexplained:,} box{'es' if unexplained != 1 else ''} with a variance not explained: "
        "explain it before the count, or the statement cannot be signed as complete."
        if unexplained
        else "Every variance is explained."
        if total["with_variance"]
        else "No box has a variance."
    )
    return [Note(TITLE, lead=""), boxes, *variances, by_area, Note(verdict, lead="Verification. ")]


def statement_text(found: Statement) -> str:
    """The statement as plain text, 80 columns at most."""
    from rich.console import Console

    from svcount.render.blocks import rich

    console = Console(file=io.StringIO(), width=80, color_system=None, force_terminal=False)
    for part in rich(statement_blocks(found), plain=True):
        console.print(part)
        console.print()
    out = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in out.rstrip().splitlines()) + "\n"


def statement_markdown(found: Statement) -> str:
    return markdown(statement_blocks(found))


def statement_csv(found: Statement) -> str:
    """One row per box: its account, what was verified, the variance and its explanation."""
    head = ["box", "station", "area", "kind", "expected", "verified", "variance", "tendered",
            "explanation"]  # fmt: skip
    rows = [csv_line(head)]
    for b in found.boxes:
        cells = [
            b.box,
            b.station,
            b.area,
            b.kind,
            str(b.expected),
            str(b.verified),
            str(b.variance),
            "" if b.tendered is None else str(b.tendered),
            b.explanation,
        ]
        rows.append(csv_line([spreadsheet_safe(c) for c in cells]))  # fmt: skip
    return "".join(rows)


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1rem auto; max-width: 60rem; padding: 0 1rem;
       color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 1.6rem; }
.scroll { overflow-x: auto; }
.scroll:focus { outline: 3px solid #1d70b8; }
/* At 375 px the figures come first and the box stays in view; a shadow shows what is hidden. */
.scroll { background:
  linear-gradient(to left, #fff 40%, transparent) right center / 2.5rem 100% no-repeat local,
  radial-gradient(farthest-side at 100% 50%, rgba(0,0,0,.35), transparent) right center / 1rem
  100% no-repeat scroll; }
th:first-child, td:first-child { position: sticky; left: 0; background: #fff; }
table { border-collapse: collapse; min-width: 100%; }
th, td { padding: .35rem .6rem; border-bottom: 1px solid #ccc; text-align: left; }
td, th { font-variant-numeric: tabular-nums; }
tfoot td { font-weight: bold; border-top: 2px solid #1a1a1a; }
td { white-space: nowrap; }
@media (max-width: 30rem) { th, td { padding: .3rem .4rem; } }
"""


#: The columns that hold numbers: right-aligned.
_NUMBERS = ("Expected", "Verified", "Variance", "Postal papers", "Station papers",
            "Boxes with a variance", "Unexplained")  # fmt: skip


def statement_html(found: Statement) -> str:
    """A self-contained page in the results page's manner: readable at 375 px (the figures
    first, the box column kept in view), every table scrollable from the keyboard."""
    body = html_fragment(statement_blocks(found)[1:], _NUMBERS, level=2)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{TITLE}</title><style>{_STYLE}</style></head><body><main>"
        f"<h1>{TITLE}</h1>{body}"
        "</main></body></html>\n"
    )
