"""Signed returns: who sent a file, proved with an Ed25519 signature over its digest.

A local returning officer makes a key pair once (``svcount key new NAME``),
gives the public half to the police area returning officer, and signs every
file they send (``--sign KEY``). The PARO lists the public keys they trust in
one file and reads every return with ``--trust KEYS``: an unsigned file, a
file signed by a key not listed, or one whose signature does not match its
content is refused, naming the file and the signer.

The signature signs the document's ``digest`` (:mod:`svcount.documents.seal`),
which covers every other field, so no figure, option or name can change under
it. The cryptography is the ``cryptography`` package's; nothing here is
hand-written.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svcount.documents.seal import canonical_digest
from svcount.errors import InputError, UsageError
from svcount.names import name as name_policy
from svcount.names import name_in

if TYPE_CHECKING:  # imported where a key is made, read or used, so a count never loads them
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

__all__ = [
    "SIGNATURE",
    "Bound",
    "Signer",
    "SigningKey",
    "Trusted",
    "new_key",
    "read_key",
    "read_trusted",
    "sign",
    "signed_by",
    "signer_of",
    "verified",
]

#: The key under which a document holds its signature (outside its digest).
SIGNATURE = "signature"
#: What a key file begins with, and a public key line.
KEY_HEADER = "svcount signing key: "
PUBLIC_TAG = "svcount-ed25519"
#: What is signed: this, then the document's digest. No other message can pass for one.
_CONTEXT = b"svcount-signature/1\n"


@dataclass(frozen=True)
class Signer:
    """Who signed a file: their name and their key's fingerprint."""

    name: str
    fingerprint: str
    checked: bool = False  # against trusted keys; else only what the file says

    def record(self) -> dict[str, Any]:
        """As a signature names its signer."""
        return {"name": self.name, "fingerprint": self.fingerprint}

    def found(self) -> dict[str, Any]:
        """As a reader found it: with whether it was checked against trusted keys."""
        return {**self.record(), "checked": self.checked}

    def __str__(self) -> str:
        return f"{self.name} ({self.fingerprint})"


def _raw(public: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public: Ed25519PublicKey) -> str:
    """``SHA256:`` and the raw key's SHA-256 in hex, in groups of four: read aloud and
    compared by telephone a group at a time."""
    digest = hashlib.sha256(_raw(public)).hexdigest()
    return "SHA256:" + " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def _earlier_fingerprint(public: Ed25519PublicKey) -> str:
    """The fingerprint files signed by earlier versions carry (OpenSSH's unpadded base64): still
    found, so an earlier signed return is checked as it was."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(_raw(public)).digest()).decode().rstrip("=")


def _public_line(name: str, public: Ed25519PublicKey) -> str:
    return f"{PUBLIC_TAG} {base64.b64encode(_raw(public)).decode()} {name}\n"


@dataclass(frozen=True)
class SigningKey:
    """A private key and the name it signs as."""

    name: str
    private: Ed25519PrivateKey

    @property
    def signer(self) -> Signer:
        return Signer(self.name, fingerprint(self.private.public_key()))


def new_key(name: str) -> tuple[str, str, Signer]:
    """A new key pair for ``name``: the key file's text, the public line, and its signer."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    name = name_policy(name, "the key's name")
    if "|" in name:
        raise UsageError(
            f"the key's name {name!r} holds '|', which a public key's line uses to carry "
            "'areas=' and 'election=': choose a name without it"
        )
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    signer = Signer(name, fingerprint(private.public_key()))
    header = (
        f"{KEY_HEADER}{name}\n"
        f"Fingerprint: {signer.fingerprint}\n"
        "Keep this file secret: whoever holds it can sign as you.\n"
    )
    return header + pem, _public_line(name, private.public_key()), signer


def read_key(path: str) -> SigningKey:
    """A private key file written by ``svcount key new``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the signing key: {_why(exc)}", file=path) from None
    first = text.split("\n", 1)[0]
    if not first.startswith(KEY_HEADER) or "-----BEGIN PRIVATE KEY-----" not in text:
        raise InputError(
            "not an svcount signing key (make one with svcount key new NAME; "
            "a .pub file is the public half, for --trust)",
            file=path,
        )
    name = name_in(first[len(KEY_HEADER) :], "a signer's name", path, 1)
    try:
        private = serialization.load_pem_private_key(text.encode("utf-8"), password=None)
    except (ValueError, TypeError):
        raise InputError("the signing key is damaged: its key cannot be read", file=path) from None
    if not isinstance(private, Ed25519PrivateKey):
        raise InputError("not an Ed25519 key: make one with svcount key new NAME", file=path)
    return SigningKey(name, private)


def _why(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"


@dataclass(frozen=True)
class Bound:
    """What a trusted key may sign for: some areas only, one poll only (None: any)."""

    areas: tuple[str, ...] | None = None  # compared as names are, whatever the case
    election: str | None = None

    def refusal(self, document: Mapping[str, Any]) -> str | None:
        """Why this key may not sign ``document``, or None."""
        area = document.get("area")
        if self.areas is not None and (
            not isinstance(area, str) or area.casefold() not in {a.casefold() for a in self.areas}
        ):
            what = f"a return for {area!r}" if isinstance(area, str) else "a file of no area"
            return f"its key signs for {', '.join(self.areas)} only, and this is {what}"
        election = document.get("election")
        if self.election is not None and election != self.election:
            poll = f"the poll {election!r}" if election else "no named poll"
            return f"its key signs for the poll {self.election!r} only, and this file is for {poll}"
        return None


@dataclass(frozen=True)
class Trusted:
    """The public keys one trusts, by fingerprint, with the name each belongs to."""

    path: str
    keys: Mapping[str, tuple[str, Ed25519PublicKey]]
    bounds: Mapping[str, Bound] = field(default_factory=dict)  # by fingerprint
    earlier: Mapping[str, str] = field(default_factory=dict)  # an earlier fingerprint -> today's

    def current(self, mark: str) -> str:
        """The fingerprint a document's (perhaps earlier) fingerprint names today."""
        return self.earlier.get(mark, mark)


