"""Weights from a regression of an external outcome on the indicators.

Source: the regression approach to weighting of the JRC's composite-indicator
toolbox (Nardo, Saisana, Saltelli & Tarantola 2005, *Tools for Composite
Indicators Building*, EUR 21682 EN: a linear regression of an output objective
on the indicators, whose coefficients serve as weights). Estimation:
statsmodels OLS.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import ProblemList
from .result import WeightResult, as_directions, check_matrix

__all__ = ["regression"]


def regression(
    X: pd.DataFrame,
    outcome: pd.Series | Mapping[str, float],
    *,
    directions: Mapping[str, float] | None = None,
    alpha: float = 0.05,
) -> WeightResult:
    """OLS of ``outcome`` (e.g. a satisfaction survey score by unit) on ``X``.

    ``outcome``: Series indexed like ``X`` (uCode); every unit of ``X`` needs a
    value (a missing unit is an error naming it). The model has an intercept;
    the weights are the slope coefficients with negative ones set to 0,
    rescaled to sum to 1. Conventions: pass comparable data (e.g. the
    Normalised dataset) so that coefficients are comparable; a cost indicator
    (``directions`` −1) enters as ``−x``; a negative coefficient (the
    indicator works against the outcome) and a coefficient not significant at
    ``alpha`` are named in the warnings. Diagnostics: ``ols`` (the statsmodels
    results: ``ols.summary()``), ``coefficients`` (coef, se, t, p),
    ``rsquared``.
    """
    import statsmodels.api as sm

    check_matrix(X, "regression", min_units=X.shape[1] + 2).raise_if_any(
        "invalid data for regression weights"
    )
    d = as_directions(directions, X.columns, "regression")
    y = pd.Series(outcome, dtype=float)
    problems = ProblemList()
    missing = [u for u in X.index if u not in y.index or pd.isna(y.get(u))]
    for u in missing:
        problems.add(
            "no outcome value for this unit; give every unit an outcome or drop the unit",
            source="regression",
            row=u,
            column="outcome",
        )
    problems.raise_if_any("regression outcome does not cover the units")
    x = X.to_numpy(dtype=float) * d
    fit = sm.OLS(y.loc[X.index].to_numpy(), sm.add_constant(x, has_constant="add")).fit()
    names = ["const", *X.columns]
    coef = pd.DataFrame(
        {"coef": fit.params, "se": fit.bse, "t": fit.tvalues, "p": fit.pvalues},
        index=pd.Index(names, name="term"),
    )
    slopes = coef.loc[list(X.columns), "coef"]
    warnings = [
        f"{c}: 系数为负，权重设为0 / negative coefficient {v:.4g}, weight set to 0"
        for c, v in slopes.items()
        if v < 0
    ]
    warnings += [
        f"{c}: 系数不显著 / coefficient not significant (p = {p:.3f} ≥ {alpha})"
        for c, p in coef.loc[list(X.columns), "p"].items()
        if p >= alpha
    ]
    pos = np.clip(slopes.to_numpy(), 0, None)
    if pos.sum() <= 0:
        problems.add(
            "every coefficient is negative or zero: the outcome cannot justify weights",
            source="regression",
        )
        problems.raise_if_any("regression gives no weights")
    return WeightResult(
        pd.Series(pos / pos.sum(), index=pd.Index(X.columns, name="iCode")),
        method="regression (OLS)",
        source="Nardo et al. (2005) Tools for Composite Indicators Building, EUR 21682 "
        "(regression approach); statsmodels OLS",
        conventions="intercept included; negative coefficients → weight 0; cost indicators "
        "enter as −x",
        tables={"coefficients / 系数": coef},
        warnings=warnings,
        ols=fit,
        coefficients=coef,
        rsquared=float(fit.rsquared),
        n_units=int(fit.nobs),
    )
