"""Whole-matrix MCDA methods as the spec's top-level aggregation, in ``compare_schemes`` and
as an alternative of the uncertainty analysis.

The pipeline hook in the build and the uncertainty engine:
``aggregate: {method: <a key of ie.aggregate.MCDA_METHODS>, **options}`` scores the root
from the Normalised indicators (directions already applied, so every direction is +1) with
the indicators' effective weights, lower levels aggregated by ``amean``; ranks come from
``MCDA_METHODS[m].higher_is_better`` (``ie.aggregate.mcda_ranks``: 1 = best, VIKOR's
lowest Q first).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import integrity_eval as ie

SPEC = {
    "impute": {"method": "mean"},
    "normalise": {"method": "minmax", "l_u": [1, 100]},
    "aggregate": {"method": "amean"},
}


@pytest.fixture(scope="module")
def shanghai():
    ds = ie.datasets.load("shanghai-districts")
    return ds, ie.build(ds.framework, ds.idata, SPEC, seed=0)


def expected(ev: ie.Evaluation, method: str, **options) -> pd.Series:
    """The method on the Normalised indicators with their effective weights."""
    fw = ev.framework
    codes = fw.codes_at(1)
    X = ev.get_dset("Normalised")[codes]
    w = ie.weights.effective_weights(fw, ev.weights)[codes]
    return ie.aggregate.MCDA_METHODS[method].function(X, w, None, **options)


@pytest.mark.parametrize("method", sorted(ie.aggregate.MCDA_METHODS))
def test_spec_top_level_aggregation(shanghai, method):
    ds, _ = shanghai
    spec = {**SPEC, "aggregate": {"method": method}}
    ev = ie.build(ds.framework, ds.idata, spec, seed=0)
    want = expected(ev, method)
    assert ev.scores.to_numpy() == pytest.approx(want[ev.scores.index].to_numpy(), abs=1e-12)
    ranks = ie.aggregate.mcda_ranks(want, method)
    assert (ev.ranks == ranks[ev.ranks.index]).all()
    assert ev.ranks[want.idxmin() if method == "vikor" else want.idxmax()] == 1


def test_spec_top_level_options_and_with_params(shanghai):
    _, ev = shanghai
    vk = ev.with_params(aggregate={"method": "vikor", "v": 0.3})
    want = expected(vk, "vikor", v=0.3)
    assert vk.scores.to_numpy() == pytest.approx(want[vk.scores.index].to_numpy(), abs=1e-12)
    pr = ev.with_params(aggregate={"method": "promethee_ii", "preference": "vshape", "p": 20})
    want = expected(pr, "promethee_ii", preference="vshape", p=20)
    assert pr.scores.to_numpy() == pytest.approx(want[pr.scores.index].to_numpy(), abs=1e-12)


def test_compare_schemes_with_aggregations(shanghai):
    _, ev = shanghai
    cmp = ie.weights.compare_schemes(ev, methods=(), aggregations=["vikor", "topsis"])
    assert not cmp.failed
    assert list(cmp.ranks.columns) == ["nominal", "aggregate:vikor", "aggregate:topsis"]
    want = ie.aggregate.mcda_ranks(expected(ev, "vikor"), "vikor")
    assert (cmp.ranks["aggregate:vikor"] == want[cmp.ranks.index]).all()


def test_uncertainty_alternative_aggregation(shanghai):
    _, ev = shanghai
    inputs = [{"path": "aggregate__method", "values": ["amean", "vikor"]}]
    with pytest.warns(UserWarning, match="different scales"):  # a weighted mean and Q
        ua = ie.uncertainty.run(ev, inputs, n=16, seed=0)
    drawn = ua.choices["aggregate__method"].to_numpy()
    assert set(drawn) == {0, 1}
    want = ie.aggregate.mcda_ranks(expected(ev, "vikor"), "vikor")[ua.ranks.columns]
    for i in np.flatnonzero(drawn == 1):
        assert (ua.ranks.iloc[i] == want).all()  # 1 = best: VIKOR's lowest Q
    for i in np.flatnonzero(drawn == 0):
        assert (ua.ranks.iloc[i] == ev.ranks[ua.ranks.columns]).all()


def test_samples_rebuild_each_replication(shanghai):
    """ua.samples: one row per replication, one column per sampled quantity (each drawn
    weight, the stage choice, the excluded indicator); rebuilding with row i's settings
    reproduces replication i (scores to 1e-9, ranks exactly)."""
    _, ev = shanghai
    inputs = [
        {"path": "weights", "noise": 0.25, "levels": [1]},
        {"path": "aggregate__method", "values": ["amean", "vikor"]},
        {"path": "exclude", "values": "each_indicator"},
    ]
    with pytest.warns(UserWarning, match="different scales"):
        ua = ie.uncertainty.run(ev, inputs, n=12, seed=1, quiet=True)
    s = ua.samples
    assert len(s) == 12
    assert list(s.columns[:2]) == ["aggregate__method", "exclude"]
    weight_cols = [c for c in s.columns if c.startswith("weight:")]
    fw = ev.framework
    shared = [c for c in fw.indicators if len(fw.children[fw[c].parent]) > 1]
    # every level-1 weight drawn; an only child keeps its weight after the group's rescaling
    assert sorted(weight_cols) == sorted(f"weight:{c}" for c in shared)
    assert (s["aggregate__method"] == ua.choices["aggregate__method"]).all()
    assert set(s["exclude"]) <= {"", *ev.framework.indicators}
    for i in range(12):
        params = ua.replication_params(i)
        left = s.at[i, "exclude"]
        assert (left in params.get("exclude", [])) if left else "exclude" not in params
        rebuilt = ev.with_params(**params)
        got = ua.scores.iloc[i]
        assert got.to_numpy() == pytest.approx(rebuilt.scores[got.index].to_numpy(), abs=1e-9)
        assert (ua.ranks.iloc[i] == rebuilt.ranks[got.index]).all()
        kept = [c for c in weight_cols if c[7:] != left]
        drawn = s.loc[i, kept].astype(float)
        assert drawn.to_numpy() == pytest.approx(
            rebuilt.weights[[c[7:] for c in kept]].to_numpy(), rel=1e-15
        )


def test_compare_ranks_a_lower_is_better_index_best_first(shanghai):
    """ie.compare on ranks: VIKOR's lowest Q is rank 1, as ev.ranks."""
    _, ev = shanghai
    vk = ev.with_params(aggregate={"method": "vikor"})
    table = ie.compare.compare(ev, vk, compare_by="ranks")
    a, b = table.columns[:2]
    assert (table[b] == vk.ranks[table.index]).all()
    assert (table[a] == ev.ranks[table.index]).all()


