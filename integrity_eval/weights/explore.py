"""The researcher's live reweighting view in Jupyter (ipywidgets).

One slider per aggregate weight (every element above the indicators, or the
elements of a chosen ``level``); moving one re-aggregates with
:func:`~integrity_eval.weights.reweighting.reweight` and refreshes the league
table: score, rank, nominal rank and rank change. A slider at 0 leaves its element
out of the parent's aggregate (weight 0, as the spec's ``weights.values``); if every
child of an aggregate is at 0 the status line says so and the table keeps its last
state. ipywidgets is optional
(``pip install "integrity-eval[lab]"``) and imported only here.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import Problem, ValidationError
from .reweighting import rank_changes

if TYPE_CHECKING:
    from ..evaluation import Evaluation

__all__ = ["WeightExplorer", "explore"]

SYNTHETIC = ' <span style="color:#b00;font-weight:bold">合成数据 / synthetic data</span>'


def _widgets() -> Any:
    try:
        import ipywidgets
    except ImportError:
        raise ValidationError(
            [
                Problem(
                    "交互权重视图需要 ipywidgets / the live view needs ipywidgets: "
                    'pip install "integrity-eval[lab]" (or pip install ipywidgets)',
                    source="explore",
                )
            ],
            title="ipywidgets is not installed",
        ) from None
    return ipywidgets


class WeightExplorer:
    """The widget returned by :func:`explore`: ``.sliders`` (code → slider),
    ``.table`` (the current rank table), ``.widget`` (displayed in Jupyter)."""

    def __init__(
        self, ev: Evaluation, codes: list[str], top: int, wmax: float, synthetic: bool = False
    ):
        w = _widgets()
        self.ev = ev
        self.top = top
        fw = ev.framework
        self.sliders = {
            c: w.FloatSlider(
                value=float(ev.weights[c]),
                min=0.0,
                max=wmax,
                step=0.01,
                description=c,
                tooltip=f"{fw[c].name_zh} / {fw[c].name_en}",
                continuous_update=False,
                style={"description_width": "initial"},
            )
            for c in codes
        }
        self.status = w.HTML()
        self.output = w.HTML()
        reset = w.Button(description="复位 / reset")
        reset.on_click(self._reset)
        for s in self.sliders.values():
            s.observe(self._update, names="value")
        self.widget = w.VBox(
            [
                w.HTML("<b>权重 / weights</b>" + (SYNTHETIC if synthetic else "")),
                w.VBox(list(self.sliders.values())),
                reset,
                self.status,
                self.output,
            ]
        )
        self.table = pd.DataFrame()
        self._update()

    def weights(self) -> dict[str, float]:
        return {c: s.value for c, s in self.sliders.items()}

    def _reset(self, _button: Any = None) -> None:
        for c, s in self.sliders.items():
            s.value = float(self.ev.weights[c])

    def _update(self, _change: Any = None) -> None:
        try:
            self.table = rank_changes(self.ev, self.weights())
        except ValidationError as exc:
            self.status.value = html.escape("; ".join(p.message for p in exc.problems))
            return
        moved = int((self.table["change"] != 0).sum())
        rho = self.table["rank"].corr(self.table["rank_nominal"], method="spearman")
        self.status.value = html.escape(
            f"名次变化的单位 / units whose rank changed: {moved}; 最大变化 / largest move: "
            f"{int(self.table['change'].abs().max())}; Spearman ρ vs nominal: {rho:.3f}"
        )
        self.output.value = self.table.head(self.top).to_html(
            float_format=lambda v: f"{v:.2f}", escape=True
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def explore(
    ev: Evaluation,
    *,
    level: int | None = None,
    top: int = 20,
    wmax: float = 5.0,
    synthetic: bool = False,
) -> WeightExplorer:
    """Sliders per aggregate weight (0 to ``wmax``); scores, ranks and rank changes update
    live.

    ``level``: the level whose elements get sliders (default: every level
    above the indicators except the index). ``top``: rows of the table shown.
    ``wmax``: the sliders' maximum (weights are relative within each parent).
    ``synthetic=True`` marks the view "合成数据 / synthetic data" (pass
    ``dataset.synthetic``); the Evaluation itself does not know where its data came from.
    """
    fw = ev.framework
    levels = [level] if level is not None else list(range(2, fw.n_levels))
    codes = [c for lv in levels for c in fw.codes_at(lv)]
    if not codes:
        raise ValidationError(
            [
                Problem(
                    "no weights to vary at this level (pass level=1 for the indicators)",
                    source="explore",
                    column="level",
                    value=level,
                )
            ],
            title="nothing to explore",
        )
    return WeightExplorer(ev, codes, top, wmax, synthetic)
