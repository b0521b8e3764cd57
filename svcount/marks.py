"""From what is written on the papers to what the count can use (rules 1-2).

Works on *distinct* (first, second, rejected) field values with their number
of papers, never on rows, so it costs the same for a hundred papers or fifty
million. Pure: the reader finds line numbers for any problem reported here.
"""

from __future__ import annotations

import enum
import functools
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from svcount.errors import MarkError, MarkProblem, did_you_mean
from svcount.model import Ballots, Candidate, Marked, NotCounted, Rejection, Second, is_missing
from svcount.names import ballot_order, normal, problem

__all__ = [
    "Classified",
    "Field",
    "MarkRules",
    "Outcome",
    "RawKey",
    "classify",
    "classify_by_area",
    "area_order",
    "fold",
    "heading_of",
    "Marked",  # from model: re-exported, as the readers name it with Field
    "rule_1",
    "rule_2",
    "shown",
]


#: A preference as the source gives it: a CSV field's text, or a structured record's marks.
Field = str | Marked
#: (first preference, second preference, rejected) exactly as written; "" when absent.
RawKey = tuple[Field, Field, str]
#: Without a candidate list, the most distinct first preferences taken as candidates.
MAX_INFERRED = 1000


@dataclass(frozen=True)
class MarkRules:
    """How marks are written in the ballot file."""

    separators: str = "|;"  # each character separates several names in one field
    uncertain: str = "?"  # a field holding just this is void for uncertainty
    unknown_as_void: bool = False  # with a candidate list: unknown names are uncertain
    fptp: bool = False  # counted first past the post: one heading for unmarked or uncertain
    case_forgiven: bool = False  # readings: a name differing only in case is that candidate


Outcome = tuple[str, Second] | Rejection


@dataclass(frozen=True)
class Classified:
    ballots: Ballots
    warnings: tuple[MarkProblem, ...]  # worth telling the user; the count goes on
    notes: tuple[str, ...]  # for --verbose
    outcomes: Mapping[RawKey, Outcome]  # what each distinct raw key became

    def ballots_for(self, raw: Mapping[RawKey, int]) -> Ballots:
        """Some of the papers (one voting area's), classified the same way."""
        pairs: Counter[tuple[str, Second]] = Counter()
        rejected: Counter[Rejection] = Counter()
        for key, papers in raw.items():
            if papers <= 0:
                continue
            outcome = self.outcomes[_clean(key)]
            if isinstance(outcome, Rejection):
                rejected[outcome] += papers
            else:
                pairs[outcome] += papers
        return Ballots(candidates=self.ballots.candidates, pairs=pairs, rejected=rejected)


class _Kind(enum.Enum):
    BLANK = "blank"
    UNCERTAIN = "uncertain"
    SEVERAL = "several"
    NAME = "name"


def fold(text: str) -> str:
    """Text as compared for headers and adjudications: case, spaces and punctuation removed."""
    return re.sub(r"[^0-9a-z]", "", text.casefold())


# Values of an adjudication column, matched after folding (see ``fold``).
_ADJUDICATION_SPELLINGS: dict[str, Rejection | None] = {
    **dict.fromkeys(("", "no", "none", "false", "0", "valid", "accepted", "ok", "counted"), None),
    **dict.fromkeys(("want_of_official_mark", "official_mark", "no_official_mark"),
                    Rejection.WANT_OF_OFFICIAL_MARK),
    **dict.fromkeys(("voting_for_more_than_one_candidate", "more_than_one_candidate",
                     "more_than_one", "overvote"), Rejection.MORE_THAN_ONE_CANDIDATE),
    **dict.fromkeys(("writing_or_mark_identifying_voter", "identifying_mark", "identifiable",
                     "identified", "writing_or_mark_by_which_the_voter_could_be_identified"),
                    Rejection.IDENTIFYING_MARK),
    **dict.fromkeys(("unmarked", "blank"), Rejection.UNMARKED),
    **dict.fromkeys(("void_for_uncertainty", "uncertain", "uncertainty", "void"),
                    Rejection.VOID_FOR_UNCERTAINTY),
}  # fmt: skip
_ADJUDICATIONS = {fold(k): v for k, v in _ADJUDICATION_SPELLINGS.items()}


def heading_of(value: str) -> Rejection | None:
    """The heading of the statement an adjudication value names, or None (valid, or no heading)."""
    return _ADJUDICATIONS.get(fold(value))


_MERGED = fold(Rejection.UNMARKED_OR_VOID.value)
ADJUDICATION_VALUES = (
    "want_of_official_mark",
    "voting_for_more_than_one_candidate",
    "writing_or_mark_identifying_voter",
    "unmarked",
    "void_for_uncertainty",
)


