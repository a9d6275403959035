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
- The methods researchers compare, each ``f(X, weights, directions, **options) ->
  Series`` on the whole units × indicators matrix and agreeing with pymcdm 1.4's
  defaults (differences stated in each docstring): :func:`vikor` (Opricovic & Tzeng
  2004; lower Q is better), :func:`promethee_ii` (Brans & Vincke 1985), :func:`copras`
  (Zavadskas et al. 1994), :func:`edas` (Keshavarz Ghorabaee et al. 2015),
  :func:`waspas` (Zavadskas et al. 2012), :func:`mabac` (Pamučar & Ćirović 2015),
  :func:`cocoso` (Yazdani et al. 2019). :data:`MCDA_METHODS` registers them with
  TOPSIS and says whether a higher score is better; :func:`mcda_ranks` ranks 1 = best
  either way; :func:`compare_mcda` runs them side by side with Kendall's τ.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from .dea import bod_scores, bounds_arrays
from .display import Displayable, Summary
from .errors import Problem, ProblemList, ValidationError
from .ranking import min_rank
from .weights.result import as_directions, check_matrix

__all__ = [
    "MCDA_METHODS",
    "PREFERENCE_FUNCTIONS",
    "KemenyYoungResult",
    "McdaComparison",
    "McdaMethod",
    "VikorResult",
    "ampi",
    "bod",
    "cocoso",
    "compare_mcda",
    "copras",
    "edas",
    "kemeny_young",
    "mabac",
    "mcda_ranks",
    "mpi",
    "promethee_flows",
    "promethee_ii",
    "topsis",
    "vikor",
    "vikor_result",
    "waspas",
]


def _frame_weights(X: pd.DataFrame, weights, source: str, *, min_units: int = 1) -> np.ndarray:
    """``weights`` as an array over ``X.columns``; every problem with ``X`` and the weights
    (not a DataFrame, non-numeric or missing values, fewer than ``min_units`` units, a weight
    missing, unknown or negative) raised at once."""
    problems = check_matrix(X, source, min_units=min_units)
    if not isinstance(X, pd.DataFrame):
        problems.raise_if_any(f"invalid input for {source}")
    w = pd.Series(weights, dtype=float) if weights is not None else pd.Series(1.0, X.columns)
    for c in X.columns.difference(w.index):
        problems.add("no weight for this indicator", source=source, column=c)
    for c in w.index.difference(X.columns):
        problems.add("weight for a code not in X", source=source, column=c)
    for c, v in w.items():
        if not v >= 0:
            problems.add("weight must be ≥ 0", source=source, column=c, value=v)
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
    w = _frame_weights(X, weights, "topsis", min_units=2)
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
class KemenyYoungResult(Displayable):
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

    def _headline(self) -> str:
        more = f" (+{len(self.rankings) - 1} tied)" if len(self.rankings) > 1 else ""
        return f"score={self.score:g}: {' > '.join(map(str, self.ranking))}{more}"

    def summary(self) -> Summary:
        """The score, the Condorcet winner, every best ranking listed and the weighted
        outranking matrix (printed as text, rendered as HTML in Jupyter)."""
        facts = [
            ("得分 / score", f"{self.score:g}"),
            ("孔多塞胜者 / Condorcet winner", self.condorcet_winner),
            ("最优排序数 / best rankings", len(self.rankings)),
        ]
        if not self.complete:
            facts.append(
                (
                    "说明 / note",
                    f"仅列出前 {len(self.rankings)} 个最优排序 / first {len(self.rankings)} "
                    "best rankings only (more tie)",
                )
            )
        rankings = pd.Series(
            [" > ".join(map(str, r)) for r in self.rankings],
            index=pd.RangeIndex(1, len(self.rankings) + 1, name="#"),
            name="排序 / ranking",
        )
        return Summary(
            "凯梅尼-杨排序 / Kemeny–Young ranking (OECD/JRC Handbook 2008 §6.12–6.13)",
            facts,
            [
                ("最优排序 / best rankings", rankings),
                ("加权优序矩阵 / weighted outranking matrix e_jk", self.outranking),
            ],
        )


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


