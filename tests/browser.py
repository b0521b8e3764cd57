"""Headless Chromium for the page tests, and axe-core to check a page against WCAG 2.2 AA."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not (CHROMIUM and DRIVER) and os.environ.get("CI"):
    raise RuntimeError("CI must run the browser tests: .ci/run installs chromium")
needs_browser = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="no browser: apt-get install chromium chromium-driver (as .ci/run does)",
)


def browser(test):
    """A test in Chromium: slow (deselect with -m 'not slow'), skipped without a browser."""
    return pytest.mark.slow(needs_browser(test))


def open_browser(javascript: bool, width: int):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--window-size={width},1000",
    ):  # fmt: skip
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    driver.set_window_size(width, 1000)  # --window-size alone gives headless at least 500 px
    return driver


def axe_script() -> str:
    """axe-core, as axe-playwright-python ships it (the test extra): read as a file, so
    Playwright itself is never imported."""
    spec = importlib.util.find_spec("axe_playwright_python")
    assert spec is not None and spec.submodule_search_locations, "pip install -e '.[test]'"
    return (Path(spec.submodule_search_locations[0]) / "axe.min.js").read_text(encoding="utf-8")


#: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

_RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}}).then(
  r => done(r.violations.map(v => [v.id, v.impact, v.nodes.map(n => n.target.join(' '))])),
  e => done([['axe failed', String(e), []]]));
"""


def axe_violations(driver, page: Path) -> list:
    """[rule, impact, [elements]] for every rule the page breaks, as axe-core finds them."""
    driver.get(page.as_uri())
    driver.execute_script(axe_script())
    driver.set_script_timeout(60)
    return driver.execute_async_script(_RUN_AXE, AXE_TAGS)
