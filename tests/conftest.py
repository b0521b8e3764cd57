"""Fixtures and hypothesis profiles; shared helpers live in helpers.py."""

from __future__ import annotations

import os
import shutil

import pytest
from helpers import EXAMPLES, run
from hypothesis import settings

BY_AREA = EXAMPLES / "by-area"

settings.register_profile("ci", max_examples=150, deadline=None)
settings.register_profile("thorough", max_examples=3000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch):
    """CLI output the same everywhere: fixed width, no colour."""
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)


@pytest.fixture
def staged(tmp_path):
    """The by-area example's local files, stage one and two."""
    for name in ["blaby.csv", "melton.csv", "rutland.csv", "candidates.txt", "areas.csv"]:
        shutil.copy(BY_AREA / name, tmp_path / name)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for area in ["Blaby", "Melton", "Rutland"]:
            f = area.lower()
            assert (
                run(
                    "tally",
                    f"{f}.csv",
                    "-c",
                    "candidates.txt",
                    "--stage",
                    "first",
                    "--area",
                    area,
                    "-o",
                    f"{f}-1.json",
                ).exit_code
                == 0
            )
        assert (
            run(
                "combine", "blaby-1.json", "melton-1.json", "rutland-1.json", "-o", "total.json"
            ).exit_code
            == 0
        )
        for area in ["Blaby", "Melton", "Rutland"]:
            f = area.lower()
            assert (
                run(
                    "tally",
                    f"{f}.csv",
                    "-c",
                    "candidates.txt",
                    "--stage",
                    "second",
                    "--area",
                    area,
                    "--remaining-from",
                    "total.json",
                    "-o",
                    f"{f}-2.json",
                ).exit_code
                == 0
            )
        yield tmp_path
    finally:
        os.chdir(cwd)
