"""Plots of uncertainty and sensitivity results: rank intervals, score distributions, Sobol bars.

Each returns the matplotlib ``Axes``. ``lang="zh"`` puts Chinese labels first; they
need a CJK font, which the report module resolves (``report/fonts.py``); the
default English labels render everywhere.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["rank_intervals", "score_distributions", "sobol_bars"]

LABELS = {
    "rank": {"en": "Rank (5th–95th percentile)", "zh": "名次（5%–95%分位）/ Rank"},
    "nominal": {"en": "nominal", "zh": "名义 / nominal"},
    "median": {"en": "median", "zh": "中位数 / median"},
    "score": {"en": "Score", "zh": "得分 / Score"},
    "index": {"en": "Sensitivity index", "zh": "敏感性指数 / Sensitivity index"},
}


def _axes(ax: Any, figsize: tuple[float, float]) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize)[1]


def rank_intervals(ua: Any, *, ax: Any = None, lang: str = "en") -> Any:
    """One horizontal line per unit from its 5th to 95th percentile rank, sorted by
    median rank (best at the top); the nominal rank is marked ◆, the median |."""
    frame = ua.to_frame().sort_values(["median_rank", "nominal_rank"], ascending=False)
    ax = _axes(ax, (6, max(3, 0.2 * len(frame))))
    y = np.arange(len(frame))
    ax.hlines(y, frame["rank_q05"], frame["rank_q95"], color="#3b6ea5", lw=2)
    ax.plot(frame["median_rank"], y, "|", color="black", ms=9, label=LABELS["median"][lang])
    ax.plot(frame["nominal_rank"], y, "D", color="#c0392b", ms=4, label=LABELS["nominal"][lang])
    ax.set_yticks(y, frame.index.astype(str), fontsize=7)
    ax.set_xlabel(LABELS["rank"][lang])
    ax.invert_xaxis()
    ax.legend(fontsize=8, loc="lower left")
    return ax


def score_distributions(
    ua: Any, *, units: list[str] | None = None, ax: Any = None, lang: str = "en"
) -> Any:
    """Box plots of each unit's scores over the replications, nominal score marked."""
    scores = ua.scores if units is None else ua.scores[units]
    order = ua.nominal_scores[scores.columns].sort_values().index
    ax = _axes(ax, (6, max(3, 0.22 * len(order))))
    data = [scores[u].dropna().to_numpy() for u in order]
    ax.boxplot(data, orientation="horizontal", whis=(5, 95), showfliers=False)
    ax.plot(
        ua.nominal_scores[order],
        np.arange(1, len(order) + 1),
        "D",
        color="#c0392b",
        ms=4,
        label=LABELS["nominal"][lang],
    )
    ax.set_yticks(np.arange(1, len(order) + 1), order.astype(str), fontsize=7)
    ax.set_xlabel(LABELS["score"][lang])
    ax.legend(fontsize=8)
    return ax


def sobol_bars(sa: Any, *, ax: Any = None, lang: str = "en") -> Any:
    """First-order and total indices per input (averaged over outputs) with CI error bars."""
    frame = sa.mean()
    ax = _axes(ax, (1.5 + 0.8 * len(frame), 3.5))
    x = np.arange(len(frame))
    ax.bar(x - 0.2, frame["S1"], 0.4, yerr=frame["S1_conf"], label="S1", color="#3b6ea5")
    ax.bar(x + 0.2, frame["ST"], 0.4, yerr=frame["ST_conf"], label="ST", color="#e67e22")
    ax.set_xticks(x, frame.index.astype(str), rotation=30, ha="right")
    ax.set_ylabel(LABELS["index"][lang])
    ax.legend(fontsize=8)
    return ax
