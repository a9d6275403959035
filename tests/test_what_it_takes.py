"""What it takes (晋级路径): minimal verified changes to reach a better grade."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import integrity_eval as ie
from integrity_eval import datasets

BANDS = [("A", 80), ("B", 60), ("C", None)]
GOALPOSTS = {"normalise": {"method": "goalposts"}, "aggregate": {"method": "amean"}}


def _fw(vetoes=(), **extra):
    score = {"kind": "score", "min": 0, "max": 100, "goalposts": [0, 100]}
    nodes = [
        {"code": "T", "level": 2},
        {"code": "a", "level": 1, "parent": "T", "weight": 1, **score},
        {"code": "b", "level": 1, "parent": "T", "weight": 2, **score},
        {"code": "c", "level": 1, "parent": "T", "weight": 3, **score},
        *extra.get("nodes", []),
    ]
    bands = [{"grade": g, "min": e} if e is not None else {"grade": g} for g, e in BANDS]
    rating = {"bands": bands, "vetoes": list(vetoes)}
    return ie.Framework.from_dict({"name": "toy", "nodes": nodes, "rating": rating})


def _data(**cols):
    base = {"uCode": ["p", "q"], "a": [40.0, 90.0], "b": [60.0, 90.0], "c": [90.0, 90.0]}
    return pd.DataFrame({**base, **cols})


def test_hand_computed_minimal_change():
    # p: (40·1 + 60·2 + 90·3)/6 = 71.67; A needs 80, i.e. 50 weighted points. c gives 3 per
    # point but has 10 left (30); b gives 2 per point: the other 20 take 10 points of b.
    # Any other split moves more points (b alone 25, a alone 50).
    ev = ie.build(_fw(), _data(), GOALPOSTS)
    plan = ie.rating.what_it_takes(ev, "p")
    assert plan.target == "A" and plan.reachable and plan.method == "linear"
    got = plan.table.set_index("iCode")
    assert sorted(got.index) == ["b", "c"]
    assert got.loc["c", "to_value"] == pytest.approx(100.0)
    assert got.loc["b", "to_value"] == pytest.approx(70.0)
    assert plan.cost == pytest.approx(20.0)
    assert plan.score_after == pytest.approx(80.0)
    assert plan.grade_after == "A"


def test_cost_moves_the_plan_to_cheaper_indicators():
    # c ten times harder: per unit of effort b (2) beats a (1) and c (0.3): b alone, +25
    ev = ie.build(_fw(), _data(), GOALPOSTS)
    plan = ie.rating.what_it_takes(ev, "p", cost={"c": 10})
    got = plan.table.set_index("iCode")
    assert list(got.index) == ["b"]
    assert got.loc["b", "to_value"] == pytest.approx(85.0)
    assert plan.cost == pytest.approx(25.0)


def test_fixed_and_unreachable():
    ev = ie.build(_fw(), _data(), GOALPOSTS)
    plan = ie.rating.what_it_takes(ev, "p", fixed=["c"])
    assert set(plan.table["iCode"]) <= {"a", "b"} and plan.reachable
    # a alone, to 100, gives (100 + 120 + 270)/6 = 81.67 < 90: not reachable
    scheme = ie.rating.Scheme([("A", 90), ("B", 60), ("C", None)])
    plan = ie.rating.what_it_takes(ev, "p", rated=scheme, fixed=["b", "c"])
    assert not plan.reachable and plan.table.empty
    assert plan.grade_after == "B" and plan.score_after == pytest.approx(ev.scores["p"])
    assert "无法" in plan.sentence("zh") and "No feasible" in plan.sentence("en")


def test_integer_items_stay_whole():
    # k: records, fewer is better, goalposts [10, 0] (worst, best) → 10 points per record.
    # p: (40 + 120 + 270 + 3·(10 − 7)·10)/9 = 57.78; B (60) needs 20 weighted points.
    # c gives 3·10 = 30 for its last 10 points, k gives 30 per record: the continuous c is
    # cheaper per point than a whole record only if 20/3 < 10: c moves 6.67 points.
    # With c fixed, k must move: one record (30 ≥ 20), not 2/3 of one.
    k = {"code": "k", "level": 1, "parent": "T", "weight": 3, "kind": "count"}
    k |= {"direction": -1, "min": 0, "goalposts": [10, 0]}
    fw = _fw(nodes=[k])
    ev = ie.build(fw, _data(k=[7, 0]), GOALPOSTS)
    plan = ie.rating.what_it_takes(ev, "p", fixed=["a", "b", "c"])
    got = plan.table.set_index("iCode")
    assert list(got.index) == ["k"]
    assert got.loc["k", "to_value"] == 6.0 and got.loc["k", "change"] == -1.0
    assert plan.grade_after == "B"
    assert plan.score_after == pytest.approx((40 + 120 + 270 + 3 * 40) / 9)


def test_veto_blocks_and_is_named():
    veto = {"name": {"zh": "弄虚作假", "en": "falsified"}, "indicator": "a", "op": "<"}
    veto |= {"value": 50, "cap": "B"}
    ev = ie.build(_fw([veto]), _data(), GOALPOSTS)
    plan = ie.rating.what_it_takes(ev, "p")
    assert not plan.reachable and plan.table.empty
    assert plan.blocking == ["弄虚作假 / falsified"]
    assert plan.sentence("zh").startswith("否决规则")
    # a veto capping at C does not block B: the unit goes from C (capped) … to B
    veto["cap"] = "C"
    ev = ie.build(_fw([veto]), _data(), GOALPOSTS)
    assert ie.rating.rate(ev).table.at["p", "grade"] == "C"
    assert ie.rating.what_it_takes(ev, "p").blocking == ["弄虚作假 / falsified"]
    veto["cap"] = "B"
    ev = ie.build(_fw([veto]), _data(b=[20.0, 90.0], c=[40.0, 90.0]), GOALPOSTS)
    plan = ie.rating.what_it_takes(ev, "p", target="B")
    assert plan.reachable and plan.blocking == [] and plan.grade_after == "B"


def test_rebuild_verifies_when_the_estimate_misses():
    # min-max: p is the minimum of a, so the held bounds overstate the gain; the rebuild
    # shows the miss and the plan is solved again from the rebuilt point
    spec = {"normalise": {"method": "minmax"}, "aggregate": {"method": "amean"}}
    data = pd.DataFrame(
        {
            "uCode": ["p", "q", "r"],
            "a": [0.0, 50.0, 100.0],
            "b": [50.0, 0.0, 100.0],
            "c": [50.0, 0.0, 100.0],
        }
    )
    # p: (0 + 2·50 + 3·50)/6 = 41.67 (C); B ≥ 55 needs 80 more points of a. Held bounds
    # [0, 100] say a = 80, but then the minimum is q's 50 and a scores (80 − 50)/50 = 60:
    # the rebuild misses, and from there a = 90 scores 80, exactly the edge.
    scheme = ie.rating.Scheme([("A", 80), ("B", 55), ("C", None)])
    ev = ie.build(_fw(), data, spec)
    plan = ie.rating.what_it_takes(ev, "p", rated=scheme, fixed=["b", "c"])
    assert plan.reachable and plan.rounds == 2
    to = plan.table.set_index("iCode").loc["a", "to_value"]
    assert to == pytest.approx(90.0)
    check = ie.build(_fw(), data.assign(a=[to, 50.0, 100.0]), spec)
    assert plan.score_after == check.scores["p"]
    assert plan.grade_after == ie.rating.rate(check, scheme).table.at["p", "grade"] == "B"


def test_top_grade_and_errors():
    ev = ie.build(_fw(), _data(), GOALPOSTS)
    top = ie.rating.what_it_takes(ev, "q")
    assert top.target is None and top.section() is None and top.table.empty
    with pytest.raises(ie.ValidationError, match="no such unit"):
        ie.rating.what_it_takes(ev, "P")
    with pytest.raises(ie.ValidationError, match="not a grade of the scheme"):
        ie.rating.what_it_takes(ev, "p", target="Z")
    with pytest.raises(ie.ValidationError, match="better than the unit's grade"):
        ie.rating.what_it_takes(ev, "p", target="C")
    with pytest.raises(ie.ValidationError, match="cost must be a positive number"):
        ie.rating.what_it_takes(ev, "p", cost={"a": 0})
    with pytest.raises(ie.ValidationError, match="unknown indicator"):
        ie.rating.what_it_takes(ev, "p", fixed=["zz"])


def test_results_object_views():
    ev = ie.build(_fw(), _data(), GOALPOSTS)
    plan = ie.rating.what_it_takes(ev, "p")
    assert "晋级路径 / What it takes" in str(plan.summary())
    assert "<table" in plan._repr_html_()
    assert repr(plan).startswith("<WhatItTakes p: B → A")
    assert (
        plan.sentence("zh")
        == "将下列 2 项指标提升至表中数值，可由「B」升至「A」（重新计算得分 80.0）。"
    )
    frame = plan.to_frame()
    assert list(frame["uCode"]) == ["p", "p"] and frame["reachable"].all()
    section = plan.section()
    assert section["heading"] == "晋级路径 / What it takes" and len(section["table"]) == 2
    long = ie.rating.what_it_takes_all(ev)
    assert set(long["uCode"]) == {"p", "q"}


@pytest.fixture(scope="module")
def shanghai():
    ds = datasets.load("shanghai-districts")
    return ds.framework, ds.idata, ie.build(ds.framework, ds.idata)


def _apply(idata, unit, table):
    out = idata.copy()
    for c, v in zip(table["iCode"], table["to_value"], strict=True):
        out[c] = out[c].astype(float)
        out.loc[out["uCode"] == unit, c] = v
    return out


@pytest.mark.parametrize("unit", ["QP", "HK", "CN"])  # 良 → 优, 中 → 良, 差 → 中
def test_bundled_districts_reach_exactly_the_target(shanghai, unit):
    fw, idata, ev = shanghai
    plan = ie.rating.what_it_takes(ev, unit)
    assert plan.reachable and plan.method == "linear"
    rebuilt = ie.build(fw, _apply(idata, unit, plan.table))
    grade = ie.rating.rate(rebuilt).table.at[unit, "grade"]
    assert grade == plan.target == plan.grade_after
    assert rebuilt.scores[unit] == pytest.approx(plan.score_after, abs=1e-9)
    for _, row in plan.table.iterrows():
        node = fw[row["iCode"]]
        assert np.sign(row["change"]) == node.direction  # only the better direction
        lo = node.min if node.min is not None else -np.inf
        hi = node.max if node.max is not None else np.inf
        assert lo <= row["to_value"] <= hi
        if node.kind in ("count", "binary"):
            assert float(row["to_value"]).is_integer()


def _single_change_points(fw, idata, ev, unit, code, edge):
    """Normalised points the best change of ``code`` alone needs (bisection on rebuilds)."""
    node = fw[code]
    x0 = ev.get_dset("Raw").at[unit, code]
    bound = node.max if node.direction > 0 else node.min
    if bound is None or np.isnan(x0):
        return np.inf

    def score(x):
        return ie.build(fw, _apply(idata, unit, pd.DataFrame({"iCode": [code], "to_value": [x]})))

    if score(bound).scores[unit] < edge:
        return np.inf
    lo, hi = x0, bound
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if score(mid).scores[unit] >= edge else (mid, hi)
    after = score(hi).get_dset("Normalised").at[unit, code]
    return abs(after - ev.get_dset("Normalised").at[unit, code])


def test_plan_never_moves_more_than_the_best_single_change(shanghai):
    fw, idata, ev = shanghai
    unit = "HK"  # 73.31, 1.69 below 良
    plan = ie.rating.what_it_takes(ev, unit)
    singles = [_single_change_points(fw, idata, ev, unit, c, plan.edge) for c in fw.indicators]
    best = min(singles)
    assert np.isfinite(best)
    assert plan.cost <= best + 1e-6


def test_bundled_vetoed_district_is_blocked(shanghai):
    _, _, ev = shanghai
    plan = ie.rating.what_it_takes(ev, "SJ")  # debt arrears cap it at 中
    assert not plan.reachable
    assert plan.blocking == ["政府债务逾期违约 / government debt overdue or in default"]


def test_geometric_mean_is_solved_numerically_and_verified():
    spec = {"normalise": {"method": "goalposts"}, "aggregate": {"method": "gmean"}}
    ev = ie.build(_fw(), _data(), spec)
    plan = ie.rating.what_it_takes(ev, "p")
    assert plan.method == "numerical" and plan.reachable and plan.grade_after == "A"
    table = plan.table.set_index("iCode")
    data = _data()
    for c in table.index:
        data.loc[0, c] = table.loc[c, "to_value"]
    check = ie.build(_fw(), data, spec)
    assert check.scores["p"] == plan.score_after >= 80 - 1e-9
    assert (table["change"] > 0).all() and (table["to_value"] <= 100).all()


def test_panel_period(shanghai):
    ds = datasets.load("shanghai-districts", panel=True)
    first = sorted(ds.idata["Time"].unique())[0]
    ev = ie.build(ds.framework, ds.idata, time=first)
    rated = ie.rating.rate(ev)
    free = rated.table[(rated.table["veto"] == "") & (rated.table["grade"] != "优")].index
    plan = ie.rating.what_it_takes(ev, free[0], rated=rated)
    assert plan.reachable and plan.evaluation_after.time == first
    assert plan.grade_after == plan.target


def test_all_units_verified_together_equal_one_by_one():
    # goalposts and means: each unit's score depends on its own data, so one rebuild with
    # every unit's changes verifies them all; the result equals the plans one by one
    rng = np.random.default_rng(1)
    data = pd.DataFrame(rng.uniform(20, 95, (12, 3)).round(1), columns=list("abc"))
    data.insert(0, "uCode", [f"u{i}" for i in range(12)])
    ev = ie.build(_fw(), data, GOALPOSTS)
    together = ie.rating.what_it_takes_all(ev)
    one_by_one = pd.concat(
        [ie.rating.what_it_takes(ev, u).to_frame() for u in data["uCode"]], ignore_index=True
    )
    pd.testing.assert_frame_equal(together, one_by_one)
    assert together["reachable"].all()


def test_grade_costs_price_each_better_grade():
    # p is C (score 40): B (60) needs 120 weighted points, A (80) 240
    data = _data(a=[40.0, 90.0], b=[40.0, 90.0], c=[40.0, 90.0])
    ev = ie.build(_fw(), data, GOALPOSTS)
    grid = ie.rating.grade_costs(ev, "p")
    assert list(grid["target"]) == ["A", "B"]
    assert grid["reachable"].all()
    # c (weight 3) first: B = 40 points of c; A = 60 of c, then b: 60 more → 30 of b
    assert grid["cost"].tolist() == pytest.approx([90.0, 40.0])
    assert list(grid["grade_after"]) == ["A", "B"]


def test_min_max_indicator_where_every_other_unit_is_best_is_left_alone():
    # raising p's c to 100 would make c constant, which min-max cannot normalise; below 100
    # p stays its minimum (0 points): c, the heaviest, is no step at all and b carries it
    spec = {"normalise": {"method": "minmax"}, "aggregate": {"method": "amean"}}
    data = pd.DataFrame(
        {"uCode": ["p", "q", "r"], "a": [90.0, 0, 100], "b": [90.0, 0, 100], "c": [0.0, 100, 100]}
    )
    scheme = ie.rating.Scheme([("A", 80), ("B", 46), ("C", None)])
    ev = ie.build(_fw(), data, spec)  # p: (90 + 2·90 + 0)/6 = 45
    plan = ie.rating.what_it_takes(ev, "p", rated=scheme)
    assert plan.reachable and list(plan.table["iCode"]) == ["b"]
    assert plan.table["to_value"].iloc[0] == pytest.approx(93.0)
    assert ie.rating.what_it_takes_all(ev, scheme)["uCode"].nunique() == 3


def test_plot_shows_before_and_after():
    import matplotlib

    matplotlib.use("Agg")
    ev = ie.build(_fw(), _data(), GOALPOSTS)
    plan = ie.rating.what_it_takes(ev, "p")
    ax = plan.plot(lang="en")
    widths = sorted(round(p.get_width(), 6) for p in ax.patches)
    assert widths == [60.0, 70.0, 90.0, 100.0]  # b 60 → 70, c 90 → 100
    assert sorted(plan.table["normalised_to"]) == pytest.approx([70.0, 100.0])
