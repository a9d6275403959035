"""Plots draw what they are given (checked on the Agg backend)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from conftest import COINR_INPUTS
from matplotlib.text import Text

import integrity_eval as ie
from integrity_eval import fonts
from integrity_eval.fonts import resolve_font


def test_bar_shows_top_units_in_order(asem_ev):
    ax = ie.plots.bar(asem_ev, top=5)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "CHE" and len(labels) == 5
    heights = [p.get_width() for p in ax.patches]
    assert heights == sorted(heights)
    assert np.isclose(heights[-1], asem_ev.scores.max())


def test_corr_heatmap_annotates_finite_cells():
    corr = pd.DataFrame([[1.0, 0.5], [0.5, np.nan]], index=["a", "b"], columns=["a", "b"])
    ax = ie.plots.corr_heatmap(corr)
    assert sorted(t.get_text() for t in ax.texts) == ["0.50", "0.50", "1.00"]


def test_lines_one_per_unit():
    table = pd.DataFrame({2020: [1.0, 2.0], 2021: [1.5, 2.5]}, index=["A", "B"])
    ax = ie.plots.lines(table, ["B"])
    assert len(ax.lines) == 1
    assert list(ax.lines[0].get_ydata()) == [2.0, 2.5]


# ------------------------------------------- Chinese / English labels in the CJK font
def _draw_without_glyph_warnings(ax) -> None:
    """Render ``ax``'s figure outside any rc_context: a missing glyph is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax.figure.canvas.draw()


def _replaced(ax) -> bool:
    """Whether a text of ``ax``'s figure holds a character drawn as □ (no font covers it)."""
    return any(fonts.REPLACEMENT in t.get_text() for t in ax.figure.findobj(Text))


def _families(ax) -> set[str]:
    fig = ax.figure
    texts = [t for t in fig.findobj(Text) if t.get_text().strip()]
    return {t.get_fontfamily()[0] for t in texts}


@pytest.fixture(scope="module")
def ua_sa(asem_ev):
    # noisy weights and treatment on or off: one score scale, so plot_scores may draw boxes
    ua = ie.uncertainty.run(asem_ev, COINR_INPUTS[:2], n=40, seed=1, quiet=True)
    sa = ie.uncertainty.sobol(asem_ev, COINR_INPUTS[:2], n=16, seed=0, quiet=True)
    return ua, sa


def test_every_plot_labels_chinese_first_in_the_cjk_font(report_ev, ua_sa, tmp_path):
    ua, sa = ua_sa
    cjk = fonts.families(resolve_font())[0]
    names = ["黄浦区", "徐汇区", "长宁区"]
    corr = pd.DataFrame(np.eye(3), index=names, columns=names)
    table = pd.DataFrame({2023: [1.0, 2.0], 2024: [1.5, 2.5]}, index=["黄浦区", "长宁区"])
    axes = {
        "bar": ie.plots.bar(report_ev),
        "corr": ie.plots.corr_heatmap(corr),
        "lines": ie.plots.lines(table, title="政务诚信指数 / integrity index"),
        "ranks": ua.plot_ranks(),
        "scores": ua.plot_scores(units=list(ua.scores.columns[:5])),
        "sobol": sa.plot(),
    }
    for name, ax in axes.items():
        _draw_without_glyph_warnings(ax)
        assert _families(ax) == {cjk}, name
        assert not _replaced(ax), name
    root = report_ev.framework[report_ev.framework.root]
    assert axes["bar"].get_title() == f"{root.name('zh')} / {root.name('en')}"
    assert axes["corr"].figure.axes[1].get_ylabel() == "相关系数 / Correlation"
    assert axes["lines"].get_xlabel() == "期间 / Period"
    assert axes["ranks"].get_xlabel() == "名次（5%–95% 分位） / Rank (5th–95th percentile)"
    assert [t.get_text() for t in axes["ranks"].get_legend().get_texts()] == [
        "中位数 / median",
        "名义值 / nominal",
    ]
    assert axes["scores"].get_xlabel() == "得分 / Score"
    assert axes["sobol"].get_ylabel() == "敏感性指数 / Sensitivity index"
    png = tmp_path / "rank_intervals.png"
    axes["ranks"].figure.savefig(png, dpi=80)
    assert png.read_bytes().startswith(b"\x89PNG")
    plt.close("all")


