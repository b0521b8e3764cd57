"""svcount: count supplementary vote and first-past-the-post elections.

The library core is importable without the command line::

    from svcount import Ballots, Candidate, count
"""

from importlib.metadata import PackageNotFoundError, version

from svcount.count import (
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
    count,
)
from svcount.errors import CountError, InputError, SvcountError

try:
    __version__ = version("svcount")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

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
