"""Helpers shared by the test modules: run the command, write files, edit svcount's own files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from svcount.cli import app
from svcount.files import canonical_digest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ENGINES = ["python", "pandas"]


def run(*args, input=None):
    """The command, through CliRunner: stdout and stderr apart."""
    return CliRunner().invoke(app, [str(a) for a in args], input=input)


def write(tmp_path, text, name="ballots.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def write_sealed(path, doc):
    """Write an edited svcount JSON file with a digest that matches the edit.

    For tests of the checks *between* files: a plain edit is caught earlier,
    by the file's own digest.
    """
    doc = {k: v for k, v in doc.items() if k != "digest"}
    doc["digest"] = canonical_digest(doc)
    Path(path).write_text(json.dumps(doc, indent=2))
