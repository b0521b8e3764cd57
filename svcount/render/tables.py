"""A counted poll, a local count and a total as Rich tables; and a result as markdown.

Builds renderables and strings; never prints. Rich is imported only here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from svcount.figures import figures
from svcount.model import (
    Candidate,
    DecidedBy,
    Method,
    NotCounted,
    Rejection,
    Result,
    StageOne,
    Transfers,
    Turnout,
    percent,
    statement,
)
from svcount.render.areas import area_tables
from svcount.render.words import DECIDED, and_list, table

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table
    from rich.text import Text

    from svcount.documents.local import Combined, LocalCount
    from svcount.model import Provenance

__all__ = ["local_tables", "to_markdown", "to_tables", "total_tables"]


def votes_table(
    method: Method,
    candidates: Sequence[Candidate],
    votes: Mapping[str, int],
    status: Mapping[str, str],
    *,
    plain: bool,
    where: str = "",
) -> Table:
    """Stage one: candidates' votes, shares and status, ruled off with the valid votes."""
    from rich.text import Text

    sv = method is Method.SV
    title = ("Stage one: first preferences" if sv else "Votes") + (f" in {where}" if where else "")
    column = "First preferences" if sv else "Votes"

    has_party = any(c.party for c in candidates)
    t = table(
        title,
        "Candidate",
        *(["Party"] if has_party else []),
        column,
        "Share %",
        *(["Status"] if status else []),
        plain=plain,
    )
    valid = sum(votes.values())
    for c in candidates:
        t.add_row(
            Text(c.name),
            *([Text(c.party or "")] if has_party else []),
            f"{votes[c.name]:,}",
            f"{percent(votes[c.name], valid)}",
            *([status[c.name].replace("_", " ")] if status else []),
        )
    t.add_section()
    t.add_row(
        Text("Valid votes"),
        *([""] if has_party else []),
        f"{valid:,}",
        "100.00",
        *([""] if status else []),
    )
    return t


def statement_table(rejected: Mapping[Rejection, int], *, plain: bool) -> Table:
    """The statement of rejected ballot papers, every heading, with the total."""
    t = table("Statement of rejected ballot papers", "Heading", "Papers", plain=plain)
    for heading, n in rejected.items():
        t.add_row(heading.label, f"{n:,}")
    t.add_section()
    t.add_row("Total rejected", f"{sum(rejected.values()):,}")
    return t


def unusable_table(heads: Mapping[NotCounted, int], *, plain: bool) -> Table:
    """Valid papers whose second preference can never be counted, by reason."""
    t = table(
        "Valid papers whose second preference cannot be counted", "Reason", "Papers", plain=plain
    )
    for head, n in heads.items():
        t.add_row(head.label, f"{n:,}")
    return t


def papers_table(papers: int, valid: int, turnout: Turnout | None, *, plain: bool) -> Table:
    """Ballot papers counted, valid votes, and turnout both ways."""
    t = table("Ballot papers", "", "Papers", "Turnout %", plain=plain)
    t.add_row(
        "Counted, rejected included",
        f"{papers:,}",
        f"{turnout.ballot_papers_pct}" if turnout else "",
    )
    t.add_row("Valid votes", f"{valid:,}", f"{turnout.valid_votes_pct}" if turnout else "")
    if turnout:
        t.add_row("Electorate", f"{turnout.electorate:,}", "")
    return t


def transfers_tables(
    remaining: Sequence[str],
    first: Mapping[str, int] | None,
    moved: Transfers,
    status: Mapping[str, str],
    *,
    plain: bool,
) -> list[RenderableType]:
    """Stage two: second preferences added (and totals, given first preferences), and losses."""
    from rich.text import Text

    columns = ["Candidate", "Second preferences"]
    if first is not None:
        columns = ["Candidate", "First preferences", "Second preferences", "Total", "Status"]
    t = table(
        "Stage two: second preferences on the excluded candidates' papers", *columns, plain=plain
    )
    for name in remaining:
        added = moved.transfers[name]
        if first is None:
            t.add_row(Text(name), f"{added:,}")
        else:
            t.add_row(
                Text(name),
                f"{first[name]:,}",
                f"{added:,}",
                f"{first[name] + added:,}",
                status[name].replace("_", " "),
            )
    lost = table("Stage two: the excluded candidates' papers", "", "Papers", plain=plain)
    lost.add_row(
        "Second preference added to a remaining candidate", f"{sum(moved.transfers.values()):,}"
    )
    for head, n in moved.non_transferable.items():
        lost.add_row(f"Not transferred: {head.label[0].lower()}{head.label[1:]}", f"{n:,}")
    lost.add_section()
    lost.add_row("Papers of excluded candidates", f"{moved.excluded_papers:,}")
    return [t, lost]


