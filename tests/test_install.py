"""What a fresh install needs: tally and declare load no cryptography and no solver."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from helpers import ROOT

_BLOCKED = textwrap.dedent(
    """
    import sys
    sys.modules["cryptography"] = None  # any import of it now raises ImportError
    from typer.testing import CliRunner
    from svcount.cli import app
    shown = CliRunner().invoke(app, sys.argv[1:])
    assert shown.exit_code == 0, shown.output
    loaded = sorted(m for m in ("cryptography", "highspy", "scipy") if sys.modules.get(m))
    print(",".join(loaded) or "none")
    """
)


def _loaded(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _BLOCKED, *args], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_tally_runs_without_cryptography_and_loads_no_solver():
    assert _loaded("tally", "examples/quickstart/ballots.csv", "-f", "json") == "none"


def test_the_margin_loads_highspy_and_never_scipy():
    assert _loaded("margin", "examples/quickstart/ballots.csv", "-f", "json") == "highspy"


_HEAVY = ("pandas", "polars", "duckdb", "pyarrow")
_WHAT_LOADS = textwrap.dedent(
    """
    import runpy, sys
    sys.argv = ["svcount", *sys.argv[1:]]
    try:
        runpy.run_module("svcount", run_name="__main__")
    except SystemExit:
        pass
    print(",".join(m for m in HEAVY if m in sys.modules) or "none", file=sys.stderr)
    """
)


def _engines_loaded(*args: str) -> str:
    """Which reading engines a whole run of the console command imports (said last on stderr)."""
    done = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {_HEAVY!r}\n" + _WHAT_LOADS, *args],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    return done.stderr.strip().splitlines()[-1]


def test_help_version_usage_errors_and_the_sample_load_no_engine(tmp_path):
    """Issue 38: what answers at once never pays for pandas or polars."""
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("batch,papers\nB1,100\nB2,250\n")
    for args in (
        ["--help"],
        ["--version"],
        ["tally", "--help"],
        ["rla", "sample", "--help"],
        ["tally", "examples/quickstart/ballots.csv", "--method", "svv"],
        ["tally", "examples/quickstart/ballots.csv", "--no-such-option"],
        ["tally"],
        ["rla", "sample", str(manifest), "--seed", "12345678901234567890", "--size", "5"],
    ):
        assert _engines_loaded(*args) == "none", args
