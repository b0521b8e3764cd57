"""Reports on counts: ``verify`` against expected figures, ``diff`` of two results.

Tables through Rich, JSON through the ``json`` module.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from svcount.documents.result import json_value
from svcount.render.words import table

if TYPE_CHECKING:
    from rich.console import RenderableType

    from svcount.model import Provenance, Result
    from svcount.operations.diff import Change, Comparison

__all__ = [
    "diff_json",
    "diff_tables",
    "verify_json",
    "verify_set_json",
    "verify_set_tables",
    "verify_table",
]

# --------------------------------------------------------------------------- verify


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    return str(value)


def verify_json(checks: list[Any], provenance: Provenance, expected: str) -> str:
    """The verification as one object (schema ``svcount-verify/1``)."""
    document = {
        "schema": "svcount-verify/1",
        "svcount_version": provenance.version,
        "ok": all(c.ok for c in checks),
        "mismatches": sum(not c.ok for c in checks),
        "expected_file": expected,
        "input": {"file": provenance.file, "sha256": provenance.sha256, "rows": provenance.rows},
        "options": dict(provenance.options),
        "checks": [
            {
                "figure": c.figure,
                "expected": json_value(c.expected),
                "counted": json_value(c.counted),
                "ok": c.ok,
            }
            for c in checks
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def verify_table(
    checks: list[Any], provenance: Provenance, expected: str, *, plain: bool
) -> list[RenderableType]:
    """figure / expected / counted / status, then a one-line verdict."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=Text(f"Verify {provenance.file} against {expected}"),
        title_justify="left",
        box=None if plain else box.SIMPLE_HEAVY,
        show_edge=not plain,
    )
    shown = [(_shown(c.expected), _shown(c.counted)) for c in checks]
    widest = min(12, max([1, *(len(v) for pair in shown for v in pair)]))
    table.add_column("Figure", overflow="fold")
    table.add_column("Expected", justify="right", min_width=widest, max_width=max(widest, 14))
    table.add_column("Counted", justify="right", min_width=widest, max_width=max(widest, 14))
    table.add_column("Status", no_wrap=True)
    for c in checks:
        status = Text("ok") if c.ok else Text("MISMATCH", style="" if plain else "bold red")
        table.add_row(Text(c.figure), Text(_shown(c.expected)), Text(_shown(c.counted)), status)
    bad = sum(not c.ok for c in checks)
    verdict = (
        Text(f"All {len(checks)} figures match.", style="" if plain else "bold green")
        if not bad
        else Text(
            f"{bad} of {len(checks)} figures do not match.", style="" if plain else "bold red"
        )
    )
    return [table, verdict]


def _diff_rows(comparison: Comparison, show_all: bool) -> tuple[Change, ...]:
    return comparison.figures if show_all else comparison.changed


def diff_json(comparison: Comparison, *, show_all: bool) -> str:
    """The comparison as one object (schema ``svcount-diff/1``)."""
    from svcount.operations.diff import DIFF_SCHEMA

    before, after = comparison.before, comparison.after
    document = {
        "schema": DIFF_SCHEMA,
        "same": comparison.same,
        "winner_changed": comparison.winner_changed,
        "winner": {"before": before.figures["winner"], "after": after.figures["winner"]},
        "before": {"file": before.path, "sha256": before.sha256},
        "after": {"file": after.path, "sha256": after.sha256},
        "figures_compared": len(comparison.figures),
        "figures_changed": len(comparison.changed),
        "figures": [
            {
                "figure": c.figure,
                "before": json_value(c.before),
                "after": json_value(c.after),
                "change": json_value(c.change),
            }
            for c in _diff_rows(comparison, show_all)
        ],
        "metadata": [
            {"field": c.figure, "before": c.before, "after": c.after} for c in comparison.metadata
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def diff_tables(comparison: Comparison, *, show_all: bool, plain: bool) -> list[RenderableType]:
    """Figure / before / after / change, then what it means in words."""
    from rich.text import Text

    def shown(value: Any) -> str:
        return "—" if value is None else (f"{value:,}" if isinstance(value, int) else str(value))

    before, after = comparison.before, comparison.after
    out: list[RenderableType] = [Text(f"Compare {before.path} (before) with {after.path} (after)")]
    rows = _diff_rows(comparison, show_all)
    if rows:
        t = table(
            "Every figure" if show_all else "Figures that changed",
            "Figure",
            "Before",
            "After",
            "Change",
            plain=plain,
        )
        t.columns[0].overflow = "fold"
        for c in rows:
            change = c.change
            t.add_row(
                Text(c.figure),
                Text(shown(c.before)),
                Text(shown(c.after)),
                "" if change is None else f"{change:+,}" if change else "0",
            )
        out.append(t)
    old, new = before.figures["winner"], after.figures["winner"]
    if comparison.winner_changed:

        def said(winner: str | None) -> str:
            return winner if winner is not None else "no winner (a lot required)"

        out.append(
            Text(f"The winner changed: {said(old)} before, {said(new)} after.", style="bold")
        )
    else:
        out.append(Text(f"The winner is the same: {old}."))
    count = len(comparison.changed)
    out.append(
        Text(
            "Every figure is the same."
            if comparison.same
            else f"{count} of {len(comparison.figures)} figures differ."
        )
    )
    if comparison.metadata:
        fields = ", ".join(c.figure for c in comparison.metadata)
        out.append(Text(f"Not figures, and different: {fields}."))
    return out


def verify_set_json(elections: Sequence[tuple[str, Any, Provenance, Result, str]]) -> str:
    """Many reference elections verified (schema ``svcount-verify-set/1``)."""
    document = {
        "schema": "svcount-verify-set/1",
        "ok": all(c.ok for _, checks, _, _, _ in elections for c in checks),
        "elections": [
            {
                "folder": folder,
                "expected_file": expected,
                "input": {"file": provenance.file, "sha256": provenance.sha256},
                "method": result.method.value,
                "winner": result.winner,
                "figures": len(checks),
                "mismatches": sum(not c.ok for c in checks),
                "mismatched": [
                    {
                        "figure": c.figure,
                        "expected": json_value(c.expected),
                        "counted": json_value(c.counted),
                    }
                    for c in checks
                    if not c.ok
                ],
            }
            for folder, checks, provenance, result, expected in elections
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def verify_set_tables(
    elections: Sequence[tuple[str, Any, Provenance, Result, str]], *, plain: bool
) -> list[RenderableType]:
    """One row per election, then every mismatch, then a verdict."""
    from rich.text import Text

    t = table(
        "Reference elections", "Folder", "Method", "Winner", "Figures", "Mismatches", plain=plain
    )
    for folder, checks, _, result, _ in elections:
        bad = sum(not c.ok for c in checks)
        t.add_row(
            Text(folder),
            result.method.value,
            Text(result.winner or "lot required"),
            f"{len(checks):,}",
            Text(f"{bad:,}", style="" if plain or not bad else "bold red"),
        )
    out: list[RenderableType] = [t]
    for folder, checks, _, _, _ in elections:
        for c in checks:
            if not c.ok:
                out.append(
                    Text(
                        f"{folder}: {c.figure}: expected {_shown(c.expected)}, "
                        f"counted {_shown(c.counted)}"
                    )
                )
    wrong = [folder for folder, checks, _, _, _ in elections if not all(c.ok for c in checks)]
    total = sum(len(checks) for _, checks, _, _, _ in elections)
    out.append(
        Text(
            f"All {len(elections)} elections match ({total:,} figures)."
            if not wrong
            else f"{len(wrong)} of {len(elections)} elections do not match: {', '.join(wrong)}."
        )
    )
    return out