def _remain_note(valid: int, stage: StageOne) -> Text:
    from rich.text import Text

    excluded = stage.excluded
    who = (
        f"{and_list(excluded)} {'is' if len(excluded) == 1 else 'are'} excluded"
        if excluded
        else "no one is excluded"
    )
    note = Text(
        f"No candidate has more than half of the {valid:,} valid first preferences "
        f"({stage.majority:,} needed). {and_list(stage.remaining)} remain; {who}."
    )
    if stage.tie_for_second:
        note.append(
            " An equality of votes gives more than two candidates an equal claim to the "
            "two places, so all of them remain (GLA Act 1999 Sch. 2 para 4(3))."
        )
    return note


def to_tables(result: Result, provenance: Provenance, *, plain: bool) -> list[RenderableType]:
    """The count as Rich renderables, in the order of a declaration.

    ``plain`` drops box art (for pipes and files). Every name is wrapped in
    ``Text`` so markup in a candidate's name is printed, never interpreted.
    """
    from rich.text import Text

    stage_one = result.stage_one
    sv = result.method is Method.SV
    out: list[RenderableType] = []
    heading = "Supplementary vote" if sv else "First past the post"
    out.append(Text(f"{heading}: {provenance.file} (sha256 {provenance.sha256[:12]}…)"))
    f = figures(result)
    status = f["stage_one_status"]
    out.append(votes_table(result.method, result.candidates, stage_one.votes, status, plain=plain))
    if result.decided_by is DecidedBy.UNOPPOSED:
        out.append(Text("Only one candidate stood: elected unopposed."))
    elif stage_one.remaining:
        out.append(_remain_note(result.valid, stage_one))
    two = result.stage_two
    if two:
        moved = Transfers(
            stage_one.remaining, two.transfers, two.non_transferable, two.excluded_papers
        )
        final = f["status"]
        out.extend(
            transfers_tables(stage_one.remaining, stage_one.votes, moved, final, plain=plain)
        )
    out.append(_declaration(result, plain))
    if sv and result.winner is not None:
        out.append(_fptp_note(f))
    out.append(statement_table(result.rejected, plain=plain))
    if result.second_not_counted is not None:
        out.append(unusable_table(result.second_not_counted, plain=plain))
    out.append(papers_table(result.ballot_papers, result.valid, result.turnout, plain=plain))
    if result.turnout:
        out.append(Text(_TURNOUT_NOTE))
    if result.areas:
        out.extend(area_tables(result, plain))
    return out


_TURNOUT_NOTE = (
    "Turnout: returning officers count every ballot paper, rejected ones "
    "included; the press counts valid votes only."
)


def local_tables(local: LocalCount, *, plain: bool) -> list[RenderableType]:
    """A local count as the local returning officer reads it (the file itself is JSON)."""
    from rich.text import Text

    source = local.source
    stage = "first preferences" if local.stage == "first" else "second preferences"
    out: list[RenderableType] = [
        Text(f"Local count of {local.area}, {stage}: {source.file} (sha256 {source.sha256[:12]}…)")
    ]
    first, moved = local.first, local.transfers
    if first is not None:
        sv = local.method is Method.SV
        out.append(
            votes_table(
                local.method, local.candidates, first.votes, {}, plain=plain, where=local.area
            )
        )
        out.append(statement_table(statement(first.rejected, local.method), plain=plain))
        if sv:
            out.append(unusable_table(first.second_not_counted, plain=plain))
        turnout = (
            None
            if local.electorate is None
            else Turnout(local.electorate, first.ballot_papers, first.valid)
        )
        out.append(papers_table(first.ballot_papers, first.valid, turnout, plain=plain))
    elif moved is not None:
        out.append(Text(f"Remaining: {and_list(moved.remaining)}."))
        out.extend(transfers_tables(moved.remaining, None, moved, {}, plain=plain))
    return out


