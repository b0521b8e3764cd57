"""svcount: count supplementary vote and first-past-the-post elections.

The library core is importable without the command line::

    from svcount import Ballots, Candidate, count
"""

from __future__ import annotations

from typing import Any

from svcount.count import (
    count,
)
from svcount.errors import CountError, InputError, SvcountError
from svcount.model import (
    Ballots,
    Candidate,
    DecidedBy,
    EnteredLot,
    Lot,
    Method,
    NotCounted,
    Rejection,
    Result,
    SeededLot,
    StageOne,
    StageTwo,
    Turnout,
)

__all__ = [
    "Ballots",
    "Candidate",
    "CountError",
    "DecidedBy",
    "EnteredLot",
    "InputError",
    "Lot",
    "Method",
    "NotCounted",
    "Rejection",
    "Result",
    "SeededLot",
    "StageOne",
    "StageTwo",
    "SvcountError",
    "Turnout",
    "__version__",
    "count",
]


def __getattr__(name: str) -> Any:
    """``__version__`` on first use: reading package metadata costs start-up time."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("svcount")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            return "0+unknown"
    raise AttributeError(f"module 'svcount' has no attribute {name!r}")
