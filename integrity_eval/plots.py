"""Plots people would rather look at than read: bars, correlation heatmaps, panel lines,
the framework's weights, scatter plots and indicator distributions.

Counterparts of COINr 1.1.14 ``plot_bar``, ``plot_corr``, ``plot_framework``,
``plot_scatter``, ``plot_dist`` and the panel line plots (``plot_sensitivity`` is
``SobolResult.plot``). ``names=True`` shows units by name (uName) instead of code. Each
carries a title and returns the matplotlib ``Axes`` so a notebook can restyle it. Labels are Chinese
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

__all__ = ["bar", "corr_heatmap", "distribution", "framework", "lines", "scatter"]

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


def unit_labels(known: pd.Series, codes: pd.Index, names: bool) -> list[str]:
    """Unit codes as text, or (``names=True``) their names from ``known`` (uName by uCode,
    e.g. ``ev.units["uName"]``), the code where a unit has none."""
    if not names:
        return list(pd.Index(codes).astype(str))
    return [str(known[c]) if c in known.index and pd.notna(known[c]) else str(c) for c in codes]


def _node_label(ev: Any, code: str, lang: str) -> str:
    """An element's name ("名称 / name"), or its code when it is not in the framework."""
    if code in ev.framework:
        node = ev.framework[code]
        return label(node.name("zh"), node.name("en"), lang)
    return str(code)


