"""The options of a count, in two sections: how the file is read, and the rules of the count.

:class:`ReadOptions` says how a ballot file is read (its columns, delimiter,
encoding, and how marks are written: separators, the uncertain marker, unknown
names); :class:`CountRules` says how the poll is counted (method, candidates,
electorate, lot). :class:`CountOptions` holds one of each: it is what the
command line fills, what an expected file's ``options`` give, and what every
output records so that a result can be reproduced. Each option is one field of
one section, and nowhere else.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any

from svcount.errors import InputError, UsageError
from svcount.marks import MarkRules
from svcount.model import EnteredLot, LotInstruction, Method, SeededLot
from svcount.names import NameError_, normal
from svcount.names import name as name_policy

__all__ = ["CountOptions", "CountRules", "ReadOptions", "parse_delimiter", "policed"]


def parse_delimiter(value: str) -> str:
    """A field delimiter: one character, or a name for one."""
    value = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}.get(value.lower(), value)
    if len(value) != 1:
        raise UsageError("--delimiter: give one character, or tab, comma or semicolon")
    return value


@dataclasses.dataclass(frozen=True)
class ReadOptions:
    """How a ballot file is read: its columns and how its marks are written."""

    separator: str = "|;"
    uncertain_marker: str = "?"
    unknown_as_void: bool = False
    first_column: str | None = None
    second_column: str | None = None
    rejected_column: str | None = None
    area_column: str | None = None
    count_column: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    skip_rows: int = 0  # lines before the header (title rows); an Excel "sep=" line is found
    contest: str | None = None  # the contest of a cast vote record report with several

    def column(self, role: str) -> str | None:
        """The column named for ``role`` (first, second, rejected, area, count), if any."""
        return typing.cast("str | None", getattr(self, f"{role}_column"))

    def check(self) -> None:
        if self.skip_rows < 0:
            raise UsageError(f"--skip-rows must be at least 0, not {self.skip_rows}")
        if self.delimiter is not None:
            self._check_delimiter(self.delimiter)
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

    def _check_delimiter(self, d: str) -> None:
        """A delimiter must end a field and nothing else: not a line, a quote, nor a mark."""
        if d in "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029" or d.isalnum():
            what = "a line break" if not d.isalnum() else "a letter or digit, part of names"
            raise UsageError(f"--delimiter {d!r} is {what}: give the character between fields")
        if d in ('"', " "):
            what = "the quote character" if d == '"' else "a space, which names contain"
            raise UsageError(f"--delimiter {d!r} is {what}: give the character between fields")
        if d in self.uncertain_marker.strip():
            raise UsageError(
                f"--delimiter {d!r} is the uncertain marker: an uncertain mark would be an "
                "empty field (give another --uncertain-marker, or another delimiter)"
            )

    def mark_rules(self) -> MarkRules:
        return MarkRules(
            separators=self.separator.strip(),
            uncertain=self.uncertain_marker.strip(),
            unknown_as_void=self.unknown_as_void,
        )


@dataclasses.dataclass(frozen=True)
class CountRules:
    """How the poll is counted: method, candidates, electorate and any lot."""

    method: Method | None = None
    candidates: str | None = None
    electorate: int | None = None
    lot: str | None = None
    seed: int | None = None
    electorate_file: str | None = None

    def check(self) -> None:
        if self.lot is not None:
            policed("--lot", self.lot)
        if self.lot is not None and self.seed is not None:
            raise UsageError("give either --lot (the returning officer's draw) or --seed, not both")
        if self.electorate is not None and self.electorate_file is not None:
            raise UsageError(
                "give either --electorate (the whole area's) or --electorate-file (each "
                "voting area's), not both"
            )

    def lot_instruction(self) -> LotInstruction | None:
        """The lot as given: a draw entered by name (normalised as names are), or a seed."""
        if self.lot is not None:
            return EnteredLot(normal(self.lot))
        return None if self.seed is None else SeededLot(self.seed)


def policed(option: str, text: str) -> str:
    """An option that names something (a candidate, an area, a title) under the name policy."""
    try:
        return name_policy(text, option)
    except NameError_ as exc:
        raise UsageError(str(exc)) from None


#: The order outputs record the options in; a field not listed here comes after them, so a
#: new option is one field of a section and nothing more.
_LISTED_ORDER = (
    "method",
    "candidates",
    "electorate",
    "lot",
    "seed",
    "separator",
    "uncertain_marker",
    "unknown_as_void",
    "first_column",
    "second_column",
    "rejected_column",
    "area_column",
    "count_column",
    "electorate_file",
    "encoding",
    "delimiter",
    "skip_rows",
    "contest",
)
#: Every option, in the order outputs record them.
RECORD_ORDER = _LISTED_ORDER + tuple(
    f.name
    for section in (ReadOptions, CountRules)
    for f in dataclasses.fields(section)
    if f.name not in _LISTED_ORDER
)
#: The options that decide how papers are read: equal for both counts of one area.
READING_RECORD = tuple(
    name
    for name in RECORD_ORDER
    if name not in ("candidates", "electorate", "lot", "seed", "electorate_file")
)


def first_difference(here: Mapping[str, Any], there: Mapping[str, Any]) -> str | None:
    """The first reading option two records differ in, as a reader would say it, or None."""

    def said(value: Any) -> str:
        return "the default" if value is None else repr(value)

    for name in READING_RECORD:
        if here.get(name) != there.get(name):
            option = f"--{name.replace('_', '-')}"
            return f"{option} {said(here.get(name))} here, {said(there.get(name))} there"
    return None


_SECTION = {
    **{f.name: "reading" for f in dataclasses.fields(ReadOptions)},
    **{f.name: "rules" for f in dataclasses.fields(CountRules)},
}


@dataclasses.dataclass(frozen=True)
class CountOptions:
    """Everything that decides a count: how the file is read, and the rules of the count."""

    reading: ReadOptions = ReadOptions()
    rules: CountRules = CountRules()

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Every option's name, as the command line and files spell them (``_`` for ``-``)."""
        return RECORD_ORDER

    @classmethod
    def of(cls, **given: Any) -> CountOptions:
        """Options by name, e.g. ``CountOptions.of(electorate=5, separator="|")``."""
        return cls().merged(given, keep_false=True)

    @classmethod
    def types(cls) -> dict[str, type]:
        """Each option's plain type (``int`` for ``int | None``): what a file must give."""
        hints = {**typing.get_type_hints(ReadOptions), **typing.get_type_hints(CountRules)}
        out = {}
        for name in RECORD_ORDER:
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

    def merged(self, given: Mapping[str, Any], *, keep_false: bool = False) -> CountOptions:
        """These options, overridden by those actually given (not None, not False).

        Keys that are not options are ignored, so a command can pass all its
        parameters.
        """
        updates = {
            k: v
            for k, v in given.items()
            if k in _SECTION and v is not None and (keep_false or v is not False)
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
        sections = {
            section: dataclasses.replace(
                getattr(self, section),
                **{k: v for k, v in updates.items() if _SECTION[k] == section},
            )
            for section in ("reading", "rules")
        }
        return CountOptions(**sections)

    def given(self) -> tuple[str, ...]:
        """The options that differ from their defaults, by name."""
        default = CountOptions().record()
        return tuple(k for k, v in self.record().items() if v != default[k])

    def check(self) -> None:
        """Refuse options that contradict each other or cannot work."""
        self.rules.check()
        self.reading.check()

    def record(self) -> dict[str, Any]:
        """As written in an output's ``options``: every option, by name, in one order."""
        out = {**dataclasses.asdict(self.reading), **dataclasses.asdict(self.rules)}
        out["method"] = None if self.rules.method is None else self.rules.method.value
        return {name: out[name] for name in RECORD_ORDER}
