"""``svcount rla``: a risk-limiting audit's steps. Today ``sample``: which papers to retrieve."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from svcount.shell.emit import Outputs, choose_format, library, say
from svcount.shell.params import ChecksumsOpt, OutputOpt, QuietOpt

__all__ = ["rla_app"]

rla_app = typer.Typer(
    help="Risk-limiting audits: draw the sample of ballot papers to retrieve, as Arlo draws it.",
    no_args_is_help=True,
)

SAMPLE_SCHEMA = "svcount-rla-sample/1"


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
