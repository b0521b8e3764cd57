"""The result file (``svcount-result/1``): written from the figures view, read back checked.

:func:`result_json` writes it (``tally --format json``, ``combine``).
``svcount declare`` and ``svcount diff`` take results that ``tally --format
json`` or ``combine`` wrote. Such a file crossed a trust boundary, so before a
figure of it is used it is checked: its schema, the digest of its content, and
its own arithmetic (papers = valid + rejected, first preferences sum to the
valid votes, totals = first preferences + transfers, transfers and
non-transferable papers = the excluded candidates' papers, areas add up to
the whole). What comes back has the shape of :func:`svcount.figures.figures`,
so every output renders a result file exactly as it renders a count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from svcount.documents.seal import Fields, read_json, sealed
from svcount.documents.signing import Signer, Trusted, signed_by
from svcount.errors import CountError
from svcount.figures import AREA_FIGURES, Notice, View, figures, fptp_status
from svcount.model import (
    Candidate,
    EnteredLot,
    FirstPreferences,
    LotInstruction,
    Method,
    NotCounted,
    Provenance,
    Rejection,
    SeededLot,
    Transfers,
    by_excluded_problem,
    percent,
)
from svcount.reading.source import sha256_of

__all__ = ["RESULT_SCHEMA", "ResultFile", "json_value", "read_result", "result_json"]

RESULT_SCHEMA = "svcount-result/1"


@dataclass(frozen=True)
class ResultFile:
    """A checked result file: its figures view, candidates and provenance."""

    path: str
    sha256: str  # of the file's bytes
    figures: Mapping[str, Any]
    candidates: tuple[Candidate, ...]
    input: Mapping[str, Any]
    options: Mapping[str, Any]
    version: str
    margin: Mapping[str, Any] | None = None  # as tally --margin wrote it, sealed with the rest
    signer: Signer | None = None  # who signed it, checked when read with trusted keys
    notice: Notice = Notice()  # --title, --returning-officer, --date, as written with it

    @property
    def method(self) -> Method:
        return Method(self.figures["method"])

    @property
    def view(self) -> View:
        """The file as every output shows it; its provenance is the one it records."""
        given = self.input
        provenance = Provenance(
            file=_file_named(given.get("file", self.path)),
            sha256=str(given.get("sha256", "")),
            rows=int(given.get("rows", 0)),
            columns=dict(given.get("columns", {})),
            options=dict(self.options),
            version=self.version,
            parts=tuple(self._claimed(p) for p in given.get("local_counts", ())),
            files=tuple(given.get("files", ())),
        )
        signed = None
        if self.signer is not None:
            signed = {"file": self.path, "what": "this result", **self.signer.found()}
        return View(
            self.figures, self.candidates, provenance, self.margin, self.notice, signed=signed
        )

    def _claimed(self, part: Any) -> Any:
        """A local count as recorded, its signature "checked" only if this run can vouch for it.

        The combining run wrote whether it checked each return; that claim is
        believed only when this result's own signature was checked now
        (``--trust``). Otherwise anyone could set it and reseal the file.
        """
        signed = part.get("signed_by") if isinstance(part, Mapping) else None
        if not isinstance(signed, Mapping):
            return part
        vouched = self.signer is not None and self.signer.checked
        return {
            **part,
            "signed_by": {**signed, "checked": signed.get("checked") is True and vouched},
        }


def _file_named(given: Any) -> str:
    """The input's name as shown: a combined result's local files, joined."""
    return ", ".join(map(str, given)) if isinstance(given, list) else str(given)


def json_value(value: Any) -> Any:
    """Decimals as JSON numbers at their written precision, throughout containers.

    ``48`` stays an integer and ``47.95`` a float: exact percentages and
    published figures read back as they were written.
    """
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return float(value) if isinstance(exponent, int) and exponent < 0 else int(value)
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_value(v) for v in value]
    return value


def _candidates(f: Mapping[str, Any], candidates: Sequence[Candidate]) -> list[dict[str, Any]]:
    """Each candidate's figures, in ballot order."""
    two = f["second_preferences"] is not None
    return [
        {
            "name": c.name,
            "party": c.party,
            "first_preferences": f["first_preferences"][c.name],
            "share_pct": f["share_pct"][c.name],
            "second_preferences": f["second_preferences"].get(c.name) if two else None,
            "final": f["final"].get(c.name),
            "status": f["status"][c.name],
        }
        for c in candidates
    ]


