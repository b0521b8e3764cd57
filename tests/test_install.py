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
