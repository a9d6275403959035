"""``run --rating`` and ``run --draws``: ratings and rank intervals in every output."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

import integrity_eval as ie
from integrity_eval.cli import main


def _run_folder(out):
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder


def _league(folder):
    return pd.read_csv(folder / "league_table.csv", dtype={"uCode": str}).set_index("uCode")


def test_rating_and_draws_reach_league_table_workbook_and_manifest(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["run", "--rating", "tax-credit", "--draws", "60", "--no-pdf", "--quiet"]
    assert main([*argv, "--out", str(out)]) == 0
    folder = _run_folder(out)
    league = _league(folder)

    ds = ie.datasets.load("shanghai-districts")
    ev = ie.build(ds.framework, ds.idata)
    rated = ie.rating.rate(ev, "tax-credit")
    scored = league["rank"].notna()
    assert (league.loc[scored, "grade"] == rated.table.loc[league.index[scored], "grade"]).all()
    # graded scores: only alternatives that keep the score on the scheme's scale
    inputs = ie.uncertainty.default_inputs(ev, graded=True)
    ua = ie.uncertainty.run(ev, inputs, n=60, seed=0)
    probs = ie.rating.grade_probabilities(ua.scores, "tax-credit")
    assert probs.loc["FX", "A"] > 0.5  # 95.1 nominal: never graded on a z-score scale
    frame = ua.to_frame().loc[league.index[scored]]
    # whole ranks that contain the 5–95 % percentiles: ⌊q05⌋ … ⌈q95⌉
    assert (league.loc[scored, "rank_q05"] == np.floor(frame["rank_q05"])).all()
    assert (league.loc[scored, "rank_q95"] == np.ceil(frame["rank_q95"])).all()
    assert (league["rank_q05"] <= league["rank_q95"]).all()

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rating"]["name"] == "tax-credit"
    assert manifest["uncertainty"]["draws"] == 60
    assert manifest["uncertainty"]["inputs"] == inputs == ie.uncertainty.SAME_SCALE_INPUTS
    sheets = pd.ExcelFile(folder / "results.xlsx").sheet_names
    assert "评级" in sheets and "不确定性" in sheets


def test_framework_rating_block_is_the_default(tmp_path):
    out = tmp_path / "out"
    assert main(["run", "--no-pdf", "--quiet", "--out", str(out)]) == 0
    league = _league(_run_folder(out))
    assert set(league["grade"].dropna()) <= {"优", "良", "中", "差"}
    assert "rank_q05" not in league.columns  # no --draws, no interval


def test_points_framework_gets_stars_and_no_uncertainty(tmp_path, capsys):
    data = ie.datasets.load("jiangyin-townships")
    out = tmp_path / "out"
    argv = ["run", "--framework", "jiangyin-township-2018", "--draws", "20", "--no-pdf"]
    csv = data.path / "jiangyin_townships_panel_synthetic.csv"
    assert main([*argv, "--data", str(csv), "--out", str(out)]) == 0
    assert "no uncertainty analysis" in capsys.readouterr().err
    league = _league(_run_folder(out))
    ev = ie.build(data.framework, data.idata)
    stars = ie.rating.rate(ev).table["stars"]
    assert (league["stars"] == stars.loc[league.index]).all()
    assert "rank_q05" not in league.columns


def test_validate_reports_a_broken_rating_block(tmp_path, capsys):
    fw = ie.load_framework("shanghai-2018").to_dict()
    fw["rating"]["vetoes"][0]["indicator"] = "D99_nowhere"
    path = tmp_path / "fw.yaml"
    path.write_text(yaml.safe_dump(fw, allow_unicode=True), encoding="utf-8")
    ds = ie.datasets.load("shanghai-districts")
    data = ds.path / "shanghai_districts_panel_synthetic.csv"
    assert main(["validate", "--framework", str(path), "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert "veto rule names an unknown indicator" in err and "D99_nowhere" in err
    out = tmp_path / "out"
    argv = ["run", "--framework", str(path), "--data", str(data), "--out", str(out)]
    assert main([*argv, "--no-pdf"]) == 1
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("scheme", ["nonexistent-scheme"])
def test_unknown_rating_scheme_is_an_input_error(tmp_path, capsys, scheme):
    assert main(["run", "--rating", scheme, "--no-pdf", "--out", str(tmp_path / "o")]) == 1
    assert "nonexistent-scheme" in capsys.readouterr().err
