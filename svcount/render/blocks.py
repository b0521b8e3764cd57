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
from typing import TYPE_CHECKING, Any

from svcount.render.words import PARTY_COLUMNS, TEXT_COLUMNS, table

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = [
    "LAYOUTS",
    "SHORT_HEADERS",
    "Block",
    "Grid",
    "Note",
    "fitted",
    "markdown",
    "md_table",
    "md_text",
    "numeric",
    "paragraph",
    "rich",
]


@dataclass(frozen=True)
class Note:
    """A paragraph; ``lead`` is its bold opening, ``panel`` the border style of a declaration."""

    text: str
    lead: str = ""
    panel: str | None = None


@dataclass(frozen=True)
class Grid:
    """A titled table of strings; ``total`` is ruled off below the rows.

    ``short`` gives headers that give way when the full ones do not fit the
    width (a legend then says what each stands for); see :class:`_Fitted`.
    """

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total: tuple[str, ...] | None = None
    short: tuple[str, ...] | None = None


Block = Note | Grid

#: Headers that give way first, the same everywhere: number headers, shortened.
SHORT_HEADERS = {
    "First preferences": "1st prefs",
    "Second preferences": "2nd prefs",
    "Not transferred": "Not trans.",
    "Electorate": "Elect.",
    "Turnout %": "Turnout",
}


def numeric(columns: Sequence[str]) -> list[bool]:
    """Which columns hold numbers (right-aligned): all but the first and the party."""
    return [i > 0 and c not in TEXT_COLUMNS for i, c in enumerate(columns)]


@dataclass(frozen=True)
class _Layout:
    """One way to lay a grid out, from the most generous to the last resort."""

    short: bool = False  # number headers (and candidates in headers) shortened, with a legend
    header_wrap: bool = False  # headers wrap between words
    party_below: bool = False  # the party on its own line under the name, as notices print it
    compact: bool = False  # one space between columns
    name_fold: bool = False  # a name longer than the table can hold folds, rows ruled off


_LAST = {"short": True, "header_wrap": True, "party_below": True, "compact": True}
LAYOUTS = (
    _Layout(),
    _Layout(short=True),
    _Layout(short=True, header_wrap=True),
    _Layout(short=True, party_below=True),
    _Layout(short=True, header_wrap=True, party_below=True),
    _Layout(**_LAST),
    _Layout(**_LAST, name_fold=True),
)


class _Fitted:
    """A grid laid out for the width it is drawn at: names are never split while they fit.

    The layouts are tried in order (:data:`LAYOUTS`) and the first that fits
    is drawn: full headers; then shorter number headers, with a legend; then
    headers wrapped between words; then the party on its own line under the
    name; and only then a name folded, with the rows ruled off so that no
    line reads as a row of its own.
    """

    def __init__(self, grid: Grid, plain: bool) -> None:
        self.grid, self.plain = grid, plain

    def _headers(self, layout: _Layout) -> tuple[str, ...]:
        g = self.grid
        if not layout.short:
            return g.columns
        given = g.short or g.columns
        return tuple(
            SHORT_HEADERS.get(s, s) if s == c else s for s, c in zip(given, g.columns, strict=True)
        )

    def _cells(self, layout: _Layout) -> tuple[list[str], list[list[Any]]]:
        """Headers and rows (the total last) as drawn: the party moved under the name."""
        from rich.text import Text

        headers = list(self._headers(layout))
        rows = [[Text(c) for c in r] for r in [*self.grid.rows, *filter(None, [self.grid.total])]]
        party = next((i for i, c in enumerate(self.grid.columns) if c in PARTY_COLUMNS), None)
        if not layout.party_below or party is None:
            return headers, rows
        del headers[party]
        for row in rows:
            given = row.pop(party)
            if given.plain:
                row[0] = Text.assemble(row[0], "\n  ", (given.plain, "" if self.plain else "dim"))
        return headers, rows

    def _table(self, layout: _Layout) -> Any:
        from rich.cells import cell_len

        headers, rows = self._cells(layout)
        t = table("", *headers, plain=self.plain)
        t.title, t.min_width = None, None  # the title is drawn above, wrapping at the width
        for i, (column, header) in enumerate(zip(t.columns, headers, strict=True)):
            widest = max(
                (cell_len(line) for row in rows for line in row[i].plain.split("\n")), default=0
            )
            words = max((cell_len(w) for w in header.split()), default=0)
            if i == 0 and layout.name_fold:
                column.min_width, column.overflow = max(words, min(widest, 12)), "fold"
                continue
            column.width = max(widest, words if layout.header_wrap else cell_len(header))
            column.no_wrap = not layout.header_wrap
        if layout.compact:  # one space between columns: a box's divider, or padding collapsed
            t.padding, t.collapse_padding, t.pad_edge = (0, 0 if t.box else 1), True, False
        ruled = layout.name_fold
        t.show_lines = ruled
        for n, row in enumerate(rows):
            if n == len(self.grid.rows):
                t.add_section()
            elif n and ruled and self.plain:  # no box to rule with: a blank line between rows
                t.add_row()
            t.add_row(*row)
        return t

    def _legend(self, layout: _Layout) -> list[str]:
        """What each shortened header stands for, one pair to a phrase kept whole."""
        return [
            f"{short} = {full}"
            for short, full in zip(self._headers(layout), self.grid.columns, strict=True)
            if short != full
        ]

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.measure import Measurement
        from rich.text import Text

        unbounded = options.update(max_width=1 << 16)  # the width each layout needs
        for layout in LAYOUTS:
            t = self._table(layout)
            if Measurement.get(console, unbounded, t).minimum <= options.max_width:
                break
        if self.grid.title:
            yield Text(self.grid.title, style="" if self.plain else "bold")
        yield t
        legend = self._legend(layout)
        if legend:
            text = Text("; ".join(legend) + ".", style="" if self.plain else "dim")
            yield paragraph(text, legend)


