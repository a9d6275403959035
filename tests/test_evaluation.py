"""The Evaluation object: immutability, views, summary (text, HTML, Excel), manifest."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from conftest import ASEM_SPEC

import integrity_eval as ie


def test_datasets_cannot_be_changed_through_get_dset(asem_ev):
    before = asem_ev.get_dset("Raw").iloc[0, 0]
    view = asem_ev.get_dset("Raw")
    view.iloc[0, 0] = -999.0
    assert asem_ev.get_dset("Raw").iloc[0, 0] == before
    with pytest.raises(AttributeError):
        asem_ev.seed = 3


def test_skipped_stage_dataset_is_the_previous_one(asem_ev):
    ev = asem_ev.with_params(treat=None)
    pd.testing.assert_frame_equal(ev.get_dset("Treated"), ev.get_dset("Screened"))
    assert "treat" not in ev.spec and "treat" in asem_ev.spec


def test_summary_text_html_and_excel_view(asem_ev, tmp_path):
    text = str(asem_ev.summary())
    assert "CHE" in text and "winsorise" in text
    html = asem_ev.summary()._repr_html_()
    assert "<table" in html and "Switzerland" in html
    path = ie.report.write_results(asem_ev, tmp_path / "summary.xlsx", lang="en")
    assert "League table" in openpyxl.load_workbook(path).sheetnames
    path = ie.report.write_analysis(asem_ev, tmp_path / "analysis.xlsx", lang="en")
    assert "Treatment detail" in openpyxl.load_workbook(path).sheetnames


def test_html_escapes_text_from_inputs(asem_fw, asem_idata):
    data = asem_idata.copy()
    data.loc[data["uCode"] == "CHE", "uName"] = "<script>alert(1)</script>"
    html = ie.build(asem_fw, data, ASEM_SPEC).summary()._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_manifest_is_reproducible_and_sensitive(asem_fw, asem_idata):
    a = ie.build(asem_fw, asem_idata, ASEM_SPEC, seed=1).manifest
    b = ie.build(asem_fw, asem_idata, ASEM_SPEC, seed=1).manifest
    assert a == b
    assert a["framework"]["hash"] == asem_fw.hash and a["version"] == ie.__version__
    changed = asem_idata.copy()
    changed.loc[0, "LPI"] += 0.001
    c = ie.build(asem_fw, changed, ASEM_SPEC, seed=1).manifest
    assert c["inputs"]["idata_hash"] != a["inputs"]["idata_hash"]
    assert c["run_hash"] != a["run_hash"]
    d = ie.build(asem_fw, asem_idata, ASEM_SPEC, seed=2).manifest
    assert d["run_hash"] != a["run_hash"] and d["spec_hash"] == a["spec_hash"]


def test_same_inputs_same_numbers(asem_fw, asem_idata):
    spec = {**ASEM_SPEC, "impute": {"method": "iterative"}}
    a = ie.build(asem_fw, asem_idata, spec, seed=5).get_dset("Aggregated")
    b = ie.build(asem_fw, asem_idata, spec, seed=5).get_dset("Aggregated")
    pd.testing.assert_frame_equal(a, b)
