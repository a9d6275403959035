"""Multi-criteria aggregation beyond the weighted means (exported as ``ie.aggregate.*``).

- :func:`topsis` — Hwang & Yoon (1981) *Multiple Attribute Decision Making*,
  pp. 128–134; Tzeng & Huang (2011) *Multiple Attribute Decision Making:
  Methods and Applications*, ch. 4: vector normalisation, distances to the
  ideal and anti-ideal, relative closeness.
- :func:`mpi` / :func:`ampi` — Mazziotta & Pareto (2016) "On a generalized
  non-compensatory composite index for measuring socio-economic phenomena",
  *Social Indicators Research* 127: 983–1003 (MPI Eqs. 1–3; AMPI Eqs. 4–6).
- :func:`bod` — Benefit of the Doubt (see :mod:`integrity_eval.weights.bod`).
- :func:`kemeny_young` — the Condorcet–Kemeny–Young ranking of the OECD/JRC
  Handbook (2008) §6.12–6.13 (pp. 105–115; Munda & Nardo 2009).
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .dea import bod_scores, bounds_arrays
from .errors import Problem, ProblemList, ValidationError

__all__ = ["KemenyYoungResult", "ampi", "bod", "kemeny_young", "mpi", "topsis"]


def _frame_weights(X: pd.DataFrame, weights, source: str) -> np.ndarray:
    problems = ProblemList()
    if not isinstance(X, pd.DataFrame):
        problems.add("X must be a DataFrame (units × indicators)", source=source)
        problems.raise_if_any(f"invalid input for {source}")
    w = pd.Series(weights, dtype=float) if weights is not None else pd.Series(1.0, X.columns)
    for c in X.columns.difference(w.index):
        problems.add("no weight for this indicator", source=source, column=c)
    for c in w.index.difference(X.columns):
        problems.add("weight for a code not in X", source=source, column=c)
    for c, v in w.items():
        if not v >= 0:
            problems.add("weight must be ≥ 0", source=source, column=c, value=v)
    for c in X.columns[X.isna().any()]:
        problems.add(
            f"missing values; {source} needs complete data",
            source=source,
            column=c,
            row=", ".join(map(str, X.index[X[c].isna()][:5])),
        )
    problems.raise_if_any(f"invalid input for {source}")
    return w.reindex(X.columns).to_numpy()


def topsis(
    X: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series | None = None,
    directions: Mapping[str, float] | pd.Series | None = None,
    *,
    normalisation: str = "vector",
) -> pd.Series:
    """TOPSIS relative closeness ``C_i = D⁻_i / (D⁺_i + D⁻_i)`` in [0, 1] (1 = the ideal).

    ``r_ij = x_ij / √Σ_k x_kj²`` (vector normalisation, Hwang & Yoon's; or
    ``normalisation="minmax"``: ``(x − worst)/(best − worst)``, the linear
    variant of Opricovic & Tzeng 2004, EJOR 156: 445–455), ``v_ij = w_j r_ij``
    with weights rescaled to sum to 1; the ideal takes each column's best
    value (max for direction +1, min for −1), the anti-ideal its worst;
    ``D`` are Euclidean distances (Hwang & Yoon 1981; Tzeng & Huang 2011 ch. 4).
    Expects raw (or treated) values with a meaningful zero — not z-scores.
    """
    from .weights.result import as_directions

    w = _frame_weights(X, weights, "topsis")
    d = as_directions(directions, X.columns, "topsis")
    x = X.to_numpy(dtype=float)
    if normalisation == "vector":
        scale, zero = np.sqrt((x**2).sum(axis=0)), 0.0
        bad, rule = scale == 0, "column is zero for every unit"
    elif normalisation == "minmax":
        lo, hi = x.min(axis=0), x.max(axis=0)
        scale, zero = np.where(d > 0, hi - lo, lo - hi), np.where(d > 0, lo, hi)
        bad, rule = scale == 0, "column is constant over the units"
    else:
        raise ValidationError(
            [
                Problem(
                    "normalisation must be 'vector' or 'minmax'",
                    source="topsis",
                    column="normalisation",
                    value=normalisation,
                )
            ],
            title="invalid input for topsis",
        )
    if np.any(bad):
        raise ValidationError(
            [Problem(rule, source="topsis", column=c) for c in X.columns[bad]],
            title="invalid input for topsis",
        )
    if normalisation == "minmax":
        d = np.ones_like(d)  # the scaling already turned every column into "higher = better"
    v = (x - zero) / scale * (w / w.sum())
    best = np.where(d > 0, v.max(axis=0), v.min(axis=0))
    worst = np.where(d > 0, v.min(axis=0), v.max(axis=0))
    dp = np.sqrt(((v - best) ** 2).sum(axis=1))
    dm = np.sqrt(((v - worst) ** 2).sum(axis=1))
    return pd.Series(dm / (dp + dm), index=X.index, name="topsis")


def _penalised_mean(z: np.ndarray, w: np.ndarray, penalty: int) -> np.ndarray:
    """``M + penalty · S · cv`` per unit: the (weighted) mean ``M`` and standard deviation
    ``S`` of a unit's rescaled children, ``cv = S/M`` (Mazziotta & Pareto 2016, Eqs. 3, 6)."""
    ws = w / w.sum()
    m = (z * ws).sum(axis=-1)
    s = np.sqrt(((z - m[..., None]) ** 2 * ws).sum(axis=-1))
    return m + penalty * s * (s / m)


