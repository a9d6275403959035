"""Framework default specs: units with too little data are never ranked silently.

The shipped integrity frameworks carry a ``spec:`` block that screens units reporting
fewer than 66 % of the indicators (COINr ``Screen``, ``dat_thresh = 0.66``,
``unit_screen = "byNA"``): they get no score and no rank and are listed in
``ev.unscored`` with their counts. Explicit (COINr-compatible) specs are used as given.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import integrity_eval as ie
from integrity_eval import datasets
from integrity_eval.cli import main

INTEGRITY = ["shanghai-2018", "changning-2020", "luyang-2018", "jiangyin-township-2018"]


@pytest.fixture(scope="module")
def shanghai() -> tuple[ie.Framework, pd.DataFrame]:
    ds = datasets.load("shanghai-districts")
    return ds.framework, ds.idata


def _blank(idata: pd.DataFrame, fw: ie.Framework, unit: str, keep: int) -> pd.DataFrame:
    """``unit`` reports exactly ``keep`` indicators (its first ``keep`` reported ones)."""
    out = idata.copy()
    row = out["uCode"] == unit
    reported = [c for c in fw.indicators if out.loc[row, c].notna().all()]
    out.loc[row, reported[keep:]] = np.nan
    return out


@pytest.mark.parametrize("name", INTEGRITY)
def test_shipped_integrity_frameworks_screen_by_data_availability(name):
    fw = ie.load_framework(name)
    assert fw.spec["screen"] == {"dat_thresh": 0.66, "unit_screen": "byNA"}
    assert {"normalise", "aggregate", "screen"} <= set(ie.spec.framework_default(fw))
    assert ie.load_framework("papi").spec is None  # a published index: no screening added


def test_points_framework_block_adds_screening_to_the_points_stages():
    fw = ie.load_framework("jiangyin-township-2018")
    default = ie.spec.framework_default(fw)
    # the block names only `screen`; the points stages come from the rating block
    assert default["normalise"] == {"method": "clip"}
    assert default["aggregate"]["method"][-1] == "points"
    assert default["aggregate"]["base"] == fw.rating["base"] == 100
    assert default["screen"] == {"dat_thresh": 0.66, "unit_screen": "byNA"}


def test_unit_below_threshold_is_not_rated_with_its_counts(shanghai):
    fw, idata = shanghai
    m = len(fw.indicators)
    assert m == 59
    # 0.66 × 59 = 38.94: 39 reported indicators are enough, 38 are not
    ev = ie.build(fw, _blank(_blank(idata, fw, "BS", 38), fw, "CM", 39))
    assert "BS" not in ev.scores.index and "BS" not in ev.ranks.index
    assert "CM" in ev.ranks.index
    row = ev.unscored.loc["BS"]
    assert (row["status"], row["n_reported"], row["n_indicators"]) == ("screened", 38, 59)
    assert (
        row["label"] == "不予评级：仅报送 38 / 59 项指标 / not rated: 38 of 59 indicators reported"
    )
    assert "data availability 0.64" in row["reason"] and "0.66" in row["reason"]
    assert list(ev.unscored.index) == ["BS"]
    assert sorted(ev.ranks) == list(range(1, len(idata)))  # the other units: 1 … 15


def test_defaults_false_keeps_coinr_behaviour(shanghai):
    fw, idata = shanghai
    data = _blank(idata, fw, "BS", 10)
    spec = {"defaults": False, "denominate": {}, "normalise": {"method": "minmax"}, "aggregate": {}}
    ev = ie.build(fw, data, spec)
    assert "screen" not in ev.spec
    assert "BS" in ev.ranks.index and ev.unscored.empty  # scored on what it reported


def test_a_given_spec_is_laid_over_the_default(shanghai):
    # a stage it names replaces the default's; stage: null drops one; exclude and weights add
    fw, idata = shanghai
    ev = ie.build(fw, idata, {"exclude": ["D16_fiscal_falsification"]})
    assert ev.spec["screen"]["dat_thresh"] == 0.66 and "aggregate" in ev.spec
    assert ev.spec["exclude"] == ["D16_fiscal_falsification"]
    assert ev.details["spec_origin"]["exclude"] == "given"
    assert ev.details["spec_origin"]["screen"] == "default"
    dropped = ie.build(fw, idata, {"screen": None})
    assert "screen" not in dropped.spec
    # building again with the resolved spec changes nothing (with_params, panels)
    assert "screen" not in dropped.with_params(seed=1).spec
    assert ie.build(fw, idata, dropped.spec).scores.equals(dropped.scores)


def test_unit_with_no_data_under_an_aggregate_gets_the_same_columns():
    fw = ie.Framework.from_dict(
        {
            "nodes": [
                {"code": "IDX", "level": 2},
                {"code": "a", "level": 1, "parent": "IDX"},
                {"code": "b", "level": 1, "parent": "IDX"},
            ]
        }
    )
    data = pd.DataFrame({"uCode": ["u1", "u2", "u3"], "a": [1.0, 2, np.nan], "b": [3.0, 1, np.nan]})
    ev = ie.build(fw, data)
    assert ev.unscored.loc["u3"].to_dict() == {
        "status": "no_data",
        "n_reported": 0,
        "n_indicators": 2,
        "reason": "no score: no available data under IDX",
        "label": "不予评级：仅报送 0 / 2 项指标 / not rated: 0 of 2 indicators reported",
    }


def test_run_never_ranks_a_screened_unit(shanghai, tmp_path, capsys):
    fw, idata = shanghai
    data = tmp_path / "districts.csv"
    _blank(idata, fw, "BS", 20).to_csv(data, index=False, encoding="utf-8")
    argv = ["--framework", "shanghai-2018", "--data", str(data)]
    assert main(["validate", *argv]) == 0  # screening is not a refusal, but it is announced
    out = capsys.readouterr().out
    assert "框架的默认计算参数" in out and "units not rated: 1" in out
    assert "  BS: 不予评级：仅报送 20 / 59 项指标 / not rated: 20 of 59 indicators reported" in out
    out = tmp_path / "out"
    assert main(["run", *argv, "--out", str(out), "--quiet"]) == 0
    (run_dir,) = out.iterdir()
    table = pd.read_csv(run_dir / "league_table.csv", encoding="utf-8-sig", dtype={"uCode": str})
    bs = table.set_index("uCode").loc["BS"]
    assert pd.isna(bs["rank"]) and pd.isna(bs["score"])
    assert table["uCode"].iloc[-1] == "BS"
    assert table["rank"].dropna().astype(int).tolist() == list(range(1, len(idata)))


def test_problems_of_a_framework_default_spec_name_the_framework():
    fw = ie.Framework.from_dict(
        {
            "name": "tiny",
            "nodes": [
                {"code": "IDX", "level": 2},
                {"code": "a", "level": 1, "parent": "IDX"},
            ],
            "spec": {"normalise": {"method": "minmaxx"}},
        }
    )
    data = pd.DataFrame({"uCode": ["u1", "u2"], "a": [1.0, 2]})
    with pytest.raises(ie.ValidationError) as info:
        ie.build(fw, data)
    assert [p.source for p in info.value.problems] == [
        "框架 tiny 的 spec: / spec: of framework tiny"
    ]
    assert "did you mean 'minmax'" in str(info.value)
    ie.build(fw, data, {"normalise": {"method": "minmax"}})  # an explicit spec replaces it
