"""The results page: a self-contained HTML file, checked as HTML and in a real browser."""

from __future__ import annotations

import base64
import json
import re
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import browser, open_browser
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
    charts = [a for tag, a in page.tags if tag == "figure" and "chart" in (a.get("class") or "")]
    assert len(charts) == 3  # first preferences, final totals, where the papers went
    for chart in charts:
        ids = [chart["aria-labelledby"], chart["aria-describedby"]]
        assert all(f'id="{i}"' in html for i in ids)
    assert "<img" not in html and "data:image/png" not in html  # HTML and CSS, no raster


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
    assert (
        "Turnout by voting area" in page.words and "Ballot papers in each voting area" in page.words
    )
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


#: What the layout tests measure in the page: widths, chart text and colours, tables.
MEASURE = """
const out = {width: document.documentElement.scrollWidth, viewport: window.innerWidth,
             charts: [], tables: [], small: []};
for (const chart of document.querySelectorAll('figure.chart')) {
  const boxes = [], colours = [];
  const walker = document.createTreeWalker(chart, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, element = node.parentElement;
    if (!node.textContent.trim() || element.closest('.sr-only')) continue;
    const size = parseFloat(getComputedStyle(element).fontSize);
    if (size < 12) out.small.push([node.textContent, size]);
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const b of range.getClientRects())
      boxes.push([node.textContent, b.left, b.top, b.right, b.bottom]);
  }
  for (const line of chart.querySelectorAll('.half')) {
    const b = line.getBoundingClientRect();
    boxes.push(['(the more-than-half line)', b.left - 1, b.top, b.right + 1, b.bottom]);
  }
  for (const bar of chart.querySelectorAll('[data-candidate]')) {
    const look = getComputedStyle(bar.querySelector('.seg'));
    colours.push([bar.dataset.candidate, look.backgroundColor, look.backgroundImage]);
  }
  out.charts.push({id: chart.id, boxes: boxes, colours: colours});
}
for (const wrap of document.querySelectorAll('.table-wrap')) {
  const table = wrap.querySelector('table'), first = table.querySelector('tbody th');
  out.tables.push({id: table.id, fits: table.scrollWidth <= wrap.clientWidth + 1,
                   scrolls: getComputedStyle(wrap).overflowX,
                   sticky: first ? getComputedStyle(first).position : 'sticky',
                   cue: getComputedStyle(wrap).backgroundImage.includes('radial-gradient'),
                   inside: wrap.getBoundingClientRect().right <= window.innerWidth + 1});
}
return out;
"""


def layout_pages(tmp_path):
    """The pages whose layout is measured: two stages, twenty candidates, voting areas."""
    london = EXAMPLES / "london-2021"
    areas = EXAMPLES / "llr-2024-areas"
    pages = {
        "llr-2016": llr_2016_page(),
        "london-2021": html_of("tally", london / "ballots.csv", "-c", london / "candidates.csv"),
        "by-area": html_of(
            "tally", BY_AREA / "all.csv", "-c", BY_AREA / "candidates.txt",
            "--electorate-file", BY_AREA / "areas.csv",
        ),
        "llr-2024-areas": html_of(
            "tally", areas / "ballots.csv.gz", "-c", EXAMPLES / "llr-2024" / "candidates.csv",
            "--electorate-file", areas / "areas.csv",
        ),
    }  # fmt: skip
    for name, html in pages.items():
        (tmp_path / f"{name}.html").write_text(html)
    return [tmp_path / f"{name}.html" for name in pages]


def _overlapping(boxes):
    """Pairs of text boxes (or a text and the line) whose rectangles intersect."""
    found = []
    line = "(the more-than-half line)"
    for i, (a, *r) in enumerate(boxes):
        for b, *q in boxes[i + 1 :]:
            if a == b == line:  # one dashed line, drawn row by row
                continue
            if min(r[2], q[2]) - max(r[0], q[0]) > 0.5 and min(r[3], q[3]) - max(r[1], q[1]) > 0.5:
                found.append((a, b))
    return found


