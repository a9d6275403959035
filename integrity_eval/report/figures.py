"""Charts of the reports, drawn with matplotlib in the resolved CJK font, returned as PNG.

Each function takes plain labelled data (names already in the report's language,
never codes) and returns PNG bytes at 200 dpi, so the picture looks the same in any
browser and in the PDF without a font (vector SVG with text outlines was tried: it
made each PDF several seconds slower to render). Figures are built on
:class:`matplotlib.figure.Figure` (no pyplot state), so report writing never leaves
windows or global figures open.
"""

from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from .fonts import ResolvedFont, chart_texts, matplotlib_rc

__all__ = [
    "count_chart",
    "data_uri",
    "grade_chart",
    "heatmap",
    "month_chart",
    "profile_chart",
    "ranking_chart",
    "trend_chart",
]

BLUE = "#2f5d8c"
GREY = "#8c8c8c"
RED = "#b03a2e"
CM = 1 / 2.54  # inches per centimetre


@contextmanager
def _style(font: ResolvedFont):
    """matplotlib settings of the report charts: ``font`` and its fallbacks, no mathtext."""
    import matplotlib

    rc = {
        **matplotlib_rc(font),
        "font.size": 8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 9,
    }
    with matplotlib.rc_context(rc):
        yield


def _figure(width_cm: float, height_cm: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width_cm * CM, height_cm * CM), layout="constrained")


DPI = 200


def _png(fig: Any, font: ResolvedFont) -> bytes:
    """The figure as PNG, its texts first made safe (:func:`~integrity_eval.fonts.chart_texts`)."""
    chart_texts(fig, font)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


_WORDS = {
    "observed": ("实际数", "observed"),
    "expected": ("期望数", "expected"),
    "upper": ("上限", "upper limit"),
    "warned": ("预警", "warned"),
    "records": ("记录数", "records"),
}


def _word(key: str, lang: str) -> str:
    """A chart word in one language (charts are monolingual, issue 18)."""
    zh, en = _WORDS[key]
    return en if lang == "en" else zh


def data_uri(png: bytes) -> str:
    """An ``<img src>`` value holding the PNG (no file, no network)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _wrap(label: str, width: int) -> str:
    """Break a long name into two balanced lines (CJK text has no spaces: break by
    characters; text with spaces at a space); beyond two lines, cut with "…"."""
    if len(label) <= width:
        return label
    if " " in label:
        lines = textwrap.wrap(
            label, width=max(width, len(label) // 2 + 1), max_lines=2, placeholder="…"
        )
        return "\n".join(lines)
    half = -(-len(label) // 2)
    if half > width:
        return label[:width] + "\n" + label[width : 2 * width - 1] + "…"
    return label[:half] + "\n" + label[half:]


def _is_cjk(text: str) -> bool:
    return any("\u3000" <= ch <= "\u9fff" for ch in text)


def profile_chart(
    names: Sequence[str],
    unit: Sequence[float],
    median: Sequence[float],
    best: Sequence[float],
    *,
    labels: tuple[str, str, str],
    font: ResolvedFont,
) -> bytes:
    """Horizontal bars of the unit's score per dimension, with the median (diamond) and
    the best unit (tick) of every dimension; missing scores leave an empty row."""
    n = len(names)
    wrapped = [_wrap(s, 16 if _is_cjk(s) else 40) for s in names]
    row = 0.56 if any("\n" in s for s in wrapped) else 0.42  # two 7-pt lines, set close
    with _style(font):
        fig = _figure(17, 1.2 + row * n)
        ax = fig.add_subplot()
        y = np.arange(n)[::-1]
        u = np.asarray(unit, dtype=float)
        ax.barh(y, np.nan_to_num(u), height=0.6, color=BLUE, label=labels[0])
        ax.scatter(
            median, y, marker="D", s=22, color="white", edgecolor="black", zorder=3, label=labels[1]
        )
        ax.scatter(best, y, marker="|", s=160, linewidths=2, color=RED, zorder=3, label=labels[2])
        # values in a column right of the plot, clear of bars and markers
        for yi, v in zip(y, u, strict=True):
            ax.text(
                1.01,
                yi,
                f"{v:.1f}" if np.isfinite(v) else "—",
                transform=ax.get_yaxis_transform(),
                va="center",
                ha="left",
                fontsize=6.5,
            )
        ax.set_yticks(y, wrapped, fontsize=7, linespacing=0.95)
        top = np.nanmax(np.r_[u, np.asarray(best, float), 1.0])
        ax.set_xlim(
            min(0.0, float(np.nanmin(np.r_[u, np.asarray(median, float), 0.0]))), top * 1.03
        )
        handles, texts = ax.get_legend_handles_labels()
        order = [texts.index(t) for t in labels]
        ax.legend(
            [handles[i] for i in order],
            list(labels),
            loc="upper center",
            bbox_to_anchor=(0.5, -0.04 if n > 6 else -0.12),
            ncol=3,
            frameon=False,
            fontsize=7,
        )
        return _png(fig, font)


def trend_chart(
    times: Sequence[Any],
    scores: Sequence[float],
    ranks: Sequence[float],
    *,
    labels: tuple[str, str],
    font: ResolvedFont,
) -> bytes:
    """The unit's score (left) and rank (right, 1 at the top) over periods."""
    x = [str(t) for t in times]
    with _style(font):
        fig = _figure(17, 6)
        ax = fig.add_subplot()
        ax.plot(x, scores, marker="o", color=BLUE, label=labels[0])
        ax.set_ylabel(labels[0])
        ax2 = ax.twinx()
        ax2.plot(x, ranks, marker="s", linestyle="--", color=RED, label=labels[1])
        ax2.invert_yaxis()
        ax2.set_ylabel(labels[1])
        ax2.spines["right"].set_visible(True)
        ax2.yaxis.get_major_locator().set_params(integer=True)
        handles = ax.get_legend_handles_labels()
        h2 = ax2.get_legend_handles_labels()
        ax.legend(
            handles[0] + h2[0],
            handles[1] + h2[1],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncol=2,
            frameon=False,
        )
        return _png(fig, font)


