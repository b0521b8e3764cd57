"""NIST SP 1500-103 cast vote records in XML, read as their JSON form is, a CVR at a time.

NIST publishes its examples in XML, and vendors export it. Each element
becomes the JSON form's field (``ObjectId`` its ``@id``; repeated elements
lists; ranks and counts numbers; ``CandidateIds`` a list), so
reading/nist_cvr.py gives both forms one meaning, one set of messages. The
file is streamed by reading/hardened.py (expat, no DTD): one pass for all
but the CVRs, then one CVR at a time, so memory stays flat however many.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from svcount.errors import InputError
from svcount.reading.hardened import Limits, Refused, XmlShape, iter_xml, xml_error
from svcount.reading.nist_cvr import CvrPapers, of_report, unit_of

__all__ = ["SHAPE", "detect", "papers"]

_ROOT = "CastVoteRecordReport"
#: The elements the standard lets repeat, the numbers, the flags and the id lists.
SHAPE = XmlShape(
    lists=frozenset(
        "CVR CVRSnapshot CVRContest CVRContestSelection SelectionPosition Status Election "
        "Candidate Contest ContestSelection GpUnit Party ReportingDevice ReportType Code "
        "BallotImage Annotation ExternalIdentifier".split()
    ),
    integers=frozenset(
        "Rank NumberVotes VotesAllowed NumberElected Position OptionPosition "
        "TotalNumberVotes Overvotes Undervotes".split()
    ),
    booleans=frozenset({"IsWriteIn"}),
    references=frozenset({"CandidateIds", "ReportGeneratingDeviceIds", "PartyIds"}),
)
#: Streamed: no limit on the size, only on nesting and on gzip's ratio.
LIMITS = Limits(bytes=1 << 62, what="a cast vote record report")


def detect(head: bytes) -> bool:
    """Whether a file starting with ``head`` is an XML cast vote record report."""
    for encoding in ("utf-16", "utf-8") if head[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8",):
        text = head.decode(encoding, errors="ignore").lstrip("\ufeff \t\r\n")
        if text.startswith("<") and _ROOT in text:
            return True
    return False


def _cvrs(path: str, file: str) -> Iterator[tuple[Any, str]]:
    """The report's CVRs, one at a time, each problem one line naming the file."""
    from xml.parsers import expat

    try:
        for is_root, cvr in iter_xml(path, SHAPE, "CVR", LIMITS):
            if not is_root:
                yield cvr, ""
    except (Refused, OSError, RecursionError, expat.ExpatError) as exc:
        raise xml_error(exc, file) from None


def papers(path: str, file: str, contest: str | None) -> CvrPapers:
    """The papers of ``contest`` (the only one when None) in the XML report at ``path``."""
    from xml.parsers import expat

    units: set[str] = set()
    report: dict[str, Any] = {}
    try:
        for is_root, item in iter_xml(path, SHAPE, "CVR", LIMITS):
            if is_root:
                report = item
            else:
                units.add(unit_of(item))
    except (Refused, OSError, RecursionError, expat.ExpatError) as exc:
        raise xml_error(exc, file) from None
    if not report and not units:
        raise InputError(f"not a cast vote record report ({_ROOT})", file=file)
    report["@type"] = "CVR.CastVoteRecordReport"
    return of_report(report, units, lambda: _cvrs(path, file), file, contest)
