"""Tests of integrity_eval.compare (compare_coins, CAGR, prc_change, get_trends)
against values worked out by hand or with numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from integrity_eval import Framework, ValidationError
from integrity_eval import compare as C

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tiny_fw() -> Framework:
    return Framework.from_dict(
        {
            "name": "tiny",
            "nodes": [
                {"code": "INDEX", "name": "Index", "level": 2},
                {"code": "a", "name": "A", "level": 1, "parent": "INDEX"},
                {"code": "b", "name": "B", "level": 1, "parent": "INDEX", "direction": -1},
            ],
        }
    )


class FakeEvaluation:
    def __init__(self, dsets: dict[str, pd.DataFrame], framework: Framework):
        self._dsets, self.framework = dsets, framework

    def get_dset(self, name: str) -> pd.DataFrame:
        return self._dsets[name]


# ==================================================================== compare
def test_compare_ranks_worked_by_hand():
    a = pd.Series({"u1": 10.0, "u2": 20, "u3": 20, "u4": np.nan})
    b = pd.Series({"u1": 5.0, "u2": 30, "u3": 1, "u5": 7})
    out = C.compare(a, b)
    assert list(out.index) == ["u1", "u2", "u3", "u4", "u5"]
    assert list(out.columns) == ["a", "b", "Diff", "Abs.diff"]
    assert (out.dtypes == "Int64").all()  # ranks are integers, <NA> where missing
    # a: u2 = u3 = 20 share rank 1, u1 rank 3; b: 30 > 7 > 5 > 1
    assert out["a"].tolist() == [3, 1, 1, pd.NA, pd.NA]
    assert out["b"].tolist() == [3, 1, 4, pd.NA, 2]
    assert out["Diff"].tolist() == [0, 0, -3, pd.NA, pd.NA]
    assert out["Abs.diff"].tolist() == [0, 0, 3, pd.NA, pd.NA]
    scores = C.compare(a, b, compare_by="scores", sort_by="Abs.diff")
    assert list(scores.index[:3]) == ["u1", "u2", "u3"]  # |5|, |−10|, |19| then NaN
    assert scores.loc["u3", "Diff"] == 19
    named = C.compare(a.rename("2023"), b.rename("2024"), sort_by="b")
    assert list(named.columns[:2]) == ["2023", "2024"] and named.index[0] == "u2"
    labelled = C.compare(a, b, labels=("old", "new"))
    assert list(labelled.columns[:2]) == ["old", "new"]


def test_compare_evaluations_default_to_the_root(tiny_fw):
    d1 = pd.DataFrame({"a": [1.0, 2, 3], "INDEX": [3.0, 2, 1]}, index=["x", "y", "z"])
    d2 = pd.DataFrame({"a": [1.0, 2, 3], "INDEX": [1.0, 2, 3]}, index=["x", "y", "z"])
    ev1 = FakeEvaluation({"Aggregated": d1}, tiny_fw)
    ev2 = FakeEvaluation({"Aggregated": d2}, tiny_fw)
    out = C.compare(ev1, ev2, sort_by="a")
    assert list(out.index) == ["x", "y", "z"]
    assert out["Diff"].tolist() == [1 - 3, 0, 3 - 1]
    # DataFrames with a uCode column, explicit icode
    out2 = C.compare(d1.rename_axis("uCode").reset_index(), d2, icode="a")
    assert out2["Diff"].tolist() == [0, 0, 0]


def test_compare_names_columns_after_what_differs(asem_ev):
    """Issue 6: columns named after the two variants, not coin.1 / coin.2."""
    zscore = asem_ev.with_params(normalise__method="zscore", normalise__m_sd=[10, 2])
    out = C.compare(asem_ev, zscore)
    # every label is the with_params keyword that sets it (one style; issue 21)
    assert list(out.columns) == [
        "normalise__method=minmax",
        "normalise__method=zscore",
        "Diff",
        "Abs.diff",
    ]
    wider = asem_ev.with_params(normalise__l_u=[1, 100], screen__dat_thresh=0.5)
    assert list(C.compare(asem_ev, wider).columns[:2]) == [
        "screen__dat_thresh=0.9, normalise__l_u=[0, 100]",
        "screen__dat_thresh=0.5, normalise__l_u=[1, 100]",
    ]
    no_treat = asem_ev.with_params(treat=None)
    assert list(C.compare(asem_ev, no_treat).columns[:2]) == [
        "treat__method=winsorise",
        "treat=None",
    ]
    reweighted = asem_ev.with_params(weights={"values": {"Conn": 2}})
    assert list(C.compare(asem_ev, reweighted).columns[:2]) == [
        "weights=None",
        "weights__values={'Conn': 2}",
    ]
    dropped = asem_ev.with_params(exclude=["LPI"])
    assert list(C.compare(asem_ev, dropped).columns[:2]) == ["exclude=None", "exclude=['LPI']"]
    for label in C.compare(dropped, reweighted).columns[:2]:  # each a with_params keyword
        assert all("=" in part for part in label.split(", "))
    assert list(C.compare(asem_ev, asem_ev).columns[:2]) == ["a", "b"]


def test_compare_also_get_carries_unit_columns_as_coinr(asem_ev):
    """COINr compare_coins(also_get = "uName"): unit columns first, taken from the first
    coin and filled from the second for units only it has."""
    only_some = asem_ev.get_dset("Aggregated").iloc[:40]
    names = asem_ev.units[["uName", "EurAsia_group"]].iloc[:40]
    b = pd.concat([names, only_some], axis=1)
    other = asem_ev.with_params(aggregate__method="gmean", normalise__l_u=[1, 100])
    out = C.compare(b, other, also_get=["uName", "EurAsia_group"], labels=("amean", "gmean"))
    assert list(out.columns) == ["uName", "EurAsia_group", "amean", "gmean", "Diff", "Abs.diff"]
    units = asem_ev.units
    assert out["uName"].tolist() == units.loc[out.index, "uName"].tolist()  # 11 filled from b
    assert out["EurAsia_group"].tolist() == units.loc[out.index, "EurAsia_group"].tolist()
    assert out["amean"].isna().sum() == len(units) - 40
    assert out.loc["AUT", "uName"] == "Austria"
    every = C.compare(asem_ev, other, also_get="all")
    assert list(every.columns[: len(units.columns)]) == list(units.columns)
    with pytest.raises(ValidationError) as e:
        C.compare(asem_ev, other, also_get="Region")
    assert {p.source for p in e.value.problems} == {"a", "b"}
    with pytest.raises(ValidationError):
        C.compare(pd.Series({"x": 1.0}), pd.Series({"x": 2.0}), also_get="uName")


def test_compare_errors():
    d = pd.DataFrame({"p": [1.0], "q": [2.0]}, index=["x"])
    with pytest.raises(ValidationError):
        C.compare(d, d)  # which column?
    with pytest.raises(ValidationError):
        C.compare(d, d, icode="r")
    with pytest.raises(ValidationError):
        C.compare(d, d, icode="p", sort_by="rank")
    dup = pd.Series([1.0, 2.0], index=["x", "x"])
    with pytest.raises(ValidationError):
        C.compare(dup, dup)


# ============================================================ CAGR, prc_change
def test_cagr_worked_by_hand():
    assert C.cagr([100, 121], [2020, 2022]) == pytest.approx(0.1)
    # first and latest observed values, times unsorted, NaN skipped: 1.331^(1/3) − 1
    assert C.cagr([133.1, np.nan, 100, np.nan], [2023, 2021, 2020, 2019]) == pytest.approx(0.1)
    assert C.cagr([0, 5, 0], [1, 2, 3]) == 0  # equal ends
    assert np.isnan(C.cagr([np.nan, 4], [1, 2]))
    two = C.cagr([[100, 110, 121], [50, np.nan, 200]], [2000, 2001, 2002])
    np.testing.assert_allclose(two, [0.1, 1.0])
    with pytest.raises(ValidationError):
        C.cagr([1, 2], [2000, np.nan])


def test_prc_change_two_points_and_regression():
    assert C.prc_change([100, 110], [2010, 2011]) == pytest.approx(10)
    assert C.prc_change([100, 110], [2010, 2012], per=10) == pytest.approx(50)
    y, x = np.array([1.0, 3, 2, 5]), np.arange(4.0)
    slope, icpt = np.polyfit(x, y, 1)
    assert C.prc_change(y, x) == pytest.approx(slope / (icpt + slope * x[0]) * 100)
    assert C.prc_change([4, 4, np.nan, 4], [1, 2, 3, 4]) == 0
    assert np.isnan(C.prc_change([np.nan, 3], [1, 2]))


# ===================================================================== trends
@pytest.fixture()
def panel() -> pd.DataFrame:
    t = [2018, 2019, 2020, 2021]
    return pd.DataFrame(
        {
            "uCode": ["A"] * 4 + ["B"] * 4,
            "Time": t + t,
            "a": [100, 110, 121, 133.1, np.nan, 50, np.nan, 200],
            "b": [10, 20, 40, 80, 1, 1, 1, 1],
        }
    )


def test_trends_cagr_and_availability(panel):
    tr = C.trends(panel)
    assert list(tr.columns) == [
        "uCode",
        "iCode",
        "CAGR",
        "Avail",
        "t_first",
        "t_latest",
    ]
    assert tr[["iCode", "uCode"]].values.tolist() == [
        ["a", "A"],
        ["a", "B"],
        ["b", "A"],
        ["b", "B"],
    ]
    # A: 100 → 133.1 over 3 years; B: 50 (2019) → 200 (2021) over 2 years
    np.testing.assert_allclose(tr["CAGR"], [0.1, 1.0, 1.0, 0.0])
    np.testing.assert_allclose(tr["Avail"], [1.0, 0.5, 1.0, 1.0])
    np.testing.assert_array_equal(tr["t_first"], [2018, 2019, 2018, 2018])
    np.testing.assert_array_equal(tr["t_latest"], [2021, 2021, 2021, 2021])
    assert tr["t_first"].dtype == "Int64"  # years stay integers
    assert C.trends(panel.assign(Time=panel["Time"] + 0.5))["t_first"].dtype == float


def test_trends_use_latest_window_and_coinr_first_row_rule(panel):
    tr = C.trends(panel, use_latest=2).set_index(["iCode", "uCode"])
    assert tr.loc[("a", "A"), "CAGR"] == pytest.approx(133.1 / 121 - 1)
    assert tr.loc[("a", "A"), "t_first_use_latest"] == 2020
    # B's last two rows are [NaN, 200]: one point → NaN, availability 1/2
    assert np.isnan(tr.loc[("a", "B"), "CAGR"])
    assert tr.loc[("a", "B"), "Avail_use_latest"] == 0.5
    assert pd.isna(tr.loc[("a", "B"), "t_first_use_latest"])
    tr3 = C.trends(panel, use_latest=3).set_index(["iCode", "uCode"])
    assert tr3.loc[("b", "A"), "CAGR"] == pytest.approx(1.0)  # 20 → 80 over 2 years
    # a window starting at the unit's first row is NaN in COINr (`i_first > 1`)
    tr4 = C.trends(panel, use_latest=4)
    assert tr4["CAGR"].isna().all() and tr4["Avail_use_latest"].isna().all()


def test_trends_interval_directions_and_custom_function(panel, tiny_fw):
    tr = C.trends(panel, interval=(2019, 2020)).set_index(["iCode", "uCode"])
    assert tr.loc[("a", "A"), "CAGR"] == pytest.approx(0.1)
    assert np.isnan(tr.loc[("a", "B"), "CAGR"])  # only 2019 observed
    adj = C.trends(panel, framework=tiny_fw, adjust_directions=True).set_index(["iCode", "uCode"])
    assert adj.loc[("b", "A"), "CAGR"] == pytest.approx(-1.0)  # direction −1
    assert adj.loc[("a", "A"), "CAGR"] == pytest.approx(0.1)

    def last_minus_first(y, x):
        obs = ~np.isnan(y)
        return y[obs][-1] - y[obs][0]

    cu = C.trends(panel, f_trend=last_minus_first).set_index(["iCode", "uCode"])
    assert cu.loc[("a", "A"), "last_minus_first"] == pytest.approx(33.1)
    assert cu.loc[("a", "B"), "last_minus_first"] == pytest.approx(150)
    pc = C.trends(panel, f_trend="prc_change", codes=["b"]).set_index("uCode")
    slope, icpt = np.polyfit([2018, 2019, 2020, 2021], [10, 20, 40, 80], 1)
    assert pc.loc["A", "prc_change"] == pytest.approx(slope / (icpt + slope * 2018) * 100)
    assert pc.loc["B", "prc_change"] == 0


def test_trends_asem_panel_matches_manual_series():
    p = pd.read_csv(ROOT / "datasets" / "asem" / "asem_iData_panel.csv")
    tr = C.trends(p, codes=["Flights", "MatCon", "LPI"], use_latest=None)
    tr = tr.set_index(["iCode", "uCode"])
    for unit, code in [("AUS", "Flights"), ("LTU", "MatCon"), ("AUT", "LPI")]:
        s = p[p["uCode"] == unit].sort_values("Time")
        assert tr.loc[(code, unit), "CAGR"] == pytest.approx(C.cagr(s[code], s["Time"]))
        obs = s.dropna(subset=[code])
        manual = (obs[code].iloc[-1] / obs[code].iloc[0]) ** (
            1 / (obs["Time"].iloc[-1] - obs["Time"].iloc[0])
        ) - 1
        assert tr.loc[(code, unit), "CAGR"] == pytest.approx(manual)
    last3 = C.trends(p, codes=["LPI"], use_latest=3).set_index("uCode")
    s = p[(p["uCode"] == "AUT") & p["Time"].between(2020, 2022)].sort_values("Time")
    assert last3.loc["AUT", "CAGR"] == pytest.approx(
        (s["LPI"].iloc[-1] / s["LPI"].iloc[0]) ** (1 / 2) - 1
    )


def test_trends_validation(panel):
    with pytest.raises(ValidationError) as e:
        C.trends(pd.concat([panel, panel.iloc[[0]]]))
    assert e.value.problems[0].row == "A"
    bad = panel.assign(Time=panel["Time"].astype(str))
    with pytest.raises(ValidationError):
        C.trends(bad)
    with pytest.raises(ValidationError):
        C.trends(panel, codes=["zz"])
    with pytest.raises(ValidationError):
        C.trends(panel, use_latest=0)
    with pytest.raises(ValidationError):
        C.trends(panel.drop(columns="Time"))
    with pytest.raises(ValidationError):
        C.trends(panel, interval=(1990, 1991))
