"""svcount: count supplementary vote and first-past-the-post elections.

The library core is importable without the command line::

    from svcount import Ballots, Candidate, count

and for notebooks, with pandas::

    import svcount
    result = svcount.tally(svcount.read_ballots("ballots.csv"), candidates=["Ann", "Bob"])
"""

from __future__ import annotations

from typing import Any

from svcount.count import (
    count,
)
from svcount.errors import CountError, InputError, SvcountError, SvcountWarning, UsageError
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
    "SvcountWarning",
    "Tally",
    "Turnout",
    "UsageError",
    "__version__",
    "count",
    "diff",
    "margin",
    "read_ballots",
    "tally",
    "verification",
]

#: Names that import their module on first use (pandas costs start-up time).
_LAZY = {
    "Tally": "svcount.api",
    "diff": "svcount.api",
    "margin": "svcount.api",
    "read_ballots": "svcount.api",
    "tally": "svcount.api",
    "verification": "svcount.api",
}


def __getattr__(name: str) -> Any:
    """``__version__`` and the public names, each module imported on first use: a run imports
    only what it needs."""
    if name == "__version__":
        from svcount.version import version

        return version()
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'svcount' has no attribute {name!r}")
