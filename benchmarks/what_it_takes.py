"""Benchmark: seconds per verified plan (ie.rating.what_it_takes) on a large evaluation.

Target (issue 19): plans for 3,000 units × 100 indicators in under 30 s. Each plan is one
HiGHS programme plus at least one rebuild of the whole evaluation (the verification), so
the figure printed is the time per unit and the extrapolation to every unit.

Run: ``.venv/bin/python benchmarks/what_it_takes.py [units] [indicators] [sampled]``.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

import integrity_eval as ie


def problem(n: int, m: int, seed: int = 0) -> tuple[ie.Framework, pd.DataFrame]:
    """``n`` units × ``m`` scores on [0, 100] under 10 pillars, goalposts, four grades."""
    rng = np.random.default_rng(seed)
    nodes = [{"code": "INDEX", "level": 3}]
    nodes += [{"code": f"P{k}", "level": 2, "parent": "INDEX"} for k in range(10)]
    nodes += [
        {
            "code": f"i{j}",
            "level": 1,
            "parent": f"P{j % 10}",
            "kind": "score",
            "min": 0,
            "max": 100,
            "goalposts": [0, 100],
        }
        for j in range(m)
    ]
    bands = [{"grade": "A", "min": 85}, {"grade": "B", "min": 70}, {"grade": "C", "min": 55}]
    rating = {"bands": [*bands, {"grade": "D"}]}
    fw = ie.Framework.from_dict({"name": "bench", "nodes": nodes, "rating": rating})
    x = np.clip(rng.normal(70, 12, (n, m)), 0, 100).round(1)
    data = pd.DataFrame(x, columns=[f"i{j}" for j in range(m)])
    data.insert(0, "uCode", [f"U{i:05d}" for i in range(n)])
    return fw, data


def main() -> None:
    n, m, sampled = (int(a) for a in (sys.argv[1:] + ["3000", "100", "20"][len(sys.argv) - 1 :]))
    fw, data = problem(n, m)
    spec = {"normalise": {"method": "goalposts"}, "aggregate": {"method": "amean"}}
    t = time.perf_counter()
    ev = ie.build(fw, data, spec)
    print(f"build {n} × {m}: {time.perf_counter() - t:.3f} s")
    rated = ie.rating.rate(ev)
    units = rated.table.index[rated.table["grade"] != "A"][:sampled]
    t = time.perf_counter()
    plans = [ie.rating.what_it_takes(ev, u, rated=rated) for u in units]
    per = (time.perf_counter() - t) / len(units)
    ok = sum(p.reachable for p in plans)
    print(f"plans: {per:.3f} s per unit ({ok}/{len(units)} reachable, verified by rebuild)")
    print(f"extrapolated to {n} units: {per * n:.0f} s (target 30 s)")


if __name__ == "__main__":
    main()
