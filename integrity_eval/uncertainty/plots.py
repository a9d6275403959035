"""Plots of uncertainty and sensitivity results: rank intervals, score distributions,
sensitivity indices (Sobol, Morris) and convergence.

Each returns the matplotlib ``Axes`` and carries a title. Labels are Chinese then English
(``lang="zh"``, the default) or English only (``lang="en"``), drawn in the CJK font of
:func:`integrity_eval.fonts.resolve_font` (``font=`` names another file). Inputs are shown by
readable names (:func:`input_label`: ``aggregate__method`` → "聚合方法 / aggregation
method"); ``names=True`` shows units by name (uName) instead of code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import problem_error
from ..fonts import apply_font
from ..plots import label, new_axes, unit_labels

__all__ = [
    "convergence_lines",
    "input_label",
    "morris_plot",
    "rank_intervals",
    "score_distributions",
    "sensitivity",
]

LABELS = {
    "rank": ("名次（5%–95% 分位）", "Rank (5th–95th percentile)"),
    "nominal": ("名义值", "nominal"),
    "median": ("中位数", "median"),
    "score": ("得分", "Score"),
    "index": ("敏感性指数", "Sensitivity index"),
    "S1": ("一阶 S1", "first-order S1"),
    "ST": ("总效应 ST", "total ST"),
    "ST_units": ("各单位名次的总效应 ST", "total ST of each unit's rank"),
    "ranks_title": ("名次区间", "Rank intervals"),
    "scores_title": ("得分分布", "Score distributions"),
    "sobol_title": ("Sobol 敏感性指数", "Sobol sensitivity indices"),
    "sobol_box_title": ("Sobol 总效应指数在各单位间的分布", "Sobol total indices over the units"),
    "morris_title": ("Morris 筛选", "Morris screening"),
    "mu_star": ("μ*（平均绝对基本效应）", "μ* (mean absolute elementary effect)"),
    "sigma": ("σ（基本效应标准差）", "σ (sd of the elementary effects)"),
    "n": ("基础样本量 n", "Base sample size n"),
    "replications": ("模拟次数 n", "Replications n"),
    "conv_sobol": ("Sobol 指数的收敛", "Convergence of the Sobol indices"),
    "conv_mc": ("蒙特卡洛统计量的收敛", "Convergence of the Monte Carlo statistics"),
    "places": ("名次", "rank places"),
}

# Readable names of the inputs' paths: stage (or special path) and stage parameter.
STAGE_LABELS = {
    "denominate": ("分母", "denomination"),
    "impute": ("缺失值插补", "imputation"),
    "screen": ("单位筛选", "unit screening"),
    "treat": ("异常值处理", "outlier treatment"),
    "normalise": ("标准化", "normalisation"),
    "aggregate": ("聚合", "aggregation"),
    "weights": ("权重", "weights"),
    "exclude": ("剔除的指标", "indicator left out"),
}
PARAM_LABELS = {
    "method": ("方法", "method"),
    "l_u": ("范围", "range"),
    "m_sd": ("均值与标准差", "mean and sd"),
    "dat_thresh": ("数据门槛", "data threshold"),
    "winmax": ("最多缩尾数", "most winsorised points"),
    "p": ("幂次", "power"),
}
# Monte Carlo convergence columns.
CONVERGENCE_LABELS = {
    "rank_shift": ("平均名次偏移 R̄_S", "mean rank shift R̄_S"),
    "mean_interval_width": ("名次区间平均宽度", "mean rank interval width"),
    "max_change_median_rank": ("中位名次最大变化", "largest change of a median rank"),
    "max_change_rank_q05": ("5% 分位名次最大变化", "largest change of a 5th pct rank"),
    "max_change_rank_q95": ("95% 分位名次最大变化", "largest change of a 95th pct rank"),
}


def _label(key: str, lang: str) -> str:
    return label(*LABELS[key], lang)


def input_label(name: str, lang: str = "zh") -> str:
    """A readable name for an input's path: ``aggregate__method`` → "聚合方法 / aggregation
    method", ``normalise`` → "标准化 / normalisation"; a name the input was given (its
    ``name`` key) or an unknown path is returned as it is."""
    stage, _, param = str(name).partition("__")
    if stage not in STAGE_LABELS:
        return str(name)
    zh, en = STAGE_LABELS[stage]
    if param:
        pzh, pen = PARAM_LABELS.get(param, (param, param))
        zh, en = f"{zh}{pzh}", f"{en} {pen}" if param in PARAM_LABELS else f"{en}: {param}"
    return label(zh, en, lang)


def rank_intervals(
    ua: Any,
    *,
    names: bool = False,
    title: str | None = None,
    ax: Any = None,
    lang: str = "zh",
    font: str | Path | None = None,
) -> Any:
    """One horizontal line per unit from its 5th to 95th percentile rank, sorted by
    median rank (best at the top); the nominal rank is marked ◆, the median |.
    ``names=True``: units by name; ``title``: replaces the default title."""
    frame = ua.to_frame().sort_values(["median_rank", "nominal_rank"], ascending=False)
    ax, resolved = new_axes(ax, (6, max(3, 0.2 * len(frame))), lang=lang, font=font)
    y = np.arange(len(frame))
    ax.hlines(y, frame["rank_q05"], frame["rank_q95"], color="#3b6ea5", lw=2)
    ax.plot(frame["median_rank"], y, "|", color="black", ms=9, label=_label("median", lang))
    ax.plot(frame["nominal_rank"], y, "D", color="#c0392b", ms=4, label=_label("nominal", lang))
    ax.set_yticks(y, unit_labels(ua.names, frame.index, names), fontsize=7)
    ax.set_xlabel(_label("rank", lang))
    ax.set_title(title if title is not None else _title("ranks_title", ua, lang))
    ax.invert_xaxis()
    ax.legend(fontsize=8, loc="lower right")  # worst units sit lower left (x inverted)
    apply_font(ax, font=resolved)
    return ax


def _title(key: str, ua: Any, lang: str) -> str:
    return f"{_label(key, lang)} (n = {ua.n})"


def score_distributions(
    ua: Any,
    *,
    units: list[str] | None = None,
    names: bool = False,
    title: str | None = None,
    ax: Any = None,
    lang: str = "zh",
    font: str | Path | None = None,
) -> Any:
    """Box plots of each unit's scores over the replications, nominal score marked."""
    scores = ua.scores if units is None else ua.scores[units]
    order = ua.nominal_scores[scores.columns].sort_values().index
    ax, resolved = new_axes(ax, (6, max(3, 0.22 * len(order))), lang=lang, font=font)
    data = [scores[u].dropna().to_numpy() for u in order]
    ax.boxplot(data, orientation="horizontal", whis=(5, 95), showfliers=False)
    ax.plot(
        ua.nominal_scores[order],
        np.arange(1, len(order) + 1),
        "D",
        color="#c0392b",
        ms=4,
        label=_label("nominal", lang),
    )
    ax.set_yticks(np.arange(1, len(order) + 1), unit_labels(ua.names, order, names), fontsize=7)
    ax.set_xlabel(_label("score", lang))
    ax.set_title(title if title is not None else _title("scores_title", ua, lang))
    ax.legend(fontsize=8)
    apply_font(ax, font=resolved)
    return ax


