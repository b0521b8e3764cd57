"""Docs that cannot drift: the README's commands run, and every command has help."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from svcount.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
COMMANDS = re.findall(r"^\$ (svcount .+)$", README, flags=re.MULTILINE)


def test_the_readme_has_commands():
    assert len(COMMANDS) >= 5


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_runs(command, tmp_path):
    args = shlex.split(command)[1:]
    args = [str(ROOT / a) if a.startswith("examples/") else a for a in args]
    args = [str(tmp_path / a) if a == "result.csv" else a for a in args]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


def test_readme_library_example():
    block = re.search(r"```python\n(.*?)```", README, flags=re.DOTALL).group(1)
    out = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "Bob {'Ann': 40, 'Bob': 60}"


def test_every_command_has_help():
    for command in app.registered_commands:
        result = CliRunner().invoke(app, [command.name or command.callback.__name__, "--help"])
        assert result.exit_code == 0 and "Usage" in result.stdout


def test_every_python_block_followed_by_prints_prints_exactly_that():
    """A ```python block followed by "prints" and a ```text block prints that text."""
    block = r"```python\n((?:(?!```).)*)```"  # one block: no fence inside
    pairs = re.findall(block + r"\n\nprints\n\n```text\n(.*?)```", README, re.DOTALL)
    assert len(pairs) >= 2
    for block, printed in pairs:
        out = subprocess.run(
            [sys.executable, "-c", block], capture_output=True, text=True, check=True, cwd=ROOT
        )
        assert out.stdout == printed, block


def test_every_python_block_of_the_readme_runs():
    """Every ```python block, run in a fresh interpreter of this environment from the root."""
    for block in re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL):
        ran = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True,
                             cwd=ROOT, check=False)  # fmt: skip
        assert ran.returncode == 0, (block, ran.stderr)


def test_every_library_name_the_readme_gives_exists():
    """A name such as `svcount.io.load` in the README is a module or attribute that exists."""
    import importlib

    for name in sorted(set(re.findall(r"`(svcount(?:\.\w+)+)", README))):
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            try:
                found = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            for attribute in parts[cut:]:
                assert hasattr(found, attribute), name
                found = getattr(found, attribute)
            break
