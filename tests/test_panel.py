"""Panels: per-period and global (pooled) normalisation, as COINr's Normalise.purse."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

import integrity_eval as ie
from integrity_eval.panel import build_panel

SPEC = {"normalise": {"method": "minmax", "l_u": [0, 100]}, "aggregate": {"method": "amean"}}


@pytest.fixture(scope="module")
def panel_data(asem_fw):
    return pd.read_csv(ROOT / "datasets" / "asem" / "asem_iData_panel.csv")


def test_per_period_normalisation_spans_each_year(asem_fw, panel_data):
    panel = build_panel(asem_fw, panel_data, SPEC, normalise="per_period")
    assert panel.times == [2018, 2019, 2020, 2021, 2022]
    for t in panel.times:
        norm = panel[t].get_dset("Normalised")
        assert np.allclose(norm.min(), 0) and np.allclose(norm.max(), 100)


def test_global_normalisation_pools_all_years(asem_fw, panel_data):
    panel = build_panel(asem_fw, panel_data, SPEC, normalise="global")
    stacked = panel.get_dset("Normalised")
    # pooled min-max: 0 and 100 are reached once over all years, not in every year
    assert np.allclose(stacked.min(), 0) and np.allclose(stacked.max(), 100)
    raw = panel.get_dset("Raw") * asem_fw.directions
    expected = (raw - raw.min()) / (raw.max() - raw.min()) * 100
    np.testing.assert_allclose(stacked.to_numpy(), expected.to_numpy(), rtol=1e-12)
    per_year_max = stacked.groupby(level="Time").max()
    assert (per_year_max < 100 - 1e-9).any().any()


def test_a_global_period_keeps_its_pool(asem_fw, panel_data):
    # with_params and the uncertainty analysis of one period keep normalising with the other
    # periods' treated data; changing a stage before normalisation there is refused
    panel = build_panel(asem_fw, panel_data, SPEC, normalise="global")
    ev = panel[2020]
    z = {**SPEC, "normalise": {"method": "zscore", "m_sd": [0, 1]}}
    rebuilt = build_panel(asem_fw, panel_data, z, normalise="global")[2020]
    moved = ev.with_params(normalise={"method": "zscore", "m_sd": [0, 1]})
    pd.testing.assert_series_equal(moved.scores, rebuilt.scores, rtol=1e-12)
    alone = ie.build(asem_fw, panel_data, z, time=2020)
    assert not np.allclose(moved.scores, alone.scores)
    with pytest.raises(ie.ValidationError) as err:
        ev.with_params(treat={"method": "winsorise"})
    assert "build_panel" in err.value.problems[0].rule
    alternatives = [SPEC["normalise"], z["normalise"]]
    ua = ie.uncertainty.run(ev, [{"path": "normalise", "values": alternatives}], n=40, seed=0)
    chosen = ua.scores.to_numpy()
    assert any(np.allclose(row, rebuilt.scores.reindex(ua.scores.columns)) for row in chosen)
    assert any(np.allclose(row, ev.scores.reindex(ua.scores.columns)) for row in chosen)
    with pytest.raises(ie.ValidationError):
        ie.uncertainty.run(ev, [{"path": "treat", "values": [None, {"method": "winsorise"}]}], n=4)
    # excluding indicators is a zero weight in the uncertainty analysis: allowed
    ie.uncertainty.run(ev, [{"path": "exclude", "values": "each_indicator"}], n=4)


def test_panel_scores_and_ranks_tables(asem_fw, panel_data):
    panel = build_panel(asem_fw, panel_data, SPEC)
    assert panel.scores.shape == (51, 5)
    assert panel.ranks.min().min() == 1
    assert (panel.ranks.dtypes == "Int64").all()  # integer ranks, <NA> where unscored
    ev = ie.build(asem_fw, panel_data[panel_data.Time == 2018], SPEC)
    # the 2018 ranks differ once the other years take part in the normalisation
    assert not panel[2018].scores.equals(ev.scores)


def test_build_panel_needs_time(asem_fw, asem_idata):
    with pytest.raises(ie.ValidationError, match="Time"):
        build_panel(asem_fw, asem_idata.drop(columns="Time"), SPEC)


def test_trends_of_a_panel_two_spellings_agree_with_cagr_by_hand(asem_fw, panel_data):
    """Issue 12: compare.trends accepts what its docstring documents (an object with
    get_dset, here build_panel's result) and agrees with Panel.trends; CAGR by hand
    (COINr CAGR: (last / first)^(1 / years) − 1)."""
    panel = build_panel(asem_fw, panel_data, SPEC)
    via_function = ie.compare.trends(panel, dset="Aggregated", codes=["Index", "Conn"])
    via_method = panel.trends(codes=["Index", "Conn"])
    pd.testing.assert_frame_equal(via_function, via_method)
    assert list(via_method.columns) == ["uCode", "iCode", "CAGR", "Avail", "t_first", "t_latest"]
    assert via_method["t_first"].dtype == "Int64" and set(via_method["t_latest"]) == {2022}
    row = via_method.set_index(["iCode", "uCode"]).loc[("Index", "AUT")]
    first, last = panel[2018].scores["AUT"], panel[2022].scores["AUT"]
    assert row["CAGR"] == pytest.approx((last / first) ** (1 / 4) - 1)
    # the same keywords on both spellings
    window = panel.trends(codes=["Index"], use_latest=2)
    assert window.equals(ie.compare.trends(panel, dset="Aggregated", codes=["Index"], use_latest=2))
    assert window["t_first_use_latest"].dropna().eq(2021).all()
