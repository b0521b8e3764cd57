"""Shared helpers: tiny elections written as {(first, second): papers}."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from svcount.count import Ballots, Candidate

settings.register_profile("ci", max_examples=150, deadline=None)
settings.register_profile("thorough", max_examples=3000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def election(pairs, rejected=None, names=None):
    """Ballots from {(first, second): papers}; second None means no second preference."""
    from svcount.count import NotCounted

    names = names or sorted({f for f, _ in pairs} | {s for _, s in pairs if isinstance(s, str)})
    return Ballots(
        candidates=tuple(Candidate(n) for n in names),
        pairs={(f, NotCounted.BLANK if s is None else s): n for (f, s), n in pairs.items()},
        rejected=rejected or {},
    )


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch):
    """CLI output the same everywhere: fixed width, no colour."""
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
