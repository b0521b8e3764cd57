"""The one seal and the one validator of the JSON documents svcount writes and reads back.

A document is sealed with a ``digest``: the SHA-256 of everything else,
written canonically (:func:`seal`). It catches accidental and naive edits;
it is not a signature. :class:`Fields` reads a parsed document field by field,
each problem an :class:`~svcount.errors.InputError` naming the file.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from svcount.errors import InputError, whole_number
from svcount.marks import shown
from svcount.model import Candidate, Method
from svcount.names import NameError_
from svcount.names import name as name_policy
from svcount.reading.source import sha256_of

__all__ = ["TAMPERED", "Fields", "canonical_digest", "read_document", "read_json", "seal", "sealed"]

#: What every reader says of a document whose content does not match its digest.
TAMPERED = (
    "its content does not match its digest: the file was edited or damaged after it was "
    "written (the digest finds edits; it cannot prove who wrote a file)"
)


#: The fields a digest does not cover: itself, and the signature that signs it.
OUTSIDE_THE_DIGEST = ("digest", "signature")


def canonical_digest(document: Any) -> str:
    """SHA-256 of a JSON document's canonical form: what a file's ``digest`` records."""
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal(document: dict[str, Any]) -> dict[str, Any]:
    """The document with its ``digest``: SHA-256 of everything else, canonically written."""
    document["digest"] = canonical_digest(document)
    return document


def sealed(document: dict[str, Any]) -> str:
    """The sealed document as svcount writes it: indented JSON, one final newline."""
    return json.dumps(seal(document), indent=2, ensure_ascii=False) + "\n"


#: Limits on every JSON document svcount reads: far above any real one, far below harm.
MAX_JSON_BYTES = 64 << 20
MAX_JSON_DEPTH = 32
MAX_JSON_DIGITS = 30
_JSON_STRINGS = re.compile(rb'"(?:\\.|[^"\\])*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class _Refused(ValueError):
    """A JSON document that breaks a limit or repeats a key."""


def _depth(data: bytes) -> int:
    """How deeply the document nests arrays and objects (strings skipped)."""
    deepest = depth = 0
    for byte in _JSON_STRINGS.sub(b"", data).translate(None, _NOT_BRACKETS):
        depth += 1 if byte in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_DIGITS:
        raise _Refused(f"a number of {len(text):,} digits (at most {MAX_JSON_DIGITS})")
    return int(text)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"the key {key[:80]!r} appears twice in one object")
        out[key] = value
    return out


def _inflated(data: bytes) -> bytes:
    """A JSON file's bytes, a ``.gz`` one inflated (never past the size limit)."""
    if data[:2] != b"\x1f\x8b":
        return data
    import gzip
    import io
    import zlib

    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as inflating:
            inflated = inflating.read(MAX_JSON_BYTES + 1)
    except (OSError, EOFError, zlib.error):
        raise _Refused("a damaged gzip file") from None
    if len(inflated) > MAX_JSON_BYTES:
        raise _Refused(f"larger than {MAX_JSON_BYTES >> 20} MiB: not a document svcount wrote")
    return inflated


def read_json(path: str, *, decimals: bool = False) -> tuple[Any, bytes]:
    """A JSON file and its bytes; ``decimals`` keeps numbers' written precision.

    Refused with one line: a file over 64 MiB, nesting deeper than 32, a number
    of more than 30 digits, or a key twice in one object (which value would count?).
    """
    try:
        if Path(path).stat().st_size > MAX_JSON_BYTES:
            raise _Refused(f"larger than {MAX_JSON_BYTES >> 20} MiB: not a document svcount wrote")
        data = _inflated(Path(path).read_bytes())
        if _depth(data) > MAX_JSON_DEPTH:
            raise _Refused(f"nested more than {MAX_JSON_DEPTH} deep: not a document svcount wrote")
        doc = json.loads(
            data,
            parse_float=Decimal if decimals else float,
            parse_int=_integer,
            object_pairs_hook=_object,
        )
        return doc, data
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
    except _Refused as exc:
        raise InputError(f"refused: {exc}", file=path) from None
    except RecursionError:
        raise InputError("nested too deeply to read", file=path) from None


