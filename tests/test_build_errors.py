"""Bad input: one ValidationError listing every problem, each with its row, column and value.

Also the units a build cannot score: listed in ``ev.unscored`` with the reason and
absent from ``ev.scores`` (never a NaN score).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import TOY_NODES as NODES

import integrity_eval as ie

NAN = np.nan


@pytest.fixture(scope="module")
def fw() -> ie.Framework:
    return ie.Framework.from_dict({"name": "t", "nodes": NODES})


def good_data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "uCode": ["u1", "u2", "u3", "u4"],
            "a": [1.0, 2, 3, 4],
            "b": [4.0, 1, 3, 2],
            "c": [2.0, 5, 1, 3],
        }
    )


def raised(fn) -> ie.ValidationError:
    with pytest.raises(ie.ValidationError) as info:
        fn()
    return info.value


def find(err: ie.ValidationError, rule_part: str) -> list[ie.Problem]:
    return [p for p in err.problems if rule_part in p.rule]


# ======================================================================== iData
def test_idata_cell_and_row_problems_all_at_once(fw):
    data = pd.DataFrame(
        {
            "uCode": ["u1", "u2", "u2", "u4", "u5"],
            "a": [1, "x", 6, "n/a", 2],  # two non-numeric cells
            "b": [3.0, 5, 8, 4, np.inf],  # an infinite value
            "c": [NAN] * 5,  # no data at all
        }
    )
    err = raised(lambda: ie.build(fw, data))
    assert len(err.problems) == 5
    (dup,) = find(err, "duplicate unit row")
    assert (dup.row, dup.column, dup.value) == ("2, 3", "uCode", "u2")
    cells = find(err, "expected a number")
    assert [(p.row, p.column, p.value) for p in cells] == [
        ("u2 (row 2)", "a", "x"),
        ("u4 (row 4)", "a", "n/a"),
    ]
    (inf,) = find(err, "infinite")
    assert (inf.row, inf.column) == ("u5 (row 5)", "b")
    (empty,) = find(err, "no data")
    assert empty.column == "c"
    assert all(p.source == "iData" for p in err.problems)


def test_idata_column_problems_all_at_once(fw):
    data = good_data().drop(columns=["c"])
    data["zz"] = 1.0
    data["aa"] = 2.0
    err = raised(lambda: ie.build(fw, data))
    assert len(err.problems) == 3
    assert sorted(p.column for p in find(err, "unknown column")) == ["aa", "zz"]
    assert [p.column for p in find(err, "missing")] == ["c"]


def test_idata_duplicate_column(fw):
    data = pd.DataFrame(
        [["u1", 1.0, 2, 3, 9], ["u2", 4, 5, 6, 9]], columns=["uCode", "a", "b", "c", "a"]
    )
    err = raised(lambda: ie.build(fw, data))
    assert [(p.rule, p.column) for p in err.problems] == [("duplicate column", "a")]


def test_idata_missing_ucode(fw):
    err = raised(lambda: ie.build(fw, good_data().drop(columns=["uCode"])))
    assert [p.column for p in err.problems] == ["uCode"]


def test_idata_unknown_column_does_not_hide_cell_problems(fw):
    data = pd.DataFrame(
        {
            "uCode": ["u1", "u2", "u2"],
            "a": [1, "x", 6],
            "b": [3.0, 5, 8],
            "c": [NAN] * 3,
            "zz": [1, 2, 3],
        }
    )
    err = raised(lambda: ie.build(fw, data))
    rules = sorted(p.rule for p in err.problems)
    assert len(err.problems) == 4, rules


def test_unknown_period(fw):
    data = pd.concat([good_data().assign(Time=2020), good_data().assign(Time=2021)])
    err = raised(lambda: ie.build(fw, data, time=2019))
    (p,) = err.problems
    assert (p.column, str(p.value)) == ("Time", "2019") and "2020, 2021" in p.rule


# ==================================================================== framework
def test_framework_tree_problems_all_at_once():
    nodes = [dict(n) for n in NODES] + [
        {"code": "a", "level": 1, "parent": "D1"},  # duplicate code
        {"code": "x", "level": 1, "parent": "NOPE"},  # orphan
        {"code": "y", "level": 1, "parent": "D2", "weight": 0},  # allowed, as in COINr
        {"code": "z", "level": 1, "parent": "D2", "weight": -2},
        {"code": "v", "level": 1, "parent": "D2", "direction": 2},
    ]
    err = raised(lambda: ie.Framework.from_dict({"nodes": nodes}))
    got = sorted((p.rule, p.row, p.column, p.value) for p in err.problems)
    assert got == sorted(
        [
            ("duplicate code", "a", "code", ""),
            ("parent does not exist (orphan node)", "x", "parent", "NOPE"),
            ("权重应为非负数 / weight must be a number ≥ 0", "z", "weight", "-2.0"),
            ("direction must be 1 or -1", "v", "direction", "2"),
        ]
    )


def test_framework_cycle_reported():
    nodes = [
        {"code": "IDX", "level": 3},
        {"code": "P", "level": 2, "parent": "Q"},
        {"code": "Q", "level": 2, "parent": "P"},
        {"code": "a", "level": 1, "parent": "P"},
    ]
    err = raised(lambda: ie.Framework.from_dict({"nodes": nodes}))
    cycles = find(err, "cycle")
    assert {p.row for p in cycles} >= {"P", "Q"}
    assert all(p.column == "parent" for p in cycles)
    assert any(p.value == "P → Q → P" for p in cycles)


def test_framework_two_roots_and_childless_aggregate():
    nodes = [
        {"code": "IDX", "level": 2},
        {"code": "IDX2", "level": 2},
        {"code": "a", "level": 1, "parent": "IDX"},
    ]
    err = raised(lambda: ie.Framework.from_dict({"nodes": nodes}))
    assert len(find(err, "exactly one root")) == 1
    assert [p.row for p in find(err, "no children")] == ["IDX2"]


def test_framework_parse_problems_all_at_once():
    data = {
        "nodez": [],
        "nodes": [
            {"code": "IDX", "level": 2},
            {"code": "a", "level": 1, "parent": "IDX", "weight": None},  # weight missing
            {"code": "b", "level": 1, "parent": "IDX", "wieght": 2},
            {"code": "c", "level": 1.5, "parent": "IDX"},
        ],
    }
    err = raised(lambda: ie.Framework.from_dict(data))
    assert len(err.problems) == 4
    by = {(p.row, p.column): p for p in err.problems}
    assert "did you mean 'nodes'" in by[("", "nodez")].value
    assert "did you mean 'weight'" in by[("b", "wieght")].value
    assert by[("a", "weight")].rule == "expected a number"
    assert by[("c", "level")].rule == "expected a whole number"


def test_framework_parse_and_tree_problems_together():
    nodes = [dict(n) for n in NODES] + [
        {"code": "a", "level": 1, "parent": "D1"},  # duplicate
        {"code": "x", "level": 1, "parent": "NOPE"},  # orphan
        {"code": "y", "level": 1, "parent": "D2", "weight": -1},
        {"code": "w", "level": 1, "parent": "D2", "weight": "abc"},
    ]
    err = raised(lambda: ie.Framework.from_dict({"nodes": nodes}))
    assert len(err.problems) == 4, [str(p) for p in err.problems]


def test_imeta_problems():
    im = ie.Framework.from_dict({"nodes": NODES}).to_imeta()
    im.loc[im["iCode"] == "a", "Weight"] = -1
    im.loc[im["iCode"] == "c", "Parent"] = "D9"
    err = raised(lambda: ie.Framework.from_imeta(im))
    got = sorted((p.row, p.column, p.value) for p in err.problems)
    # D2 loses its only child to the bad parent: reported too
    assert got == [("D2", "level", "2"), ("a", "weight", "-1.0"), ("c", "parent", "D9")]
    assert all(p.source == "iMeta" for p in err.problems)


def test_imeta_missing_weight_reported():
    im = ie.Framework.from_dict({"nodes": NODES}).to_imeta()
    im.loc[im["iCode"] == "b", "Weight"] = NAN
    err = raised(lambda: ie.Framework.from_imeta(im))
    assert [(p.row, p.column) for p in err.problems] == [("b", "weight")]


def test_spec_weights_negative_or_unknown(fw):
    spec = {"weights": {"values": {"a": 0, "b": -1, "c": "heavy", "D1": None}}}
    err = raised(lambda: ie.build(fw, good_data(), spec))
    assert sorted((p.column, p.value) for p in err.problems) == [
        ("weights.values.D1", ""),
        ("weights.values.b", "-1"),
        ("weights.values.c", "heavy"),
    ]
    err = raised(lambda: ie.build(fw, good_data(), {"weights": {"values": {"q": 2, "r": 3}}}))
    assert [p.column for p in err.problems] == ["weights.values.q", "weights.values.r"]


# ============================================================= method domains
def test_constant_indicators_are_nan_and_skipped_as_in_coinr(fw):
    # COINr 1.1.14: n_minmax returns NaN for a column without spread (with a warning) and
    # a_amean drops NaN, so the indicator leaves its parent's mean (c is D2's only child, so
    # D2 leaves the index's): the same scores as with weight 0; never a refusal
    data = good_data().assign(b=[3.0, 3, 3, 3], c=[7.0, NAN, 7, 7])
    for method in ("minmax", "zscore"):
        with pytest.warns(UserWarning, match=r"b, c"):
            ev = ie.build(fw, data, {"normalise": {"method": method}, "aggregate": {}})
        assert ev.constant == ["b", "c"]
        assert ev.get_dset("Normalised")[["b", "c"]].isna().all().all()
        with pytest.warns(UserWarning):
            zero = ie.build(
                fw,
                data,
                {
                    "normalise": {"method": method},
                    "aggregate": {},
                    "weights": {"values": {"b": 0, "D2": 0}},
                },
            )
        pd.testing.assert_series_equal(ev.scores, zero.scores)
        assert ev.raw_values[["b", "c"]].notna().any().all()  # raw values stay for rules
    # methods that do not divide by the spread score a constant column
    ranked = ie.build(fw, data, {"normalise": {"method": "rank"}})
    assert ranked.constant == [] and ranked.get_dset("Normalised")["b"].notna().all()


def aggregate_only(fw, data, method, **params):
    return ie.build(fw, data, {"aggregate": {"method": method, **params}})


TWO_LEVEL = ie.Framework.from_dict(
    {
        "nodes": [
            {"code": "IDX", "level": 2},
            {"code": "a", "level": 1, "parent": "IDX"},
            {"code": "b", "level": 1, "parent": "IDX"},
        ]
    }
)
DOMAIN = pd.DataFrame({"uCode": ["u1", "u2", "u3"], "a": [1.0, 0, 2], "b": [-1.0, 3, NAN]})


def test_gmean_non_positive_values_listed():
    err = raised(lambda: aggregate_only(TWO_LEVEL, DOMAIN, "gmean"))
    assert sorted((p.row, p.column, p.value) for p in err.problems) == [
        ("u1", "b", "-1.0"),
        ("u2", "a", "0.0"),
    ]
    assert all(p.source == "aggregate" for p in err.problems)


def test_hmean_zeros_listed_negatives_allowed():
    # COINr a_hmean stops on zeros only
    err = raised(lambda: aggregate_only(TWO_LEVEL, DOMAIN, "hmean"))
    assert [(p.row, p.column, p.value) for p in err.problems] == [("u2", "a", "0.0")]
    ok = DOMAIN.assign(a=[1.0, 2, 2])
    ev = aggregate_only(TWO_LEVEL, ok, "hmean")
    # u1: 2/(1/1 + 1/(−1)) → division by zero sum: inf; u2: 2/(1/2 + 1/3) = 2.4
    assert ev.get_dset("Aggregated").loc["u2", "IDX"] == pytest.approx(2.4)


def test_genmean_negative_p_needs_positive_values():
    err = raised(lambda: aggregate_only(TWO_LEVEL, DOMAIN, "genmean", p=-2))
    assert sorted((p.row, p.column) for p in err.problems) == [("u1", "b"), ("u2", "a")]
    # positive p is defined for these values: u2 = √((0 + 9)/2)
    ev = aggregate_only(TWO_LEVEL, DOMAIN.assign(b=[1.0, 3, NAN]), "genmean", p=2)
    assert ev.scores["u2"] == pytest.approx((9 / 2) ** 0.5)


def test_genmean_p_zero_is_an_error():
    positive = DOMAIN.assign(a=[1.0, 2, 2], b=[1.0, 3, 4])
    err = raised(lambda: aggregate_only(TWO_LEVEL, positive, "genmean", p=0))
    assert err.problems[0].column == "aggregate.p"


def test_gmean_zero_listed_once_not_again_for_its_aggregate(fw):
    data = good_data().assign(a=[0.0, 2, 3, 4])
    err = raised(lambda: aggregate_only(fw, data, "gmean"))
    assert [(p.row, p.column) for p in err.problems] == [("u1", "a")]


# ============================================================ unscored units
def test_unit_without_any_data_is_unscored_not_nan(fw):
    data = good_data()
    data.loc[len(data)] = ["u5", NAN, NAN, NAN]
    ev = ie.build(fw, data)
    assert "u5" not in ev.scores.index
    assert not ev.scores.isna().any()
    assert list(ev.unscored.index) == ["u5"]
    reason = ev.unscored.loc["u5", "reason"]
    assert "no available data" in reason and "IDX" in reason
    assert "u5" not in ev.ranks.index and len(ev.ranks) == 4


def test_unit_missing_a_whole_dimension_is_scored_on_the_rest(fw):
    # COINr a_amean renormalises over the available children: D2 missing → IDX = D1
    data = good_data().assign(c=[2.0, 5, NAN, 3])
    ev = ie.build(fw, data, {"aggregate": {"method": "amean"}})
    agg = ev.get_dset("Aggregated")
    assert np.isnan(agg.loc["u3", "D2"])
    assert ev.scores["u3"] == pytest.approx((3 + 3) / 2)
    assert ev.unscored.empty


def test_dat_thresh_leaves_unit_unscored_with_reason(fw):
    data = good_data().assign(b=[4.0, NAN, 3, 2], c=[2.0, NAN, 1, 3])
    ev = ie.build(fw, data, {"aggregate": {"method": "amean", "dat_thresh": 0.6}})
    # u2: D1 has 1 of 2 children (0.5 < 0.6) → missing; D2 has none → missing; so no IDX
    assert "u2" not in ev.scores.index and list(ev.unscored.index) == ["u2"]
    assert not ev.scores.isna().any()


def test_screened_out_units_listed_with_reason(fw):
    data = good_data().assign(b=[4.0, NAN, NAN, 2], c=[2.0, NAN, 1, 3])
    spec = {"screen": {"dat_thresh": 0.6}, "aggregate": {"method": "amean"}}
    ev = ie.build(fw, data, spec)
    # availability: u2 1/3, u3 2/3 → u2 screened out (1/3 < 0.6)
    assert list(ev.unscored.index) == ["u2"]
    reason = ev.unscored.loc["u2", "reason"]
    assert "screened out" in reason and "0.33" in reason and "0.6" in reason
    assert sorted(ev.scores.index) == ["u1", "u3", "u4"]
    assert "u2" in ev.get_dset("Imputed").index and "u2" not in ev.get_dset("Screened").index


def test_screen_force_unknown_unit_reported(fw):
    spec = {"screen": {"force": {"u9": True, "u1": False, "u8": False}}}
    err = raised(lambda: ie.build(fw, good_data(), spec))
    assert sorted(p.row for p in err.problems) == ["u8", "u9"]


def test_zero_denominator_listed_per_unit():
    fw = ie.Framework.from_dict(
        {
            "nodes": [
                {"code": "IDX", "level": 2},
                {"code": "a", "level": 1, "parent": "IDX", "denominator": "pop"},
                {"code": "b", "level": 1, "parent": "IDX"},
            ],
            "denominators": [{"code": "pop"}],
        }
    )
    data = pd.DataFrame(
        {"uCode": ["u1", "u2", "u3"], "pop": [0.0, 10, 0], "a": [1.0, 2, 3], "b": [1.0, 2, 3]}
    )
    err = raised(lambda: ie.build(fw, data, {"denominate": {}, "aggregate": {}}))
    assert sorted((p.row, p.column, p.value) for p in err.problems) == [
        ("u1", "pop", "0.0"),
        ("u3", "pop", "0.0"),
    ]


def test_framework_parameters_missing_for_normalisation():
    fw = ie.Framework.from_dict(
        {
            "nodes": [
                {"code": "IDX", "level": 2},
                {"code": "a", "level": 1, "parent": "IDX", "target": 1, "goalposts": [0, 5]},
                {"code": "b", "level": 1, "parent": "IDX"},
                {"code": "c", "level": 1, "parent": "IDX", "target": 9, "goalposts": [0, 5]},
            ]
        }
    )
    data = pd.DataFrame(
        {"uCode": ["u1", "u2", "u3"], "a": [1.0, 2, 3], "b": [1.0, 2, 3], "c": [1.0, 2, 3]}
    )
    # dist2targ: a's target equals its minimum (division by zero), b has no target
    err = raised(lambda: ie.build(fw, data, {"normalise": {"method": "dist2targ"}}))
    assert sorted((p.column, p.value) for p in err.problems) == [("a", "1"), ("b", "")]
    err = raised(lambda: ie.build(fw, data, {"normalise": {"method": "goalposts"}}))
    assert [p.column for p in err.problems] == ["b"]
    # dist2ref: the reference unit holds the minimum of every indicator
    err = raised(lambda: ie.build(fw, data, {"normalise": {"method": "dist2ref", "iref": "u1"}}))
    assert [p.column for p in err.problems] == ["a", "b", "c"]
