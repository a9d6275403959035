"""Panels: one Evaluation per period, normalised across all periods or per period.

COINr 1.1.14 builds a *purse* (one coin per period) and normalises it either
globally — every period's treated data pooled, so scores are comparable over
time — or period by period (``Normalise.purse(global = TRUE / FALSE)``). Trends
of the results are COINr ``get_trends`` (compound annual growth rate, CAGR).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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

__all__ = ["Panel", "build_panel", "history"]

NORMALISE = ("global", "per_period")
ON_ERROR = ("raise", "record")


@dataclass(frozen=True, eq=False, repr=False)
class Panel(Displayable):
    """The Evaluations of every period, keyed by ``Time``, oldest first.

    ``failed``: the periods that could not be built (``build_panel(on_error="record")``),
    each with the problems that stopped it, in Chinese and English.
    """

    evaluations: Mapping[Any, Evaluation]
    normalise: str
    failed: Mapping[Any, str] = field(default_factory=dict)

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
                *((f"not built / 未能计算: {t}", reason) for t, reason in self.failed.items()),
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
    on_error: str = "raise",
) -> Panel:
    """Build one Evaluation per period of a panel (iData with a ``Time`` column).

    ``normalise="global"`` pools the treated data of every period when
    normalising (COINr ``Normalise.purse(global = TRUE)``), so a score of 60 means
    the same in 2018 and 2024; ``"per_period"`` normalises each period on its own.
    Each period sees only its own and earlier periods for panel imputation.
    ``on_error="record"``: a period that cannot be built with this spec is left out and
    named in ``Panel.failed`` with its problems (under global normalisation it is also
    left out of the pool); ``"raise"`` (default) stops at the first.
    """
    for name, value, allowed in (
        ("normalise", normalise, NORMALISE),
        ("on_error", on_error, ON_ERROR),
    ):
        if value not in allowed:
            raise ValidationError(
                [
                    Problem(
                        f"{name} 应为 {list(allowed)} 之一 / {name} must be one of {list(allowed)}",
                        source="build_panel",
                        column=name,
                        value=value,
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
    failed: dict[Any, str] = {}

    def attempt(t: Any, run: Any) -> Any:
        try:
            return run()
        except ValidationError as exc:
            if on_error == "raise":
                raise
            failed[t] = str(exc)
            return None

    if normalise == "per_period" or "normalise" not in spec:
        evs = {
            t: attempt(t, lambda t=t: build(fw, idata, spec, seed=seed, time=t)) for t in periods
        }
        return Panel({t: e for t, e in evs.items() if e is not None}, normalise, failed)
    treated_spec = set_params(spec, normalise=None, aggregate=None)
    treated = {
        t: attempt(
            t, lambda t=t: build(fw, idata, treated_spec, seed=seed, time=t).get_dset("Treated")
        )
        for t in periods
    }
    built = [t for t in periods if treated[t] is not None]
    evs = {}
    for t in built:
        pool = np.concatenate(
            [treated[s].to_numpy() for s in built if s != t] or [np.empty((0, treated[t].shape[1]))]
        )
        ev = attempt(
            t, lambda t=t, pool=pool: build(fw, idata, spec, seed=seed, time=t, normalise_pool=pool)
        )
        if ev is not None:
            evs[t] = ev
    return Panel(evs, normalise, failed)


def history(ev: Evaluation, *, on_error: str = "record") -> Panel:
    """The panel of ``ev``'s period and every earlier period of its data, built the same way.

    Each earlier period present in ``ev.idata`` is built with ``ev``'s framework, spec and
    seed, on its own (as ``ev`` was), and ``ev`` is the last period. A period that cannot
    be built with that spec (e.g. an indicator constant that year) is named in
    ``Panel.failed`` with its problems (``on_error="raise"`` stops instead). Data without
    a ``Time`` column give a panel of ``ev`` alone. For a period of a globally normalised
    panel, use that panel itself.
    """
    key = ev.time if ev.time is not None else "current"
    if ev.time is None or "Time" not in ev.idata.columns:
        return Panel({key: ev}, "per_period")
    earlier = sorted(t for t in ev.idata["Time"].dropna().unique().tolist() if t < ev.time)
    if not earlier:
        return Panel({key: ev}, "per_period")
    past = build_panel(
        ev.source_framework or ev.framework,
        ev.idata,
        dict(ev.spec),
        seed=ev.seed,
        normalise="per_period",
        times=earlier,
        on_error=on_error,
    )
    return Panel({**past.evaluations, key: ev}, "per_period", past.failed)
