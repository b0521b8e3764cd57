"""The ``svcount`` command: parse options, call the library, render, exit.

Exit codes: 0 counted (or verified); 1 a verification found a mismatch; 2 bad
input or usage; 3 a lot is required; 130 interrupted.
"""

from __future__ import annotations

import dataclasses
import enum
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from svcount.count import EnteredLot, Method, SeededLot
from svcount.errors import CountError, SvcountError

if TYPE_CHECKING:
    from svcount.count import Result
    from svcount.io import Loaded
    from svcount.render import Provenance

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


class ReportFormat(enum.StrEnum):
    table = "table"
    json = "json"


# Options shared by tally and verify. Defaults of None mean "not given", so
# verify can take them from the expected file instead.
BallotsArg = Annotated[
    str, typer.Argument(help="Ballot file (.csv or .csv.gz), or - for standard input.")
]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file (atomically) instead of stdout."),
]
MethodOpt = Annotated[
    Method | None,
    typer.Option("--method", "-m", help="sv (default with a second-preference column) or fptp."),
]
CandidatesOpt = Annotated[
    Path | None,
    typer.Option(
        "--candidates",
        "-c",
        help="Candidate list: one name per line, or a CSV with name (and party) columns. "
        "Without it, the candidates are the distinct valid first preferences.",
    ),
]
ElectorateOpt = Annotated[
    int | None, typer.Option(help="Electorate, to report turnout (both conventions).")
]
LotOpt = Annotated[
    str | None,
    typer.Option(help="Enter the result of the returning officer's lot: the winner's name."),
]
SeedOpt = Annotated[
    int | None, typer.Option(help="Draw any lot here, reproducibly, with this seed.")
]
FirstColumnOpt = Annotated[
    str | None, typer.Option(help="Column of first preferences (default: detected).")
]
SecondColumnOpt = Annotated[
    str | None, typer.Option(help="Column of second preferences (default: detected).")
]
RejectedColumnOpt = Annotated[
    str | None,
    typer.Option(help="Adjudication column naming a rejection heading (default: detected)."),
]
SeparatorOpt = Annotated[
    str | None,
    typer.Option(help="Characters that separate several names in one field [default: |;]."),
]
UncertainOpt = Annotated[
    str | None,
    typer.Option(help="A field holding just this is void for uncertainty [default: ?]."),
]
UnknownAsVoidOpt = Annotated[
    bool,
    typer.Option(
        "--unknown-as-void",
        help="With --candidates: count unknown names as void for uncertainty "
        "instead of stopping with an error.",
    ),
]
EncodingOpt = Annotated[
    str | None, typer.Option(help="Text encoding (default: UTF-8, or as its BOM says).")
]
DelimiterOpt = Annotated[
    str | None, typer.Option(help="Field delimiter: a character, or tab (default: detected).")
]
ColorOpt = Annotated[
    bool | None,
    typer.Option(
        "--color/--no-color",
        help="Colour and box art (default: only on a terminal).",
        show_default=False,
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No warnings on stderr.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Say how the file was read.")]


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything that decides a count, as recorded in the output."""

    method: Method | None = None
    candidates: str | None = None
    electorate: int | None = None
    lot: str | None = None
    seed: int | None = None
    separator: str = "|;"
    uncertain_marker: str = "?"
    unknown_as_void: bool = False
    first_column: str | None = None
    second_column: str | None = None
    rejected_column: str | None = None
    encoding: str | None = None
    delimiter: str | None = None

    def merged(self, given: dict[str, Any]) -> Settings:
        """These settings, overridden by the options actually given (not None)."""
        updates = {k: v for k, v in given.items() if v is not None and v is not False}
        if "method" in updates:
            updates["method"] = Method(updates["method"])
        if "candidates" in updates:
            updates["candidates"] = str(updates["candidates"])
        if updates.get("delimiter") is not None:
            updates["delimiter"] = _delimiter(updates["delimiter"])
        return dataclasses.replace(self, **updates)


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


def _say(message: str, quiet: bool = False) -> None:
    """One line on stderr: diagnostics never mix with data on stdout."""
    if not quiet:
        typer.echo(f"svcount: {message}", err=True)


def _delimiter(value: str) -> str:
    value = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}.get(value.lower(), value)
    if len(value) != 1:
        raise typer.BadParameter("give one character, or tab, comma or semicolon")
    return value


def _count_file(
    source: str, settings: Settings, quiet: bool, verbose: bool
) -> tuple[Loaded, Result]:
    """Read, classify and count one ballot file; errors exit 2 with one line."""
    from svcount.count import count
    from svcount.io import ReadOptions, load, read_candidates
    from svcount.marks import MarkRules

    if settings.lot is not None and settings.seed is not None:
        _fail("give either --lot (the returning officer's draw) or --seed, not both")
    try:
        roster = read_candidates(settings.candidates) if settings.candidates else None
        options = ReadOptions(
            first_column=settings.first_column,
            second_column=settings.second_column,
            rejected_column=settings.rejected_column,
            encoding=settings.encoding,
            delimiter=settings.delimiter,
        )
        rules = MarkRules(
            separators=settings.separator,
            uncertain=settings.uncertain_marker,
            unknown_as_void=settings.unknown_as_void,
        )
        loaded = load(
            source, method=settings.method, candidates=roster, options=options, rules=rules
        )
        lot: EnteredLot | SeededLot | None = None
        if settings.lot is not None:
            lot = EnteredLot(settings.lot)
        elif settings.seed is not None:
            lot = SeededLot(settings.seed)
        result = count(loaded.ballots, loaded.method, lot=lot, electorate=settings.electorate)
    except CountError as exc:
        _fail(f"{source}: {exc}")
    except SvcountError as exc:
        _fail(str(exc))
    for warning in loaded.warnings:
        _say(f"warning: {warning}", quiet)
    if verbose:
        layout = loaded.layout
        _say(
            f"read {loaded.rows:,} rows of {loaded.file} ({layout.encoding}, delimiter "
            f"{layout.delimiter!r}{', gzip' if layout.compressed else ''})"
        )
        for note in loaded.notes:
            _say(note)
    if (settings.lot is not None or settings.seed is not None) and result.lot is None:
        given = "--lot" if settings.lot is not None else "--seed"
        _say(f"warning: no equality of votes needed a lot; {given} ignored", quiet)
    return loaded, result


def _provenance(loaded: Loaded, settings: Settings) -> Provenance:
    from svcount import __version__
    from svcount.render import Provenance

    options = dataclasses.asdict(settings)
    options.update(
        method=loaded.method.value,
        encoding=loaded.layout.encoding,
        delimiter=loaded.layout.delimiter,
    )
    return Provenance(
        file=loaded.file,
        sha256=loaded.sha256,
        rows=loaded.rows,
        columns={r: loaded.layout.column_name(r) for r in ("first", "second", "rejected")},
        options=options,
        version=__version__,
    )


@app.command()
def tally(
    source: BallotsArg,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = (
        Format.table
    ),
    output: OutputOpt = None,
    method: MethodOpt = None,
    candidates: CandidatesOpt = None,
    electorate: ElectorateOpt = None,
    lot: LotOpt = None,
    seed: SeedOpt = None,
    first_column: FirstColumnOpt = None,
    second_column: SecondColumnOpt = None,
    rejected_column: RejectedColumnOpt = None,
    separator: SeparatorOpt = None,
    uncertain_marker: UncertainOpt = None,
    unknown_as_void: UnknownAsVoidOpt = False,
    encoding: EncodingOpt = None,
    delimiter: DelimiterOpt = None,
    color: ColorOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Count a ballot file and declare the result.

    Exit codes: 0 counted, 2 bad input or usage, 3 a lot is required.
    """
    given = {k: v for k, v in locals().items() if k in Settings.__dataclass_fields__}
    settings = Settings().merged(given)
    loaded, result = _count_file(source, settings, quiet, verbose)
    provenance = _provenance(loaded, settings)
    from svcount.render import to_csv, to_json

    if format is Format.json:
        _emit(to_json(result, provenance), output)
    elif format is Format.csv:
        _emit(to_csv(result), output)
    else:
        from svcount.render import to_tables

        _emit_rich(to_tables, (result, provenance), output, color)
    if result.winner is None:
        _say(
            f"a lot is required between {', '.join(result.lot_required)}: give the "
            "returning officer's draw with --lot NAME, or --seed N"
        )
        raise typer.Exit(EXIT_LOT)


@app.command()
def verify(
    ballots: BallotsArg,
    expected: Annotated[
        Path, typer.Argument(help="Expected figures (JSON, schema svcount-expected/1).")
    ],
    format: Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format.")] = (
        ReportFormat.table
    ),
    output: OutputOpt = None,
    method: MethodOpt = None,
    candidates: CandidatesOpt = None,
    electorate: ElectorateOpt = None,
    lot: LotOpt = None,
    seed: SeedOpt = None,
    first_column: FirstColumnOpt = None,
    second_column: SecondColumnOpt = None,
    rejected_column: RejectedColumnOpt = None,
    separator: SeparatorOpt = None,
    uncertain_marker: UncertainOpt = None,
    unknown_as_void: UnknownAsVoidOpt = False,
    encoding: EncodingOpt = None,
    delimiter: DelimiterOpt = None,
    color: ColorOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Count a ballot file and compare every figure with an expected file.

    Options given here override those in the expected file. Exit codes: 0 every
    figure matches, 1 a mismatch, 2 bad input or usage.
    """
    from svcount.verify import compare, read_expected

    try:
        wanted = read_expected(str(expected))
    except SvcountError as exc:
        _fail(str(exc))
    given = {k: v for k, v in locals().items() if k in Settings.__dataclass_fields__}
    settings = Settings().merged(dict(wanted.options)).merged(given)
    loaded, result = _count_file(ballots, settings, quiet, verbose)
    checks = compare(wanted, result)
    provenance = _provenance(loaded, settings)
    if format is ReportFormat.json:
        from svcount.render import verify_json

        _emit(verify_json(checks, provenance, str(expected)), output)
    else:
        from svcount.render import verify_table

        _emit_rich(verify_table, (checks, provenance, str(expected)), output, color)
    if not all(c.ok for c in checks):
        raise typer.Exit(EXIT_MISMATCH)


@app.command()
def synth(
    figures: Annotated[Path, typer.Argument(help="Figures file (JSON, schema svcount-figures/1).")],
    seed: Annotated[int, typer.Option(help="Seed for the order of the rows.")] = 0,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Ballot file to write (.csv, or .csv.gz to compress); default stdout.",
        ),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Write a ballot file whose count reproduces a figures file exactly.

    Same figures and seed, same bytes. Figures that were not published must be
    given anyway and listed under "assumed"; they are repeated on stderr.
    """
    from svcount.io import write_atomic
    from svcount.synth import compress, read_figures, synthesise

    try:
        wanted = read_figures(str(figures))
        data = synthesise(wanted, seed)
        if output is not None and output.name.endswith(".gz"):
            data = compress(data)
        if output is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            write_atomic(output, data)
    except SvcountError as exc:
        _fail(str(exc))
    where = str(output) if output else "stdout"
    _say(f"wrote {wanted.ballot_papers:,} ballot papers to {where} (seed {seed})", quiet)
    for path, why in wanted.assumed.items():
        _say(f"assumed {path}: {why}", quiet)


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


def _emit_rich(build: Any, args: tuple[Any, ...], output: Path | None, color: bool | None) -> None:
    """Print ``build(*args, plain=...)`` renderables: boxed on a terminal, plain otherwise."""
    import io

    from rich.console import Console

    if output is not None:
        console = Console(file=io.StringIO(), force_terminal=False, color_system=None, width=100)
    else:
        console = Console(force_terminal=color, no_color=True if color is False else None)
    plain = output is not None or not console.is_terminal
    for i, renderable in enumerate(build(*args, plain=plain)):
        if i:
            console.print()
        console.print(renderable)
    if output is not None:
        _emit(console.file.getvalue(), output)  # type: ignore[attr-defined]


def main() -> None:
    """Entry point: conventional exits for usage errors, a closed pipe and Ctrl-C."""
    import click

    try:
        # Typer turns Ctrl-C into a silent exit 130 and a closed pipe (``| head``)
        # into a silent exit 1; the message for Ctrl-C is added here.
        code = app(standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        code = EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    if code == EXIT_INTERRUPTED:
        typer.echo("svcount: interrupted", err=True)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
