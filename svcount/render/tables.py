"""A counted poll, a local count and a total as table blocks; drawn by Rich or as markdown.

Every block is built from the figures view (:class:`svcount.figures.View`),
so a result file read back shows exactly as the count that wrote it.
Builds renderables and strings; never prints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from svcount.figures import by_votes, turnout_figures, with_total
from svcount.model import Candidate, Method, StageOne, Transfers, Turnout, percent, statement
from svcount.render import blocks
from svcount.render.areas import area_grids
from svcount.render.blocks import Block, Grid, Note
from svcount.render.words import DECIDED, HEADINGS, HEADS, and_list, day_text, number

if TYPE_CHECKING:
    from rich.console import RenderableType

    from svcount.documents.local import Combined, LocalCount
    from svcount.figures import View

__all__ = ["local_tables", "result_blocks", "to_markdown", "to_tables", "total_tables"]


def votes_grid(
    method: Method,
    candidates: Sequence[Candidate],
    votes: Mapping[str, int],
    status: Mapping[str, str],
    *,
    where: str = "",
) -> Grid:
    """Stage one: candidates' votes, shares and status, ruled off with the valid votes."""
    sv = method is Method.SV
    title = ("Stage one: first preferences" if sv else "Votes") + (f" in {where}" if where else "")
    has_party = any(c.party for c in candidates)
    columns = (
        "Candidate",
        *(["Party"] if has_party else []),
        "First preferences" if sv else "Votes",
        "Share %",
        *(["Status"] if status else []),
    )
    valid = sum(votes.values())
    rows = tuple(
        (
            c.name,
            *([c.party or ""] if has_party else []),
            number(votes[c.name]),
            f"{percent(votes[c.name], valid)}",
            *([status[c.name].replace("_", " ")] if status else []),
        )
        for c in by_votes(candidates, votes)
    )
    total = ("Valid votes", *([""] if has_party else []), number(valid), "100.00")
    return Grid(title, columns, rows, (*total, *([""] if status else [])))


def statement_grid(rejected: Mapping[str, int]) -> Grid:
    """The statement of rejected ballot papers, every heading, with the total."""
    rows = tuple((HEADINGS[k], number(n)) for k, n in rejected.items() if k != "total")
    return Grid(
        "Statement of rejected ballot papers",
        ("Heading", "Papers"),
        rows,
        ("Total rejected", number(rejected["total"])),
    )


def unusable_grid(heads: Mapping[str, int]) -> Grid:
    """Every valid paper whose second preference could never count, whoever its first.

    Not stage two's figure (the excluded candidates' papers only): the title
    and the total say so.
    """
    return Grid(
        "All valid papers, every candidate's: second preference not counted",
        ("Reason", "Papers"),
        tuple((HEADS[k], number(n)) for k, n in heads.items() if k != "total"),
        ("Valid papers with no countable second preference", number(heads["total"])),
    )


def papers_grid(papers: int, valid: int, turnout: Mapping[str, Any] | None) -> Grid:
    """Ballot papers counted, valid votes, and turnout both ways."""
    if not turnout:  # no electorate: no turnout column to leave empty
        rows = (("Counted, rejected included", number(papers)), ("Valid votes", number(valid)))
        return Grid("Ballot papers", ("", "Papers"), rows)
    return Grid(
        "Ballot papers",
        ("", "Papers", "Turnout %"),
        (
            ("Counted, rejected included", number(papers), f"{turnout['ballot_papers_pct']}"),
            ("Valid votes", number(valid), f"{turnout['valid_votes_pct']}"),
            ("Electorate", number(turnout["electorate"]), ""),
        ),
    )


