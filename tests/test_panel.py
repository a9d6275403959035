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


def test_panel_scores_and_ranks_tables(asem_fw, panel_data):
    panel = build_panel(asem_fw, panel_data, SPEC)
    assert panel.scores.shape == (51, 5)
    assert panel.ranks.min().min() == 1
    ev = ie.build(asem_fw, panel_data[panel_data.Time == 2018], SPEC)
    # the 2018 ranks differ once the other years take part in the normalisation
    assert not panel[2018].scores.equals(ev.scores)


def test_build_panel_needs_time(asem_fw, asem_idata):
    with pytest.raises(ie.ValidationError, match="Time"):
        build_panel(asem_fw, asem_idata.drop(columns="Time"), SPEC)
