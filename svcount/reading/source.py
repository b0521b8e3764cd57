"""Where a ballot file's bytes come from: a path, or stdin spooled to one, gzip or not.

Low-level failures of reading (damaged gzip, undecodable text, an unreadable
file) become one located :class:`~svcount.errors.InputError` here.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import re
import shutil
import stat
import sys
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from svcount.errors import InputError

__all__ = [
    "ASCII_COMPATIBLE",
    "Source",
    "check_readable",
    "is_stream",
    "open_binary",
    "open_source",
    "reading",
    "past_preamble",
    "sha256_of",
]

GZIP_MAGIC = b"\x1f\x8b"
ASCII_COMPATIBLE = re.compile(
    r"^(utf[-_]?8(-sig)?|ascii|us-ascii|latin[-_]?1|iso8859[-_]\d+|cp125\d)$"
)


def check_readable(path: Path, name: str, what: str = "a ballot file") -> None:
    """A file that can be read, or one line saying why not (``what`` it should have been)."""
    if not path.exists():
        raise InputError("no such file", file=name)
    if path.is_dir():
        raise InputError(f"is a directory, not {what}", file=name)
    if not os.access(path, os.R_OK):
        raise InputError("permission denied: the file is not readable", file=name)


def sha256_of(path: str | os.PathLike[str]) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


class Decoding(Protocol):
    """How a file's bytes become text (a header's ``Layout`` is one): said in read errors."""

    @property
    def encoding(self) -> str: ...

    @property
    def compressed(self) -> bool: ...


@dataclass(frozen=True)
class Source:
    """A ballot file ready to read: a real path (stdin is first copied to one)."""

    name: str  # as the user gave it; "-" for stdin
    path: Path
    skipped: int = 0  # lines before the header, not read (--skip-rows, an Excel "sep=" line)
    sep: str | None = None  # the delimiter an Excel "sep=X" line names


@contextlib.contextmanager
def open_source(name: str, stdin: IO[bytes] | None = None) -> Iterator[Source]:
    """Yield a readable :class:`Source`; ``-``, a pipe or a FIFO is copied to a temporary file.

    The copy lets errors name lines (a second, targeted pass reads the file
    again) while memory stays flat.
    """
    if name != "-":
        check_readable(Path(name), name)
        if not is_stream(name):
            yield Source(name=name, path=Path(name))
            return
        with open(name, "rb") as stream, _spooled(stream, name) as path:  # /dev/stdin, <(…)
            yield Source(name=name, path=path)
        return
    redirected = _redirected_file() if stdin is None else None
    if redirected is not None:  # ``< FILE``: read in place, as often as need be
        yield Source(name="-", path=redirected)
        return
    with _spooled(stdin if stdin is not None else sys.stdin.buffer) as path:
        yield Source(name="-", path=path)


def _redirected_file() -> Path | None:
    """The regular file standard input is redirected from, when nothing of it has been read
    yet and its path names that very file (Linux's /proc); else None, and it is copied."""
    try:
        opened = os.fstat(0)
        if not stat.S_ISREG(opened.st_mode) or os.lseek(0, 0, os.SEEK_CUR) != 0:
            return None
        path = Path(os.readlink("/proc/self/fd/0"))
        found = path.stat()
    except OSError:
        return None
    same = (found.st_dev, found.st_ino) == (opened.st_dev, opened.st_ino)
    return path if same else None


def is_stream(name: str) -> bool:
    """A pipe, FIFO or device (``/dev/stdin``, ``<(zcat …)``): readable once, with no size."""
    try:
        return not stat.S_ISREG(os.stat(name).st_mode)
    except OSError:
        return False


#: No line of a ballot file is longer: a stream holding one is refused as it arrives.
MAX_LINE = 4 << 20


@contextlib.contextmanager
def _spooled(stream: IO[bytes], name: str = "-") -> Iterator[Path]:
    """A stream copied to a temporary file, so it can be read twice; memory stays flat.

    A line longer than :data:`MAX_LINE` stops the copy at once (a 300 MB
    "field" is refused in a moment, not after minutes and gigabytes).
    """
    with tempfile.NamedTemporaryFile(prefix="svcount-stdin-", suffix=".csv") as spool:
        carry, lines, plain = 0, 0, None  # bytes since the last line break, breaks before
        while block := stream.read(1 << 20):
            plain = not block.startswith(GZIP_MAGIC) if plain is None else plain
            first = block.find(b"\n") if plain else 0
            ended = carry + first if first >= 0 else 0  # the line that ends in this block
            carry = carry + len(block) if first < 0 else len(block) - block.rfind(b"\n") - 1
            if plain and max(ended, carry) > MAX_LINE:
                raise InputError(
                    f"a line longer than {MAX_LINE >> 20} MiB, which no ballot file holds",
                    file=name,
                    line=lines + 1,
                )
            lines += block.count(b"\n") if plain else 0
            spool.write(block)
        spool.flush()
        yield Path(spool.name)


#: Excel's first line naming the delimiter: ``sep=;`` (a byte-order mark may precede it).
_SEP_LINE = re.compile(rb"^(?:\xef\xbb\xbf)?sep=([^\r\n])\r?\n?$")


@contextlib.contextmanager
def past_preamble(source: Source, skip_rows: int = 0) -> Iterator[Source]:
    """The source from its header on: ``skip_rows`` lines, then any ``sep=X`` line, left out.

    Readers expect the header on the first line, so a file with lines before
    it is copied from its header on (decompressed) to a temporary file;
    :attr:`Source.skipped` says how many lines to add to every line number.
    """
    with open(source.path, "rb") as probe:
        magic = probe.read(2)
    compressed = magic == GZIP_MAGIC  # by content; a name ending in .gz must agree
    if not compressed and source.name.endswith(".gz") and magic:
        raise InputError(
            "the name ends in .gz but the file is not gzip-compressed", file=source.name
        )
    with contextlib.ExitStack() as stack:
        rest = None  # a copy from the header on, made only when there are lines before it
        with reading(source), open_binary(source, compressed) as stream:
            for number in range(1, skip_rows + 1):
                if not stream.readline():
                    raise InputError(
                        f"--skip-rows {skip_rows}: the file has only {number - 1} lines",
                        file=source.name,
                    )
            line = stream.readline(64)
            sep = _SEP_LINE.match(line)
            if skip_rows or sep:
                rest = stack.enter_context(
                    tempfile.NamedTemporaryFile(prefix="svcount-header-", suffix=".csv")
                )
                rest.write(b"" if sep else line)
                shutil.copyfileobj(stream, rest, 1 << 20)
                rest.flush()
        if rest is None:
            yield source
        else:
            sep_char = sep.group(1).decode("latin-1") if sep else None
            yield Source(source.name, Path(rest.name), skip_rows + (sep is not None), sep_char)


def open_binary(source: Source, compressed: bool) -> IO[bytes]:
    """The file's bytes, decompressed; closing the stream closes the file."""
    if compressed:
        return gzip.open(source.path, "rb")  # type: ignore[return-value]
    return open(source.path, "rb")  # noqa: SIM115 - closed by the caller


@contextlib.contextmanager
def reading(source: Source, layout: Decoding | None = None) -> Iterator[None]:
    """Turn the low-level failures of reading into located, one-line errors."""
    try:
        yield
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        detail = "it ends early (truncated)" if isinstance(exc, EOFError) else str(exc)
        raise InputError(f"the gzip data is damaged: {detail}", file=source.name) from None
    except UnicodeDecodeError as exc:
        encoding = layout.encoding if layout else "utf-8"
        raise decode_error(source, layout, encoding, exc) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=source.name) from None


# --------------------------------------------------------------------------- the header


def decode_error(
    source: Source, layout: Decoding | None, encoding: str, exc: UnicodeDecodeError
) -> InputError:
    """Find the line of the first undecodable byte and suggest an encoding."""
    line = None
    if layout is not None and ASCII_COMPATIBLE.match(encoding.lower()):
        with (
            contextlib.suppress(OSError, EOFError, zlib.error),
            open_binary(source, layout.compressed) as binary,
        ):
            for number, raw in enumerate(binary, start=1):
                try:
                    raw.decode(encoding)
                except UnicodeDecodeError as bad:
                    byte = raw[bad.start : bad.start + 1]
                    line = number
                    exc = bad
                    break
    byte = exc.object[exc.start : exc.start + 1] if isinstance(exc.object, bytes) else b""
    hint = "try --encoding cp1252" if encoding.startswith("utf") else "try --encoding utf-8"
    shown = f"byte 0x{byte.hex()}" if byte else "a byte"
    return InputError(
        f"is not valid {encoding.upper()} text ({shown}): {hint}", file=source.name, line=line
    )


# --------------------------------------------------------------------------- all together