@pytest.mark.parametrize("method", ["entropy", "critic"])
def test_data_driven_weights_recomputed_per_replication(shanghai, method):
    """weights: {method: entropy|critic, level: 1} inside the analysis: each replication's
    weights are the model's on that replication's data (its normalisation, without its
    excluded indicator), so it equals a rebuild of its choices with the model in the spec;
    the nominal replication equals the build."""
    _, base = shanghai
    ev = base.with_params(weights={"method": method, "level": 1})
    alts = [{"method": "minmax", "l_u": [1, 100]}, {"method": "rank"}]
    inputs = [
        {"path": "normalise", "values": alts},
        {"path": "exclude", "values": [None, "M1_court_judgments", "D01_transparency"]},
    ]
    with pytest.warns(UserWarning, match="different scales"):  # min-max vs ranks
        ua = ie.uncertainty.run(ev, inputs, n=24, seed=2, quiet=True)
    assert (ua.nominal_scores == ev.scores[ua.nominal_scores.index]).all()
    s = ua.samples
    seen = set()
    for i in range(len(s)):
        key = (int(s.at[i, "normalise"]), s.at[i, "exclude"])
        if key in seen:
            continue
        seen.add(key)
        left = [key[1]] if key[1] else []
        rebuilt = ev.with_params(normalise=alts[key[0]], exclude=left)
        got = ua.scores.iloc[i]
        assert got.to_numpy() == pytest.approx(rebuilt.scores[got.index].to_numpy(), abs=1e-9)
    assert len(seen) >= 4
    # the weights differ between normalisations: they were recomputed, not carried over
    w = [c for c in s.columns if c.startswith("weight:")]
    assert w and s.groupby("normalise")[w].first().diff().abs().to_numpy()[1:].max() > 1e-6
