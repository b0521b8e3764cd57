"""The ``svcount`` command: parse options, call the library, render, exit.

Exit codes: 0 counted (or verified); 1 a verification found a mismatch; 2 bad
input or usage; 3 a lot is required; 130 interrupted.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from svcount.count import EnteredLot, Method, SeededLot
from svcount.errors import CountError, InputError, SvcountError

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
    # Rich help panels on a terminal; plain text, no box art, in a pipe.
    rich_markup_mode="rich" if sys.stdout.isatty() else None,
)


class Format(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ReportFormat(enum.StrEnum):
    table = "table"
    json = "json"


class Stage(enum.StrEnum):
    first = "first"
    second = "second"


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
AreaColumnOpt = Annotated[
    str | None, typer.Option(help="Column naming each paper's voting area (default: detected).")
]
ElectorateFileOpt = Annotated[
    Path | None,
    typer.Option(
        help="Areas file: CSV with area and electorate columns (optional "
        "ballot_papers_issued), for turnout per area.",
    ),
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
    area_column: str | None = None
    electorate_file: str | None = None
    encoding: str | None = None
    delimiter: str | None = None

    def merged(self, given: dict[str, Any]) -> Settings:
        """These settings, overridden by the options actually given (not None)."""
        updates = {k: v for k, v in given.items() if v is not None and v is not False}
        if "method" in updates:
            updates["method"] = Method(updates["method"])
        for key in ("candidates", "electorate_file"):
            if key in updates:
                updates[key] = str(updates[key])
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


def _load(source: str, settings: Settings, quiet: bool, verbose: bool) -> Loaded:
    """Read and classify one ballot file; errors exit 2 with one line."""
    from svcount.files import read_candidates
    from svcount.io import ReadOptions, load
    from svcount.marks import MarkRules

    if settings.lot is not None and settings.seed is not None:
        _fail("give either --lot (the returning officer's draw) or --seed, not both")
    try:
        roster = read_candidates(settings.candidates) if settings.candidates else None
        options = ReadOptions(
            first_column=settings.first_column,
            second_column=settings.second_column,
            rejected_column=settings.rejected_column,
            area_column=settings.area_column,
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
    return loaded


def _lot(settings: Settings) -> EnteredLot | SeededLot | None:
    if settings.lot is not None:
        return EnteredLot(settings.lot)
    return None if settings.seed is None else SeededLot(settings.seed)


def _area_figures(settings: Settings, areas: Any) -> tuple[dict[str, int], dict[str, int]]:
    """Electorates and papers issued per area from --electorate-file, checked against ``areas``."""
    if settings.electorate_file is None:
        return {}, {}
    from svcount.files import read_areas

    rows = read_areas(settings.electorate_file, need_electorate=True)
    listed = [r.name for r in rows]
    missing = [a for a in areas if a not in listed]
    extra = [a for a in listed if a not in areas]
    if missing or extra:
        parts = [
            f"in the ballots but not the file: {', '.join(missing)}" if missing else "",
            f"in the file but not the ballots: {', '.join(extra)}" if extra else "",
        ]
        raise InputError(
            "the areas differ from the ballots' (" + "; ".join(p for p in parts if p) + ")",
            file=settings.electorate_file,
        )
    issued = {r.name: r.issued for r in rows if r.issued is not None}
    return {r.name: r.electorate for r in rows if r.electorate is not None}, issued


def _count(loaded: Loaded, settings: Settings, source: str, quiet: bool) -> Result:
    """Count a loaded file, by area when it has voting areas."""
    from svcount.count import count, count_by_area

    try:
        if loaded.areas is not None:
            electorates, issued = _area_figures(settings, list(loaded.areas))
            result = count_by_area(
                loaded.areas,
                loaded.method,
                lot=_lot(settings),
                electorate=settings.electorate,
                electorates=electorates,
                issued=issued,
            )
        else:
            if settings.electorate_file is not None:
                _fail(
                    "--electorate-file needs voting areas, and the ballot file has no area "
                    "column (name it area, or give --area-column)"
                )
            result = count(
                loaded.ballots, loaded.method, lot=_lot(settings), electorate=settings.electorate
            )
    except CountError as exc:
        _fail(f"{source}: {exc}")
    except SvcountError as exc:
        _fail(str(exc))
    if (settings.lot is not None or settings.seed is not None) and result.lot is None:
        given = "--lot" if settings.lot is not None else "--seed"
        _say(f"warning: no equality of votes needed a lot; {given} ignored", quiet)
    return result


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
    area_column: AreaColumnOpt = None,
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
        ),
    ] = None,
    area: Annotated[
        str | None,
        typer.Option(help="With --stage: this count's voting area (or one area of the file)."),
    ] = None,
    remaining_from: Annotated[
        Path | None,
        typer.Option(help="With --stage second: the police-area total from svcount combine."),
    ] = None,
    color: ColorOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Count a ballot file and declare the result.

    Exit codes: 0 counted, 2 bad input or usage, 3 a lot is required.
    """
    given = {k: v for k, v in locals().items() if k in Settings.__dataclass_fields__}
    settings = Settings().merged(given)
    if stage is None and (area is not None or remaining_from is not None):
        _fail("--area and --remaining-from belong to a local count: give --stage first|second")
    loaded = _load(source, settings, quiet, verbose)
    if stage is not None:
        _emit(_local_count(loaded, settings, stage, area, remaining_from), output)
        return
    result = _count(loaded, settings, source, quiet)
    _render_result(result, _provenance(loaded, settings), format, output, color)