def sensitivity(
    sa: Any,
    *,
    kind: str = "bar",
    title: str | None = None,
    ax: Any = None,
    lang: str = "zh",
    font: str | Path | None = None,
) -> Any:
    """Sobol indices per input — COINr's ``plot_sensitivity``: ``kind="bar"``, S1 and ST
    (mean over the outputs) with their confidence intervals; ``"box"``, the spread of each
    input's ST over the outputs (every unit's rank)."""
    if kind not in ("bar", "box"):
        raise problem_error(
            "kind 须为 'bar'（条形）或 'box'（箱线） / kind must be 'bar' or 'box'",
            "invalid option",
            source="kind",
            value=kind,
        )
    frame = sa.mean()
    ticks = [input_label(n, lang) for n in frame.index]
    ax, resolved = new_axes(ax, (2 + 1.1 * len(frame), 4), lang=lang, font=font)
    x = np.arange(len(frame))
    if kind == "bar":
        s1, st = _label("S1", lang), _label("ST", lang)
        ax.bar(x - 0.2, frame["S1"], 0.4, yerr=frame["S1_conf"], label=s1, color="#3b6ea5")
        ax.bar(x + 0.2, frame["ST"], 0.4, yerr=frame["ST_conf"], label=st, color="#e67e22")
        ax.legend(fontsize=8)
        ax.set_ylabel(_label("index", lang))
        default = f"{_label('sobol_title', lang)} (n = {sa.n})"
    else:
        st = np.atleast_2d(sa.ST.T).T if sa.ST.ndim == 1 else sa.ST
        ax.boxplot([row[np.isfinite(row)] for row in st], positions=x, whis=(5, 95))
        ax.set_ylabel(_label("ST_units", lang))
        default = f"{_label('sobol_box_title', lang)} (n = {sa.n})"
    ax.set_xticks(x, ticks, rotation=20, ha="right")
    ax.set_title(title if title is not None else default)
    apply_font(ax, font=resolved)
    return ax


