"""How long the whole deliverable of the default evaluation takes (target: `make demo` < 2 min).

Prints the time of each part for the bundled Shanghai districts (16 units, latest year):
build, earlier periods (trend), tables and workbook, unit contents and charts, HTML, PDFs.
Run once or twice; on a shared machine the wall-clock time varies, CPU time less so.

    .venv/bin/python benchmarks/report.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import integrity_eval as ie
from integrity_eval.report import content, figures, fonts


def main() -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    ds = ie.datasets.load("shanghai-districts", panel=True)
    ev = ie.build(ds.framework, ds.idata, seed=0, time=max(ds.periods))
    t = time.perf_counter()
    hist = content.history_of(ev)
    hist_s = time.perf_counter() - t
    print(f"build {t - wall:6.2f} s   earlier periods ({len(hist) - 1}) {hist_s:6.2f} s")
    font = fonts.resolve_font()
    t = time.perf_counter()
    ctx = content.unit_content(ev, str(ev.units.index[0]), history=hist)
    p = ctx["profile"]
    figures.profile_chart(
        p["names"], p["unit"], p["median"], p["best"], labels=("a", "b", "c"), font=font
    )
    print(f"one unit: content + profile chart {time.perf_counter() - t:6.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        ie.report.write(ev, Path(tmp) / "html", pdf=False, quiet=True)
        html_s = time.perf_counter() - t
        t = time.perf_counter()
        ie.report.write(ev, Path(tmp) / "all", quiet=True)
        all_s = time.perf_counter() - t
    print(f"deliverable without PDFs {html_s:6.2f} s   with PDFs {all_s:6.2f} s")
    print(f"PDFs alone ≈ {all_s - html_s:6.2f} s for {len(ev.units) + 1} reports")
    print(f"total wall {time.perf_counter() - wall:6.2f} s, CPU {time.process_time() - cpu:6.2f} s")


if __name__ == "__main__":
    main()
