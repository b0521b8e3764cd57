"""One home for input formats other than the ballot CSV: a format is a module and one line.

A reader module gives ``detect(head: bytes) -> bool`` (is this file mine, from
its first bytes) and ``to_ballot_csv(data, file, contest, uncertain) ->
bytes`` (its papers as the ballot file's own CSV). The count then reads that
CSV as it reads any, so every mark is classified one way, whatever the format.
"""

from __future__ import annotations

import gzip
import importlib
from pathlib import Path
from types import ModuleType
from typing import IO

from svcount.reading.source import GZIP_MAGIC

__all__ = ["READERS", "recognised", "reader"]

#: Each input format's reader module, tried in order.
READERS: dict[str, str] = {
    "nist-cvr": "svcount.reading.nist_cvr",
}
_HEAD = 64 << 10


def reader(kind: str) -> ModuleType:
    return importlib.import_module(READERS[kind])


def recognised(name: str) -> str | None:
    """The input format of file ``name`` when it is one of READERS', else None (a CSV)."""
    if not Path(name).is_file():
        return None
    try:
        with _opened(name) as f:
            head = f.read(_HEAD)
    except (OSError, EOFError):
        return None
    return next((kind for kind in READERS if reader(kind).detect(head)), None)


def read_bytes(name: str) -> bytes:
    """The whole file, uncompressed when it is gzip."""
    with _opened(name) as f:
        return f.read()


def _opened(name: str) -> IO[bytes]:
    """The file's bytes, through gzip when it starts with gzip's magic (as ballot files are
    told, by content, not by name)."""
    with open(name, "rb") as f:
        packed = f.read(len(GZIP_MAGIC)) == GZIP_MAGIC
    return gzip.open(name, "rb") if packed else open(name, "rb")  # type: ignore[return-value]
