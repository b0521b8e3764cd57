"""The command line's calls into the pipeline: options checked, a file counted, words on stderr."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from svcount.options import CountOptions
from svcount.shell.emit import library, progress, say

if TYPE_CHECKING:
    from svcount.io import Loaded
    from svcount.pipeline import Counted, Listener

__all__ = ["counted_file", "listener", "options_from"]


def options_from(given: dict[str, Any], base: CountOptions | None = None) -> CountOptions:
    with library():
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

    with library(), progress(source, quiet, "Reading") as bar:
        return pipeline.tally(source, options, progress=bar, listen=listener(quiet, verbose))
