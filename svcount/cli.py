"""The ``svcount`` command: parse options, call the library, render, exit.

Exit codes: 0 counted (or verified); 1 a verification found a mismatch; 2 bad
input or usage; 3 a lot is required; 130 interrupted; 141 stdout's reader went
away (``| head``).
"""

from __future__ import annotations

import contextlib
import enum
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from svcount.errors import SvcountError
from svcount.model import Method
from svcount.options import CountOptions

if TYPE_CHECKING:
    from svcount.io import Loaded
    from svcount.model import Result
    from svcount.pipeline import Provenance

EXIT_OK, EXIT_MISMATCH, EXIT_INPUT, EXIT_LOT = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_CLOSED_PIPE = 130, 141

app = typer.Typer(
    name="svcount",
    help="Count supplementary vote and first-past-the-post elections from ballot files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # ballot contents must never leak into a crash
    context_settings={"help_option_names": ["-h", "--help"]},
    # Rich help panels on a terminal; plain text, no box art, in a pipe.
    rich_markup_mode="rich" if sys.stdout.isatty() else None,
)


class Format(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    html = "html"
    markdown = "markdown"


class DeclarationFormat(enum.StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"


#: Output file extensions that name a format other than themselves.
EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".htm": "html"}


class ReportFormat(enum.StrEnum):
    table = "table"
    json = "json"


class Stage(enum.StrEnum):
    first = "first"
    second = "second"


READING_PANEL, COUNT_PANEL, LOCAL_PANEL, OUTPUT_PANEL = (
    "Reading the file",
    "The count",
    "Local counts (the staged count)",
    "Output",
)

# Options shared by tally and verify. Defaults of None mean "not given", so
# verify can take them from the expected file instead.
BallotsArg = Annotated[
    str, typer.Argument(help="Ballot file (.csv or .csv.gz), or - for standard input.")
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file (atomically) instead of stdout.",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format [default: from the --output file's extension, else table].",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
MethodOpt = Annotated[
    Method | None,
    typer.Option(
        "--method",
        "-m",
        help="sv (default with a second-preference column) or fptp.",
        rich_help_panel=COUNT_PANEL,
    ),
]
CandidatesOpt = Annotated[
    Path | None,
    typer.Option(
        "--candidates",
        "-c",
        help="Candidate list: one name per line, or a CSV with name (and party) columns. "
        "Without it, the candidates are the distinct valid first preferences.",
        rich_help_panel=COUNT_PANEL,
    ),
]
ElectorateOpt = Annotated[
    int | None,
    typer.Option(
        help="Electorate, to report turnout (both conventions).", rich_help_panel=COUNT_PANEL
    ),
]
LotOpt = Annotated[
    str | None,
    typer.Option(
        help="Enter the result of the returning officer's lot: the winner's name.",
        rich_help_panel=COUNT_PANEL,
    ),
]
SeedOpt = Annotated[
    int | None,
    typer.Option(
        help="Draw any lot here, reproducibly, with this seed.", rich_help_panel=COUNT_PANEL
    ),
]
FirstColumnOpt = Annotated[
    str | None,
    typer.Option(
        help="Column of first preferences (default: detected).", rich_help_panel=READING_PANEL
    ),
]
SecondColumnOpt = Annotated[
    str | None,
    typer.Option(
        help="Column of second preferences (default: detected).", rich_help_panel=READING_PANEL
    ),
]
RejectedColumnOpt = Annotated[
    str | None,
    typer.Option(
        help="Adjudication column naming a rejection heading (default: detected).",
        rich_help_panel=READING_PANEL,
    ),
]
SeparatorOpt = Annotated[
    str | None,
    typer.Option(
        help="Characters that separate several names in one field [default: |;].",
        rich_help_panel=READING_PANEL,
    ),
]
UncertainOpt = Annotated[
    str | None,
    typer.Option(
        help="A field holding just this is void for uncertainty [default: ?].",
        rich_help_panel=READING_PANEL,
    ),
]
UnknownAsVoidOpt = Annotated[
    bool,
    typer.Option(
        "--unknown-as-void",
        help="With --candidates: count unknown names as void for uncertainty "
        "instead of stopping with an error.",
        rich_help_panel=READING_PANEL,
    ),
]
EncodingOpt = Annotated[
    str | None,
    typer.Option(
        help="Text encoding (default: UTF-8, or as its BOM says).", rich_help_panel=READING_PANEL
    ),
]
AreaColumnOpt = Annotated[
    str | None,
    typer.Option(
        help="Column naming each paper's voting area (default: detected).",
        rich_help_panel=READING_PANEL,
    ),
]
CountColumnOpt = Annotated[
    str | None,
    typer.Option(
        help="Column saying how many identical papers each row stands for (an aggregated "
        "file; default: a column named papers, count, votes, n, weight or ballots).",
        rich_help_panel=READING_PANEL,
    ),
]
ElectorateFileOpt = Annotated[
    Path | None,
    typer.Option(
        help="Areas file: CSV with area and electorate columns (optional "
        "ballot_papers_issued), for turnout per area.",
        rich_help_panel=COUNT_PANEL,
    ),
]
DelimiterOpt = Annotated[
    str | None,
    typer.Option(
        help="Field delimiter: a character, or tab (default: detected).",
        rich_help_panel=READING_PANEL,
    ),
]
ColorOpt = Annotated[
    bool | None,
    typer.Option(
        "--color/--no-color",
        help="Colour and box art (default: only on a terminal).",
        show_default=False,
        rich_help_panel=OUTPUT_PANEL,
    ),
]
ChecksumsOpt = Annotated[
    Path | None,
    typer.Option(
        help="Append a line for each file written, in sha256sum's format (check them with "
        "sha256sum -c FILE).",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="No warnings on stderr.", rich_help_panel=OUTPUT_PANEL)
]
VerboseOpt = Annotated[
    bool,
    typer.Option(
        "--verbose", "-v", help="Say how the file was read.", rich_help_panel=OUTPUT_PANEL
    ),
]


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


def _format(given: Any, output: Path | None, formats: type[enum.StrEnum], default: str) -> Any:
    """The format asked for, else the output's extension, else ``default``.

    An explicit ``--format`` wins; if it contradicts the extension, say so.
    """
    by_extension = None
    if output is not None:
        suffix = EXTENSIONS.get(output.suffix.lower(), output.suffix.lower().lstrip("."))
        by_extension = next((f for f in formats if f.value == suffix), None)
    if given is None:
        return by_extension or formats(default)
    if by_extension is not None and by_extension is not given:
        _say(
            f"warning: --format {given.value} written to {output}, "
            f"whose name says {by_extension.value}"
        )
    return given


@contextlib.contextmanager
def _library() -> Iterator[None]:
    """The library's errors become one line on stderr and exit 2."""
    try:
        yield
    except SvcountError as exc:
        _fail(str(exc))


def _guard(outputs: list[tuple[str, Path | None]], *inputs: Any) -> None:
    """No output may be an input, or another output: checked before any work."""
    from svcount.documents.files import check_outputs

    with _library():
        check_outputs(outputs, [str(i) for i in inputs if i is not None])


def _options(given: dict[str, Any], base: CountOptions | None = None) -> CountOptions:
    with _library():
        options = (base or CountOptions()).merged(given)
        options.check()
    return options


def _load(source: str, options: CountOptions, quiet: bool, verbose: bool) -> Loaded:
    """Read and classify one ballot file, telling the user what they should know."""
    from svcount import pipeline

    with _library(), _progress(source, quiet, "Reading") as progress:
        loaded = pipeline.load(source, options, progress=progress)
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
    return loaded


#: Inputs at least this large get a progress bar (on a terminal, without --quiet).
PROGRESS_BYTES = 50 << 20


def _wants_progress(source: str, quiet: bool, terminal: bool) -> bool:
    """A bar only for long work a person is watching: never in a pipe, or with --quiet."""
    if quiet or not terminal:
        return False
    if source == "-":
        return True
    try:
        return os.stat(source).st_size >= PROGRESS_BYTES
    except OSError:
        return False


@contextlib.contextmanager
def _progress(
    source: str, quiet: bool, what: str, unit: str = "bytes"
) -> Iterator[Callable[[int, int], None] | None]:
    """A Rich progress bar on stderr (bytes or rows, rate, time left), or None when not wanted."""
    if not _wants_progress(source, quiet, sys.stderr.isatty()):
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    amount = (
        (DownloadColumn(), TransferSpeedColumn()) if unit == "bytes" else (MofNCompleteColumn(),)
    )
    columns = (TextColumn("{task.description}"), BarColumn(), *amount, TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(f"{what} {source}", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _lot_unused(options: CountOptions, result: Result | None, quiet: bool, why: str = "") -> None:
    if (options.lot is not None or options.seed is not None) and (
        result is None or result.lot is None
    ):
        given = "--lot" if options.lot is not None else "--seed"
        _say(f"warning: {why or 'no equality of votes needed a lot'}; {given} ignored", quiet)


@app.command()
def tally(
    source: BallotsArg,
    format: FormatOpt = None,
    output: OutputOpt = None,
    method: MethodOpt = None,
    candidates: CandidatesOpt = None,
    electorate: ElectorateOpt = None,
    lot: LotOpt = None,
    seed: SeedOpt = None,
    first_column: FirstColumnOpt = None,
    second_column: SecondColumnOpt = None,
    rejected_column: RejectedColumnOpt = None,
    area_column: AreaColumnOpt = None,
    count_column: CountColumnOpt = None,
    electorate_file: ElectorateFileOpt = None,
    separator: SeparatorOpt = None,
    uncertain_marker: UncertainOpt = None,
    unknown_as_void: UnknownAsVoidOpt = False,
    encoding: EncodingOpt = None,
    delimiter: DelimiterOpt = None,
    stage: Annotated[
        Stage | None,
        typer.Option(
            help="A local count for the police area: write this voting area's first count "
            "(first), or its second preferences for the remaining candidates (second).",
            rich_help_panel=LOCAL_PANEL,
        ),
    ] = None,
    area: Annotated[
        str | None,
        typer.Option(
            help="With --stage: this count's voting area (or one area of the file).",
            rich_help_panel=LOCAL_PANEL,
        ),
    ] = None,
    remaining_from: Annotated[
        Path | None,
        typer.Option(
            help="With --stage second: the police-area total from svcount combine.",
            rich_help_panel=LOCAL_PANEL,
        ),
    ] = None,
    audit: Annotated[
        Path | None,
        typer.Option(
            help="Also write the audit trail: one row per ballot paper, in input order, with "
            "what happened to it (.csv, or .csv.gz to compress).",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    color: ColorOpt = None,
    checksums: ChecksumsOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Count a ballot file and declare the result.

    Exit codes: 0 counted, 2 bad input or usage, 3 a lot is required.
    """
    options = _options(locals())
    if stage is None and (area is not None or remaining_from is not None):
        _fail("--area and --remaining-from belong to a local count: give --stage first|second")
    if audit is not None and (stage is not None or source == "-"):
        _fail(
            "--audit needs a whole count of a ballot file: not a local count (--stage), "
            "and not standard input, which cannot be read twice"
        )
    _guard(
        [("--output", output), ("--audit", audit), ("--checksums", checksums)],
        source,
        options.candidates,
        options.electorate_file,
        remaining_from,
    )
    _checksums_to(checksums)
    if stage is not None:
        _local_count(
            source, options, stage, area, remaining_from, format, output, color, quiet, verbose
        )
        return
    fmt = _format(format, output, Format, "table")
    loaded = _load(source, options, quiet, verbose)
    from svcount import pipeline

    with _library():
        result = pipeline.count_loaded(loaded, options)
    _lot_unused(options, result, quiet)
    if audit is not None:
        from svcount.operations.audit import write_audit

        with _library(), _progress(source, quiet, "Writing the audit of", "rows") as progress:
            _written(audit, write_audit(audit, loaded, result, progress))
    _render_result(result, pipeline.provenance(loaded, options), fmt, output, color)


def _render_result(
    result: Result,
    provenance: Provenance,
    format: Format,
    output: Path | None,
    color: bool | None,
) -> None:
    """Write the result in ``format``; exit 3 when a lot is still required."""
    from svcount.render.tables import to_csv, to_json, to_markdown, to_tables

    for area in result.areas:
        if area.issued_minus_counted:
            _say(
                f"warning: {area.name}: {area.issued:,} ballot papers issued but "
                f"{area.first.ballot_papers:,} counted (a difference of "
                f"{area.issued_minus_counted:+,})"
            )

    _emit_as(
        format,
        output,
        color,
        json=lambda: to_json(result, provenance),
        csv=lambda: to_csv(result),
        tables=(to_tables, (result, provenance)),
        html=lambda: _html(result, provenance),
        markdown=lambda: to_markdown(result, provenance),
    )
    if result.winner is None:
        _say(
            f"a lot is required between {', '.join(result.lot_required)}: give the "
            "returning officer's draw with --lot NAME, or --seed N"
        )
        raise typer.Exit(EXIT_LOT)


@app.command(name="declare")
def declare_result(
    source: Annotated[
        str,
        typer.Argument(
            help="Ballot file (.csv, .csv.gz, - for stdin), or a result file (.json) written "
            "by tally --format json or combine --format json."
        ),
    ],
    title: Annotated[
        str | None,
        typer.Option(
            help="The poll, e.g. 'Police and Crime Commissioner for Leicester, "
            "Leicestershire and Rutland' [default: Result of the poll].",
            rich_help_panel="The notice",
        ),
    ] = None,
    returning_officer: Annotated[
        str | None, typer.Option(help="The returning officer's name.", rich_help_panel="The notice")
    ] = None,
    date: Annotated[
        str | None, typer.Option(help="Date of the poll, YYYY-MM-DD.", rich_help_panel="The notice")
    ] = None,
    format: Annotated[
        DeclarationFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="text (80 columns) or markdown (CommonMark, pipe tables) [default: from the "
            "--output file's extension, else text].",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    output: OutputOpt = None,
    method: MethodOpt = None,
    candidates: CandidatesOpt = None,
    electorate: ElectorateOpt = None,
    lot: LotOpt = None,
    seed: SeedOpt = None,
    first_column: FirstColumnOpt = None,
    second_column: SecondColumnOpt = None,
    rejected_column: RejectedColumnOpt = None,
    area_column: AreaColumnOpt = None,
    count_column: CountColumnOpt = None,
    electorate_file: ElectorateFileOpt = None,
    separator: SeparatorOpt = None,
    uncertain_marker: UncertainOpt = None,
    unknown_as_void: UnknownAsVoidOpt = False,
    encoding: EncodingOpt = None,
    delimiter: DelimiterOpt = None,
    checksums: ChecksumsOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Write the declaration of result, as the returning officer gives it.

    From a ballot file (counted with the options of tally) or from a result file
    written by tally or combine: the same figures, never a recount. Exit codes:
    0 declared, 2 bad input or usage, 3 a lot is required.
    """
    import datetime

    from svcount.render.declaration import Notice, markdown, text

    options = _options(locals())
    try:
        day = None if date is None else datetime.date.fromisoformat(date)
    except ValueError:
        _fail(f"--date {date!r} is not a date: give it as YYYY-MM-DD")
    notice = Notice(title=title, returning_officer=returning_officer, date=day)
    fmt = _format(format, output, DeclarationFormat, "text")
    _guard(
        [("--output", output), ("--checksums", checksums)],
        source,
        options.candidates,
        options.electorate_file,
    )
    _checksums_to(checksums)
    view, names, footer = _declared_figures(source, options, locals(), quiet, verbose)
    if view["winner"] is None:
        _fail(
            f"no declaration yet: a lot is required between {', '.join(view['lot_required'])} "
            "(give the returning officer's draw with --lot NAME, or --seed N)",
            EXIT_LOT,
        )
    if fmt is DeclarationFormat.html:
        from svcount.render.html import page

        _emit(
            page(view, names, footer, title=title, returning_officer=returning_officer, date=day),
            output,
        )
        return
    render = markdown if fmt is DeclarationFormat.markdown else text
    _emit(render(view, names, notice), output)


def _declared_figures(
    source: str, options: CountOptions, given: dict[str, Any], quiet: bool, verbose: bool
) -> tuple[Any, Any, dict[str, Any]]:
    """The figures view, candidates and provenance of a result file, or of ballots counted."""
    from svcount import pipeline
    from svcount.figures import figures

    if source.lower().endswith(".json"):
        from svcount.documents.result import read_result

        counting = [f"--{k.replace('_', '-')}" for k in CountOptions.names() if given.get(k)]
        if counting:
            _fail(
                f"{', '.join(counting)}: count options apply to a ballot file, and {source} "
                "is a result (its options are those it was counted with)"
            )
        with _library():
            read = read_result(source)
        footer = {
            "version": read.version,
            "file": read.input.get("file", source),
            "sha256": read.input.get("sha256", ""),
            "options": dict(read.options),
        }
        return read.figures, read.candidates, footer
    loaded = _load(source, options, quiet, verbose)
    with _library():
        result = pipeline.count_loaded(loaded, options)
    _lot_unused(options, result, quiet)
    return figures(result), result.candidates, _footer(pipeline.provenance(loaded, options))


@app.command()
def verify(
    targets: Annotated[
        list[str],
        typer.Argument(
            help="BALLOTS EXPECTED: a ballot file and its expected figures (schema "
            "svcount-expected/1); or one or more reference-election folders, each holding "
            "its ballots and expected.json.",
            metavar="BALLOTS EXPECTED | FOLDER...",
        ),
    ],
    format: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format", "-f", help="Report format [default: table].", rich_help_panel=OUTPUT_PANEL
        ),
    ] = None,
    output: OutputOpt = None,
    method: MethodOpt = None,
    candidates: CandidatesOpt = None,
    electorate: ElectorateOpt = None,
    lot: LotOpt = None,
    seed: SeedOpt = None,
    first_column: FirstColumnOpt = None,
    second_column: SecondColumnOpt = None,
    rejected_column: RejectedColumnOpt = None,
    area_column: AreaColumnOpt = None,
    count_column: CountColumnOpt = None,
    electorate_file: ElectorateFileOpt = None,
    separator: SeparatorOpt = None,
    uncertain_marker: UncertainOpt = None,
    unknown_as_void: UnknownAsVoidOpt = False,
    encoding: EncodingOpt = None,
    delimiter: DelimiterOpt = None,
    color: ColorOpt = None,
    checksums: ChecksumsOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Count a ballot file and compare every figure with an expected file, or many at once.

    Options given here override those in the expected file. Exit codes: 0 every
    figure matches, 1 a mismatch, 2 bad input or usage (or a folder that is not
    a reference election).
    """
    from svcount.operations.verify import election_files

    fmt = _format(format, output, ReportFormat, "table")
    folders = [t for t in targets if Path(t).is_dir()]
    if folders and len(folders) != len(targets):
        _fail("give either BALLOTS EXPECTED, or reference-election folders only")
    if not folders and len(targets) != 2:
        _fail("give BALLOTS EXPECTED (two files), or one or more reference-election folders")
    given = locals()
    with _library():
        pairs = [election_files(f) for f in folders] if folders else [tuple(targets)]
    _checksums_to(checksums)
    reports = [_verify_one(ballots, expected, given, quiet, verbose) for ballots, expected in pairs]
    if not folders:
        checks, provenance, _, expected = reports[0]
        from svcount.render.tables import verify_json, verify_table

        if fmt is ReportFormat.json:
            _emit(verify_json(checks, provenance, expected), output)
        else:
            _emit_rich(verify_table, (checks, provenance, expected), output, color)
    else:
        from svcount.render.tables import verify_set_json, verify_set_tables

        elections = [
            (folder, checks, provenance, result, expected)
            for folder, (checks, provenance, result, expected) in zip(folders, reports, strict=True)
        ]
        if fmt is ReportFormat.json:
            _emit(verify_set_json(elections), output)
        else:
            _emit_rich(verify_set_tables, (elections,), output, color)
    if not all(c.ok for checks, _, _, _ in reports for c in checks):
        raise typer.Exit(EXIT_MISMATCH)


def _verify_one(
    ballots: str, expected: str, given: dict[str, Any], quiet: bool, verbose: bool
) -> tuple[Any, Provenance, Result, str]:
    """One election verified: its checks, its count's provenance and result, its expected file."""
    from svcount import pipeline
    from svcount.operations.verify import compare, read_expected

    with _library():
        wanted = read_expected(expected)
    options = _options(given, wanted.options)
    outputs = [("--output", given["output"]), ("--checksums", given["checksums"])]
    _guard(outputs, ballots, expected, options.candidates, options.electorate_file)
    loaded = _load(ballots, options, quiet, verbose)
    with _library():
        result = pipeline.count_loaded(loaded, options)
    _lot_unused(options, result, quiet)
    with _library():
        checks = compare(wanted, result, expected)
    return checks, pipeline.provenance(loaded, options), result, expected


def _local_count(
    source: str,
    options: CountOptions,
    stage: Stage,
    area: str | None,
    remaining_from: Path | None,
    format: Format | None,
    output: Path | None,
    color: bool | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """A local file for the staged count: this area's first count, or its transfers."""
    from svcount import __version__
    from svcount.operations.staged import local_count, local_json, read_total

    if options.candidates is None:
        _fail("--stage needs --candidates: every local count must use the same candidate list")
    if options.electorate_file is not None:
        _fail("--electorate-file belongs to svcount combine: give a local count --electorate N")
    if stage is Stage.second and options.electorate is not None:
        _fail("--electorate belongs to the first-stage count (--stage first)")
    if stage is Stage.first and remaining_from is not None:
        _fail("--remaining-from belongs to the second-stage count (--stage second)")
    if stage is Stage.second and remaining_from is None:
        _fail("--stage second needs --remaining-from: the total from svcount combine")
    _lot_unused(options, None, quiet, "a local count draws no lot (the declaration does)")
    fmt = _format(format, output, Format, "json" if output is not None else "table")
    loaded = _load(source, options, quiet, verbose)
    with _library():
        total = None if remaining_from is None else read_total(str(remaining_from))
        local = local_count(loaded, area, electorate=options.electorate, total=total)
    from svcount.render.tables import local_csv, local_tables

    _emit_as(
        fmt,
        output,
        color,
        json=lambda: local_json(local, __version__),
        csv=lambda: local_csv(local),
        tables=(local_tables, (local,)),
    )


@app.command(name="combine")
def combine_counts(
    files: Annotated[
        list[Path], typer.Argument(help="Local count files from svcount tally --stage.")
    ],
    format: FormatOpt = None,
    output: OutputOpt = None,
    areas: Annotated[
        Path | None,
        typer.Option(help="Areas file (CSV with an area column): every area must be there."),
    ] = None,
    electorate: ElectorateOpt = None,
    electorate_file: ElectorateFileOpt = None,
    lot: LotOpt = None,
    seed: SeedOpt = None,
    encoding: EncodingOpt = None,
    color: ColorOpt = None,
    checksums: ChecksumsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Add up local counts: the police-area total, or, with second counts, the result.

    From first counts alone: the totals and who remains (JSON, for --remaining-from),
    or the result if stage one decides. With every area's second count too: the
    declared result, figure for figure that of one count of all the papers.
    Exit codes: 0 combined, 2 bad input or usage, 3 a lot is required.
    """
    from svcount import __version__
    from svcount.documents.files import read_areas
    from svcount.operations.staged import combine, read_local, total_json

    options = _options(locals())
    _guard([("--output", output), ("--checksums", checksums)], *files, areas, electorate_file)
    _checksums_to(checksums)
    with _library():
        locals_ = [read_local(str(f)) for f in files]
        listed = (
            [r.name for r in read_areas(str(areas), need_electorate=False, encoding=encoding)]
            if areas
            else None
        )
        combined = combine(locals_, listed)
    if combined.stage.remaining and not combined.moved:
        for name, value in (("--electorate", electorate), ("--electorate-file", electorate_file)):
            if value is not None:
                _fail(
                    f"{name} belongs to the declaration: no candidate has more than half of the "
                    "valid votes yet, so give it when the second counts are combined"
                )
        _lot_unused(options, None, quiet, "the count goes on to second preferences")
        fmt = _format(format, output, Format, "json" if output is not None else "table")
        from svcount.render.tables import total_csv, total_tables

        _emit_as(
            fmt,
            output,
            color,
            json=lambda: total_json(combined, __version__),
            csv=lambda: total_csv(combined),
            tables=(total_tables, (combined,)),
        )
        _say(
            f"no candidate has more than half of the valid votes: "
            f"{', '.join(combined.stage.remaining)} remain. Each local count now counts "
            "second preferences: svcount tally FILE --stage second --remaining-from TOTAL",
            quiet,
        )
        return
    from svcount.operations.staged import declare

    with _library():
        declared = declare(combined, locals_, options, None if areas is None else str(areas))
    _lot_unused(options, declared.result, quiet)
    result, provenance = declared.result, declared.provenance
    _render_result(result, provenance, _format(format, output, Format, "table"), output, color)


@app.command(name="diff")
def diff_counts(
    before: Annotated[Path, typer.Argument(help="A result file (tally or combine --format json).")],
    after: Annotated[Path, typer.Argument(help="A result file of the same poll: the recount.")],
    format: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format", "-f", help="Report format [default: table].", rich_help_panel=OUTPUT_PANEL
        ),
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Every figure, not only those that changed.")
    ] = False,
    output: OutputOpt = None,
    checksums: ChecksumsOpt = None,
    color: ColorOpt = None,
) -> None:
    """Compare two counts of one poll (a recount): every figure before and after.

    Exit codes: 0 every figure is the same (file names, hashes and options may
    differ), 1 a figure differs, 2 an input is not a result file or the two are
    different polls.
    """
    from svcount.operations.diff import compare
    from svcount.render.tables import diff_json, diff_tables
    from svcount.documents.result import read_result

    fmt = _format(format, output, ReportFormat, "table")
    _guard([("--output", output), ("--checksums", checksums)], before, after)
    _checksums_to(checksums)
    with _library():
        comparison = compare(read_result(str(before)), read_result(str(after)))
    if fmt is ReportFormat.json:
        _emit(diff_json(comparison, show_all=show_all), output)
    else:
        _emit_rich(diff_tables, (comparison,), output, color, show_all=show_all)
    if not comparison.same:
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
    areas_output: Annotated[
        Path | None,
        typer.Option(
            help="Also write the areas file (area, electorate, ballot_papers_issued) "
            "for --electorate-file, when the figures have voting areas."
        ),
    ] = None,
    checksums: ChecksumsOpt = None,
    aggregate: Annotated[
        bool,
        typer.Option(
            "--aggregate",
            help="Write each distinct paper once, with a papers column saying how many "
            "(an aggregated ballot file), instead of one row per paper.",
        ),
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Write a ballot file whose count reproduces a figures file exactly.

    Same figures and seed, same bytes. Figures that were not published must be
    given anyway and listed under "assumed"; they are repeated on stderr.
    """
    from svcount.documents.files import write_atomic
    from svcount.operations.synth import areas_csv, compress, read_figures, synthesise

    _guard(
        [("--output", output), ("--areas-output", areas_output), ("--checksums", checksums)],
        figures,
    )
    _checksums_to(checksums)
    with _library():
        wanted = read_figures(str(figures))
        if areas_output is not None and not wanted.areas:
            _fail(f"{figures}: --areas-output needs voting areas in the figures")
        data = synthesise(wanted, seed, aggregate)
        if output is not None and output.name.endswith(".gz"):
            data = compress(data)
        if output is None:
            _write_stdout(data)
        else:
            _written(output, write_atomic(output, data))
        if areas_output is not None:
            _written(areas_output, write_atomic(areas_output, areas_csv(wanted)))
    where = str(output) if output else "stdout"
    _say(f"wrote {wanted.ballot_papers:,} ballot papers to {where} (seed {seed})", quiet)
    for path, why in wanted.assumed.items():
        _say(f"assumed {path}: {why}", quiet)


def _write_stdout(data: str | bytes) -> None:
    """Data to stdout; a reader that has gone away (``| head``) ends the run quietly."""
    try:
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)
        sys.stdout.flush()
    except BrokenPipeError:
        raise _ClosedPipe() from None
    except OSError as exc:
        _fail(f"cannot write to standard output: {exc.strerror or exc}")


class _ClosedPipe(Exception):
    """stdout's reader is gone: exit 141 quietly, as a process killed by SIGPIPE does."""


def _emit_as(
    fmt: Format,
    output: Path | None,
    color: bool | None,
    *,
    json: Callable[[], str],
    csv: Callable[[], str],
    tables: tuple[Callable[..., Any], tuple[Any, ...]],
    html: Callable[[], str] | None = None,
    markdown: Callable[[], str] | None = None,
) -> None:
    """Write one subject in ``fmt``: each format is built only when asked for."""
    if fmt is Format.json:
        _emit(json(), output)
    elif fmt is Format.csv:
        _emit(csv(), output)
    elif fmt in (Format.html, Format.markdown):
        build = html if fmt is Format.html else markdown
        if build is None:
            _fail(
                f"--format {fmt.value} is for a result: a local count or total is json, "
                "table or csv"
            )
        _emit(build(), output)
    else:
        _emit_rich(*tables, output, color)


#: Where this command appends the checksums of the files it writes (--checksums).
_CHECKSUMS: list[Path | None] = [None]


def _checksums_to(path: Path | None) -> None:
    _CHECKSUMS[0] = path


def _written(path: Path, digest: str) -> None:
    """A file was written: append its checksum line when --checksums asks for it."""
    from svcount.documents.files import append_checksums

    if _CHECKSUMS[0] is not None:
        with _library():
            append_checksums(_CHECKSUMS[0], [(digest, str(path))])


def _footer(provenance: Provenance) -> dict[str, Any]:
    """What the results page's footer says about where its figures came from."""
    return {
        "version": provenance.version,
        "file": provenance.file,
        "sha256": provenance.sha256,
        "options": dict(provenance.options),
    }


def _html(result: Result, provenance: Provenance) -> str:
    from svcount.figures import figures
    from svcount.render.html import page

    return page(figures(result), result.candidates, _footer(provenance))


def _emit(text: str, output: Path | None) -> None:
    from svcount.documents.files import write_atomic

    if output is None:
        _write_stdout(text)
        return
    with _library():
        digest = write_atomic(output, text)
    _written(output, digest)


def _emit_rich(
    build: Any, args: tuple[Any, ...], output: Path | None, color: bool | None, **extra: Any
) -> None:
    """Print ``build(*args, plain=...)`` renderables: boxed on a terminal, plain otherwise."""
    import io

    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:  # Rich would exit 1: end as every format does
            raise _ClosedPipe()

    if output is not None:
        console = _Console(file=io.StringIO(), force_terminal=False, color_system=None, width=100)
    else:
        console = _Console(force_terminal=color, no_color=True if color is False else None)
    plain = output is not None or not console.is_terminal
    try:
        for i, renderable in enumerate(build(*args, plain=plain, **extra)):
            if i:
                console.print()
            console.print(renderable)
    except OSError as exc:
        _fail(f"cannot write to standard output: {exc.strerror or exc}")
    if output is not None:
        _emit(console.file.getvalue(), output)  # type: ignore[attr-defined]


def main() -> None:
    """Entry point: one-line usage errors, and conventional exits for Ctrl-C and pipes."""
    # Typer may vendor click; its exception classes are found through a public one.
    click_error: type[Exception] = next(
        c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
    )
    try:
        code = app(standalone_mode=False)
    except (KeyboardInterrupt, typer.Abort):
        code = EXIT_INTERRUPTED
    except _ClosedPipe:
        code = EXIT_CLOSED_PIPE
    except click_error as exc:
        message: str = exc.format_message()  # type: ignore[attr-defined]
        code = exc.exit_code  # type: ignore[attr-defined]
        if type(exc).__name__ == "NoArgsIsHelpError":  # a bare command: its help
            if message:
                typer.echo(message)
            code = EXIT_OK
        elif message:
            context = getattr(exc, "ctx", None)
            hint = f" (see '{context.command_path} --help')" if context is not None else ""
            typer.echo(f"svcount: error: {message}{hint}", err=True)
    if code == EXIT_INTERRUPTED:
        typer.echo("svcount: interrupted", err=True)
    if code == EXIT_CLOSED_PIPE:
        # Nothing more can reach the reader; keep the interpreter's last flush quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    sys.exit(code if isinstance(code, int) else EXIT_OK)
