"""The layers of docs/architecture.md, by folder: nothing imports from a layer above its own.

A module's layer is its folder's (``reading/``, ``documents/``, ...) or, at the
top of the package, its own. Within the core the order is errors, model,
marks, count, figures, options. The size limits are checked here too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "svcount"
#: Bottom to top. A name is a top-level module or a subpackage (folder).
LAYERS = [
    ["errors", "version"],
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


def module_name(path: Path) -> str:
    """``svcount.reading.header`` for svcount/reading/header.py; ``svcount`` for the package."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULE_NAMES = {module_name(p) for p in MODULES}
#: A module named in a string: a format table's ``module:function``, a reader's module.
NAMED_MODULE = re.compile(r"(svcount(?:\.\w+)+)(?::\w+)?")


def imports(path: Path, text: str | None = None) -> set[tuple[str, str]]:
    """Every (svcount module, name) a file (or ``text`` in its place) imports anywhere:
    deferred and relative imports, and modules named in strings (the format tables),
    whose name is ""."""
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text() if text is None else text)):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # from .shell import emit; from .. import x
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([module] if module else [])])
            if module == "svcount" or module.startswith("svcount."):
                for alias in node.names:
                    full = f"{module}.{alias.name}"
                    found.add((full, "") if full in MODULE_NAMES else (module, alias.name))
        elif isinstance(node, ast.Import):
            found |= {(a.name, "") for a in node.names if a.name.startswith("svcount")}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            named = NAMED_MODULE.fullmatch(node.value)
            if named and named.group(1) in MODULE_NAMES:
                found.add((named.group(1), ""))
    return {(m, n) for m, n in found if m != me}


def layer_of(module: str) -> str | None:
    """The layer name of a dotted module: ``reading`` for svcount.reading.header."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def imported(path: Path) -> set[str]:
    """The layer names a file imports, anywhere in it (deferred, relative, named in strings)."""
    return {layer for module, _ in imports(path) if (layer := layer_of(module)) in LAYER}


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


def test_the_layering_check_sees_relative_deferred_and_string_imports():
    """The check itself: an upward import hidden in any of these forms is found."""
    model = PACKAGE / "model.py"
    for hidden, layer in [
        ("from .shell import emit", "shell"),
        ("from . import cli", "cli"),
        ("def later():\n    from svcount.render import html", "render"),
        ('TABLE = {"x": "svcount.shell.results:counted_file"}', "shell"),
        ('READERS = {"x": "svcount.pipeline"}', "pipeline"),
    ]:
        text = model.read_text() + "\n" + hidden + "\n"
        assert layer in {layer_of(m) for m, _ in imports(model, text)}, hidden
    assert not {"shell", "cli", "render", "pipeline"} & imported(model)


def test_no_module_imports_another_that_imports_it_back():
    """No circle of imports, type-only ones included (issue 33: header and source)."""
    graph = {module_name(p): {m for m, _ in imports(p)} & MODULE_NAMES for p in MODULES}
    graph["svcount"] -= {"svcount.api"}  # names the package loads lazily, on first use
    circles = []
    for start in graph:
        seen, stack = set(), [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    circles.append(" -> ".join([*path, start]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    assert circles == []


#: What opens a ballot file: only io.py and reading/ may call these (issue 33, "one door").
OPENERS = {
    "open_source", "past_preamble", "open_binary", "pandas_chunks", "records",
    "validated_rows", "sniff", "read_marks", "from_header", "recognised", "reader",
    "papers", "record_marks", "load_records", "head_of", "inflated",
}  # fmt: skip


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_io_and_reading_open_a_ballot_file(path):
    """Every ballot file, of any format, enters through io.py: the count, the audit trail,
    the audit's readings and read_ballots alike."""
    if unit(path) in ("reading", "io"):
        return
    opening = sorted(
        f"{module}:{name}"
        for module, name in imports(path)
        if name in OPENERS and layer_of(module) in ("reading", "io")
    )
    assert opening == []


def test_the_architecture_document_lists_the_long_functions():
    text = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    assert [f for f in LONG_FUNCTIONS if f"`{f}`" not in text] == []
