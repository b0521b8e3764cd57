"""The one hardened parser of every JSON and XML input: cast vote records and svcount's own
documents.

JSON from outside is read under limits that no real file reaches and a hostile
one cannot pass: its size (and, for gzip, what it inflates to and by what
ratio), how deeply it nests, how many digits a number has, numbers that are not
finite (``NaN``, ``Infinity``, ``1e999``), and a key twice in one object (which
value would count?). Each refusal is one :class:`~svcount.errors.InputError`
naming the file; no input reaches a ``RecursionError`` or fills memory.
gzip is told by its magic bytes, never by the file's name. XML is read by
expat as a stream of records with flat memory, with no DTD: a DOCTYPE (and so
any entity) is refused, never expanded or fetched.
"""

from __future__ import annotations

import codecs
import contextlib
import gc
import gzip
import json
import math
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from svcount.errors import InputError
from svcount.reading.source import GZIP_MAGIC

__all__ = [
    "DOCUMENT",
    "Limits",
    "XmlShape",
    "head_of",
    "JSON_PROBLEMS",
    "inflated",
    "iter_json",
    "iter_xml",
    "json_error",
    "loads",
    "no_cycle_collection",
    "read_json",
    "xml_error",
]


@dataclass(frozen=True)
class Limits:
    """What one kind of JSON input may be: far above any real one, far below harm."""

    bytes: int = 64 << 20  # the text, after any gzip
    depth: int = 32
    digits: int = 30
    ratio: int = 200  # gzip: at most this many bytes out for each byte in (deflate allows 1,032)
    what: str = "a document svcount wrote"  # what a file past the limits is not


#: svcount's own documents (results, local counts, expected files, plans).
DOCUMENT = Limits()
#: The smallest inflated size the ratio is checked from: small files compress as they will.
RATIO_FLOOR = 1 << 20

_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class Refused(ValueError):
    """A JSON input past a limit, or repeating a key."""


def _bracket_depth(data: bytes) -> int:
    """How deeply the brackets in ``data`` nest, by NumPy over the bracket bytes alone."""
    import numpy as np

    brackets = np.frombuffer(data.translate(None, _NOT_BRACKETS), dtype=np.uint8)
    if not len(brackets):
        return 0
    steps = np.where((brackets == ord("[")) | (brackets == ord("{")), 1, -1)
    return int(np.cumsum(steps).max())


def _depth_over(data: bytes, limit: int) -> bool:
    """Whether the document nests arrays and objects more than ``limit`` deep.

    Brackets are counted in one fast pass; only when that passes the limit are
    strings (which may hold brackets) taken out and the count made again. A
    string of closing brackets could hide depth from the fast pass: the
    parser's own recursion guard still stops it, as one line (``read_json``).
    """
    return _bracket_depth(data) > limit and _bracket_depth(_STRINGS.sub(b"", data)) > limit


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """While many objects are made and none is garbage (parsing, aggregating records), the
    cycle collector only scans them again and again: off (as before) until done.

    Measured on llr-2016's CVR export: parsing 2.7 s with it, 1.0 s without.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _is_gzip(path: str | Path) -> bool:
    """Whether a file is gzip, by its magic bytes (never by its name)."""
    with open(path, "rb") as f:
        return f.read(len(GZIP_MAGIC)) == GZIP_MAGIC


def _opened(path: str | Path) -> IO[bytes]:
    """A file's content: through gzip when it is gzip."""
    return gzip.open(path, "rb") if _is_gzip(path) else open(path, "rb")  # type: ignore[return-value]


def _damaged(exc: Exception) -> Refused:
    detail = "it ends early (truncated)" if isinstance(exc, EOFError) else str(exc)
    return Refused(f"the gzip data is damaged: {detail}")


