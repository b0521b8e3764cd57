"""One parser per kind of option value, so every command forgives the same things.

Whatever the command, an option with choices takes any case, surrounding
spaces and ``_`` for ``-`` (``--format " JSON"``, ``--method SV``); a whole
number takes thousands separators and spaces (``12,000``, ``12 000``); a
decimal takes surrounding spaces and thousands separators in threes (never a
decimal comma, which would read ``0,05`` as 5). Each refuses with its own
message, naming the value and what to give. ``tests/test_options.py`` checks
that every numeric and choice option of every command is declared with one of
these, and that each treats the spellings alike.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from svcount.errors import did_you_mean

__all__ = ["FORGIVING", "choice", "choices", "decimal", "whole"]

E = TypeVar("E", bound=enum.Enum)

#: The parsers made here, by kind: what the options test looks for.
FORGIVING: dict[Callable[..., Any], str] = {}


def _folded(text: str) -> str:
    """A choice as compared: spaces trimmed and collapsed, any case, ``_`` as ``-``."""
    return " ".join(text.split()).casefold().replace("_", "-")


def choice(kind: type[E]) -> Callable[[Any], E]:
    """The parser of an option whose value is one of ``kind``'s."""
    values = [str(member.value) for member in kind]

    def parse(text: Any) -> E:
        if isinstance(text, kind):  # a default
            return text
        for member in kind:
            if _folded(str(member.value)) == _folded(str(text)):
                return member
        hint = did_you_mean(_folded(str(text)), values)
        raise typer.BadParameter(
            f"{str(text)!r} is not one of its choices: give {', '.join(values)}{hint}"
        )

    FORGIVING[parse] = "choice"
    return parse


def choices(kind: type[enum.Enum]) -> dict[str, Any]:
    """An option's ``parser`` and ``metavar`` for ``kind``'s values (help shows ``[sv|fptp]``),
    given to ``typer.Option`` together so that they cannot part."""
    return {
        "parser": choice(kind),
        "metavar": "[" + "|".join(str(member.value) for member in kind) + "]",
    }


def whole(minimum: int | None = None, maximum: int | None = None) -> Callable[[Any], int]:
    """The parser of a whole number: ``12,000``, ``12 000`` and ``12000`` alike.

    Without a ``minimum``, a negative number is left for the command's own
    check, which says why it cannot be.
    """

    def parse(text: Any) -> int:
        if isinstance(text, int):  # a default
            return text
        bare = re.sub(r"[\s,_]", "", str(text))
        digits = bare.removeprefix("-")
        if not (digits.isdecimal() and digits.isascii()):
            raise typer.BadParameter(f"{str(text).strip()!r} is not a whole number")
        return _within(int(bare), minimum, maximum)

    FORGIVING[parse] = "whole"
    return parse


#: A decimal with optional thousands separators in threes, and an optional fraction.
_DECIMAL = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?")


def decimal(minimum: float, maximum: float) -> Callable[[Any], float]:
    """The parser of a finite decimal between ``minimum`` and ``maximum``."""

    def parse(text: Any) -> float:
        if isinstance(text, float | int):  # a default
            return float(text)
        bare = str(text).strip()
        if not (bare and any(c.isdigit() for c in bare) and _DECIMAL.fullmatch(bare)):
            comma = "" if "," not in bare else f" (write a decimal point: {bare.replace(',', '.')})"
            raise typer.BadParameter(f"{bare!r} is not a finite number{comma}")
        value = float(bare.replace(",", ""))
        if not math.isfinite(value):
            raise typer.BadParameter(f"{bare!r} is not a finite number")
        return _within(value, minimum, maximum)

    FORGIVING[parse] = "decimal"
    return parse


N = TypeVar("N", int, float)


def _within(value: N, minimum: N | None, maximum: N | None) -> N:
    if minimum is not None and value < minimum:
        raise typer.BadParameter(f"{value:,} is less than {minimum:,}: give at least {minimum:,}")
    if maximum is not None and value > maximum:
        raise typer.BadParameter(f"{value:,} is more than {maximum:,}: give at most {maximum:,}")
    return value
