"""Every file that is not a ballot file: candidate lists, areas files, JSON, outputs.

Each file boundary is a trust boundary. Inputs are read into checked values or
refused with a located one-line :class:`~svcount.errors.InputError`; outputs
are written atomically, and never onto a file the run reads
(:func:`check_outputs`).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from svcount.errors import InputError, whole_number
from svcount.marks import fold, normalise_name
from svcount.model import Candidate

__all__ = [
    "AreaRow",
    "append_checksums",
    "atomic_output",
    "checksum_line",
    "canonical_digest",
    "check_outputs",
    "check_readable",
    "read_areas",
    "read_candidates",
    "read_json",
    "spreadsheet_safe",
    "sha256_of",
    "write_atomic",
]


def check_readable(path: Path, name: str) -> None:
    if not path.exists():
        raise InputError("no such file", file=name)
    if path.is_dir():
        raise InputError("is a directory, not a ballot file", file=name)
    if not os.access(path, os.R_OK):
        raise InputError("permission denied: the file is not readable", file=name)


def sha256_of(path: str | os.PathLike[str]) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


# --------------------------------------------------------------------------- text files


def _read_text(path: str, encoding: str | None, what: str) -> str:
    """A small text file, decoded; a bad byte names the file and suggests the fix."""
    file = Path(path)
    check_readable(file, path)
    try:
        return file.read_text(encoding=encoding or "utf-8-sig")
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", file=path) from None
    except UnicodeDecodeError as exc:
        name = (encoding or "utf-8").upper()
        raise InputError(
            f"is not valid {name} text (byte 0x{exc.object[exc.start]:02x}): save the {what} "
            "as UTF-8, or give --encoding",
            file=path,
        ) from None


def _delimiter_of(line: str) -> str:
    return max((",", ";", "\t"), key=line.count) if any(d in line for d in ",;\t") else ","


_NAME_HEADERS = ("name", "candidate", "candidatename")
_PARTY_HEADERS = ("party", "description", "partydescription", "affiliation")


def read_candidates(path: str, encoding: str | None = None) -> tuple[Candidate, ...]:
    """A candidate list: one name per line, or a CSV with a ``name`` (and ``party``) column."""
    lines = _read_text(path, encoding, "candidate list").splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None:
        raise InputError("the candidate list is empty", file=path)
    delimiter = ";" if lines[start].count(";") > lines[start].count(",") else ","
    header = [fold(h) for h in next(csv.reader([lines[start]], delimiter=delimiter))]
    name_at = next((header.index(h) for h in _NAME_HEADERS if h in header), None)
    entries: list[tuple[int, str, str | None]] = []
    if name_at is not None:
        party_at = next((header.index(h) for h in _PARTY_HEADERS if h in header), None)
        reader = csv.reader(io.StringIO("\n".join(lines[start + 1 :])), delimiter=delimiter)
        for offset, row in enumerate(reader):
            if not any(cell.strip() for cell in row):
                continue
            cell = row[party_at].strip() if party_at is not None and party_at < len(row) else ""
            entries.append(
                (start + 2 + offset, row[name_at] if name_at < len(row) else "", cell or None)
            )
    else:
        entries = [(i + 1, line, None) for i, line in enumerate(lines) if line.strip()]
        if len(entries) > 1 and all(delimiter in text for _, text, _ in entries):
            raise InputError(
                f"looks like a CSV without a header: every line holds a {delimiter!r}. "
                f"Add a first line such as name{delimiter}party, or list one name per line",
                file=path,
                line=entries[0][0],
            )
    seen: dict[str, int] = {}
    candidates = []
    for line, raw_name, party in entries:
        name = normalise_name(raw_name)
        if not name:
            raise InputError("a row has no candidate name", file=path, line=line)
        if name.casefold() in seen:
            raise InputError(
                f"candidate {name!r} is listed twice (lines {seen[name.casefold()]} and {line})",
                file=path,
                line=line,
            )
        seen[name.casefold()] = line
        candidates.append(Candidate(name, party))
    if not candidates:
        raise InputError("the candidate list has a header but no names", file=path)
    return tuple(candidates)


@dataclass(frozen=True)
class AreaRow:
    """One row of an areas file: a voting area, its electorate, papers issued."""

    name: str
    electorate: int | None
    issued: int | None


_AREA_FIELDS = {
    "area": ("area", "votingarea", "countingarea"),
    "electorate": ("electorate", "electors"),
    "issued": ("ballotpapersissued", "papersissued", "issued"),
}


def read_areas(
    path: str, *, need_electorate: bool, encoding: str | None = None
) -> tuple[AreaRow, ...]:
    """An areas file: CSV with ``area``, ``electorate`` and ``ballot_papers_issued`` columns.

    Area names are read as ballot files' are (trimmed, NFC); two that differ
    only in case are an error naming both.
    """
    lines = _read_text(path, encoding, "areas file").splitlines()
    first = next((line for line in lines if line.strip()), "")
    reader = csv.reader(lines, delimiter=_delimiter_of(first))
    rows = [(i + 1, row) for i, row in enumerate(reader) if any(c.strip() for c in row)]
    if not rows:
        raise InputError("the areas file is empty", file=path)
    header = [fold(h) for h in rows[0][1]]
    where = {
        key: next((header.index(n) for n in names if n in header), None)
        for key, names in _AREA_FIELDS.items()
    }
    if where["area"] is None or (need_electorate and where["electorate"] is None):
        wanted = "area,electorate" if need_electorate else "area"
        raise InputError(
            f"the header needs the columns {wanted} (optional: ballot_papers_issued)",
            file=path,
            line=rows[0][0],
        )
    out: list[AreaRow] = []
    seen: dict[str, tuple[str, int]] = {}
    for line, row in rows[1:]:
        at = where["area"]
        name = normalise_name(row[at]) if at is not None and at < len(row) else ""
        if not name:
            raise InputError("a row has no area name", file=path, line=line)
        if name.casefold() in seen:
            other, at_line = seen[name.casefold()]
            same = "is listed twice" if other == name else f"and {other!r} differ only in case"
            raise InputError(
                f"area {name!r} {same} (lines {at_line} and {line})", file=path, line=line
            )
        seen[name.casefold()] = (name, line)

        electorate = _cell(row, where["electorate"], "electorate", path, line)
        if need_electorate and electorate is None:
            raise InputError(f"area {name!r} has no electorate", file=path, line=line)
        out.append(
            AreaRow(
                name, electorate, _cell(row, where["issued"], "ballot_papers_issued", path, line)
            )
        )
    if not out:
        raise InputError("the areas file has a header but no areas", file=path)
    return tuple(out)


def _cell(row: list[str], index: int | None, what: str, path: str, line: int) -> int | None:
    text = row[index].strip() if index is not None and index < len(row) else ""
    try:
        return whole_number(text, what, text=True) if text else None
    except ValueError as exc:
        raise InputError(str(exc), file=path, line=line) from None


def read_json(path: str, *, decimals: bool = False) -> tuple[Any, bytes]:
    """A JSON file and its bytes; ``decimals`` keeps numbers' written precision."""
    try:
        data = Path(path).read_bytes()
        return json.loads(data, parse_float=Decimal if decimals else float), data
    except FileNotFoundError:
        raise InputError("no such file", file=path) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a JSON file", file=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", file=path) from None
    except UnicodeDecodeError:
        raise InputError("is not valid UTF-8 text", file=path) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", file=path, line=exc.lineno) from None


