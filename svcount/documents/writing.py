"""Writing what svcount produces: never onto an input, atomically, with checksums.

:func:`check_outputs` runs before any work, so an output can never destroy a
file the run reads; a :class:`Landing` writes a run's outputs through
temporary files renamed into place together at the end (:func:`atomic_output`
for one file); the checksums file records what was written in
``sha256sum``'s format.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import io
import os
import signal
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from svcount.errors import InputError
from svcount.names import escaped

__all__ = [
    "gzipped_to",
    "Landing",
    "atomic_output",
    "check_outputs",
    "checksum_line",
    "checksums_text",
    "discard_unlanded",
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
    reads_stdin = False
    for path in inputs:
        if path is not None and str(path) != "-":
            seen.append(("input", str(path), _identity(path)))
        reads_stdin = reads_stdin or str(path) == "-"
    for option, path in outputs:
        if path is None:
            continue
        resolved, inode = _identity(path)
        if reads_stdin and _is_stdin(str(path), inode):
            raise InputError(
                f"{option} {path} is standard input, which this run reads its ballots from: "
                "choose another output",
                file=str(path),
            )
        for role, other, (other_resolved, other_inode) in seen:
            if resolved == other_resolved or (inode is not None and inode == other_inode):
                what = f"the {role} file {other}" if role == "input" else f"the {role} {other}"
                raise InputError(
                    f"{option} {path} is {what}: writing there would destroy it; "
                    "choose another output",
                    file=str(path),
                )
        seen.append((f"output of {option}", str(path), (resolved, inode)))


def _is_stdin(path: str, inode: tuple[int, int] | None) -> bool:
    """Whether ``path`` names standard input: by its name, or by being the same file."""
    if path in ("/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"):
        return True
    try:
        stdin = os.fstat(0)
    except OSError:
        return False
    return inode == (stdin.st_dev, stdin.st_ino)


class _Hashing:
    """A binary file that keeps the SHA-256 of what is written to it."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file, self.digest = file, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.file.write(data)

    def flush(self) -> None:
        self.file.flush()


#: Temporary files written and not yet renamed into place, by every landing.
_UNLANDED: set[str] = set()


