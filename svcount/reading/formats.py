"""One home for input formats other than the ballot CSV: a format is a module and one line.

A reader module gives ``detect(head: bytes) -> bool`` (is this file mine, from
the first bytes of its content) and ``papers(path, file, contest) -> Papers``:
the file's records in the count's own vocabulary (:class:`Record`: the marks
of the first and second preference, a heading of the statement where the
source gives one, the voting area, how many papers, and the record's own
number and id for messages and the audit trail). ``io.load`` hands them to
the one classifier as they are: no reader writes text for another to parse,
so no CSV option (separator, delimiter, encoding) can change what a paper says.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Protocol

from svcount.marks import Field
from svcount.model import Candidate, Method
from svcount.reading.hardened import head_of

__all__ = ["READERS", "Papers", "Record", "reader", "recognised"]

#: Each input format's reader module, tried in order.
READERS: dict[str, str] = {
    "nist-cvr": "svcount.reading.nist_cvr",
}
#: How much of a file's content ``detect`` is shown.
HEAD = 64 << 10


@dataclass(frozen=True, slots=True)
class Record:
    """One record of a structured source: a paper (or ``papers`` alike) as the count reads it."""

    number: int  # its position in the file, from 1
    id: str  # the source's own name for it ("" when it has none)
    first: Field
    second: Field
    rejected: str = ""  # a heading of the statement, as ``marks.heading_of`` reads it, or ""
    area: str = ""
    papers: int = 1


class Papers(Protocol):
    """A structured source's papers, read again from the file each time they are asked for."""

    #: How a message names one record ("CVR").
    noun: str
    #: The method the source says (a plurality contest is first past the post), or None.
    method: Method | None
    #: Every candidate the source declares, in its order, with parties: 0 votes included.
    candidates: tuple[Candidate, ...]
    #: Whether each record names a voting area.
    has_areas: bool
    #: Where the source keeps each role (first, second, rejected, area), for provenance.
    columns: Mapping[str, str]

    def records(self) -> Iterator[Record]: ...


def reader(kind: str) -> ModuleType:
    return importlib.import_module(READERS[kind])


def recognised(name: str) -> str | None:
    """The input format of file ``name`` when it is one of READERS', else None (a CSV)."""
    if not Path(name).is_file():
        return None
    head = head_of(name, HEAD)
    return next((kind for kind in READERS if reader(kind).detect(head)), None)


def where(papers: Papers, record: Record) -> str:
    """How messages name a record: ``CVR 12 (cvr-0012)``."""
    own = f" ({record.id})" if record.id and record.id != str(record.number) else ""
    return f"{papers.noun} {record.number:,}{own}"
