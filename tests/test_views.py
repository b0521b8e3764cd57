"""Every format from the figures view: a result file shows exactly as the count that wrote it.

The golden JSON of each example (and of the staged count's combine) is read
back with ``svcount tally result.json`` in every format, and must give the
golden bytes of the ballot file's own run: tables, JSON, CSV, markdown, HTML.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from golden import EXAMPLES, GOLDEN, kept_file
from typer.testing import CliRunner

from svcount.cli import app

MANIFEST = json.loads((GOLDEN / "manifest.json").read_text())
FORMATS = {  # golden case suffix: tally's arguments, terminal width
    "120.txt": ((), 120),
    "json": (("-f", "json"), 100),
    "csv": (("-f", "csv"), 100),
    "markdown": (("-f", "markdown"), 100),
    "html": (("-f", "html"), 100),
}
SOURCES = [f"{folder}.tally" for folder in EXAMPLES] + ["staged.combine"]


def _show(path, args, columns):
    env = {"COLUMNS": str(columns), "NO_COLOR": "1", "FORCE_COLOR": None}
    return CliRunner().invoke(app, ["tally", str(path), *args], env=env)


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_a_result_file_shows_in_every_format_as_its_count(tmp_path, source, suffix):
    result_file = tmp_path / "result.json"
    result_file.write_bytes(kept_file(f"{source}.json", "stdout").read_bytes())
    golden = f"{source}.{suffix}"
    args, columns = FORMATS[suffix]
    if golden not in MANIFEST:  # the staged count's table case: by format, at 100 columns
        golden, columns = f"{source}.table", 100
    shown = _show(result_file, args, columns)
    assert shown.exit_code == 0, shown.output
    assert hashlib.sha256(shown.stdout_bytes).hexdigest() == MANIFEST[golden]["stdout"], golden


def test_a_result_file_that_needs_a_lot_exits_3_in_every_format(tmp_path):
    result_file = tmp_path / "tie.json"
    result_file.write_bytes(kept_file("tie.lot-required.json", "stdout").read_bytes())
    for args, columns in FORMATS.values():
        shown = _show(result_file, args, columns)
        assert shown.exit_code == 3
        assert "a lot is required" in shown.stderr


def test_a_result_file_takes_no_count_options_and_no_audit(tmp_path):
    result_file = tmp_path / "result.json"
    result_file.write_bytes(kept_file("quickstart.tally.json", "stdout").read_bytes())
    counted = _show(result_file, ("--method", "fptp"), 100)
    assert counted.exit_code == 2 and "--method: count options apply to a ballot file" in (
        counted.stderr
    )
    audited = _show(result_file, ("--audit", str(tmp_path / "a.csv")), 100)
    assert audited.exit_code == 2 and "is a result file" in audited.stderr
    assert not (tmp_path / "a.csv").exists()
