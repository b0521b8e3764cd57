"""The audit board's retrieval sheet: a printable page per board, and its readings template.

The sheet lists the papers to retrieve box by box, with a tick box for each
paper found and room to write what it says, and signature lines for the
board; the template is the readings CSV ``rla assess`` takes, its box,
position and ticket filled in, each paper once however often it was drawn.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from svcount.documents.writing import csv_line
from svcount.operations.sampling import Retrieval

__all__ = ["readings_template", "retrieval_sheet"]

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #111; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
p { margin: .2rem 0 1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #444; padding: .35rem .5rem; text-align: left; }
th { background: #eee; }
td.box { white-space: nowrap; }
td.tick { width: 2.2rem; text-align: center; font-size: 1.3rem; }
td.read { width: 22%; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
.signatures { margin-top: 2.5rem; display: flex; gap: 3rem; }
.signatures div { flex: 1; border-top: 1px solid #111; padding-top: .3rem; }
@media print { body { margin: 1cm; } }
"""


def retrieval_sheet(board: int, boards: int, rows: Sequence[Retrieval], about: str) -> str:
    """Board ``board``'s printable sheet: its papers box by box, tick boxes, signatures."""
    lines = "".join(
        "<tr>"
        f'<td class="box">{html.escape(r.draw.batch)}</td><td>{r.draw.position}</td>'
        f"<td>{r.draw.ticket}</td><td>{r.number}{' (again)' if r.draw.draw > 1 else ''}</td>"
        '<td class="tick">&#9744;</td><td class="read"></td><td class="read"></td>'
        "</tr>"
        for r in rows
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Retrieval sheet, board {board} of {boards}</title><style>{_STYLE}</style>"
        f"</head><body><h1>Retrieval sheet: audit board {board} of {boards}</h1>"
        f"<p>{html.escape(about)}. {len(rows):,} draws. Tick each paper found; write what it "
        "says; a paper that cannot be found is left unticked and entered with found no.</p>"
        '<table><thead><tr><th scope="col">Box</th><th scope="col">Position</th>'
        '<th scope="col">Ticket</th><th scope="col">Draw</th><th scope="col">Found</th>'
        '<th scope="col">First preference</th><th scope="col">Second preference</th>'
        f"</tr></thead><tbody>{lines}</tbody></table>"
        '<div class="signatures"><div>Audit board member, signature and date</div>'
        "<div>Audit board member, signature and date</div>"
        "<div>Returning officer's witness</div></div></body></html>\n"
    )


def readings_template(rows: Sequence[Retrieval]) -> str:
    """The readings CSV for ``rla assess``: each paper once, box, position and ticket filled."""
    seen: set[tuple[str, int]] = set()
    out = [csv_line(["box", "position", "ticket", "found", "first", "second"])]
    for r in rows:
        paper = (r.draw.batch, r.draw.position)
        if paper not in seen:
            seen.add(paper)
            cells = [r.draw.batch, str(r.draw.position), r.draw.ticket]
            out.append(csv_line([*cells, "", "", ""]))  # found: the board writes yes or no
    return "".join(out)