def transfers_grids(
    remaining: Sequence[str],
    first: Mapping[str, int] | None,
    moved: Mapping[str, Any],
    status: Mapping[str, str],
) -> list[Block]:
    """Stage two: second preferences added (and totals, given first preferences), and losses.

    ``moved`` holds ``second_preferences``, ``non_transferable`` (with its
    total) and ``excluded_papers``, as the figures view names them.
    """
    added = moved["second_preferences"]
    totals = added if first is None else {n: first[n] + added[n] for n in remaining}
    remaining = by_votes(remaining, totals)
    if first is None:
        columns: tuple[str, ...] = ("Candidate", "Second preferences")
        rows: tuple[tuple[str, ...], ...] = tuple((n, number(added[n])) for n in remaining)
    else:
        columns = ("Candidate", "First preferences", "Second preferences", "Total", "Status")
        rows = tuple(
            (
                n,
                number(first[n]),
                number(added[n]),
                number(first[n] + added[n]),
                status[n].replace("_", " "),
            )
            for n in remaining
        )
    lost = [("Second preference added to a remaining candidate", number(sum(added.values())))]
    lost += [
        (f"Not transferred: {HEADS[k][0].lower()}{HEADS[k][1:]}", number(n))
        for k, n in moved["non_transferable"].items()
        if k != "total"
    ]
    return [
        Grid("Stage two: second preferences on the excluded candidates' papers", columns, rows),
        Grid(
            "Stage two: the excluded candidates' papers",
            ("", "Papers"),
            tuple(lost),
            ("Papers of excluded candidates", number(moved["excluded_papers"])),
        ),
    ]


def _remain_note(valid: int, stage: Mapping[str, Any]) -> Note:
    excluded = stage["excluded"]
    who = (
        f"{and_list(excluded)} {'is' if len(excluded) == 1 else 'are'} excluded"
        if excluded
        else "no one is excluded"
    )
    note = (
        f"No candidate has more than half of the {valid:,} valid first preferences "
        f"({stage['votes_needed_at_stage_one']:,} needed). {and_list(stage['remaining'])} "
        f"remain; {who}."
    )
    if stage["tie_for_second"]:
        note += (
            " An equality of votes gives more than two candidates an equal claim to the "
            "two places, so all of them remain (GLA Act 1999 Sch. 2 para 4(3))."
        )
    return Note(note)


def result_blocks(shown: View) -> list[Block]:
    """The count's blocks, in the order of a declaration."""
    f, provenance = shown.figures, shown.provenance
    sv = f["method"] == Method.SV.value
    heading = "Supplementary vote" if sv else "First past the post"
    notice = shown.notice
    out: list[Block] = []
    if notice.title or notice.date or notice.returning_officer:  # the notice's own heading first
        out.append(Note(notice.heading))
        if notice.date:
            out.append(Note(f"Date of poll: {day_text(notice.date)}"))
        if notice.returning_officer:
            out.append(Note(f"Returning officer: {notice.returning_officer}"))
    out.append(Note(f"{heading}: {provenance.file} (sha256 {provenance.sha256[:12]}…)"))
    votes = f["first_preferences"]
    out.append(votes_grid(Method(f["method"]), shown.candidates, votes, f["stage_one_status"]))
    if f["decided_by"] == "unopposed":
        out.append(Note("Only one candidate stood: elected unopposed."))
    elif f["remaining"]:
        out.append(_remain_note(f["valid_votes"], f))
    if f["second_preferences"] is not None:
        out.extend(transfers_grids(f["remaining"], votes, f, f["status"]))
    out.append(_declaration(f))
    if sv and f["winner"] is not None:
        out.append(_fptp_note(f))
    if shown.margin is not None:
        from svcount.render.margin import summary_grid

        out.append(summary_grid(shown.margin))
        out.extend(Note(line) for line in [*shown.margin["lines"], *shown.margin["advice"]])
    out.append(statement_grid(f["rejected"]))
    if f["second_preferences_not_counted"] is not None:
        out.append(unusable_grid(f["second_preferences_not_counted"]))
    out.append(papers_grid(f["ballot_papers"], f["valid_votes"], f["turnout"]))
    if f["turnout"]:
        out.append(Note(_TURNOUT_NOTE))
    if f["areas"]:
        out.extend(area_grids(f, shown.candidates))
    return out


def to_tables(shown: View, *, plain: bool) -> list[RenderableType]:
    """The count as Rich renderables; ``plain`` drops box art (for pipes and files)."""
    names = [c.name for c in shown.candidates] + list(shown.figures["areas"] or ())
    return blocks.rich(result_blocks(shown), plain=plain, keep=names)


def to_markdown(shown: View) -> str:
    """The table output's blocks as CommonMark with pipe tables (for issues and wikis)."""
    return blocks.markdown(result_blocks(shown))


_TURNOUT_NOTE = (
    "Turnout: returning officers count every ballot paper, rejected ones "
    "included; the press counts valid votes only."
)


def _moved(moved: Transfers) -> dict[str, Any]:
    """A local count's transfers, keyed as the figures view keys stage two."""
    return {
        "second_preferences": dict(moved.transfers),
        "non_transferable": with_total(moved.non_transferable),
        "excluded_papers": moved.excluded_papers,
    }