def _stages(f: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Stage one, and stage two when it was held."""
    stages: list[dict[str, Any]] = [
        {
            "stage": 1,
            "votes": f["first_preferences"],
            "elected": f["elected_at_stage_one"],
            "remaining": f["remaining"],
            "excluded": f["excluded"],
            "tie_for_second": f["tie_for_second"],
        }
    ]
    if f["second_preferences"] is not None:
        two = {
            "stage": 2,
            "transfers": f["second_preferences"],
            "totals": f["final"],
            "non_transferable": f["non_transferable"],
            "excluded_papers": f["excluded_papers"],
        }
        if f.get("transfers_by_excluded") is not None:  # unknown for some combined totals
            two["transfers_by_excluded"] = f["transfers_by_excluded"]
        stages.append(two)
    return stages


def _by_excluded(two: Mapping[str, Any] | None) -> dict[str, dict[str, int]] | None:
    """Stage two's transfers per excluded candidate, checked against its totals when given."""
    given = None if two is None else two.get("transfers_by_excluded")
    if given is None:
        return None
    assert two is not None
    parts = {str(e): {str(k): int(v) for k, v in t.items()} for e, t in given.items()}
    problem = by_excluded_problem(parts, two["transfers"], two["non_transferable"]["total"])
    if problem is not None:
        raise ValueError(problem)
    return parts


def result_json(shown: View) -> str:
    """One stable object (schema ``svcount-result/1``, see the README), from the figures view."""
    f = json_value(shown.figures)
    provenance = shown.provenance
    document = {
        "schema": RESULT_SCHEMA,
        "svcount_version": provenance.version,
        "input": provenance.input_record(),
        "options": dict(provenance.options),
        **{
            k: f[k]
            for k in (
                "method",
                "winner",
                "decided_by",
                "lot_required",
                "lot",
                "majority",
                "ballot_papers",
                "valid_votes",
                "votes_needed_at_stage_one",
                "first_preference_leader",
                "winner_changed_by_transfers",
                "first_preference_deficit",
            )
        },
        "candidates": _candidates(f, shown.candidates),
        "stages": _stages(f),
        "rejected": f["rejected"],
        "second_preferences_not_counted": f["second_preferences_not_counted"],
        "turnout": f["turnout"],
        "areas": [
            {"area": name, **{k: area[k] for k in AREA_FIGURES}}
            for name, area in f["areas"].items()
        ],
        **({"margin": dict(shown.margin)} if shown.margin is not None else {}),
        **({"notice": shown.notice.record()} if shown.notice.record() else {}),
    }
    return sealed(document)


def read_result(path: str, trusted: Trusted | None = None) -> ResultFile:
    """Read and check a result file; every problem is an InputError naming the file.

    With ``trusted``, the file must be signed by one of those keys.
    """
    doc, data = read_json(path)
    fail = Fields(doc, path).fail
    if not isinstance(doc, dict) or doc.get("schema") != RESULT_SCHEMA:
        schema = doc.get("schema") if isinstance(doc, dict) else None
        raise fail(
            f"not a result file: schema is {schema!r}, not {RESULT_SCHEMA!r} (write one with "
            "svcount tally --format json or svcount combine --format json)"
        )
    fields = Fields(doc, path)
    digest = fields.sealed("the result has no digest: write it again with this version of svcount")
    signer = signed_by(doc, digest, path, trusted)
    fields.candidates()  # every name under the name policy, before any figure is read
    try:
        view, candidates = _view(doc)
        _check(view)
        _rederive(view, candidates)
        margin = _margin(doc.get("margin"))
        notice = _notice(fields, doc.get("notice"))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise fail(f"the result is incomplete or malformed ({type(exc).__name__}: {exc})") from None
    except _Inconsistent as exc:
        raise fail(f"the figures do not add up: {exc}") from None
    return ResultFile(
        path=path,
        sha256=sha256_of(path),  # the bytes on disk, compressed or not, as for ballots
        figures=view,
        candidates=candidates,
        input=doc.get("input") or {},
        options=doc.get("options") or {},
        version=str(doc.get("svcount_version", "")),
        margin=margin,
        signer=signer,
        notice=notice,
    )


def _notice(fields: Fields, value: Any) -> Notice:
    """The notice a result file keeps: names under the name policy, the date a real date."""
    import datetime

    if value is None:
        return Notice()
    unknown = set(value) - {"title", "returning_officer", "date"}
    if unknown:
        raise ValueError(f"notice has unknown keys: {', '.join(sorted(unknown))}")
    title, officer = value.get("title"), value.get("returning_officer")
    date = value.get("date")
    return Notice(
        None if title is None else fields.name(fields.text("title", value), "title"),
        None if officer is None else fields.name(fields.text("returning_officer", value), "name"),
        None if date is None else datetime.date.fromisoformat(fields.text("date", value)),
    )


def _margin(value: Any) -> Mapping[str, Any] | None:
    """The margin a result file carries, in the shape ``render.margin.summary`` gives it."""
    if value is None:
        return None
    lines, advice = value["lines"], value["advice"]
    if not all(isinstance(x, str) for x in [*lines, *advice]):
        raise TypeError("margin.lines and margin.advice are sentences")
    return dict(value)


class _Inconsistent(Exception):
    pass


def _pct(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _turnout(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    out = dict(value)
    for key in ("ballot_papers_pct", "valid_votes_pct"):
        out[key] = _pct(out[key])
    return out


def _area_view(area: Mapping[str, Any]) -> dict[str, Any]:
    """One voting area's figures, as :func:`svcount.figures.area_figures` gives them."""
    votes = area["first_preferences"]
    valid = sum(votes.values())
    return {
        "ballot_papers": area["ballot_papers"],
        "valid_votes": area["valid_votes"],
        "first_preferences": dict(votes),
        "share_pct": {n: percent(v, valid) for n, v in votes.items()},
        "second_preferences": area["second_preferences"],
        "final": dict(area["final"]),
        "rejected": dict(area["rejected"]),
        "second_preferences_not_counted": area["second_preferences_not_counted"],
        "non_transferable": area["non_transferable"],
        "excluded_papers": area["excluded_papers"],
        "turnout": _turnout(area["turnout"]),
        "ballot_papers_issued": area["ballot_papers_issued"],
        "issued_minus_counted": area["issued_minus_counted"],
    }


def _view(doc: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[Candidate, ...]]:
    """The figures view of a result document (the inverse of ``render.to_json``)."""
    entries = doc["candidates"]
    candidates = tuple(Candidate(str(c["name"]), c.get("party")) for c in entries)
    one = doc["stages"][0]
    two = doc["stages"][1] if len(doc["stages"]) > 1 else None
    remaining = list(one["remaining"])
    status = {c["name"]: c["status"] for c in entries}
    stage_one_status = (
        {n: "remaining" if n in remaining else "excluded" for n in status}
        if remaining
        else dict(status)
    )
    view = {
        "method": Method(doc["method"]).value,
        "winner": doc["winner"],
        "decided_by": doc["decided_by"],
        "lot_required": list(doc["lot_required"]),
        "lot": doc["lot"],
        "majority": doc["majority"],
        "ballot_papers": doc["ballot_papers"],
        "valid_votes": doc["valid_votes"],
        "votes_needed_at_stage_one": doc["votes_needed_at_stage_one"],
        "elected_at_stage_one": one["elected"],
        "stage_two_held": two is not None,
        "remaining": remaining,
        "excluded": list(one["excluded"]),
        "tie_for_second": one["tie_for_second"],
        "first_preferences": dict(one["votes"]),
        "share_pct": {c["name"]: _pct(c["share_pct"]) for c in entries},
        "second_preferences": dict(two["transfers"]) if two else None,
        "transfers_by_excluded": _by_excluded(two),
        "final": dict(two["totals"]) if two else dict(one["votes"]),
        "status": status,
        "stage_one_status": stage_one_status,
        "rejected": dict(doc["rejected"]),
        "non_transferable": dict(two["non_transferable"]) if two else None,
        "excluded_papers": two["excluded_papers"] if two else None,
        "second_preferences_not_counted": doc["second_preferences_not_counted"],
        "turnout": _turnout(doc["turnout"]),
        "first_preference_leader": doc["first_preference_leader"],
        "winner_changed_by_transfers": doc["winner_changed_by_transfers"],
        "first_preference_deficit": doc["first_preference_deficit"],
        "fptp_status": fptp_status(dict(one["votes"])),
        "areas": {area["area"]: _area_view(area) for area in doc.get("areas") or []},
    }
    return view, candidates


def _holds(ok: bool, message: str) -> None:
    if not ok:
        raise _Inconsistent(message)


def _summed(heads: Mapping[str, int], what: str) -> int:
    """The sum of figures by heading, checked against their stated total."""
    parts = sum(v for k, v in heads.items() if k != "total")
    _holds(
        parts == heads["total"], f"{what}: the headings sum to {parts:,}, not {heads['total']:,}"
    )
    return parts


def _papers_add_up(figures: Mapping[str, Any], where: str) -> None:
    """Papers, votes, rejections and transfers of the whole count or of one area."""
    votes, valid = figures["first_preferences"], figures["valid_votes"]
    _holds(
        sum(votes.values()) == valid,
        f"{where}first preferences sum to {sum(votes.values()):,}, not {valid:,}",
    )
    rejected = _summed(figures["rejected"], f"{where}rejected")
    unusable = figures.get("second_preferences_not_counted")
    if unusable is not None:
        lost = _summed(unusable, f"{where}second_preferences_not_counted")
        _holds(lost <= valid, f"{where}{lost:,} second preferences not counted of {valid:,} valid")
    _holds(
        figures["ballot_papers"] == valid + rejected,
        f"{where}{figures['ballot_papers']:,} ballot papers, but {valid:,} valid and "
        f"{rejected:,} rejected",
    )
    moved = figures["second_preferences"]
    if moved is None:
        return
    lost = _summed(figures["non_transferable"], f"{where}non_transferable")
    _holds(
        sum(moved.values()) + lost == figures["excluded_papers"],
        f"{where}{sum(moved.values()):,} transferred and {lost:,} not, but "
        f"{figures['excluded_papers']:,} papers of excluded candidates",
    )
    for name, added in moved.items():
        _holds(
            figures["final"][name] == votes[name] + added,
            f"{where}{name}'s total is not first preferences plus second preferences",
        )


#: What a result states that follows from its figures, re-derived on every read.
DERIVED = (
    "winner",
    "decided_by",
    "lot_required",
    "lot",
    "majority",
    "votes_needed_at_stage_one",
    "elected_at_stage_one",
    "stage_two_held",
    "remaining",
    "excluded",
    "tie_for_second",
    "final",
    "status",
    "stage_one_status",
    "share_pct",
    "first_preference_leader",
    "winner_changed_by_transfers",
    "first_preference_deficit",
)


def _rederive(view: Mapping[str, Any], candidates: tuple[Candidate, ...]) -> None:
    """The result the figures give, counted again by the rules; any other stated result is refused.

    From the first preferences, rejections and transfers alone, :func:`count.declare`
    decides again who remains, who is elected and how, the majority, every status,
    and any lot (a seeded lot is drawn again; an entered one must be among the tied).
    """
    from svcount.count import declare

    method = Method(view["method"])
    heads = view["second_preferences_not_counted"] or {}
    first = FirstPreferences(
        candidates=candidates,
        votes=dict(view["first_preferences"]),
        rejected={Rejection(k): v for k, v in view["rejected"].items() if k != "total"},
        second_not_counted={NotCounted(k): v for k, v in heads.items() if k != "total"},
    )
    moved = None
    if view["stage_two_held"]:
        lost = view["non_transferable"]
        moved = Transfers(
            remaining=tuple(view["remaining"]),
            transfers=dict(view["second_preferences"]),
            non_transferable={NotCounted(k): v for k, v in lost.items() if k != "total"},
            excluded_papers=view["excluded_papers"],
            by_excluded=view.get("transfers_by_excluded") or {},
        )
    drawn = view["lot"]
    lot: LotInstruction | None = None
    if drawn:
        lot = EnteredLot(drawn["winner"]) if drawn["how"] == "entered" else SeededLot(drawn["seed"])
    try:
        derived = figures(declare(first, method, moved, lot=lot))
    except CountError as exc:
        raise _Inconsistent(f"the figures cannot be declared: {exc}") from None
    for key in DERIVED:
        stated, found = json_value(view[key]), json_value(derived[key])
        if stated != found:
            raise _Inconsistent(
                f"{key}: the file says {_brief(stated)}, but its own figures give {_brief(found)}"
            )


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:120] + "…"


def _check(view: Mapping[str, Any]) -> None:
    """The file's own arithmetic; each slip named."""
    _papers_add_up(view, "")
    names = list(view["first_preferences"])
    _holds(view["winner"] is None or view["winner"] in names, "the winner is not a candidate")
    if view["stage_two_held"]:
        excluded = sum(view["first_preferences"][n] for n in view["excluded"])
        _holds(
            excluded == view["excluded_papers"],
            f"the excluded candidates had {excluded:,} first preferences, but "
            f"{view['excluded_papers']:,} of their papers were looked at",
        )
    areas = view["areas"].values()
    for name, area in view["areas"].items():
        _papers_add_up(area, f"{name}: ")
    if not areas:
        return
    for key in ("ballot_papers", "valid_votes"):
        total = sum(a[key] for a in areas)
        _holds(total == view[key], f"the areas' {key} sum to {total:,}, not {view[key]:,}")
    for name in names:
        total = sum(a["first_preferences"][name] for a in areas)
        _holds(
            total == view["first_preferences"][name],
            f"the areas' first preferences for {name} sum to {total:,}",
        )
