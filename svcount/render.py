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
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from svcount.count import (
    AreaResult,
    DecidedBy,
    Method,
    NotCounted,
    Rejection,
    Result,
    percent,
    statement,
)

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = ["Provenance", "candidate_status", "to_csv", "to_json", "to_tables", "JSON_SCHEMA"]

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


@dataclass(frozen=True)
class Provenance:
    """What is needed to reproduce a result: the input and the options."""

    file: str
    sha256: str
    rows: int
    columns: Mapping[str, str | None]
    options: Mapping[str, Any] = field(default_factory=dict)
    version: str = ""
    parts: tuple[Mapping[str, Any], ...] = ()  # the local count files combined, if any


def candidate_status(result: Result, name: str) -> str:
    """elected, not_elected, excluded, or tied while a lot is required."""
    if name == result.winner:
        return "elected"
    if name in result.lot_required:
        return "tied"
    if name in result.stage_one.excluded:
        return "excluded"
    return "not_elected"


def stage_one_status(result: Result, name: str) -> str:
    """remaining or excluded when the count went on; else the final status."""
    if result.stage_one.remaining:
        return "remaining" if name in result.stage_one.remaining else "excluded"
    return candidate_status(result, name)


def _pct(value: Decimal) -> float:
    return float(value)


def _names(heads: Mapping[Any, int] | None) -> dict[str, int] | None:
    if heads is None:
        return None
    out = {head.value: n for head, n in heads.items()}
    out["total"] = sum(heads.values())
    return out