def inflated(path: str | Path, limits: Limits) -> bytes:
    """A file's bytes, gzip inflated when it starts with gzip's magic; never past the limits.

    Raises :class:`Refused` for a damaged or truncated gzip stream, or one past the size
    or ratio limit (found while inflating: a bomb stops at the limit, not in memory).
    """
    packed, size = _is_gzip(path), Path(path).stat().st_size
    if not packed:
        if size > limits.bytes:
            raise Refused(f"larger than {limits.bytes >> 20} MiB: not {limits.what}")
        return Path(path).read_bytes()
    cap = min(limits.bytes, max(RATIO_FLOOR, size * limits.ratio))
    try:
        with gzip.open(path, "rb") as stream:
            data = stream.read(cap + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise _damaged(exc) from None
    if len(data) > cap:
        if cap < limits.bytes:
            raise Refused(
                f"its gzip data inflates more than {limits.ratio} times ({size:,} bytes to over "
                f"{cap:,}): a decompression bomb, not {limits.what}"
            )
        raise Refused(f"larger than {limits.bytes >> 20} MiB inflated: not {limits.what}")
    return data


def head_of(path: str | Path, size: int) -> bytes:
    """The first ``size`` bytes of a file's content (gzip inflated), as far as it can be read."""
    head = bytearray()
    try:
        with _opened(path) as stream:
            while len(head) < size and (block := stream.read(min(1 << 16, size - len(head)))):
                head += block
    except (OSError, EOFError, zlib.error):
        pass  # a damaged file is told by what could be read; its reader says what is wrong
    return bytes(head)


def loads(data: bytes, limits: Limits, *, decimals: bool = False) -> Any:
    """JSON text parsed under ``limits``; raises :class:`Refused` or ``json.JSONDecodeError``.

    ``decimals`` keeps numbers' written precision (:class:`~decimal.Decimal`).
    """
    if _depth_over(data, limits.depth):
        raise Refused(f"nested more than {limits.depth} deep: not {limits.what}")
    text = data.decode(json.detect_encoding(data)).removeprefix("\ufeff")  # UTF-8, 16 or 32
    with no_cycle_collection():
        return _checking(limits, decimals).decode(text)


def _checking(limits: Limits, decimals: bool = False) -> json.JSONDecoder:
    """A JSON decoder that refuses what ``limits`` does not allow, as it parses."""

    def integer(text: str) -> int:
        if len(text.lstrip("-")) > limits.digits:
            raise Refused(f"a number of {len(text):,} digits (at most {limits.digits})")
        return int(text)

    def real(text: str) -> float | Decimal:
        if len(text) > limits.digits + 10:
            raise Refused(f"a number of {len(text):,} characters (at most {limits.digits + 10})")
        number = Decimal(text) if decimals else float(text)
        if not math.isfinite(number):
            raise Refused(f"the number {text} is too large to be finite")
        return number

    def constant(text: str) -> None:
        raise Refused(f"{text} is not a JSON number (JSON has no NaN or Infinity)")

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):  # which key: looked for only then
            keys = [key for key, _ in pairs]
            twice = next(key for key in keys if keys.count(key) > 1)
            raise Refused(f"the key {twice[:80]!r} appears twice in one object")
        return out

    return json.JSONDecoder(
        parse_float=real, parse_int=integer, parse_constant=constant, object_pairs_hook=unique
    )


def read_json(path: str, limits: Limits = DOCUMENT, *, decimals: bool = False) -> tuple[Any, bytes]:
    """A JSON file and its bytes (inflated), each problem one line naming the file."""
    try:
        data = inflated(path, limits)
        return loads(data, limits, decimals=decimals), data
    except JSON_PROBLEMS as exc:
        raise json_error(exc, path) from None


#: What reading JSON from a file may raise, each said in one line by :func:`json_error`.
JSON_PROBLEMS = (OSError, UnicodeDecodeError, ValueError, RecursionError)


def json_error(exc: Exception, path: str) -> InputError:
    """A JSON input's problem as one line naming the file (and line, where the parser says)."""
    if isinstance(exc, FileNotFoundError):
        return InputError("no such file", file=path)
    if isinstance(exc, IsADirectoryError):
        return InputError("is a directory, not a JSON file", file=path)
    if isinstance(exc, OSError):
        return InputError(f"cannot read the file: {exc.strerror or exc}", file=path)
    if isinstance(exc, UnicodeDecodeError):
        return InputError("is not valid UTF-8 text", file=path)
    if isinstance(exc, json.JSONDecodeError):
        return InputError(f"not valid JSON: {exc.msg}", file=path, line=exc.lineno)
    if isinstance(exc, RecursionError):  # below the depth limit only in a stream's records
        return InputError("nested too deeply to read", file=path)
    return InputError(f"refused: {exc}", file=path)