@browser
@pytest.mark.parametrize("width", [375, 1280])
def test_the_page_fits_the_screen_with_readable_unclashing_charts(tmp_path, width):
    driver = open_browser(True, width)
    try:
        for path in layout_pages(tmp_path):
            driver.get(path.as_uri())
            got = driver.execute_script(MEASURE)
            where = f"{path.stem} at {width}px"
            assert got["width"] <= got["viewport"], f"{where}: the page scrolls sideways"
            assert got["small"] == [], f"{where}: chart text under 12px"
            looks: dict[str, set[tuple[str, str]]] = {}
            for chart in got["charts"]:
                assert _overlapping(chart["boxes"]) == [], f"{where}: {chart['id']}"
                for name, colour, pattern in chart["colours"]:
                    looks.setdefault(name, set()).add((colour, pattern))
            assert all(len(seen) == 1 for seen in looks.values()), f"{where}: {looks}"
            distinct = [next(iter(seen)) for seen in looks.values()]
            assert len(set(distinct)) == len(distinct), f"{where}: two candidates look alike"
            for table in got["tables"]:
                assert table["inside"], f"{where}: {table['id']} runs off the screen"
                if width == 1280:
                    assert table["fits"], f"{where}: {table['id']} scrolls sideways"
                else:
                    assert table["fits"] or (
                        table["scrolls"] == "auto" and table["sticky"] == "sticky"
                    ), f"{where}: {table['id']}"
                    # a figure cut at the edge never in silence: the hidden side casts a shadow
                    assert table["fits"] or table["cue"], f"{where}: {table['id']} has no cue"
    finally:
        driver.quit()


def test_by_area_pages_give_votes_per_area_with_totals_and_the_issued_check():
    html = html_of(
        "tally", BY_AREA / "all.csv", "-c", BY_AREA / "candidates.txt",
        "--electorate-file", BY_AREA / "areas.csv",
    )  # fmt: skip
    words = Page(html).words
    for table in ("table-areas", "table-area-votes", "table-area-seconds"):
        assert f'id="{table}"' in html
    assert "First preferences for each candidate in each voting area" in words
    assert "Blaby 95 70 67 60" in words and "Total 193 160 135 114" in words
    assert "Second preferences added to each remaining candidate, by voting area" in words
    assert "Issued − counted" in words and "+1 check" in words


def test_the_footer_names_files_not_local_paths_and_options_in_words():
    html = llr_2016_page()
    footer = html.split("<footer>")[1]
    assert str(LLR_2016) not in footer and "/" not in Page(footer).words.replace("N/A", "")
    assert "ballots.csv.gz" in footer and "candidates.csv" in footer
    assert "Marks separated by" in footer and "separator=" not in footer
    assert "supplementary vote" in footer


def test_each_candidate_has_one_colour_on_every_chart():
    html = llr_2016_page()
    for name, index in (("Willy Bach", 0), ("Neil Durban Bannister", 1)):
        bars = re.findall(rf'data-candidate="{name}">.*?class="seg (c\d+ \w+)', html)
        assert len(bars) == 3 and set(bars) == {f"c{index} solid"}, bars


def test_the_screenshots_at_375_and_1280_are_in_the_readme():
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text()
    for width in (375, 1280):
        assert f"docs/llr-2016-{width}.png" in readme
        assert (root / "docs" / f"llr-2016-{width}.png").read_bytes()[:4] == b"\x89PNG"
    assert "python docs/screenshots.py" in readme


@browser
def test_print_layout_renders(tmp_path):
    path = tmp_path / "llr.html"
    path.write_text(llr_2016_page())
    driver = open_browser(True, 1280)
    try:
        driver.get(path.as_uri())
        for _ in range(3):  # on a loaded machine the first print can come before the layout
            pdf = base64.b64decode(driver.print_page())
            if len(pdf) > 10_000:
                break
            driver.refresh()
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    finally:
        driver.quit()


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
