"""The statement as to the result of the verification: tables, text, markdown, CSV and HTML."""

from __future__ import annotations

import html
import io
from collections.abc import Sequence

from svcount.documents.writing import csv_line, spreadsheet_safe
from svcount.operations.verification import Statement
from svcount.render.blocks import Block, Grid, Note, markdown

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
        ("Box", "Station", "Area", "Kind", "Expected", "Verified", "Variance"),
        tuple(
            (b.box, b.station, b.area, b.kind, _n(b.expected), _n(b.verified), _signed(b.variance))
            for b in found.boxes
        ),  # fmt: skip
        total=(
            "Total",
            "",
            "",
            "",
            _n(total["expected"]),
            _n(total["verified"]),
            _signed(total["verified"] - total["expected"]),
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
table { border-collapse: collapse; min-width: 100%; }
th, td { padding: .35rem .6rem; border-bottom: 1px solid #ccc; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tfoot td { font-weight: bold; border-top: 2px solid #1a1a1a; }
.unexplained { color: #a4000f; font-weight: bold; }
"""


#: The columns that hold numbers: right-aligned.
_NUMBERS = {"Expected", "Verified", "Variance", "Postal papers", "Station papers",
            "Boxes with a variance", "Unexplained"}  # fmt: skip


def _table(grid: Grid, numeric: Sequence[bool]) -> str:
    def shown(cell: str) -> str:
        if cell == "unexplained":
            return '<span class="unexplained">unexplained</span>'
        return html.escape(cell)

    def cells(row: Sequence[str], tag: str) -> str:
        return "".join(
            f"<{tag}{' class=n' if num else ''}{' scope=col' if tag == 'th' else ''}>"
            f"{shown(c)}</{tag}>"
            for c, num in zip(row, numeric, strict=True)
        )

    body = "".join(f"<tr>{cells(r, 'td')}</tr>" for r in grid.rows)
    foot = f"<tfoot><tr>{cells(grid.total, 'td')}</tr></tfoot>" if grid.total else ""
    return (
        f"<h2>{html.escape(grid.title)}</h2>"
        f'<div class="scroll" tabindex="0" role="region" aria-label="{html.escape(grid.title)}">'
        f"<table><thead><tr>{cells(grid.columns, 'th')}</tr></thead>"
        f"<tbody>{body}</tbody>{foot}</table></div>"
    )


def statement_html(found: Statement) -> str:
    """A self-contained page in the results page's manner: readable at 375 px, every table
    scrollable from the keyboard."""
    parts = [
        _table(b, [c in _NUMBERS for c in b.columns])
        if isinstance(b, Grid)
        else f"<p><strong>{html.escape(b.lead)}</strong>{html.escape(b.text)}</p>"
        for b in statement_blocks(found)[1:]
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{TITLE}</title><style>{_STYLE}</style></head><body><main>"
        f"<h1>{TITLE}</h1>{''.join(parts)}"
        "</main></body></html>\n"
    )
