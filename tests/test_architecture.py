"""The layers of docs/architecture.md, by folder: nothing imports from a layer above its own.

A module's layer is its folder's (``reading/``, ``documents/``, ...) or, at the
top of the package, its own. Within the core the order is errors, model,
marks, count, figures, options. The size limits are checked here too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "svcount"
#: Bottom to top. A name is a top-level module or a subpackage (folder).
LAYERS = [
    ["errors"],
    ["names"],
    ["model"],
    ["marks"],
    ["count"],
    ["figures"],
    ["options"],
    ["reading", "io"],
    ["documents"],
    ["operations"],
    ["pipeline"],
    ["tasks"],
    ["render"],
    ["shell"],
    ["cli", "api", "rla", "__main__", "__init__"],
]
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}
FOLDERS = {"reading", "documents", "operations", "render", "shell"}
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))
MAX_FUNCTION_LINES, MAX_MODULE_LINES = 60, 600
#: Functions kept longer than the limit, each with why (docs/architecture.md repeats them).
LONG_FUNCTIONS = {
    # Commands: most of their lines are the declarations of their own options.
    "cli.py:tally": "the declarations of its own options (local count, audit, output)",
    "cli.py:declare_result": "the declarations of the notice's options",
    "cli.py:verify": "the declarations of its targets and report options",
}


def unit(path: Path) -> str:
    """The layer name of a file: its folder's, or its own at the top."""
    relative = path.relative_to(PACKAGE).parts
    return relative[0] if len(relative) > 1 else path.stem


def imported(path: Path) -> set[str]:
    """The layer names a file imports, anywhere in it (deferred imports too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("svcount"):
            parts = node.module.split(".")
            if len(parts) > 1:
                names.add(parts[1])
            else:  # from svcount import x
                names.update(a.name for a in node.names if a.name in LAYER)
        elif isinstance(node, ast.Import):
            names.update(a.name.split(".")[1] for a in node.names if a.name.startswith("svcount."))
    return names


def test_every_module_has_a_layer():
    top = {p.stem for p in PACKAGE.glob("*.py")} | {p.name for p in PACKAGE.iterdir() if p.is_dir()}
    top -= {"__pycache__"}
    assert sorted(top) == sorted(LAYER)


def test_the_folders_are_the_layers():
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert folders == FOLDERS


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_from_a_layer_above(path):
    own = LAYER[unit(path)]
    above = [name for name in imported(path) if LAYER[name] > own]
    assert above == [], f"{path.name} (layer {own}) imports {above}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_size_limits(path):
    text = path.read_text()
    assert len(text.splitlines()) <= MAX_MODULE_LINES
    where = path.relative_to(PACKAGE).as_posix()
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
        and f"{where}:{node.name}" not in LONG_FUNCTIONS
    ]
    assert long == []


def test_the_architecture_document_lists_every_module():
    text = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    for path in MODULES:
        if path.name != "__init__.py" or path.parent == PACKAGE:
            assert f"`{path.relative_to(PACKAGE).as_posix()}`" in text, path


def test_the_command_line_reaches_operations_only_through_the_pipeline():
    """cli.py and shell/ call the pipeline's typed entry points, never operations/ directly
    (issue 28: verify, margin, audit, synth and the audit kit became pipeline entry points)."""
    command_line = [p for p in MODULES if unit(p) in ("cli", "shell")]
    reaching = {str(p.relative_to(PACKAGE)) for p in command_line if "operations" in imported(p)}
    assert reaching == set()
    assert not (PACKAGE / "shell" / "calls.py").exists()
