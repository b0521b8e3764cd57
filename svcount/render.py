"""A :class:`~svcount.count.Result` as JSON, CSV or Rich tables.

Builds renderables and strings; never prints. JSON and CSV are written with
the ``json`` and ``csv`` modules (never through Rich) so they are stable byte
for byte; Rich is imported only for tables.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from svcount.count import DecidedBy, Method, Result

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


def candidate_status(result: Result, name: str) -> str:
    """elected, not_elected, excluded, or tied while a lot is required."""
    if name == result.winner:
        return "elected"
    if name in result.lot_required:
        return "tied"
    if name in result.stage_one.excluded:
        return "excluded"
    return "not_elected"


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
        "turnout": None
        if turnout is None
        else {
            "electorate": turnout.electorate,
            "ballot_papers": turnout.ballot_papers,
            "ballot_papers_pct": _pct(turnout.ballot_papers_pct),
            "valid_votes": turnout.valid_votes,
            "valid_votes_pct": _pct(turnout.valid_votes_pct),
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def spreadsheet_safe(cell: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (names are untrusted)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def to_csv(result: Result) -> str:
    """One row per candidate per stage, header ``CSV_HEADER``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    stage_one = result.stage_one
    for c in result.candidates:
        if stage_one.remaining:
            status = "remaining" if c.name in stage_one.remaining else "excluded"
        else:
            status = candidate_status(result, c.name)
        votes = stage_one.votes[c.name]
        writer.writerow(
            [
                1,
                spreadsheet_safe(c.name),
                spreadsheet_safe(c.party or ""),
                votes,
                "",
                votes,
                result.share(c.name),
                status,
            ]
        )
    if result.stage_two:
        for c in result.candidates:
            transfers = result.stage_two.transfers.get(c.name)
            total = result.stage_two.totals.get(c.name)
            writer.writerow(
                [
                    2,
                    spreadsheet_safe(c.name),
                    spreadsheet_safe(c.party or ""),
                    stage_one.votes[c.name],
                    "" if transfers is None else transfers,
                    "" if total is None else total,
                    result.share(c.name),
                    candidate_status(result, c.name),
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
        if stage_one.remaining:
            status = "remaining" if c.name in stage_one.remaining else "excluded"
        else:
            status = candidate_status(result, c.name).replace("_", " ")
        row = [
            Text(c.name),
            *([Text(c.party or "")] if has_party else []),
            f"{stage_one.votes[c.name]:,}",
            f"{result.share(c.name)}",
            status,
        ]
        first.add_row(*row)
    first.add_row(
        Text("Valid votes"),
        *([""] if has_party else []),
        f"{result.valid:,}",
        "100.00",
        "",
        end_section=True,
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
        lost.add_row("Papers of excluded candidates", f"{two.excluded_papers:,}", end_section=True)
        out.append(lost)

    out.append(_declaration(result, plain))

    statement = table("Statement of rejected ballot papers", "Heading", "Papers")
    for heading_, n in result.rejected.items():
        statement.add_row(heading_.label, f"{n:,}")
    statement.add_row("Total rejected", f"{result.rejected_total:,}", end_section=True)
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
    table.add_column("Figure", no_wrap=True)
    table.add_column("Expected", justify="right")
    table.add_column("Counted", justify="right")
    table.add_column("Status", no_wrap=True)
    for c in checks:
        status = Text("ok") if c.ok else Text("MISMATCH", style=None if plain else "bold red")
        table.add_row(Text(c.figure), Text(_shown(c.expected)), Text(_shown(c.counted)), status)
    bad = sum(not c.ok for c in checks)
    verdict = (
        Text(f"All {len(checks)} figures match.", style=None if plain else "bold green")
        if not bad
        else Text(
            f"{bad} of {len(checks)} figures do not match.", style=None if plain else "bold red"
        )
    )
    return [table, verdict]
