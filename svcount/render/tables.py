"""A :class:`~svcount.count.Result` as JSON, CSV or Rich tables.

Builds renderables and strings; never prints. JSON and CSV are written with
the ``json`` and ``csv`` modules (never through Rich) so they are stable byte
for byte; Rich is imported only for tables.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from svcount.figures import AREA_FIGURES, figures
from svcount.documents.files import spreadsheet_safe
from svcount.model import (
    Candidate,
    DecidedBy,
    Method,
    NotCounted,
    Rejection,
    Result,
    StageOne,
    StageTwo,
    Transfers,
    Turnout,
    percent,
    statement,
)
from svcount.documents.result import seal

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table
    from rich.text import Text

    from svcount.operations.diff import Change, Comparison
    from svcount.pipeline import Provenance
    from svcount.operations.staged import Combined, LocalCount

__all__ = ["JSON_SCHEMA", "to_csv", "to_json", "to_tables"]

JSON_SCHEMA = "svcount-result/1"
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


def json_value(value: Any) -> Any:
    """Decimals as JSON numbers at their written precision, throughout containers.

    ``48`` stays an integer and ``47.95`` a float: exact percentages and
    published figures read back as they were written.
    """
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return float(value) if isinstance(exponent, int) and exponent < 0 else int(value)
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_value(v) for v in value]
    return value


def to_json(result: Result, provenance: Provenance) -> str:
    """One stable object (schema ``svcount-result/1``, see the README), from :func:`figures`."""
    f = json_value(figures(result))
    two = f["second_preferences"] is not None
    candidates = [
        {
            "name": c.name,
            "party": c.party,
            "first_preferences": f["first_preferences"][c.name],
            "share_pct": f["share_pct"][c.name],
            "second_preferences": f["second_preferences"].get(c.name) if two else None,
            "final": f["final"].get(c.name),
            "status": f["status"][c.name],
        }
        for c in result.candidates
    ]
    stages: list[dict[str, Any]] = [
        {
            "stage": 1,
            "votes": f["first_preferences"],
            "elected": f["elected_at_stage_one"],
            "remaining": f["remaining"],
            "excluded": f["excluded"],
            "tie_for_second": f["tie_for_second"],
        }
    ]
    if two:
        stages.append(
            {
                "stage": 2,
                "transfers": f["second_preferences"],
                "totals": f["final"],
                "non_transferable": f["non_transferable"],
                "excluded_papers": f["excluded_papers"],
            }
        )
    document = {
        "schema": JSON_SCHEMA,
        "svcount_version": provenance.version,
        "input": {
            "file": provenance.file,
            "sha256": provenance.sha256,
            "rows": provenance.rows,
            "columns": dict(provenance.columns),
            **({"local_counts": list(provenance.parts)} if provenance.parts else {}),
            **({"files": list(provenance.files)} if provenance.files else {}),
        },
        "options": dict(provenance.options),
        **{
            k: f[k]
            for k in (
                "method",
                "winner",
                "decided_by",
                "lot_required",
                "lot",
                "majority",
                "ballot_papers",
                "valid_votes",
                "votes_needed_at_stage_one",
                "first_preference_leader",
                "winner_changed_by_transfers",
                "first_preference_deficit",
            )
        },
        "candidates": candidates,
        "stages": stages,
        "rejected": f["rejected"],
        "second_preferences_not_counted": f["second_preferences_not_counted"],
        "turnout": f["turnout"],
        "areas": [
            {"area": name, **{k: area[k] for k in AREA_FIGURES}}
            for name, area in f["areas"].items()
        ],
    }
    return json.dumps(seal(document), indent=2, ensure_ascii=False) + "\n"


def to_csv(result: Result) -> str:
    """One row per candidate per stage, header ``CSV_HEADER``.

    Counted by area, an ``area`` column follows: empty on the rows of the whole
    count, then the same rows for each voting area.
    """
    f = figures(result)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    by_area = bool(result.areas)
    writer.writerow([*CSV_HEADER, "fptp_status", *(["area"] if by_area else [])])
    parts = [(None, f), *f["areas"].items()]
    for area, view in parts:
        votes, moved = view["first_preferences"], view["second_preferences"]
        tail = [] if not by_area else [spreadsheet_safe(area or "")]
        for stage in (1, 2) if moved is not None else (1,):
            status = f["stage_one_status"] if stage == 1 else f["status"]
            for c in result.candidates:
                n = votes[c.name]
                extra = moved.get(c.name) if stage == 2 else None
                writer.writerow(
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
    return out.getvalue()


# --------------------------------------------------------------------------- Rich


_DECIDED = {
    DecidedBy.MAJORITY: "more than half of the valid first preferences",
    DecidedBy.STAGE_TWO: "most votes after second preferences",
    DecidedBy.SIMPLE_MAJORITY: "a simple majority of two candidates",
    DecidedBy.MOST_VOTES: "most votes (first past the post)",
    DecidedBy.UNOPPOSED: "unopposed: the only candidate",
    DecidedBy.LOT: "lot, after an equality of votes",
}


def _and(names: tuple[str, ...] | list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _table(title: str, *columns: str, plain: bool) -> Table:
    """A titled table: numbers right-aligned, box art only when not ``plain``."""
    from rich import box
    from rich.table import Table

    t = Table(
        title=title,
        box=None if plain else box.SIMPLE_HEAVY,
        title_justify="left",
        show_edge=not plain,
        title_style=None if plain else "bold",
        min_width=len(title) + 2,
    )
    for i, column in enumerate(columns):
        t.add_column(column, justify="left" if i == 0 or column == "Party" else "right")
    return t


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
    t = _table(
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
    t = _table("Statement of rejected ballot papers", "Heading", "Papers", plain=plain)
    for heading, n in rejected.items():
        t.add_row(heading.label, f"{n:,}")
    t.add_section()
    t.add_row("Total rejected", f"{sum(rejected.values()):,}")
    return t


def unusable_table(heads: Mapping[NotCounted, int], *, plain: bool) -> Table:
    """Valid papers whose second preference can never be counted, by reason."""
    t = _table(
        "Valid papers whose second preference cannot be counted", "Reason", "Papers", plain=plain
    )
    for head, n in heads.items():
        t.add_row(head.label, f"{n:,}")
    return t


def papers_table(papers: int, valid: int, turnout: Turnout | None, *, plain: bool) -> Table:
    """Ballot papers counted, valid votes, and turnout both ways."""
    t = _table("Ballot papers", "", "Papers", "Turnout %", plain=plain)
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
    t = _table(
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
    lost = _table("Stage two: the excluded candidates' papers", "", "Papers", plain=plain)
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
        f"{_and(excluded)} {'is' if len(excluded) == 1 else 'are'} excluded"
        if excluded
        else "no one is excluded"
    )
    note = Text(
        f"No candidate has more than half of the {valid:,} valid first preferences "
        f"({stage.majority:,} needed). {_and(stage.remaining)} remain; {who}."
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
        out.extend(_area_tables(result, plain))
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
        out.append(Text(f"Remaining: {_and(moved.remaining)}."))
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
        Text(f"Police-area total of the first counts of {_and(list(combined.firsts))}"),
        votes_table(combined.method, total.candidates, total.votes, status, plain=plain),
        _remain_note(total.valid, stage),
        statement_table(statement(total.rejected, combined.method), plain=plain),
        papers_table(total.ballot_papers, total.valid, None, plain=plain),
    ]


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
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_HEADER, *(["area"] if area is not None else [])])
    tail = [] if area is None else [spreadsheet_safe(area)]
    for stage, c, *cells in rows:
        name, party = spreadsheet_safe(c.name), spreadsheet_safe(c.party or "")
        writer.writerow([stage, name, party, *cells, *tail])
    return out.getvalue()


_SHORT_HEADING = {
    Rejection.WANT_OF_OFFICIAL_MARK: "Official mark",
    Rejection.MORE_THAN_ONE_CANDIDATE: "More than one",
    Rejection.IDENTIFYING_MARK: "Identifying",
    Rejection.UNMARKED: "Unmarked",
    Rejection.VOID_FOR_UNCERTAINTY: "Uncertain",
    Rejection.UNMARKED_OR_VOID: "Unmarked or uncertain",
}
_SHORT_HEAD = {
    NotCounted.BLANK: "None",
    NotCounted.MORE_THAN_ONE: "Several",
    NotCounted.UNCERTAIN: "Uncertain",
    NotCounted.SAME_AS_FIRST: "Same as first",
    NotCounted.NOT_REMAINING: "Not remaining",
}


Cell = int | str | None


def area_table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[tuple[str, Sequence[Cell]]],
    total: Sequence[Cell],
    *,
    plain: bool,
) -> Table:
    """Areas as rows, figures as columns, ruled off with a Total row; fits 80 columns.

    Number columns are kept narrow (their headers fold onto more lines) to
    leave room for area names, which wrap between words and are never cut.
    """
    from rich.text import Text

    def cell(v: Cell) -> str:
        return v if isinstance(v, str) else ("" if v is None else f"{v:,}")

    t = _table(title, "Area", *columns, plain=plain)
    cells = [[cell(v) for v in values] for _, values in rows] + [[cell(v) for v in total]]
    for label, row in zip([*(label for label, _ in rows), "Total"], cells, strict=True):
        if label == "Total":
            t.add_section()
        t.add_row(Text(label), *row)
    names = [label for label, _ in rows]
    longest_word = max(len(w) for name in names for w in name.split())
    t.columns[0].min_width = max(min(14, max(len(n) for n in names)), longest_word)
    t.columns[0].overflow = "fold"
    for i, column in enumerate(t.columns[1:]):
        words = str(column.header).split() or [""]
        column.max_width = max(8, *(len(w) for w in words), *(len(row[i]) for row in cells))
        column.overflow = "fold"
    return t


def area_votes_table(result: Result, *, plain: bool) -> Table:
    names = [c.name for c in result.candidates]
    title = "First preferences" if result.method is Method.SV else "Votes"
    return area_table(
        f"{title} by voting area",
        names,
        [(a.name, [a.first.votes[n] for n in names]) for a in result.areas],
        [result.stage_one.votes[n] for n in names],
        plain=plain,
    )


def area_transfers_table(result: Result, two: StageTwo, *, plain: bool) -> Table:
    remaining = list(result.stage_one.remaining)

    def row(moved: Transfers | StageTwo) -> list[Cell]:
        return [*(moved.transfers[n] for n in remaining), sum(moved.non_transferable.values())]

    return area_table(
        "Second preferences by voting area",
        [*(f"{n} +" for n in remaining), "Not transferred"],
        [(a.name, row(a.transfers)) for a in result.areas if a.transfers is not None],
        row(two),
        plain=plain,
    )


def area_final_table(result: Result, two: StageTwo, *, plain: bool) -> Table:
    remaining = list(result.stage_one.remaining)
    return area_table(
        "Final totals by voting area",
        remaining,
        [(a.name, [a.totals[n] for n in remaining]) for a in result.areas],
        [two.totals[n] for n in remaining],
        plain=plain,
    )


def area_rejected_table(result: Result, *, plain: bool) -> Table:
    headings = list(result.rejected)

    def row(rejected: Mapping[Rejection, int]) -> list[Cell]:
        return [*(rejected[h] for h in headings), sum(rejected.values())]

    return area_table(
        "Rejected ballot papers by voting area",
        [*(_SHORT_HEADING[h] for h in headings), "Total"],
        [(a.name, row(a.rejected)) for a in result.areas],
        row(result.rejected),
        plain=plain,
    )


def area_unusable_table(result: Result, heads: Mapping[NotCounted, int], *, plain: bool) -> Table:
    return area_table(
        "Second preferences not counted, by voting area",
        [_SHORT_HEAD[h] for h in heads],
        [(a.name, [a.first.second_not_counted[h] for h in heads]) for a in result.areas],
        list(heads.values()),
        plain=plain,
    )


def area_papers_table(result: Result, *, plain: bool) -> Table:
    """Papers, valid votes, turnout and papers issued by area (the last two when known)."""
    areas = result.areas
    with_turnout = all(a.electorate is not None for a in areas)
    with_issued = any(a.issued is not None for a in areas)
    columns = ["Papers", "Valid"]
    if with_turnout:
        columns += ["Electorate", "Turnout %", "Valid %"]
    if with_issued:
        columns += ["Issued", "Issued - counted"]

    def check(diff: int | None) -> str:
        return "" if diff is None else (f"{diff:+,} CHECK" if diff else "0")

    def row(papers: int, valid: int, turnout: Turnout | None) -> list[Cell]:
        cells: list[Cell] = [papers, valid]
        if with_turnout and turnout:
            cells += [
                turnout.electorate,
                f"{turnout.ballot_papers_pct}",
                f"{turnout.valid_votes_pct}",
            ]
        return cells

    rows = []
    for a in areas:
        cells = row(a.first.ballot_papers, a.first.valid, a.turnout)
        if with_issued:
            cells += [a.issued, check(a.issued_minus_counted)]
        rows.append((a.name, cells))
    total = row(result.ballot_papers, result.valid, result.turnout)
    if with_issued:
        issued = [a.issued for a in areas if a.issued is not None]
        whole = sum(issued) if len(issued) == len(areas) else None
        total += [whole, check(None if whole is None else whole - result.ballot_papers)]
    return area_table("Ballot papers by voting area", columns, rows, total, plain=plain)


def _area_tables(result: Result, plain: bool) -> list[RenderableType]:
    """Every figure by voting area, in the order of the whole count's tables."""
    out: list[RenderableType] = [area_votes_table(result, plain=plain)]
    if result.stage_two:
        out.append(area_transfers_table(result, result.stage_two, plain=plain))
        out.append(area_final_table(result, result.stage_two, plain=plain))
    out.append(area_rejected_table(result, plain=plain))
    if result.second_not_counted is not None:
        out.append(area_unusable_table(result, result.second_not_counted, plain=plain))
    out.append(area_papers_table(result, plain=plain))
    return out


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
        text = Text(f"A lot is required: equality of votes between {_and(result.lot_required)}.")
        text.append(" Give the returning officer's draw with --lot NAME, or draw with --seed N.")
        style = "bold yellow"
    else:
        text = Text(f"{result.winner} is elected", style="bold")
        text.append(f" by {_DECIDED[result.decided_by]}")
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
                f" Equality of votes between {_and(result.lot.tied)}: decided by lot, {how}."
            )
        style = "bold green"
    if plain:
        return text
    return Panel(text, title="Declaration", border_style=style, expand=False)