def read_trusted(path: str) -> Trusted:
    """A file of public keys: one ``svcount-ed25519 KEY NAME`` line each (``cat *.pub``).

    A line may go on with what its key may sign for: ``| areas=Blaby, Melton``
    (returns for those areas only) and ``| election=ID`` (files of that poll
    only). Blank lines and lines starting ``#`` are skipped. A key or a name
    listed twice is refused: each name must mean one key.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the trusted keys: {_why(exc)}", file=path) from None
    keys: dict[str, tuple[str, Ed25519PublicKey]] = {}
    bounds: dict[str, Bound] = {}
    names: dict[str, int] = {}
    earlier: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split(" ", 2)
        if len(parts) != 3 or parts[0] != PUBLIC_TAG:
            raise InputError(
                f"not a public key line: expected '{PUBLIC_TAG} KEY NAME', as svcount key new "
                "writes in NAME.pub",
                file=path,
                line=number,
            )
        try:
            public = Ed25519PublicKey.from_public_bytes(base64.b64decode(parts[1], validate=True))
        except (ValueError, binascii.Error):
            raise InputError("the public key is damaged", file=path, line=number) from None
        named, *limits = parts[2].split(" | ")
        name = name_in(named, "a signer's name", path, number)
        mark = fingerprint(public)
        if limits:
            bounds[mark] = _bound(limits, path, number)
        if mark in keys or name.casefold() in names:
            twice = "key" if mark in keys else f"name {name!r}"
            raise InputError(f"the {twice} is listed twice", file=path, line=number)
        keys[mark] = (name, public)
        earlier[_earlier_fingerprint(public)] = mark
        names[name.casefold()] = number
    if not keys:
        raise InputError("lists no public keys", file=path)
    return Trusted(path, keys, bounds, earlier)


def _bound(limits: list[str], path: str, line: int) -> Bound:
    """``areas=A, B`` and ``election=ID``, each at most once."""
    given: dict[str, str] = {}
    for limit in limits:
        key, equals, value = limit.partition("=")
        key = key.strip()
        if not equals or key not in ("areas", "election") or key in given or not value.strip():
            raise InputError(
                f"cannot read {limit.strip()!r}: a key may go on with '| areas=A, B' and "
                "'| election=ID', each once",
                file=path,
                line=line,
            )
        given[key] = value.strip()
    areas = None
    if "areas" in given:
        areas = tuple(name_in(a, "a signer's name", path, line) for a in given["areas"].split(","))
    return Bound(areas, given.get("election"))


def sign(text: str, key: SigningKey) -> str:
    """A sealed JSON document (as svcount writes it) signed by ``key``, resealed.

    The ``signature`` field sits just before the ``digest``, outside it; its
    ``value`` signs the digest, which covers everything else.
    """
    document: dict[str, Any] = json.loads(text)
    document.pop("digest", None)
    document.pop(SIGNATURE, None)
    digest = canonical_digest(document)
    value = key.private.sign(_CONTEXT + digest.encode("ascii"))
    signature = base64.b64encode(value).decode()
    document[SIGNATURE] = {**key.signer.record(), "value": signature}
    document["digest"] = digest
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def signer_of(document: Mapping[str, Any]) -> Signer | None:
    """Who a document says signed it (unchecked), or None when it is not signed."""
    block = document.get(SIGNATURE)
    if not isinstance(block, dict):
        return None
    name, mark = block.get("name"), block.get("fingerprint")
    return Signer(str(name), str(mark)) if isinstance(name, str) and isinstance(mark, str) else None


def verified(document: Mapping[str, Any], digest: str, path: str, trusted: Trusted) -> Signer:
    """The document's signer, checked against ``trusted``; else refused in one line.

    ``digest`` is the document's digest, already checked against its content.
    """
    from cryptography.exceptions import InvalidSignature

    claimed = signer_of(document)
    if claimed is None:
        raise InputError(
            f"not signed, and --trust {trusted.path} accepts only signed files "
            "(sign it with --sign KEY)",
            file=path,
        )
    mark = trusted.current(claimed.fingerprint)
    known = trusted.keys.get(mark)
    if known is None:
        raise InputError(f"signed by {claimed}, a key not in {trusted.path}: refused", file=path)
    name, public = known
    if name != claimed.name:
        raise InputError(
            f"signed as {claimed.name!r} with the key of {name!r} ({claimed.fingerprint}) "
            f"in {trusted.path}: refused",
            file=path,
        )
    try:
        value = base64.b64decode(str(document[SIGNATURE].get("value", "")), validate=True)
        public.verify(value, _CONTEXT + digest.encode("ascii"))
    except (InvalidSignature, ValueError, binascii.Error):
        raise InputError(
            f"the signature of {claimed} does not match the file's content: it was changed "
            "after it was signed, or signed by another key",
            file=path,
        ) from None
    why = trusted.bounds.get(mark, Bound()).refusal(document)
    if why is not None:
        raise InputError(f"signed by {claimed}, but {why} (in {trusted.path}): refused", file=path)
    return Signer(name, mark, checked=True)


def signed_by(
    document: Mapping[str, Any], digest: str, path: str, trusted: Trusted | None
) -> Signer | None:
    """The signer a reader reports: checked with ``--trust``, else as the file says it."""
    return signer_of(document) if trusted is None else verified(document, digest, path, trusted)