class _FieldReader:
    """Reads one field's text into a kind and its names, once per distinct value.

    Blanks, separators and the uncertain marker are resolved before any name
    is read, so a field made only of them (``|``, ``?|?``, ``??``) is never a
    name. How odd marks read is documented in the README ("The ballot file").
    """

    def __init__(self, rules: MarkRules) -> None:
        self.rules = rules
        self.split = (
            re.compile("[" + re.escape(rules.separators) + "]") if rules.separators else None
        )
        self.cache: dict[Field, tuple[_Kind, tuple[str, ...]]] = {}

    def __call__(self, value: Field) -> tuple[_Kind, tuple[str, ...]]:
        hit = self.cache.get(value)
        if hit is None:
            hit = self.cache[value] = (
                self._read(value) if isinstance(value, str) else _marked(value)
            )
        return hit

    def _uncertain(self, part: str) -> bool:
        marker = self.rules.uncertain
        return bool(part and marker) and not part.replace(marker, "").strip()

    def _read(self, value: str) -> tuple[_Kind, tuple[str, ...]]:
        text = normal(value)
        parts = [text] if self.split is None else self.split.split(text)
        names: dict[str, None] = {}
        uncertain = False
        for part in map(normal, parts):
            if self._uncertain(part):
                uncertain = True
            elif part:
                names[part] = None
        # "?", "?|?", or a name with "?": the voter's choice is not clear
        return _kind_of(tuple(names), uncertain)


def _marked(value: Marked) -> tuple[_Kind, tuple[str, ...]]:
    """A structured preference's kind: its names are apart already, and never split."""
    names = tuple(dict.fromkeys(n for n in map(normal, value.names) if n))
    return _kind_of(names, value.uncertain, value.overvoted)


def _kind_of(
    names: tuple[str, ...], uncertain: bool, overvoted: bool = False
) -> tuple[_Kind, tuple[str, ...]]:
    """A field's kind from its distinct names, whether a mark is uncertain, and whether the
    source says it is overvoted: one rule for a CSV's text and a structured record."""
    if overvoted:
        return _Kind.SEVERAL, names
    if uncertain:
        return _Kind.UNCERTAIN, names
    if not names:
        return _Kind.BLANK, ()
    return (_Kind.SEVERAL if len(names) > 1 else _Kind.NAME), names


_ROLE_LABEL = {
    "first": "first preference",
    "second": "second preference",
    "rejected": "rejected",
    "area": "area",
}


class _Problems:
    """Collects problems per (role, name), keeping every raw spelling to locate."""

    def __init__(self) -> None:
        self.papers: Counter[tuple[str, Field]] = Counter()
        self.values: defaultdict[tuple[str, Field], dict[Field, None]] = defaultdict(dict)
        self.text: dict[tuple[str, Field], str] = {}

    def add(self, role: str, name: Field, raw: Field, papers: int, text: str) -> None:
        key = (role, name)
        self.papers[key] += papers
        self.values[key][raw] = None
        self.text[key] = text

    def as_tuple(self) -> tuple[MarkProblem, ...]:
        return tuple(
            MarkProblem(
                role=role,
                values=tuple(self.values[(role, name)]),
                papers=self.papers[(role, name)],
                message=self.text[(role, name)],
            )
            for role, name in sorted(self.text, key=lambda k: (-self.papers[k], k[0], str(k[1])))
        )


def shown(value: Field, limit: int = 80) -> str:
    """``repr(value)``, cut to about ``limit`` characters: messages never echo a huge field.

    A structured preference shows as its marks: ``'Ann' and 'Bob'``, ``an uncertain mark``.
    """
    if isinstance(value, Marked):
        said = [shown(n, limit) for n in value.names]
        said += ["an uncertain mark"] if value.uncertain else []
        return " and ".join(said) or "no mark"
    return repr(value) if len(value) <= limit else repr(value[:limit]) + "…"


def _field(value: object) -> Field:
    """A preference as given: a structured one as it is; missing (``None``, ``NaN``) blank."""
    if isinstance(value, Marked):
        return value
    return "" if is_missing(value) else str(value)


def _clean(key: tuple[object, ...]) -> RawKey:
    """A raw key with missing values (``None``, ``NaN``) read as blanks."""
    first, second, rejected = key
    return _field(first), _field(second), "" if is_missing(rejected) else str(rejected)


