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
import re
from pathlib import Path
from types import ModuleType

from svcount.errors import InputError
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
    kind = next((kind for kind in READERS if reader(kind).detect(head)), None)
    if kind is None:
        _refuse_other_xml(name, head)
    return kind


_XML_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)[\s/>]")


def _refuse_other_xml(name: str, head: bytes) -> None:
    """An XML file that no reader knows is refused as what it is, not read as a CSV whose
    header lacks a first-preference column. (A JSON file may be a result file, which its
    commands read.) A CSV whose first line holds a delimiter is never taken for XML."""
    encoding = "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
    text = head.decode(encoding, errors="ignore").lstrip("\ufeff \t\r\n")
    body = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", text, flags=re.S).lstrip()
    root = _XML_ROOT.match(body)
    first_line = text.partition("\n")[0]
    if text.startswith("<?xml") or (root and not re.search("[,;\t|]", first_line)):
        raise InputError(
            f"an XML file whose root is <{root[1] if root else '?'}>, not a cast vote record "
            "report (NIST SP 1500-103's CastVoteRecordReport), the one XML svcount counts",
            file=name,
        )
