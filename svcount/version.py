"""svcount's own version, read from the installed package's metadata once, when first asked.

In the lowest layer, so every module that records the version in what it
writes imports it from below, never from the package that imports them all.
"""

from __future__ import annotations

import functools

__all__ = ["version"]


@functools.cache
def version() -> str:
    """The installed svcount's version (``0+unknown`` when run from a bare source tree)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("svcount")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"
