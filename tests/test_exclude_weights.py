"""Constant indicators, ``exclude`` and weight 0 (docs/spec.md: `exclude`, weight 0).

Hand-computed values on a toy tree IDX → D1 (a, b), D2 (c), min-max 0–100 and the
arithmetic mean. COINr semantics: a zero weight keeps the element in every table but
out of its parent's aggregate (COINr ``a_amean``: ``Σ wᵢxᵢ / Σ wᵢ``, so weights
(1, 0, 1) give the mean of the other two); ``exclude`` removes elements from the build
as COINr's ``remove_elements`` does.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TOY_NODES

import integrity_eval as ie
from integrity_eval.cli import main

DATA = Path(__file__).parent / "data"
FW_TEXT = (DATA / "mini_framework.yaml").read_text(encoding="utf-8")
TOY = ie.Framework.from_dict({"name": "toy", "nodes": TOY_NODES})
X = pd.DataFrame(
    {
        "uCode": ["u1", "u2", "u3", "u4"],
        "a": [1.0, 2, 3, 4],
        "b": [4.0, 3, 2, 1],
        "c": [2.0, 5, 1, 3],
    }
)
# minmax(a) = 0, 33.3, 66.7, 100; minmax(c) = 25, 100, 0, 50
D1_A_ONLY = np.array([0.0, 100 / 3, 200 / 3, 100])
D2 = np.array([25.0, 100, 0, 50])


def raised(fn) -> ie.ValidationError:
    with pytest.raises(ie.ValidationError) as info:
        fn()
    return info.value


# ------------------------------------------------------------------- weight 0
def test_weight_zero_keeps_the_element_in_the_tables_but_out_of_the_aggregate():
    ev = ie.build(TOY, X, {**_base(), "weights": {"values": {"b": 0}}})
    agg = ev.get_dset("Aggregated")
    np.testing.assert_allclose(agg["b"], [100, 200 / 3, 100 / 3, 0])  # b is still normalised
    np.testing.assert_allclose(agg["D1"], D1_A_ONLY)  # but D1 is a alone
    np.testing.assert_allclose(ev.scores, (D1_A_ONLY + D2) / 2)
    assert ev.weights["b"] == 0
    eff = ev.effective_weights
    assert (eff["a"], eff["b"], eff["c"], eff["D1"]) == (0.5, 0.0, 0.5, 0.5)


def test_weights_one_zero_one_equal_the_mean_of_the_other_two():
    """COINr a_amean with w = (1, 0, 1): (x₁ + x₃)/2, whatever the middle value."""
    fw = ie.Framework.from_dict(
        {
            "nodes": [
                {"code": "IDX", "level": 2},
                {"code": "x", "level": 1, "parent": "IDX"},
                {"code": "y", "level": 1, "parent": "IDX", "weight": 0},
                {"code": "z", "level": 1, "parent": "IDX"},
            ]
        }
    )
    data = pd.DataFrame(
        {"uCode": ["u1", "u2", "u3"], "x": [1.0, 4, 9], "y": [100.0, -7, 0], "z": [3.0, 2, 5]}
    )
    ev = ie.build(fw, data, {"aggregate": {"method": "amean"}})
    np.testing.assert_array_equal(ev.scores, [2.0, 3.0, 7.0])
    assert list(ev.get_dset("Aggregated").columns) == ["x", "y", "z", "IDX"]


def test_zero_weight_child_is_not_checked_against_the_aggregation_domain():
    # gmean refuses a 0 among the children it aggregates, not among the zero-weight ones
    data = X.assign(b=[0.0, 3, 2, 1])
    spec = {"aggregate": {"method": "gmean"}}
    err = raised(lambda: ie.build(TOY, data, spec))
    assert [(p.row, p.column) for p in err.problems] == [("u1", "b")]
    ev = ie.build(TOY, data, {**spec, "weights": {"values": {"b": 0}}})
    np.testing.assert_allclose(ev.get_dset("Aggregated")["D1"], X["a"])
    np.testing.assert_allclose(ev.scores, np.sqrt(X["a"] * X["c"]).to_numpy())


def test_a_constant_column_leaves_its_parent_with_or_without_weight_zero():
    # COINr 1.1.14: n_minmax gives NaN for a constant column and a_amean skips it, so D1
    # is a's min-max score whether b weighs 0 or not; rank scores it (ties "min": all 1)
    data = X.assign(b=[3.0, 3, 3, 3])
    for weights in ({}, {"weights": {"values": {"b": 0}}}):
        with pytest.warns(UserWarning, match="b"):
            ev = ie.build(TOY, data, {**_base(), **weights})
        assert ev.get_dset("Normalised")["b"].isna().all()
        pd.testing.assert_series_equal(
            ev.get_dset("Aggregated")["D1"], ev.get_dset("Normalised")["a"], check_names=False
        )
    ev = ie.build(TOY, data, {**_base(), "normalise": {"method": "rank"}})
    assert (ev.get_dset("Normalised")["b"] == 1).all()


def test_all_zero_children_name_the_aggregate():
    err = raised(lambda: ie.build(TOY, X, {**_base(), "weights": {"values": {"a": 0, "b": 0}}}))
    assert [(p.row, p.source) for p in err.problems] == [("D1", "spec")]
    assert err.problems[0].rule.startswith("聚合项的所有下级权重均为 0")
    nodes = [dict(n, weight=0) if n["code"] in ("a", "b") else n for n in TOY_NODES]
    err = raised(lambda: ie.Framework.from_dict({"nodes": nodes}))
    assert [p.row for p in err.problems] == ["D1"]


def test_framework_yaml_weight_zero(tmp_path):
    text = FW_TEXT.replace("    kind: amount\n", "    kind: amount\n    weight: 0\n", 1)
    fw = ie.load_framework(_write(tmp_path / "fw.yaml", text))
    assert fw["audit"].weight == 0
    assert fw.to_imeta().set_index("iCode").loc["audit", "Weight"] == 0
    assert ie.Framework.from_imeta(fw.to_imeta())["audit"].weight == 0


# ------------------------------------------------------------------- exclude
def test_exclude_leaves_the_indicator_out_and_lists_it():
    ev = ie.build(TOY, X.drop(columns="b"), {**_base(), "exclude": ["b"]})
    assert "b" not in ev.get_dset("Raw").columns
    assert "b" not in ev.get_dset("Aggregated").columns
    np.testing.assert_allclose(ev.scores, (D1_A_ONLY + D2) / 2)
    assert ev.excluded.to_dict("index") == {
        "b": {
            "level": 1,
            "name_zh": "",
            "name_en": "",
            "reason": "列入 exclude / listed under exclude",
        }
    }
    assert ev.effective_weights["a"] == 0.5
    # the column may stay in the data: it is ignored
    same = ie.build(TOY, X, {**_base(), "exclude": ["b"]})
    pd.testing.assert_series_equal(same.scores, ev.scores)


def test_exclude_cascades_to_an_aggregate_left_without_children():
    ev = ie.build(TOY, X, {**_base(), "exclude": ["c"]})
    assert ev.excluded["reason"].to_dict() == {
        "D2": "所有下级均被排除 / all its children are excluded",
        "c": "列入 exclude / listed under exclude",
    }
    assert list(ev.get_dset("Aggregated").columns) == ["a", "b", "D1", "IDX"]
    eff = ev.effective_weights
    assert (eff["D1"], eff["a"], eff["b"]) == (1.0, 0.5, 0.5)
    np.testing.assert_allclose(ev.scores, ev.get_dset("Aggregated")["D1"])
    # excluding an aggregate takes everything under it
    ev = ie.build(TOY, X, {**_base(), "exclude": ["D1"]})
    assert list(ev.excluded.index) == ["D1", "a", "b"]
    assert ev.excluded.loc["a", "reason"] == "上级 D1 被排除 / under excluded D1"


def test_exclude_problems():
    err = raised(lambda: ie.build(TOY, X, {"exclude": ["bb", "IDX"]}))
    assert [(p.column, p.value) for p in err.problems] == [
        ("exclude", "bb (did you mean 'b'?)"),
        ("exclude", "IDX"),
    ]
    err = raised(lambda: ie.build(TOY, X, {"exclude": ["a", "b", "c"]}))
    assert "exclude leaves no indicator" in str(err)
    err = raised(lambda: ie.build(TOY, X, {"exclude": {"a": 1}}))
    assert err.problems[0].column == "exclude"
    # exclude plus a zero weight on the only sibling left: the aggregate has no weight
    err = raised(lambda: ie.build(TOY, X, {"exclude": ["a"], "weights": {"values": {"b": 0}}}))
    assert [p.row for p in err.problems] == ["D1"]
    # a weight for an excluded element is ignored, an unknown one is not
    ie.build(TOY, X, {"exclude": ["a"], "weights": {"values": {"a": 3}}})


def test_with_params_adds_and_drops_exclusions():
    ev = ie.build(TOY, X, {**_base(), "exclude": ["b"]})
    back = ev.with_params(exclude=None)
    assert "b" in back.get_dset("Raw").columns and back.excluded.empty
    other = ev.with_params(exclude=["c"])
    assert list(other.excluded.index) == ["D2", "c"]
    rank = ev.with_params(normalise__method="rank")
    assert list(rank.excluded.index) == ["b"]
    assert "exclude" in ev.get_params() and "b" in str(ev.summary())


# ----------------------------------------------------- the constant column, CLI
def test_a_constant_column_is_noted_and_run_goes_on(tmp_path, capsys):
    # court (direction −1) is 0 everywhere: a note on stderr names it, validate and run
    # succeed, every unit is ranked; exclude: [court] gives the same ranks without the note
    header = ["uCode", "uName", "court", "penalty", "audit", "kept", "hotline"]
    rows = [
        ["310101", "黄浦区", 0, 10, 120.5, 0.9, 88],
        ["310104", "徐汇区", 0, 4, 0, 0.75, 91.5],
        ["310105", "长宁区", 0, 7, 30, 0.8, 80],
    ]
    fw = _write(tmp_path / "fw.yaml", FW_TEXT)
    data = tmp_path / "data.csv"
    with open(data, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    argv = ["--framework", str(fw), "--data", str(data)]
    assert main(["validate", *argv]) == 0
    err = capsys.readouterr().err
    assert "注意 / note: 以下指标所有单位取值相同" in err and ": court" in err
    assert "Traceback" not in err and "UserWarning" not in err
    ranks = {}
    for name, extra in (("kept", []), ("excluded", ["--spec"])):
        out = tmp_path / name
        if extra:
            text = "exclude: [court]\nnormalise: {method: minmax}\naggregate: {method: amean}\n"
            spec = _write(tmp_path / "spec.yaml", text)
            extra = [*extra, str(spec)]
        assert main(["run", *argv, *extra, "--out", str(out), "--quiet", "--no-pdf"]) == 0
        (run_dir,) = out.iterdir()
        table = pd.read_csv(
            run_dir / "league_table.csv", encoding="utf-8-sig", dtype={"uCode": str}
        )
        assert table["rank"].notna().all() and len(table) == 3
        ranks[name] = table.set_index("uCode")["rank"]
    pd.testing.assert_series_equal(ranks["kept"], ranks["excluded"])


def _base() -> dict:
    return {"normalise": {"method": "minmax", "l_u": [0, 100]}, "aggregate": {"method": "amean"}}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_spec_weight_zero_through_the_cli(tmp_path, capsys):
    # D1 = mean of min-max(court) and min-max(penalty), both direction −1; audit weighs 0:
    # court 3, 1, 0, 5, 2 → (5 − x)/5·100 = 40, 80, 100, 0, 60
    # penalty 10, 4, 7, 2, 9 → (10 − x)/8·100 = 0, 75, 37.5, 100, 12.5
    header = ["uCode", "uName", "court", "penalty", "audit", "kept", "hotline"]
    rows = [
        ["310101", "黄浦区", 3, 10, 120.5, 0.9, 88],
        ["310104", "徐汇区", 1, 4, 0, 0.75, 91.5],
        ["310105", "长宁区", 0, 7, 30, 0.8, 80],
        ["310106", "静安区", 5, 2, 12, 0.6, 70],
        ["310107", "普陀区", 2, 9, 55, 0.95, 85],
    ]
    data = tmp_path / "data.csv"
    with open(data, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    spec = _write(
        tmp_path / "spec.yaml",
        "weights: {values: {audit: 0}}\nnormalise: {method: minmax}\naggregate: {method: amean}\n",
    )
    fw = _write(tmp_path / "fw.yaml", FW_TEXT)
    out = tmp_path / "out"
    argv = ["--framework", str(fw), "--data", str(data), "--spec", str(spec)]
    assert main(["validate", *argv]) == 0, capsys.readouterr().err
    assert main(["run", *argv, "--out", str(out), "--quiet"]) == 0, capsys.readouterr().err
    (run_dir,) = out.iterdir()
    table = pd.read_csv(run_dir / "league_table.csv", encoding="utf-8-sig", dtype={"uCode": str})
    (col,) = [c for c in table.columns if c.split(" ")[0] == "D1"]  # "D1 <name>" header
    d1 = table.set_index("uCode")[col]
    expected = {"310101": 20.0, "310104": 77.5, "310105": 68.75, "310106": 50.0, "310107": 36.25}
    assert d1.to_dict() == pytest.approx(expected)
