"""``svcount verification``: the statement as to the result of the verification, box by box."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from svcount.shell.emit import Outputs, choose_format
from svcount.shell.keys import signing_key
from svcount.shell.params import (
    ChecksumsOpt,
    ColorOpt,
    OutputOpt,
    QuietOpt,
    SignOpt,
    format_option,
)

__all__ = ["verification_command"]

#: Exit code when a box has a variance that is not explained.
EXIT_UNEXPLAINED = 1


class VerificationFormat(enum.StrEnum):
    text = "text"
    markdown = "markdown"
    md = "md"
    html = "html"
    json = "json"
    csv = "csv"


def _tables(found: Any, *, plain: bool) -> list[Any]:
    from svcount.render.blocks import rich
    from svcount.render.verification import statement_blocks

    return rich(statement_blocks(found), plain=plain)


_BallotsOpt = Annotated[
    Path | None,
    typer.Option(help="Count each box's papers from this ballot file (with --box-column)."),
]
_BoxOpt = Annotated[str | None, typer.Option(metavar="NAME", help="The ballot file's box column.")]
_PollOpt = Annotated[
    str | None,
    typer.Option(
        metavar="ID",
        help="The poll verified (as the local counts' --election): written into the statement, "
        "and checked against a local count's.",
    ),
]


def verification_command(
    accounts: Annotated[
        Path,
        typer.Argument(
            help="The ballot paper accounts: CSV with a row per box (box, issued or supplied/"
            "unused/spoilt, verified; optional station, area, kind, tendered, explanation)."
        ),
    ],
    ballots: _BallotsOpt = None,
    box_column: _BoxOpt = None,
    format: Annotated[
        VerificationFormat | None,
        format_option(
            VerificationFormat,
            "text (80 columns), markdown, html, json or csv [default: from -o, else text].",
        ),
    ] = None,
    output: OutputOpt = None,
    election: _PollOpt = None,
    sign: SignOpt = None,
    color: ColorOpt = None,
    checksums: ChecksumsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """The statement as to the result of the verification, before the count.

    Per box: the papers expected by its ballot paper account, those verified, the variance
    and its explanation; per voting area and in all, postal and station papers verified.
    Exit codes: 0 every variance explained (or none), 1 a variance unexplained, 2 bad input.
    """
    from svcount import tasks
    from svcount.render import verification as render

    if (ballots is None) != (box_column is None):
        raise typer.BadParameter("give --ballots FILE and --box-column NAME together")
    fmt = choose_format(format, output, VerificationFormat, "text")
    outputs = Outputs(checksums, color, signing_key(sign))
    outputs.guard([("--output", output), ("--checksums", checksums)], accounts, ballots, sign)
    found, given = tasks.verification(
        str(accounts), None if ballots is None else str(ballots), box_column
    )
    outputs.emit_as(
        fmt,
        output,
        json=lambda: (
            json.dumps(
                tasks.statement_document(found, given, election), indent=2, ensure_ascii=False
            )
            + "\n"
        ),  # fmt: skip
        csv=lambda: render.statement_csv(found),
        tables=(_tables, (found,)),
        html=lambda: render.statement_html(found),
        markdown=lambda: render.statement_markdown(found),
        more={"text": lambda: render.statement_text(found)},
    )
    if found.unexplained:
        raise typer.Exit(EXIT_UNEXPLAINED)
