"""The ``svcount`` command: parse options, call the library, render, exit.

Exit codes: 0 counted; 1 a verification found a mismatch; 2 bad input or
usage; 3 a lot is required; 130 interrupted.
"""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from svcount.count import EnteredLot, Method, SeededLot
from svcount.errors import SvcountError

EXIT_OK, EXIT_MISMATCH, EXIT_INPUT, EXIT_LOT, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

app = typer.Typer(
    name="svcount",
    help="Count supplementary vote and first-past-the-post elections from ballot files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # ballot contents must never leak into a crash
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def _version(value: bool) -> None:
    if value:
        from svcount import __version__

        typer.echo(f"svcount {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Count supplementary vote and first-past-the-post elections from ballot files.

    Exit codes: 0 counted, 1 verification mismatch, 2 bad input or usage,
    3 a lot is required, 130 interrupted.
    """


def _fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    typer.echo(f"svcount: error: {message}", err=True)
    raise typer.Exit(code)


def _stderr(quiet: bool) -> Any:
    """Diagnostics go to stderr, created here so NO_COLOR and COLUMNS are honoured."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, quiet=quiet, soft_wrap=True)


def _delimiter(value: str | None) -> str | None:
    if value is None:
        return None
    value = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}.get(value.lower(), value)
    if len(value) != 1:
        raise typer.BadParameter("give one character, or tab, comma or semicolon")
    return value


@app.command()
def tally(
    source: Annotated[
        str, typer.Argument(help="Ballot file (.csv or .csv.gz), or - for standard input.")
    ],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (atomically) instead of stdout."),
    ] = None,
    method: Annotated[
        Method | None,
        typer.Option(
            "--method",
            "-m",
            help="sv (default with a second-preference column) or fptp (default without).",
        ),
    ] = None,
    candidates: Annotated[
        Path | None,
        typer.Option(
            "--candidates",
            "-c",
            help="Candidate list: one name per line, or a CSV with name (and party) columns. "
            "Without it, the candidates are the distinct valid first preferences.",
        ),
    ] = None,
    electorate: Annotated[
        int | None, typer.Option(help="Electorate, to report turnout (both conventions).")
    ] = None,
    lot: Annotated[
        str | None,
        typer.Option(help="Enter the result of the returning officer's lot: the winner's name."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Draw any lot here, reproducibly, with this seed.")
    ] = None,
    first_column: Annotated[
        str | None, typer.Option(help="Column of first preferences (default: detected).")
    ] = None,
    second_column: Annotated[
        str | None, typer.Option(help="Column of second preferences (default: detected).")
    ] = None,
    rejected_column: Annotated[
        str | None,
        typer.Option(help="Adjudication column naming a rejection heading (default: detected)."),
    ] = None,
    separator: Annotated[
        str,
        typer.Option(help="Characters that separate several names marked in one field."),
    ] = "|;",
    uncertain_marker: Annotated[
        str, typer.Option(help="A field holding just this is void for uncertainty.")
    ] = "?",
    unknown_as_void: Annotated[
        bool,
        typer.Option(
            "--unknown-as-void",
            help="With --candidates: count unknown names as void for uncertainty "
            "instead of stopping with an error.",
        ),
    ] = False,
    encoding: Annotated[
        str | None, typer.Option(help="Text encoding (default: UTF-8, or as its BOM says).")
    ] = None,
    delimiter: Annotated[
        str | None,
        typer.Option(help="Field delimiter: a character, or tab (default: detected)."),
    ] = None,
    color: Annotated[
        bool | None,
        typer.Option(
            "--color/--no-color",
            help="Colour and box art (default: only on a terminal).",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No warnings on stderr.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Say how the file was read.")
    ] = False,
) -> None:
    """Count a ballot file and declare the result.

    Exit codes: 0 counted, 2 bad input or usage, 3 a lot is required.
    """
    from svcount import __version__
    from svcount.count import count
    from svcount.io import ReadOptions, load, read_candidates
    from svcount.marks import MarkRules
    from svcount.render import Provenance, to_csv, to_json

    if lot is not None and seed is not None:
        _fail("give either --lot (the returning officer's draw) or --seed, not both")
    err = _stderr(quiet)
    try:
        roster = read_candidates(str(candidates)) if candidates else None
        options = ReadOptions(
            first_column=first_column,
            second_column=second_column,
            rejected_column=rejected_column,
            encoding=encoding,
            delimiter=_delimiter(delimiter),
        )
        rules = MarkRules(
            separators=separator, uncertain=uncertain_marker, unknown_as_void=unknown_as_void
        )
        loaded = load(source, method=method, candidates=roster, options=options, rules=rules)
        instruction = EnteredLot(lot) if lot is not None else None
        if seed is not None:
            instruction = SeededLot(seed)
        result = count(loaded.ballots, loaded.method, lot=instruction, electorate=electorate)
    except SvcountError as exc:
        _fail(str(exc))

    for warning in loaded.warnings:
        err.print(f"svcount: warning: {warning}", markup=False)
    if verbose:
        layout = loaded.layout
        err.print(
            f"svcount: read {loaded.rows:,} rows of {loaded.file} "
            f"({layout.encoding}, delimiter {layout.delimiter!r}"
            f"{', gzip' if layout.compressed else ''})",
            markup=False,
        )
        for note in loaded.notes:
            err.print(f"svcount: {note}", markup=False)
    if (lot is not None or seed is not None) and result.lot is None:
        err.print(
            "svcount: warning: no equality of votes needed a lot; "
            f"{'--lot' if lot is not None else '--seed'} ignored",
            markup=False,
        )

    provenance = Provenance(
        file=loaded.file,
        sha256=loaded.sha256,
        rows=loaded.rows,
        columns={role: loaded.layout.column_name(role) for role in ("first", "second", "rejected")},
        options={
            "method": loaded.method.value,
            "candidates": str(candidates) if candidates else None,
            "electorate": electorate,
            "lot": lot,
            "seed": seed,
            "separator": separator,
            "uncertain_marker": uncertain_marker,
            "unknown_as_void": unknown_as_void,
            "encoding": loaded.layout.encoding,
            "delimiter": loaded.layout.delimiter,
        },
        version=__version__,
    )
    if format is Format.json:
        _emit(to_json(result, provenance), output)
    elif format is Format.csv:
        _emit(to_csv(result), output)
    else:
        _emit_tables(result, provenance, output, color)

    if result.winner is None:
        err.print(
            f"svcount: a lot is required between {', '.join(result.lot_required)}: "
            "give the returning officer's draw with --lot NAME, or --seed N",
            markup=False,
        )
        raise typer.Exit(EXIT_LOT)


def _emit(text: str, output: Path | None) -> None:
    from svcount.io import write_atomic

    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        write_atomic(output, text)
    except SvcountError as exc:
        _fail(str(exc))


def _emit_tables(result: Any, provenance: Any, output: Path | None, color: bool | None) -> None:
    import io

    from rich.console import Console

    from svcount.render import to_tables

    if output is not None:
        buffer = io.StringIO()
        console = Console(file=buffer, force_terminal=False, color_system=None, width=100)
        plain = True
    else:
        console = Console(force_terminal=color, no_color=True if color is False else None)
        plain = not console.is_terminal
    for i, renderable in enumerate(to_tables(result, provenance, plain=plain)):
        if i:
            console.print()
        console.print(renderable)
    if output is not None:
        _emit(buffer.getvalue(), output)


def main() -> None:
    """Entry point: conventional exits for usage errors, a closed pipe and Ctrl-C."""
    import click

    try:
        code = app(standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        typer.echo("svcount: interrupted", err=True)
        code = EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except BrokenPipeError:
        # The reader went away (``| head``): say nothing, exit as SIGPIPE would.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 141
    sys.exit(code if isinstance(code, int) else EXIT_OK)
