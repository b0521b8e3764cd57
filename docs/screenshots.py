"""Regenerate the README's screenshots of the results page, at 1280 and at 375 pixels.

    python docs/screenshots.py            # writes docs/llr-2016-1280.png and docs/llr-2016-375.png
    python docs/screenshots.py --page by-area --out /tmp
    python docs/screenshots.py --page verification   # the by-area statement of the verification

Needs Chromium and chromedriver (Debian: apt-get install chromium chromium-driver)
and Selenium (the test extra). The pages are those of the examples, counted now.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
#: Each page: the command that makes it.
PAGES = {
    "llr-2016": ["tally", "llr-2016/ballots.csv.gz", "-c", "llr-2016/candidates.csv",
                 "--electorate", "768700", "--title",
                 "Police and crime commissioner for Leicester, Leicestershire and Rutland",
                 "--date", "2016-05-05"],
    "by-area": ["tally", "by-area/all.csv", "-c", "by-area/candidates.txt", "--electorate-file",
                "by-area/areas.csv"],
    "llr-2024-areas": ["tally", "llr-2024-areas/ballots.csv.gz", "-c", "llr-2024/candidates.csv",
                       "--electorate-file", "llr-2024-areas/areas.csv"],
    "london-2021": ["tally", "london-2021/ballots.csv", "-c", "london-2021/candidates.csv"],
    "verification": ["verification", "by-area/verification/accounts.csv"],
}  # fmt: skip
WIDTHS = (1280, 375)


def page_html(name: str) -> str:
    """The example's page, from the svcount installed here (a statement with a variance
    unexplained exits 1, and is still the page)."""
    args = [sys.executable, "-m", "svcount", *PAGES[name], "-f", "html", "-q"]
    made = subprocess.run(args, cwd=EXAMPLES, capture_output=True, text=True)
    if made.returncode not in (0, 1):
        sys.exit(made.stderr)
    return made.stdout


def browser(width: int):  # noqa: ANN201 - a selenium WebDriver
    """Headless Chromium at ``width`` CSS pixels, one device pixel to each."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        sys.exit("screenshots need Chromium: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 "--force-device-scale-factor=1", f"--window-size={width},1000"):  # fmt: skip
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(driver))


def screenshot(html: str, width: int) -> bytes:
    """The whole page at ``width``, as PNG."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.html"
        path.write_text(html, encoding="utf-8")
        driver = browser(width)
        try:
            driver.get(path.as_uri())
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(width, height)
            return driver.get_screenshot_as_png()
        finally:
            driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--page", choices=sorted(PAGES), default="llr-2016")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    html = page_html(args.page)
    for width in WIDTHS:
        out = args.out / f"{args.page}-{width}.png"
        out.write_bytes(screenshot(html, width))
        print(out)


if __name__ == "__main__":
    main()
