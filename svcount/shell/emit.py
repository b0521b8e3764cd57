"""Where the command line's words and data go: stderr for talk, stdout or a file for data.

A library error becomes one line on stderr and exit 2, once, for every
command (:class:`Commands`, the class of every Typer app of svcount); a
reader of stdout that went away ends the run with 141 (:class:`ClosedPipe`);
a run's files land together, or none of them, with ``--checksums``
recording them (:class:`Outputs`).
"""

from __future__ import annotations

import contextlib
import enum
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from typer.core import TyperGroup

from svcount.documents.writing import Landing, gzipped_to
from svcount.errors import SvcountError
from svcount.names import escaped

if TYPE_CHECKING:
    from svcount.documents.signing import SigningKey

__all__ = ["ClosedPipe", "Commands", "Outputs", "choose_format", "fail", "progress", "say"]

EXIT_OK, EXIT_MISMATCH, EXIT_INPUT, EXIT_LOT = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_CLOSED_PIPE = 130, 141

#: Output file extensions that name a format other than themselves.
EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".htm": "html"}
#: Inputs at least this large get a progress bar (on a terminal, without --quiet).
PROGRESS_BYTES = 50 << 20


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """One line on stderr, every name in it escaped, and the exit code."""
    typer.echo(f"svcount: error: {escaped(message)}", err=True)
    raise typer.Exit(code)


def say(message: str, quiet: bool = False) -> None:
    """A warning or note on stderr, never mixed with data on stdout; names escaped.

    On a terminal it is wrapped to the terminal's width (80 at most), each
    following line indented; to a pipe or file it stays one line, for grep.
    """
    if quiet:
        return
    line = f"svcount: {escaped(message)}"
    if sys.stderr.isatty():
        import shutil
        import textwrap

        width = min(shutil.get_terminal_size((80, 24)).columns, 80)
        line = "\n".join(textwrap.wrap(line, width, subsequent_indent="  ", break_on_hyphens=False))
    typer.echo(line, err=True)


def _named_suffix(output: Path) -> str:
    """The extension that names an output's format: ``r.csv.gz`` is ``.csv``, compressed."""
    name = output.name.lower()
    return Path(name[: -len(".gz")] if name.endswith(".gz") else name).suffix


def _kin(given: Any, named: Any) -> bool:
    """An interchange format written to a file named for its kind (rcvis as .json)."""
    from svcount.render.formats import FILE_KIND

    return bool(FILE_KIND.get(given.value) == named.value)


#: Outputs that are standard output itself: written there, never replaced or checksummed.
STDOUT_NAMES = ("-", "/dev/stdout")


def to_file(output: Path | None) -> Path | None:
    """``output``, or None when it names standard output (``-o -``, ``-o /dev/stdout``)."""
    return None if output is None or str(output) in STDOUT_NAMES else output


def choose_format(
    given: Any, output: Path | None, formats: type[enum.StrEnum], default: str
) -> Any:
    """The format asked for, else the output's extension, else ``default``.

    An explicit ``--format`` wins; if it contradicts the extension, say so. An
    extension that names no format of the command is refused without
    ``--format`` (``out.xlsx`` would be a table in disguise); ``.gz`` after
    the extension compresses.
    """
    by_extension = None
    output = to_file(output)
    if output is not None:
        suffix = _named_suffix(output)
        by_extension = next(
            (f for f in formats if f.value == EXTENSIONS.get(suffix, suffix.lstrip("."))), None
        )
        if by_extension is None and suffix not in ("", ".txt"):
            names = sorted({f".{f.value}" for f in formats if f.value not in ("table", "text")})
            if given is None:
                fail(
                    f"{output}: no format of this command is named {suffix}: name the output "
                    f"{', '.join(names)} or .txt (add .gz to compress), or give --format"
                )
            say(f"warning: {output} is written as {given.value}, whatever its name says")
    if given is not None and given.value == "md":  # md is markdown's short name
        given = formats("markdown")
    if given is None:
        return by_extension or formats(default)
    if by_extension is not None and by_extension is not given and not _kin(given, by_extension):
        say(
            f"warning: --format {given.value} written to {output}, "
            f"whose name says {by_extension.value}"
        )
    return given


class Commands(TyperGroup):
    """svcount's command groups: a library error from any command becomes one line on
    stderr and exit 2 here, so no command converts errors itself."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except SvcountError as exc:
            fail(str(exc))


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
def progress(
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
    description = TextColumn("{task.description}", markup=False)  # a file name is not markup
    columns = (description, BarColumn(), *amount, TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(f"{what} {source}", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


class ClosedPipe(Exception):
    """stdout's reader is gone: exit 141 quietly, as a process killed by SIGPIPE does."""


