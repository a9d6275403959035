"""The charts and PDFs of a run drawn by several processes are the very files one process
writes (the HTML holds the charts)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
from pathlib import Path
import integrity_eval as ie
from integrity_eval import report

ds = ie.datasets.load("shanghai-districts")
ev = ie.build(ds.framework, ds.idata)
manifest = dict(ev.manifest)
for n_jobs in (1, 2):
    out = Path(sys.argv[1]) / str(n_jobs)
    report.write(ev, out, manifest=manifest, units=["PD", "CM"], quiet=True, n_jobs=n_jobs)
"""


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.suffix in (".pdf", ".html", ".otf", ".ttf")
    }


def test_reports_do_not_depend_on_the_number_of_workers(tmp_path: Path) -> None:
    # a fresh process, so that its workers see SOURCE_DATE_EPOCH: the font subsets
    # (fontTools) otherwise carry the time they were made
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    env.pop("LOKY_MAX_CPU_COUNT", None)  # two worker processes, as asked
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    one, two = _digests(tmp_path / "1"), _digests(tmp_path / "2")
    assert {"report.pdf", "units/PD.pdf", "units/CM.pdf"} <= set(one)
    assert one == two