# --------------------------------------------------------------------------- verify


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    return str(value)


def verify_json(checks: list[Any], provenance: Provenance, expected: str) -> str:
    """The verification as one object (schema ``svcount-verify/1``)."""
    document = {
        "schema": "svcount-verify/1",
        "svcount_version": provenance.version,
        "ok": all(c.ok for c in checks),
        "mismatches": sum(not c.ok for c in checks),
        "expected_file": expected,
        "input": {"file": provenance.file, "sha256": provenance.sha256, "rows": provenance.rows},
        "options": dict(provenance.options),
        "checks": [
            {
                "figure": c.figure,
                "expected": json_value(c.expected),
                "counted": json_value(c.counted),
                "ok": c.ok,
            }
            for c in checks
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def verify_table(
    checks: list[Any], provenance: Provenance, expected: str, *, plain: bool
) -> list[RenderableType]:
    """figure / expected / counted / status, then a one-line verdict."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=f"Verify {provenance.file} against {expected}",
        title_justify="left",
        box=None if plain else box.SIMPLE_HEAVY,
        show_edge=not plain,
    )
    shown = [(_shown(c.expected), _shown(c.counted)) for c in checks]
    widest = min(12, max(len(v) for pair in shown for v in pair))
    table.add_column("Figure", overflow="fold")
    table.add_column("Expected", justify="right", min_width=widest, max_width=max(widest, 14))
    table.add_column("Counted", justify="right", min_width=widest, max_width=max(widest, 14))
    table.add_column("Status", no_wrap=True)
    for c in checks:
        status = Text("ok") if c.ok else Text("MISMATCH", style="" if plain else "bold red")
        table.add_row(Text(c.figure), Text(_shown(c.expected)), Text(_shown(c.counted)), status)
    bad = sum(not c.ok for c in checks)
    verdict = (
        Text(f"All {len(checks)} figures match.", style="" if plain else "bold green")
        if not bad
        else Text(
            f"{bad} of {len(checks)} figures do not match.", style="" if plain else "bold red"
        )
    )
    return [table, verdict]


# --------------------------------------------------------------------------- diff


def _diff_rows(comparison: Comparison, show_all: bool) -> tuple[Change, ...]:
    return comparison.figures if show_all else comparison.changed


def diff_json(comparison: Comparison, *, show_all: bool) -> str:
    """The comparison as one object (schema ``svcount-diff/1``)."""
    from svcount.operations.diff import DIFF_SCHEMA

    before, after = comparison.before, comparison.after
    document = {
        "schema": DIFF_SCHEMA,
        "same": comparison.same,
        "winner_changed": comparison.winner_changed,
        "winner": {"before": before.figures["winner"], "after": after.figures["winner"]},
        "before": {"file": before.path, "sha256": before.sha256},
        "after": {"file": after.path, "sha256": after.sha256},
        "figures_compared": len(comparison.figures),
        "figures_changed": len(comparison.changed),
        "figures": [
            {
                "figure": c.figure,
                "before": json_value(c.before),
                "after": json_value(c.after),
                "change": json_value(c.change),
            }
            for c in _diff_rows(comparison, show_all)
        ],
        "metadata": [
            {"field": c.figure, "before": c.before, "after": c.after} for c in comparison.metadata
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def diff_tables(comparison: Comparison, *, show_all: bool, plain: bool) -> list[RenderableType]:
    """Figure / before / after / change, then what it means in words."""
    from rich.text import Text

    def shown(value: Any) -> str:
        return "—" if value is None else (f"{value:,}" if isinstance(value, int) else str(value))

    before, after = comparison.before, comparison.after
    out: list[RenderableType] = [Text(f"Compare {before.path} (before) with {after.path} (after)")]
    rows = _diff_rows(comparison, show_all)
    if rows:
        t = _table(
            "Every figure" if show_all else "Figures that changed",
            "Figure",
            "Before",
            "After",
            "Change",
            plain=plain,
        )
        t.columns[0].overflow = "fold"
        for c in rows:
            change = c.change
            t.add_row(
                Text(c.figure),
                Text(shown(c.before)),
                Text(shown(c.after)),
                "" if change is None else f"{change:+,}" if change else "0",
            )
        out.append(t)
    old, new = before.figures["winner"], after.figures["winner"]
    if comparison.winner_changed:
        out.append(Text(f"The winner changed: {old} before, {new} after.", style="bold"))
    else:
        out.append(Text(f"The winner is the same: {old}."))
    count = len(comparison.changed)
    out.append(
        Text(
            "Every figure is the same."
            if comparison.same
            else f"{count} of {len(comparison.figures)} figures differ."
        )
    )
    if comparison.metadata:
        fields = ", ".join(c.figure for c in comparison.metadata)
        out.append(Text(f"Not figures, and different: {fields}."))
    return out


# --------------------------------------------------------------------------- verify many


def verify_set_json(elections: Sequence[tuple[str, Any, Provenance, Result, str]]) -> str:
    """Many reference elections verified (schema ``svcount-verify-set/1``)."""
    document = {
        "schema": "svcount-verify-set/1",
        "ok": all(c.ok for _, checks, _, _, _ in elections for c in checks),
        "elections": [
            {
                "folder": folder,
                "expected_file": expected,
                "input": {"file": provenance.file, "sha256": provenance.sha256},
                "method": result.method.value,
                "winner": result.winner,
                "figures": len(checks),
                "mismatches": sum(not c.ok for c in checks),
                "mismatched": [
                    {
                        "figure": c.figure,
                        "expected": json_value(c.expected),
                        "counted": json_value(c.counted),
                    }
                    for c in checks
                    if not c.ok
                ],
            }
            for folder, checks, provenance, result, expected in elections
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def verify_set_tables(
    elections: Sequence[tuple[str, Any, Provenance, Result, str]], *, plain: bool
) -> list[RenderableType]:
    """One row per election, then every mismatch, then a verdict."""
    from rich.text import Text

    t = _table(
        "Reference elections", "Folder", "Method", "Winner", "Figures", "Mismatches", plain=plain
    )
    for folder, checks, _, result, _ in elections:
        bad = sum(not c.ok for c in checks)
        t.add_row(
            Text(folder),
            result.method.value,
            Text(result.winner or "lot required"),
            f"{len(checks):,}",
            Text(f"{bad:,}", style="" if plain or not bad else "bold red"),
        )
    out: list[RenderableType] = [t]
    for folder, checks, _, _, _ in elections:
        for c in checks:
            if not c.ok:
                out.append(
                    Text(
                        f"{folder}: {c.figure}: expected {_shown(c.expected)}, "
                        f"counted {_shown(c.counted)}"
                    )
                )
    wrong = [folder for folder, checks, _, _, _ in elections if not all(c.ok for c in checks)]
    total = sum(len(checks) for _, checks, _, _, _ in elections)
    out.append(
        Text(
            f"All {len(elections)} elections match ({total:,} figures)."
            if not wrong
            else f"{len(wrong)} of {len(elections)} elections do not match: {', '.join(wrong)}."
        )
    )
    return out


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
