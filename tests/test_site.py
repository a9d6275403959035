"""The documentation site (``make docs``), built once here as ``make test``'s notebook run.

The build executes every notebook once (myst-nb, ``nb_execution_mode=force``, the
notebook's own kernel, cells in order, ``allow_errors`` off): a cell that raises ends that
notebook's run with a warning carrying the cell's traceback, anything a cell writes to
stderr is a warning (``nb_output_stderr = "warn"``), and every warning — a failed
notebook, a notebook's stderr, Sphinx, docutils, MyST, numpydoc validation — is an error
(``-W --keep-going``: all of them are listed). The built pages are then checked
as files: every internal link and anchor resolves, nothing is loaded from the network,
every notebook page carries its figures, every public name has its reference page; and
chromium opens the front page, a notebook page and a search, offline.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import matplotlib.image
import pytest
from conftest import CHROMIUM_FLAGS, ROOT

DOCS = ROOT / "docs"
SITE = DOCS / "_build" / "html"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

sys.path.insert(0, str(DOCS / "_ext"))
from apipages import public_api  # noqa: E402


@pytest.fixture(scope="module")
def site() -> Path:
    """Build the site from scratch (-E), every notebook executed, warnings as errors."""
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "sphinx", "-E", "-W", "--keep-going", "-j", "auto"),
            *("-b", "html", "-D", "nb_execution_mode=force", str(DOCS), str(SITE)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    log = re.sub(r"\x1b\[[0-9;]*m", "", proc.stderr).splitlines()  # no colour codes
    first = next((i for i, line in enumerate(log) if "WARNING" in line or "ERROR" in line), 0)
    assert proc.returncode == 0, "\n".join(log[first:][:300])
    return SITE


class _Page(HTMLParser):
    """The links, resources, images and ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []  # <a href>
        self.loads: list[str] = []  # what the page loads: scripts, styles, images
        self.images: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.loads.append(a["src"])
        elif tag == "link" and a.get("href") and a.get("rel") in ("stylesheet", "preload"):
            self.loads.append(a["href"])
        elif tag == "img" and a.get("src"):
            self.loads.append(a["src"])
            self.images.append(a["src"])


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_internal_links_resolve_and_nothing_comes_from_the_network(site):
    # _static/ holds the theme's own files (a template among them), not pages
    pages = {p: _parse(p) for p in site.rglob("*.html") if "_static" not in p.parts}
    broken, remote = [], []
    for path, page in pages.items():
        rel = path.relative_to(site).as_posix()
        for url in page.loads:
            if urlsplit(url).scheme or url.startswith("//"):
                remote.append(f"{rel}: {url}")
            elif not (path.parent / unquote(urlsplit(url).path)).is_file():
                broken.append(f"{rel}: {url}")
        for url in page.links:
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//") or url == "#":
                continue  # a page outside the site, or a button
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if not target.is_file():
                broken.append(f"{rel}: {url}")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{rel}: {url} (no such anchor)")
    assert remote == []
    assert broken == []


def _figures(notebook: Path) -> int:
    """Cells that draw: a plot (ie.plots, an uncertainty or report chart) or an Image."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    drawing = re.compile(r"^ax = |^Image\(|\.plots\.\w+\(|figures\.\w+_chart\(", re.M)
    return sum(bool(drawing.search(src)) for src in code)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_is_on_the_site_with_its_figures(site, notebook):
    page = site / "notebooks" / f"{notebook.stem}.html"
    assert page.is_file(), f"{notebook.name} is not on the site"
    parsed = _parse(page)
    text = page.read_text(encoding="utf-8")
    assert "Traceback" not in text and 'class="output stderr"' not in text
    figures = [src for src in parsed.images if "_images/" in src]
    assert len(figures) >= _figures(notebook), f"{notebook.name}: {figures}"
    for src in figures:
        img = matplotlib.image.imread(page.parent / unquote(src))
        assert img.shape[0] > 100 and img.std() > 0, f"{src} is blank"


def test_every_public_name_has_its_reference_page(site):
    missing = []
    for ns in public_api():
        page = site / "api" / f"{ns.module}.html"
        if not page.is_file():
            missing.append(ns.module)
            continue
        ids = _parse(page).ids
        for name in ns.functions + ns.classes:
            stub = site / "api" / "generated" / f"{ns.module}.{name}.html"
            if not stub.is_file() or f"{ns.module}.{name}" not in _parse(stub).ids:
                missing.append(f"{ns.module}.{name}")
        missing += [f"{ns.module}.{n}" for n in ns.constants if f"{ns.module}.{n}" not in ids]
    assert missing == []
    assert {"integrity_eval.build", "integrity_eval.rating.rate", "integrity_eval.weights.ahp"} <= {
        f"{ns.module}.{n}" for ns in public_api() for n in ns.names
    }


def _chromium(browser: str, url: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url],
        capture_output=True,
        text=True,
        timeout=180,
    )


def _console_errors(log: str) -> list[str]:
    """Console messages and failed loads; chromium logs every console level as INFO, so
    only the theme's own status lines ("[PST]: ...", console.log) are let through."""
    return [
        line
        for line in log.splitlines()
        if ("CONSOLE" in line and '] "[PST]: ' not in line)
        or "Failed to load" in line
        or "ERR_" in line
    ]


@pytest.mark.parametrize("page", ["index.html", "notebooks/01_build_and_explore.html"])
def test_pages_render_in_chromium(site, browser, tmp_path, page):
    shot = tmp_path / "shot.png"
    url = (site / page).as_uri()
    proc = _chromium(
        browser, url, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,1600"
    )
    assert _console_errors(proc.stderr) == []
    img = matplotlib.image.imread(shot)
    assert img.shape[:2] == (1600, 1280)
    assert img.std() > 0.05, "the screenshot is blank"
    dom = _chromium(browser, url, tmp_path / "profile", "--dump-dom")
    assert _console_errors(dom.stderr) == []
    assert "integrity-eval" in dom.stdout


def test_search_works_offline_in_chinese_and_english(site, browser, tmp_path):
    for query, expected in (("权重", "weights.html"), ("winsorise", "spec.html")):
        url = (site / "search.html").as_uri() + "?q=" + quote(query)
        proc = _chromium(browser, url, tmp_path / "profile", "--dump-dom")
        assert _console_errors(proc.stderr) == []
        results = re.search(r'<ul[^>]*class="search"[^>]*>(.*?)</ul>', proc.stdout, re.S)
        assert results, f"no search results for {query!r}"
        assert expected in results.group(1), f"{query!r} does not find {expected}"
