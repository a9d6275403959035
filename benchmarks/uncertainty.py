"""Benchmark: Monte Carlo uncertainty and Sobol sensitivity (issue "Uncertainty and sensitivity").

Targets:
1. ASEM with COINr's own sensitivity specification (noisy weights ±25 % at levels
   2–3, treat on/off, min-max 1–100 vs z-score 10/2, amean vs gmean), 2,000
   replications, all work included (validation, the builds of every combination,
   replications, ranks, the result table): µs per replication (issue 23's target,
   COINr / 10,000, is judged by ``targets.py``, ``make bench``).
2. 3,000 units × 100 indicators × 4 levels, 10,000 replications (weights noisy at
   every level, normalisation, aggregation and treatment alternatives): seconds and peak
   memory; time against units, indicators and replications (linear growth).
3. Sobol indices of every unit's rank (3,000 outputs, 8 inputs, N = 4,096): total time
   and analysis time per output, next to SALib's ``sobol.analyze`` output by output.
4. (``models``) The Shanghai districts with what cannot be batched over replications:
   a top-level MCDA alternative (VIKOR, one call per distinct weight vector) under noisy
   weights, and data-driven weights (entropy, CRITIC; one model per combination of
   choices and exclusions), 1,000 replications: time per replication.
5. (``workers``) When ``n_jobs`` pays: ASEM, 20,000 replications, serial against two
   joblib workers, with the default chunks (one chunk) and with chunks of 1,000
   (twenty tasks): the guidance of ``uncertainty.run``'s docstring and
   ``docs/uncertainty.md``.

Run: ``.venv/bin/python benchmarks/uncertainty.py [asem] [scale] [growth] [sobol] [models]
[workers]``
(no argument: all). Peak memory is traced with ``tracemalloc`` (NumPy allocations
included). The figures depend on the machine's load: say so when quoting them.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import integrity_eval as ie

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from build import synthetic  # noqa: E402
from conftest import ASEM_SPEC, COINR_INPUTS  # noqa: E402

unc = ie.uncertainty

SYNTH_SPEC = {
    "impute": {"method": "mean"},
    "treat": {"method": "winsorise", "winmax": 5},
    "normalise": {"method": "minmax", "l_u": [1, 100]},
    "aggregate": {"method": "amean"},
}
# Rank normalisation keeps every value positive, so the geometric mean applies to both.
SYNTH_INPUTS = [
    {"path": "weights", "noise": 0.25},
    {"path": "treat", "values": [SYNTH_SPEC["treat"], None]},
    {"path": "normalise", "values": [{"method": "minmax", "l_u": [1, 100]}, {"method": "rank"}]},
    {"path": "aggregate__method", "values": ["amean", "gmean"]},
]
SOBOL_INPUTS = [
    {"path": "weights", "noise": 0.25, "levels": [1], "name": "weights L1"},
    {"path": "weights", "noise": 0.25, "levels": [2], "name": "weights L2"},
    {"path": "weights", "noise": 0.25, "levels": [3], "name": "weights L3"},
    *SYNTH_INPUTS[1:],
    {"path": "impute__method", "values": ["mean", "median"]},
    {"path": "exclude", "values": "each_indicator"},
]


def timed(fn, *args, trace: bool = True, **kw):
    """Result, wall seconds, peak traced bytes (0 when ``trace`` is off); the CPU seconds
    are kept in ``CPU``. tracemalloc slows every allocation, so small, allocation-heavy
    runs (ASEM) are timed with ``trace=False``."""
    if trace:
        tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args, **kw)
    seconds = time.perf_counter() - t0
    CPU[0] = time.process_time() - c0
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    return out, seconds, peak


CPU = [0.0]  # CPU seconds of the last timed call: on a loaded machine, closer to the cost


def asem() -> None:
    fw = ie.Framework.from_imeta(pd.read_csv(ROOT / "datasets/asem/asem_iMeta.csv"))
    idata = pd.read_csv(ROOT / "datasets/asem/asem_iData.csv")
    ev = ie.build(fw, idata, ASEM_SPEC)
    n = 2000

    def work():
        ua = unc.run(ev, COINR_INPUTS, n=n, seed=0, quiet=True)
        return ua.to_frame(), ua.rank_shift

    work()  # warm-up (imports, first builds)
    runs = []
    for _ in range(3):
        seconds = timed(work, trace=False)[1]
        runs.append((seconds, CPU[0]))
    wall, cpu = min(runs)
    print(
        f"ASEM, COINr sensitivity spec, {n} replications: {wall:.3f} s wall ({cpu:.3f} s CPU), "
        f"{wall / n * 1e6:.1f} µs per replication wall, {cpu / n * 1e6:.1f} µs CPU"
    )


def scale(n_units: int = 3000, n_ind: int = 100, n: int = 10_000, label: str = "") -> float:
    fw, idata = synthetic(n_units, n_ind)
    ev = ie.build(fw, idata, SYNTH_SPEC)
    ua, seconds, peak = timed(unc.run, ev, SYNTH_INPUTS, n=n, seed=0, quiet=True)
    ua.to_frame()
    print(
        f"{label or 'scale'}: {n_units} units × {n_ind} indicators × 4 levels, {n} replications: "
        f"{seconds:6.2f} s wall, {CPU[0]:6.2f} s CPU, peak {peak / 2**30:.2f} GiB"
    )
    return seconds


def growth() -> None:
    for n_units in (750, 1500, 3000):
        scale(n_units, 100, 2500, label="growth in units       ")
    for n_ind in (40, 80, 160):
        scale(3000, n_ind, 2500, label="growth in indicators  ")
    for n in (2500, 5000, 10_000):
        scale(3000, 100, n, label="growth in replications")


def sobol(n_base: int = 4096) -> None:
    from SALib.analyze import sobol as salib

    fw, idata = synthetic(3000, 100)
    ev = ie.build(fw, idata, SYNTH_SPEC)
    sa, seconds, peak = timed(unc.sobol, ev, SOBOL_INPUTS, n=n_base, seed=0, quiet=True)
    d = len(sa.names)
    m = sa.S1.shape[1]
    print(
        f"Sobol of every unit's rank: {m} outputs, {d} inputs, N = {n_base} "
        f"({n_base * (d + 2)} runs): {seconds:.1f} s wall, {CPU[0]:.1f} s CPU, "
        f"peak {peak / 2**30:.2f} GiB"
    )
    # analysis alone, on outputs of the same shape, against SALib output by output
    rng = np.random.default_rng(0)
    y = rng.normal(size=(n_base * (d + 2), m))
    from integrity_eval.uncertainty.sobol import _indices

    t0 = time.perf_counter()
    _indices(y.copy(), n_base, d, 100, 0.95, 1)
    ours = (time.perf_counter() - t0) / m
    problem = {"num_vars": d, "names": sa.names, "bounds": [[0, 1]] * d}
    k = 10
    t0 = time.perf_counter()
    for j in range(k):
        col = np.empty(n_base * (d + 2))
        blocks = y[:, j].reshape(d + 2, n_base)
        for b in range(d + 2):
            col[b :: d + 2] = blocks[b]
        salib.analyze(problem, col, calc_second_order=False, num_resamples=100, seed=1)
    theirs = (time.perf_counter() - t0) / k
    print(
        f"Sobol analysis per output: {ours * 1e3:.3f} ms here vs {theirs * 1e3:.1f} ms with "
        f"SALib sobol.analyze ({theirs / ours:.0f}× faster; target ≥ 10×)"
    )


def models(n: int = 1000) -> None:
    ds = ie.datasets.load("shanghai-districts")
    spec = {"impute": {"method": "mean"}, "normalise": {"method": "minmax", "l_u": [1, 100]}}
    ev = ie.build(ds.framework, ds.idata, {**spec, "aggregate": {"method": "amean"}})
    noise = {"path": "weights", "noise": 0.25, "levels": [1]}
    cases = {
        "amean/vikor alternative, noisy weights": (
            ev,
            [noise, {"path": "aggregate__method", "values": ["amean", "vikor"]}],
        ),
        "amean, noisy weights (reference, batched)": (ev, [noise]),
    }
    for method in ("entropy", "critic"):
        modelled = ev.with_params(weights={"method": method, "level": 1})
        cases[f"{method} weights, 2 normalisations × each indicator left out"] = (
            modelled,
            [
                {"path": "normalise", "values": [spec["normalise"], {"method": "rank"}]},
                {"path": "exclude", "values": "each_indicator"},
            ],
        )
    for label, (base, inputs) in cases.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # mixed scales: ranks are what count
            t0 = time.perf_counter()
            unc.run(base, inputs, n=n, seed=0, quiet=True)
        dt = time.perf_counter() - t0
        print(f"{label}: {dt:.2f} s for {n} replications ({dt / n * 1e3:.2f} ms each)")


def workers(n: int = 20_000) -> None:
    fw = ie.Framework.from_imeta(pd.read_csv(ROOT / "datasets/asem/asem_iMeta.csv"))
    idata = pd.read_csv(ROOT / "datasets/asem/asem_iData.csv")
    ev = ie.build(fw, idata, ASEM_SPEC)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # mixed scales: ranks are what count
        for chunk in (None, 1000):
            for jobs in (None, 2):
                t0 = time.perf_counter()
                unc.run(ev, COINR_INPUTS, n=n, seed=0, chunk_size=chunk, n_jobs=jobs, quiet=True)
                dt = time.perf_counter() - t0
                print(f"ASEM, {n} replications, chunk_size={chunk}, n_jobs={jobs}: {dt:.2f} s wall")


PARTS = {
    "asem": asem,
    "scale": scale,
    "growth": growth,
    "sobol": sobol,
    "models": models,
    "workers": workers,
}


def main() -> None:
    parts = sys.argv[1:] or list(PARTS)
    print("Machine shared with other jobs (2 cores): figures are indicative.")
    for part in parts:
        PARTS[part]()


if __name__ == "__main__":
    main()
