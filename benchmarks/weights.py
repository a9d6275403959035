"""Benchmark: every weighting model on 3,000 units × 100 indicators; BoD; reweight.

Targets (issue "Weighting models"): Benefit of the Doubt solves all 3,000 linear
programmes (one per unit, 100 indicators) in under 30 s; ``reweight`` on
3,000 × 100 (issue 23: within 1 ms and 50× faster than a rebuild, judged by
``targets.py``, ``make bench``). The data are the synthetic 4-level tree of
``benchmarks/build.py`` and its pipeline (log-normal values, 2 % missing,
mean-imputed, winsorised, min-max normalised to [1, 100]).

Run: ``.venv/bin/python benchmarks/weights.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import integrity_eval as ie

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import FULL_SPEC, synthetic

# benchmarks/build.py's pipeline (mean imputation, winsorising), normalised to [1, 100] so that
# MEREC (x > 0) runs too
SPEC = {**FULL_SPEC, "normalise": {"method": "minmax", "l_u": [1, 100]}}


def timed(label: str, fn, repeats: int = 1) -> object:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    med, best = statistics.median(times), min(times)
    unit, scale = ("ms", 1000) if best < 1 else ("s", 1)
    print(f"{label:<52} median {med * scale:9.2f} {unit}   min {best * scale:9.2f} {unit}")
    return out


def main() -> None:
    fw, idata = synthetic()
    ev = ie.build(fw, idata, SPEC)
    X = ev.get_dset("Normalised")
    y = pd.Series(
        X.mean(axis=1).to_numpy() + np.random.default_rng(0).normal(size=len(X)), index=X.index
    )
    print(f"data: {X.shape[0]} units × {X.shape[1]} indicators (synthetic, benchmarks/build.py)")
    W = ie.weights
    for name, fn in [
        ("equal", lambda: W.equal(X)),
        ("entropy", lambda: W.entropy(X)),
        ("critic", lambda: W.critic(X)),
        ("std", lambda: W.std(X)),
        ("merec", lambda: W.merec(X)),
        ("regression (OLS)", lambda: W.regression(X, y)),
    ]:
        timed(name, fn, repeats=3)
    timed("pca (Handbook §6.1, retention rule)", lambda: W.pca(X))
    timed("factor (ML, 5 factors, statsmodels)", lambda: W.factor(X, n_factors=5))
    res = timed("bod: 3,000 programmes × 100 indicators", lambda: W.bod(X))
    print(
        f"    BoD scores: min {res.scores.min():.4f}, units with score < 1: "
        f"{int((res.scores < 1 - 1e-9).sum())}"
    )
    sub = X.iloc[:, :20]
    res = timed("bod: 3,000 programmes × 20 indicators", lambda: W.bod(sub))
    print(f"    units with score < 1 (solved by HiGHS): {int((res.scores < 1 - 1e-9).sum())}")
    few = sub.iloc[:300]
    timed(
        "bod with share bounds (0.01, 0.5), 300 × 20", lambda: W.bod(few, share_bounds=(0.01, 0.5))
    )
    timed(
        "bod with weight bounds (0.02, 0.1) (Handbook note 29), 300 × 20",
        lambda: W.bod(few, weight_bounds=(0.02, 0.1)),
    )
    timed("optimise (COINr balance, level 3)", lambda: W.optimise(ev, level=3))
    w = {"S0": 2.0, "P03": 3.0}
    W.reweight(ev, w)  # warm-up
    timed("reweight 3,000 × 100 (4 levels)", lambda: W.reweight(ev, w).scores, repeats=50)
    timed(
        "with_params (full rebuild), for comparison",
        lambda: ev.with_params(weights={"values": w}),
        repeats=5,
    )


if __name__ == "__main__":
    main()