# --------------------------------------------------------------------------- JSON, streamed

_SPACE = re.compile(r"[ \t\n\r]*")
_NUMBERISH = re.compile(r"[-+0-9.eE]*")
#: A block read at a time; a value longer than what is held is read on, doubling, up to the cap.
_BLOCK = 1 << 20


class _Text:
    """A JSON text read a block at a time and decoded; what is parsed is let go, and the
    line numbers of what is held are kept for messages."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self.stream, self.limit = stream, limit  # limit: inflated bytes (a gzip bomb's stop)
        self.text, self.at, self.line, self.read, self.eof = "", 0, 1, 0, False
        self.decoder: codecs.IncrementalDecoder | None = None

    def more(self, at_least: int = 0) -> bool:
        """Reads on (a block, or ``at_least`` bytes); False at the end."""
        block = self.stream.read(max(_BLOCK, at_least))
        while self.decoder is None and 0 < len(block) < 4 and (extra := self.stream.read(1)):
            block += extra  # the encoding is told by the first four bytes
        self.read += len(block)
        if self.read > self.limit:
            raise Refused(f"its gzip data inflates more than {self.limit:,} bytes")
        if self.decoder is None:
            encoding = json.detect_encoding(block) if block else "utf-8"
            self.decoder = codecs.getincrementaldecoder(encoding)()
        decoded = self.decoder.decode(block, final=not block)
        if self.line == 1 and not self.text:
            decoded = decoded.removeprefix("\ufeff")
        self.line += self.text.count("\n", 0, self.at)
        self.text, self.at, self.eof = self.text[self.at :] + decoded, 0, not block
        return bool(block)

    def next_char(self) -> str:
        """The next character that is not white space ("" at the end), not taken."""
        if self.at < len(self.text) and self.text[self.at] not in " \t\n\r":
            return self.text[self.at]  # the common case, first and cheap
        while True:
            self.at = _SPACE.match(self.text, self.at).end()  # type: ignore[union-attr]
            if self.at < len(self.text):
                return self.text[self.at]
            if not self.more():
                return ""

    def take(self, expected: str, what: str) -> str:
        """The next character, which must be one of ``expected``."""
        char = self.next_char()
        if not char or char not in expected:
            raise self.error(f"Expecting {what}")
        self.at += 1
        return char

    def value(self, decoder: json.JSONDecoder, cap: int) -> tuple[Any, str]:
        """The next value and its text, read on until it is whole (a number at the end of
        what is held may go on); refused past ``cap`` characters."""
        self.next_char()
        while True:
            try:
                value, end = decoder.raw_decode(self.text, self.at)
            except json.JSONDecodeError as exc:
                if self.eof or len(self.text) - self.at > cap:
                    exc.lineno += self.line - 1
                    raise
                self.more(len(self.text) - self.at)
                continue
            if (
                not self.eof
                and self.text[self.at] in "-0123456789"
                and _NUMBERISH.match(self.text, self.at).end() == len(self.text)  # type: ignore[union-attr]
            ):  # a number that may go on in the next block
                self.more(len(self.text) - self.at)
                continue
            start, self.at = self.at, end
            if end - start > cap:
                raise Refused(f"a value of more than {cap >> 20} MiB")
            return value, self.text[start:end]

    def error(self, message: str) -> json.JSONDecodeError:
        exc = json.JSONDecodeError(message, self.text, self.at)
        exc.lineno += self.line - 1
        return exc


def iter_json(
    path: str | Path,
    stream: str,
    limits: Limits,
    same: Callable[[str, Any], str] | None = None,
    checked: set[str] | None = None,
    *,
    trusted: bool = False,
) -> Iterator[tuple[str, Any, str]]:
    """The members of a file's top-level object, in the file's order, as (name, value, key);
    the elements of its ``stream`` array one at a time, each as (stream, element, key).

    Memory holds one value at a time (at most ``limits.bytes`` characters), however long
    the file. Every value is checked as :func:`loads` checks a document (depth, digits,
    finite numbers, no key twice), the stream's elements included: an element whose
    ``same(text, value)`` (its text with what may differ from record to record made
    alike, returned as ``key``) is in ``checked`` is parsed only for its value, which is
    what makes a stream of alike records fast; ``key`` is "" when ``same`` is None.
    ``trusted`` leaves the elements unchecked: only for a first look, which a checked
    reading follows before any element is used.
    """
    size, packed = Path(path).stat().st_size, _is_gzip(path)
    limit = max(RATIO_FLOOR, size * limits.ratio) if packed else 1 << 62
    reading = _Reading(limits, same, set() if checked is None else checked, trusted)
    try:
        with _opened(path) as source, no_cycle_collection():
            yield from reading.members(_Text(source, limit), stream)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise _damaged(exc) from None
    except RecursionError:  # deeper than the parser's guard: past the depth limit too
        raise Refused(f"nested more than {limits.depth} deep: not {limits.what}") from None


@dataclass
class _Reading:
    """How :func:`iter_json` reads one file: its limits, and the stream's checked texts."""

    limits: Limits
    same: Callable[[str, Any], str] | None
    checked: set[str]
    trusted: bool
    checking: json.JSONDecoder = field(init=False)
    parsing: json.JSONDecoder = field(default_factory=json.JSONDecoder)

    def __post_init__(self) -> None:
        self.checking = _checking(self.limits)

    def members(self, text: _Text, stream: str) -> Iterator[tuple[str, Any, str]]:
        names: set[str] = set()
        text.take("{", "a JSON object")
        while text.next_char() != "}":
            if names:
                text.take(",", "',' delimiter")
            name, _ = text.value(self.checking, 1 << 20)
            if not isinstance(name, str):
                raise text.error("Expecting property name enclosed in double quotes")
            if name in names:
                raise Refused(f"the key {name[:80]!r} appears twice in one object")
            names.add(name)
            text.take(":", "':' delimiter")
            if name == stream:
                yield from self.elements(text, stream)
                continue
            value, raw = text.value(self.checking, self.limits.bytes)
            _check_depth(raw, self.limits)
            yield name, value, ""
        text.take("}", "'}'")
        if text.next_char():
            raise text.error("Extra data")

    def elements(self, text: _Text, stream: str) -> Iterator[tuple[str, Any, str]]:
        if text.next_char() != "[":
            raise Refused(f"its {stream!r} is not an array")
        text.take("[", "'['")
        first = True
        while (char := text.next_char()) != "]":
            if not first:
                if char != ",":
                    raise text.error("Expecting ',' delimiter")
                text.at += 1
            first = False
            value, raw = text.value(self.parsing, self.limits.bytes)
            key = self.same(raw, value) if self.same else ""
            if not self.trusted and key not in self.checked:
                _check_depth(raw, self.limits)
                value = self.checking.decode(raw)
                if key and len(self.checked) < _SAME_KEPT:
                    self.checked.add(key)
            yield stream, value, key
        text.take("]", "']'")


