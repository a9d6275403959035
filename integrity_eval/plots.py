"""Plots people would rather look at than read: bars, correlation heatmaps, panel lines.

Counterparts of COINr 1.1.14 ``plot_bar``, ``plot_corr`` and the panel line plots.
Each returns the matplotlib ``Axes`` so a notebook can restyle it. Labels are Chinese
then English ("得分 / Score", ``lang="zh"``, the default) or English only
(``lang="en"``), drawn in the CJK font of :func:`integrity_eval.fonts.resolve_font`
(``font=`` names another file), so Chinese names never show as empty boxes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import problem_error
from .fonts import ResolvedFont, apply_font, resolve_font

__all__ = ["bar", "corr_heatmap", "lines"]

LANGS = ("zh", "en")


def label(zh: str, en: str, lang: str) -> str:
    """A plot's text: "中文 / English" with ``lang="zh"``, English alone with ``"en"`` (or
    when there is no Chinese: a name given in English only is not repeated)."""
    return en if lang == "en" or not zh or zh == en else f"{zh} / {en}"


def new_axes(
    ax: Any, figsize: tuple[float, float], *, lang: str, font: str | Path | None
) -> tuple[Any, ResolvedFont]:
    """``ax`` (or new axes of ``figsize``) and the CJK font; ``lang`` checked first."""
    if lang not in LANGS:
        raise problem_error(
            "lang 须为 'zh'（中文 / 英文）或 'en'（仅英文） / lang must be 'zh' (Chinese / "
            "English) or 'en' (English only)",
            "invalid option",
            source="lang",
            value=lang,
        )
    resolved = resolve_font(font)
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.subplots(figsize=figsize)[1]
    return ax, resolved


def bar(
    ev: Any,
    code: str | None = None,
    *,
    dset: str = "Aggregated",
    top: int | None = None,
    ax: Any = None,
    lang: str = "zh",
    font: str | Path | None = None,
) -> Any:
    """Horizontal bars of one column (default: the index) for every unit, best at the top."""
    code = code or ev.framework.root
    values = ev.get_dset(dset)[code].dropna().sort_values()
    if top is not None:
        values = values.tail(top)
    ax, resolved = new_axes(ax, (6, max(3, 0.22 * len(values))), lang=lang, font=font)
    ax.barh(values.index.astype(str), values.to_numpy(), color="#3b6ea5")
    ax.set_xlabel(label(f"{code} 的值（数据集 {dset}）", f"{code} ({dset})", lang))
    if code in ev.framework:
        node = ev.framework[code]
        ax.set_title(label(node.name("zh"), node.name("en"), lang))
    else:
        ax.set_title(code)
    apply_font(ax, font=resolved)
    return ax


def corr_heatmap(
    corr: pd.DataFrame,
    *,
    annotate: bool = True,
    ax: Any = None,
    lang: str = "zh",
    font: str | Path | None = None,
) -> Any:
    """A correlation matrix as a heatmap on [−1, 1] (blanked cells stay white)."""
    size = (1 + 0.5 * corr.shape[1], 1 + 0.45 * corr.shape[0])
    ax, resolved = new_axes(ax, size, lang=lang, font=font)
    values = corr.to_numpy(dtype=float)
    image = ax.imshow(np.ma.masked_invalid(values), cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(corr.shape[1]), corr.columns.astype(str), rotation=90)
    ax.set_yticks(range(corr.shape[0]), corr.index.astype(str))
    if annotate:
        for (i, j), v in np.ndenumerate(values):
            if np.isfinite(v):
                ax.text(
                    j,
                    i,
                    f"{v:.2f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if abs(v) > 0.6 else "black",
                )
    bar_ = ax.figure.colorbar(image, ax=ax, shrink=0.8)
    bar_.set_label(label("相关系数", "Correlation", lang))
    apply_font(ax, bar_.ax, font=resolved)
    return ax


def lines(
    table: pd.DataFrame,
    units: list[str] | None = None,
    *,
    title: str = "",
    ax: Any = None,
    lang: str = "zh",
    font: str | Path | None = None,
) -> Any:
    """One line per unit across periods, from a units × periods table (e.g. ``Panel.scores``)."""
    data = table.loc[units] if units is not None else table
    ax, resolved = new_axes(ax, (7, 4), lang=lang, font=font)
    for unit, row in data.iterrows():
        ax.plot(list(map(str, row.index)), row.to_numpy(dtype=float), marker="o", label=unit)
    ax.set_title(title)
    ax.set_xlabel(label("期间", "Period", lang))
    ax.legend(fontsize=8)
    apply_font(ax, font=resolved)
    return ax
