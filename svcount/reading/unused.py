"""Columns the count does not read must never change it in silence (README, "The ballot file").

A column whose name looks like a second-preference or an adjudication column
(``secnd``, ``rejection_status``), or whose values in the rows read with the
header (the first 64 KiB) are headings of the statement of rejected ballot
papers, is refused with what to do, rather than left out: left out, the
first would turn a supplementary vote count into first past the post and
the second would count rejected papers as valid. ``--method fptp`` says a
second preference is not wanted.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Mapping, Sequence

from svcount.errors import InputError
from svcount.marks import fold, heading_of, shown
from svcount.model import Method
from svcount.reading.header import COLUMN_NAMES, Layout
from svcount.reading.source import Source

__all__ = ["check_unused", "looks_like", "refuse_headings", "refuse_look_alikes"]

#: Parts of a column name that mean a role, whatever else the name holds.
_STEMS = {
    "second": ("second", "2nd", "pref2", "preference2", "choice2"),
    "rejected": ("reject", "adjudicat", "spoil", "void", "status", "reason"),
}
_OPTION = {"second": "--second-column", "rejected": "--rejected-column"}
_WHAT = {"second": "a second-preference", "rejected": "an adjudication"}


def looks_like(name: str, role: str) -> bool:
    """Whether a column name is close to one of ``role``'s spellings, or holds its stem."""
    key = fold(name)
    return any(stem in key for stem in _STEMS[role]) or bool(
        difflib.get_close_matches(key, COLUMN_NAMES[role], n=1, cutoff=0.75)
    )


def check_unused(source: Source, layout: Layout, method: Method | None) -> None:
    """Refuse, in one line, an unread column of a ballot file that could change the count."""
    unused = refuse_look_alikes(layout.header, layout.columns, method, source.name)
    if unused and "rejected" not in layout.columns:
        rows = csv.reader(io.StringIO(layout.head, newline=""), delimiter=layout.delimiter)
        next(rows, None)  # the header
        for row in rows:
            values = {name: row[i] if i < len(row) else "" for i, name in unused}
            refuse_headings(values, source.name, rows.line_num)


def refuse_look_alikes(
    header: Sequence[str], columns: Mapping[str, int], method: Method | None, file: str
) -> list[tuple[int, str]]:
    """Refuse a column named like a role it is not read for; the unread named columns."""
    unused = [(i, h) for i, h in enumerate(header) if i not in columns.values() and h.strip()]
    for _, name in unused:
        for role in ("second", "rejected"):
            if role in columns or (role == "second" and method is not None):
                continue
            if looks_like(name, role):
                fptp = ", or give --method fptp to count first past the post" * (role == "second")
                raise InputError(
                    f"the column {shown(name)} looks like {_WHAT[role]} column but is not one "
                    f"svcount reads: name it with {_OPTION[role]} {shown(name)}, or rename it "
                    f"{COLUMN_NAMES[role][0]}{fptp}",
                    file=file,
                    line=1,
                )
    return unused


def refuse_headings(values: Mapping[str, str], file: str, line: int | None) -> None:
    """An unread column holding a heading of the statement is an adjudication column."""
    for name, value in values.items():
        if heading_of(value) is not None and fold(value) not in ("void", "blank"):
            raise InputError(
                f"the column {shown(name)} is not read, but holds {shown(value)}, a heading of "
                "the statement of rejected ballot papers: name it with --rejected-column "
                f"{shown(name)} so those papers are rejected, or remove the column",
                file=file,
                line=line,
            )