#: How many distinct record texts a stream remembers as checked: the memory a file of records
#: all unlike (read at the checking parser's pace) may take.
_SAME_KEPT = 20_000


def _check_depth(raw: str, limits: Limits) -> None:
    if raw.count("[") + raw.count("{") > limits.depth and _depth_over(raw.encode(), limits.depth):
        raise Refused(f"nested more than {limits.depth} deep: not {limits.what}")


# --------------------------------------------------------------------------- XML


@dataclass(frozen=True)
class XmlShape:
    """How an XML schema's elements become the JSON shape of the same standard."""

    lists: frozenset[str]  # elements that may repeat: always a list
    integers: frozenset[str] = frozenset()  # made int when the text is digits only
    booleans: frozenset[str] = frozenset()  # made bool when the text is true or false
    references: frozenset[str] = frozenset()  # IDREFS: a list of the space-separated ids
    attributes: tuple[tuple[str, str], ...] = (("ObjectId", "@id"),)  # attribute -> key


class _Tree:
    """Builds dicts from expat's events; each completed ``stream`` child of the root is
    handed on at once and not kept, so a report of any size takes flat memory."""

    def __init__(self, shape: XmlShape, stream: str, limits: Limits) -> None:
        self.shape, self.stream, self.limits = shape, stream, limits
        self.stack: list[tuple[str, dict[str, Any], list[str]]] = []
        self.done: list[dict[str, Any]] = []
        self.root: dict[str, Any] | None = None

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if len(self.stack) >= self.limits.depth:
            raise Refused(f"nested more than {self.limits.depth} deep: not {self.limits.what}")
        node = {key: attributes[a] for a, key in self.shape.attributes if a in attributes}
        self.stack.append((tag.rpartition(" ")[2], node, []))

    def text(self, data: str) -> None:
        self.stack[-1][2].append(data)

    def end(self, tag: str) -> None:
        name, node, text = self.stack.pop()
        value: Any = node if node else self._leaf(name, "".join(text).strip())
        if not self.stack:
            self.root = node
        elif len(self.stack) == 1 and name == self.stream:
            self.done.append(value)
        else:  # a repeated element is a list: never the last one instead of the others
            parent = self.stack[-1][1]
            if name in self.shape.lists:
                parent.setdefault(name, []).append(value)
            elif name in parent:
                had = parent[name]
                parent[name] = [*(had if isinstance(had, list) else [had]), value]
            else:
                parent[name] = value

    def _leaf(self, name: str, text: str) -> Any:
        shape = self.shape
        if name in shape.integers and text.isdigit() and len(text) <= self.limits.digits:
            return int(text)
        if name in shape.booleans and text in ("true", "false"):
            return text == "true"
        if name in shape.references:
            return text.split()
        return text


