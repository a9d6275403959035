"""Benchmark: seconds and peak memory of rating, calibration and grade probabilities.

Targets: rating 10,000 units with three veto rules under 0.5 s; grade probabilities of
1,000 draws × 2,000 units under 1 s and 100 MB; an ordinal-logit calibration on 2,000
expert grades under 2 s.

Run: ``.venv/bin/python benchmarks/rating.py``.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pandas as pd

import integrity_eval as ie


def timed(label: str, fn, repeat: int = 3) -> None:
    """Best wall time of ``repeat`` runs, then the peak traced memory of one more run."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"{label:<55} {best * 1000:9.1f} ms  peak {peak:7.1f} MB")


def main() -> None:
    rng = np.random.default_rng(0)
    rules = [
        {
            "name": {"zh": f"规则{j}", "en": f"rule {j}"},
            "indicator": f"x{j}",
            "op": ">",
            "value": 2,
            "cap": cap,
        }
        for j, cap in enumerate(["B", "C", "D"])
    ]
    scheme = ie.rating.Scheme([("A", 90), ("B", 70), ("C", 40), ("D", None)], rules)
    n = 10_000
    units = [f"U{i:05d}" for i in range(n)]
    scores = pd.Series(rng.uniform(0, 100, n), index=units)
    raw = pd.DataFrame(rng.poisson(1.0, (n, 3)), index=units, columns=["x0", "x1", "x2"])
    timed("rate: 10,000 units, 3 veto rules", lambda: ie.rating.rate(scores, scheme, raw=raw))

    draws = pd.DataFrame(
        rng.normal(60, 15, (1, 2000)) + rng.normal(0, 5, (1000, 2000)),
        columns=units[:2000],
    )
    timed(
        "grade_probabilities: 1,000 draws × 2,000 units",
        lambda: ie.rating.grade_probabilities(draws, scheme, raw=raw),
    )

    m = 2000
    x = pd.Series(rng.normal(60, 15, m))
    latent = x + rng.logistic(0, 5, m)
    grades = pd.Series(np.array(["D", "C", "B", "A"])[np.digitize(latent, [40, 70, 90])])
    order = ["A", "B", "C", "D"]
    for method in ("ordinal_logit", "isotonic"):
        timed(
            f"calibrate_expert ({method}): 2,000 grades",
            lambda method=method: ie.rating.calibrate_expert(x, grades, order=order, method=method),
        )
    timed(
        "calibrate_shares: 10,000 scores",
        lambda: ie.rating.calibrate_shares(scores, {"A": 0.1, "B": 0.3, "C": 0.4, "D": 0.2}),
    )


if __name__ == "__main__":
    main()