def rule_1(adjudicated: Rejection | None, kind: _Kind) -> Rejection | None:
    """Rule 1: the heading under which the whole paper is rejected, or None if it is valid.

    Count staff's adjudication comes first; otherwise the first-preference
    field decides: blank is unmarked, several names are more than one, and
    the uncertain marker is void for uncertainty.
    """
    return adjudicated if adjudicated is not None else _FIRST_REJECTION.get(kind)


def rule_2(kind: _Kind, name: str | None) -> Second:
    """Rule 2: a valid paper's second preference, or why it cannot be counted.

    ``name`` is None for a name that is not a candidate (``--unknown-as-void``,
    or no candidate list): void for uncertainty. "Same as the first" is decided
    once, where :class:`~svcount.model.Ballots` is built.
    """
    if kind is not _Kind.NAME:
        return _SECOND_NOT_COUNTED[kind]
    return NotCounted.UNCERTAIN if name is None else name


Adjudicated = list[tuple[RawKey, int, Rejection | None]]


@functools.lru_cache(maxsize=1 << 14)  # a field is in many pairs: each checked once
def _field_problem(value: Field, separators: str) -> str | None:
    """Why a field's names are refused: each name is read trimmed, as the field is whole.

    So ``Ann|<TAB>Ann`` is Ann twice, as ``<TAB>Ann`` is Ann; a tab inside a name is still
    refused. A structured preference's names are checked one by one."""
    if isinstance(value, Marked):
        parts = list(value.names)
    elif separators:
        parts = re.split("[" + re.escape(separators) + "]", value)
    else:
        parts = [value]
    return next((why for part in parts if (why := problem(normal(part)))), None)


def _adjudicated(
    raw: Mapping[RawKey, int], problems: _Problems, fptp: bool, separators: str
) -> Adjudicated:
    """Each distinct key with its papers and adjudication; control characters are problems.

    First past the post's own heading, unmarked or void for uncertainty (as
    svcount prints it), is one heading there, and two under the supplementary
    vote: there it must be given as one or the other.
    """
    out: Adjudicated = []
    for key, papers in raw.items():
        first_raw, second_raw, adjudication = key
        if papers <= 0:
            continue
        controls = [
            (role, value, why)
            for role, value in (("first", first_raw), ("second", second_raw))
            if (why := _field_problem(value, separators))
        ]
        for role, value, why in controls:
            problems.add(role, value, value, papers, f"{_ROLE_LABEL[role]} {shown(value)} {why}")
        verdict = fold(adjudication)
        if verdict == _MERGED:
            if fptp:  # the statement counts unmarked and uncertain papers together
                out.append((key, papers, Rejection.VOID_FOR_UNCERTAINTY))
                continue
            problems.add(
                "rejected",
                adjudication,
                adjudication,
                papers,
                f"rejected value {shown(adjudication)} is first past the post's heading: "
                "under the supplementary vote say which, unmarked or void_for_uncertainty",
            )
        elif verdict not in _ADJUDICATIONS:
            problems.add(
                "rejected",
                adjudication,
                adjudication,
                papers,
                f"rejected value {shown(adjudication)} is not a heading of the statement "
                f"(use one of: {', '.join(ADJUDICATION_VALUES)}, or leave it blank)",
            )
        elif not controls:
            out.append((key, papers, _ADJUDICATIONS[verdict]))
    return out


def _roster(
    papers_of: Adjudicated, candidates: Sequence[Candidate] | None, read: _FieldReader
) -> tuple[Candidate, ...]:
    """The candidates given, or else the distinct valid first preferences."""
    if candidates is not None:
        return tuple(candidates)
    firsts: Counter[str] = Counter()
    for (first_raw, _, _), papers, adjudicated in papers_of:
        kind, names = read(first_raw)
        if rule_1(adjudicated, kind) is None:
            firsts[names[0]] += papers
    if len(firsts) > MAX_INFERRED:
        example, papers = firsts.most_common()[-1]
        raise MarkError(
            (
                MarkProblem(
                    "first",
                    (example,),
                    papers,
                    f"the first-preference column holds {len(firsts):,} different names, more "
                    f"than any ballot paper lists (at most {MAX_INFERRED:,} without "
                    "--candidates): is it the right column? Give --candidates to count them",
                ),
            )
        )
    return _infer_candidates(firsts)


