"""Weights from principal components / factor analysis (OECD/JRC Handbook 2008 §6.1).

The Handbook's procedure (pp. 89–91, Tables 16–18, the TAI example):

1. correlation matrix of the indicators; its eigenvalues give each component's
   share of the variance (Table 16);
2. retention: factors with eigenvalue > 1 or explaining > 10 % of the variance
   each (the Handbook keeps TAI's fourth factor, eigenvalue 0.9 and 11.1 %, so
   the two conditions act as alternatives), extended until they explain > 60 %
   together; or an explicit ``n_factors``;
3. varimax rotation with Kaiser normalisation (Kaiser 1958) of the retained
   loadings (Table 17);
4. squared loadings scaled to unit sum within each factor (Table 17, right);
5. each indicator is weighted by its squared scaled loading on the factor
   where that loading is largest, times that factor's share of the rotated
   explained variance; the weights are rescaled to sum to 1 (Table 18).

``pca`` extracts principal components (loadings = eigenvectors × √eigenvalue,
the Handbook's TAI example); ``factor`` extracts maximum-likelihood factors
(statsmodels ``Factor(method="ml")``) and then follows steps 3–5.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import ProblemList
from .result import WeightResult, check_matrix

__all__ = ["factor", "max_ml_factors", "pca", "retained_factors"]

_SOURCE = (
    "OECD/JRC Handbook on Constructing Composite Indicators (2008) §6.1, pp. 89–91, Tables 16–18"
)


def retained_factors(eigenvalues: np.ndarray) -> int:
    """The Handbook's retention rule (§6.1, p. 90) applied to sorted eigenvalues."""
    share = eigenvalues / eigenvalues.sum()
    k = 0
    while k < len(share) and (eigenvalues[k] > 1 or share[k] > 0.10):
        k += 1
    while k < len(share) and share[:k].sum() <= 0.60:
        k += 1
    return max(k, 1)


def _varimax_kaiser(loadings: np.ndarray) -> np.ndarray:
    """Varimax with Kaiser normalisation: rows scaled to unit communality, rotated, rescaled."""
    from statsmodels.multivariate.factor_rotation import rotate_factors

    if loadings.shape[1] == 1:
        return loadings
    h = np.sqrt((loadings**2).sum(axis=1, keepdims=True))
    with np.errstate(divide="ignore"):  # statsmodels logs log10(0) once converged
        rotated, _ = rotate_factors(loadings / h, "varimax")
    rotated = rotated * h
    # sign convention: each factor's largest loading positive
    signs = np.sign(rotated[np.argmax(np.abs(rotated), axis=0), range(rotated.shape[1])])
    return rotated * signs


def _weights_from_loadings(
    X: pd.DataFrame,
    loadings: np.ndarray,
    eig: np.ndarray,
    extraction: str,
    n_factors: int,
    warnings: list[str] | None = None,
) -> WeightResult:
    codes = pd.Index(X.columns, name="iCode")
    names = [f"F{k + 1}" for k in range(loadings.shape[1])]
    sq = loadings**2
    explained = sq.sum(axis=0)
    scaled = sq / explained
    factor_share = explained / explained.sum()
    dominant = np.argmax(scaled, axis=1)
    raw = scaled[np.arange(len(codes)), dominant] * factor_share[dominant]
    w = pd.Series(raw / raw.sum(), index=codes)
    share = eig / eig.sum()
    variance = pd.DataFrame(
        {"eigenvalue": eig, "variance_share": share, "cumulative": np.cumsum(share)},
        index=pd.Index(range(1, len(eig) + 1), name="component"),
    )
    load = pd.DataFrame(loadings, index=codes, columns=names)
    scaled_df = pd.DataFrame(scaled, index=codes, columns=names)
    expl = pd.DataFrame({"explained_variance": explained, "share": factor_share}, index=names)
    return WeightResult(
        w,
        method=f"{extraction} (Handbook §6.1)",
        source=_SOURCE,
        conventions="correlation matrix (standardised indicators); varimax with Kaiser "
        "normalisation; weight = scaled squared loading on the dominant factor × the factor's "
        "share of rotated explained variance; directions do not enter (pass data with "
        "directions applied, e.g. the Normalised dataset)",
        tables={
            "eigenvalues / 特征值": variance,
            "rotated loadings / 旋转载荷": load,
            "squared loadings scaled to unity sum / 标准化平方载荷": scaled_df,
            "factor variance / 因子方差": expl,
        },
        warnings=warnings,
        n_factors=n_factors,
        loadings=load,
        scaled_loadings=scaled_df,
        variance=variance,
        factor_variance=expl,
        dominant_factor=pd.Series([names[k] for k in dominant], index=codes),
    )


