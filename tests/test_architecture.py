"""The layers of docs/architecture.md: no module imports from a layer above its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "svcount"
LAYERS = [
    ["errors"],
    ["model"],
    ["marks", "count", "figures"],
    ["files", "io"],
    ["options"],
    ["poll"],
    ["staged", "synth", "verify", "results", "diff", "audit"],
    ["render", "declaration", "html"],
    ["cli", "api", "__main__", "__init__"],
]
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}


def imported(path: Path) -> set[str]:
    """The svcount modules a file imports, anywhere in it (deferred imports too)."""
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
    assert sorted(p.stem for p in PACKAGE.glob("*.py")) == sorted(LAYER)


@pytest.mark.parametrize("module", sorted(LAYER))
def test_no_module_imports_from_a_layer_above(module):
    above = [name for name in imported(PACKAGE / f"{module}.py") if LAYER[name] > LAYER[module]]
    assert above == [], f"{module} (layer {LAYER[module]}) imports {above}"


def test_the_architecture_document_lists_every_module():
    text = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    for name in LAYER:
        assert f"`{name}.py`" in text