def _render_result(
    result: Result,
    provenance: Provenance,
    format: Format,
    output: Path | None,
    color: bool | None,
) -> None:
    """Write the result in ``format``; exit 3 when a lot is still required."""
    from svcount.render import to_csv, to_json, to_tables

    for area in result.areas:
        if area.issued is not None and area.issued != area.first.ballot_papers:
            _say(
                f"warning: {area.name}: {area.issued:,} ballot papers issued but "
                f"{area.first.ballot_papers:,} counted (a difference of "
                f"{area.issued - area.first.ballot_papers:+,})"
            )

    if format is Format.json:
        _emit(to_json(result, provenance), output)
    elif format is Format.csv:
        _emit(to_csv(result), output)
    else:
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
    area_column: AreaColumnOpt = None,
    electorate_file: ElectorateFileOpt = None,
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
    loaded = _load(ballots, settings, quiet, verbose)
    result = _count(loaded, settings, ballots, quiet)
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


def _local_count(
    loaded: Loaded,
    settings: Settings,
    stage: Stage,
    area: str | None,
    remaining_from: Path | None,
) -> str:
    """A local file for the staged count: this area's first count, or its transfers."""
    from svcount import __version__
    from svcount.count import Turnout, first_preferences, transfers
    from svcount.staged import local_json, read_total

    if settings.candidates is None:
        _fail("--stage needs --candidates: every local count must use the same candidate list")
    if loaded.areas is not None:
        if area is None and len(loaded.areas) != 1:
            _fail(f"the file holds {len(loaded.areas)} voting areas: choose one with --area")
        area = area if area is not None else next(iter(loaded.areas))
        if area not in loaded.areas:
            _fail(
                f"{loaded.file}: no papers for the area {area!r} (the file has: "
                f"{', '.join(loaded.areas)})"
            )
        ballots = loaded.areas[area]
    elif area is None:
        _fail("--stage needs --area NAME: the voting area this count is for")
    else:
        ballots = loaded.ballots
    source = {"file": loaded.file, "sha256": loaded.sha256}
    common = {
        "area": area,
        "method": loaded.method,
        "candidates": ballots.candidates,
        "source": source,
        "version": __version__,
    }
    try:
        first = first_preferences(ballots)
        if stage is Stage.first:
            if settings.electorate is not None:
                Turnout.of(first.ballot_papers, first.valid, settings.electorate, area)
            return local_json(**common, first=first, electorate=settings.electorate)
        if remaining_from is None:
            _fail("--stage second needs --remaining-from: the total from svcount combine")
        total = read_total(str(remaining_from))
        if (total.candidates, total.method) != (ballots.candidates, loaded.method):
            _fail(
                f"{remaining_from}: a different election: its candidates or method differ "
                "from this count's"
            )
        if total.areas and area not in total.areas:
            _fail(f"{remaining_from}: the total has no first count for {area!r}")
        return local_json(**common, moved=transfers(ballots, total.remaining), total=total)
    except SvcountError as exc:
        _fail(str(exc))