def test_english_plots_carry_no_chinese(report_ev, ua_sa):
    ua, sa = ua_sa
    root = report_ev.framework[report_ev.framework.root]
    assert ie.plots.bar(report_ev, lang="en").get_title() == root.name("en")
    assert ua.plot_ranks(lang="en").get_xlabel() == "Rank (5th–95th percentile)"
    assert sa.plot(lang="en").get_ylabel() == "Sensitivity index"
    # a name without Chinese is not repeated ("Overall / Overall")
    assert ie.plots.label("", "Overall", "zh") == "Overall"
    with pytest.raises(ie.ValidationError) as e:
        ua.plot_scores(lang="fr")
    assert "lang 须为 'zh'（中文 / 英文）" in str(e.value) and "lang must be 'zh'" in str(e.value)
    plt.close("all")


def test_a_font_without_chinese_glyphs_would_fail_the_check():
    """The glyph check above can fail: the same labels in DejaVu Sans (without the fallback
    fonts) are drawn as □, named in a warning; matplotlib itself never meets the glyph."""
    from matplotlib import font_manager

    dejavu = font_manager.findfont("DejaVu Sans")
    saved = fonts.FALLBACK_FILES
    fonts.FALLBACK_FILES = ()
    try:
        with pytest.warns(UserWarning, match="黄 U\\+9EC4"):
            ax = ie.plots.lines(pd.DataFrame({2023: [1.0]}, index=["黄浦区"]), font=dejavu)
    finally:
        fonts.FALLBACK_FILES = saved
    assert _replaced(ax)
    _draw_without_glyph_warnings(ax)
    plt.close("all")


def test_charts_use_the_simplified_chinese_face_of_a_collection():
    # Noto Sans CJK's .ttc holds JP, KR, SC, TC and HK faces, JP first: charts take SC
    font = fonts.resolve_font()
    if font.path.suffix.lower() != ".ttc":
        pytest.skip("the resolved font is not a collection")
    assert fonts.families(font)[0] == "Noto Sans CJK SC"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_framework_scatter_distribution_and_names(asem_ev, lang):
    """COINr's plot_framework, plot_scatter and plot_dist counterparts, titled, in both
    languages; names=True shows units by name."""
    fw = asem_ev.framework
    sun = ie.plots.framework(asem_ev, lang=lang)
    wedges = [p for p in sun.patches if hasattr(p, "theta1")]
    # one wedge per element below the root; the angles are the effective weights
    assert len(wedges) == len(fw.nodes) - 1
    top = [w for w in wedges if w.r < 0.2 + 0.8 / (fw.n_levels - 1) + 1e-9]
    spans = np.array([(w.theta1 - w.theta2) % 360 for w in top])
    expected = asem_ev.effective_weights[fw.children[fw.root]].to_numpy() * 360
    np.testing.assert_allclose(np.sort(spans), np.sort(expected), atol=1e-6)
    sc = ie.plots.scatter(asem_ev, "Conn", "Sust", names=True, lang=lang)
    agg = asem_ev.get_dset("Aggregated")
    rho = agg["Conn"].corr(agg["Sust"], method="spearman")
    assert f"ρ = {rho:.2f}" in sc.get_title()
    assert "Austria" in {t.get_text() for t in sc.texts}
    dist = ie.plots.distribution(asem_ev, lang=lang)
    assert len(dist.get_xticklabels()) == len(fw.codes_at(1))
    heat = ie.plots.corr_heatmap(pd.DataFrame(np.eye(2), index=["a", "b"], columns=["a", "b"]))
    bars = ie.plots.bar(asem_ev, top=3, names=True, lang=lang)
    assert {t.get_text() for t in bars.get_yticklabels()} <= set(asem_ev.units["uName"])
    titles = [ax.get_title() for ax in (sun, sc, dist)]
    assert all(titles) and heat.get_title() == "相关矩阵 / Correlation matrix"
    has_chinese = [any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in titles]
    assert has_chinese == [lang == "zh"] * 3
    plt.close("all")