def write_stdout(data: str | bytes) -> None:
    """Data to stdout; a reader that has gone away (``| head``) ends the run quietly."""
    try:
        sys.stdout.flush()
        # Data formats are UTF-8 whatever the locale says (JSON, CSV and HTML are).
        raw = data.encode("utf-8") if isinstance(data, str) else data
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            sys.stdout.write(raw.decode("utf-8"))
        else:
            buffer.write(raw)
        sys.stdout.flush()
    except BrokenPipeError:
        raise ClosedPipe() from None
    except OSError as exc:
        fail(f"cannot write to standard output: {exc.strerror or 'it is closed'}")


@dataclass
class Outputs:
    """One command's outputs: stdout or files, landing together with their checksums.

    Every file goes to the run's :class:`~svcount.documents.writing.Landing`;
    the last output lands them all, the checksums file with them.
    """

    checksums: Path | None = None
    color: bool | None = None
    signing: SigningKey | None = None  # --sign: the JSON document written is signed
    landing: Landing = field(default_factory=Landing)

    def guard(self, outputs: list[tuple[str, Path | None]], *inputs: Any) -> None:
        """No output may be an input, or another output: checked before any work."""
        from svcount.documents.writing import check_outputs

        read = [str(i) for i in inputs if i is not None]
        check_outputs(outputs, read)
        self.landing.protect(read)

    def emit(
        self, data: str | bytes | Iterable[str], output: Path | None, *, last: bool = True
    ) -> None:
        """Data to ``output`` or to stdout; the ``last`` output lands every file of the run.

        ``data`` may come in parts (a large export, written as it is made: flat memory)."""
        output = to_file(output)
        parts = [data] if isinstance(data, str | bytes) else data
        if output is None:
            for part in parts:
                write_stdout(part)
        else:
            packed = output.name.lower().endswith(".gz")
            with self.landing.output(output) as out, gzipped_to(out, packed) as sink:
                for part in parts:
                    sink.write(part.encode("utf-8") if isinstance(part, str) else part)
        if last:
            self.land()

    def land(self) -> None:
        """Every file written lands, and the checksums file with them."""
        if self.checksums is not None:
            self.landing.checksums(self.checksums)
        self.landing.land()

    def emit_rich(
        self, build: Any, args: tuple[Any, ...], output: Path | None, **extra: Any
    ) -> None:
        """Print ``build(*args, plain=...)`` renderables: boxed on a terminal, plain otherwise."""
        import io

        output = to_file(output)

        from rich.console import Console

        class _Console(Console):
            def on_broken_pipe(self) -> None:  # Rich would exit 1: end as every format does
                raise ClosedPipe()

        if output is not None:
            console = _Console(
                file=io.StringIO(), force_terminal=False, color_system=None, width=100
            )
        else:
            color = self.color
            console = _Console(force_terminal=color, no_color=True if color is False else None)
        plain = output is not None or not console.is_terminal
        try:
            for i, renderable in enumerate(build(*args, plain=plain, **extra)):
                if i:
                    console.print()
                console.print(renderable)
        except OSError as exc:
            fail(f"cannot write to standard output: {exc.strerror or exc}")
        if output is not None:
            self.emit(console.file.getvalue(), output)  # type: ignore[attr-defined]
        else:
            self.land()

    def emit_as(
        self,
        fmt: enum.StrEnum,
        output: Path | None,
        *,
        json: Callable[[], str],
        csv: Callable[[], str],
        tables: tuple[Callable[..., Any], tuple[Any, ...]],
        html: Callable[[], str] | None = None,
        markdown: Callable[[], str] | None = None,
        more: Mapping[str, Callable[[], str]] | None = None,
    ) -> None:
        """Write one subject in ``fmt``: each format is built only when asked for."""
        builders = {"json": json, "csv": csv, "html": html, "markdown": markdown, **(more or {})}
        key = self.signing
        if key is not None:
            from svcount.documents.signing import sign

            if fmt.value != "json":
                fail(
                    f"--sign signs a JSON file, and this writes {fmt.value}: give --format json "
                    "(or an --output name ending .json)"
                )
            builders["json"] = lambda: sign(json(), key)
        if fmt.value == "table":
            self.emit_rich(*tables, output)
            return
        build = builders[fmt.value]
        if build is None:
            fail(
                f"--format {fmt.value} is for a result: a local count or total is json, "
                "table or csv"
            )
        self.emit(build(), output)