@dataclass
class _Resolver:
    """Names to candidates; unknown names and case twins collected as problems or warnings."""

    roster: tuple[Candidate, ...]
    listed: bool  # the candidates were given, not inferred
    rules: MarkRules  # unknown_as_void; case_forgiven (an audit board's readings, by hand)
    problems: _Problems
    warnings: _Problems

    def __post_init__(self) -> None:
        self.known = {c.name for c in self.roster}
        self.folded = {c.name.casefold(): c.name for c in self.roster}

    def __call__(self, role: str, name: str, raw: Field, papers: int, counted: bool) -> str | None:
        """The candidate ``name`` stands for, or None."""
        if name in self.known:
            return name
        if self.rules.case_forgiven and name.casefold() in self.folded:
            return self.folded[name.casefold()]
        label = _ROLE_LABEL[role]
        if name.casefold() in self.folded and (counted or self.listed):
            self.problems.add(
                role,
                name,
                raw,
                papers,
                f"{label} {shown(name)} differs only in case from the candidate "
                f"{self.folded[name.casefold()]!r}: correct the file or the candidate list",
            )
        elif self.listed and not self.rules.unknown_as_void:
            message = f"{label} {shown(name)} is not a candidate"
            self.problems.add(
                role, name, raw, papers, message + did_you_mean(name, sorted(self.known))
            )
        elif not self.listed and counted and role == "second":
            self.warnings.add(
                role,
                name,
                raw,
                papers,
                f"second preference {shown(name)} is nobody's first preference, so it is "
                "not a known candidate: counted as void for uncertainty "
                "(give --candidates to list every candidate)",
            )
        return None


def classify(
    raw: Mapping[RawKey, int],
    candidates: Sequence[Candidate] | None = None,
    rules: MarkRules | None = None,
) -> Classified:
    """Classify distinct raw marks into valid pairs and rejected papers (rules 1-2).

    Without ``candidates`` the candidates are the distinct valid first
    preferences. Raises :class:`MarkError` for names that are unknown or differ
    from a candidate only in case; never merges them silently. With a
    candidate list every name on every paper is checked, valid or not.
    """
    rules = rules or MarkRules()
    read = _FieldReader(rules)
    problems, warnings = _Problems(), _Problems()
    cleaned: Counter[RawKey] = Counter()
    for key, papers in raw.items():
        cleaned[_clean(key)] += papers
    papers_of = _adjudicated(cleaned, problems, rules.fptp, rules.separators)
    roster = _roster(papers_of, candidates, read)
    resolve = _Resolver(roster, candidates is not None, rules, problems, warnings)
    rejected: Counter[Rejection] = Counter()
    pairs: Counter[tuple[str, Second]] = Counter()
    outcomes: dict[RawKey, Outcome] = {}
    for key, papers, adjudicated in papers_of:
        first_raw, second_raw, _ = key
        first_kind, first_names = read(first_raw)
        second_kind, second_names = read(second_raw)
        heading = rule_1(adjudicated, first_kind)
        valid = heading is None
        resolved = [
            resolve(role, name, raw_value, papers, valid and kind is _Kind.NAME)
            for role, raw_value, kind, names in (
                ("first", first_raw, first_kind, first_names),
                ("second", second_raw, second_kind, second_names),
            )
            for name in names
        ]
        if rules.unknown_as_void:  # "Ann|Xavier" marks one candidate and an uncertain name
            first_kind, second_kind = _known_kinds(first_kind, second_kind, resolved, first_names)
            heading = rule_1(adjudicated, first_kind)
        if valid and resolved[0] is None:  # an unknown first preference, --unknown-as-void
            heading = Rejection.VOID_FOR_UNCERTAINTY
        if heading is not None:
            outcomes[key] = heading
            rejected[heading] += papers
            continue
        first = resolved[0]
        assert first is not None
        second = rule_2(second_kind, resolved[1] if second_kind is _Kind.NAME else None)
        outcomes[key] = (first, second)
        pairs[(first, second)] += papers
    if problems.text:
        raise MarkError(problems.as_tuple())
    return Classified(
        ballots=Ballots(candidates=roster, pairs=pairs, rejected=rejected),
        warnings=warnings.as_tuple(),
        notes=_merge_notes(cleaned, read),
        outcomes=outcomes,
    )


def _known_kinds(
    first: _Kind, second: _Kind, resolved: Sequence[str | None], first_names: Sequence[str]
) -> tuple[_Kind, _Kind]:
    """Both fields' kinds, unknown names read as uncertain.

    ``resolved`` holds the first field's names, then the second's.
    """
    split = len(first_names)
    return _known_kind(first, resolved[:split]), _known_kind(second, resolved[split:])


def _known_kind(kind: _Kind, resolved: Sequence[str | None]) -> _Kind:
    """A multiple mark, unknown names read as uncertain (``--unknown-as-void``).

    Two or more candidates named still vote for more than one; one candidate
    and an unknown name is void for uncertainty, as the README says.
    """
    if kind is _Kind.SEVERAL and sum(name is not None for name in resolved) < 2:
        return _Kind.UNCERTAIN
    return kind


