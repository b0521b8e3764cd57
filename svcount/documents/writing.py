"""Writing what svcount produces: never onto an input, atomically, with checksums.

:func:`check_outputs` runs before any work, so an output can never destroy a
file the run reads; :func:`atomic_output` writes through a temporary file
renamed into place at the end; :func:`append_checksums` records what was
written in ``sha256sum``'s format.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

from svcount.errors import InputError

__all__ = [
    "append_checksums",
    "atomic_output",
    "check_outputs",
    "checksum_line",
    "csv_line",
    "spreadsheet_safe",
    "write_atomic",
]


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
    if target.is_symlink():  # follow it: the file it names is replaced, not the link
        target = target.resolve()
    if target.is_dir():
        raise InputError("cannot write the output: it is a directory", file=str(path))
    if target.exists() and not target.is_file():  # /dev/null, /dev/stdout, a FIFO: write through
        yield from _through(target, path)
        return
    folder = target.parent
    if not folder.is_dir():
        raise InputError(
            f"cannot write the output: the folder {str(folder)!r} does not exist", file=str(path)
        )
    try:
        # Recognisable if a killed run (SIGKILL) leaves one: .NAME.svcount-XXXXXXXX.tmp
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.svcount-", suffix=".tmp")
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


def _through(target: Path, path: str | os.PathLike[str]) -> Iterator[_Hashing]:
    """Write to a device or FIFO as it is: replacing /dev/null with a file would break a machine."""
    try:
        with open(target, "wb") as out:
            hashing = _Hashing(out)
            yield hashing
    except OSError as exc:
        raise InputError(f"cannot write the output: {exc.strerror}", file=str(path)) from None


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> str:
    """Write ``data`` to ``path`` all at once; return its SHA-256."""
    with atomic_output(path) as out:
        out.write(data.encode("utf-8") if isinstance(data, str) else data)
    return out.digest.hexdigest()


def csv_line(cells: Sequence[object]) -> str:
    """One CSV record ending in a newline; a cell holding ``\\r`` or ``\\n`` is quoted.

    The csv module quotes only the characters of its line terminator, so the
    record is written ending ``\\r\\n`` (every line break in a cell is then
    quoted) and ends ``\\n`` as svcount's files do. Every CSV svcount writes goes
    through here.
    """
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()[:-2] + "\n"


def spreadsheet_safe(cell: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (names are untrusted)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def checksum_line(digest: str, path: str) -> str:
    """One line of ``sha256sum``'s output, so ``sha256sum -c`` checks it."""
    escaped = path.replace("\\", "\\\\").replace("\n", "\\n")
    prefix = "\\" if escaped != path else ""  # GNU's mark for an escaped name
    return f"{prefix}{digest}  {escaped}\n"


def append_checksums(path: str | os.PathLike[str], written: Iterable[tuple[str, str]]) -> None:
    """A ``sha256sum`` line for each (digest, path) written, replacing any older line for it.

    After a recount rewrites ``r.json`` its old line goes, so ``sha256sum -c``
    checks what is there now.
    """
    new = [checksum_line(digest, name) for digest, name in written]
    if not new:
        return

    def named(line: str) -> str:  # what follows the digest: two spaces and the path
        return line.lstrip("\\")[64:]

    replaced = {named(line) for line in new}
    try:
        old = Path(path).read_text(encoding="utf-8").splitlines(keepends=True)
    except FileNotFoundError:
        old = []
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the checksums: {exc}", file=str(path)) from None
    kept = [line for line in old if named(line) not in replaced]
    try:
        with atomic_output(path) as out:
            out.write("".join([*kept, *new]).encode("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot write the checksums: {exc.strerror}", file=str(path)) from None
