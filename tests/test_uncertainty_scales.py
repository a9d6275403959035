"""Alternatives that put the scores on different scales (issue 21).

Min-max onto [1, 100] and z-scores around 10 give scores no edge or quantile can put side
by side: under such alternatives ``ua.to_frame()`` leaves out the score quantiles,
``plot_scores()`` and ``grade_probabilities(ua.scores)`` refuse (``ua.nominal_scale_scores``
holds the replications on the nominal evaluation's scale), and the report's method
section says why it shows no score intervals or grade probabilities. Ranks are unaffected.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import integrity_eval as ie
from integrity_eval.cli import main
from integrity_eval.report.content import unit_content
from integrity_eval.report.method import method_section

SPEC = {
    "denominate": {},
    "normalise": {"method": "minmax", "l_u": [1, 100]},
    "aggregate": {"method": "amean"},
}
MIXED = [
    {"path": "weights", "noise": 0.25},
    {
        "path": "normalise",
        "values": [{"method": "minmax", "l_u": [1, 100]}, {"method": "zscore", "m_sd": [10, 2]}],
    },
    {"path": "aggregate__method", "values": ["amean", "gmean"]},
]
SCORE_COLUMNS = ["score_q05", "score_median", "score_q95"]


@pytest.fixture(scope="module")
def shanghai():
    ds = ie.datasets.load("shanghai-districts")
    return ie.build(ds.framework, ds.idata, SPEC, seed=0)


@pytest.fixture(scope="module")
def mixed(shanghai):
    with pytest.warns(UserWarning, match="different scales"):
        return ie.uncertainty.run(shanghai, MIXED, n=64, seed=0, quiet=True)


def test_mixed_scales_drop_score_quantiles_but_keep_ranks(shanghai, mixed):
    frame = mixed.to_frame()
    assert mixed.mixed_scales
    assert not set(SCORE_COLUMNS) & set(frame.columns)
    assert (frame["nominal_score"] == shanghai.scores[frame.index]).all()
    assert {"mean_rank", "rank_q05", "rank_q95", "rank_sd"} <= set(frame.columns)
    same = ie.uncertainty.run(shanghai, [MIXED[0]], n=64, seed=0, quiet=True)
    assert not same.mixed_scales
    assert set(SCORE_COLUMNS) <= set(same.to_frame().columns)


def test_nominal_scale_scores_are_the_min_max_replications(mixed):
    """The nominal is min-max [1, 100] with amean: its scale holds the min-max draws with
    either mean (gmean of [1, 100] values stays on [1, 100]), not the z-score draws."""
    on = mixed.nominal_scale_scores
    minmax = mixed.choices["normalise"].to_numpy() == 0
    assert 0 < minmax.sum() < mixed.n
    assert list(on.index) == list(np.flatnonzero(minmax))
    assert (on.to_numpy() == mixed.scores.to_numpy()[minmax]).all()
    assert on.to_numpy().min() >= 1 - 1e-9 and on.to_numpy().max() <= 100 + 1e-9
    assert mixed.scores.attrs["integrity_eval"]["mixed_scales"] is True
    assert on.attrs["integrity_eval"]["mixed_scales"] is False


def test_grade_probabilities_refuse_mixed_scales_and_accept_the_nominal_scale(shanghai, mixed):
    scheme = ie.rating.resolve(None, shanghai.framework)
    with pytest.raises(ie.ValidationError) as info:
        ie.rating.grade_probabilities(mixed.scores, scheme, raw=shanghai.raw_values)
    text = str(info.value)
    assert "不同量纲" in text and "different scales" in text and "nominal_scale_scores" in text
    probs = ie.rating.grade_probabilities(
        mixed.nominal_scale_scores, scheme, raw=shanghai.raw_values
    )
    labels = [c for c in probs.columns if c != "borderline"]
    assert np.allclose(probs[labels].sum(axis=1), 1.0)


def test_plot_scores_refuses_mixed_scales(mixed):
    with pytest.raises(ie.ValidationError, match="plot_ranks"):
        mixed.plot_scores()


def test_summary_says_the_scales_are_mixed(mixed):
    text = str(mixed.summary())
    assert "score scales" in text and "mixed" in text
    assert "score_q05" not in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_states_why_no_score_interval_or_grade_probabilities(shanghai, mixed, lang):
    rated = ie.rating.rate(shanghai)
    code = shanghai.scores.index[0]
    result = unit_content(shanghai, code, lang=lang, rated=rated, ua=mixed)["result"]
    assert "rank_interval" in result and "score_interval" not in result
    words = method_section(shanghai, lang=lang, rated=rated, ua=mixed)["uncertainty"]
    if lang == "zh":
        assert "不同量纲" in words and "不计算各等级概率" in words
    else:
        assert "different scales" in words and "no grade probabilities" in words
    # grade probabilities given (from the nominal-scale replications): not said to be absent
    probs = ie.rating.grade_probabilities(
        mixed.nominal_scale_scores, rated.scheme, raw=shanghai.raw_values
    )
    words = method_section(shanghai, lang=lang, rated=rated, ua=mixed, grade_probs=probs)
    assert ("不计算各等级概率" if lang == "zh" else "no grade probabilities") not in words[
        "uncertainty"
    ]


def test_run_skips_grade_probabilities_under_mixed_scales(tmp_path, capsys):
    """``run --rating --draws`` with a spec whose uncertainty block mixes scales: the run
    succeeds, with rank intervals and no grade probabilities, and says why."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({"uncertainty": MIXED[:2]}), encoding="utf-8")
    out = tmp_path / "out"
    argv = ["run", "--spec", str(spec), "--rating", "four-grade", "--draws", "40"]
    assert main([*argv, "--no-pdf", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "different scales: no grade probabilities" in err
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    sheets = pd.ExcelFile(folder / "analysis.xlsx").sheet_names
    assert "不确定性" in sheets and "等级概率" not in sheets
    html = "".join(p.read_text(encoding="utf-8") for p in Path(folder).rglob("*.html"))
    assert "不计算各等级概率" in html  # the method section says why
    assert "90% 得分区间" not in html  # no unit report shows a score interval


def test_ranking_chart_draws_a_nominal_rank_outside_its_interval():
    """The nominal settings need not be among the alternatives (a goalposts build varied
    over min-max and z-scores): its rank may lie outside the 5–95 % interval."""
    from integrity_eval.report import figures
    from integrity_eval.report.fonts import resolve_font

    png = figures.ranking_chart(
        ["甲", "乙"], [80.0, 70.0], [2, 1], [2, 1], [1, 2], xlabel="rank", font=resolve_font(None)
    )
    assert png.startswith(b"\x89PNG")