def fitted(grid: Grid, plain: bool) -> RenderableType:
    """The grid, laid out for the width it is drawn at (:class:`_Fitted`)."""
    return _Fitted(grid, plain)


def paragraph(text: str | Any, keep: Sequence[str] = ()) -> RenderableType:
    """A paragraph that wraps between words, never inside a kept name (:class:`_Paragraph`)."""
    from rich.text import Text

    return _Paragraph(Text(text) if isinstance(text, str) else text, keep)


class _Paragraph:
    """A paragraph wrapped at the width it is drawn at, never inside a name.

    Rich would break at any space; here a space inside a kept phrase (a
    candidate's or an area's name, "majority 38") is no place to break, so a
    name moves to the next line whole. Lines are slices of the ``Text``, so
    styles and the spaces themselves are kept as they are.
    """

    def __init__(self, text: Any, keep: Sequence[str]) -> None:
        self.text, self.keep = text, keep

    def _breaks(self) -> list[int]:
        """Where a line may break: each space not inside a kept phrase."""
        plain, glued = self.text.plain, set[int]()
        for phrase in [*(k for k in self.keep if " " in k), *_GLUED.findall(plain)]:
            start = plain.find(phrase)
            while start >= 0:
                glued.update(start + i for i, ch in enumerate(phrase) if ch == " ")
                start = plain.find(phrase, start + 1)
        return [i for i, ch in enumerate(plain) if ch == " " and i not in glued]

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        """As narrow as its longest unbreakable run, as wide as its one line."""
        from rich.cells import cell_len
        from rich.measure import Measurement

        plain = self.text.plain
        bounds = [-1, *self._breaks(), len(plain)]
        runs = [cell_len(plain[a + 1 : b]) for a, b in zip(bounds, bounds[1:], strict=False)]
        widest = min(cell_len(plain), options.max_width)
        return Measurement(min(max(runs), widest), widest)

    def __rich_console__(self, console: Any, options: Any) -> Any:
        """Greedy lines: each as long as fits, broken only where :meth:`_breaks` allows."""
        from rich.cells import cell_len

        plain, width = self.text.plain, options.max_width
        start, last = 0, None  # the line's start, and its last break that fits
        for i in [*self._breaks(), len(plain)]:
            if last is not None and cell_len(plain[start:i]) > width:
                yield self.text[start:last]
                start = last + 1
            last = i
        yield self.text[start:]


#: Figures that read as one: "majority 38", "of 152,123".
_GLUED = re.compile(r"\b(?:majority|of|with) [\d,]+")


def _rich_note(note: Note, plain: bool, keep: Sequence[str]) -> RenderableType:
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    text = Text(note.lead, style="bold") if note.lead else Text()
    text.append(note.text)
    wrapped = paragraph(text, keep)
    if note.panel is None:
        return wrapped
    if plain:  # the same section as the terminal's panel, without the box
        return Group(Text("Declaration"), wrapped)
    return Panel(wrapped, title="Declaration", border_style=note.panel, expand=False)


def rich(blocks: Sequence[Block], *, plain: bool, keep: Sequence[str] = ()) -> list[RenderableType]:
    """Rich renderables: every cell a ``Text``, so markup in a name is printed, never obeyed.

    ``keep`` names what a paragraph never breaks inside (candidates, areas).
    """
    return [fitted(b, plain) if isinstance(b, Grid) else _rich_note(b, plain, keep) for b in blocks]


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


def html_fragment(
    blocks: Sequence[Block], numbers: Sequence[str] | None = None, level: int = 3
) -> str:
    """The blocks as an HTML fragment (a notebook's view, a page's body): each note a
    paragraph, each grid a table titled by an ``h{level}`` in a region the keyboard can
    scroll. ``numbers`` names the right-aligned columns (default: as the tables align them)."""
    import html

    def cells(row: Sequence[str], tag: str, right: Sequence[bool]) -> str:
        def cell(text: str, align: bool) -> str:
            kind = tag if text or tag != "th" else "td"  # a header with no text is no header
            scope = " scope=col" if kind == "th" else ""
            style = " style=text-align:right" if align else ""
            return f"<{kind}{scope}{style}>{html.escape(text)}</{kind}>"

        return "".join(cell(c, r) for c, r in zip(row, right, strict=True))

    out = []
    for b in blocks:
        if isinstance(b, Note):
            lead = f"<strong>{html.escape(b.lead)}</strong>" if b.lead else ""
            out.append(f"<p>{lead}{html.escape(b.text)}</p>")
            continue
        right = [c in numbers for c in b.columns] if numbers is not None else numeric(b.columns)
        body = "".join(f"<tr>{cells(r, 'td', right)}</tr>" for r in b.rows)
        foot = f"<tfoot><tr>{cells(b.total, 'td', right)}</tr></tfoot>" if b.total else ""
        title = html.escape(b.title)
        out.append(
            f"<h{level}>{title}</h{level}>"
            f'<div class="scroll" tabindex="0" role="region" aria-label="{title}">'
            f"<table><thead><tr>{cells(b.columns, 'th', right)}</tr></thead><tbody>{body}"
            f"</tbody>{foot}</table></div>"
        )
    return "\n".join(out) + "\n"