def read_document(path: str, not_an_object: str) -> tuple[dict[str, Any], str]:
    """A JSON object read from ``path``, and the SHA-256 of its bytes on disk."""
    doc, _ = read_json(path)
    if not isinstance(doc, dict):
        raise InputError(not_an_object, file=path)
    return doc, sha256_of(path)  # the bytes on disk, compressed or not, as for ballots


class Fields:
    """Typed access to a parsed document, each problem an InputError naming the file."""

    def __init__(self, doc: Mapping[str, Any], path: str | None) -> None:
        self.doc, self.path = doc, path

    def fail(self, message: str) -> InputError:
        return InputError(message, file=self.path)

    def text(self, key: str, doc: Mapping[str, Any] | None = None) -> str:
        value = (self.doc if doc is None else doc).get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{key} must be a non-empty string")
        return value

    def number(self, value: Any, where: str) -> int:
        try:
            return whole_number(value, where)
        except ValueError as exc:
            raise self.fail(str(exc)) from None

    def table(
        self, key: str, keys: Sequence[str], *, of: str = "", missing_hint: str = ""
    ) -> dict[str, int]:
        """``doc[key]``: a whole number for exactly ``keys`` (``of`` says what they are)."""
        value = self.doc.get(key)
        if not isinstance(value, dict):
            raise self.fail(f"{key} must be an object with a figure for each of: {', '.join(keys)}")
        missing = [k for k in keys if k not in value]
        if missing:
            raise self.fail(
                f"{key} has no figure for {', '.join(map(repr, missing))}{missing_hint}"
            )
        extra = [k for k in value if k not in keys]
        if extra:
            listed = of or "one of " + ", ".join(keys)
            raise self.fail(f"{key} names {', '.join(map(repr, extra))}, not {listed}")
        return {k: self.number(value[k], f"{key}[{k!r}]") for k in keys}

    def method(self) -> Method:
        try:
            return Method(str(self.doc.get("method")))
        except ValueError:
            raise self.fail("method must be sv or fptp") from None

    def candidates(self) -> tuple[Candidate, ...]:
        value = self.doc.get("candidates")
        if not isinstance(value, list) or not value:
            raise self.fail("candidates must be a non-empty list")
        out = []
        for entry in value:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise self.fail(f"a candidate must be an object with a name: {shown(repr(entry))}")
            party = entry.get("party")
            if party is not None and not isinstance(party, str):
                raise self.fail(f"a candidate's party must be a string: {shown(repr(entry))}")
            out.append(Candidate(self.name(entry["name"]), party and self.name(party, "party")))
        return tuple(out)

    def name(self, text: str, what: str = "name") -> str:
        """A name read back under the name policy, as every name is read."""
        try:
            return name_policy(text, what)
        except NameError_ as exc:
            raise self.fail(str(exc)) from None

    def names(self, key: str, allowed: Sequence[str]) -> tuple[str, ...]:
        value = self.doc.get(key)
        if not isinstance(value, list) or not all(v in allowed for v in value):
            raise self.fail(f"{key} must list candidates of this election")
        return tuple(value)

    def check(self, holds: bool, message: str) -> None:
        """One figure of the file's own arithmetic."""
        if not holds:
            raise self.fail(f"the figures do not add up: {message} (was the file edited?)")

    def sealed(self, unsealed: str) -> str:
        """The document's digest, checked; ``unsealed`` says what to do about a missing one.

        Check it last, once the arithmetic has named any specific slip.
        """
        digest = self.doc.get("digest")
        if not isinstance(digest, str):
            raise self.fail(unsealed)
        content = {k: v for k, v in self.doc.items() if k not in OUTSIDE_THE_DIGEST}
        if canonical_digest(content) != digest:
            raise self.fail(TAMPERED)
        return digest
