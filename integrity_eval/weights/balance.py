"""Correlation-balancing weights: COINr's ``get_opt_weights`` (``optype = "balance"``).

Source: COINr 1.1.14 ``get_opt_weights`` (R/weights.R), the linear version of
Becker, Saisana, Paruolo & Vandecasteele (2017) "Weights and importance in
composite indicators: Closing the gap", *Ecological Indicators* 80: 12–22.
The weights of every element at one ``level`` are searched so that the
correlations of those elements with the index, scaled to sum to 1, come as
close as possible to target importances: the objective is COINr's
``log(Σ (itarg − r/Σr)² / n)``, minimised by Nelder–Mead from the target
vector (COINr: R's ``optim`` with ``reltol = toler``, ``maxit = maxiter``).

:func:`optimise_weights` is the model on data (the normalised indicators, the framework and
the aggregation), as a build with ``weights: {method: optimise}`` calls it;
:func:`integrity_eval.weights.optimise` applies it to an Evaluation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ProblemList
from ..framework import Framework
from ..pipeline import aggregate
from .result import WeightResult

__all__ = ["check_settings", "optimise_weights"]


def check_settings(
    fw: Framework,
    level: Any,
    itarg: Any,
    cortype: Any,
    problems: ProblemList,
    source: str = "optimise",
) -> tuple[list[str], np.ndarray]:
    """Problems with optimisation settings, added to ``problems``; the level's codes and targets.

    Shared by :func:`optimise` and the spec check of ``weights: {method: optimise}``.
    """
    if cortype not in ("pearson", "spearman", "kendall"):
        problems.add(
            "cortype 应为 pearson、spearman 或 kendall / cortype must be pearson, spearman or "
            "kendall",
            source=source,
            column="cortype",
            value=cortype,
        )
    if not isinstance(level, int) or level not in range(1, fw.n_levels):
        problems.add(
            f"level 应为 1 到 {fw.n_levels - 1} 之间的层级 / level must be between 1 and "
            f"{fw.n_levels - 1} (1 = indicators; the index level has no siblings)",
            source=source,
            column="level",
            value=level,
        )
        return [], np.ones(0)
    codes = list(fw.codes_at(level))
    if isinstance(itarg, str):
        if itarg != "equal":
            problems.add(
                "itarg 应为 'equal' 或目标重要性 / itarg must be 'equal' or target importances",
                source=source,
                column="itarg",
                value=itarg,
            )
        return codes, np.ones(len(codes))
    if isinstance(itarg, Mapping):
        for c in [c for c in codes if c not in itarg]:
            problems.add(
                "缺少该代码的目标重要性 / no target importance for this code",
                source=source,
                column=c,
            )
        for c in [c for c in itarg if c not in codes]:
            problems.add(
                f"该代码不在第 {level} 层 / this code is not at level {level}",
                source=source,
                column=str(c),
            )
        target = np.array([float(itarg.get(c, 1.0)) for c in codes])
    else:
        target = np.asarray(itarg, dtype=float)
        if len(target) != len(codes):
            problems.add(
                f"itarg 需要第 {level} 层每个代码一个值 / itarg needs one value per code at "
                f"level {level} ({len(codes)})",
                source=source,
                column="itarg",
                value=len(target),
            )
    if len(target) and not (np.all(target >= 0) and target.sum() > 0):
        problems.add(
            "目标重要性应非负且不全为 0 / target importances must be ≥ 0 and not all 0",
            source=source,
            column="itarg",
            value=list(target),
        )
    return codes, target


def optimise_weights(
    X: pd.DataFrame,
    framework: Framework,
    aggregate_spec: Mapping[str, Any] | None = None,
    weights: pd.Series | None = None,
    *,
    level: int,
    itarg: str | Sequence[float] | Mapping[str, float] = "equal",
    cortype: str = "pearson",
    toler: float = 0.1,
    maxiter: int = 500,
) -> WeightResult:
    """Weights at ``level`` that balance the elements' correlations with the index.

    ``X``: the normalised indicators (units × indicator codes of ``framework``).
    ``aggregate_spec``: the resolved aggregate stage (default the arithmetic mean);
    ``weights``: the nominal weights of every code (default the framework's), of which
    the level's move and the rest stay as they are. ``level``: COINr's level number of the
    weighted elements (1 = indicators). ``itarg``: ``"equal"`` or target importances
    (sequence in the level's code order, or a mapping code → importance), scaled to sum
    to 1. ``cortype``: ``"pearson"``, ``"spearman"`` or ``"kendall"``.

    Nelder–Mead as R's ``optim``: the start is ``itarg``, the first simplex steps by 10 %
    of its largest value, and the search stops when the simplex's objective values differ
    by at most ``toler·(|f₀| + toler)`` or after ``maxiter`` evaluations. Convention:
    weights enter as ``|w|`` (COINr's optimiser may try negative weights; the kit's
    weights must be positive). Returns ``.weights`` (the level's weights, summing to 1
    within each parent), ``all_weights`` (every code's nominal weight with the level's
    optimised), ``level_weights`` (COINr's vector over the whole level), ``table``
    (COINr's ``CorrResultsNorm``: Desired, Obtained, OptWeight), ``converged``,
    ``n_evaluations`` and ``objective``.
    """
    fw = framework
    problems = ProblemList()
    codes, target = check_settings(fw, level, itarg, cortype, problems)
    problems.raise_if_any("invalid optimisation settings")
    target = target / target.sum()
    cfg = dict(aggregate_spec or {"method": "amean"})
    nominal = (fw.weights if weights is None else weights).astype(float)
    x = X[fw.indicators].to_numpy(dtype=float)
    units = list(X.index)
    state: dict[str, np.ndarray] = {}

    def with_level(w_level: np.ndarray) -> pd.Series:
        w = nominal.copy()
        w[codes] = w_level
        return w

    def correlations(w: pd.Series) -> np.ndarray:
        problems = ProblemList()
        cols, agg_codes = aggregate(fw, cfg, x, w, units, problems, problems.raise_if_any)
        table = pd.DataFrame(np.concatenate([x, cols], axis=1), columns=fw.indicators + agg_codes)
        return table[codes].corrwith(table[fw.root], method=cortype).to_numpy()

    def objective(w: np.ndarray) -> float:
        w = np.abs(w)
        if not w.sum() > 0:
            return np.inf
        crs = correlations(with_level(w / w.sum()))
        crs_n = crs / crs.sum()
        state["obtained"] = crs_n
        return float(np.log(((target - crs_n) ** 2).sum() / len(crs_n)))

    from scipy.optimize import minimize  # imported when weights are optimised, not by build

    f0 = objective(target)
    step = 0.1 * np.max(np.abs(target))
    simplex = np.vstack([target, target + step * np.eye(len(target))])
    res = minimize(
        objective,
        target,
        method="Nelder-Mead",
        options={
            "initial_simplex": simplex,
            "fatol": toler * (abs(f0) + toler),
            "xatol": np.inf,
            "maxfev": maxiter,
        },
    )
    w_level = np.abs(res.x) / np.abs(res.x).sum()
    best = with_level(w_level)
    obtained = correlations(best)
    obtained_n = obtained / obtained.sum()
    table = pd.DataFrame(
        {"Desired": target, "Obtained": obtained_n, "OptWeight": w_level},
        index=pd.Index(codes, name="iCode"),
    )
    within = best[codes].copy()
    for parent in {fw[c].parent for c in codes}:
        kids = fw.children[parent]
        within[kids] = within[kids] / within[kids].sum()
    return WeightResult(
        within,
        method="optimise (COINr get_opt_weights, balance)",
        source="COINr 1.1.14 get_opt_weights (optype 'balance'); Becker et al. (2017) "
        "Ecological Indicators 80: 12–22",
        conventions="objective log(mean((itarg − r/Σr)²)); Nelder–Mead from itarg as R's optim; "
        "weights enter as |w|",
        tables={"CorrResultsNorm": table},
        all_weights=best,
        level_weights=pd.Series(w_level, index=pd.Index(codes, name="iCode")),
        table=table,
        correlations=pd.Series(obtained, index=pd.Index(codes, name="iCode")),
        converged=bool(res.success),
        n_evaluations=int(res.nfev),
        objective=float(res.fun),
    )