def local_tables(local: LocalCount, *, plain: bool) -> list[RenderableType]:
    """A local count as the local returning officer reads it (the file itself is JSON)."""
    source = local.source
    stage = "first preferences" if local.stage == "first" else "second preferences"
    out: list[Block] = [
        Note(f"Local count of {local.area}, {stage}: {source.file} (sha256 {source.sha256[:12]}…)")
    ]
    first, moved = local.first, local.transfers
    if first is not None:
        out.append(votes_grid(local.method, local.candidates, first.votes, {}, where=local.area))
        out.append(statement_grid(with_total(statement(first.rejected, local.method))))
        if local.method is Method.SV:
            out.append(unusable_grid(with_total(first.second_not_counted)))
        turnout = None
        if local.electorate is not None:
            turnout = turnout_figures(Turnout(local.electorate, first.ballot_papers, first.valid))
        out.append(papers_grid(first.ballot_papers, first.valid, turnout))
    elif moved is not None:
        out.append(Note(f"Remaining: {and_list(moved.remaining)}."))
        out.extend(transfers_grids(moved.remaining, None, _moved(moved), {}))
    return blocks.rich(out, plain=plain, keep=[c.name for c in local.candidates] + [local.area])


def total_tables(combined: Combined, *, plain: bool) -> list[RenderableType]:
    """The police-area total of the first counts, and who remains."""
    from functools import reduce
    from operator import add

    total = reduce(add, combined.firsts.values())
    stage = combined.stage
    status = {
        c.name: "remaining" if c.name in stage.remaining else "excluded" for c in total.candidates
    }
    out: list[Block] = [
        Note(f"Police-area total of the first counts of {and_list(list(combined.firsts))}"),
        votes_grid(combined.method, total.candidates, total.votes, status),
        _remain_note(total.valid, _stage_figures(stage)),
        statement_grid(with_total(statement(total.rejected, combined.method))),
        papers_grid(total.ballot_papers, total.valid, None),
    ]
    keep = [c.name for c in total.candidates] + list(combined.firsts)
    return blocks.rich(out, plain=plain, keep=keep)


def _stage_figures(stage: StageOne) -> dict[str, Any]:
    return {
        "remaining": list(stage.remaining),
        "excluded": list(stage.excluded),
        "votes_needed_at_stage_one": stage.majority,
        "tie_for_second": stage.tie_for_second,
    }


def _fptp_note(f: Mapping[str, Any]) -> Note:
    """What first past the post would have done with the same first preferences."""
    leader, winner = f["first_preference_leader"], f["winner"]
    if leader is None:
        return Note(
            "Against first past the post: several candidates shared the most first "
            "preferences, so first past the post would have needed a lot."
        )
    if f["winner_changed_by_transfers"]:
        return Note(
            f"Against first past the post: {leader} led on first preferences and would have "
            f"been elected; {winner} came from {f['first_preference_deficit']:,} first "
            "preferences behind and won on second preferences."
        )
    return Note(
        f"Against first past the post: {winner} also led on first preferences, so first "
        "past the post would have elected the same candidate."
    )


def _declaration(f: Mapping[str, Any]) -> Note:
    """Who is elected and how, or that a lot is required: a panel on a terminal."""
    winner = f["winner"]
    if winner is None:
        return Note(
            f"A lot is required: equality of votes between {and_list(f['lot_required'])}."
            " Give the returning officer's draw with --lot NAME, or draw with --seed N.",
            panel="bold yellow",
        )
    how = f["decided_by"]
    text = " unopposed" if how == "unopposed" else f" by {DECIDED[how]}"
    final = f["final"]
    if final and len(final) > 1 and how == "lot":
        text += f", with {final[winner]:,} votes each"  # a majority of 0 says nothing
    elif final and len(final) > 1 and f["majority"] is not None:
        text += f", with {final[winner]:,} votes; majority {f['majority']:,}"
    text += "."
    lot = f["lot"]
    if lot:
        drawn = (
            "the returning officer's draw, entered with --lot"
            if lot["how"] == "entered"
            else f"a draw made by svcount with --seed {lot['seed']}"
        )
        text += f" Equality of votes between {and_list(lot['tied'])}: decided by lot, {drawn}."
    return Note(text, lead=f"{winner} is elected", panel="bold green")
