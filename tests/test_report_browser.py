"""The HTML reports opened in a real browser (Debian's chromium, headless).

Each report is copied next to its fonts with a small probe script appended (the
copy only; the deliverable is untouched). The probe waits for the page and its
fonts, then writes into the DOM: how many images failed to load, whether the
report's CJK font (``ReportCJK``) loaded and covers the unit's name. The test fails
on any console error chromium logs, a missing image or a missing font.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import CHROMIUM_FLAGS

PROBE = """
<script>
window.addEventListener("load", function () {
  var report = function () {
    var bad = Array.from(document.images).filter(function (i) {
      return !(i.complete && i.naturalWidth > 0);
    }).length;
    var ok = document.fonts.check("10pt ReportCJK", document.title);
    var out = document.createElement("pre");
    out.id = "probe";
    out.textContent = "images=" + document.images.length + " broken=" + bad + " font=" + ok;
    document.body.appendChild(out);
  };
  document.fonts.load("10pt ReportCJK", document.title).then(report, report);
});
</script>
"""


def _open(browser: str, page: Path, profile: Path) -> tuple[str, str]:
    proc = subprocess.run(
        [browser, *CHROMIUM_FLAGS, "--dump-dom", f"--user-data-dir={profile}", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
    )
    return proc.stdout, proc.stderr


@pytest.mark.parametrize("page", ["report.html", "units/BS.html", "units/CN.html"])
def test_report_opens_cleanly_in_chromium(browser, report_written, tmp_path, page):
    out, _ = report_written
    copy = tmp_path / "site"
    shutil.copytree(out, copy, ignore=shutil.ignore_patterns("*.pdf", "*.xlsx"))
    target = copy / page
    html = target.read_text("utf-8")
    target.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom, log = _open(browser, target, tmp_path / "profile")
    errors = [
        line
        for line in log.splitlines()
        if "CONSOLE" in line or "Failed to load" in line or "ERR_FILE_NOT_FOUND" in line
    ]
    assert not errors, errors
    probe = re.search(r'<pre id="probe">images=(\d+) broken=(\d+) font=(\w+)</pre>', dom)
    assert probe, dom[-2000:]
    n_images, broken, font = probe.groups()
    assert int(n_images) >= 1 and broken == "0"
    assert font == "true"
