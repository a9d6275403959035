"""Benchmark: seconds and peak memory of one ``build``.

ASEM (51 units × 49 indicators, the COINr example pipeline) and a synthetic
3,000 units × 100 indicators × 4 levels. Issue 23's targets (ASEM within COINr / 10,
3,000 × 100 within 0.2 s, 30,000 × 100 within 2 s) are judged by ``targets.py``
(``make bench``).

Run: ``.venv/bin/python benchmarks/build.py`` (or ``make bench``).
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

import integrity_eval as ie

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from conftest import ASEM_SPEC  # noqa: E402

FULL_SPEC = {
    "impute": {"method": "mean"},
    "treat": {"method": "winsorise", "winmax": 5},
    "normalise": {"method": "minmax", "l_u": [0, 100]},
    "aggregate": {"method": "amean"},
}


def synthetic(n_units: int = 3000, n_ind: int = 100, seed: int = 1):
    """A 4-level tree (100 indicators → 20 → 5 → index) and skewed data with 2 % missing."""
    rows = [
        {
            "iCode": f"I{i:03d}",
            "Level": 1,
            "Parent": f"P{i // 5:02d}",
            "Type": "Indicator",
            "Direction": 1 if i % 4 else -1,
            "Weight": 1.0,
        }
        for i in range(n_ind)
    ]
    rows += [
        {
            "iCode": f"P{p:02d}",
            "Level": 2,
            "Parent": f"S{p // 4}",
            "Type": "Aggregate",
            "Direction": 1,
            "Weight": 1.0,
        }
        for p in range(n_ind // 5)
    ]
    rows += [
        {
            "iCode": f"S{s}",
            "Level": 3,
            "Parent": "Index",
            "Type": "Aggregate",
            "Direction": 1,
            "Weight": 1.0,
        }
        for s in range(n_ind // 20)
    ]
    rows += [
        {
            "iCode": "Index",
            "Level": 4,
            "Parent": None,
            "Type": "Aggregate",
            "Direction": 1,
            "Weight": 1.0,
        }
    ]
    fw = ie.Framework.from_imeta(pd.DataFrame(rows), name="synthetic")
    rng = np.random.default_rng(seed)
    x = rng.lognormal(0.0, 1.0, size=(n_units, n_ind))
    x[rng.random(x.shape) < 0.02] = np.nan
    idata = pd.DataFrame(x, columns=fw.indicators)
    idata.insert(0, "uCode", [f"U{u:05d}" for u in range(n_units)])
    return fw, idata


def measure(label: str, fw, idata, spec, repeats: int) -> None:
    ie.build(fw, idata, spec)  # warm-up (imports, caches)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        ie.build(fw, idata, spec)
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    ie.build(fw, idata, spec)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"{label:<40} median {statistics.median(times) * 1000:8.1f} ms   "
        f"min {min(times) * 1000:8.1f} ms   peak memory {peak / 2**20:7.1f} MiB"
    )


def main() -> None:
    fw = ie.Framework.from_imeta(pd.read_csv(ROOT / "datasets/asem/asem_iMeta.csv"))
    idata = pd.read_csv(ROOT / "datasets/asem/asem_iData.csv")
    measure("ASEM 51 × 49, COINr example pipeline", fw, idata, ASEM_SPEC, repeats=50)
    fw, idata = synthetic()
    measure("synthetic 3000 × 100 × 4 levels", fw, idata, FULL_SPEC, repeats=5)


if __name__ == "__main__":
    main()