def _check(X: pd.DataFrame, model: str, n_factors: int | None) -> np.ndarray:
    problems = check_matrix(X, model, min_units=3)
    problems.raise_if_any(f"invalid data for {model} weights")
    x = X.to_numpy(dtype=float)
    for j in np.flatnonzero(np.ptp(x, axis=0) == 0):
        problems.add(
            "indicator is constant; its correlations are undefined (exclude it)",
            source=model,
            column=X.columns[j],
        )
    if X.shape[1] < 2:
        problems.add("at least two indicators are needed", source=model, value=X.shape[1])
    if n_factors is not None and not (1 <= n_factors <= X.shape[1]):
        problems.add(
            f"n_factors must be between 1 and {X.shape[1]}",
            source=model,
            column="n_factors",
            value=n_factors,
        )
    problems.raise_if_any(f"invalid data for {model} weights")
    return x


def _eigen(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r = np.corrcoef(x, rowvar=False)
    vals, vecs = np.linalg.eigh(r)
    order = np.argsort(vals)[::-1]
    return np.clip(vals[order], 0, None), vecs[:, order]


def pca(X: pd.DataFrame, *, n_factors: int | None = None) -> WeightResult:
    """Handbook (2008) §6.1 weights from principal components (the TAI procedure).

    ``n_factors=None`` applies the Handbook's retention rule (see module
    docstring). Diagnostics: ``n_factors``, ``variance`` (eigenvalues and
    shares, Table 16), ``loadings`` (rotated, Table 17), ``scaled_loadings``,
    ``factor_variance``, ``dominant_factor``.
    """
    x = _check(X, "pca", n_factors)
    eig, vecs = _eigen(x)
    k = n_factors or retained_factors(eig)
    loadings = _varimax_kaiser(vecs[:, :k] * np.sqrt(eig[:k]))
    return _weights_from_loadings(X, loadings, eig, "pca", k)


def max_ml_factors(p: int) -> int:
    """The most factors an ML factor model of ``p`` indicators can identify: the largest
    ``k`` with ``((p − k)² − (p + k))/2 ≥ 0`` degrees of freedom (Ledermann 1937; R's
    ``factanal`` refuses more: "k factors are too many for p variables"). 0 for p ≤ 2."""
    return max((k for k in range(p) if (p - k) ** 2 - (p + k) >= 0), default=0)


def factor(X: pd.DataFrame, *, n_factors: int | None = None, seed: int = 0) -> WeightResult:
    """Handbook (2008) §6.1 weights from maximum-likelihood factor analysis.

    Factors are extracted by statsmodels ``Factor(method="ml")`` on the
    standardised indicators, then rotated and turned into weights as in
    :func:`pca`. ``n_factors=None``: the Handbook's retention rule on the
    correlation matrix's eigenvalues, capped at the most factors the ML model can
    identify (:func:`max_ml_factors`: 1 for 3–4 indicators, 2 for 5, …; a note says
    so); fewer than 3 indicators cannot carry an ML factor model (use :func:`pca`).
    ``seed`` seeds the random starting loadings of statsmodels' EM steps, so the same
    data give the same weights. A uniqueness at or below 0.01 is reported as a Heywood
    case (R's ``factanal`` bounds uniquenesses at 0.005).
    """
    from statsmodels.multivariate.factor import Factor

    x = _check(X, "factor", n_factors)
    eig, _ = _eigen(x)
    p = X.shape[1]
    k_max = max_ml_factors(p)
    problems = ProblemList()
    notes = []
    if k_max == 0:
        problems.add(
            f"极大似然因子分析至少需要 3 个指标（此处 {p} 个：单因子模型的自由度为负）；"
            "请改用 pca / "
            f"maximum-likelihood factor analysis needs at least 3 indicators ({p} here: a "
            "one-factor model has negative degrees of freedom); use pca",
            source="factor",
            column=", ".join(map(str, X.columns)),
        )
    elif n_factors is not None and n_factors > k_max:
        problems.add(
            f"{p} 个指标的极大似然因子模型最多识别 {k_max} 个因子 / a maximum-likelihood factor "
            f"model of {p} indicators identifies at most {k_max} factor(s)",
            source="factor",
            column="n_factors",
            value=n_factors,
        )
    problems.raise_if_any("invalid data for factor weights")
    k = n_factors or retained_factors(eig)
    if k > k_max:
        notes.append(
            f"按手册规则保留 {k} 个因子，但 {p} 个指标的极大似然模型最多识别 {k_max} 个，已取 "
            f"{k_max} 个 / the Handbook's rule retains {k} factors, but an ML model of {p} "
            f"indicators identifies at most {k_max}: {k_max} used"
        )
        k = k_max
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fa = Factor(x, n_factor=k, method="ml").fit(rng=np.random.default_rng(seed))
    if any("converge" in str(w.message) for w in caught):
        notes.append(
            "最大似然因子提取未收敛，权重取决于优化器 / the ML factor extraction did not "
            "converge; the weights depend on the optimiser (consider pca)"
        )
    heywood = [c for c, u in zip(X.columns, fa.uniqueness, strict=True) if u <= 0.01]
    if heywood:
        notes.append(
            f"Heywood 情形：{', '.join(map(str, heywood))} 的唯一方差接近 0 / Heywood case: "
            f"the uniqueness of {', '.join(map(str, heywood))} is about 0 (fewer factors, "
            "or pca)"
        )
    loadings = _varimax_kaiser(np.asarray(fa.loadings))
    return _weights_from_loadings(X, loadings, eig, "factor", k, notes)
