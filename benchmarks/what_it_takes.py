"""Benchmark: seconds per verified plan (ie.rating.what_it_takes) on a large evaluation.

Target (issue 19): plans for 3,000 units × 100 indicators in under 30 s. Each plan is one
HiGHS programme; one plan alone is verified by a rebuild of the whole evaluation, every
unit's plan together by one rebuild with all the changes (goalposts and means: each
unit's score depends on its own data only).

Run: ``.venv/bin/python benchmarks/what_it_takes.py [units] [indicators]``.
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
    n, m = (int(a) for a in (sys.argv[1:] + ["3000", "100"][len(sys.argv) - 1 :]))
    fw, data = problem(n, m)
    spec = {"normalise": {"method": "goalposts"}, "aggregate": {"method": "amean"}}
    t = time.perf_counter()
    ev = ie.build(fw, data, spec)
    print(f"build {n} × {m}: {time.perf_counter() - t:.3f} s")
    rated = ie.rating.rate(ev)
    t = time.perf_counter()
    plan = ie.rating.what_it_takes(ev, rated.table.index[rated.table["grade"] != "A"][0])
    print(f"one unit (what_it_takes, rebuilt alone): {time.perf_counter() - t:.3f} s")
    t = time.perf_counter()
    plans = ie.rating.what_it_takes_all(ev, rated)
    took = time.perf_counter() - t
    per_unit = plans.drop_duplicates("uCode")
    ok = int(per_unit["reachable"].sum())
    print(
        f"every unit (what_it_takes_all, verified together): {took:.1f} s for {n} units "
        f"({ok} reachable, {len(plans)} rows; target 30 s); last plan cost {plan.cost:.3g}"
    )


if __name__ == "__main__":
    main()