_FIRST_REJECTION = {
    _Kind.BLANK: Rejection.UNMARKED,
    _Kind.UNCERTAIN: Rejection.VOID_FOR_UNCERTAINTY,
    _Kind.SEVERAL: Rejection.MORE_THAN_ONE_CANDIDATE,
}
_SECOND_NOT_COUNTED = {
    _Kind.BLANK: NotCounted.BLANK,
    _Kind.UNCERTAIN: NotCounted.UNCERTAIN,
    _Kind.SEVERAL: NotCounted.MORE_THAN_ONE,
}


def _infer_candidates(firsts: Counter[str]) -> tuple[Candidate, ...]:
    """Candidates from first preferences, in ballot order (by surname: README, "Formats").

    Of spellings that differ only in case the most frequent is taken as the
    candidate; ``resolve`` then reports the others as errors.
    """
    by_fold: defaultdict[str, list[str]] = defaultdict(list)
    for name in firsts:
        by_fold[name.casefold()].append(name)
    chosen = sorted(
        (min(spellings, key=lambda n: (-firsts[n], n)) for spellings in by_fold.values()),
        key=ballot_order,
    )
    return tuple(Candidate(n) for n in chosen)


def _merge_notes(raw: Mapping[RawKey, int], read: _FieldReader) -> tuple[str, ...]:
    """Say which different spellings were counted as one name (for --verbose)."""
    spellings: defaultdict[str, set[str]] = defaultdict(set)
    for first, second, _ in raw:
        for value in (first, second):
            kind, names = read(value)
            written = value if isinstance(value, str) else value.names[0] if value.names else ""
            if kind is _Kind.NAME and written != names[0]:
                spellings[names[0]].add(written)
    return tuple(
        f"counted {', '.join(repr(v) for v in sorted(vs))} as {name!r} "
        "(surrounding whitespace or Unicode normalisation)"
        for name, vs in sorted(spellings.items())
    )


def classify_by_area(
    counts: Mapping[tuple[Field, Field, str, str], int],
    has_areas: bool,
    candidates: Sequence[Candidate] | None = None,
    rules: MarkRules | None = None,
) -> tuple[Classified, dict[str, Ballots] | None]:
    """Distinct raw rows (first, second, rejected, area) classified (rules 1-2), split by area.

    Areas are read as names are; raises :class:`MarkError` (not yet located).
    """
    union: Counter[RawKey] = Counter()
    by_area: dict[str, Counter[RawKey]] = {}
    spellings: dict[str, list[str]] = {}
    for (first, second, rejected, area), papers in counts.items():
        if not papers:
            continue  # an aggregated row of 0 papers counts nothing, not even its area
        union[(first, second, rejected)] += papers
        if has_areas:
            name = normal(area)
            spellings.setdefault(name, []).append(area)
            by_area.setdefault(name, Counter())[(first, second, rejected)] += papers
    area_problem = _area_problem(spellings, by_area)
    if area_problem is not None:
        raise MarkError((area_problem,))
    classified = classify(union, candidates, rules)
    areas = {a: classified.ballots_for(by_area[a]) for a in sorted(by_area, key=area_order)}
    return classified, (areas if has_areas and areas else None)


def _area_problem(
    spellings: Mapping[str, list[str]], by_area: Mapping[str, Counter[RawKey]]
) -> MarkProblem | None:
    """A blank area, or two areas that differ only in case: areas are read as names are."""
    for name, raw in spellings.items():
        why = problem(name)
        if why is not None:
            papers = sum(by_area[name].values())
            return MarkProblem("area", tuple(raw), papers, f"voting area {shown(name)} {why}")
    if "" in spellings:
        return MarkProblem(
            "area",
            tuple(spellings[""]),
            sum(by_area[""].values()),
            "a paper has no voting area (the area is blank)",
        )
    folded: dict[str, str] = {}
    for name in sorted(spellings, key=lambda n: -sum(by_area[n].values())):
        other = folded.setdefault(name.casefold(), name)
        if other != name:
            return MarkProblem(
                "area",
                tuple(spellings[name]),
                sum(by_area[name].values()),
                f"voting area {shown(name)} differs only in case from {shown(other)}: "
                "correct the file (areas are named as candidates are)",
            )
    return None


def area_order(name: str) -> tuple[str, str]:
    """The one order of voting areas in every count and output: by name, whatever the case."""
    return (name.casefold(), name)