class Landing:
    """One run's outputs: each written beside its target, all renamed into place together.

    Nothing reaches a final path until :meth:`land`, which renames every file
    with Ctrl-C and SIGTERM held, so an interruption, a full disk or an error
    before it leaves every output as it was, and after it all have landed (an
    interruption during it then ends the run as done, exit 0, with a note).
    Devices and FIFOs (``/dev/null``, ``/dev/stdout``) are written through at
    once: there is nothing there to keep.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[str, Path]] = []
        self.written: list[tuple[str, str]] = []  # (SHA-256, path as given), in order
        self._inputs: dict[tuple[int, int], str] = {}  # (device, inode): no output lands there
        self._locked: int | None = None  # the checksums' lock, held until the run lands

    def protect(self, inputs: Iterable[str | os.PathLike[str] | None]) -> None:
        """The files this run reads: checked again at landing, for a link made since."""
        for path in inputs:
            if path is not None and str(path) != "-":
                _, inode = _identity(path)
                if inode is not None:
                    self._inputs[inode] = str(path)

    @contextlib.contextmanager
    def output(self, path: str | os.PathLike[str]) -> Iterator[_Hashing]:
        """A file to write ``path`` through; after the block ``.digest`` is its SHA-256."""
        target, through = _target(path)
        if through:  # nothing there to check later: not listed in the checksums
            with _through(target, path) as device:
                yield device
            return
        try:
            # Recognisable if a killed run (SIGKILL) leaves one: .NAME.svcount-XXXXXXXX.tmp
            fd, temp = tempfile.mkstemp(
                dir=target.parent, prefix=f".{target.name}.svcount-", suffix=".tmp"
            )
        except OSError as exc:
            raise InputError(f"cannot write the output: {exc.strerror}", file=str(path)) from None
        _UNLANDED.add(temp)
        try:
            with os.fdopen(fd, "wb") as out:
                hashing = _Hashing(out)
                yield hashing
                out.flush()
                os.fsync(out.fileno())
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
        except BaseException as exc:
            _unlink(temp)
            if isinstance(exc, OSError):
                message = f"cannot write the output: {exc.strerror}"
                raise InputError(message, file=str(path)) from None
            raise
        self._pending.append((temp, target))
        self.written.append((hashing.digest.hexdigest(), str(path)))

    def checksums(self, path: str | os.PathLike[str]) -> None:
        """The checksums file with a line for each output so far (an older line replaced).

        A checksums file on disk is locked from reading it until the run lands,
        so two runs sharing one never lose each other's lines; a device or
        pipe (``/dev/stdout``) is written, never read back.
        """
        target, through = _target(path)
        if not through:
            self._lock(target)
        text = checksums_text(None if through else path, self.written)
        if text is not None:
            count = len(self.written)
            with self.output(path) as out:
                out.write(text.encode("utf-8"))
            del self.written[count:]  # the checksums file does not list itself

    def _lock(self, target: Path) -> None:
        """An exclusive lock on ``.NAME.svcount.lock`` beside ``target``, until :meth:`discard`."""
        import fcntl

        lock = target.with_name(f".{target.name}.svcount.lock")
        try:
            flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
            self._locked = os.open(lock, flags, 0o600)  # an empty lock: never executable
        except OSError as exc:
            raise InputError(f"cannot lock the checksums: {exc.strerror}", file=str(lock)) from None
        fcntl.flock(self._locked, fcntl.LOCK_EX)

    def land(self) -> None:
        """Rename every output into place: all of them, uninterrupted, or none.

        Each file replaced is kept as a hard link until all have landed, so a
        rename that fails part way puts back those already renamed.
        """
        landed: list[tuple[Path, str | None, bool]] = []
        try:
            with _signals_held() as caught:
                for _, target in self._pending:
                    self._not_an_input(target)
                for temp, target in self._pending:
                    existed = target.exists()
                    landed.append((target, _keep(target, temp) if existed else None, existed))
                    os.replace(temp, target)
                    _UNLANDED.discard(temp)
                self._pending.clear()
        except OSError as exc:
            for target, kept, existed in reversed(landed):
                _put_back(target, kept, existed)
            raise InputError(
                f"cannot write the output: {exc.strerror}", file=exc.filename
            ) from None
        finally:
            self.discard()
        for _, kept, _ in landed:
            if kept is not None:
                _unlink(kept)
        if caught:  # too late to stop: say so, and end as a run that did its work
            names = ", ".join(escaped(str(target)) for target, _, _ in landed) or "the outputs"
            sys.stderr.write(f"svcount: note: interrupted once {names} had landed; all are whole\n")

    def _not_an_input(self, target: Path) -> None:
        """Refuse to land on a file this run reads, however it came to be there since."""
        try:
            found = os.stat(target)
        except OSError:
            return
        read = self._inputs.get((found.st_dev, found.st_ino))
        if read is not None:
            raise InputError(
                f"is now the input file {read} (a link made while the count ran?): nothing "
                "was written; choose another output",
                file=str(target),
            )

    def discard(self) -> None:
        """Remove what has not landed, and let go of the checksums: the run is over."""
        for temp, _ in self._pending:
            _unlink(temp)
        self._pending.clear()
        if self._locked is not None:
            os.close(self._locked)  # the lock file stays: removing it would race the next run
            self._locked = None


def discard_unlanded() -> None:
    """At the end of a run that failed: no temporary file stays behind."""
    for temp in list(_UNLANDED):
        _unlink(temp)


def _keep(target: Path, temp: str) -> str | None:
    """A hard link to the file ``target`` holds now, to put back if the run cannot land."""
    kept = temp[: -len(".tmp")] + ".old.tmp"
    try:
        os.link(target, kept)
    except OSError:  # a file system without links: nothing to put back from
        return None
    _UNLANDED.add(kept)
    return kept


def _put_back(target: Path, kept: str | None, existed: bool) -> None:
    """Undo one landed rename: the old file back, or no file where there was none."""
    with contextlib.suppress(OSError):
        if not existed:
            os.unlink(target)
        elif kept is not None:
            os.replace(kept, target)
    if kept is not None:  # rename() leaves both names when they are one file already
        _unlink(kept)


def _unlink(temp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(temp)
    _UNLANDED.discard(temp)


@contextlib.contextmanager
def _signals_held() -> Iterator[list[int]]:
    """Ctrl-C and SIGTERM wait until the block is done, recorded in the list yielded.

    The block is the last work of a run (its outputs landing), so once it is
    done the exit code says the run did its work; the caller says it was
    interrupted.
    """
    caught: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    try:
        previous = {s: signal.signal(s, lambda number, frame: caught.append(number)) for s in held}
    except ValueError:  # not the main thread, where no signal is handled anyway
        yield caught
        return
    try:
        yield caught
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _target(path: str | os.PathLike[str]) -> tuple[Path, bool]:
    """The file an output replaces, and whether it is written through instead (a device).

    A symlink is followed; a directory or a missing folder is refused. A
    device, FIFO or pipe (``/dev/null``, ``/dev/stdout``) is written through.
    """
    given = Path(path)
    try:
        mode: int | None = os.stat(given).st_mode  # follows links, /proc's too
    except OSError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise InputError("cannot write the output: it is a directory", file=str(path))
    if mode is not None and not stat.S_ISREG(mode):
        return given, True
    target = given.resolve() if given.is_symlink() else given
    if not target.parent.is_dir():
        raise InputError(
            f"cannot write the output: the folder {str(target.parent)!r} does not exist",
            file=str(path),
        )
    return target, False


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[_Hashing]:
    """A file to write ``path`` through: a temporary file, renamed into place at the end.

    A failed or interrupted run leaves any existing file untouched and no
    temporary file behind. After the ``with`` block, ``.digest`` holds the
    SHA-256 of what was written.
    """
    landing = Landing()
    with landing.output(path) as out:  # a failure inside removes the temporary file
        yield out
    landing.land()


@contextlib.contextmanager
def _through(target: Path, path: str | os.PathLike[str]) -> Iterator[_Hashing]:
    """Write to a device or FIFO as it is: replacing /dev/null with a file would break a machine."""
    try:
        with open(target, "wb") as out:
            hashing = _Hashing(out)
            yield hashing
    except OSError as exc:
        raise InputError(f"cannot write the output: {exc.strerror}", file=str(path)) from None


@contextlib.contextmanager
def gzipped_to(out: Any, packed: bool) -> Iterator[Any]:
    """``out`` itself, or (``packed``) a gzip stream into it with no name or time inside, so
    the same data always gives the same bytes."""
    if not packed:
        yield out
        return
    with gzip.GzipFile(fileobj=out, mode="wb", filename="", mtime=0, compresslevel=6) as gz:
        yield gz


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


def checksums_text(
    path: str | os.PathLike[str] | None, written: Iterable[tuple[str, str]]
) -> str | None:
    """The checksums file with a line for each (digest, path) written, replacing older lines.

    After a recount rewrites ``r.json`` its old line goes, so ``sha256sum -c``
    checks what is there now. None when nothing was written; ``path`` None
    when there is no file to read back (a device or pipe).
    """
    new = [checksum_line(digest, name) for digest, name in written]
    if not new:
        return None

    def named(line: str) -> str:  # what follows the digest: two spaces and the path
        return line.lstrip("\\")[64:]

    replaced = {named(line) for line in new}
    try:
        old = [] if path is None else Path(path).read_text(encoding="utf-8").splitlines(True)
    except FileNotFoundError:
        old = []
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the checksums: {exc}", file=str(path)) from None
    return "".join([line for line in old if named(line) not in replaced] + new)