def to_json(result: Result, provenance: Provenance) -> str:
    """One stable object (schema ``svcount-result/1``, see the README)."""
    stage_two = result.stage_two
    candidates = [
        {
            "name": c.name,
            "party": c.party,
            "first_preferences": result.stage_one.votes[c.name],
            "share_pct": _pct(result.share(c.name)),
            "second_preferences": stage_two.transfers.get(c.name) if stage_two else None,
            "final": result.final.get(c.name),
            "status": candidate_status(result, c.name),
        }
        for c in result.candidates
    ]
    stages: list[dict[str, Any]] = [
        {
            "stage": 1,
            "votes": dict(result.stage_one.votes),
            "elected": result.stage_one.elected,
            "remaining": list(result.stage_one.remaining),
            "excluded": list(result.stage_one.excluded),
            "tie_for_second": result.stage_one.tie_for_second,
        }
    ]
    if stage_two:
        stages.append(
            {
                "stage": 2,
                "transfers": dict(stage_two.transfers),
                "totals": dict(stage_two.totals),
                "non_transferable": _names(stage_two.non_transferable),
                "excluded_papers": stage_two.excluded_papers,
            }
        )
    lot = result.lot
    turnout = result.turnout
    document = {
        "schema": JSON_SCHEMA,
        "svcount_version": provenance.version,
        "input": {
            "file": provenance.file,
            "sha256": provenance.sha256,
            "rows": provenance.rows,
            "columns": dict(provenance.columns),
            **({"local_counts": list(provenance.parts)} if provenance.parts else {}),
        },
        "options": dict(provenance.options),
        "method": result.method.value,
        "winner": result.winner,
        "decided_by": result.decided_by.value,
        "lot_required": list(result.lot_required),
        "lot": None
        if lot is None
        else {"tied": list(lot.tied), "winner": lot.winner, "how": lot.how, "seed": lot.seed},
        "majority": result.majority,
        "ballot_papers": result.ballot_papers,
        "valid_votes": result.valid,
        "votes_needed_at_stage_one": result.stage_one.majority,
        "candidates": candidates,
        "stages": stages,
        "rejected": _names(result.rejected),
        "second_preferences_not_counted": _names(result.second_not_counted),
        "turnout": _turnout_json(turnout),
        "areas": [_area_json(result, area) for area in result.areas],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _turnout_json(turnout: Any) -> dict[str, Any] | None:
    if turnout is None:
        return None
    return {
        "electorate": turnout.electorate,
        "ballot_papers": turnout.ballot_papers,
        "ballot_papers_pct": _pct(turnout.ballot_papers_pct),
        "valid_votes": turnout.valid_votes,
        "valid_votes_pct": _pct(turnout.valid_votes_pct),
    }


def _area_json(result: Result, area: AreaResult) -> dict[str, Any]:
    first, moved = area.first, area.transfers
    sv = result.method is Method.SV
    return {
        "area": area.name,
        "ballot_papers": first.ballot_papers,
        "valid_votes": first.valid,
        "first_preferences": dict(first.votes),
        "second_preferences": dict(moved.transfers) if moved else None,
        "final": dict(area.totals),
        "rejected": _names(statement(first.rejected, result.method)),
        "second_preferences_not_counted": _names(first.second_not_counted) if sv else None,
        "non_transferable": _names(moved.non_transferable) if moved else None,
        "excluded_papers": moved.excluded_papers if moved else None,
        "turnout": _turnout_json(area.turnout),
        "ballot_papers_issued": area.issued,
        "issued_minus_counted": None if area.issued is None else area.issued - first.ballot_papers,
    }


def spreadsheet_safe(cell: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (names are untrusted)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def to_csv(result: Result) -> str:
    """One row per candidate per stage, header ``CSV_HEADER``.

    Counted by area, an ``area`` column follows: empty on the rows of the whole
    count, then the same rows for each voting area.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    by_area = bool(result.areas)
    writer.writerow([*CSV_HEADER, *(["area"] if by_area else [])])
    whole = (None, result.stage_one.votes, result.stage_two.transfers if result.stage_two else None)
    parts = [whole] + [
        (a.name, a.first.votes, a.transfers.transfers if a.transfers else None)
        for a in result.areas
    ]
    for area, votes, moved in parts:
        valid = sum(votes.values())
        tail = [] if not by_area else [spreadsheet_safe(area or "")]
        for c in result.candidates:
            status = stage_one_status(result, c.name)
            n = votes[c.name]
            writer.writerow(
                [
                    1,
                    spreadsheet_safe(c.name),
                    spreadsheet_safe(c.party or ""),
                    n,
                    "",
                    n,
                    percent(n, valid),
                    status,
                    *tail,
                ]
            )
        if moved is not None:
            for c in result.candidates:
                n, extra = votes[c.name], moved.get(c.name)
                writer.writerow(
                    [
                        2,
                        spreadsheet_safe(c.name),
                        spreadsheet_safe(c.party or ""),
                        n,
                        "" if extra is None else extra,
                        "" if extra is None else n + extra,
                        percent(n, valid),
                        candidate_status(result, c.name),
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


def to_tables(result: Result, provenance: Provenance, *, plain: bool) -> list[RenderableType]:
    """The count as Rich renderables, in the order of a declaration.

    ``plain`` drops box art (for pipes and files). Every name is wrapped in
    ``Text`` so markup in a candidate's name is printed, never interpreted.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    frame = None if plain else box.SIMPLE_HEAVY

    def table(title: str, *columns: str) -> Table:
        t = Table(
            title=title,
            box=frame,
            title_justify="left",
            show_edge=not plain,
            title_style=None if plain else "bold",
            min_width=len(title) + 2,
        )
        for i, column in enumerate(columns):
            t.add_column(column, justify="left" if i == 0 or column == "Party" else "right")
        return t

    has_party = any(c.party for c in result.candidates)
    stage_one = result.stage_one
    sv = result.method is Method.SV
    out: list[RenderableType] = []
    heading = "Supplementary vote" if sv else "First past the post"
    out.append(Text(f"{heading}: {provenance.file} (sha256 {provenance.sha256[:12]}…)"))

    columns = [
        "Candidate",
        *(["Party"] if has_party else []),
        "First preferences" if sv else "Votes",
        "Share %",
        "Status",
    ]
    first = table("Stage one: first preferences" if sv else "Votes", *columns)
    for c in result.candidates:
        status = stage_one_status(result, c.name).replace("_", " ")
        row: list[RenderableType] = [
            Text(c.name),
            *([Text(c.party or "")] if has_party else []),
            f"{stage_one.votes[c.name]:,}",
            f"{result.share(c.name)}",
            status,
        ]
        first.add_row(*row)
    first.add_section()
    first.add_row(
        Text("Valid votes"), *([""] if has_party else []), f"{result.valid:,}", "100.00", ""
    )
    out.append(first)

    if result.decided_by is DecidedBy.UNOPPOSED:
        out.append(Text("Only one candidate stood: elected unopposed."))
    elif stage_one.remaining:
        excluded = stage_one.excluded
        who = (
            f"{_and(excluded)} {'is' if len(excluded) == 1 else 'are'} excluded"
            if excluded
            else "no one is excluded"
        )
        note = Text(
            f"No candidate has more than half of the {result.valid:,} valid first preferences "
            f"({stage_one.majority:,} needed). {_and(stage_one.remaining)} remain; {who}."
        )
        if stage_one.tie_for_second:
            note.append(
                " An equality of votes gives more than two candidates an equal claim to the "
                "two places, so all of them remain (GLA Act 1999 Sch. 2 para 4(3))."
            )
        out.append(note)

    if result.stage_two:
        two = result.stage_two
        second = table(
            "Stage two: second preferences on the excluded candidates' papers",
            "Candidate",
            "First preferences",
            "Second preferences",
            "Total",
            "Status",
        )
        for name in stage_one.remaining:
            second.add_row(
                Text(name),
                f"{stage_one.votes[name]:,}",
                f"{two.transfers[name]:,}",
                f"{two.totals[name]:,}",
                candidate_status(result, name).replace("_", " "),
            )
        out.append(second)
        lost = table("Stage two: the excluded candidates' papers", "", "Papers")
        lost.add_row(
            "Second preference added to a remaining candidate", f"{sum(two.transfers.values()):,}"
        )
        for head, n in two.non_transferable.items():
            lost.add_row(f"Not transferred: {head.label[0].lower()}{head.label[1:]}", f"{n:,}")
        lost.add_section()
        lost.add_row("Papers of excluded candidates", f"{two.excluded_papers:,}")
        out.append(lost)

    out.append(_declaration(result, plain))

    statement = table("Statement of rejected ballot papers", "Heading", "Papers")
    for heading_, n in result.rejected.items():
        statement.add_row(heading_.label, f"{n:,}")
    statement.add_section()
    statement.add_row("Total rejected", f"{result.rejected_total:,}")
    out.append(statement)

    if result.second_not_counted is not None:
        unusable = table(
            "Valid papers whose second preference cannot be counted", "Reason", "Papers"
        )
        for head, n in result.second_not_counted.items():
            unusable.add_row(head.label, f"{n:,}")
        out.append(unusable)

    papers = table("Ballot papers", "", "Papers", "Turnout %")
    turnout = result.turnout
    papers.add_row(
        "Counted, rejected included",
        f"{result.ballot_papers:,}",
        f"{turnout.ballot_papers_pct}" if turnout else "",
    )
    papers.add_row(
        "Valid votes", f"{result.valid:,}", f"{turnout.valid_votes_pct}" if turnout else ""
    )
    if turnout:
        papers.add_row("Electorate", f"{turnout.electorate:,}", "")
    out.append(papers)
    if turnout:
        out.append(
            Text(
                "Turnout: returning officers count every ballot paper, rejected ones "
                "included; the press counts valid votes only."
            )
        )
    if result.areas:
        out.extend(_area_tables(result, table))
    return out


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


def _area_tables(result: Result, table: Any) -> list[RenderableType]:
    """Areas as rows, figures as columns, a totals row: narrow enough for 80 columns."""
    from rich.text import Text

    areas = result.areas
    names = [c.name for c in result.candidates]

    def add(
        t: Any, rows: Sequence[tuple[str, Sequence[int | None]]], total: Sequence[int | None]
    ) -> Any:
        cells = [[("" if v is None else f"{v:,}") for v in values] for _, values in rows]
        cells.append(["" if v is None else f"{v:,}" for v in total])
        for label, row in zip([*(label for label, _ in rows), "Total"], cells, strict=True):
            if label == "Total":
                t.add_section()
            t.add_row(Text(label), *row)
        # Narrow number columns (headers fold onto more lines) leave room for area names.
        t.columns[0].min_width = min(14, max(len(a.name) for a in areas))
        for i, column in enumerate(t.columns[1:]):
            words = str(column.header).split() or [""]
            column.max_width = max(8, *(len(w) for w in words), *(len(row[i]) for row in cells))
            column.overflow = "fold"
        return t

    out: list[RenderableType] = []
    title = "First preferences" if result.method is Method.SV else "Votes"
    first = table(f"{title} by voting area", "Area", *names)
    rows = [(a.name, [a.first.votes[n] for n in names]) for a in areas]
    out.append(add(first, rows, [result.stage_one.votes[n] for n in names]))
    if result.stage_two:
        remaining = list(result.stage_one.remaining)
        two = result.stage_two
        moved = table(
            "Second preferences by voting area",
            "Area",
            *(f"{n} +" for n in remaining),
            "Not transferred",
        )
        rows = []
        for a in areas:
            t = a.transfers
            assert t is not None
            rows.append(
                (a.name, [*(t.transfers[n] for n in remaining), sum(t.non_transferable.values())])
            )
        out.append(
            add(
                moved,
                rows,
                [*(two.transfers[n] for n in remaining), sum(two.non_transferable.values())],
            )
        )
        final = table("Final totals by voting area", "Area", *remaining)
        out.append(
            add(
                final,
                [(a.name, [a.totals[n] for n in remaining]) for a in areas],
                [two.totals[n] for n in remaining],
            )
        )
    headings = list(result.rejected)
    rejected = table(
        "Rejected ballot papers by voting area",
        "Area",
        *(_SHORT_HEADING[h] for h in headings),
        "Total",
    )
    rows = []
    for a in areas:
        by = statement(a.first.rejected, result.method)
        rows.append((a.name, [*(by[h] for h in headings), sum(by.values())]))
    out.append(
        add(rejected, rows, [*(result.rejected[h] for h in headings), result.rejected_total])
    )
    if result.second_not_counted is not None:
        heads = list(result.second_not_counted)
        unusable = table(
            "Second preferences not counted, by voting area",
            "Area",
            *(_SHORT_HEAD[h] for h in heads),
        )
        out.append(
            add(
                unusable,
                [(a.name, [a.first.second_not_counted[h] for h in heads]) for a in areas],
                [result.second_not_counted[h] for h in heads],
            )
        )
    with_turnout = all(a.electorate is not None for a in areas)
    with_issued = any(a.issued is not None for a in areas)
    columns = ["Area", "Papers", "Valid"]
    if with_turnout:
        columns += ["Electorate", "Turnout %", "Valid %"]
    if with_issued:
        columns += ["Issued", "Issued - counted"]
    papers = table("Ballot papers by voting area", *columns)
    for a in areas:
        cells = [Text(a.name), f"{a.first.ballot_papers:,}", f"{a.first.valid:,}"]
        if with_turnout and a.turnout:
            cells += [
                f"{a.electorate:,}",
                f"{a.turnout.ballot_papers_pct}",
                f"{a.turnout.valid_votes_pct}",
            ]
        if with_issued:
            diff = None if a.issued is None else a.issued - a.first.ballot_papers
            cells += [
                "" if a.issued is None else f"{a.issued:,}",
                "" if diff is None else (f"{diff:+,} CHECK" if diff else "0"),
            ]
        papers.add_row(*cells)
    total = ["Total", f"{result.ballot_papers:,}", f"{result.valid:,}"]
    if with_turnout and result.turnout:
        total += [
            f"{result.turnout.electorate:,}",
            f"{result.turnout.ballot_papers_pct}",
            f"{result.turnout.valid_votes_pct}",
        ]
    papers.add_section()
    papers.add_row(*total)
    out.append(papers)
    return out


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
    from svcount.verify import as_json_value

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
                "expected": as_json_value(c.expected),
                "counted": as_json_value(c.counted),
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
