"""``svcount key``: the signing keys of the staged count, made and shown; --sign and --trust read.

Each local returning officer makes a key pair once, keeps ``NAME.key`` secret
and gives ``NAME.pub`` to the police area returning officer, who gathers them
into one file of trusted keys (``cat *.pub > trusted.pub``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from svcount.shell.emit import Commands, fail, say

if TYPE_CHECKING:
    from svcount.documents.signing import SigningKey, Trusted

__all__ = ["key_app", "signing_key", "trusted_keys"]

key_app = typer.Typer(
    cls=Commands,
    help="Signing keys for signed returns: make a key pair, or show a key's fingerprint.",
    no_args_is_help=True,
)


def signing_key(path: Path | None) -> SigningKey | None:
    """The key of ``--sign``, read, or None."""
    if path is None:
        return None
    from svcount.documents.signing import read_key

    return read_key(str(path))


def trusted_keys(path: Path | None) -> Trusted | None:
    """The keys of ``--trust``, read, or None."""
    if path is None:
        return None
    from svcount.documents.signing import read_trusted

    return read_trusted(str(path))


def _file_stem(name: str) -> str:
    """A file name for a person's name: lower case, words joined by hyphens."""
    stem = re.sub(r"[^\w]+", "-", name.casefold()).strip("-")
    return stem or "key"


@key_app.command("new")
def new(
    name: Annotated[str, typer.Argument(help="Whose key: the name its signatures carry.")],
    folder: Annotated[
        Path, typer.Option("--dir", help="Where to write NAME.key and NAME.pub.")
    ] = Path("."),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No words on stderr.")] = False,
) -> None:
    """Make an Ed25519 key pair: NAME.key (secret, for --sign) and NAME.pub (for --trust).

    An existing key is never overwritten. Exit codes: 0 made, 2 bad name or folder.
    """
    from svcount.documents.signing import new_key
    from svcount.documents.writing import write_atomic
    from svcount.names import NameError_

    try:
        private, public, signer = new_key(name)
    except NameError_ as exc:
        fail(str(exc))
    stem = _file_stem(name)
    key_path, pub_path = folder / f"{stem}.key", folder / f"{stem}.pub"
    for path in (key_path, pub_path):
        if os.path.lexists(path):  # a dangling link too: never written through
            fail(f"{path}: already exists; a key is never overwritten (move it, or give --dir)")
    if not folder.is_dir():
        fail(f"{folder}: no such folder")
    try:  # O_EXCL with O_NOFOLLOW: a link put there since is refused, not followed
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(key_path, flags, 0o600), "w", encoding="utf-8") as out:
            out.write(private)  # secret: readable by you alone
    except OSError as exc:
        fail(f"{key_path}: cannot write the key: {exc.strerror or exc}")
    try:
        write_atomic(pub_path, public)
    finally:
        if not pub_path.exists():  # a key without its public half is no use: none at all
            key_path.unlink(missing_ok=True)
    fingerprint = signer.fingerprint
    say(f"wrote {key_path} (secret: sign with --sign {key_path}) and {pub_path}", quiet)
    say(f"{pub_path} goes to whoever checks your files; its fingerprint is {fingerprint}", quiet)
    typer.echo(fingerprint)


@key_app.command("show")
def show(
    key: Annotated[Path, typer.Argument(help="A key file: NAME.key, NAME.pub, or trusted keys.")],
) -> None:
    """Print each key's name and fingerprint, to read out and compare by telephone.

    Exit codes: 0 shown, 2 not a key file.
    """
    from svcount.documents.signing import read_key, read_trusted

    text = key.read_text(encoding="utf-8", errors="replace") if key.is_file() else ""
    if "PRIVATE KEY" in text:
        signer = read_key(str(key)).signer
        typer.echo(f"{signer.fingerprint}  {signer.name}")
        return
    for mark, (name, _) in read_trusted(str(key)).keys.items():
        typer.echo(f"{mark}  {name}")