def total_tables(combined: Combined, *, plain: bool) -> list[RenderableType]:
    """The police-area total of the first counts, and who remains."""
    from functools import reduce
    from operator import add

    from rich.text import Text

    total = reduce(add, combined.firsts.values())
    stage = combined.stage
    status = {
        c.name: "remaining" if c.name in stage.remaining else "excluded" for c in total.candidates
    }
    return [
        Text(f"Police-area total of the first counts of {and_list(list(combined.firsts))}"),
        votes_table(combined.method, total.candidates, total.votes, status, plain=plain),
        _remain_note(total.valid, stage),
        statement_table(statement(total.rejected, combined.method), plain=plain),
        papers_table(total.ballot_papers, total.valid, None, plain=plain),
    ]


def _fptp_note(f: Mapping[str, Any]) -> Text:
    """What first past the post would have done with the same first preferences."""
    from rich.text import Text

    leader, winner = f["first_preference_leader"], f["winner"]
    if leader is None:
        return Text(
            "Against first past the post: several candidates shared the most first "
            "preferences, so first past the post would have needed a lot."
        )
    if f["winner_changed_by_transfers"]:
        return Text(
            f"Against first past the post: {leader} led on first preferences and would have "
            f"been elected; {winner} came from {f['first_preference_deficit']:,} first "
            "preferences behind and won on second preferences."
        )
    return Text(
        f"Against first past the post: {winner} also led on first preferences, so first "
        "past the post would have elected the same candidate."
    )


def _declaration(result: Result, plain: bool) -> RenderableType:
    from rich.panel import Panel
    from rich.text import Text

    if result.winner is None:
        text = Text(
            f"A lot is required: equality of votes between {and_list(result.lot_required)}."
        )
        text.append(" Give the returning officer's draw with --lot NAME, or draw with --seed N.")
        style = "bold yellow"
    else:
        text = Text(f"{result.winner} is elected", style="bold")
        text.append(f" by {DECIDED[result.decided_by]}")
        if result.final and len(result.final) > 1 and result.majority is not None:
            text.append(
                f", with {result.final[result.winner]:,} votes; majority {result.majority:,}"
            )
        text.append(".")
        if result.lot:
            how = (
                "the returning officer's draw, entered with --lot"
                if result.lot.how == "entered"
                else f"a draw made by svcount with --seed {result.lot.seed}"
            )
            text.append(
                f" Equality of votes between {and_list(result.lot.tied)}: decided by lot, {how}."
            )
        style = "bold green"
    if plain:
        return text
    return Panel(text, title="Declaration", border_style=style, expand=False)


# --------------------------------------------------------------------------- markdown


def to_markdown(result: Result, provenance: Provenance) -> str:
    """The table output's sections as CommonMark with pipe tables (for issues and wikis).

    Built from the same renderables as the tables, so the two never differ.
    """
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from svcount.render.declaration import _md, md_table

    lines: list[str] = []
    for renderable in to_tables(result, provenance, plain=True):
        if isinstance(renderable, Panel):
            renderable = renderable.renderable
        if isinstance(renderable, Table):
            columns = [str(c.header) for c in renderable.columns]
            cells = [[str(cell) for cell in c._cells] for c in renderable.columns]
            rows = [list(row) for row in zip(*cells, strict=True)]
            numeric = [c.justify == "right" for c in renderable.columns]
            if renderable.title:
                lines += [f"### {_md(str(renderable.title))}", ""]
            lines += [*md_table(columns, rows, None, numeric), ""]
        elif isinstance(renderable, Text):
            lines += [("# " if not lines else "") + _md(renderable.plain), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
