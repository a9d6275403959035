"""Weights in the build (spec models, by_node), ie.aggregate beyond the means, reweight,
optimise and the live view."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import TOY_NODES as NODES

import integrity_eval as ie

AGG = ie.aggregate


def raised(fn) -> ie.ValidationError:
    with pytest.raises(ie.ValidationError) as info:
        fn()
    return info.value


@pytest.fixture(scope="module")
def fw() -> ie.Framework:
    return ie.Framework.from_dict({"name": "t", "nodes": NODES})


DATA = pd.DataFrame(
    {
        "uCode": ["u1", "u2", "u3", "u4", "u5"],
        "a": [1.0, 2, 3, 4, 6],
        "b": [4.0, 1, 3, 2, 5],
        "c": [2.0, 5, 1, 3, 4],
    }
)


# ------------------------------------------------------------------ TOPSIS, MPI
def test_topsis_published_and_by_hand():
    X = pd.DataFrame({"f1": [1.0, 2, 5], "f2": [3000.0, 3750, 4500]}, index=["A1", "A2", "A3"])
    w = {"f1": 0.5, "f2": 0.5}
    # Opricovic & Tzeng (2004) EJOR 156: 445–455, numerical example (f1 a cost): TOPSIS
    # closeness .500 .617 .500 — reproduced with their linear (min–max) normalisation
    mm = AGG.topsis(X, w, {"f1": -1}, normalisation="minmax")
    assert mm.round(3).tolist() == [0.5, 0.617, 0.5]
    # vector normalisation by hand: r = x/‖x‖, v = r/2; A1: D+ = |v_f2(A3) − v_f2(A1)| =
    # .5(4500 − 3000)/√43312500, D− = .5(5 − 1)/√30; C = D−/(D+ + D−)
    dp = 0.5 * 1500 / np.sqrt(43312500)
    dm = 0.5 * 4 / np.sqrt(30)
    vec = AGG.topsis(X, w, {"f1": -1})
    assert vec["A1"] == pytest.approx(dm / (dp + dm))
    assert vec.round(3).tolist() == [0.762, 0.722, 0.238]


def test_mpi_ampi_by_hand():
    # x1 = (1, 2, 3), x2 = (3, 2, 1): z = 100 ± 10·√1.5 for units 1 and 3, so M = 100,
    # S² = 150 and MPI = M − S·(S/M) = 98.5; unit 2 is balanced: 100.
    X = pd.DataFrame({"x1": [1.0, 2, 3], "x2": [3.0, 2, 1]}, index=["u1", "u2", "u3"])
    assert AGG.mpi(X, {"x1": 1, "x2": 1}).to_numpy() == pytest.approx([98.5, 100, 98.5])
    # AMPI: r = 70 + 60 (x − min)/(max − min) → (70, 130): M = 100, S = 30, AMPI = 91
    assert AGG.ampi(X, {"x1": 1, "x2": 1}).to_numpy() == pytest.approx([91, 100, 91])
    # MPI standardises itself: any linear rescaling of a column gives the same index
    assert AGG.mpi(X * [10, 0.5] + [3, 7], {"x1": 1, "x2": 1}).to_numpy() == pytest.approx(
        [98.5, 100, 98.5]
    )


# ------------------------------------------------------------------ Kemeny–Young
def _profile(orders: list[str], units: str = "abc") -> pd.DataFrame:
    """One indicator per voter profile: the unit ranked first gets the highest value."""
    return pd.DataFrame(
        {f"v{k}": [len(units) - o.index(u) for u in units] for k, o in enumerate(orders)},
        index=list(units),
    ).astype(float)


def test_kemeny_young_condorcet_paradox():
    # Condorcet's (1785) 60-voter example: 23 abc, 17 bca, 2 bac, 10 cab, 8 cba. Pairwise:
    # a>b 33, b>c 42, c>a 35 (a cycle). By hand the six rankings score abc 100, acb 76,
    # bac 94, bca 104, cab 86, cba 80: Kemeny–Young picks b > c > a (Handbook 2008 §6.3).
    X = _profile(["abc", "bca", "bac", "cab", "cba"])
    r = AGG.kemeny_young(X, {"v0": 23, "v1": 17, "v2": 2, "v3": 10, "v4": 8})
    assert r.score == 104 and r.rankings == [("b", "c", "a")]
    assert r.condorcet_winner is None
    assert r.outranking.loc["a", "b"] == 33


def test_kemeny_young_ties_and_limit():
    # the symmetric cycle abc, bca, cab: abc, bca and cab all score 5 (others 4)
    r = AGG.kemeny_young(_profile(["abc", "bca", "cab"]), {"v0": 1, "v1": 1, "v2": 1})
    assert r.score == 5
    assert r.rankings == [("a", "b", "c"), ("b", "c", "a"), ("c", "a", "b")]
    # five units equal on every indicator: all 5! = 120 rankings are optimal (score 10·½)
    flat = AGG.kemeny_young(pd.DataFrame({"x": [1.0] * 5}, index=list("abcde")), {"x": 1})
    assert len(flat.rankings) == 120 and len(set(flat.rankings)) == 120 and flat.complete
    assert flat.score == 5
    capped = AGG.kemeny_young(
        pd.DataFrame({"x": [1.0] * 5}, index=list("abcde")), {"x": 1}, max_rankings=7
    )
    assert len(capped.rankings) == 7 and not capped.complete
    X = pd.DataFrame(np.arange(26.0)[:, None], index=[f"u{i}" for i in range(26)], columns=["x"])
    err = raised(lambda: AGG.kemeny_young(X, {"x": 1}))
    assert "limited to 12 units" in err.problems[0].rule and err.problems[0].value == "26"


# -------------------------------------------------------------- spec integration
def test_spec_entropy_weights_per_parent(fw):
    spec = {"normalise": {"method": "minmax"}, "aggregate": {"method": "amean"}}
    spec["weights"] = {"method": "entropy", "dset": "Normalised", "level": 1}
    ev = ie.build(fw, DATA, spec)
    norm = ev.get_dset("Normalised")
    direct = ie.weights.entropy(norm[["a", "b"]]).weights
    assert ev.weights[["a", "b"]].to_numpy() == pytest.approx(direct.to_numpy())
    assert ev.weights["c"] == 1.0  # a single child keeps weight 1
    assert ev.weights[["D1", "D2"]].tolist() == [1.0, 1.0]  # level 2 untouched
    assert set(ev.details["weight_models"]) == {"D1"}
    d1 = (norm["a"] * direct["a"] + norm["b"] * direct["b"]) / direct.sum()
    assert ev.get_dset("Aggregated")["D1"].to_numpy() == pytest.approx(d1.to_numpy())


def test_spec_model_every_level_and_errors(fw):
    spec = {"normalise": {"method": "minmax"}, "aggregate": {"method": "amean"}}
    ev = ie.build(fw, DATA, {**spec, "weights": {"method": "critic"}})
    agg = ev.get_dset("Aggregated")
    top = ie.weights.critic(agg[["D1", "D2"]]).weights
    assert ev.weights[["D1", "D2"]].to_numpy() == pytest.approx(top.to_numpy())
    err = raised(
        lambda: ie.build(fw, DATA, {**spec, "weights": {"method": "entropy", "dset": "Nope"}})
    )
    assert err.problems[0].column == "weights.dset"
    zspec = {"normalise": {"method": "zscore"}, "aggregate": {"method": "amean"}}
    err = raised(lambda: ie.build(fw, DATA, {**zspec, "weights": {"method": "entropy"}}))
    assert err.problems[0].source == "weights D1" and "non-negative" in err.problems[0].rule


def test_spec_regression_outcome(fw, tmp_path):
    sat = {"u1": 2.0, "u2": 3.1, "u3": 3.9, "u4": 5.2, "u5": 7.0}
    spec = {
        "normalise": {"method": "minmax"},
        "aggregate": {"method": "amean"},
        "weights": {"method": "regression", "level": 2, "outcome": sat},
    }
    ev = ie.build(fw, DATA, spec)
    agg = ev.get_dset("Aggregated")
    direct = ie.weights.regression(agg[["D1", "D2"]], pd.Series(sat))
    assert ev.weights[["D1", "D2"]].to_numpy() == pytest.approx(direct.weights.to_numpy())
    path = tmp_path / "sat.csv"
    pd.Series(sat, name="satisfaction").rename_axis("uCode").drop("u4").to_csv(path)
    spec["weights"]["outcome"] = str(path)
    err = raised(lambda: ie.build(fw, DATA, spec))
    assert [(p.source, p.row) for p in err.problems] == [("weights IDX", "u4")]


def test_aggregate_bod_method_and_by_node(fw):
    ev = ie.build(fw, DATA, {"normalise": {"method": "minmax"}, "aggregate": {"method": "bod"}})
    s = ev.get_dset("Aggregated")[["D1", "D2", "IDX"]]
    assert ((s >= 0) & (s <= 1 + 1e-12)).all().all()
    direct = ie.weights.bod(ev.get_dset("Normalised")[["a", "b"]]).scores
    assert s["D1"].to_numpy() == pytest.approx(direct.to_numpy())
    # by_node: D1 by the geometric mean, everything else by the arithmetic mean
    spec = {
        "normalise": {"method": "minmax", "l_u": [1, 100]},
        "aggregate": {"method": "amean", "by_node": {"D1": "gmean"}},
    }
    ev2 = ie.build(fw, DATA, spec)
    n = ev2.get_dset("Normalised")
    agg = ev2.get_dset("Aggregated")
    assert agg["D1"].to_numpy() == pytest.approx(np.sqrt(n["a"] * n["b"]).to_numpy())
    assert agg["IDX"].to_numpy() == pytest.approx(((agg["D1"] + agg["D2"]) / 2).to_numpy())
    err = raised(
        lambda: ie.build(
            fw, DATA, {"aggregate": {"method": "amean", "by_node": {"a": "gmean", "D2": "gmeen"}}}
        )
    )
    cols = [p.column for p in err.problems]
    assert cols == ["aggregate.by_node.D2"]  # the spec first; then the tree
    err = raised(
        lambda: ie.build(fw, DATA, {"aggregate": {"method": "amean", "by_node": {"a": "gmean"}}})
    )
    assert [p.column for p in err.problems] == ["aggregate.by_node.a"]


# -------------------------------------------------------------- reweight / optimise
def test_reweight_equals_with_params(asem_ev):
    w = {"Conn": 2, "Instit": 3, "P2P": 0.5}
    fast = ie.weights.reweight(asem_ev, w)
    slow = asem_ev.with_params(weights={"values": w})
    pd.testing.assert_frame_equal(
        fast.get_dset("Aggregated"), slow.get_dset("Aggregated"), check_exact=True
    )
    pd.testing.assert_series_equal(fast.weights, slow.weights, check_exact=True)
    assert fast.spec == slow.spec and fast.manifest == slow.manifest
    assert not fast.scores.equals(asem_ev.scores)
    err = raised(lambda: ie.weights.reweight(asem_ev, {"Nope": 1}))
    assert err.problems[0].column == "weights.values.Nope"


def test_optimise_reproduces_coinr_vignette(asem_ev):
    # COINr 1.1.14 vignette "Weights" (get_opt_weights on the ASEM example, Level 3,
    # itarg "equal"): correlations with the index 0.9397805 (Conn), 0.8382873 (Sust) at
    # equal weights; first objective −7.11287670895252; optimised weights 0.3902439,
    # 0.6097561 after 15 evaluations, best objective −13.3043247136273.
    r = ie.weights.optimise(asem_ev, level=3, itarg="equal")
    assert r.level_weights.to_numpy() == pytest.approx([0.3902439, 0.6097561], abs=1e-7)
    assert r.objective == pytest.approx(-13.3043247136273, abs=1e-9)
    assert r.n_evaluations == 15 and r.converged
    assert r.table["Obtained"].sum() == pytest.approx(1)
    start = asem_ev.get_dset("Aggregated")[["Conn", "Sust"]].corrwith(asem_ev.scores)
    assert start.to_numpy() == pytest.approx([0.9397805, 0.8382873], abs=1e-7)


def test_optimise_through_the_spec(asem_ev):
    # weights: {method: optimise, level: 3} in a build gives what ie.weights.optimise gives on
    # the nominal build, keeps its spec (with_params re-optimises) and refuses bad settings
    spec = {**asem_ev.spec, "weights": {"method": "optimise", "level": 3}}
    ev = ie.build(asem_ev.source_framework, asem_ev.idata, spec)
    direct = ie.weights.optimise(asem_ev, level=3)
    pd.testing.assert_series_equal(ev.scores, direct.evaluation.scores, check_exact=True)
    assert ev.weights[["Conn", "Sust"]].to_numpy() == pytest.approx(
        [0.3902439, 0.6097561], abs=1e-7
    )
    assert ev.spec["weights"]["method"] == "optimise" and ev.spec["weights"]["itarg"] == "equal"
    assert ev.details["weight_models"]["Index"] is not None
    assert ev.with_params(seed=1).scores.equals(ev.scores)
    # weights the build already departs from the framework with stay fixed while level 3 moves
    kept = ie.build(
        asem_ev.source_framework,
        asem_ev.idata,
        {**spec, "weights": {"method": "optimise", "level": 3, "values": {"Instit": 0}}},
    )
    assert kept.weights["Instit"] == 0
    bad = ie.check(
        asem_ev.source_framework,
        asem_ev.idata,
        {**spec, "weights": {"method": "optimise", "level": 7, "cortype": "x"}},
    )
    assert {p.column for p in bad} == {"level", "cortype"}
    bad = ie.check(
        asem_ev.source_framework,
        asem_ev.idata,
        {**spec, "weights": {"method": "optimise", "level": 3, "itarg": {"Conn": 1, "Nope": 2}}},
    )
    assert {p.column for p in bad} == {"Sust", "Nope"}
    bad = ie.check(asem_ev.source_framework, asem_ev.idata, {"weights": {"method": "optimise"}})
    assert {p.column for p in bad} == {"weights.level"}
    refused = raised(lambda: ie.uncertainty.run(ev, [{"path": "weights", "noise": 0.25}], n=4))
    assert refused.problems[0].column == "weights.method"


def test_rank_changes_and_explore(asem_ev):
    table = ie.weights.rank_changes(asem_ev, {"Conn": 1, "Sust": 3})
    assert (table["change"] == table["rank_nominal"] - table["rank"]).all()
    assert (table["change"] != 0).any()
    pytest.importorskip("ipywidgets")
    view = ie.weights.explore(asem_ev, top=5)
    assert set(view.sliders) == set(asem_ev.framework.codes_at(2)) | {"Conn", "Sust"}
    assert (view.table["change"] == 0).all()
    view.sliders["Sust"].value = 3.0  # a programmatic slider move re-aggregates
    assert view.table.equals(table)
    assert "Spearman" in view.status.value and "<table" in view.output.value
    view._reset()
    assert (view.table["change"] == 0).all()
    # sliders reach 0 (weight 0: out of the parent's mean, as reweight allows)
    assert all(s.min == 0 for s in view.sliders.values())
    view.sliders["Sust"].value = 0.0
    assert view.table["score"].equals(
        asem_ev.get_dset("Aggregated")["Conn"].rename("score")[view.table.index]
    )
    view.sliders["Conn"].value = 0.0  # every child of the index at 0: said, table kept
    assert "every child of this aggregate has weight 0" in view.status.value
    assert view.table["score"].equals(
        asem_ev.get_dset("Aggregated")["Conn"].rename("score")[view.table.index]
    )
    # real data (ASEM) are not labelled synthetic; a synthetic dataset's view is
    assert "synthetic" not in view.widget.children[0].value
    assert "合成数据" in ie.weights.explore(asem_ev, synthetic=True).widget.children[0].value


def test_compare_schemes(fw):
    spec = {"normalise": {"method": "minmax"}, "aggregate": {"method": "amean"}}
    ev = ie.build(fw, DATA, spec)
    cmp = ie.weights.compare_schemes(
        ev, methods=("entropy", "merec"), level=1, explicit={"d2": {"D2": 3}}
    )
    assert list(cmp.evaluations) == ["nominal", "entropy", "d2"]
    assert "strictly positive" in cmp.failed["merec"]  # min-max on [0, 100] has zeros
    # the same as a readable table: where (the nodes named), each distinct rule once
    failures = cmp.failures
    assert list(failures.index) == ["merec"] and list(failures.columns) == ["where", "reason"]
    assert "strictly positive" in failures.at["merec", "reason"]
    assert "规则/rule" not in failures.at["merec", "reason"]
    assert failures.at["merec", "where"]
    w = cmp.weights(["a", "b", "D1", "D2"])
    assert w.loc["D2", "d2"] == pytest.approx(0.75) and w.loc["a", "nominal"] == 0.5
    assert cmp.ranks["d2"].equals(ie.weights.reweight(ev, {"D2": 3}).ranks.rename("d2"))
    moves = cmp.moves()
    assert (moves["d2"] == cmp.ranks["nominal"] - cmp.ranks["d2"]).all()
    truth = pd.Series([1.0, 2, 3, 4, 5], index=DATA["uCode"])
    assert cmp.summary(truth)["spearman vs reference"]["nominal"] == pytest.approx(
        ev.scores.corr(truth, method="spearman")
    )