def morris_plot(
    mo: Any,
    *,
    title: str | None = None,
    ax: Any = None,
    lang: str = "zh",
    font: str | Path | None = None,
) -> Any:
    """μ* against σ per input (Morris 1991, Fig. 1; Campolongo et al. 2007), averaged over
    the outputs, μ* with its confidence interval: inputs far right matter, inputs high up
    interact or act non-linearly. Groups of several factors have no σ (SALib): drawn at 0."""
    frame = mo.mean()
    ax, resolved = new_axes(ax, (6, 4.5), lang=lang, font=font)
    sigma = frame["sigma"].fillna(0.0)
    ax.errorbar(
        frame["mu_star"], sigma, xerr=frame["mu_star_conf"], fmt="o", color="#3b6ea5", capsize=3
    )
    for name, xv, yv in zip(frame.index, frame["mu_star"], sigma, strict=True):
        ax.annotate(
            input_label(name, lang), (xv, yv), fontsize=8, xytext=(4, 4), textcoords="offset points"
        )
    ax.set_xlabel(_label("mu_star", lang))
    ax.set_ylabel(_label("sigma", lang))
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.set_title(title if title is not None else f"{_label('morris_title', lang)} (r = {mo.r})")
    apply_font(ax, font=resolved)
    return ax


def convergence_lines(
    conv: Any, *, ax: Any = None, lang: str = "zh", font: str | Path | None = None
) -> Any:
    """Statistics against the sample size (log scale): Sobol ST (solid) and S1 (dashed) per
    input with their confidence bands, or the Monte Carlo statistics."""
    ax, resolved = new_axes(ax, (7, 4.5), lang=lang, font=font)
    table = conv.table
    if conv.kind == "sobol":
        colours = ["#3b6ea5", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#7f8c8d"]
        inputs = list(dict.fromkeys(table.index.get_level_values("input")))
        for k, name in enumerate(inputs):
            part = table.xs(name, level="input")
            n, colour = part.index.to_numpy(), colours[k % len(colours)]
            text = input_label(name, lang)
            for col, style in (("ST", "-"), ("S1", "--")):
                ax.plot(n, part[col], style, marker="o", ms=3, color=colour, label=f"{text} {col}")
                ax.fill_between(
                    n,
                    part[col] - part[f"{col}_conf"],
                    part[col] + part[f"{col}_conf"],
                    color=colour,
                    alpha=0.12,
                )
        ax.set_ylabel(_label("index", lang))
        ax.set_xlabel(_label("n", lang))
        ax.set_title(_label("conv_sobol", lang))
    else:
        for col in table.columns:
            ax.plot(
                table.index,
                table[col],
                marker="o",
                ms=3,
                label=label(*CONVERGENCE_LABELS.get(col, (col, col)), lang),
            )
        ax.set_ylabel(_label("places", lang))
        ax.set_xlabel(_label("replications", lang))
        ax.set_title(_label("conv_mc", lang))
    ax.set_xscale("log", base=2)
    ax.legend(fontsize=7, ncol=2)
    apply_font(ax, font=resolved)
    return ax
