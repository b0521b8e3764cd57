"""A result in the ecosystem's formats: NIST SP 1500-100 v2 results and RCVis's Universal
Tabulator JSON (RCTab's own reports are render/rctab.py's) (README, "Interchange formats").

SV has no native value in these formats. Stage one is round 1; the exclusion
of everyone but the remaining candidates, with each one's transfers, closes
it; stage two is round 2. Papers of an excluded candidate that transfer to no
one are "exhausted", as RCTab calls them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from svcount.errors import UsageError
from svcount.figures import View

__all__ = [
    "GENERATED_BY",
    "RESERVED",
    "generated_by",
    "nist_results",
    "rcvis",
    "refuse_reserved",
    "rounds_of",
    "unmarked_papers",
]

GENERATED_BY = "svcount"
#: Words RCTab gives a meaning of its own, in transfers and tallies: never a candidate's name.
RESERVED = ("exhausted", "overvote", "overvotes", "undervote", "undervotes",
            "undeclared write-ins", "residual surplus")  # fmt: skip
#: How SV is named where a format has no value for it.
OTHER_VOTE_VARIATION = "supplementary-vote"


def generated_by(shown: View) -> str:
    """What wrote a file, as the formats name their writer: ``svcount 0.1.0``."""
    return f"{GENERATED_BY} {shown.provenance.version}".strip()


def unmarked_papers(rejected: Mapping[str, int]) -> int:
    """Unmarked papers, the formats' undervotes: first past the post's one heading, unmarked
    or void for uncertainty, counted with them."""
    return rejected.get("unmarked", 0) + rejected.get("unmarked_or_void_for_uncertainty", 0)


def rounds_of(f: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each round: its tally, and who was elected or eliminated with their transfers."""
    first = {n: int(v) for n, v in f["first_preferences"].items()}
    if f["second_preferences"] is None:  # elected at stage one, or first past the post
        return [{"tally": first, "results": [{"elected": f["winner"]}] if f["winner"] else []}]
    by_excluded = f.get("transfers_by_excluded") or {}
    eliminated = [
        {"eliminated": e, "transfers": _transfers(by_excluded.get(e), f["remaining"])}
        for e in f["excluded"]
    ]
    final = {n: int(f["final"][n]) for n in f["remaining"]}
    elected = [{"elected": f["winner"]}] if f["winner"] else []
    return [{"tally": first, "results": eliminated}, {"tally": final, "results": elected}]


def _transfers(given: Mapping[str, int] | None, remaining: list[str]) -> dict[str, int]:
    if given is None:  # not known (a total combined from older local counts)
        return {}
    moved = {n: int(given.get(n, 0)) for n in remaining}
    moved["exhausted"] = int(given.get("non_transferable", 0))
    return moved


def refuse_reserved(names: list[str]) -> None:
    """A candidate named like one of RCTab's own words is refused, never confused with it."""
    clash = next((n for n in names if n.strip().casefold() in RESERVED), None)
    if clash is not None:
        raise UsageError(
            f"the candidate {clash!r} is named like RCTab's own word for papers that count for "
            "no candidate: RCTab's and RCVis's formats cannot tell them apart (use another format)"
        )


def rcvis(shown: View) -> str:
    """The Universal Tabulator JSON that RCVis draws, as rcvformats' strict schema has it."""
    f = shown.figures
    refuse_reserved(list(f["first_preferences"]))
    config: dict[str, Any] = {"contest": shown.notice.title or "Supplementary vote"}
    if shown.notice.date:
        config["date"] = shown.notice.date.isoformat()
    results = []
    for number, held in enumerate(rounds_of(f), 1):
        tally_results = [
            {**r, "transfers": {k: str(v) for k, v in r.get("transfers", {}).items()}}
            for r in held["results"]
        ]
        tally = {n: str(v) for n, v in held["tally"].items()}
        results.append({"round": number, "tally": tally, "tallyResults": tally_results})
    return json.dumps({"config": config, "results": results}, indent=2, ensure_ascii=False) + "\n"


def nist_results(shown: View) -> str:
    """NIST SP 1500-100 v2 election results: one CandidateContest, VoteCounts per round."""
    f = shown.figures
    rounds = rounds_of(f)
    ids = {c.name: f"cand-{i}" for i, c in enumerate(shown.candidates, 1)}
    areas = _area_units(f)
    selections = []
    for i, c in enumerate(shown.candidates, 1):
        counts = [
            _vote_count(held["tally"][c.name], number)
            for number, held in enumerate(rounds, 1)
            if c.name in held["tally"]
        ]
        for unit, area in areas.items():  # each voting area's own figures, round by round
            figures = f["areas"][area]
            counts.append(_vote_count(figures["first_preferences"].get(c.name, 0), 1, unit))
            if len(rounds) > 1 and c.name in (figures.get("final") or {}):
                counts.append(_vote_count(figures["final"][c.name], 2, unit))
        selections.append(
            {
                "@type": "ElectionResults.CandidateSelection",
                "@id": f"sel-{i}",
                "CandidateIds": [ids[c.name]],
                "SequenceOrder": i,
                "VoteCounts": counts,
            }
        )
    contest = {
        "@type": "ElectionResults.CandidateContest",
        "@id": "contest-1",
        "Name": shown.notice.title or "Supplementary vote",
        "ElectionDistrictId": "area-1",
        "VotesAllowed": 1,
        "NumberElected": 1,
        "VoteVariation": "plurality" if f["method"] == "fptp" else "other",
        "ContestSelection": selections,
        "OtherCounts": [_other_counts(f)]
        + [_other_counts(f["areas"][area], unit) for unit, area in areas.items()],
    }
    if f["method"] != "fptp":
        contest["OtherVoteVariation"] = OTHER_VOTE_VARIATION
    return json.dumps(_report(shown, ids, contest), indent=2, ensure_ascii=False) + "\n"


