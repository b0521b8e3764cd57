"""The ``svcount`` command: parse options, call the pipeline, render, exit.

Exit codes: 0 counted (or verified); 1 a verification found a mismatch; 2 bad
input or usage; 3 a lot is required; 130 interrupted; 141 stdout's reader went
away (``| head``). The command never decides a rule: :mod:`svcount.pipeline`
counts, :mod:`svcount.render` shows, :mod:`svcount.shell` writes.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from svcount.reading.source import is_stream
from svcount.shell.emit import (
    EXIT_LOT,
    EXIT_MISMATCH,
    Commands,
    Outputs,
    choose_format,
    fail,
    progress,
    say,
)
from svcount.shell.keys import key_app, signing_key, trusted_keys
from svcount.shell.params import (
    LOCAL_PANEL,
    OUTPUT_PANEL,
    AcceptDifferenceOpt,
    BallotsArg,
    ChecksumsOpt,
    ColorOpt,
    DateOpt,
    DeclarationFormat,
    ElectionOpt,
    ElectorateFileOpt,
    ElectorateOpt,
    EncodingOpt,
    Format,
    FormatOpt,
    LotOpt,
    MarginFormat,
    MarginOpt,
    OutputOpt,
    QuietOpt,
    ReportFormat,
    ReportFormatOpt,
    ReturningOfficerOpt,
    SeedOpt,
    SignOpt,
    SourceArg,
    Stage,
    TimeLimitOpt,
    TitleOpt,
    TrustOpt,
    VerboseOpt,
    VerificationOpt,
    counting,
    format_option,
)
from svcount.shell.results import (
    counted_file,
    listener,
    local_count_file,
    notice_of,
    options_from,
    render_result,
    render_total,
    verify_one,
    with_margin,
)
from svcount.shell.rla import rla_app
from svcount.shell.values import choices, whole
from svcount.shell.verification import verification_command

app = typer.Typer(
    cls=Commands,
    name="svcount",
    help="Count supplementary vote and first-past-the-post elections from ballot files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # ballot contents must never leak into a crash
    context_settings={"help_option_names": ["-h", "--help"]},
    # Rich help panels on a terminal; plain text, no box art, in a pipe.
    rich_markup_mode="rich" if sys.stdout.isatty() else None,
)


def _version(value: bool) -> None:
    if value:
        from svcount.version import version

        typer.echo(f"svcount {version()}")
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


# --------------------------------------------------------------------------- commands


@app.command()
@counting
def tally(
    source: SourceArg,
    format: FormatOpt = None,
    output: OutputOpt = None,
    options: Any = None,
    stage: Annotated[
        Stage | None,
        typer.Option(
            **choices(Stage),
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
    margin: MarginOpt = False,
    verification: VerificationOpt = None,
    accept_difference: AcceptDifferenceOpt = None,
    election: ElectionOpt = None,
    title: TitleOpt = None,
    returning_officer: ReturningOfficerOpt = None,
    date: DateOpt = None,
    color: ColorOpt = None,
    checksums: ChecksumsOpt = None,
    sign: SignOpt = None,
    trust: TrustOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Count a ballot file and declare the result; or show a result file in any format.

    Exit codes: 0 counted, 2 bad input or usage, 3 a lot is required.
    """
    from svcount import pipeline, tasks

    counted_options = options_from(options)
    notice = notice_of(title, returning_officer, date)
    if stage is None and (area is not None or remaining_from is not None or election):
        fail(
            "--area, --remaining-from and --election belong to a local count: give "
            "--stage first|second"
        )
    if audit is not None and (stage is not None or source == "-" or is_stream(source)):
        fail(
            "--audit needs a whole count of a ballot file: not a local count (--stage), "
            "and not standard input or a pipe, which cannot be read twice"
        )
    outputs = Outputs(checksums, color, signing_key(sign))
    outputs.guard(
        [("--output", output), ("--audit", audit), ("--checksums", checksums)],
        source,
        counted_options.rules.candidates,
        counted_options.rules.electorate_file,
        remaining_from,
        sign,
        trust,
    )
    if trust is not None and (stage is None or (stage.value == "first" and verification is None)):
        fail(
            "--trust on tally checks the signed total of --remaining-from: give --stage second "
            "(or, for a first count, the signed statement of --verification)"
        )
    if stage is not None:
        local_count_file(
            source,
            counted_options,
            stage,
            area,
            remaining_from,
            format,
            output,
            outputs,
            quiet,
            verbose,
            trusted_keys(trust),
            election,
            None if verification is None else (str(verification), accept_difference),
        )
        return
    fmt = choose_format(format, output, Format, "table")
    if pipeline.is_result_file(source):
        if audit is not None or verification is not None:
            fail(f"--audit and --verification need ballot papers, and {source} is a result file")
        shown, counted = pipeline.published(source, counted_options)
    else:
        counted = counted_file(source, counted_options, quiet, verbose)
        if verification is not None:
            counted = tasks.verified_count(counted, str(verification), accept_difference)
            say(counted.warnings[-1], quiet)
        if audit is not None:
            with progress(source, quiet, "Writing the audit of", "rows") as bar:
                tasks.audit(audit, counted, bar, outputs.landing)
        shown = pipeline.shown(counted)
    if margin:
        shown = with_margin(shown, counted)
    shown = replace(shown, notice=notice.over(shown.notice))
    render_result(shown, fmt, output, outputs, counted)


