"""The project's own exceptions.

The library raises these; the command line turns each into one line on stderr
and an exit code (2 for anything the user can fix in the input or options).
Anything else that escapes is a bug.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass


class SvcountError(Exception):
    """Base class: a problem the user can fix; exit code 2."""

    exit_code = 2


class SvcountWarning(UserWarning):
    """Something the count did that its caller should know (``svcount tally`` prints these)."""


class UsageError(SvcountError):
    """Options that contradict each other or cannot apply."""


class CountError(SvcountError):
    """The ballots cannot be counted as asked (no valid papers, a bad lot, ...)."""


class InputError(SvcountError):
    """A problem in an input file, located as precisely as it can be."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        return f"{where}: {self.message}" if where else self.message


def whole_number(value: object, what: str, *, text: bool = False) -> int:
    """``value`` as a number of papers or electors: a whole number of at least 0.

    The one validator for figures from every source: Python and NumPy
    integers, and with ``text`` cells of a CSV file (``"1,234"``). Raises
    ``ValueError`` naming ``what``.
    """
    import numbers

    if text and isinstance(value, str):
        digits = value.strip().replace(",", "")
        if digits.isdigit() and digits.isascii():
            return int(digits)
        raise ValueError(f"{what} {digits!r} is not a whole number")
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) >= 0:
        return int(value)
    raise ValueError(f"{what} must be a whole number of at least 0, not {value!r}")


@dataclass(frozen=True)
class MarkProblem:
    """One distinct field value that cannot be accepted as it stands."""

    role: str  # "first", "second" or "rejected": which column holds it
    values: tuple[Hashable, ...]  # every raw spelling of the field, to find where it is
    papers: int  # how many papers carry it
    message: str  # what is wrong, naming the value


class MarkError(SvcountError):
    """Field values that are not acceptable marks (unknown names, case slips, ...).

    Raised by the pure classification, which knows values but not lines; the
    reader adds the line of each value's first occurrence.
    """

    def __init__(self, problems: tuple[MarkProblem, ...]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def did_you_mean(name: str, known: list[str], *, cutoff: float = 0.6, listing: bool = False) -> str:
    """`` (did you mean 'X'?)`` for the nearest known name; else the known names if ``listing``."""
    import difflib

    close = difflib.get_close_matches(name, known, n=1, cutoff=cutoff)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (known: {', '.join(known)})" if listing else ""
