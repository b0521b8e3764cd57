"""Running the command: one-line usage errors, and conventional exits for Ctrl-C and pipes."""

from __future__ import annotations

import os
import re
import sys

import typer

from svcount.documents.writing import discard_unlanded
from svcount.names import escaped
from svcount.shell.emit import EXIT_CLOSED_PIPE, EXIT_INTERRUPTED, EXIT_OK, ClosedPipe

__all__ = ["run"]


EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in svcount, never the input's fault


def _encodings() -> None:
    """A terminal that cannot encode a character (``PYTHONIOENCODING=ascii``) gets it escaped."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def _internal(exc: BaseException) -> int:
    """A bug: one line and exit 70, unless SVCOUNT_DEBUG asks for the traceback."""
    if os.environ.get("SVCOUNT_DEBUG"):
        raise exc
    detail = str(exc)
    detail = detail if len(detail) <= 200 else detail[:200] + "…"
    typer.echo(
        f"svcount: internal error: {type(exc).__name__}: {detail!r} "
        "(please report it; SVCOUNT_DEBUG=1 shows the traceback)",
        err=True,
    )
    return EXIT_INTERNAL


#: The command-line library's words for a value refused by one of shell/values.py's parsers.
_INVALID = re.compile(r"^Invalid value for '([^']+)'(?: / '[^']+')?: (.+)$", re.DOTALL)


def _worded(message: str, command: str = "svcount tally") -> str:
    """A usage error in svcount's words, not its command-line library's: ``--method 'x' is
    not one of its choices: give sv, fptp``, ``--boards: 0 is less than 1: ...``."""
    found = _INVALID.match(message)
    if found:
        option, problem = found.groups()
        return f"{option} {problem}" if problem.startswith("'") else f"{option}: {problem}"
    if message.startswith("Missing argument '") and message.split("'")[1] in _FILE_ARGUMENTS:
        return f"{message} Give a file, or - to read standard input ({command} - < FILE)"
    return message


#: The arguments that name an input file; without one, the hint is to give ``-``.
_FILE_ARGUMENTS = ("SOURCE", "BALLOTS", "source", "ballots")


def run(app: typer.Typer) -> None:
    """Run ``app``: one-line usage errors, and conventional exits for Ctrl-C and pipes."""
    _encodings()
    # Typer may vendor click; its exception classes are found through a public one.
    click_error: type[Exception] = next(
        c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
    )
    try:
        code = app(standalone_mode=False)
    except (KeyboardInterrupt, typer.Abort):
        code = EXIT_INTERRUPTED
    except ClosedPipe:
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
            command = context.command_path if context is not None else "svcount tally"
            typer.echo(f"svcount: error: {escaped(_worded(message, command))}{hint}", err=True)
    except Exception as exc:  # the last resort: never a traceback for the user
        code = _internal(exc)
    discard_unlanded()  # a run that stopped early: its outputs never land
    if code == EXIT_INTERRUPTED:
        typer.echo("svcount: interrupted", err=True)
    if code == EXIT_CLOSED_PIPE:
        # Nothing more can reach the reader; keep the interpreter's last flush quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    sys.exit(code if isinstance(code, int) else EXIT_OK)
