"""Normalisation: bring indicators onto a common scale.

Every method is a pure function of an array ``x`` of shape ``(..., units,
indicators)``: statistics are taken over the unit axis (-2), per-indicator
parameters broadcast over the last axis, NaN is kept as missing. Leading axes
(Monte Carlo replications) are vectorised over for free.

Semantics follow COINr 1.1.14 (``n_*`` functions, Becker et al. 2022) and the
OECD/JRC *Handbook on Constructing Composite Indicators* (2008) §1.5. Columns
with Direction −1 are multiplied by −1 *before* the method is applied, as in
COINr ``Normalise.numeric``; targets and goalposts are flipped with them
(COINr ``get_iMeta_norm_paras``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .errors import ProblemList
from .ranking import min_rank

__all__ = [
    "METHODS",
    "SPREAD_METHODS",
    "borda",
    "clip",
    "constant",
    "dist2max",
    "dist2ref",
    "dist2targ",
    "efficacy",
    "fracmax",
    "goalposts",
    "minmax",
    "none",
    "prank",
    "rank",
    "zscore",
]


def _colmin(x: np.ndarray) -> np.ndarray:
    return np.nanmin(x, axis=-2, keepdims=True)


def _colmax(x: np.ndarray) -> np.ndarray:
    return np.nanmax(x, axis=-2, keepdims=True)


def minmax(x: np.ndarray, l_u: Sequence[float] = (0.0, 100.0)) -> np.ndarray:
    """Min-max scaling onto ``[l, u]``: ``(x − min)/(max − min)·(u − l) + l``.

    COINr ``n_minmax``; OECD/JRC Handbook (2008) §1.5, method 4 ("re-scaling").
    """
    lo, hi = _colmin(x), _colmax(x)
    return (x - lo) / (hi - lo) * (l_u[1] - l_u[0]) + l_u[0]


def zscore(x: np.ndarray, m_sd: Sequence[float] = (0.0, 1.0)) -> np.ndarray:
    """Standardisation to mean ``m`` and standard deviation ``sd``.

    ``(x − mean)/s·sd + m`` with the sample standard deviation ``s`` (n − 1),
    as R's ``sd`` in COINr ``n_zscore``; Handbook (2008) §1.5, method 3.
    """
    mean = np.nanmean(x, axis=-2, keepdims=True)
    sd = np.nanstd(x, axis=-2, ddof=1, keepdims=True)
    return (x - mean) / sd * m_sd[1] + m_sd[0]


def rank(x: np.ndarray) -> np.ndarray:
    """Ranks, lowest value = 1, ties take the minimum rank (COINr ``n_rank``)."""
    return min_rank(x)


def prank(x: np.ndarray) -> np.ndarray:
    """Percentile ranks ``(rank − 1)/(n − 1)`` with ``n`` non-missing values (COINr ``n_prank``)."""
    n = np.sum(~np.isnan(x), axis=-2, keepdims=True)
    return (min_rank(x) - 1.0) / (n - 1.0)


def borda(x: np.ndarray) -> np.ndarray:
    """Borda scores ``rank − 1`` (COINr ``n_borda``; Handbook (2008) §1.5, method 1)."""
    return min_rank(x) - 1.0


def fracmax(x: np.ndarray) -> np.ndarray:
    """Fraction of the maximum, ``x / max`` (COINr ``n_fracmax``)."""
    return x / _colmax(x)


def dist2max(x: np.ndarray) -> np.ndarray:
    """Distance to the maximum, ``1 − (max − x)/(max − min)`` (COINr ``n_dist2max``)."""
    lo, hi = _colmin(x), _colmax(x)
    return 1.0 - (hi - x) / (hi - lo)


def dist2ref(x: np.ndarray, iref: int, cap_max: bool = False) -> np.ndarray:
    """Distance to a reference unit, ``1 − (x_ref − x)/(x_ref − min)`` (COINr ``n_dist2ref``).

    ``iref`` is the row of the reference unit (the build step converts the
    spec's uCode); with ``cap_max`` values above the reference score 1.
    """
    ref = np.take(x, [iref], axis=-2)
    y = 1.0 - (ref - x) / (ref - _colmin(x))
    return np.minimum(y, 1.0) if cap_max else y


def dist2targ(x: np.ndarray, targets: np.ndarray, cap_max: bool = False) -> np.ndarray:
    """Distance to target, ``(x − min)/(target − min)`` (COINr ``n_dist2targ``, direction 1).

    ``targets`` holds one target per indicator, already multiplied by the
    indicator's direction (COINr ``get_iMeta_norm_paras``), so a direction −1
    indicator reaches 1 at its (low) target. ``cap_max`` caps scores at 1.
    """
    lo = _colmin(x)
    y = (x - lo) / (targets - lo)
    return np.minimum(y, 1.0) if cap_max else y


def goalposts(
    x: np.ndarray,
    posts: np.ndarray,
    scale: float = 100.0,
    trunc2posts: bool = True,
) -> np.ndarray:
    """Goalposts: ``(x − GP_low)/(GP_high − GP_low)``, truncated to [0, 1], times ``scale``.

    COINr ``n_goalposts`` with posts from the framework. ``posts`` has shape
    ``(2, indicators)``: rows lower and upper, already flipped for direction −1
    indicators (``(−upper, −lower)``, as COINr ``get_iMeta_norm_paras`` does),
    so the formula is the same for both directions. Handbook (2008) §1.5, method 6
    (distance to a reference); used by the UNDP HDI.
    """
    lo, hi = posts[0], posts[1]
    y = (x - lo) / (hi - lo)
    if trunc2posts:
        y = np.clip(y, 0.0, 1.0)
    return y * scale


def efficacy(x: np.ndarray, base: float = 60.0, span: float = 40.0) -> np.ndarray:
    """Efficacy coefficient (功效系数法): ``base + span·(x − worst)/(best − worst)``.

    The efficacy-coefficient method of Chinese performance evaluation scores
    ``d = 60 + 40·(x − x_s)/(x_h − x_s)`` between a not-allowed value ``x_s`` and a
    satisfactory value ``x_h``; here they are the worst and best observed values,
    so the worst unit scores ``base`` (60, a pass) and the best ``base + span``
    (100). After the direction flip, worst = min and best = max.
    """
    lo, hi = _colmin(x), _colmax(x)
    return base + span * (x - lo) / (hi - lo)


def none(x: np.ndarray) -> np.ndarray:
    """No rescaling: the (direction-adjusted) values as they are (COINr ``f_n = "none"``).

    With ``aggregate: {method: sum}`` this scores points systems: bonus items add,
    direction −1 deduction items subtract (002_93c988d6af699336.txt, 积分制).
    """
    return np.array(x, dtype=float)


def clip(x: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Each item clipped to its framework ``[min, max]`` (direction-adjusted), not rescaled.

    The points model of 002_93c988d6af699336.txt §二.(二).3 (积分制): every item is
    first clipped to its range — a bonus item to ``[0, cap]``, a deduction item (direction
    −1) to ``[−cap, 0]`` — then the items are added (``aggregate: {method: points}``).
    ``bounds``: ``(2, indicators)`` lower and upper bounds after the direction flip
    (filled by the build from the framework's ``min``/``max``; ±inf where none is given).
    """
    return np.clip(np.asarray(x, dtype=float), bounds[0], bounds[1])


METHODS: dict[str, Callable[..., np.ndarray]] = {
    "none": none,
    "clip": clip,
    "minmax": minmax,
    "zscore": zscore,
    "rank": rank,
    "prank": prank,
    "borda": borda,
    "fracmax": fracmax,
    "dist2max": dist2max,
    "dist2ref": dist2ref,
    "dist2targ": dist2targ,
    "goalposts": goalposts,
    "efficacy": efficacy,
}
# Parameters the build step fills from the framework or the data, not from the spec.
CONTEXT_PARAMS = {"targets", "posts", "bounds"}
# Methods that divide by a column's spread: a constant column has no score (NaN), as COINr's
# n_minmax / n_zscore return NaN, and every aggregation skips it.
SPREAD_METHODS = frozenset({"minmax", "zscore", "dist2max", "efficacy"})


def constant(x: np.ndarray) -> np.ndarray:
    """The columns of ``x`` (units × indicators) whose reported values are all equal."""
    avail = np.sum(~np.isnan(x), axis=-2) > 0
    lo = np.min(np.where(np.isnan(x), np.inf, x), axis=-2)
    hi = np.max(np.where(np.isnan(x), -np.inf, x), axis=-2)
    return avail & (lo == hi)


def check(
    x: np.ndarray,
    codes: Sequence[str],
    method: str,
    params: dict,
    problems: ProblemList,
    directions: np.ndarray | None = None,
) -> np.ndarray:
    """Record every indicator the method cannot normalise (zero spread, missing target…).

    ``x`` is direction-adjusted (×−1 for Direction −1); ``directions`` turns the
    values shown in the problems back into the data's own direction. Returns the
    mask of indicators with a problem.
    """
    avail = np.sum(~np.isnan(x), axis=0)
    lo = np.where(avail > 0, np.min(np.where(np.isnan(x), np.inf, x), axis=0), np.nan)
    hi = np.where(avail > 0, np.max(np.where(np.isnan(x), -np.inf, x), axis=0), np.nan)
    rules: list[tuple[np.ndarray, str, np.ndarray | None]] = []
    if method == "fracmax":
        rules.append((hi == 0, "maximum is 0: fracmax divides by it", None))
        _warn_reversed_fracmax(hi, codes)
    if method == "dist2targ":
        t = params["targets"]
        rules.append((np.isnan(t), "no target in the framework for dist2targ", None))
        rules.append((t == lo, "target equals the minimum: dist2targ divides by zero", t))
    if method == "goalposts":
        rules.append(
            (
                np.isnan(params["posts"]).any(axis=0),
                "no goalposts in the framework for this indicator",
                None,
            )
        )
    if method == "dist2ref":
        ref = x[params["iref"]]
        rules.append(
            (
                np.isnan(ref) | (ref == lo),
                "reference unit's value is missing or equals the minimum",
                ref,
            )
        )
    signs = np.ones(x.shape[-1]) if directions is None else np.asarray(directions, dtype=float)
    faulty = np.zeros(x.shape[-1], dtype=bool)
    for flagged, rule, values in rules:
        faulty |= flagged
        for j in np.flatnonzero(flagged):
            shown = "" if values is None else _plain(values[j] * signs[j])
            problems.add(
                rule.format(value=shown, method=method),
                source="normalise",
                column=codes[j],
                value=shown,
            )
    return faulty


def _warn_reversed_fracmax(hi: np.ndarray, codes: Sequence[str]) -> None:
    """Warn when ``x / max`` would rank the worst unit first: a negative maximum.

    COINr 1.1.14 multiplies a Direction −1 column by −1 before ``n_fracmax``; for positive
    data the maximum is then negative, and ``x / max`` grows with the raw value — the worst
    unit scores highest. COINr does so silently; here it is said, naming the indicators.
    """
    bad = [codes[j] for j in np.flatnonzero(hi < 0)]
    if bad:
        import warnings

        listed = ", ".join(map(str, bad))
        warnings.warn(
            f"fracmax：{listed} 按方向（−1）取负后最大值为负，x/max 会使最差的单位得分最高"
            "（COINr 同样如此，但不提示）；成本型指标请改用 minmax 或 dist2max / fracmax: "
            f"the maximum of {listed} is negative after the direction −1 flip, so x/max "
            "ranks the worst unit first (COINr 1.1.14 does the same, silently); use minmax "
            "or dist2max for cost indicators",
            UserWarning,
            stacklevel=4,
        )


def _plain(v: float) -> str:
    """A value as the data hold it: shortest round-trip digits, never ``-0``."""
    if np.isnan(v):
        return "nan"
    return np.format_float_positional(float(v) + 0.0, trim="-")
