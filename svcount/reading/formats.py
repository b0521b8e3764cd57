"""One home for input formats other than the ballot CSV: a format is a module and one line.

A reader module gives ``detect(head: bytes) -> bool`` (is this file mine, from
the first bytes of its content) and ``papers(path, file, contest) -> Papers``:
the file's records in the count's own vocabulary (``reading/records.py``'s
``Record``: the marks
of the first and second preference, a heading of the statement where the
source gives one, the voting area, how many papers, and the record's own
number and id for messages and the audit trail). ``io.load`` hands them to
the one classifier as they are: no reader writes text for another to parse,
so no CSV option (separator, delimiter, encoding) can change what a paper says.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from svcount.reading.hardened import head_of

__all__ = ["READERS", "reader", "recognised"]

#: Each input format's reader module, tried in order.
READERS: dict[str, str] = {
    "nist-cvr": "svcount.reading.nist_cvr",
    "nist-cvr-xml": "svcount.reading.nist_cvr_xml",
}
#: How much of a file's content ``detect`` is shown.
HEAD = 64 << 10


def reader(kind: str) -> ModuleType:
    return importlib.import_module(READERS[kind])


def recognised(name: str) -> str | None:
    """The input format of file ``name`` when it is one of READERS', else None (a CSV)."""
    if not Path(name).is_file():
        return None
    head = head_of(name, HEAD)
    return next((kind for kind in READERS if reader(kind).detect(head)), None)