# --------------------------------------------------------------------------- outputs


def _identity(path: str | os.PathLike[str]) -> tuple[str, tuple[int, int] | None]:
    """A file's resolved path and, when it exists, its (device, inode)."""
    try:
        stat = os.stat(path)
        inode: tuple[int, int] | None = (stat.st_dev, stat.st_ino)
    except OSError:
        inode = None
    return str(Path(path).resolve()), inode


def check_outputs(
    outputs: Iterable[tuple[str, str | os.PathLike[str] | None]],
    inputs: Iterable[str | os.PathLike[str] | None],
) -> None:
    """Refuse, before anything is read or written, an output that is an input or another output.

    ``outputs`` pairs each output's option (``-o``) with its path. Paths are
    compared resolved and by device and inode, so ``./ballots.csv``, a symlink
    and a hard link to an input are all caught. ``-`` (stdin) is not a file.
    """
    seen: list[tuple[str, str, tuple[str, tuple[int, int] | None]]] = []
    for path in inputs:
        if path is not None and str(path) != "-":
            seen.append(("input", str(path), _identity(path)))
    for option, path in outputs:
        if path is None:
            continue
        resolved, inode = _identity(path)
        for role, other, (other_resolved, other_inode) in seen:
            if resolved == other_resolved or (inode is not None and inode == other_inode):
                what = f"the {role} file {other}" if role == "input" else f"the {role} {other}"
                raise InputError(
                    f"{option} {path} is {what}: writing there would destroy it; "
                    "choose another output",
                    file=str(path),
                )
        seen.append((f"output of {option}", str(path), (resolved, inode)))


class _Hashing:
    """A binary file that keeps the SHA-256 of what is written to it."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file, self.digest = file, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.file.write(data)

    def flush(self) -> None:
        self.file.flush()


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[_Hashing]:
    """A file to write ``path`` through: a temporary file, renamed into place at the end.

    A failed or interrupted run leaves any existing file untouched and no
    temporary file behind. After the ``with`` block, ``.digest`` holds the
    SHA-256 of what was written.
    """
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise InputError(
            f"cannot write the output: the folder {str(folder)!r} does not exist", file=str(path)
        )
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"cannot write the output: {exc.strerror}", file=str(path)) from None
    try:
        with os.fdopen(fd, "wb") as out:
            hashing = _Hashing(out)
            yield hashing
            out.flush()
            os.fsync(out.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise InputError(f"cannot write the output: {exc.strerror}", file=str(path)) from None
        raise


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> str:
    """Write ``data`` to ``path`` all at once; return its SHA-256."""
    with atomic_output(path) as out:
        out.write(data.encode("utf-8") if isinstance(data, str) else data)
    return out.digest.hexdigest()


def spreadsheet_safe(cell: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (names are untrusted)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def checksum_line(digest: str, path: str) -> str:
    """One line of ``sha256sum``'s output, so ``sha256sum -c`` checks it."""
    escaped = path.replace("\\", "\\\\").replace("\n", "\\n")
    prefix = "\\" if escaped != path else ""  # GNU's mark for an escaped name
    return f"{prefix}{digest}  {escaped}\n"


def append_checksums(path: str | os.PathLike[str], written: Iterable[tuple[str, str]]) -> None:
    """Append a ``sha256sum`` line for each (digest, path) written."""
    lines = "".join(checksum_line(digest, name) for digest, name in written)
    if not lines:
        return
    try:
        with open(path, "a", encoding="utf-8") as out:
            out.write(lines)
    except OSError as exc:
        raise InputError(f"cannot write the checksums: {exc.strerror}", file=str(path)) from None


def canonical_digest(document: Any) -> str:
    """SHA-256 of a JSON document's canonical form: what a file's ``digest`` records."""
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
