"""Nothing a user sees changes by accident: every golden output, byte for byte.

The cases and how to regenerate them are in ``tests/golden.py``.
"""

from __future__ import annotations

import difflib
import json

import pytest
from golden import GOLDEN, digests, kept_file, run_all

MANIFEST = json.loads((GOLDEN / "manifest.json").read_text())
pytestmark = pytest.mark.slow  # every example in every format: about 30 s of setup


@pytest.fixture(scope="module")
def outputs():
    return run_all()


def test_every_case_is_still_made(outputs):
    assert sorted(outputs) == sorted(MANIFEST)


@pytest.mark.parametrize("case", sorted(MANIFEST))
def test_output_is_unchanged(outputs, case):
    got = digests({case: outputs[case]})[case]
    for part, digest in MANIFEST[case].items():
        if got.get(part) == digest:
            continue
        kept = kept_file(case, part)
        detail = ""
        if kept.exists():
            before = kept.read_text(errors="replace").splitlines()
            after = outputs[case].parts[part].decode(errors="replace").splitlines()
            detail = "\n".join(list(difflib.unified_diff(before, after, lineterm=""))[:60])
        pytest.fail(f"{case}: {part} changed\n{detail}")
    assert set(got) == set(MANIFEST[case])
