"""The results page: a self-contained HTML file, checked as HTML and in a real browser."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import BY_AREA, EXAMPLES, run, write

LLR_2016 = EXAMPLES / "llr-2016"
HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "Ann \"'&"]


class Page(HTMLParser):
    """Everything the tests look at: text, tables, and every URL the page could load."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.text: list[str] = []
        self.urls: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables = 0
        self.captions = 0
        self.scoped = 0
        self.headers = 0
        self.feed(html)
        self.urls += re.findall(r"url\(\s*['\"]?([^)'\"]+)", html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        for key in ("src", "href", "xlink:href", "action", "data"):
            if attributes.get(key):
                self.urls.append(attributes[key])
        self.tables += tag == "table"
        self.captions += tag == "caption"
        if tag == "th":
            self.headers += 1
            self.scoped += attributes.get("scope") in ("col", "row")

    def handle_data(self, data):
        self.text.append(data)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def html_of(*args):
    result = run(*args, "--format", "html")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def llr_2016_page():
    args = (
        LLR_2016 / "ballots.csv.gz",
        "-c",
        LLR_2016 / "candidates.csv",
        "--electorate",
        "768700",
    )
    return html_of("tally", *args)


def test_every_figure_of_the_result_is_on_the_page():
    page = Page(llr_2016_page())
    doc = json.loads(
        run(
            "tally", LLR_2016 / "ballots.csv.gz", "-c", LLR_2016 / "candidates.csv",
            "--electorate", "768700", "-f", "json",
        ).stdout
    )  # fmt: skip
    words = page.words
    assert "Willy Bach is duly elected after the second preferences" in words
    for c in doc["candidates"]:
        assert c["name"] in words and f"{c['first_preferences']:,}" in words
        assert f"{c['share_pct']:.2f}" in words
        if c["final"] is not None:
            assert f"{c['final']:,}" in words and f"{c['second_preferences']:,}" in words
    for papers in doc["rejected"].values():
        assert f"{papers:,}" in words
    for papers in doc["stages"][1]["non_transferable"].values():
        assert f"{papers:,}" in words
    assert "20.25" in words and "19.79" in words and "768,700" in words
    assert doc["input"]["sha256"] in words and "svcount" in words


def test_tables_have_captions_and_scoped_headers_and_charts_have_text():
    html = llr_2016_page()
    page = Page(html)
    assert page.tables >= 4 and page.captions == page.tables
    assert page.scoped == page.headers
    svgs = [a for tag, a in page.tags if tag == "svg" and a.get("role") == "img"]
    assert len(svgs) == 3  # first preferences, final totals, where the papers went
    for svg in svgs:
        ids = svg["aria-labelledby"].split()
        assert all(f'id="{i}"' in html for i in ids)
    assert "<img" not in html and "data:image/png" not in html  # SVG only, no raster


def test_the_page_loads_nothing_from_anywhere():
    for html in (
        llr_2016_page(),
        html_of("tally", BY_AREA / "all.csv", "--electorate-file", BY_AREA / "areas.csv"),
    ):
        page = Page(html)
        external = [u for u in page.urls if not u.startswith("#")]
        assert external == []
        assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in html and "@import" not in html


def test_areas_get_a_table_and_a_chart():
    page = Page(html_of("tally", BY_AREA / "all.csv", "--electorate-file", BY_AREA / "areas.csv"))
    assert "Turnout by voting area" in page.words and "Each voting area" in page.words
    assert "Melton" in page.words and "22.22" in page.words


def test_hostile_names_are_text(tmp_path):
    rows = [f'"{n.replace(chr(34), chr(34) * 2)}",' for n in HOSTILE]
    path = write(tmp_path, "first,second\n" + "\n".join(rows * 2 + rows[:1]) + "\n")
    html = html_of("tally", path)
    page = Page(html)
    for name in HOSTILE:
        assert name in " ".join(page.text)
    scripts = [t for t, _ in page.tags if t == "script"]
    assert len(scripts) == 1  # the page's own, nothing from a name
    assert not any("onerror" in a for _, a in page.tags)


def test_rerun_gives_the_same_bytes():
    assert llr_2016_page() == llr_2016_page()


def test_declare_and_combine_write_the_page(tmp_path, staged):
    firsts = ["blaby-1.json", "melton-1.json", "rutland-1.json"]
    seconds = ["blaby-2.json", "melton-2.json", "rutland-2.json"]
    combined = html_of("combine", *firsts, *seconds)
    assert "Ann is duly elected" in Page(combined).words
    assert run("combine", *firsts, *seconds, "-o", "r.json").exit_code == 0
    declared = html_of("declare", "r.json", "--title", "PCC <b>", "--date", "2016-05-05")
    assert "<h1>PCC &lt;b&gt;</h1>" in declared and "5 May 2016" in declared
    assert run("combine", *firsts, "-f", "html").exit_code == 2  # a total is not a result


def test_the_extension_chooses_html(tmp_path):
    out = tmp_path / "r.html"
    assert run("tally", EXAMPLES / "quickstart" / "ballots.csv", "-o", out).exit_code == 0
    assert out.read_text().startswith("<!DOCTYPE html>")


# ----------------------------------------------------------------- in a real browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not (CHROMIUM and DRIVER) and os.environ.get("CI"):
    raise RuntimeError("CI must run the browser tests: .ci/run installs chromium")
browser = pytest.mark.skipif(
    not (CHROMIUM and DRIVER), reason="Debian's chromium and chromium-driver are not installed"
)


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
    return webdriver.Chrome(options=options, service=Service(DRIVER))


def not_blank(png: bytes) -> bool:
    """A PNG with more than a handful of distinct byte values in its pixels."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    data, at = b"", 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        if kind == b"IDAT":
            data += png[at + 8 : at + 8 + length]
        at += 12 + length
    return len(set(zlib.decompress(data))) > 16


@browser
@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_the_page_in_headless_chromium(tmp_path, javascript):
    rows = [f'"{n.replace(chr(34), chr(34) * 2)}",' for n in HOSTILE]
    hostile = write(tmp_path, "first,second\n" + "\n".join(rows * 2) + "\nAnn,\n")
    pages = {
        "llr": (tmp_path / "llr.html", llr_2016_page()),
        "hostile": (tmp_path / "hostile.html", html_of("tally", hostile, "--seed", "1")),
    }
    for path, html in pages.values():
        path.write_text(html)
    for width in (1280, 375):
        driver = open_browser(javascript, width)
        try:
            path = pages["llr"][0]
            driver.get(path.as_uri())
            text = driver.find_element("tag name", "body").text
            assert "Willy Bach is duly elected" in text
            for figure in ("67,991", "46,958", "19,359", "17,815", "78,188", "58,305"):
                assert figure in text
            height = driver.execute_script("return document.body.scrollHeight")
            driver.set_window_size(width, min(height, 4000))
            shot = driver.get_screenshot_as_png()
            assert not_blank(shot)
            (tmp_path / f"shot-{width}-{javascript}.png").write_bytes(shot)
            errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            assert errors == []
            requests = [json.loads(e["message"])["message"] for e in driver.get_log("performance")]
            urls = [
                m["params"]["request"]["url"]
                for m in requests
                if m["method"] == "Network.requestWillBeSent"
            ]
            assert all(u.startswith("file://") for u in urls), urls
            driver.get(pages["hostile"][0].as_uri())
            title = driver.title
            flagged = driver.execute_script("return window.__svcount_hostile_ran === true")
            assert title == "Result of the poll" and not flagged
            body = driver.find_element("tag name", "body").text
            for name in HOSTILE:
                assert name in body
            alerts = driver.execute_script("return typeof window.__alerts")
            assert alerts == "undefined"
        finally:
            driver.quit()


@browser
def test_print_layout_renders(tmp_path):
    path = tmp_path / "llr.html"
    path.write_text(llr_2016_page())
    driver = open_browser(True, 1280)
    try:
        driver.get(path.as_uri())
        pdf = base64.b64decode(driver.print_page())
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    finally:
        driver.quit()


def test_a_screenshot_of_the_llr_2016_page_is_in_the_readme():
    root = Path(__file__).resolve().parent.parent
    assert "docs/llr-2016.png" in (root / "README.md").read_text()
    assert (root / "docs" / "llr-2016.png").read_bytes()[:4] == b"\x89PNG"


# ----------------------------------------------------------------- markdown


def test_markdown_is_the_table_outputs_sections_as_commonmark(tmp_path):
    from markdown_it import MarkdownIt

    quick = EXAMPLES / "quickstart" / "ballots.csv"
    text = run("tally", quick, "--format", "markdown").stdout
    tables = run("tally", quick).stdout
    html = MarkdownIt("commonmark").enable("table").render(text)
    titles = re.findall(r"<h3>(.*?)</h3>", html)
    for title in titles:
        assert title.replace("&#x27;", "'") in tables
    assert len(titles) == html.count("<table>") + 1 >= 6  # every table, and the Declaration
    assert "<h1>Supplementary vote:" in html
    assert "Bob Baker is elected by most votes after second preferences" in html
    out = tmp_path / "r.md"
    assert run("tally", quick, "-o", out).exit_code == 0
    assert out.read_text() == text


def test_markdown_escapes_names(tmp_path):
    from markdown_it import MarkdownIt

    path = write(tmp_path, "first,second\n<b>A</b>|x|y,\n*A*,\n*A*,\nB_c,\n")
    html = (
        MarkdownIt("commonmark").enable("table").render(run("tally", path, "-f", "markdown").stdout)
    )
    assert "<b>" not in html and "*A*" in html and "B_c" in html