def ranking_chart(
    names: Sequence[str],
    scores: Sequence[float],
    rank_lo: Sequence[float] | None = None,
    rank_hi: Sequence[float] | None = None,
    ranks: Sequence[float] | None = None,
    *,
    xlabel: str,
    font: ResolvedFont,
) -> bytes:
    """Units best first: rank (a point) and its 90 % interval (a line) when given, else
    score bars."""
    n = len(names)
    with _style(font):
        fig = _figure(17, 1.5 + 0.45 * n)
        ax = fig.add_subplot()
        y = np.arange(n)[::-1]
        if rank_lo is not None and rank_hi is not None and ranks is not None:
            r = np.asarray(ranks, float)
            lo, hi = np.asarray(rank_lo, float), np.asarray(rank_hi, float)
            # the nominal rank may lie outside its 5–95 % interval (e.g. when no
            # alternative repeats the nominal settings): a line and a point, not error bars
            ax.hlines(y, lo, hi, color=GREY, lw=2)
            ax.plot(r, y, "o", color=BLUE)
            ax.set_xlim(0.5, max(float(np.nanmax(hi)), n) + 0.5)
            ax.invert_xaxis()
            ax.xaxis.get_major_locator().set_params(integer=True)
        else:
            s = np.asarray(scores, float)
            ax.barh(y, s, height=0.6, color=BLUE)
            whole = bool(np.all(np.mod(s[np.isfinite(s)], 1) == 0))
            for yi, v in zip(y, s, strict=True):  # the label outside the bar's end
                text = f"{v:.0f}" if whole else f"{v:.1f}"
                ax.text(
                    v,
                    yi,
                    f" {text} ",
                    va="center",
                    ha="left" if v >= 0 else "right",
                    fontsize=7,
                )
            lo, hi = min(0.0, float(np.nanmin(s))), max(0.0, float(np.nanmax(s)))
            pad = 0.12 * (hi - lo or 1.0)
            ax.set_xlim(lo - (pad if lo < 0 else 0.0), hi + pad)
            ax.axvline(0, color="black", linewidth=0.6)
        ax.set_yticks(y, [_wrap(s, 12 if _is_cjk(s) else 24) for s in names], fontsize=7)
        ax.set_xlabel(xlabel)
        return _png(fig, font)


def grade_chart(counts: pd.Series, *, ylabel: str, font: ResolvedFont) -> bytes:
    """Number of units per grade, best grade first."""
    with _style(font):
        fig = _figure(12, 5.5)
        ax = fig.add_subplot()
        x = [str(i) for i in counts.index]
        ax.bar(x, counts.to_numpy(), color=BLUE, width=0.6)
        for xi, v in zip(x, counts.to_numpy(), strict=True):
            ax.text(xi, v, f"{int(v)}", ha="center", va="bottom", fontsize=8)
        ax.set_ylabel(ylabel)
        ax.set_ylim(0, max(1, counts.max()) * 1.2)
        ax.yaxis.get_major_locator().set_params(integer=True)
        return _png(fig, font)


