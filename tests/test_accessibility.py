"""Every page svcount writes meets WCAG 2.2 AA, as axe-core finds in Chromium at 1280 and 375 px.

A public body's results page must (the Public Sector Bodies Accessibility
Regulations 2018): every example's results page, a declaration, a page with
the margin, and the verification statement.
"""

from __future__ import annotations

import pytest
from browser import axe_violations, needs_browser, open_browser
from helpers import BY_AREA, EXAMPLES, run

pytestmark = [needs_browser, pytest.mark.slow]


def _pages():
    """(name, command-line arguments) of every kind of page, each written with -f html."""
    pages = []
    for example in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        ballots = next(
            p for p in sorted(example.iterdir()) if p.name.startswith(("ballots", "all"))
        )
        args = ["tally", ballots]
        listed = [p for p in example.iterdir() if p.stem == "candidates"]
        if example.name == "llr-2024-areas":
            listed = [EXAMPLES / "llr-2024" / "candidates.csv"]
        if listed:
            args += ["-c", listed[0]]
        if (example / "areas.csv").exists():
            args += ["--electorate-file", example / "areas.csv"]
        pages.append((example.name, args))
    quickstart = EXAMPLES / "quickstart"
    pages.append(("declaration", ["declare", EXAMPLES / "llr-2016" / "ballots.csv.gz"]))
    pages.append(("margin", ["tally", quickstart / "ballots.csv", "--margin"]))
    statement = ["verification", BY_AREA / "verification" / "accounts.csv"]
    pages.append(("verification statement", statement))
    return pages


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    paths = []
    for name, args in _pages():
        path = folder / f"{name.replace(' ', '-')}.html"
        result = run(*args, "-f", "html", "-o", path)
        assert result.exit_code in (0, 1), (name, result.stderr)  # 1: an unexplained variance
        paths.append(path)
    return paths


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_violation_on_any_page(written, width):
    driver = open_browser(True, width)
    try:
        found = {path.stem: axe_violations(driver, path) for path in written}
    finally:
        driver.quit()
    assert {page: v for page, v in found.items() if v} == {}
    assert len(found) == len(_pages()) >= 10