def mpi(x, w=None, penalty: int = -1):
    """Mazziotta–Pareto Index (Mazziotta & Pareto 2016, Eqs. 1–3).

    Each child is standardised over the units to ``z = 100 + 10 (x − μ)/σ``
    (population σ); per unit ``M`` and ``S`` are the (weighted) mean and
    standard deviation of its ``z``, ``cv = S/M``, and
    ``MPI = M + penalty · S · cv`` (``penalty = −1``: higher = better, the
    unbalanced unit is penalised). Normalisation expected: none — MPI
    standardises itself, so any linear normalisation before it (min-max,
    z-score) gives the same result. Array form ``mpi(x (..., units,
    children), w)`` (an aggregation method of the build) or DataFrame form
    ``mpi(X, weights) -> Series``. Units with a missing child get NaN.
    Convention: population standard deviations, as the paper's formulas; R's
    Compind ``ci_mpi`` uses sample variances (n − 1) in both places, so its
    values differ slightly from these.
    """
    if isinstance(x, pd.DataFrame):
        wa = _frame_weights(x, w, "mpi")
        return pd.Series(mpi(x.to_numpy(dtype=float), wa, penalty), index=x.index, name="mpi")
    w = np.ones(x.shape[-1]) if w is None else np.asarray(w, dtype=float)
    mu = x.mean(axis=-2, keepdims=True)
    sd = x.std(axis=-2, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(sd > 0, 100 + 10 * (x - mu) / sd, 100.0)
    return _penalised_mean(z, w, penalty)


def ampi(x, w=None, penalty: int = -1):
    """Adjusted Mazziotta–Pareto Index (Mazziotta & Pareto 2016, Eqs. 4–6).

    Each child is rescaled to ``r = 70 + 60 (x − min)/(max − min)`` with the
    units' minimum and maximum as goalposts (so r lies in [70, 130]); then
    ``AMPI = M_r + penalty · S_r · cv_r``. Normalisation expected: none — the
    min-max rescaling is built in, so any min-max normalisation before it gives
    the same result. Array or DataFrame form as :func:`mpi`.
    """
    if isinstance(x, pd.DataFrame):
        wa = _frame_weights(x, w, "ampi")
        return pd.Series(ampi(x.to_numpy(dtype=float), wa, penalty), index=x.index, name="ampi")
    w = np.ones(x.shape[-1]) if w is None else np.asarray(w, dtype=float)
    lo = x.min(axis=-2, keepdims=True)
    hi = x.max(axis=-2, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(hi > lo, 70 + 60 * (x - lo) / (hi - lo), 100.0)
    return _penalised_mean(r, w, penalty)


def bod(x, w=None, share_bounds=None, weight_bounds=None):
    """Benefit-of-the-Doubt scores in [0, 1] as an aggregation method.

    Array form ``bod(x (..., units, children), w)``: the nominal weights ``w``
    are not used (BoD chooses each unit's weights); a missing value counts as
    0 (no credit); values must be ≥ 0 (e.g. min-max normalised). DataFrame
    form ``bod(X) -> Series``. See :func:`integrity_eval.weights.bod`.
    """
    if isinstance(x, pd.DataFrame):
        from .weights.bod import bod as bod_model

        return bod_model(x, share_bounds=share_bounds, weight_bounds=weight_bounds).scores
    problems = ProblemList()
    y = np.nan_to_num(np.asarray(x, dtype=float), nan=0.0)
    if (y < 0).any():
        problems.add(
            "BoD needs non-negative values; normalise with min-max first",
            source="aggregate",
            column="bod",
            value=float(y.min()),
        )
    m = y.shape[-1]
    index = pd.Index(range(m))
    bounds = bounds_arrays(share_bounds, index, problems, source="aggregate.bod")
    wb = bounds_arrays(weight_bounds, index, problems, "aggregate.bod", "weight_bounds")
    problems.raise_if_any("cannot aggregate with bod")
    flat = y.reshape(-1, *y.shape[-2:])
    out = np.stack([bod_scores(block, bounds, weight_bounds=wb)[0] for block in flat])
    out = out.reshape(y.shape[:-1])
    return np.where(np.all(np.isnan(np.asarray(x, dtype=float)), axis=-1), np.nan, out)


# ------------------------------------------------------------------ Kemeny–Young
class KemenyYoungResult:
    """Condorcet–Kemeny–Young ranking: ``score`` of the best ranking, every best ranking.

    ``rankings``: list of tuples of unit codes, best first (several when tied);
    ``complete``: False when there were more best rankings than listed;
    ``ranking``: the first of them; ``outranking``: the weighted outranking
    matrix ``e_jk``; ``condorcet_winner``: the unit beating every other one
    pairwise, or ``None``.
    """

    def __init__(
        self,
        score: float,
        rankings: list[tuple],
        outranking: pd.DataFrame,
        complete: bool = True,
    ):
        self.score = score
        self.rankings = rankings
        self.complete = complete
        self.ranking = rankings[0]
        self.outranking = outranking
        e = outranking.to_numpy()
        beats = (e > e.T) | np.eye(len(e), dtype=bool)
        winners = [u for u, row in zip(outranking.index, beats, strict=True) if row.all()]
        self.condorcet_winner = winners[0] if winners else None

    def __repr__(self) -> str:
        more = f" (+{len(self.rankings) - 1} tied)" if len(self.rankings) > 1 else ""
        return (
            f"<KemenyYoungResult score={self.score:g}: {' > '.join(map(str, self.ranking))}{more}>"
        )

    def summary(self) -> str:
        lines = [
            "Kemeny–Young ranking / 凯梅尼-杨排序 (OECD/JRC Handbook 2008 §6.12–6.13)",
            f"score / 得分: {self.score:g}",
            f"Condorcet winner / 孔多塞胜者: {self.condorcet_winner}",
        ]
        if not self.complete:
            lines.append(
                f"仅列出前 {len(self.rankings)} 个最优排序 / first {len(self.rankings)} "
                "best rankings only (more tie)"
            )
        lines += [f"{k + 1}. {' > '.join(map(str, r))}" for k, r in enumerate(self.rankings)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>" + self.outranking.to_html()


def kemeny_young(
    X: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series | None = None,
    *,
    max_units: int = 12,
    max_rankings: int = 10_000,
) -> KemenyYoungResult:
    """The Condorcet–Kemeny–Young ranking of the units (Handbook 2008 §6.12–6.13, pp. 105–115).

    Indicators are the voters, with their weights: ``e_jk = Σ_i w_i [x_ij > x_ik]
    + ½ Σ_i w_i [x_ij = x_ik]`` (Munda & Nardo 2009). The best ranking
    maximises ``Σ_{j ranked above k} e_jk``; it is found exactly by dynamic
    programming over subsets (O(2ⁿ n²)), and every ranking attaining the
    maximum is returned — up to ``max_rankings`` of them (many ties, e.g. units
    equal on every indicator, give up to n! optimal rankings); ``complete``
    says whether the list is exhaustive. More than ``max_units`` units is
    refused with an error (the search grows as 2ⁿ).
    """
    w = _frame_weights(X, weights, "kemeny_young")
    n = len(X)
    if n > max_units:
        raise ValidationError(
            [
                Problem(
                    f"Kemeny–Young exact search is limited to {max_units} units (cost grows as "
                    f"2^n); rank a subset of units, or use aggregate method copeland",
                    source="kemeny_young",
                    value=str(n),
                )
            ],
            title="too many units for Kemeny–Young",
        )
    x = X.to_numpy(dtype=float)
    a = x[:, None, :]
    b = x[None, :, :]
    e = ((a > b) * w).sum(axis=-1) + 0.5 * ((a == b) * w).sum(axis=-1)
    np.fill_diagonal(e, 0.0)
    # f[S] = best score of an ordering of the set S placed at the top
    size = 1 << n
    f = np.full(size, -np.inf)
    f[0] = 0.0
    bits = np.array([1 << k for k in range(n)])
    for mask in range(size):
        if f[mask] == -np.inf:
            continue
        members = (mask & bits) > 0
        gain = e[members].sum(axis=0)  # Σ_{j in S} e_jk for every k
        for k in np.flatnonzero(~members):
            nxt = mask | (1 << k)
            f[nxt] = max(f[nxt], f[mask] + gain[k])
    best = f[size - 1]
    tol = 1e-9 * max(1.0, abs(best))
    codes = list(X.index)
    rankings: list[tuple] = []
    cut = False

    def extend(mask: int, order: list[int]) -> None:  # walk back along optimal steps
        nonlocal cut
        if len(rankings) >= max_rankings:
            cut = True  # every call lies on an optimal path: a further ranking exists
            return
        if mask == 0:
            rankings.append(tuple(codes[k] for k in reversed(order)))
            return
        for k in range(n):
            if mask & (1 << k):
                prev = mask ^ (1 << k)
                members = (prev & bits) > 0
                if abs(f[prev] + e[members, k].sum() - f[mask]) <= tol:
                    extend(prev, [*order, k])

    extend(size - 1, [])
    rankings.sort()
    return KemenyYoungResult(
        float(best),
        rankings,
        pd.DataFrame(e, index=X.index, columns=X.index),
        complete=not cut,
    )
