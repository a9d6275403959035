"""Plots people would rather look at than read: bars, correlation heatmaps, panel lines.

Counterparts of COINr 1.1.14 ``plot_bar``, ``plot_corr`` and the panel line plots.
Each returns the matplotlib ``Axes`` so a notebook can restyle it. Labels use
codes and English by default: Chinese labels need a CJK font, which the report
module resolves.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["bar", "corr_heatmap", "lines"]


def _axes(ax: Any, figsize: tuple[float, float]):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize)[1]


def bar(
    ev: Any,
    code: str | None = None,
    *,
    dset: str = "Aggregated",
    top: int | None = None,
    ax: Any = None,
) -> Any:
    """Horizontal bars of one column (default: the index) for every unit, best at the top."""
    code = code or ev.framework.root
    values = ev.get_dset(dset)[code].dropna().sort_values()
    if top is not None:
        values = values.tail(top)
    ax = _axes(ax, (6, max(3, 0.22 * len(values))))
    ax.barh(values.index.astype(str), values.to_numpy(), color="#3b6ea5")
    ax.set_xlabel(f"{code} ({dset})")
    ax.set_title(ev.framework[code].name("en") if code in ev.framework else code)
    return ax


def corr_heatmap(corr: pd.DataFrame, *, annotate: bool = True, ax: Any = None) -> Any:
    """A correlation matrix as a heatmap on [−1, 1] (blanked cells stay white)."""
    ax = _axes(ax, (1 + 0.5 * corr.shape[1], 1 + 0.45 * corr.shape[0]))
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
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    return ax


def lines(
    table: pd.DataFrame, units: list[str] | None = None, *, title: str = "", ax: Any = None
) -> Any:
    """One line per unit across periods, from a units × periods table (e.g. ``Panel.scores``)."""
    data = table.loc[units] if units is not None else table
    ax = _axes(ax, (7, 4))
    for unit, row in data.iterrows():
        ax.plot(list(map(str, row.index)), row.to_numpy(dtype=float), marker="o", label=unit)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return ax
