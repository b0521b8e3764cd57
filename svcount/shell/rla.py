"""``svcount rla``: a risk-limiting audit's steps. Today ``sample``: which papers to retrieve."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from svcount.shell.emit import Outputs, choose_format, fail, library, say
from svcount.shell.params import ChecksumsOpt, ColorOpt, OutputOpt, QuietOpt, SourceArg, counting

__all__ = ["rla_app"]

rla_app = typer.Typer(
    help="Risk-limiting audits: draw the sample of ballot papers to retrieve, as Arlo draws it.",
    no_args_is_help=True,
)

SAMPLE_SCHEMA = "svcount-rla-sample/1"
PLAN_SCHEMA = "svcount-rla-plan/1"


class PlanFormat(enum.StrEnum):
    table = "table"
    json = "json"


@rla_app.command("plan")
@counting
def plan_command(
    source: SourceArg,
    risk_limit: Annotated[
        float, typer.Option(min=0.0001, max=0.5, help="The risk limit α [default: 0.05].")
    ] = 0.05,
    format: Annotated[
        PlanFormat | None,
        typer.Option("--format", "-f", help="table or json [default: from -o, else table]."),
    ] = None,
    output: OutputOpt = None,
    options: Any = None,
    color: ColorOpt = None,
    checksums: ChecksumsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """The assertions that imply the reported winner, and the papers an audit needs.

    Counts SOURCE with every option of tally. Each assertion has its margin in
    votes and diluted (÷ ballot papers); the sizes are Super-simple's for a
    comparison audit and BRAVO's average for ballot polling, at the closest
    assertion. Exit codes: 0 planned, 2 bad input, 3 a lot is required.
    """
    from svcount import pipeline
    from svcount.operations.rla import plan
    from svcount.shell.calls import listener, options_from

    counted_options = options_from(options)
    fmt = choose_format(format, output, PlanFormat, "table")
    outputs = Outputs(checksums, color)
    outputs.guard([("--output", output), ("--checksums", checksums)], source)
    with library():
        counted = pipeline.tally(source, counted_options, listen=listener(quiet, False))
    if counted.result.winner is None:
        tied = ", ".join(counted.result.lot_required)
        fail(f"no plan yet: a lot is required between {tied} (give --lot NAME or --seed N)", 3)
    with library():
        planned = plan(counted.result, risk_limit)
    if fmt is PlanFormat.json:
        outputs.emit(_plan_json(planned, counted.provenance.input_record()), output)
    else:
        outputs.emit_rich(_plan_tables, (planned,), output)


def _plan_json(planned: Any, given: dict[str, Any]) -> str:
    document = {
        "schema": PLAN_SCHEMA,
        "input": given,
        "winner": planned.winner,
        "ballot_papers": planned.ballot_papers,
        "risk_limit": planned.risk_limit,
        "assertions": [
            {
                "assertion_type": a.kind,
                "winner": a.winner,
                "loser": a.loser,
                "already_eliminated": list(a.eliminated),
                "margin": a.margin,
                "diluted_margin": round(a.diluted, 6),
            }
            for a in planned.assertions
        ],
        "sample_sizes": {
            "comparison_super_simple": planned.comparison,
            "polling_bravo_average": None if planned.polling is None else round(planned.polling),
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _plan_tables(planned: Any, *, plain: bool) -> list[Any]:
    from svcount.render import blocks
    from svcount.render.blocks import Grid, Note

    def said(a: Any) -> str:
        if a.kind == "SUPERMAJORITY":
            return f"{a.winner} has more than half of the valid first preferences"
        if a.kind == "PLURALITY" or not a.eliminated:
            return f"{a.winner} has more first preferences than {a.loser}"
        return f"{a.winner} beats {a.loser} once everyone else is excluded"

    rows = tuple(
        (said(a), f"{a.margin:,}", f"{a.diluted:.4f}")
        for a in sorted(planned.assertions, key=lambda a: a.diluted)
    )
    grid = Grid("Assertions, closest first", ("Assertion", "Margin", "Diluted"), rows)
    if planned.comparison is None:
        sizes = "A margin of 0: only a full hand count confirms this result."
    else:
        sizes = (
            f"At a risk limit of {planned.risk_limit:g}: a comparison audit needs about "
            f"{planned.comparison:,} papers if it finds no discrepancy (Super-simple); a "
            f"ballot-polling audit about {round(planned.polling or 0):,} on average (BRAVO)."
        )
    return blocks.rich([grid, Note(sizes)], plain=plain)


class SampleFormat(enum.StrEnum):
    csv = "csv"
    json = "json"


@rla_app.command("sample")
def sample_command(
    manifest: Annotated[
        Path,
        typer.Argument(help="Ballot manifest: CSV with a batch column and its papers column."),
    ],
    seed: Annotated[
        str,
        typer.Option(help="The public seed, rolled in public (20 digits from ten-sided dice)."),
    ],
    size: Annotated[int, typer.Option(min=0, help="How many draws to make.")],
    already: Annotated[
        int,
        typer.Option(min=0, help="Draws made in earlier rounds: this round goes on after them."),
    ] = 0,
    format: Annotated[
        SampleFormat | None,
        typer.Option("--format", "-f", help="csv or json [default: from -o, else csv]."),
    ] = None,
    output: OutputOpt = None,
    checksums: ChecksumsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """The papers to retrieve, (batch, position from 1), in draw order with their tickets.

    The same seed and manifest give the same list as VotingWorks' Arlo, ticket
    for ticket (SHA-256 consistent sampling, with replacement): a paper drawn
    twice is listed twice, its draw number 2. Exit codes: 0 drawn, 2 bad input.
    """
    from svcount.documents.writing import csv_line
    from svcount.operations.rla import read_manifest, sample

    fmt = choose_format(format, output, SampleFormat, "csv")
    outputs = Outputs(checksums)
    outputs.guard([("--output", output), ("--checksums", checksums)], manifest)
    with library():
        batches = read_manifest(str(manifest))
        draws = sample(batches, seed, size, already)
    if fmt is SampleFormat.json:
        outputs.emit(_sample_json(manifest, batches, seed, already, size, draws), output)
    else:
        lines = [csv_line(["ticket", "batch", "position", "draw"])]
        lines += [csv_line([d.ticket, d.batch, str(d.position), str(d.draw)]) for d in draws]
        outputs.emit("".join(lines), output)
    twice = sum(1 for d in draws if d.draw > 1)
    say(f"{len(draws):,} draws from {sum(batches.values()):,} papers ({twice:,} repeats)", quiet)


def _sample_json(
    manifest: Path, batches: dict[str, int], seed: str, already: int, size: int, draws: list[Any]
) -> str:
    """The draws with what reproduces them: the manifest's hash, the seed, the round."""
    from svcount.reading.source import sha256_of

    document = {
        "schema": SAMPLE_SCHEMA,
        "manifest": {
            "file": str(manifest),
            "sha256": sha256_of(manifest),
            "batches": len(batches),
            "papers": sum(batches.values()),
        },
        "seed": seed,
        "already": already,
        "size": size,
        "draws": [
            {"ticket": d.ticket, "batch": d.batch, "position": d.position, "draw": d.draw}
            for d in draws
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
