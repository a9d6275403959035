"""Reweighting through the precomputed aggregation operator (issue 23): the same numbers as
the level-by-level aggregation and as a rebuild, bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import integrity_eval as ie
from integrity_eval.errors import ProblemList
from integrity_eval.pipeline import MeanAggregator, aggregate


def tree(rng: np.random.Generator, n_ind: int = 40) -> ie.Framework:
    """A 4-level framework whose aggregates have 1 to 12 children (sums of 8 or more
    children are ordered differently by NumPy's contiguous reductions: covered)."""
    nodes = [{"code": "Index", "level": 4}]
    nodes += [{"code": f"S{s}", "level": 3, "parent": "Index"} for s in range(3)]
    pillars = [f"P{p}" for p in range(8)]
    nodes += [{"code": p, "level": 2, "parent": f"S{i % 3}"} for i, p in enumerate(pillars)]
    sizes = [1, 12, 9, 3, 5, 2, 4, n_ind - 36]
    j = 0
    for p, size in zip(pillars, sizes, strict=True):
        for _ in range(size):
            nodes.append({"code": f"i{j}", "level": 1, "parent": p, "weight": 1 + j % 3})
            j += 1
    return ie.Framework.from_dict({"name": "t", "nodes": nodes})


def random_weights(fw: ie.Framework, rng: np.random.Generator) -> pd.Series:
    w = pd.Series(rng.uniform(0.1, 3, len(fw.weights)), index=fw.weights.index, name="Weight")
    for kids in fw.children.values():  # some zeros, never a whole family
        if len(kids) > 1:
            w[kids[0]] = 0.0
    return w


@pytest.mark.parametrize("thresh", [None, 0.6, [0.5, 0.7, 0.9]])
def test_operator_equals_level_by_level_aggregation(thresh):
    rng = np.random.default_rng(3)
    fw = tree(rng)
    x = rng.normal(50, 20, (200, len(fw.indicators)))
    x[rng.random(x.shape) < 0.25] = np.nan
    x[:5, fw.indicators.index("i0")] = np.nan  # P0's only child missing: P0 missing
    cfg = {"method": "amean", "dat_thresh": thresh}
    op = MeanAggregator(fw, cfg, x)
    for _ in range(5):
        w = random_weights(fw, rng)
        ref, codes = aggregate(fw, cfg, np.asfortranarray(x), w, list(range(200)), ProblemList())
        assert codes == op.codes
        got = op(w)
        assert np.isnan(got).any()
        np.testing.assert_array_equal(got, ref)  # exact, NaN where NaN


def test_operator_by_hand():
    # two indicators under P, P and i3 under the index; a missing value leaves both sums
    fw = ie.Framework.from_dict(
        {
            "name": "h",
            "nodes": [
                {"code": "Index", "level": 3},
                {"code": "P", "level": 2, "parent": "Index", "weight": 3},
                {"code": "Q", "level": 2, "parent": "Index", "weight": 1},
                {"code": "i1", "level": 1, "parent": "P", "weight": 1},
                {"code": "i2", "level": 1, "parent": "P", "weight": 2},
                {"code": "i3", "level": 1, "parent": "Q"},
            ],
        }
    )
    x = np.array([[10.0, 40.0, 0.0], [np.nan, 40.0, 100.0], [np.nan, np.nan, 20.0]])
    out = MeanAggregator(fw, {"method": "amean"}, x)(fw.weights)
    p = [(10 + 2 * 40) / 3, 40.0, np.nan]
    q = [0.0, 100.0, 20.0]
    index = [(3 * p[0] + q[0]) / 4, (3 * 40 + 100) / 4, 20.0]  # unit 3: P missing, Q alone
    np.testing.assert_allclose(out, np.array([p, q, index]).T, rtol=1e-15)


@pytest.fixture(scope="module")
def gappy() -> tuple[ie.Framework, pd.DataFrame]:
    rng = np.random.default_rng(5)
    fw = tree(rng)
    x = rng.lognormal(0, 1, (120, len(fw.indicators)))
    x[rng.random(x.shape) < 0.2] = np.nan
    data = pd.DataFrame(x, columns=fw.indicators)
    data.insert(0, "uCode", [f"U{i:03d}" for i in range(len(x))])
    return fw, data


@pytest.mark.parametrize("thresh", [None, 0.7])
def test_reweight_with_gaps_equals_rebuild(gappy, thresh):
    fw, data = gappy
    spec = {
        "treat": {"method": "winsorise"},
        "normalise": {"method": "minmax", "l_u": [0, 100]},
        "aggregate": {"method": "amean", "dat_thresh": thresh},
    }
    ev = ie.build(fw, data, spec)
    for w in ({"P1": 4.0, "i5": 0.0}, {"S0": 0.5, "i3": 7.0, "P7": 0.0}):
        fast = ie.weights.reweight(ev, w)
        slow = ev.with_params(weights={"values": w})
        pd.testing.assert_frame_equal(
            fast.get_dset("Aggregated"), slow.get_dset("Aggregated"), check_exact=True
        )
        pd.testing.assert_series_equal(fast.scores, slow.scores, check_exact=True)
        assert fast.manifest == slow.manifest
        assert not fast.scores.equals(ev.scores)


def test_reweight_without_the_operator_equals_rebuild(gappy):
    # the geometric mean and per-node methods are re-aggregated level by level
    fw, data = gappy
    spec = {
        "normalise": {"method": "minmax", "l_u": [1, 100]},
        "aggregate": {"method": ["amean", "gmean", "amean"], "by_node": {"S1": "hmean"}},
    }
    ev = ie.build(fw, data, spec)
    assert not MeanAggregator.fits(fw, ev.spec["aggregate"], len(ev.scores))
    fast = ie.weights.reweight(ev, {"P2": 3.0})
    slow = ev.with_params(weights={"values": {"P2": 3.0}})
    pd.testing.assert_frame_equal(
        fast.get_dset("Aggregated"), slow.get_dset("Aggregated"), check_exact=True
    )