def iter_xml(
    path: str | Path, shape: XmlShape, stream: str, limits: Limits
) -> Iterator[tuple[bool, dict[str, Any]]]:
    """Each ``stream`` child of the root as (False, dict), as it is read; then (True, the root
    without them).

    Refused: a DOCTYPE (so no entity is ever declared, expanded or fetched), nesting
    deeper than the limit, and gzip data that is damaged or inflates more than
    ``limits.ratio`` times.
    """
    from xml.parsers import expat

    tree = _Tree(shape, stream, limits)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = tree.start
    parser.EndElementHandler = tree.end
    parser.CharacterDataHandler = tree.text

    def refuse(*_: Any) -> int:
        raise Refused("it declares a DOCTYPE (entities): svcount reads no DTD")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    size, packed = Path(path).stat().st_size, _is_gzip(path)
    try:
        with _opened(path) as source:
            read = 0
            while block := source.read(1 << 20):
                read += len(block)
                if packed and read > max(RATIO_FLOOR, size * limits.ratio):
                    raise Refused(f"its gzip data inflates more than {limits.ratio} times")
                parser.Parse(block, False)
                yield from ((False, record) for record in tree.done)
                tree.done.clear()
            parser.Parse(b"", True)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise _damaged(exc) from None
    yield from ((False, record) for record in tree.done)
    if tree.root is not None:
        yield True, tree.root


def xml_error(exc: Exception, path: str) -> InputError:
    """An XML input's problem as one line naming the file (and line, where expat says)."""
    from xml.parsers import expat

    if isinstance(exc, expat.ExpatError):
        return InputError(
            f"not well-formed XML: {expat.errors.messages[exc.code]}", file=path, line=exc.lineno
        )
    if isinstance(exc, Refused):
        return InputError(f"refused: {exc}", file=path)
    if isinstance(exc, RecursionError):
        return InputError("nested too deeply to read", file=path)
    return InputError(f"cannot read the file: {getattr(exc, 'strerror', None) or exc}", file=path)