def bar(
    ev: Any,
    code: str | None = None,
    *,
    dset: str = "Aggregated",
    top: int | None = None,
    names: bool = False,
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
    ax.barh(unit_labels(ev.units["uName"], values.index, names), values.to_numpy(), color="#3b6ea5")
    ax.set_xlabel(label(f"{code} 的值（数据集 {dset}）", f"{code} ({dset})", lang))
    ax.set_title(_node_label(ev, code, lang))
    apply_font(ax, font=resolved)
    return ax


def corr_heatmap(
    corr: pd.DataFrame,
    *,
    annotate: bool = True,
    title: str | None = None,
    ax: Any = None,
    lang: str = "zh",
    font: str | Path | None = None,
) -> Any:
    """A correlation matrix as a heatmap on [−1, 1] (blanked cells stay white); titled
    "相关矩阵 / Correlation matrix" unless ``title`` is given."""
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
    ax.set_title(title if title is not None else label("相关矩阵", "Correlation matrix", lang))
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


def framework(ev: Any, *, ax: Any = None, lang: str = "zh", font: str | Path | None = None) -> Any:
    """The framework as a sunburst (COINr ``plot_framework``): one ring per level below the
    root (named in the title), each element's angle its effective weight in the index
    (``ev.effective_weights``); aggregates are labelled, indicators too when there are
    at most 40."""
    fw, eff = ev.framework, ev.effective_weights
    ax, resolved = new_axes(ax, (7, 7), lang=lang, font=font)
    colours = ["#3b6ea5", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d"]
    top = fw.children[fw.root]
    family = {c: k for k, c in enumerate(top)}
    ring, width = 0, 0.8 / max(1, fw.n_levels - 1)
    for level in range(fw.n_levels - 1, 0, -1):
        codes = _in_tree_order(fw, level)
        for code in codes:  # the colour of its top-level ancestor
            anc = code
            while anc not in family:
                anc = fw[anc].parent
            family.setdefault(code, family[anc])
        weights = eff.reindex(codes).fillna(0.0).to_numpy()
        show = level > 1 or len(codes) <= 40
        texts = [_node_label(ev, c, lang) if show else "" for c in codes]
        wedges, _ = ax.pie(
            weights,
            radius=0.2 + width * (ring + 1),
            colors=[colours[family[c] % len(colours)] for c in codes],
            labels=texts if level == 1 else None,
            labeldistance=1.02,
            textprops={"fontsize": 6},
            wedgeprops={"width": width, "edgecolor": "white", "alpha": 1 - 0.18 * ring},
            startangle=90,
            counterclock=False,
        )
        if level > 1:
            for wedge, text in zip(wedges, texts, strict=True):
                angle = np.deg2rad((wedge.theta1 + wedge.theta2) / 2)
                r = 0.2 + width * (ring + 0.5)
                ax.text(r * np.cos(angle), r * np.sin(angle), text, ha="center", fontsize=6)
        ring += 1
    title = label("框架与有效权重", "Framework and effective weights", lang)
    ax.set_title(f"{title}: {_node_label(ev, fw.root, lang)}")
    apply_font(ax, font=resolved)
    return ax


def _in_tree_order(fw: Any, level: int) -> list[str]:
    """The codes at ``level`` in depth-first order from the root (children stay together)."""
    out, stack = [], [fw.root]
    while stack:
        code = stack.pop()
        if fw[code].level == level:
            out.append(code)
        elif fw[code].level > level:
            stack.extend(reversed(fw.children[code]))
    return out


def scatter(
    ev: Any,
    x: str,
    y: str,
    *,
    dset: str = "Aggregated",
    dset_y: str | None = None,
    names: bool = False,
    annotate: bool = True,
    ax: Any = None,
    lang: str = "zh",
    font: str | Path | None = None,
) -> Any:
    """Two columns against each other, one point per unit (COINr ``plot_scatter``), with
    Spearman's ρ in the title; points labelled by code (or name, ``names=True``)."""
    data = pd.concat(
        [ev.get_dset(dset)[x].rename("x"), ev.get_dset(dset_y or dset)[y].rename("y")], axis=1
    ).dropna()
    ax, resolved = new_axes(ax, (6, 5), lang=lang, font=font)
    ax.scatter(data["x"], data["y"], s=18, color="#3b6ea5")
    if annotate:
        for text, (xv, yv) in zip(
            unit_labels(ev.units["uName"], data.index, names), data.to_numpy(), strict=True
        ):
            ax.annotate(text, (xv, yv), fontsize=6, xytext=(2, 2), textcoords="offset points")
    ax.set_xlabel(_node_label(ev, x, lang))
    ax.set_ylabel(_node_label(ev, y, lang))
    rho = data["x"].corr(data["y"], method="spearman") if len(data) > 1 else np.nan
    ax.set_title(f"{label('散点图', 'Scatter plot', lang)} (ρ = {rho:.2f}, n = {len(data)})")
    apply_font(ax, font=resolved)
    return ax


def distribution(
    ev: Any,
    codes: list[str] | None = None,
    *,
    dset: str = "Raw",
    ax: Any = None,
    lang: str = "zh",
    font: str | Path | None = None,
) -> Any:
    """Box plots with every unit's value overlaid, one per column (COINr ``plot_dist``);
    default: the indicators of ``dset``. Missing values are left out (n per box)."""
    data = ev.get_dset(dset)
    codes = codes if codes is not None else [c for c in ev.framework.codes_at(1) if c in data]
    ax, resolved = new_axes(ax, (max(4, 0.5 * len(codes) + 2), 4), lang=lang, font=font)
    values = [data[c].dropna().to_numpy(dtype=float) for c in codes]
    ax.boxplot(values, positions=np.arange(len(codes)), widths=0.6, showfliers=False)
    rng = np.random.default_rng(0)  # fixed jitter: the same picture every time
    for k, v in enumerate(values):
        ax.plot(k + rng.uniform(-0.15, 0.15, len(v)), v, ".", ms=3, alpha=0.5, color="#3b6ea5")
    ax.set_xticks(np.arange(len(codes)), [str(c) for c in codes], rotation=60, ha="right")
    ax.set_ylabel(label(f"值（数据集 {dset}）", f"Value ({dset})", lang))
    ax.set_title(label("指标分布", "Indicator distributions", lang))
    apply_font(ax, font=resolved)
    return ax
