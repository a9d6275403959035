"""Objective (data-driven) weights: entropy, CRITIC, standard deviation, MEREC.

Each takes ``X`` (DataFrame, units × indicators, complete) and ``directions=``
(code → ±1, default +1: higher is better) and states its conventions on zeros,
negative values and cost indicators, where published implementations differ.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import ProblemList
from .result import WeightResult, as_directions, check_domain, check_matrix, reflect_costs

__all__ = ["critic", "entropy", "merec", "std"]


def _prepare(X: pd.DataFrame, model: str, directions) -> tuple[np.ndarray, np.ndarray]:
    check_matrix(X, model).raise_if_any(f"invalid data for {model} weights")
    return X.to_numpy(dtype=float), as_directions(directions, X.columns, model)


def _result(X: pd.DataFrame, w: np.ndarray, **kw) -> WeightResult:
    return WeightResult(pd.Series(w, index=pd.Index(X.columns, name="iCode")), **kw)


def _constant_columns(x: np.ndarray, X: pd.DataFrame, model: str) -> None:
    problems = ProblemList()
    for j in np.flatnonzero(np.ptp(x, axis=0) == 0):
        problems.add(
            f"indicator is constant over the units; {model} cannot weight it (exclude it)",
            source=model,
            column=X.columns[j],
            value=x[0, j],
        )
    problems.raise_if_any(f"invalid data for {model} weights")


def entropy(X: pd.DataFrame, *, directions: Mapping[str, float] | None = None) -> WeightResult:
    """Shannon-entropy weights (Hwang & Yoon 1981, *Multiple Attribute Decision
    Making*, Springer, pp. 52–54; Zeleny 1982).

    ``p_ij = x_ij / Σ_i x_ij``; ``E_j = −(1/ln n) Σ_i p_ij ln p_ij`` with
    ``0 ln 0 = 0`` (the limit); ``w_j = (1 − E_j) / Σ_k (1 − E_k)``.
    Conventions: values must be ≥ 0 (negative values are an error: normalise
    first, e.g. ``dset: Normalised`` with min-max); a zero contributes nothing
    (the limit ``0 ln 0 = 0``, not an exclusion of the whole column as in some
    implementations); a cost indicator (direction −1) is reflected as
    ``max + min − x`` before the shares are taken (keeps its range and
    non-negativity). A column of zeros is an error.
    """
    x, d = _prepare(X, "entropy", directions)
    problems = check_domain(
        x, X, "entropy", "entropy weights need non-negative values; normalise first (e.g. min-max)"
    )
    problems.raise_if_any("invalid data for entropy weights")
    x = reflect_costs(x, d)
    total = x.sum(axis=0)
    for j in np.flatnonzero(total == 0):
        problems.add("indicator is zero for every unit", source="entropy", column=X.columns[j])
    problems.raise_if_any("invalid data for entropy weights")
    p = x / total
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = -plogp.sum(axis=0) / np.log(len(x))
    div = 1.0 - e
    return _result(
        X,
        div / div.sum(),
        method="entropy",
        source="Hwang & Yoon (1981) Multiple Attribute Decision Making, pp. 52–54",
        conventions="x ≥ 0 required; 0·ln 0 = 0; cost indicators reflected as max+min−x",
        tables={"entropy / 熵": pd.DataFrame({"E": e, "1-E": div}, index=X.columns)},
        entropy=pd.Series(e, index=X.columns),
    )


def std(X: pd.DataFrame, *, directions: Mapping[str, float] | None = None) -> WeightResult:
    """Standard-deviation weights ``w_j = σ_j / Σ_k σ_k`` (Diakoulaki et al. 1995,
    *Computers & OR* 22(7): 763–770, §2; Jahan & Edwards 2013, *Materials & Design*
    49: 1000–1008).

    Conventions: σ is taken on the values as given, so pass comparable
    (normalised) data; directions do not change a standard deviation and are
    accepted for a uniform interface; zeros and negative values are ordinary
    values. A constant indicator gets weight 0.
    """
    x, _ = _prepare(X, "std", directions)
    s = x.std(axis=0, ddof=1)
    if s.sum() == 0:
        _constant_columns(x, X, "std")
    return _result(
        X,
        s / s.sum(),
        method="std",
        source="Diakoulaki et al. (1995) Computers & OR 22(7): 763–770; "
        "Jahan & Edwards (2013) Materials & Design 49: 1000–1008",
        conventions="σ (n−1) of the data as given; pass normalised data; directions unused",
        sd=pd.Series(s, index=X.columns),
    )


def critic(X: pd.DataFrame, *, directions: Mapping[str, float] | None = None) -> WeightResult:
    """CRITIC weights (Diakoulaki, Mavrotas & Papayannakis 1995, *Computers & OR*
    22(7): 763–770).

    Each column is scaled to [0, 1] from its worst to its best value (``(x −
    min)/(max − min)``; reversed for direction −1), ``σ_j`` is its standard
    deviation and ``r_jk`` the Pearson correlation; ``C_j = σ_j Σ_k (1 − r_jk)``
    and ``w_j = C_j / Σ_k C_k``. Conventions: zeros and negative values are
    ordinary values (the scaling is affine); cost indicators are reversed by
    the scaling; a constant indicator is an error (its correlation is undefined).
    """
    x, d = _prepare(X, "critic", directions)
    _constant_columns(x, X, "critic")
    lo, hi = x.min(axis=0), x.max(axis=0)
    z = np.where(d > 0, (x - lo) / (hi - lo), (hi - x) / (hi - lo))
    s = z.std(axis=0, ddof=1)
    r = np.corrcoef(z, rowvar=False)
    c = s * (1.0 - r).sum(axis=0)
    return _result(
        X,
        c / c.sum(),
        method="critic",
        source="Diakoulaki, Mavrotas & Papayannakis (1995) Computers & OR 22(7): 763–770",
        conventions="min-max scaling worst→best (cost indicators reversed); σ with n−1; Pearson r",
        tables={
            "CRITIC": pd.DataFrame(
                {"sigma": s, "conflict": (1.0 - r).sum(axis=0), "C": c}, index=X.columns
            )
        },
        correlation=pd.DataFrame(r, index=X.columns, columns=X.columns),
    )


def merec(X: pd.DataFrame, *, directions: Mapping[str, float] | None = None) -> WeightResult:
    """MEREC weights (Keshavarz-Ghorabaee et al. 2021, *Symmetry* 13: 525, §3, Eqs. 1–6).

    ``n_ij = min_k x_kj / x_ij`` for a benefit and ``x_ij / max_k x_kj`` for a
    cost indicator; ``S_i = ln(1 + (1/m) Σ_j |ln n_ij|)``; ``S'_ij`` the same
    with indicator ``j`` removed; ``E_j = Σ_i |S'_ij − S_i|``; ``w = E / ΣE``.
    Conventions: values must be > 0 (the method's logarithms; zero or negative
    values are an error — shift or normalise to a positive range, e.g. min-max
    on [1, 100]); directions enter through the normalisation, as in the paper.
    """
    x, d = _prepare(X, "merec", directions)
    problems = check_domain(
        x,
        X,
        "merec",
        "MEREC needs strictly positive values; rescale (e.g. min-max on [1, 100])",
        strict=True,
    )
    problems.raise_if_any("invalid data for MEREC weights")
    n = np.where(d > 0, x.min(axis=0) / x, x / x.max(axis=0))
    m = x.shape[1]
    a = np.abs(np.log(n))
    total = a.sum(axis=1, keepdims=True)
    s = np.log1p(total / m)
    s_removed = np.log1p((total - a) / m)
    e = np.abs(s_removed - s).sum(axis=0)
    return _result(
        X,
        e / e.sum(),
        method="merec",
        source="Keshavarz-Ghorabaee et al. (2021) Symmetry 13: 525, Eqs. 1–6",
        conventions="x > 0 required; benefit n=min/x, cost n=x/max (as published)",
        removal_effect=pd.Series(e, index=X.columns),
    )
