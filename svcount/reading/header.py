"""The header of a ballot file: compression, encoding, delimiter and each role's column.

Columns are found by name (README, "The ballot file"), ignoring case, spaces,
``-`` and ``_``; an option names a column outright. Two columns spelled for one
role, or one column for two roles, are errors, never a silent choice.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from svcount.errors import InputError
from svcount.marks import Field
from svcount.options import ReadOptions
from svcount.reading.source import GZIP_MAGIC, MAX_LINE, Source, open_binary, reading

__all__ = ["COLUMN_NAMES", "ROLES", "Layout", "Row", "find_columns", "show_header", "sniff"]

ROLES = ("first", "second", "rejected", "area")
#: One row's fields in ROLES order; "" for a role not read.
Row = tuple[Field, Field, str, str]

#: Header spellings recognised for each role, compared as :func:`header_key` gives them.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "first": (
        "first",
        "firstpreference",
        "firstpref",
        "firstchoice",
        "1st",
        "1stpreference",
        "1stpref",
        "1stchoice",
        "preference1",
        "pref1",
        "choice1",
        "vote",
        "choice",
        "candidate",
    ),
    "second": (
        "second",
        "secondpreference",
        "secondpref",
        "secondchoice",
        "2nd",
        "2ndpreference",
        "2ndpref",
        "2ndchoice",
        "preference2",
        "pref2",
        "choice2",
    ),
    "rejected": (
        "rejected",
        "rejection",
        "rejectionreason",
        "rejectedreason",
        "rejectreason",
        "adjudication",
        "adjudicated",
        "status",
        "reason",
        "paperstatus",
        "ballotstatus",
    ),
    "area": ("area", "votingarea", "countingarea"),
    "count": ("papers", "count", "votes", "n", "weight", "ballots"),
}
DELIMITERS = (",", ";", "\t")
SNIFF_BYTES = 1 << 16


@dataclass(frozen=True)
class Layout:
    """What the header says: delimiter, encoding and where each role's column is."""

    encoding: str
    delimiter: str
    compressed: bool
    header: tuple[str, ...]
    columns: Mapping[str, int]  # role -> column index, only roles present
    header_line: str
    head: str = field(default="", repr=False, compare=False)  # the start of the file, as read

    def column_name(self, role: str) -> str | None:
        index = self.columns.get(role)
        return None if index is None else self.header[index]


def _later_header(lines: list[str], options: ReadOptions) -> int | None:
    """How many lines come before a later line that names a first-preference column (a title
    row or two above the header), or None."""
    wanted = set(COLUMN_NAMES["first"])
    for number, line in enumerate(lines, 1):
        for delimiter in (options.delimiter,) if options.delimiter else DELIMITERS:
            cells = next(csv.reader([line], delimiter=delimiter), [])
            if any(header_key(c) in wanted for c in cells):
                return number
    return None


def sniff(source: Source, options: ReadOptions) -> Layout:
    """Read the start of the file: compression, encoding, delimiter, header columns."""
    with open(source.path, "rb") as f:
        magic = f.read(2)
    compressed = magic == GZIP_MAGIC
    with reading(source), open_binary(source, compressed) as stream:
        head = stream.read(SNIFF_BYTES)
        while b"\n" not in head and len(head) <= MAX_LINE:  # the header whole, however wide
            more = stream.read(SNIFF_BYTES)
            if not more:
                break
            head += more
    if b"\n" not in head and len(head) > MAX_LINE:
        raise InputError(
            f"the first line is longer than {MAX_LINE >> 20} MiB: not a ballot file's header",
            file=source.name,
            line=1,
        )
    if not head.strip():
        raise InputError("the file is empty", file=source.name)
    encoding = _choose_encoding(source, head, options.encoding)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    header_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    if not header_line.strip():
        raise InputError(
            "the first line is blank: expected a header such as first,second",
            file=source.name,
            line=1,
        )
    delimiter = _choose_delimiter(header_line, options)
    header = tuple(h.strip() for h in next(csv.reader([header_line], delimiter=delimiter)))
    _check_unique(header, source.name)
    try:
        columns = find_columns(header, options, source.name)
    except InputError as exc:
        later = _later_header(text.lstrip("\ufeff").splitlines()[1:12], options)
        if later is None or "first-preference column" not in exc.message:
            raise
        exc.message += (
            f"; line {later + 1} looks like the header, after title rows: give --skip-rows {later}"
        )
        raise
    return Layout(
        encoding=encoding,
        delimiter=delimiter,
        compressed=compressed,
        header=header,
        columns=columns,
        header_line=header_line,
        head=text.lstrip("\ufeff"),
    )


def _choose_encoding(source: Source, head: bytes, given: str | None) -> str:
    if given:
        try:
            name = codecs.lookup(given).name
        except LookupError:
            raise InputError(
                f"unknown encoding {given!r} (try utf-8, cp1252 or utf-16)", file=source.name
            ) from None
        return "utf-8-sig" if name == "utf-8" and head.startswith(codecs.BOM_UTF8) else name
    for signature, what in SPREADSHEETS:
        if head.startswith(signature):
            raise InputError(
                f"is {what}, not CSV text: save it as CSV (in Excel or LibreOffice: "
                "File, Save As, CSV UTF-8) and count that",
                file=source.name,
            )
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        odd, even = head[1::2].count(0), head[0::2].count(0)
        if max(odd, even) > len(head) // 4:
            endian = "le" if odd > even else "be"
            raise InputError(
                f"looks like UTF-16 without a byte-order mark: try --encoding utf-16-{endian}",
                file=source.name,
            )
        line = head[: head.index(b"\x00")].count(b"\n") + 1
        raise InputError(
            "contains a NUL byte: this is not a text CSV file", file=source.name, line=line
        )
    return "utf-8"


