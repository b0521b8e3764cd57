"""A deliberately naive reference count: one loop over papers, no grouping, no sharing.

Written from the README's "The count" without looking at svcount's engine, so the two
can be compared figure by figure. Slow on purpose; only for tests.
"""

from __future__ import annotations

import re
import unicodedata

HEADINGS = [
    "want_of_official_mark",
    "voting_for_more_than_one_candidate",
    "writing_or_mark_identifying_voter",
    "unmarked",
    "void_for_uncertainty",
]
ADJUDICATION = {
    "want of official mark": "want_of_official_mark",
    "identifying mark": "writing_or_mark_identifying_voter",
}


class NoCount(Exception):
    """The reference cannot count these papers (no candidates or no valid papers)."""


def clean(text):
    return unicodedata.normalize("NFC", text.strip())


def read_field(text):
    """('blank',), ('uncertain',), ('several',) or ('name', name)."""
    text = clean(text)
    if text == "":
        return ("blank",)
    names = []
    parts = [clean(part) for part in re.split(r"[|;]", text)]
    if any(part and set(part) == {"?"} for part in parts):
        return ("uncertain",)  # "?", "?|?", "??" or "Ann|?": the choice is not clear
    for part in parts:
        if part and part not in names:
            names.append(part)
    if not names:
        return ("blank",)
    if len(names) > 1:
        return ("several",)
    return ("name", names[0])


def reference_count(rows, candidates=None, method="sv"):
    """Count rows of (first, second, rejected) text; return every figure as plain data."""
    rejected = dict.fromkeys(HEADINGS, 0)
    valid_papers = []
    for first, second, adjudication in rows:
        if adjudication:
            rejected[ADJUDICATION[adjudication]] += 1
            continue
        mark = read_field(first)
        if mark[0] == "blank":
            rejected["unmarked"] += 1
        elif mark[0] == "uncertain":
            rejected["void_for_uncertainty"] += 1
        elif mark[0] == "several":
            rejected["voting_for_more_than_one_candidate"] += 1
        else:
            valid_papers.append((mark[1], second))

    if candidates is None:
        candidates = sorted({p[0] for p in valid_papers}, key=lambda n: (n.casefold(), n))
    if not candidates:
        raise NoCount("no candidates")
    if not valid_papers:  # even with one candidate: nothing to declare
        raise NoCount("no valid papers")

    def second_of(paper):
        """A candidate's name, or why the second preference is not counted."""
        first, second = paper
        mark = read_field(second)
        if mark[0] == "blank":
            return "blank"
        if mark[0] == "several":
            return "more_than_one_candidate"
        if mark[0] == "uncertain" or mark[1] not in candidates:
            return "void_for_uncertainty"
        if mark[1] == first:
            return "same_as_first"
        return mark[1]

    heads = ["blank", "more_than_one_candidate", "void_for_uncertainty", "same_as_first"]
    first_preferences = dict.fromkeys(candidates, 0)
    for paper in valid_papers:
        first_preferences[paper[0]] += 1
    valid = len(valid_papers)
    figures = {
        "first": first_preferences,
        "valid": valid,
        "rejected": rejected,
        "remaining": [],
        "transfers": None,
        "final": dict(first_preferences),
        "non_transferable": None,
        "second_not_counted": None,
    }
    if method == "sv":
        unusable = dict.fromkeys(heads, 0)
        for paper in valid_papers:
            why = second_of(paper)
            if why in unusable:
                unusable[why] += 1
        figures["second_not_counted"] = unusable
    else:
        joined = rejected.pop("unmarked") + rejected.pop("void_for_uncertainty")
        rejected["unmarked_or_void_for_uncertainty"] = joined

    def decide(totals, among):
        best = max(totals[c] for c in among)
        tied = [c for c in among if totals[c] == best]
        figures["winner"] = tied[0] if len(tied) == 1 else None
        figures["tied"] = tied if len(tied) > 1 else []
        return figures

    if len(candidates) == 1:
        figures["winner"], figures["tied"] = candidates[0], []
        return figures
    if method == "fptp" or len(candidates) == 2:
        return decide(first_preferences, candidates)
    for candidate in candidates:
        if 2 * first_preferences[candidate] > valid:
            figures["winner"], figures["tied"] = candidate, []
            return figures

    ordered = sorted(first_preferences.values(), reverse=True)
    remaining = [c for c in candidates if first_preferences[c] >= ordered[1]]
    transfers = dict.fromkeys(remaining, 0)
    lost = dict.fromkeys([*heads, "not_remaining"], 0)
    for paper in valid_papers:
        if paper[0] in remaining:
            continue
        why = second_of(paper)
        if why in transfers:
            transfers[why] += 1
        elif why in lost:
            lost[why] += 1
        else:
            lost["not_remaining"] += 1
    final = {c: first_preferences[c] + transfers[c] for c in remaining}
    figures.update(remaining=remaining, transfers=transfers, final=final, non_transferable=lost)
    return decide(final, remaining)


def figures_of(result):
    """The engine's result in the reference's shape."""
    two = result.stage_two
    return {
        "first": dict(result.stage_one.votes),
        "valid": result.valid,
        "rejected": {h.value: n for h, n in result.rejected.items()},
        "remaining": list(result.stage_one.remaining),
        "transfers": dict(two.transfers) if two else None,
        "final": dict(result.final),
        "non_transferable": {h.value: n for h, n in two.non_transferable.items()} if two else None,
        "second_not_counted": None
        if result.second_not_counted is None
        else {h.value: n for h, n in result.second_not_counted.items()},
        "winner": result.winner,
        "tied": list(result.lot_required),
    }