# ------------------------------------------------------- the MCDA methods researchers compare
def _decision_matrix(
    X: pd.DataFrame, weights, directions, source: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``X`` as an array, the weights rescaled to sum to 1, and the directions (±1)."""
    w = _frame_weights(X, weights, source, min_units=2)
    d = as_directions(directions, X.columns, source)
    if not w.sum() > 0:
        raise ValidationError(
            [Problem("权重之和为 0 / the weights sum to 0", source=source, value=float(w.sum()))],
            title=f"invalid input for {source}",
        )
    return X.to_numpy(dtype=float), w / w.sum(), d


def _refuse(problems: ProblemList, source: str) -> None:
    problems.raise_if_any(f"invalid input for {source}")


def _negative_values(x: np.ndarray, X: pd.DataFrame, source: str, *, strict=None) -> ProblemList:
    """One problem per indicator with a value below 0 (columns in ``strict``: not above 0)."""
    problems = ProblemList()
    strict = np.zeros(x.shape[1], dtype=bool) if strict is None else strict
    bad = np.where(strict, x <= 0, x < 0)
    for j in np.flatnonzero(bad.any(axis=0)):
        i = int(np.argmin(x[:, j]))
        rule = (
            f"{source} 要求该指标的值大于 0 / {source} needs values above 0 for this indicator"
            if strict[j]
            else f"{source} 要求非负值 / {source} needs values ≥ 0"
        )
        problems.add(rule, source=source, column=X.columns[j], row=X.index[i], value=x[i, j])
    return problems


def _minmax(x: np.ndarray, d: np.ndarray) -> np.ndarray:
    """``(x − worst)/(best − worst)`` per column (best = max for direction +1, min for −1);
    a constant column is 1 for every unit, as pymcdm's ``minmax_normalization``."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    r = np.where(d > 0, x - lo, hi - x) / span
    return np.where(hi > lo, r, 1.0)


def _series(values: np.ndarray, X: pd.DataFrame, name: str) -> pd.Series:
    return pd.Series(values, index=X.index, name=name)


class VikorResult:
    """VIKOR in full: ``table`` (S, R, Q by unit), the two conditions of the compromise
    solution and ``compromise`` (the units of the compromise set, best Q first).

    ``acceptable_advantage`` (C1): ``Q(a″) − Q(a′) ≥ DQ`` with ``DQ = 1/(n − 1)``;
    ``acceptable_stability`` (C2): the unit best by Q is also best by S or by R.
    Opricovic & Tzeng (2004) §3, step 5; (2007) §2.
    """

    def __init__(self, table: pd.DataFrame, v: float):
        self.table = table
        self.v = v
        q = table["Q"].to_numpy()
        order = np.argsort(q, kind="stable")
        n = len(q)
        dq = 1.0 / (n - 1)
        first, second = order[0], order[1]
        self.acceptable_advantage = bool(q[second] - q[first] >= dq - 1e-12)
        best_s = table["S"].to_numpy().min()
        best_r = table["R"].to_numpy().min()
        self.acceptable_stability = bool(
            np.isclose(table["S"].iloc[first], best_s, rtol=0, atol=1e-12)
            or np.isclose(table["R"].iloc[first], best_r, rtol=0, atol=1e-12)
        )
        if not self.acceptable_advantage:
            members = order[q[order] - q[first] < dq - 1e-12]
        elif not self.acceptable_stability:
            members = order[:2]
        else:
            members = order[:1]
        self.compromise = [table.index[i] for i in members]

    @property
    def Q(self) -> pd.Series:
        return self.table["Q"].rename("vikor")

    def __repr__(self) -> str:
        return f"<VikorResult v={self.v:g}: compromise {', '.join(map(str, self.compromise))}>"

    def summary(self) -> Summary:
        """Text when printed, HTML in Jupyter: v, the two conditions, the compromise set
        and S, R, Q by unit, best Q first."""
        return Summary(
            "VIKOR (Opricovic & Tzeng 2004) — 越小越好 / lower Q is better",
            [
                ("v", f"{self.v:g}"),
                ("可接受优势 / acceptable advantage (C1)", self.acceptable_advantage),
                ("可接受稳定性 / acceptable stability (C2)", self.acceptable_stability),
                ("折中解 / compromise set", ", ".join(map(str, self.compromise))),
            ],
            [("S, R, Q", self.table.sort_values("Q"))],
        )

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()


def vikor_result(
    X: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series | None = None,
    directions: Mapping[str, float] | pd.Series | None = None,
    *,
    v: float = 0.5,
) -> VikorResult:
    """VIKOR's S, R and Q and its compromise solution (Opricovic & Tzeng 2004, EJOR 156:
    445–455, §3, Eqs. 1–3 and step 5).

    ``f*_j``/``f⁻_j`` are the best and worst values of indicator ``j`` (max/min for direction
    +1); ``S_i = Σ_j w_j (f*_j − f_ij)/(f*_j − f⁻_j)`` (group utility), ``R_i = max_j`` of the
    same terms (individual regret), ``Q_i = v (S_i − S*)/(S⁻ − S*) + (1 − v)(R_i − R*)/(R⁻ −
    R*)``. Lower is better for all three. Weights are rescaled to sum to 1. Conventions: a
    constant indicator adds nothing to S and R (pymcdm refuses it); when every unit has the
    same S (or R) that term of Q is 0 (pymcdm returns NaN).
    """
    x, w, d = _decision_matrix(X, weights, directions, "vikor")
    if not 0 <= v <= 1:
        raise ValidationError(
            [Problem("v 须在 [0, 1] 内 / v must lie in [0, 1]", source="vikor", value=v)],
            title="invalid input for vikor",
        )
    best = np.where(d > 0, x.max(axis=0), x.min(axis=0))
    worst = np.where(d > 0, x.min(axis=0), x.max(axis=0))
    span = best - worst
    regret = w * np.divide(best - x, span, out=np.zeros_like(x), where=span != 0)
    s, r = regret.sum(axis=1), regret.max(axis=1)

    def scaled(a: np.ndarray) -> np.ndarray:
        rng = a.max() - a.min()
        return (a - a.min()) / rng if rng > 0 else np.zeros_like(a)

    q = v * scaled(s) + (1 - v) * scaled(r)
    return VikorResult(pd.DataFrame({"S": s, "R": r, "Q": q}, index=X.index), v)


def vikor(
    X: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series | None = None,
    directions: Mapping[str, float] | pd.Series | None = None,
    *,
    v: float = 0.5,
) -> pd.Series:
    """VIKOR's Q in [0, 1] by unit — **lower is better** (0 = the best compromise).

    The kit keeps Q as published (so it equals the paper's and pymcdm's values) and ranks it
    ascending: :data:`MCDA_METHODS` records ``higher_is_better=False`` and :func:`mcda_ranks`
    gives rank 1 to the lowest Q. S, R and the compromise set: :func:`vikor_result`.
    Opricovic & Tzeng (2004) EJOR 156: 445–455.
    """
    return vikor_result(X, weights, directions, v=v).Q


# PROMETHEE preference functions P(d) of Brans & Vincke (1985) and Brans, Vincke & Mareschal
# (1986) Table 1: the six generalised criteria, with the thresholds each one uses.
PREFERENCE_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "usual": (),  # type I
    "ushape": ("q",),  # type II, quasi-criterion
    "vshape": ("p",),  # type III, linear preference
    "level": ("q", "p"),  # type IV
    "linear": ("q", "p"),  # type V, linear with an indifference area (pymcdm "vshape_2")
    "gaussian": ("s",),  # type VI
}


