"""What the table view says, as plain data: notes and grids of strings, then Rich or markdown.

The table output and its markdown are built once, as :class:`Note` and
:class:`Grid` blocks from the figures view, and only then drawn: by
:func:`rich` for a terminal or file, by :func:`markdown` for a wiki. So the
two never differ, and nothing reads Rich's internals.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from svcount.render.words import table

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = ["Block", "Grid", "Note", "markdown", "md_table", "md_text", "numeric", "rich"]


@dataclass(frozen=True)
class Note:
    """A paragraph; ``lead`` is its bold opening, ``panel`` the border style of a declaration."""

    text: str
    lead: str = ""
    panel: str | None = None


@dataclass(frozen=True)
class Grid:
    """A titled table of strings; ``total`` is ruled off below the rows.

    ``by_area`` tables keep number columns narrow (their headers fold) to
    leave room for area names, which wrap between words and are never cut.
    """

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total: tuple[str, ...] | None = None
    by_area: bool = False


Block = Note | Grid


def numeric(columns: Sequence[str]) -> list[bool]:
    """Which columns hold numbers (right-aligned): all but the first and the party."""
    return [i > 0 and c != "Party" for i, c in enumerate(columns)]


def _rich_grid(grid: Grid, plain: bool) -> RenderableType:
    from rich.text import Text

    t = table(grid.title, *grid.columns, plain=plain)
    for row in grid.rows:
        t.add_row(*(Text(cell) for cell in row))
    if grid.total is not None:
        t.add_section()
        t.add_row(*(Text(cell) for cell in grid.total))
    if grid.by_area:
        cells = [*grid.rows, *([grid.total] if grid.total else [])]
        names = [row[0] for row in grid.rows]
        longest_word = max(len(w) for name in names for w in name.split())
        t.columns[0].min_width = max(min(14, max(len(n) for n in names)), longest_word)
        t.columns[0].overflow = "fold"
        for i, column in enumerate(t.columns[1:], start=1):
            words = str(column.header).split() or [""]
            column.max_width = max(8, *(len(w) for w in words), *(len(row[i]) for row in cells))
            column.overflow = "fold"
    return t


def _rich_note(note: Note, plain: bool) -> RenderableType:
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    text = Text(note.lead, style="bold") if note.lead else Text()
    text.append(note.text)
    if note.panel is None:
        return text
    if plain:  # the same section as the terminal's panel, without the box
        return Group(Text("Declaration"), text)
    return Panel(text, title="Declaration", border_style=note.panel, expand=False)


def rich(blocks: Sequence[Block], *, plain: bool) -> list[RenderableType]:
    """Rich renderables: every cell a ``Text``, so markup in a name is printed, never obeyed."""
    return [_rich_grid(b, plain) if isinstance(b, Grid) else _rich_note(b, plain) for b in blocks]


#: Characters that open inline syntax anywhere (emphasis, code, links, tables, strikeout).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
#: What opens a block at the start of a line: headings, quotes, lists, rules, setext, fences.
_BLOCK_START = re.compile(
    r"^(\s*)(?:(#{1,6}|[>+*-])(?=\s|$)|>|(\d{1,9})(?=[.)](?:\s|$))|(=+|-+)\s*$|([-*_])(?:\s*\5){2,}\s*$)"
)


def md_text(text: str) -> str:
    """Text that CommonMark prints as written: HTML, inline and block syntax escaped.

    Every ASCII punctuation may be backslash-escaped in CommonMark, so the
    escapes are exact; a line break (which the name policy refuses anyway)
    becomes a space, so nothing can start a new block.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = " ".join(_MARKDOWN_SPECIAL.sub(r"\\\1", text).split("\n")).replace("\r", " ")
    match = _BLOCK_START.match(text)
    if match is None:
        return text
    lead, digits = match.group(1), match.group(3)
    if digits is not None:  # "1. " or "1) " would start an ordered list
        end = len(lead) + len(digits)
        return text[:end] + "\\" + text[end:]
    return f"{lead}\\{text[len(lead) :]}"


def md_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    total: Sequence[str] | None = None,
    numeric: Sequence[bool] | None = None,
) -> list[str]:
    """A pipe table's lines; cells escaped, numbers right-aligned, a bold total row."""
    numeric = numeric or [i > 0 and c != "Description" for i, c in enumerate(columns)]
    lines = ["| " + " | ".join(md_text(c) for c in columns) + " |"]
    lines.append("|" + "|".join("---:" if n else ":---" for n in numeric) + "|")
    lines += ["| " + " | ".join(md_text(cell) for cell in row) + " |" for row in rows]
    if total:
        lines.append("| " + " | ".join(f"**{md_text(c)}**" if c else "" for c in total) + " |")
    return lines


def markdown(blocks: Sequence[Block]) -> str:
    """CommonMark with pipe tables: the first note is the heading, each grid a titled table."""
    lines: list[str] = []
    for b in blocks:
        if isinstance(b, Grid):
            rows = [*b.rows, *([b.total] if b.total else [])]
            lines += [f"### {md_text(b.title)}", ""]
            lines += [*md_table(b.columns, rows, None, numeric(b.columns)), ""]
        else:
            if b.panel is not None:  # the declaration: a section of its own, as on a terminal
                lines += ["### Declaration", ""]
            lines += [("# " if not lines else "") + md_text(b.lead + b.text), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
