"""Plots of uncertainty and sensitivity results: rank intervals, score distributions, Sobol bars.

Each returns the matplotlib ``Axes``. Labels are Chinese then English (``lang="zh"``,
the default) or English only (``lang="en"``), drawn in the CJK font of
:func:`integrity_eval.fonts.resolve_font` (``font=`` names another file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..fonts import apply_font
from ..plots import label, new_axes

__all__ = ["rank_intervals", "score_distributions", "sobol_bars"]

LABELS = {
    "rank": ("名次（5%–95% 分位）", "Rank (5th–95th percentile)"),
    "nominal": ("名义值", "nominal"),
    "median": ("中位数", "median"),
    "score": ("得分", "Score"),
    "index": ("敏感性指数", "Sensitivity index"),
    "S1": ("一阶 S1", "first-order S1"),
    "ST": ("总效应 ST", "total ST"),
}


def _label(key: str, lang: str) -> str:
    return label(*LABELS[key], lang)


def rank_intervals(
    ua: Any, *, ax: Any = None, lang: str = "zh", font: str | Path | None = None
) -> Any:
    """One horizontal line per unit from its 5th to 95th percentile rank, sorted by
    median rank (best at the top); the nominal rank is marked ◆, the median |."""
    frame = ua.to_frame().sort_values(["median_rank", "nominal_rank"], ascending=False)
    ax, resolved = new_axes(ax, (6, max(3, 0.2 * len(frame))), lang=lang, font=font)
    y = np.arange(len(frame))
    ax.hlines(y, frame["rank_q05"], frame["rank_q95"], color="#3b6ea5", lw=2)
    ax.plot(frame["median_rank"], y, "|", color="black", ms=9, label=_label("median", lang))
    ax.plot(frame["nominal_rank"], y, "D", color="#c0392b", ms=4, label=_label("nominal", lang))
    ax.set_yticks(y, frame.index.astype(str), fontsize=7)
    ax.set_xlabel(_label("rank", lang))
    ax.invert_xaxis()
    ax.legend(fontsize=8, loc="lower right")  # worst units sit lower left (x inverted)
    apply_font(ax, font=resolved)
    return ax


def score_distributions(
    ua: Any,
    *,
    units: list[str] | None = None,
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
    ax.set_yticks(np.arange(1, len(order) + 1), order.astype(str), fontsize=7)
    ax.set_xlabel(_label("score", lang))
    ax.legend(fontsize=8)
    apply_font(ax, font=resolved)
    return ax


def sobol_bars(sa: Any, *, ax: Any = None, lang: str = "zh", font: str | Path | None = None) -> Any:
    """First-order and total indices per input (averaged over outputs) with CI error bars."""
    frame = sa.mean()
    ax, resolved = new_axes(ax, (1.5 + 0.8 * len(frame), 3.5), lang=lang, font=font)
    x = np.arange(len(frame))
    s1, st = _label("S1", lang), _label("ST", lang)
    ax.bar(x - 0.2, frame["S1"], 0.4, yerr=frame["S1_conf"], label=s1, color="#3b6ea5")
    ax.bar(x + 0.2, frame["ST"], 0.4, yerr=frame["ST_conf"], label=st, color="#e67e22")
    ax.set_xticks(x, frame.index.astype(str), rotation=30, ha="right")
    ax.set_ylabel(_label("index", lang))
    ax.legend(fontsize=8)
    apply_font(ax, font=resolved)
    return ax
