"""Objective (data-driven) weights: entropy, CRITIC, standard deviation, MEREC, CILOS,
IDOCRIW, Gini, LOPCOW, variance, angle.

Each takes ``X`` (DataFrame, units × indicators, complete) and ``directions=``
(code → ±1, default +1: higher is better) and states its conventions on zeros,
negative values and cost indicators, where published implementations differ.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import Problem, ProblemList, ValidationError
from .result import WeightResult, as_directions, check_domain, check_matrix, reflect_costs

__all__ = [
    "angle",
    "cilos",
    "critic",
    "entropy",
    "gini",
    "idocriw",
    "lopcow",
    "merec",
    "std",
    "variance",
]


def _prepare(X: pd.DataFrame, model: str, directions) -> tuple[np.ndarray, np.ndarray]:
    check_matrix(X, model).raise_if_any(f"invalid data for {model} weights")
    return X.to_numpy(dtype=float), as_directions(directions, X.columns, model)


def _result(X: pd.DataFrame, w: np.ndarray, **kw) -> WeightResult:
    return WeightResult(pd.Series(w, index=pd.Index(X.columns, name="iCode")), **kw)


def _proportional(
    X: pd.DataFrame, x: np.ndarray, score: np.ndarray, model: str, **kw
) -> WeightResult:
    """Weights proportional to a per-indicator ``score`` (σ, Gini, variance, angle) that is 0
    for a constant indicator; every indicator constant is refused."""
    if score.sum() == 0:
        _constant_columns(x, X, model)
    return _result(X, score / score.sum(), method=model, **kw)


def _worst_to_best(x: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Each column scaled to [0, 1] from its worst to its best value (reversed for direction
    −1); a constant column is 0."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    return np.where(d > 0, x - lo, hi - x) / span


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
        x,
        X,
        "entropy",
        "熵权需要非负值，请先标准化（如 min-max） / entropy weights need non-negative values; "
        "normalise first (e.g. min-max)",
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
    return _proportional(
        X,
        x,
        s,
        "std",
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
    z = _worst_to_best(x, d)
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
        "MEREC 需要严格为正的值，请重新缩放（如 min-max 到 [1, 100]） / MEREC needs strictly "
        "positive values; rescale (e.g. min-max on [1, 100])",
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


def _positive_sums(x: np.ndarray, X: pd.DataFrame, model: str) -> ProblemList:
    """Values ≥ 0 and a column total > 0: what sum-normalising ``x / Σx`` needs."""
    problems = check_domain(
        x, X, model, f"{model} 权重需要非负值 / {model} weights need values ≥ 0; normalise first"
    )
    for j in np.flatnonzero(x.sum(axis=0) == 0):
        problems.add(
            "该指标对所有单位均为 0 / indicator is zero for every unit",
            source=model,
            column=X.columns[j],
        )
    return problems


def _cilos_q(x: np.ndarray, d: np.ndarray, X: pd.DataFrame, model: str) -> np.ndarray:
    """CILOS weights (Zavadskas & Podvezko 2016, §3.2, Eqs. 9–13) as an array."""
    problems = _positive_sums(x, X, model)
    problems.extend(
        check_domain(
            np.where(d < 0, x, 1.0),
            X,
            model,
            f"{model} 的成本型指标需要大于 0 的值（取 min/x） / {model} needs cost indicators "
            "above 0 (it takes min/x)",
            strict=True,
        )
    )
    problems.raise_if_any(f"invalid data for {model} weights")
    _constant_columns(x, X, model)  # it would lose nothing anywhere: F has a zero column
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.where(d < 0, x.min(axis=0) / x, x)
    r = y / y.sum(axis=0)
    a = r[np.argmax(r, axis=0)]  # row k: the unit with the largest value of indicator k
    top = np.diag(a)
    p = (top - a) / top  # p_kj: relative loss on j when the best unit on k is chosen
    f = p - np.diag(p.sum(axis=0))
    from scipy.linalg import null_space  # imported when these weights are computed

    q = null_space(f)
    if q.shape[1] != 1:
        raise ValidationError(
            [
                Problem(
                    f"{model} 权重不唯一：损失矩阵的零空间维数为 {q.shape[1]}（如某单位在每个指标上"
                    f"都最好） / {model} weights are not unique: the impact-loss system has a "
                    f"{q.shape[1]}-dimensional solution (e.g. one unit is best on every indicator)",
                    source=model,
                    value=q.shape[1],
                )
            ],
            title=f"invalid data for {model} weights",
        )
    q = q[:, 0] / q[:, 0].sum()
    return np.where(np.abs(q) < 1e-15, 0.0, q)


def cilos(X: pd.DataFrame, *, directions: Mapping[str, float] | None = None) -> WeightResult:
    """CILOS weights: the criterion impact loss (Zavadskas & Podvezko 2016, *Int. J.
    Information Technology & Decision Making* 15(2): 267–283, §3.2, Eqs. 9–13).

    Cost indicators become ``min/x``; columns are divided by their sums (``r``); ``a_kj`` is
    ``r`` of the unit that is best on indicator k; ``p_kj = (a_jj − a_kj)/a_jj`` is the
    relative loss on j when that unit is chosen; ``F = P`` with diagonal ``−Σ_k p_kj``; the
    weights solve ``F q = 0``, ``Σ q = 1`` (SciPy ``null_space``). Conventions: values ≥ 0
    and > 0 for cost indicators; ties for the best unit go to the first (as pymcdm); a
    constant indicator is refused (pymcdm then gives it all the weight), and so are weights
    that are not unique (e.g. one unit best everywhere).
    """
    x, d = _prepare(X, "cilos", directions)
    q = _cilos_q(x, d, X, "cilos")
    return _result(
        X,
        q,
        method="cilos",
        source="Zavadskas & Podvezko (2016) IJITDM 15(2): 267–283, Eqs. 9–13",
        conventions="x ≥ 0 (cost: x > 0, taken as min/x); sum normalisation; first best unit",
    )


def idocriw(X: pd.DataFrame, *, directions: Mapping[str, float] | None = None) -> WeightResult:
    """IDOCRIW weights ``ω_j = q_j W_j / Σ_k q_k W_k`` (Zavadskas & Podvezko 2016,
    *IJITDM* 15(2): 267–283, §3.3, Eq. 14).

    ``W`` are the entropy weights of the data as given (:func:`entropy` without directions,
    as in the paper), ``q`` the CILOS weights (:func:`cilos`, with directions). Conventions:
    those of both; a zero adds nothing to the entropy (0·ln 0 = 0), whereas pymcdm sets the
    entropy of a column holding a zero to 0.
    """
    x, d = _prepare(X, "idocriw", directions)
    q = _cilos_q(x, d, X, "idocriw")
    e = entropy(X).weights.to_numpy()
    omega = q * e / (q * e).sum()
    return _result(
        X,
        omega,
        method="idocriw",
        source="Zavadskas & Podvezko (2016) IJITDM 15(2): 267–283, Eq. 14",
        conventions="entropy of the data as given × CILOS (cost: min/x)",
        tables={"IDOCRIW": pd.DataFrame({"entropy": e, "cilos": q}, index=X.columns)},
    )


def gini(X: pd.DataFrame, *, directions: Mapping[str, float] | None = None) -> WeightResult:
    """Gini-coefficient weights (Li & Chi 2009, *Proc. 1st Int. Conf. Information Science
    and Engineering*, IEEE, pp. 3726–3729).

    ``G_j = Σ_i Σ_k |x_ij − x_kj| / (2 n² μ_j)`` (computed from the sorted column as
    ``Σ_i (2i − n − 1) x_(i) / (n Σ_i x_ij)``); ``w = G / ΣG``. Conventions: values ≥ 0
    with a positive total (the coefficient is relative to the mean); directions do not
    enter (as pymcdm and scikit-criteria); a constant indicator gets weight 0.
    """
    x, _ = _prepare(X, "gini", directions)
    _positive_sums(x, X, "gini").raise_if_any("invalid data for gini weights")
    n = len(x)
    rank_weight = 2 * np.arange(1, n + 1) - n - 1
    g = (rank_weight[:, None] * np.sort(x, axis=0)).sum(axis=0) / (n * x.sum(axis=0))
    return _proportional(
        X,
        x,
        g,
        "gini",
        source="Li & Chi (2009) Proc. ICISE, IEEE, pp. 3726–3729",
        conventions="x ≥ 0; Gini coefficient of the data as given; directions unused",
        coefficient=pd.Series(g, index=X.columns),
    )


def lopcow(X: pd.DataFrame, *, directions: Mapping[str, float] | None = None) -> WeightResult:
    """LOPCOW weights (Ecer & Pamučar 2022, *Omega* 112: 102690, §3.1, Eqs. 1–3).

    Each column is min-max scaled from worst to best (``r``); ``PV_j = |100 · ln(√(Σ_i
    r_ij²/m) / σ_j)|`` with σ the standard deviation (n − 1, as pymcdm; it reproduces the
    paper's example); ``w = PV / ΣPV``. Conventions: any real values; a constant indicator
    is refused (σ = 0).
    """
    x, d = _prepare(X, "lopcow", directions)
    _constant_columns(x, X, "lopcow")
    r = _worst_to_best(x, d)
    pv = np.abs(100 * np.log(np.sqrt((r**2).mean(axis=0)) / r.std(axis=0, ddof=1)))
    return _result(
        X,
        pv / pv.sum(),
        method="lopcow",
        source="Ecer & Pamučar (2022) Omega 112: 102690, Eqs. 1–3",
        conventions="min-max scaling worst→best; σ with n−1; constant column: error",
        pv=pd.Series(pv, index=X.columns),
    )


def variance(X: pd.DataFrame, *, directions: Mapping[str, float] | None = None) -> WeightResult:
    """Statistical-variance weights (Rao & Patel 2010, *Materials & Design* 31: 4738–4747,
    Eq. 7; Odu 2019, *J. Appl. Sci. Environ. Manage.* 23(8): 1449–1457).

    Each column is min-max scaled to [0, 1]; ``w_j = V_j / Σ V`` with ``V_j`` its variance
    (the factor 1/n or 1/(n − 1) cancels). Conventions: any real values; directions do not
    change a variance; a constant indicator gets weight 0.
    """
    x, d = _prepare(X, "variance", directions)
    v = _worst_to_best(x, d).var(axis=0, ddof=1)
    return _proportional(
        X,
        x,
        v,
        "variance",
        source="Rao & Patel (2010) Materials & Design 31: 4738–4747; Odu (2019) JASEM 23(8)",
        conventions="variance of min-max scaled data; directions unused",
        variance=pd.Series(v, index=X.columns),
    )


def angle(X: pd.DataFrame, *, directions: Mapping[str, float] | None = None) -> WeightResult:
    """Angular weights (Shuai, Zongzhun, Yongji & Lei 2012, *24th Chinese Control and
    Decision Conference*, IEEE, pp. 3889–3892).

    Columns are divided by their sums (``r``); ``θ_j`` is the angle between column j and
    the uniform vector (every unit equal): ``θ_j = arccos(Σ_i r_ij / (√n ‖r_j‖))``; ``w =
    θ / Σθ``. Conventions: values ≥ 0 with a positive total; directions do not enter (as
    pymcdm); a constant indicator has angle 0 and weight 0.
    """
    x, _ = _prepare(X, "angle", directions)
    _positive_sums(x, X, "angle").raise_if_any("invalid data for angle weights")
    r = x / x.sum(axis=0)
    cos = r.sum(axis=0) / (np.sqrt(len(r)) * np.sqrt((r**2).sum(axis=0)))
    theta = np.where(np.ptp(x, axis=0) > 0, np.arccos(np.clip(cos, -1.0, 1.0)), 0.0)
    return _proportional(
        X,
        x,
        theta,
        "angle",
        source="Shuai et al. (2012) Proc. 24th CCDC, IEEE, pp. 3889–3892",
        conventions="x ≥ 0; sum normalisation; angle to the uniform vector; directions unused",
        angle=pd.Series(theta, index=X.columns),
    )