def heatmap(table: pd.DataFrame, *, font: ResolvedFont) -> bytes:
    """Scores of units × dimensions, coloured (red low, green high). ``table``: units as
    rows (best first), dimensions as columns, both named. Drawn with dimensions as rows
    (long names stay horizontal) and units as columns; missing cells are white, "—"."""
    data = table.T
    values = data.to_numpy(dtype=float)
    nr, nc = values.shape
    finite = np.isfinite(values).any()
    with _style(font):
        fig = _figure(17, 3.0 + 0.5 * nr)
        ax = fig.add_subplot()
        img = ax.imshow(
            np.ma.masked_invalid(values),
            cmap="RdYlGn",
            aspect="auto",
            vmin=np.nanmin(values) if finite else 0,
            vmax=np.nanmax(values) if finite else 1,
        )
        rotate = nc > 8
        ax.set_xticks(
            range(nc),
            [_wrap(str(c), 6 if _is_cjk(str(c)) else 12) for c in data.columns],
            fontsize=6.5,
            rotation=45 if rotate else 0,
            ha="left" if rotate else "center",
            rotation_mode="anchor",
        )
        ax.xaxis.tick_top()
        ax.set_yticks(
            range(nr),
            [_wrap(str(i), 16 if _is_cjk(str(i)) else 34) for i in data.index],
            fontsize=6.5,
        )
        lo, hi = img.get_clim()
        for (i, j), v in np.ndenumerate(values):
            dark = np.isfinite(v) and hi > lo and not 0.12 < (v - lo) / (hi - lo) < 0.88
            ax.text(
                j,
                i,
                "—" if not np.isfinite(v) else f"{v:.0f}",
                ha="center",
                va="center",
                fontsize=6,
                color="white" if dark else "black",
            )
        ax.spines[:].set_visible(False)
        fig.colorbar(img, ax=ax, shrink=0.5, location="bottom", pad=0.01, aspect=40)
        return _png(fig, font)


def count_chart(
    months: Sequence[str],
    observed: Sequence[float],
    *,
    title: str,
    font: ResolvedFont,
    expected: float | None = None,
    upper: float | None = None,
    lang: str = "zh",
) -> bytes:
    """Monthly counts (the monitoring report), with the last month's expected count and
    upper limit marked when the count model warned; words in ``lang``."""
    with _style(font):
        fig = _figure(17, 7)
        ax = fig.add_subplot()
        x = list(range(len(months)))
        ax.plot(x, observed, marker="o", color=BLUE, label=_word("observed", lang))
        for value, label, colour in (
            (expected, _word("expected", lang), "green"),
            (upper, _word("upper", lang), RED),
        ):
            if value is None:
                continue
            ax.scatter([x[-1]], [value], marker="_", s=300, color=colour)
            ax.annotate(
                label,
                (x[-1], value),
                xytext=(10, 0),
                textcoords="offset points",
                fontsize=7,
                ha="left",
                va="center",
            )
        if expected is not None or upper is not None:  # room for the labels on the right
            ax.set_xlim(-0.5, x[-1] + 0.14 * len(x) + 1)
        ax.set_xticks(x, list(months), rotation=60, fontsize=7)
        ax.set_ylabel(_word("records", lang))
        ax.set_title(title)
        ax.yaxis.get_major_locator().set_params(integer=True)
        return _png(fig, font)


def month_chart(
    names: Sequence[str],
    observed: Sequence[float],
    expected: Sequence[float],
    upper: Sequence[float],
    warned: Sequence[bool],
    *,
    title: str,
    font: ResolvedFont,
    lang: str = "zh",
) -> bytes:
    """One month of the monitoring report, every unit in a row (first row on top):
    the observed count as a bar (red when the count model warned), the model's
    expected count and upper limit as ticks."""
    n = len(names)
    wrapped = [_wrap(s, 12 if _is_cjk(s) else 28) for s in names]
    with _style(font):
        fig = _figure(17, 2.0 + 0.42 * n)
        ax = fig.add_subplot()
        y = np.arange(n)[::-1]
        colours = [RED if w else BLUE for w in warned]
        ax.barh(y, np.asarray(observed, float), height=0.6, color=colours)
        ax.scatter(expected, y, marker="|", s=140, linewidths=2, color="green", zorder=3)
        ax.scatter(upper, y, marker="|", s=140, linewidths=2, color="black", zorder=3)
        ax.set_yticks(y, wrapped, fontsize=7)
        ax.set_ylim(-0.7, n - 0.3)
        ax.set_xlabel(_word("records", lang))
        ax.set_title(title)
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        fig.legend(
            [
                Patch(color=BLUE),
                Patch(color=RED),
                Line2D([], [], marker="|", ls="", ms=9, mew=2, color="green"),
                Line2D([], [], marker="|", ls="", ms=9, mew=2, color="black"),
            ],
            [_word(k, lang) for k in ("observed", "warned", "expected", "upper")],
            loc="outside lower center",
            ncol=4,
            fontsize=7,
            frameon=False,
        )
        return _png(fig, font)