@app.command(name="combine")
def combine_counts(
    files: Annotated[
        list[Path], typer.Argument(help="Local count files from svcount tally --stage.")
    ],
    format: Annotated[
        Format, typer.Option("--format", "-f", help="Format of the result (a total is JSON).")
    ] = Format.table,
    output: OutputOpt = None,
    areas: Annotated[
        Path | None,
        typer.Option(help="Areas file (CSV with an area column): every area must be there."),
    ] = None,
    electorate: ElectorateOpt = None,
    electorate_file: ElectorateFileOpt = None,
    lot: LotOpt = None,
    seed: SeedOpt = None,
    color: ColorOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Add up local counts: the police-area total, or, with second counts, the result.

    From first counts alone: the totals and who remains (JSON, for --remaining-from),
    or the result if stage one decides. With every area's second count too: the
    declared result, figure for figure that of one count of all the papers.
    Exit codes: 0 combined, 2 bad input or usage, 3 a lot is required.
    """
    from svcount import __version__
    from svcount.count import declare_areas
    from svcount.files import read_areas
    from svcount.staged import combine, read_local, total_json

    settings = Settings(
        lot=lot,
        seed=seed,
        electorate=electorate,
        electorate_file=str(electorate_file) if electorate_file else None,
    )
    if lot is not None and seed is not None:
        _fail("give either --lot (the returning officer's draw) or --seed, not both")
    try:
        locals_ = [read_local(str(f)) for f in files]
        listed = [r.name for r in read_areas(str(areas), need_electorate=False)] if areas else None
        combined = combine(locals_, listed)
        if combined.stage.remaining and not combined.moved:
            _emit(total_json(combined.firsts, combined.method, __version__), output)
            _say(
                f"no candidate has more than half of the valid votes: "
                f"{', '.join(combined.stage.remaining)} remain. Each local count now counts "
                "second preferences: svcount tally FILE --stage second --remaining-from TOTAL",
                quiet,
            )
            return
        electorates, issued = _area_figures(settings, list(combined.firsts))
        result = declare_areas(
            combined.firsts,
            combined.moved,
            combined.method,
            lot=_lot(settings),
            electorate=electorate,
            electorates=electorates or combined.electorates,
            issued=issued,
        )
    except SvcountError as exc:
        _fail(str(exc))
    from svcount.render import Provenance

    parts = tuple(
        {
            "file": str(f),
            "stage": c.stage,
            "area": c.area,
            "sha256": hashlib.sha256(Path(f).read_bytes()).hexdigest(),
        }
        for f, c in zip(files, locals_, strict=True)
    )
    provenance = Provenance(
        file=", ".join(str(f) for f in files),
        sha256=hashlib.sha256("".join(p["sha256"] for p in parts).encode()).hexdigest(),
        rows=result.ballot_papers,
        columns={},
        options={
            "method": combined.method.value,
            "electorate": electorate,
            "electorate_file": settings.electorate_file,
            "lot": lot,
            "seed": seed,
        },
        version=__version__,
        parts=parts,
    )
    _render_result(result, provenance, format, output, color)


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
    quiet: QuietOpt = False,
) -> None:
    """Write a ballot file whose count reproduces a figures file exactly.

    Same figures and seed, same bytes. Figures that were not published must be
    given anyway and listed under "assumed"; they are repeated on stderr.
    """
    from svcount.files import write_atomic
    from svcount.synth import areas_csv, compress, read_figures, synthesise

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
        if areas_output is not None:
            if not wanted.areas:
                _fail(f"{figures}: --areas-output needs voting areas in the figures")
            write_atomic(areas_output, areas_csv(wanted))
    except SvcountError as exc:
        _fail(str(exc))
    where = str(output) if output else "stdout"
    _say(f"wrote {wanted.ballot_papers:,} ballot papers to {where} (seed {seed})", quiet)
    for path, why in wanted.assumed.items():
        _say(f"assumed {path}: {why}", quiet)


def _emit(text: str, output: Path | None) -> None:
    from svcount.files import write_atomic

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
    """Entry point: one-line usage errors, and conventional exits for Ctrl-C and pipes."""
    # Typer may vendor click; its exception classes are found through a public one.
    click_error: type[Exception] = next(
        c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
    )
    try:
        # Typer turns Ctrl-C into a silent exit 130 and a closed pipe (``| head``)
        # into a silent exit 1; the message for Ctrl-C is added here.
        code = app(standalone_mode=False)
    except (KeyboardInterrupt, typer.Abort):
        code = EXIT_INTERRUPTED
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
    sys.exit(code if isinstance(code, int) else EXIT_OK)