#: What a spreadsheet or archive begins with: never a ballot file as it stands.
SPREADSHEETS = (
    (b"PK\x03\x04", "a spreadsheet or zip archive (.xlsx, .ods or .zip)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls)"),
)


def _choose_delimiter(header_line: str, options: ReadOptions) -> str:
    """The delimiter that splits the header into a first-preference column.

    A cell that still holds another delimiter (a tab, say, in ``<TAB>vote``
    split at commas) is a sign of the wrong choice, never a name: whitespace
    is stripped from a cell only after the delimiter is chosen.
    """
    if options.delimiter is not None:
        return options.delimiter
    for delimiter in DELIMITERS:
        others = [d for d in DELIMITERS if d != delimiter]
        cells = next(csv.reader([header_line], delimiter=delimiter))
        header = ["" if any(d in c for d in others) else c.strip() for c in cells]
        if _role_index(header, "first") is not None or (
            options.first_column and _named_index(header, options.first_column) is not None
        ):
            return delimiter
    return ","


def _check_unique(header: Sequence[str], file: str) -> None:
    """Named columns are unique; unnamed ones (a spreadsheet's empty cells) are ignored."""
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        key = name.casefold()
        if not key:
            continue
        if key in seen:
            raise InputError(
                f"duplicate column name {name!r} (columns {seen[key] + 1} and {i + 1})",
                file=file,
                line=1,
            )
        seen[key] = i


def header_key(name: str) -> str:
    """A column name as it is matched: case, spaces, ``-`` and ``_`` ignored, and nothing else.

    So ``;vote`` is not ``vote``: a header that only matches with its
    punctuation dropped is a sign of the wrong delimiter, not a column.
    """
    return re.sub(r"[\s_-]", "", name.casefold())


def _role_indexes(header: Sequence[str], role: str) -> list[int]:
    """Every column whose name is a spelling of ``role``, best spelling first."""
    folded = [header_key(h) for h in header]
    return [folded.index(s) for s in COLUMN_NAMES[role] if s in folded]


def _role_index(header: Sequence[str], role: str) -> int | None:
    found = _role_indexes(header, role)
    return found[0] if found else None


def _named_index(header: Sequence[str], name: str) -> int | None:
    """The column an option names: as written, else ignoring case, else as headers are matched
    (case, spaces, ``-`` and ``_`` ignored), when that names one column only."""
    for exact in (True, False):
        for i, h in enumerate(header):
            if (h == name.strip()) if exact else (h.casefold() == name.strip().casefold()):
                return i
    alike = [i for i, h in enumerate(header) if header_key(h) == header_key(name)]
    return alike[0] if len(alike) == 1 else None


#: The option that names each role's column: the reading option ``<role>_column``.
_ROLE_OPTION = {role: f"--{role}-column" for role in (*ROLES, "count")}
_ROLE_NAME = {
    "first": "first-preference",
    "second": "second-preference",
    "rejected": "rejected",
    "area": "area",
    "count": "count",
}


def find_columns(header: Sequence[str], options: ReadOptions, file: str) -> dict[str, int]:
    """Each role's column: named by an option, or the one column spelled for it.

    Two columns spelled for one role (``rejected`` and ``rejection_reason``)
    are an error, never a silent choice; so is one column for two roles.
    """
    columns: dict[str, int] = {}
    for role in (*ROLES, "count"):
        name = options.column(role)
        if name is not None:
            index = _named_index(header, name)
            if index is None:
                raise InputError(
                    f"{_ROLE_OPTION[role]} {name!r} is not in the header ({show_header(header)})",
                    file=file,
                    line=1,
                )
            columns[role] = index
            continue
        found = _role_indexes(header, role)
        if len(found) > 1:
            a, b = sorted(found[:2])
            raise InputError(
                f"two {_ROLE_NAME[role]} columns, {header[a]!r} and {header[b]!r}: choose one "
                f"with {_ROLE_OPTION[role]}",
                file=file,
                line=1,
            )
        if found:
            columns[role] = found[0]
    if "first" not in columns:
        raise InputError(
            f"no first-preference column in the header ({show_header(header)}): name it "
            "first (or first_preference, 1st, vote) or give --first-column; "
            "a ballot file needs a header row",
            file=file,
            line=1,
        )
    by_column: dict[int, str] = {}
    for role, index in columns.items():
        if index in by_column:
            other = by_column[index]
            raise InputError(
                f"the column {header[index]!r} cannot be both the {_ROLE_NAME[other]} and the "
                f"{_ROLE_NAME[role]} column (check {_ROLE_OPTION[role]} and "
                f"{_ROLE_OPTION[other]})",
                file=file,
                line=1,
            )
        by_column[index] = role
    return columns


def show_header(header: Sequence[str]) -> str:
    shown = ", ".join(repr(h) for h in header[:8])
    return shown + (", ..." if len(header) > 8 else "")
