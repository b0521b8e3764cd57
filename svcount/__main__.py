"""The svcount command and ``python -m svcount``.

Kept tiny so that Ctrl-C is caught from the start: an interrupt while the
command line's libraries are still importing exits 130 without a traceback.
"""

import os
import signal
import sys


def _closed_streams() -> None:
    """Streams closed at start (``>&-``, ``2>&-``), which Python gives as None.

    A closed stderr discards, so exit codes never depend on it; a closed
    stdout refuses writes, so output to it fails with one line and exit 2,
    while ``-o FILE`` still works.
    """
    if not _open(sys.stderr):
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    if not _open(sys.stdout):
        sys.stdout = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - read-only: writes fail


def _open(stream: object) -> bool:
    """Whether writes to the stream can reach its file (an empty write checks the fd)."""
    if stream is None:
        return False
    try:
        os.write(stream.fileno(), b"")  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError) as exc:
        return not isinstance(exc, OSError)  # no file descriptor at all: a test's stream
    return True


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM ends a run as Ctrl-C does: every output left as it was, exit 130."""
    raise KeyboardInterrupt


def _alone() -> bool:
    """Whether svcount is the whole program (``svcount``, ``python -m svcount``), not run by
    another that goes on afterwards (``runpy.run_module`` in a script, a test)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name == "svcount.__main__":
        return True  # python -m svcount
    return os.path.basename(getattr(main, "__file__", None) or "") == "svcount"  # the script


def _leave(code: str | int | None) -> None:
    """Exit at once once the command is done: its outputs are closed by then, and tearing
    down the interpreter with polars or pandas loaded costs a tenth of a second (measured).
    A reader gone before the last flush is a closed pipe (141), as anywhere else. Run by
    another program, it exits as any code does, so that program can go on."""
    if not _alone():
        sys.exit(code)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = 141
    except (OSError, ValueError):
        pass  # a stdout closed at start: its refusal was already said
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)


def main() -> None:
    signal.signal(signal.SIGTERM, _terminated)
    _closed_streams()
    try:
        from svcount.cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("svcount: interrupted\n")
        sys.exit(130)
    try:
        run()
    except SystemExit as done:
        _leave(done.code)


if __name__ == "__main__":
    main()
