"""One policy for every name: candidates, parties, areas, titles, lots (README, "Bad input").

Whatever file or option a name comes from, it passes :func:`name` (or
:func:`problem` where problems are collected with their lines) before
anything else sees it:

- NFC normalisation, surrounding whitespace trimmed, and every Unicode space
  (no-break, thin, ideographic, ...) folded to U+0020 with runs collapsed, so
  a look-alike spelling is the same name, never a twin;
- refused, naming the code point: control characters (C0, C1, DEL, so line
  breaks and tabs too), format characters (zero-width spaces and joiners,
  the BOM, bidi embeddings, overrides and isolates), line and paragraph
  separators, surrogates, unassigned and private-use code points, and every
  character that prints as nothing whatever its category (Hangul fillers,
  variation selectors, the blank Braille pattern: :func:`invisible`);
- at most :data:`MAX_NAME` characters: a huge "name" is an error, not a flood.

So no output can carry a character from input that moves the cursor,
clears a terminal, opens a hyperlink, reverses text or breaks a line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from svcount.errors import InputError

__all__ = [
    "LOOK_ALIKE_LIMIT",
    "MAX_NAME",
    "NameError_",
    "ballot_order",
    "describe",
    "escaped",
    "invisible",
    "look_alikes",
    "name",
    "name_in",
    "normal",
    "problem",
]

#: The longest name (or field of a ballot file) accepted, in characters.
MAX_NAME = 200

#: Every Unicode space separator (category Zs); a run of them is one U+0020.
_SPACES = re.compile("[\u0020\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
#: Unicode categories that never belong in a name: control, format, surrogate,
#: private use, unassigned; and the line and paragraph separators.
_REFUSED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
#: Characters that render as nothing whatever their category: Unicode's
#: Default_Ignorable_Code_Point (DerivedCoreProperties.txt: Hangul fillers are
#: letters, variation selectors marks), and the blank Braille pattern. A name
#: holding one would print the same as the name without it: a twin.
_INVISIBLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


def invisible(ch: str) -> bool:
    """Whether ``ch`` renders as nothing (or as a blank), so two names could print alike."""
    code = ord(ch)
    return any(low <= code <= high for low, high in _INVISIBLE)


class NameError_(ValueError):  # noqa: N801 - the builtin NameError means something else
    """A name the policy refuses; the message names the code point or the length."""


def normal(text: str) -> str:
    """The name as compared and shown: NFC, trimmed, every space one U+0020."""
    folded = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", folded).strip()


def describe(ch: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``."""
    label = unicodedata.name(ch, "") or {
        "Cc": "a control character",
        "Cn": "unassigned",
        "Co": "private use",
        "Cs": "a surrogate",
    }.get(unicodedata.category(ch), "")
    return f"U+{ord(ch):04X} {label}".rstrip()


def problem(text: str, limit: int = MAX_NAME) -> str | None:
    """Why the policy refuses ``text`` (already :func:`normal`), or None.

    The length first: a field of millions of characters is refused at once.
    """
    if len(text) > limit:
        return f"is {len(text):,} characters long; a name is at most {limit:,}"
    for ch in text:
        if unicodedata.category(ch) in _REFUSED:
            return f"contains {describe(ch)}, which a name may not hold"
        if invisible(ch):
            return f"contains {describe(ch)}, which prints as nothing: a name may not hold it"
    return None


def escaped(text: str) -> str:
    """``text`` safe to show on a terminal: each character the policy refuses written as an
    escape (``\x1b``, ``\n``, ``\u202e``), so a file name cannot clear the screen, break
    a line or reverse the text after it."""
    out = []
    for ch in text:
        if unicodedata.category(ch) in _REFUSED or invisible(ch):
            code = ord(ch)
            ch = f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
            ch = ch if code < 0x10000 else f"\\U{code:08x}"
        out.append(ch)
    return "".join(out)


def name(text: str, what: str = "name") -> str:
    """``text`` under the policy: normalised, or :class:`NameError_` saying why not."""
    value = normal(text)
    why = problem(value)
    if why is not None:
        shown = repr(value[:40]) + ("…" if len(value) > 40 else "")
        raise NameError_(f"{what} {shown} {why}")
    return value


def name_in(text: str, what: str, file: str | None, line: int | None = None) -> str:
    """:func:`name` for a name read from a file: a refusal names the file and line."""
    try:
        return name(text, what)
    except NameError_ as exc:
        raise InputError(str(exc), file=file, line=line) from None


def _spelled_alike(name: str) -> str:
    """A name with accents, punctuation, case and spaces taken away."""
    bare = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in bare.casefold() if ch.isalnum())


def _within(a: str, b: str, limit: int) -> bool:
    """Whether ``a`` becomes ``b`` in at most ``limit`` edits (Levenshtein, cut short)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ch in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ch != other))
            )
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


#: Above this many names, only those spelled alike are compared (pairs grow fast).
LOOK_ALIKE_LIMIT = 300


def ballot_order(text: str) -> tuple[str, str, str]:
    """A name's place on a ballot paper: by surname, then the other names (the UK's order).

    The surname is what comes before a comma ("ARCHER, Ann"), else the last word.
    """
    if "," in text:
        surname, _, others = text.partition(",")
    else:
        others, _, surname = text.rpartition(" ")
    return surname.strip().casefold(), others.strip().casefold(), text


def look_alikes(votes: Mapping[str, int]) -> list[tuple[str, str]]:
    """Pairs (name, the name it looks like a typo of), the second with more votes.

    Two names spelled alike but for accents, punctuation or case; or a name
    with at most a tenth of another's votes within two edits of it (one edit
    for names of five letters or fewer).
    """
    names = sorted(votes, key=lambda n: (-votes[n], n))
    spelled = {n: _spelled_alike(n) for n in names}
    found = []
    for i, big in enumerate(names):
        for small in names[i + 1 :]:
            limit = 1 if min(len(small), len(big)) <= 5 else 2
            typo = (
                len(names) <= LOOK_ALIKE_LIMIT
                and votes[small] * 10 <= votes[big]
                and _within(small, big, limit)
            )
            if spelled[small] == spelled[big] or typo:
                found.append((small, big))
    return found
