"""The options that decide a count: one type for the command line, expected files and outputs.

:class:`CountOptions` is the only list of them. The command line fills it from
its parameters, ``svcount verify`` from an expected file's ``options`` (then
the command line on top), and every output records it so a result can be
reproduced.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any

from svcount.errors import InputError, UsageError
from svcount.marks import MarkRules, normalise_name
from svcount.model import EnteredLot, LotInstruction, Method, SeededLot

__all__ = ["CountOptions", "parse_delimiter"]


def parse_delimiter(value: str) -> str:
    """A field delimiter: one character, or a name for one."""
    value = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}.get(value.lower(), value)
    if len(value) != 1:
        raise UsageError("--delimiter: give one character, or tab, comma or semicolon")
    return value


@dataclasses.dataclass(frozen=True)
class CountOptions:
    """Everything that decides a count, as given and as recorded in the output."""

    method: Method | None = None
    candidates: str | None = None
    electorate: int | None = None
    lot: str | None = None
    seed: int | None = None
    separator: str = "|;"
    uncertain_marker: str = "?"
    unknown_as_void: bool = False
    first_column: str | None = None
    second_column: str | None = None
    rejected_column: str | None = None
    area_column: str | None = None
    count_column: str | None = None
    electorate_file: str | None = None
    encoding: str | None = None
    delimiter: str | None = None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def types(cls) -> dict[str, type]:
        """Each option's plain type (``int`` for ``int | None``): what a file must give."""
        hints = typing.get_type_hints(cls)
        out = {}
        for name in cls.names():
            hint = hints[name]
            if isinstance(hint, types.UnionType):
                hint = next(a for a in typing.get_args(hint) if a is not type(None))
            out[name] = str if hint is Method else hint
        return out

    @classmethod
    def from_mapping(cls, given: Mapping[str, Any], *, file: str) -> CountOptions:
        """Options written in a file (an expected file's ``options``), type-checked."""
        wanted = cls.types()
        for key, value in given.items():
            kind = wanted.get(key)
            if kind is None:
                raise InputError(f"unknown option {key!r} (known: {', '.join(wanted)})", file=file)
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise InputError(f"option {key!r} has the wrong type: {value!r}", file=file)
        try:
            return cls().merged(given)
        except UsageError as exc:
            raise InputError(str(exc), file=file) from None

    def merged(self, given: Mapping[str, Any]) -> CountOptions:
        """These options, overridden by those actually given (not None, not False).

        Keys that are not options are ignored, so a command can pass all its
        parameters.
        """
        updates = {
            k: v for k, v in given.items() if k in self.names() and v is not None and v is not False
        }
        if "method" in updates:
            try:
                updates["method"] = Method(updates["method"])
            except ValueError:
                raise UsageError("--method must be sv or fptp") from None
        for key in ("candidates", "electorate_file"):
            if key in updates:
                updates[key] = str(updates[key])
        if "delimiter" in updates:
            updates["delimiter"] = parse_delimiter(updates["delimiter"])
        return dataclasses.replace(self, **updates)

    def check(self) -> None:
        """Refuse options that contradict each other or cannot work."""
        if self.lot is not None and self.seed is not None:
            raise UsageError("give either --lot (the returning officer's draw) or --seed, not both")
        if self.electorate is not None and self.electorate_file is not None:
            raise UsageError(
                "give either --electorate (the whole area's) or --electorate-file (each "
                "voting area's), not both"
            )
        if not self.separator.strip():
            raise UsageError(
                "--separator must give at least one character that separates names (such as |;)"
            )
        if any(c.isalnum() for c in self.separator):
            raise UsageError(
                f"--separator {self.separator!r}: letters and digits are parts of names, "
                "not separators"
            )
        if not self.uncertain_marker.strip():
            raise UsageError("--uncertain-marker must not be blank: a blank field is unmarked")

    def rules(self) -> MarkRules:
        return MarkRules(
            separators=self.separator.strip(),
            uncertain=self.uncertain_marker.strip(),
            unknown_as_void=self.unknown_as_void,
        )

    def lot_instruction(self) -> LotInstruction | None:
        """The lot as given: a draw entered by name (normalised as names are), or a seed."""
        if self.lot is not None:
            return EnteredLot(normalise_name(self.lot))
        return None if self.seed is None else SeededLot(self.seed)

    def record(self) -> dict[str, Any]:
        """As written in an output's ``options``."""
        out = dataclasses.asdict(self)
        out["method"] = None if self.method is None else self.method.value
        return out