def _area_units(f: Mapping[str, Any]) -> dict[str, str]:
    """Each voting area's reporting unit id (``voting-area-N``), by the count's order."""
    return {f"voting-area-{i}": area for i, area in enumerate(f.get("areas") or {}, 1)}


def _vote_count(votes: int, number: int, unit: str = "area-1") -> dict[str, Any]:
    return {
        "@type": "ElectionResults.VoteCounts",
        "Count": int(votes),
        "GpUnitId": unit,
        "Round": number,
        "Type": "total",
    }


def _other_counts(f: Mapping[str, Any], unit: str = "area-1") -> dict[str, Any]:
    """Overvotes and undervotes: papers voting for more than one candidate, and unmarked
    ones (first past the post's one heading, unmarked or void for uncertainty, included)."""
    rejected = f["rejected"]
    unmarked = unmarked_papers(rejected)
    return {
        "@type": "ElectionResults.OtherCounts",
        "GpUnitId": unit,
        "Overvotes": int(rejected.get("voting_for_more_than_one_candidate", 0)),
        "Undervotes": int(unmarked),
    }


def _report(shown: View, ids: Mapping[str, str], contest: dict[str, Any]) -> dict[str, Any]:
    f = shown.figures
    date = shown.notice.date.isoformat() if shown.notice.date else "1970-01-01"
    turnout = f["turnout"] or {}
    unit: dict[str, Any] = {
        "@type": "ElectionResults.ReportingUnit",
        "@id": "area-1",
        "Type": "other",
        "OtherType": "police-area",
        "Name": {
            "@type": "ElectionResults.InternationalizedText",
            "Text": [_text(contest["Name"])],
        },
    }
    if turnout.get("electorate") is not None:
        unit["VotersRegistered"] = int(turnout["electorate"])
    unit["VotersParticipated"] = int(f["ballot_papers"])
    areas = _area_units(f)
    if areas:
        unit["ComposingGpUnitIds"] = list(areas)
    units = [unit] + [_area_unit(uid, name, f["areas"][name]) for uid, name in areas.items()]
    return {
        "@type": "ElectionResults.ElectionReport",
        "Format": "summary-contest",
        "GeneratedDate": f"{date}T00:00:00Z",
        "Issuer": shown.notice.returning_officer or "Returning officer",
        "IssuerAbbreviation": "RO",
        "SequenceStart": 1,
        "SequenceEnd": 1,
        "Status": "unofficial-complete",
        "VendorApplicationId": generated_by(shown),
        "GpUnit": units,
        "Party": [],
        "Election": [
            {
                "@type": "ElectionResults.Election",
                "ElectionScopeId": "area-1",
                "Name": {
                    "@type": "ElectionResults.InternationalizedText",
                    "Text": [_text(contest["Name"])],
                },
                "StartDate": date,
                "EndDate": date,
                "Type": "general",
                "Candidate": [_candidate(c.name, ids, f["winner"]) for c in shown.candidates],
                "BallotCounts": [_ballot_counts(f)]
                + [_ballot_counts(f["areas"][name], uid) for uid, name in areas.items()],
                "Contest": [contest],
            }
        ],
    }


def _area_unit(unit: str, name: str, figures: Mapping[str, Any]) -> dict[str, Any]:
    """A voting area as a reporting unit, with its electorate and papers."""
    made: dict[str, Any] = {
        "@type": "ElectionResults.ReportingUnit",
        "@id": unit,
        "Type": "other",
        "OtherType": "voting-area",
        "Name": {"@type": "ElectionResults.InternationalizedText", "Text": [_text(name)]},
    }
    electorate = (figures.get("turnout") or {}).get("electorate")
    if electorate is not None:
        made["VotersRegistered"] = int(electorate)
    made["VotersParticipated"] = int(figures["ballot_papers"])
    return made


def _ballot_counts(f: Mapping[str, Any], unit: str = "area-1") -> dict[str, Any]:
    return {
        "@type": "ElectionResults.BallotCounts",
        "GpUnitId": unit,
        "Type": "total",
        "BallotsCast": int(f["ballot_papers"]),
        "BallotsRejected": int(f["rejected"]["total"]),
    }


def _candidate(name: str, ids: Mapping[str, str], winner: str | None) -> dict[str, Any]:
    """A candidate, and once there is a winner, whether this one won."""
    made: dict[str, Any] = {
        "@type": "ElectionResults.Candidate",
        "@id": ids[name],
        "BallotName": {"@type": "ElectionResults.InternationalizedText", "Text": [_text(name)]},
    }
    if winner is not None:
        made["PostElectionStatus"] = "winner" if name == winner else "defeated"
    return made


def _text(content: str) -> dict[str, str]:
    return {"@type": "ElectionResults.LanguageString", "Content": content, "Language": "en"}