def _preference(d: np.ndarray, kind: str, q: float, p: float, s: float) -> np.ndarray:
    """``P(d)`` for a difference ``d`` (Brans, Vincke & Mareschal 1986, Table 1)."""
    if kind == "usual":
        return (d > 0).astype(float)
    if kind == "ushape":
        return (d > q).astype(float)
    if kind == "vshape":
        return np.clip(d / p, 0.0, 1.0)
    if kind == "level":
        return np.where(d > p, 1.0, np.where(d > q, 0.5, 0.0))
    if kind == "linear":
        return np.clip((d - q) / (p - q), 0.0, 1.0)
    return np.where(d > 0, 1.0 - np.exp(-(d**2) / (2 * s**2)), 0.0)


def _per_indicator(value, codes: pd.Index, default) -> list:
    """A scalar (every indicator) or a mapping code → value as a list over ``codes``."""
    if isinstance(value, Mapping | pd.Series):
        return [value.get(c, default) for c in codes]
    return [value] * len(codes)


def promethee_flows(
    X: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series | None = None,
    directions: Mapping[str, float] | pd.Series | None = None,
    *,
    preference: str | Mapping[str, str] = "usual",
    q: float | Mapping[str, float] | None = None,
    p: float | Mapping[str, float] | None = None,
    s: float | Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """PROMETHEE outranking flows φ⁺, φ⁻ and the net flow φ = φ⁺ − φ⁻ by unit.

    Brans & Vincke (1985) *Management Science* 31(6): 647–656; Brans, Vincke & Mareschal
    (1986) EJOR 24: 228–238. For units a, b: ``d_j(a, b) = x_aj − x_bj`` (reversed for a cost
    indicator), ``π(a, b) = Σ_j w_j P_j(d_j(a, b))`` with weights rescaled to sum to 1,
    ``φ⁺(a) = Σ_b π(a, b)/(n − 1)``, ``φ⁻(a) = Σ_b π(b, a)/(n − 1)``. ``preference`` names one
    function for every indicator or a mapping code → function: ``usual``; ``ushape`` (q);
    ``vshape`` (p); ``level`` (q, p: ½ between them); ``linear`` (q, p: linear between them,
    pymcdm's ``vshape_2``); ``gaussian`` (s: ``1 − exp(−d²/2s²)``, not in pymcdm). Thresholds
    ``q``, ``p``, ``s`` are in the indicator's units: a number for every indicator or a
    mapping code → value. Memory grows as n² (one n × n table at a time).
    """
    x, w, d = _decision_matrix(X, weights, directions, "promethee_ii")
    codes = X.columns
    kinds = _per_indicator(preference, codes, "usual")
    qs, ps, ss = (_per_indicator(t, codes, None) for t in (q, p, s))
    problems = ProblemList()
    for name, given in (("preference", preference), ("q", q), ("p", p), ("s", s)):
        if isinstance(given, Mapping | pd.Series):
            for c in pd.Index(list(given.keys())).difference(codes):
                problems.add(
                    f"{name} 所指代码不在 X 中 / {name} given for a code not in X",
                    source="promethee_ii",
                    column=c,
                )
    for c, kind, qj, pj, sj in zip(codes, kinds, qs, ps, ss, strict=True):
        if kind not in PREFERENCE_FUNCTIONS:
            problems.add(
                f"未知的偏好函数 / unknown preference function; expected one of "
                f"{list(PREFERENCE_FUNCTIONS)}",
                source="promethee_ii",
                column=c,
                value=kind,
            )
            continue
        given = {"q": qj, "p": pj, "s": sj}
        for name in PREFERENCE_FUNCTIONS[kind]:
            t = given[name]
            if t is None or not np.isfinite(float(t)) or float(t) < 0 or (name != "q" and t == 0):
                problems.add(
                    f"偏好函数 {kind} 需要阈值 {name}（{'≥' if name == 'q' else '>'} 0） / "
                    f"preference function {kind} needs threshold {name} "
                    f"({'≥' if name == 'q' else '>'} 0)",
                    source="promethee_ii",
                    column=c,
                    value="" if t is None else t,
                )
        if kind in ("level", "linear") and qj is not None and pj is not None and not qj < pj:
            problems.add(
                f"偏好函数 {kind} 需要 q < p / preference function {kind} needs q < p",
                source="promethee_ii",
                column=c,
                value=f"q={qj}, p={pj}",
            )
    _refuse(problems, "promethee_ii")
    n = len(x)
    pi = np.zeros((n, n))
    for j, kind in enumerate(kinds):
        diff = d[j] * (x[:, None, j] - x[None, :, j])
        pi += w[j] * _preference(diff, kind, qs[j], ps[j], ss[j])
    plus, minus = pi.sum(axis=1) / (n - 1), pi.sum(axis=0) / (n - 1)
    return pd.DataFrame({"phi_plus": plus, "phi_minus": minus, "phi": plus - minus}, X.index)


def promethee_ii(
    X: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series | None = None,
    directions: Mapping[str, float] | pd.Series | None = None,
    *,
    preference: str | Mapping[str, str] = "usual",
    q: float | Mapping[str, float] | None = None,
    p: float | Mapping[str, float] | None = None,
    s: float | Mapping[str, float] | None = None,
) -> pd.Series:
    """PROMETHEE II net flow φ in [−1, 1] by unit, higher = better (Brans & Vincke 1985).

    Options and conventions as :func:`promethee_flows` (default: the usual criterion, as
    pymcdm's ``PROMETHEE_II("usual")``).
    """
    flows = promethee_flows(X, weights, directions, preference=preference, q=q, p=p, s=s)
    return flows["phi"].rename("promethee_ii")


def copras(
    X: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series | None = None,
    directions: Mapping[str, float] | pd.Series | None = None,
) -> pd.Series:
    """COPRAS utility degree ``N_i = Q_i / max Q`` in (0, 1] by unit, higher = better.

    Zavadskas, Kaklauskas & Šarka (1994) *Technological and Economic Development of
    Economy* 1(3): 131–139; Zavadskas et al. (2007) *Baltic J. Road Bridge Eng.* 2(4),
    Eqs. 1–5: ``d_ij = w_j x_ij / Σ_k x_kj``; ``S⁺_i`` sums ``d`` over benefit indicators,
    ``S⁻_i`` over cost indicators; ``Q_i = S⁺_i + S⁻_min Σ_k S⁻_k / (S⁻_i Σ_k S⁻_min/S⁻_k)``.
    Conventions: values ≥ 0, each column's sum > 0, and a unit with S⁻ = 0 is refused (the
    formula divides by it); without cost indicators ``Q = S⁺`` (pymcdm and scikit-criteria
    refuse that case). pymcdm 1.4 drops the two sums of the second term, which then equals
    ``S⁻_i`` (``Q = S⁺ + S⁻``): its values differ from the paper's whenever there is a cost
    indicator; scikit-criteria follows the paper, as here.
    """
    x, w, d = _decision_matrix(X, weights, directions, "copras")
    problems = _negative_values(x, X, "copras")
    total = x.sum(axis=0)
    for j in np.flatnonzero(total == 0):
        problems.add(
            "该指标对所有单位均为 0 / indicator is zero for every unit",
            source="copras",
            column=X.columns[j],
        )
    _refuse(problems, "copras")
    dw = w * x / total
    s_plus = dw[:, d > 0].sum(axis=1)
    if (d < 0).any():
        s_minus = dw[:, d < 0].sum(axis=1)
        for i in np.flatnonzero(s_minus == 0):
            problems.add(
                "该单位所有成本型指标均为 0（COPRAS 需除以 S⁻） / the unit is 0 on every cost "
                "indicator (COPRAS divides by its S⁻)",
                source="copras",
                row=X.index[i],
            )
        _refuse(problems, "copras")
        q_rel = s_plus + s_minus.sum() / (s_minus * (1.0 / s_minus).sum())
    else:
        q_rel = s_plus
    return _series(q_rel / q_rel.max(), X, "copras")


def edas(
    X: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series | None = None,
    directions: Mapping[str, float] | pd.Series | None = None,
) -> pd.Series:
    """EDAS appraisal score ``AS_i`` in [0, 1] by unit, higher = better.

    Keshavarz Ghorabaee, Zavadskas, Olfat & Turskis (2015) *Informatica* 26(3): 435–451,
    Eqs. 1–12: ``AV_j`` the mean of indicator j; ``PDA_ij = max(0, x_ij − AV_j)/AV_j`` and
    ``NDA_ij = max(0, AV_j − x_ij)/AV_j`` (swapped for a cost indicator); ``SP_i = Σ w_j
    PDA_ij``, ``SN_i = Σ w_j NDA_ij``; ``NSP = SP/max SP``, ``NSN = 1 − SN/max SN``; ``AS =
    (NSP + NSN)/2``. Conventions: values ≥ 0 and each mean > 0 (the distances are relative to
    it); when no unit is above (below) average anywhere — every indicator constant — NSP = 0
    (NSN = 1) for every unit instead of 0/0.
    """
    x, w, d = _decision_matrix(X, weights, directions, "edas")
    problems = _negative_values(x, X, "edas")
    av = x.mean(axis=0)
    for j in np.flatnonzero(av == 0):
        problems.add(
            "该指标对所有单位均为 0（EDAS 需除以均值） / indicator is zero for every unit (EDAS "
            "divides by its mean)",
            source="edas",
            column=X.columns[j],
        )
    _refuse(problems, "edas")
    dev = d * (x - av) / av
    sp = (w * np.maximum(dev, 0.0)).sum(axis=1)
    sn = (w * np.maximum(-dev, 0.0)).sum(axis=1)
    nsp = sp / sp.max() if sp.max() > 0 else np.zeros_like(sp)
    nsn = 1 - sn / sn.max() if sn.max() > 0 else np.ones_like(sn)
    return _series((nsp + nsn) / 2, X, "edas")


def waspas(
    X: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series | None = None,
    directions: Mapping[str, float] | pd.Series | None = None,
    *,
    lam: float = 0.5,
) -> pd.Series:
    """WASPAS joint criterion ``Q_i = λ Q⁽¹⁾_i + (1 − λ) Q⁽²⁾_i`` in [0, 1], higher = better.

    Zavadskas, Turskis, Antucheviciene & Zakarevicius (2012) *Elektronika ir
    Elektrotechnika* 122(6): 3–6, Eqs. 1–4: ``x̄ = x/max`` (benefit) or ``min/x`` (cost);
    ``Q⁽¹⁾ = Σ w x̄`` (weighted sum), ``Q⁽²⁾ = Π x̄^w`` (weighted product); λ = 0.5 by default,
    as the paper and pymcdm. Conventions: values ≥ 0 for benefit indicators (a zero makes
    the product part 0 for that unit) and > 0 for cost indicators.
    """
    x, w, d = _decision_matrix(X, weights, directions, "waspas")
    if not 0 <= lam <= 1:
        raise ValidationError(
            [Problem("lam 须在 [0, 1] 内 / lam must lie in [0, 1]", source="waspas", value=lam)],
            title="invalid input for waspas",
        )
    problems = _negative_values(x, X, "waspas", strict=d < 0)
    for j in np.flatnonzero((x.max(axis=0) == 0) & (d > 0)):
        problems.add(
            "该指标对所有单位均为 0 / indicator is zero for every unit",
            source="waspas",
            column=X.columns[j],
        )
    _refuse(problems, "waspas")
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(d > 0, x / x.max(axis=0), x.min(axis=0) / x)
    wsm = (w * r).sum(axis=1)
    wpm = np.prod(r**w, axis=1)
    return _series(lam * wsm + (1 - lam) * wpm, X, "waspas")


def mabac(
    X: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series | None = None,
    directions: Mapping[str, float] | pd.Series | None = None,
) -> pd.Series:
    """MABAC total distance ``S_i`` from the border approximation area, higher = better
    (positive: above the border area, negative: below).

    Pamučar & Ćirović (2015) *Expert Systems with Applications* 42(6): 3016–3028, Eqs. 3–9:
    ``t`` = min-max normalised from worst to best; ``v_ij = w_j (t_ij + 1)``; the border
    ``g_j = (Π_i v_ij)^(1/m)`` (geometric mean over the m units); ``S_i = Σ_j (v_ij − g_j)``.
    Conventions: any real values; a constant indicator adds 0 (pymcdm normalises it to 1).
    """
    x, w, d = _decision_matrix(X, weights, directions, "mabac")
    v = w * (_minmax(x, d) + 1)
    with np.errstate(divide="ignore"):
        g = np.exp(np.log(v).mean(axis=0))
    return _series((v - g).sum(axis=1), X, "mabac")


def cocoso(
    X: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series | None = None,
    directions: Mapping[str, float] | pd.Series | None = None,
    *,
    lam: float = 0.5,
) -> pd.Series:
    """CoCoSo final score ``k_i``, higher = better.

    Yazdani, Zarate, Zavadskas & Turskis (2019) *Management Decision* 57(9): 2501–2519,
    Eqs. 2–7: ``r`` min-max normalised from worst to best; ``S_i = Σ w_j r_ij``, ``P_i = Σ
    r_ij^w_j``; ``k_a = (P + S)/Σ(P + S)``, ``k_b = S/min S + P/min P``, ``k_c = (λS + (1 −
    λ)P)/(λ max S + (1 − λ) max P)``; ``k = (k_a k_b k_c)^(1/3) + (k_a + k_b + k_c)/3`` with
    λ = 0.5 (the paper's and pymcdm's). Conventions: any real values; a constant indicator
    is normalised to 1 (as pymcdm); a unit worst on every indicator has S = P = 0 and is
    refused, since ``k_b`` divides by them.
    """
    x, w, d = _decision_matrix(X, weights, directions, "cocoso")
    if not 0 <= lam <= 1:
        raise ValidationError(
            [Problem("lam 须在 [0, 1] 内 / lam must lie in [0, 1]", source="cocoso", value=lam)],
            title="invalid input for cocoso",
        )
    r = _minmax(x, d)
    s = (w * r).sum(axis=1)
    p = (r**w).sum(axis=1)
    problems = ProblemList()
    for i in np.flatnonzero((s == 0) | (p == 0)):
        problems.add(
            "该单位在每个指标上都最差，CoCoSo 的 k_b 需除以其 S 与 P / the unit is the worst on "
            "every indicator: CoCoSo's k_b divides by its S and P",
            source="cocoso",
            row=X.index[i],
        )
    _refuse(problems, "cocoso")
    ka = (p + s) / (p + s).sum()
    kb = s / s.min() + p / p.min()
    kc = (lam * s + (1 - lam) * p) / (lam * s.max() + (1 - lam) * p.max())
    return _series(np.cbrt(ka * kb * kc) + (ka + kb + kc) / 3, X, "cocoso")


# -------------------------------------------------------------------- registry and comparison
@dataclass(frozen=True)
class McdaMethod:
    """A whole-matrix MCDA method ``f(X, weights, directions, **options) -> Series``:
    whether a higher score is better, what the score is, and its source."""

    function: Callable[..., pd.Series]
    higher_is_better: bool
    score: str
    source: str


#: The MCDA methods that score units from the whole indicator matrix (the top-level
#: aggregation of a spec, ``compare_mcda``, the registry contract test).
MCDA_METHODS: Mapping[str, McdaMethod] = MappingProxyType(
    {
        "topsis": McdaMethod(
            topsis, True, "closeness C in [0, 1]", "Hwang & Yoon (1981) pp. 128–134"
        ),
        "vikor": McdaMethod(
            vikor, False, "Q in [0, 1], lower = better", "Opricovic & Tzeng (2004) EJOR 156"
        ),
        "promethee_ii": McdaMethod(
            promethee_ii, True, "net flow φ in [−1, 1]", "Brans & Vincke (1985) Mgmt Sci 31(6)"
        ),
        "copras": McdaMethod(
            copras, True, "utility degree N in (0, 1]", "Zavadskas et al. (1994) TEDE 1(3)"
        ),
        "edas": McdaMethod(
            edas, True, "appraisal score AS in [0, 1]", "Keshavarz Ghorabaee et al. (2015)"
        ),
        "waspas": McdaMethod(
            waspas, True, "joint criterion Q in [0, 1]", "Zavadskas et al. (2012) EiE 122(6)"
        ),
        "mabac": McdaMethod(
            mabac, True, "distance S from the border area", "Pamučar & Ćirović (2015) ESWA 42"
        ),
        "cocoso": McdaMethod(
            cocoso, True, "final score k", "Yazdani et al. (2019) Management Decision 57(9)"
        ),
    }
)


def mcda_ranks(scores: pd.Series, method: str) -> pd.Series:
    """Ranks of ``method``'s scores, 1 = best (ties take the lowest rank, as league tables):
    descending for a higher-is-better score, ascending for VIKOR's Q; a missing score has
    no rank (``<NA>``)."""
    better_high = _method(method).higher_is_better
    ranks = min_rank(scores.to_numpy(dtype=float), descending=better_high, axis=-1)
    return pd.Series(ranks, index=scores.index, name=scores.name).astype("Int64")


def _method(name: str) -> McdaMethod:
    if name not in MCDA_METHODS:
        raise ValidationError(
            [
                Problem(
                    f"未知的多准则方法 / unknown MCDA method; expected one of {list(MCDA_METHODS)}",
                    source="mcda",
                    value=name,
                )
            ],
            title="invalid input for mcda",
        )
    return MCDA_METHODS[name]


class McdaComparison:
    """Several MCDA methods on one matrix: ``scores`` and ``ranks`` (units × methods, ranks
    1 = best whatever the method's convention), ``failed`` (method → why it could not run),
    :meth:`kendall` (τ-b between every pair of rankings)."""

    def __init__(self, scores: pd.DataFrame, failed: Mapping[str, str]):
        self.scores = scores
        self.failed = dict(failed)
        self.ranks = pd.DataFrame(
            {m: mcda_ranks(scores[m], m) for m in scores.columns}, index=scores.index
        )

    def kendall(self) -> pd.DataFrame:
        """Kendall's τ-b between the methods' rankings (Kendall 1945; SciPy ``kendalltau``)."""
        from scipy.stats import kendalltau  # half a second to import: only when asked for

        names = list(self.ranks.columns)
        tau = pd.DataFrame(1.0, index=names, columns=names)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                t = kendalltau(self.ranks[a], self.ranks[b]).statistic
                tau.loc[a, b] = tau.loc[b, a] = t
        return tau

    def __repr__(self) -> str:
        failed = f"; failed: {', '.join(self.failed)}" if self.failed else ""
        return f"<McdaComparison {len(self.scores)} units × {', '.join(self.scores)}{failed}>"

    def _repr_html_(self) -> str:
        out = self.ranks.to_html()
        if self.failed:
            items = "".join(
                f"<li>{html.escape(m)}: {html.escape(r)}</li>" for m, r in self.failed.items()
            )
            out += f"<p>未能运行 / could not run:</p><ul>{items}</ul>"
        return out


def compare_mcda(
    X: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series | None = None,
    directions: Mapping[str, float] | pd.Series | None = None,
    *,
    methods: Sequence[str] | None = None,
    options: Mapping[str, Mapping[str, object]] | None = None,
) -> McdaComparison:
    """Every method of :data:`MCDA_METHODS` (or ``methods``) on the same ``X``, weights and
    directions; ``options`` per method (e.g. ``{"vikor": {"v": 0.3}}``). A method that
    refuses these data is listed in ``failed`` with the reason, the others still run."""
    scores: dict[str, pd.Series] = {}
    failed: dict[str, str] = {}
    for m in methods if methods is not None else list(MCDA_METHODS):
        try:
            scores[m] = _method(m).function(X, weights, directions, **(options or {}).get(m, {}))
        except ValidationError as exc:
            if m not in MCDA_METHODS:
                raise
            failed[m] = "; ".join(str(p) for p in exc.problems[:3])
    return McdaComparison(pd.DataFrame(scores, index=X.index), failed)
