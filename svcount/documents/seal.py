"""The one seal and the one validator of the JSON documents svcount writes and reads back.

A document is sealed with a ``digest``: the SHA-256 of everything else,
written canonically (:func:`seal`). It catches accidental and naive edits;
it is not a signature. :class:`Fields` reads a parsed document field by field,
each problem an :class:`~svcount.errors.InputError` naming the file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from svcount.errors import InputError, whole_number
from svcount.marks import shown
from svcount.model import Candidate, Method
from svcount.names import NameError_
from svcount.names import name as name_policy
from svcount.reading.hardened import read_json
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
