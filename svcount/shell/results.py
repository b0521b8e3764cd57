"""The command line's counts and their outputs: options checked, a file counted through the
pipeline, a result written in the format asked for, words on stderr."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from svcount.figures import Notice
from svcount.options import CountOptions, policed
from svcount.shell.emit import EXIT_LOT, Outputs, choose_format, fail, progress, say
from svcount.shell.params import Format, Stage

if TYPE_CHECKING:
    from svcount.documents.local import Combined
    from svcount.documents.signing import Trusted
    from svcount.figures import View
    from svcount.io import Loaded
    from svcount.pipeline import Counted, Listener
    from svcount.tasks import Verification

__all__ = [
    "counted_file",
    "listener",
    "local_count_file",
    "notice_of",
    "options_from",
    "render_result",
    "render_total",
    "verify_one",
    "with_margin",
]


def options_from(given: dict[str, Any], base: CountOptions | None = None) -> CountOptions:
    options = (base or CountOptions()).merged(given)
    options.check()
    return options


def listener(quiet: bool, verbose: bool) -> Listener:
    """Warnings on stderr (unless --quiet); with --verbose, how each file was read."""
    from svcount.pipeline import Listener

    def described(loaded: Loaded) -> None:
        if not verbose:
            return
        layout = loaded.layout
        if layout is None:
            say(f"read {loaded.rows:,} records of {loaded.file} ({loaded.format})")
        else:
            say(
                f"read {loaded.rows:,} rows of {loaded.file} ({layout.encoding}, delimiter "
                f"{layout.delimiter!r}{', gzip' if layout.compressed else ''})"
            )
        for note in loaded.notes:
            say(note)

    return Listener(warning=lambda message: say(message, quiet), read=described)


def counted_file(source: str, options: CountOptions, quiet: bool, verbose: bool) -> Counted:
    """One ballot file counted through the pipeline, with a progress bar when it is long."""
    from svcount import pipeline

    with progress(source, quiet, "Reading") as bar:
        return pipeline.tally(source, options, progress=bar, listen=listener(quiet, verbose))


def render_result(
    shown: View,
    fmt: Format,
    output: Path | None,
    outputs: Outputs,
    counted: Counted | None = None,
) -> None:
    """Write a result in ``fmt``, from its figures view; exit 3 when a lot is still required.

    A format of the papers themselves (``nist-cvr``) needs a count of a ballot file.
    """
    from svcount.render.formats import PAPERS_FORMATS, RESULT_FORMATS, builder
    from svcount.render.tables import to_tables

    if fmt.value in PAPERS_FORMATS:
        if counted is None or counted.ballots is None:
            fail(f"--format {fmt.value} writes the papers: count a ballot file, not a result")
        areas = None if counted.loaded is None else counted.loaded.areas
        outputs.emit(builder(fmt.value)(counted.ballots, shown, areas), output)
        return

    def built(name: str) -> Callable[[], str]:
        return lambda: builder(name)(shown)

    outputs.emit_as(
        fmt,
        output,
        json=built("json"),
        csv=built("csv"),
        tables=(to_tables, (shown,)),
        more={name: built(name) for name in RESULT_FORMATS if name not in ("json", "csv")},
    )
    view = shown.figures
    if view["winner"] is None:
        say(
            f"a lot is required between {', '.join(view['lot_required'])}: give the "
            "returning officer's draw with --lot NAME, or --seed N"
        )
        raise typer.Exit(EXIT_LOT)


def _staged_format(format: Format | None, output: Path | None) -> Format:
    """A local file's or total's format: JSON to a file (to be passed on), else tables.

    A format only a result has is refused here, before any paper is read.
    """
    from svcount.render.formats import STAGED_FORMATS

    fmt: Format = choose_format(format, output, Format, "json" if output is not None else "table")
    if fmt.value not in STAGED_FORMATS:
        fail(
            f"--format {fmt.value} is for a result: a local count or total is "
            f"{', '.join(STAGED_FORMATS)}"
        )
    return fmt


def render_total(
    combined: Combined, format: Format | None, output: Path | None, outputs: Outputs, quiet: bool
) -> None:
    """The police-area total (JSON to a file, for --remaining-from), and what happens next."""
    from svcount.documents.local import total_json
    from svcount.render.csv import total_csv
    from svcount.render.tables import total_tables
    from svcount.version import version

    fmt = _staged_format(format, output)
    outputs.emit_as(
        fmt,
        output,
        json=lambda: total_json(combined, version()),
        csv=lambda: total_csv(combined),
        tables=(total_tables, (combined,)),
    )
    say(
        f"no candidate has more than half of the valid votes: "
        f"{', '.join(combined.stage.remaining)} remain. Each local count now counts "
        "second preferences: svcount tally FILE --stage second --remaining-from TOTAL",
        quiet,
    )


def local_count_file(
    source: str,
    options: CountOptions,
    stage: Stage,
    area: str | None,
    remaining_from: Path | None,
    format: Format | None,
    output: Path | None,
    outputs: Outputs,
    quiet: bool,
    verbose: bool,
    trusted: Trusted | None = None,
    election: str | None = None,
    verification: tuple[str, str | None] | None = None,
) -> None:
    """A local file for the staged count: this area's first count, or its transfers; with
    ``verification`` (the statement, and any difference accepted), checked against it."""
    from svcount import pipeline, tasks
    from svcount.documents.local import local_json
    from svcount.render.csv import local_csv
    from svcount.render.tables import local_tables
    from svcount.version import version

    fmt = _staged_format(format, output)
    given_total = None if remaining_from is None else str(remaining_from)
    with progress(source, quiet, "Reading") as bar:
        local = pipeline.local_count(
            source,
            options,
            stage.value,
            area,
            given_total,
            trusted=None if stage.value == "first" else trusted,
            progress=bar,
            listen=listener(quiet, verbose),
            election=None if election is None else policed("--election", election),
        )
    if verification is not None:
        local = tasks.verified_local(local, *verification, trusted)
        say(tasks.count_summary(local.verification or {}), quiet)
    outputs.emit_as(
        fmt,
        output,
        json=lambda: local_json(local, version()),
        csv=lambda: local_csv(local),
        tables=(local_tables, (local,)),
    )


def verify_one(
    ballots: str,
    expected: str,
    given: dict[str, Any],
    output: Path | None,
    outputs: Outputs,
    quiet: bool,
    verbose: bool,
) -> Verification:
    """One election verified: its checks, its count, its expected file."""
    from svcount import tasks

    options = tasks.expected_options(expected, given)
    guarded = [("--output", output), ("--checksums", outputs.checksums)]
    outputs.guard(
        guarded, ballots, expected, options.rules.candidates, options.rules.electorate_file
    )
    with progress(ballots, quiet, "Reading") as bar:
        return tasks.verify(
            ballots, expected, options, progress=bar, listen=listener(quiet, verbose)
        )


def with_margin(shown: View, counted: Counted | None) -> View:
    """The view with its margins: exact from the count's papers, else bounds from its figures."""
    from dataclasses import replace

    from svcount.render.margin import bounds_summary, summary
    from svcount.tasks import Margins, result_margins

    found = result_margins(shown, counted)
    if found is None:
        return shown
    if isinstance(found, Margins):
        return replace(shown, margin=summary(found))
    return replace(shown, margin=bounds_summary(found, shown.figures["winner"]))


def notice_of(title: str | None, returning_officer: str | None, date: str | None) -> Notice:
    """The notice's options, checked: names under the name policy, the date a real date."""
    import datetime

    from svcount.options import policed

    try:
        day = None if date is None else datetime.date.fromisoformat(date)
    except ValueError:
        fail(f"--date {date!r} is not a date: give it as YYYY-MM-DD")
    if title is not None:
        title = policed("--title", title)
    if returning_officer is not None:
        returning_officer = policed("--returning-officer", returning_officer)
    return Notice(title=title, returning_officer=returning_officer, date=day)