@app.command(name="declare")
@counting
def declare_result(
    source: Annotated[
        str,
        typer.Argument(
            help="Ballot file (.csv, .csv.gz, - for stdin), or a result file (.json) written "
            "by tally --format json or combine --format json."
        ),
    ],
    title: TitleOpt = None,
    returning_officer: ReturningOfficerOpt = None,
    date: DateOpt = None,
    format: Annotated[
        DeclarationFormat | None,
        format_option(
            DeclarationFormat,
            "text (80 columns), markdown (CommonMark, pipe tables) or html (the results "
            "page) [default: from the --output file's extension, else text].",
        ),
    ] = None,
    output: OutputOpt = None,
    options: Any = None,
    margin: MarginOpt = False,
    checksums: ChecksumsOpt = None,
    trust: TrustOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Write the declaration of result, as the returning officer gives it.

    From a ballot file (counted with the options of tally) or from a result file
    written by tally or combine: the same figures, never a recount. Exit codes:
    0 declared, 2 bad input or usage, 3 a lot is required.
    """
    from svcount import pipeline
    from svcount.render.formats import DECLARATION_FORMATS, builder

    counted_options = options_from(options)
    notice = notice_of(title, returning_officer, date)
    fmt = choose_format(format, output, DeclarationFormat, "text")
    outputs = Outputs(checksums)
    outputs.guard(
        [("--output", output), ("--checksums", checksums)],
        source,
        counted_options.rules.candidates,
        counted_options.rules.electorate_file,
        trust,
    )
    trusted = trusted_keys(trust)
    with progress(source, quiet, "Reading") as bar:
        shown, counted = pipeline.published(
            source, counted_options, trusted=trusted, progress=bar, listen=listener(quiet, verbose)
        )
    if margin:
        shown = with_margin(shown, counted)
    notice = notice.over(shown.notice)  # a result file keeps its own
    view = shown.figures
    if view["winner"] is None:
        fail(
            f"no declaration yet: a lot is required between {', '.join(view['lot_required'])} "
            "(give the returning officer's draw with --lot NAME, or --seed N)",
            EXIT_LOT,
        )
    build = builder(fmt.value, DECLARATION_FORMATS)
    outputs.emit(build(replace(shown, notice=notice)), output)


@app.command()
@counting
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
    format: ReportFormatOpt = None,
    output: OutputOpt = None,
    options: Any = None,
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
    from svcount import tasks
    from svcount.render import reports

    fmt = choose_format(format, output, ReportFormat, "table")
    folders = [t for t in targets if Path(t).is_dir()]
    if folders and len(folders) != len(targets):
        fail("give either BALLOTS EXPECTED, or reference-election folders only")
    if not folders and len(targets) != 2:
        fail("give BALLOTS EXPECTED (two files), or one or more reference-election folders")
    pairs = [tasks.election_folder(f) for f in folders] if folders else [tuple(targets)]
    outputs = Outputs(checksums, color)
    reports_ = [
        verify_one(ballots, expected, options, output, outputs, quiet, verbose)
        for ballots, expected in pairs
    ]
    if not folders:
        checks, counted, expected = reports_[0].checks, reports_[0].counted, reports_[0].expected
        if fmt is ReportFormat.json:
            outputs.emit(reports.verify_json(list(checks), counted.provenance, expected), output)
        else:
            outputs.emit_rich(reports.verify_table, (checks, counted.provenance, expected), output)
    else:
        elections = [
            (folder, v.checks, v.counted.provenance, v.counted.result, v.expected)
            for folder, v in zip(folders, reports_, strict=True)
        ]
        if fmt is ReportFormat.json:
            outputs.emit(reports.verify_set_json(elections), output)
        else:
            outputs.emit_rich(reports.verify_set_tables, (elections,), output)
    if not all(v.ok for v in reports_):
        raise typer.Exit(EXIT_MISMATCH)


@app.command()
@counting
def margin(
    source: BallotsArg,
    format: Annotated[
        MarginFormat | None,
        format_option(
            MarginFormat,
            "table, json (schema svcount-margin/1) or markdown [default: from the "
            "--output file's extension, else table].",
        ),
    ] = None,
    output: OutputOpt = None,
    time_limit: TimeLimitOpt = 5.0,
    options: Any = None,
    color: ColorOpt = None,
    checksums: ChecksumsOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """How close was it: the exact margins of victory, the papers that would change it.

    M is the fewest papers read differently, M_add added and M_remove removed,
    for the winner not to be the certain winner; each with a witness that is
    re-counted, beside half the final gap (a bound) and recount advice.
    Exit codes: 0 done, 2 bad input or usage, 3 a lot is required.
    """
    from svcount import pipeline
    from svcount.render.margin import margin_json, margin_markdown, margin_tables

    counted_options = options_from(options)
    fmt = choose_format(format, output, MarginFormat, "table")
    outputs = Outputs(checksums, color)
    outputs.guard(
        [("--output", output), ("--checksums", checksums)],
        source,
        counted_options.rules.candidates,
        counted_options.rules.electorate_file,
    )
    with progress(source, quiet, "Reading") as bar:
        listen = listener(quiet, verbose)
        counted, found = pipeline.margin(
            source, counted_options, progress=bar, listen=listen, seconds=time_limit
        )
    if found is None:
        fail(
            f"no margin yet: a lot is required between {', '.join(counted.result.lot_required)} "
            "(give the returning officer's draw with --lot NAME, or --seed N)",
            EXIT_LOT,
        )
    provenance = counted.provenance
    if fmt is MarginFormat.table:
        outputs.emit_rich(margin_tables, (found, provenance), output)
    elif fmt is MarginFormat.json:
        outputs.emit(margin_json(found, provenance), output)
    else:
        outputs.emit(margin_markdown(found, provenance), output)


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
    sign: SignOpt = None,
    trust: TrustOpt = None,
    election: ElectionOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Add up local counts: the police-area total, or, with second counts, the result.

    From first counts alone: the totals and who remains (JSON, for --remaining-from),
    or the result if stage one decides. With every area's second count too: the
    declared result, figure for figure that of one count of all the papers.
    Exit codes: 0 combined, 2 bad input or usage, 3 a lot is required.
    """
    from svcount import pipeline

    options = options_from({k: v for k, v in locals().items() if k not in ("sign", "trust")})
    outputs = Outputs(checksums, color, signing_key(sign))
    guarded = [("--output", output), ("--checksums", checksums)]
    outputs.guard(guarded, *files, areas, electorate_file, sign, trust)
    trusted = trusted_keys(trust)
    combined = pipeline.combine(
        [str(f) for f in files],
        options,
        None if areas is None else str(areas),
        trusted=trusted,
        listen=listener(quiet, False),
        election=election,
    )
    if isinstance(combined, pipeline.Counted):
        fmt = choose_format(format, output, Format, "table")
        render_result(pipeline.shown(combined), fmt, output, outputs)
        return
    render_total(combined, format, output, outputs, quiet)


@app.command(name="diff")
def diff_counts(
    before: Annotated[Path, typer.Argument(help="A result file (tally or combine --format json).")],
    after: Annotated[Path, typer.Argument(help="A result file of the same poll: the recount.")],
    format: ReportFormatOpt = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Every figure, not only those that changed.")
    ] = False,
    output: OutputOpt = None,
    checksums: ChecksumsOpt = None,
    color: ColorOpt = None,
    trust: TrustOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Compare two counts of one poll (a recount): every figure before and after.

    Exit codes: 0 every figure is the same (file names, hashes and options may
    differ), 1 a figure differs, 2 an input is not a result file or the two are
    different polls.
    """
    from svcount import pipeline
    from svcount.render.reports import diff_json, diff_tables

    fmt = choose_format(format, output, ReportFormat, "table")
    outputs = Outputs(checksums, color)
    outputs.guard([("--output", output), ("--checksums", checksums)], before, after, trust)
    trusted = trusted_keys(trust)
    comparison = pipeline.diff(
        str(before), str(after), trusted=trusted, listen=listener(quiet, False)
    )
    if fmt is ReportFormat.json:
        outputs.emit(diff_json(comparison, show_all=show_all), output)
    else:
        outputs.emit_rich(diff_tables, (comparison,), output, show_all=show_all)
    if not comparison.same:
        raise typer.Exit(EXIT_MISMATCH)


@app.command()
def synth(
    figures: Annotated[Path, typer.Argument(help="Figures file (JSON, schema svcount-figures/1).")],
    seed: Annotated[
        int, typer.Option(parser=whole(), metavar="N", help="Seed for the order of the rows.")
    ] = 0,
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
    from svcount import tasks

    outputs = Outputs(checksums)
    outputs.guard(
        [("--output", output), ("--areas-output", areas_output), ("--checksums", checksums)],
        figures,
    )
    made = tasks.synth(str(figures), seed, aggregate)
    if areas_output is not None and made.areas is None:
        fail(f"{figures}: --areas-output needs voting areas in the figures")
    outputs.emit(made.ballots, output, last=areas_output is None)
    if areas_output is not None and made.areas is not None:
        outputs.emit(made.areas, areas_output)
    where = str(output) if output else "stdout"
    say(f"wrote {made.ballot_papers:,} ballot papers to {where} (seed {seed})", quiet)
    for path, why in made.assumed.items():
        say(f"assumed {path}: {why}", quiet)


app.add_typer(key_app, name="key")
app.add_typer(rla_app, name="rla")
app.command("verification")(verification_command)


def main() -> None:
    """Entry point: the command run with svcount's exits for errors, Ctrl-C and pipes."""
    from svcount.shell.run import run

    run(app)
