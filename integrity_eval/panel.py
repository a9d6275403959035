"""Panels: one Evaluation per period, normalised across all periods or per period.

COINr 1.1.14 builds a *purse* (one coin per period) and normalises it either
globally — every period's treated data pooled, so scores are comparable over
time — or period by period (``Normalise.purse(global = TRUE / FALSE)``). Trends
of the results are COINr ``get_trends`` (compound annual growth rate, CAGR).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .build import build
from .display import Displayable, Summary
from .errors import Problem, ValidationError
from .evaluation import Evaluation
from .framework import Framework, load_framework
from .spec import framework_default, load_spec, set_params

__all__ = ["Panel", "build_panel"]

NORMALISE = ("global", "per_period")


@dataclass(frozen=True, eq=False, repr=False)
class Panel(Displayable):
    """The Evaluations of every period, keyed by ``Time``, oldest first."""

    evaluations: Mapping[Any, Evaluation]
    normalise: str

    def _headline(self) -> str:
        times = list(self.evaluations)
        return f"{times[0]}–{times[-1]} ({len(times)} periods), normalise={self.normalise}"

    def summary(self) -> Summary:
        """Overview: framework, periods, units scored per period, scores by period
        (best in the latest period first)."""
        fw = self.framework
        scores = self.scores
        if not scores.empty:
            scores = scores.sort_values(scores.columns[-1], ascending=False, na_position="last")
        counts = ", ".join(f"{t}: {len(ev.scores)}" for t, ev in self.evaluations.items())
        return Summary(
            "Panel / 面板评价",
            [
                ("framework / 框架", f"{fw.name} ({fw.title_zh or fw.title_en})"),
                ("periods / 期间", ", ".join(map(str, self.times))),
                ("normalisation / 归一化", self.normalise),
                ("units scored / 已评分单位", counts),
            ],
            [("Scores by period / 各期得分", scores)],
        )

    def __getitem__(self, time: Any) -> Evaluation:
        return self.evaluations[time]

    @property
    def times(self) -> list[Any]:
        return list(self.evaluations)

    def get_dset(self, name: str) -> pd.DataFrame:
        """A dataset of every period stacked, indexed by (Time, uCode)."""
        return pd.concat(
            {t: ev.get_dset(name) for t, ev in self.evaluations.items()}, names=["Time", "uCode"]
        )

    @property
    def scores(self) -> pd.DataFrame:
        """Index scores, units × periods."""
        return pd.DataFrame({t: ev.scores for t, ev in self.evaluations.items()})

    @property
    def ranks(self) -> pd.DataFrame:
        """Ranks within each period, units × periods (integers, ``<NA>`` where unscored)."""
        return pd.DataFrame({t: ev.ranks for t, ev in self.evaluations.items()}).astype("Int64")

    @property
    def framework(self) -> Framework:
        """The indicator framework (the same for every period)."""
        return next(iter(self.evaluations.values())).framework

    def trends(self, *, dset: str = "Aggregated", **options: Any) -> pd.DataFrame:
        """Trend of every unit × code over the periods — COINr ``get_trends``.

        Same as ``integrity_eval.compare.trends(panel, dset=dset, **options)``; the
        options (``codes``, ``f_trend``, ``interval``, ``use_latest``,
        ``adjust_directions``) are documented there.
        """
        from .compare import trends

        return trends(self, dset=dset, **options)


def build_panel(
    framework: Framework | str | Path | pd.DataFrame,
    idata: pd.DataFrame,
    spec: Mapping[str, Any] | str | Path | None = None,
    *,
    seed: int = 0,
    normalise: str = "global",
    times: list[Any] | None = None,
) -> Panel:
    """Build one Evaluation per period of a panel (iData with a ``Time`` column).

    ``normalise="global"`` pools the treated data of every period when
    normalising (COINr ``Normalise.purse(global = TRUE)``), so a score of 60 means
    the same in 2018 and 2024; ``"per_period"`` normalises each period on its own.
    Each period sees only its own and earlier periods for panel imputation.
    """
    if normalise not in NORMALISE:
        raise ValidationError(
            [
                Problem(
                    f"normalise must be one of {list(NORMALISE)}",
                    source="build_panel",
                    value=normalise,
                )
            ],
            "invalid panel",
        )
    if "Time" not in idata.columns:
        raise ValidationError(
            [Problem("panel data need a Time column", source="iData", column="Time")], "not a panel"
        )
    fw = load_framework(framework)
    spec = load_spec(framework_default(fw) if spec is None else spec)
    periods = times if times is not None else sorted(idata["Time"].dropna().unique().tolist())
    if normalise == "per_period" or "normalise" not in spec:
        evs = {t: build(fw, idata, spec, seed=seed, time=t) for t in periods}
        return Panel(evs, normalise)
    treated_spec = set_params(spec, normalise=None, aggregate=None)
    treated = {
        t: build(fw, idata, treated_spec, seed=seed, time=t).get_dset("Treated") for t in periods
    }
    evs = {}
    for t in periods:
        pool = np.concatenate(
            [treated[s].to_numpy() for s in periods if s != t]
            or [np.empty((0, treated[t].shape[1]))]
        )
        evs[t] = build(fw, idata, spec, seed=seed, time=t, normalise_pool=pool)
    return Panel(evs, normalise)
