"""The declaration of result, as the returning officer gives it: text and markdown.

A rendering of the figures view (:func:`svcount.figures.figures`, or a result
file read back), never a recount: every number is the count's own, with
thousands separators. It follows the public notice of the PCC Elections Order
2012 Sch. 3 (r.62 and the declaration form), the GLA Act 1999 Sch. 2 for
mayors, and the first-past-the-post notice used from 2024: the elected
candidate and how, every candidate's votes, the statement of rejected ballot
papers, the papers on which no second preference was counted, papers counted
and turnout, and the figures of each voting area.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from svcount.model import Candidate
from svcount.render.words import HEADINGS, HEADS, and_list, day_text, number

__all__ = ["Notice", "markdown", "md_table", "text"]


@dataclass(frozen=True)
class Notice:
    """What the declaration says beyond the figures: who gives it, for what, when."""

    title: str | None = None
    returning_officer: str | None = None
    date: datetime.date | None = None

    @property
    def heading(self) -> str:
        return self.title or "Result of the poll"


def elected_sentence(view: Mapping[str, Any]) -> str:
    """The elected candidate in words, and how."""
    winner, how = view["winner"], view["decided_by"]
    final = view["final"]
    lead = view["majority"]
    if how == "unopposed":
        return f"{winner} is duly elected, unopposed."
    if how == "majority_at_stage_one":
        return (
            f"{winner} is duly elected, having received {number(final[winner])} of the "
            f"{number(view['valid_votes'])} valid first preferences, more than half "
            f"({number(view['votes_needed_at_stage_one'])} were needed)."
        )
    if how == "most_votes_after_second_preferences":
        return (
            f"{winner} is duly elected after the second preferences on the excluded "
            f"candidates' papers were added, with {number(final[winner])} votes, a majority of "
            f"{number(lead)}."
        )
    if how in ("most_votes", "simple_majority"):
        return (
            f"{winner} is duly elected, having received the most votes, {number(final[winner])}, "
            f"a majority of {number(lead)}."
        )
    lot = view["lot"]
    drawn = (
        "drawn by the returning officer"
        if lot["how"] == "entered"
        else f"drawn by svcount with the recorded seed {lot['seed']}"
    )
    stage = (
        "after second preferences"
        if view["stage_two_held"]
        else ("on first preferences" if view["method"] == "sv" else "")
    )
    votes = f"{number(final[winner])} votes each" if final else "equal votes"
    return (
        f"There was an equality of votes {stage + ' ' if stage else ''}between "
        f"{and_list(lot['tied'])} ({votes}). {winner} is duly elected by lot, {drawn}."
    )


@dataclass(frozen=True)
class _Section:
    """One part of the notice: a heading, sentences, and a table."""

    heading: str
    sentences: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    total: tuple[str, ...] | None = None


def _sections(view: Mapping[str, Any], candidates: Sequence[Candidate]) -> list[_Section]:
    sv = view["method"] == "sv"
    two = view["second_preferences"]
    out: list[_Section] = []
    # The votes of every candidate, in candidate order.
    columns: tuple[str, ...] = ("Candidate", "Description")
    columns += (
        ("First preferences", "Second preferences", "Total")
        if two
        else (("First preferences",) if sv else ("Votes",))
    )
    rows = []
    for c in candidates:
        first = view["first_preferences"][c.name]
        row: tuple[str, ...] = (c.name, c.party or "", number(first))
        if two:
            if c.name in two:
                row += (number(two[c.name]), number(view["final"][c.name]))
            else:
                row += ("", "excluded")
        rows.append(row)
    sentences = [
        "The votes given for each candidate were as follows:"
        if not sv
        else "The first preferences given for each candidate"
        + (", and the second preferences added to each remaining candidate," if two else "")
        + " were as follows:"
    ]
    out.append(_Section("Votes", tuple(sentences), columns, tuple(rows)))
    notes = []
    if view["excluded"]:
        notes.append(
            f"No candidate received more than half of the valid first preferences; "
            f"{and_list(view['remaining'])} remained and {and_list(view['excluded'])} "
            f"{'was' if len(view['excluded']) == 1 else 'were'} excluded."
        )
        if view["tie_for_second"]:
            notes.append(
                "An equality of votes gave more than two candidates an equal claim to the "
                "two places, so all of them remained."
            )
    elif view["tie_for_second"]:
        notes.append("An equality of votes kept every candidate in the count.")
    out.append(_Section("Declaration", (*notes, elected_sentence(view))))
    rejected = view["rejected"]
    out.append(
        _Section(
            "Statement of rejected ballot papers",
            ("The number of ballot papers rejected was as follows:",),
            ("Heading", "Papers"),
            tuple((HEADINGS[k], number(v)) for k, v in rejected.items() if k != "total"),
            ("Total", number(rejected["total"])),
        )
    )
    lost = view["non_transferable"]
    if lost is not None:
        out.append(
            _Section(
                "Second preferences not counted",
                (
                    "Of the excluded candidates' papers, the number on which no second "
                    "preference was counted, by reason:",
                ),
                ("Reason", "Papers"),
                tuple((HEADS[k], number(v)) for k, v in lost.items() if k != "total"),
                ("Total", number(lost["total"])),
            )
        )
    papers = [
        f"Ballot papers counted: {number(view['ballot_papers'])} "
        f"({number(view['valid_votes'])} valid, {number(rejected['total'])} rejected)."
    ]
    turnout = view["turnout"]
    if turnout is not None:
        papers.append(
            f"Electorate: {number(turnout['electorate'])}. "
            f"Turnout: {turnout['ballot_papers_pct']}% "
            f"of the electorate by ballot papers counted, rejected ones included (the "
            f"returning officer's figure); {turnout['valid_votes_pct']}% by valid votes only."
        )
    out.append(_Section("Ballot papers and turnout", tuple(papers)))
    if view["areas"]:
        with_turnout = all(a["turnout"] for a in view["areas"].values())
        columns = ("Voting area", "Papers", "Valid", "Rejected")
        columns += ("Turnout %", "Valid %") if with_turnout else ()
        rows = []
        for name, area in view["areas"].items():
            cells: tuple[str, ...] = (
                name,
                number(area["ballot_papers"]),
                number(area["valid_votes"]),
                number(area["rejected"]["total"]),
            )
            if with_turnout:
                t = area["turnout"]
                cells += (str(t["ballot_papers_pct"]), str(t["valid_votes_pct"]))
            rows.append(cells)
        total: tuple[str, ...] = (
            "Total",
            number(view["ballot_papers"]),
            number(view["valid_votes"]),
            number(rejected["total"]),
        )
        if with_turnout and turnout is not None:
            total += (str(turnout["ballot_papers_pct"]), str(turnout["valid_votes_pct"]))
        elif with_turnout:
            total += ("", "")
        out.append(
            _Section(
                "By voting area",
                ("Ballot papers in each voting area:",),
                columns,
                tuple(rows),
                total,
            )
        )
    return out


def _preamble(notice: Notice) -> list[str]:
    lines = []
    if notice.date:
        lines.append(f"Date of poll: {day_text(notice.date)}")
    if notice.returning_officer:
        lines.append(f"Returning officer: {notice.returning_officer}")
    return lines


# --------------------------------------------------------------------------- text


def text(view: Mapping[str, Any], candidates: Sequence[Candidate], notice: Notice) -> str:
    """The declaration as plain text, 80 columns at most."""
    import io

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=io.StringIO(), width=80, color_system=None, force_terminal=False)

    def say(line: str = "") -> None:
        console.print(Text(line), overflow="fold")

    say(notice.heading)
    say("=" * min(80, len(notice.heading)))
    for line in _preamble(notice):
        say(line)
    for section in _sections(view, candidates):
        say()
        say(section.heading)
        say("-" * len(section.heading))
        for sentence in section.sentences:
            say(sentence)
        if section.columns:
            say()
            table = Table(box=None, show_edge=False, pad_edge=False, show_header=True)
            for i, column in enumerate(section.columns):
                numeric = i > 0 and column not in ("Description",)
                table.add_column(column, justify="right" if numeric else "left", overflow="fold")
            for row in section.rows:
                table.add_row(*(Text(cell) for cell in row))
            if section.total:
                table.add_section()
                table.add_row(*(Text(cell) for cell in section.total))
            console.print(table)
    out: str = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in out.splitlines()) + "\n"


# --------------------------------------------------------------------------- markdown

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def _md(text: str) -> str:
    """Text that CommonMark prints as written: HTML and markdown syntax escaped."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def md_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    total: Sequence[str] | None = None,
    numeric: Sequence[bool] | None = None,
) -> list[str]:
    """A pipe table's lines; cells escaped, numbers right-aligned, a bold total row."""
    numeric = numeric or [i > 0 and c != "Description" for i, c in enumerate(columns)]
    lines = ["| " + " | ".join(_md(c) for c in columns) + " |"]
    lines.append("|" + "|".join("---:" if n else ":---" for n in numeric) + "|")
    lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows]
    if total:
        lines.append("| " + " | ".join(f"**{_md(c)}**" if c else "" for c in total) + " |")
    return lines


def markdown(view: Mapping[str, Any], candidates: Sequence[Candidate], notice: Notice) -> str:
    """The declaration as CommonMark with pipe tables, for a council's web page."""
    lines = [f"# {_md(notice.heading)}", ""]
    preamble = _preamble(notice)
    if preamble:
        lines += [_md(line) + "  " for line in preamble[:-1]] + [_md(preamble[-1]), ""]
    for section in _sections(view, candidates):
        lines += [f"## {_md(section.heading)}", ""]
        for sentence in section.sentences:
            lines += [_md(sentence), ""]
        if section.columns:
            lines += [*md_table(section.columns, section.rows, section.total), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
