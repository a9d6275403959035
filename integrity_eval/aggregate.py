"""Aggregation: combine children into their parent, level by level.

Each method is a pure function ``f(x, w, **params)`` of a child-value array
``x`` of shape ``(..., units, children)`` and weights ``w`` of shape
``(children,)``, returning ``(..., units)``. Missing children are skipped and the
weights renormalised over the available ones (COINr 1.1.14 ``a_amean``,
``a_gmean``, ``a_hmean``); a unit with no available child gets NaN, which the
build reports as unscored with the reason.

Sources: OECD/JRC *Handbook on Constructing Composite Indicators* (2008) §6
(linear, geometric and non-compensatory multi-criteria aggregation); COINr
``a_*`` functions and ``outrankMatrix``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .errors import Problem, ValidationError
from .mcda import (
    MCDA_METHODS,
    ampi,
    bod,
    cocoso,
    compare_mcda,
    copras,
    edas,
    kemeny_young,
    mabac,
    mcda_ranks,
    mpi,
    promethee_flows,
    promethee_ii,
    topsis,
    vikor,
    vikor_result,
    waspas,
)

__all__ = [
    "MCDA_METHODS",
    "METHODS",
    "amean",
    "ampi",
    "bod",
    "cocoso",
    "compare_mcda",
    "copeland",
    "copras",
    "edas",
    "genmean",
    "gmean",
    "hmean",
    "kemeny_young",
    "mabac",
    "mcda_ranks",
    "mpi",
    "points",
    "promethee_flows",
    "promethee_ii",
    "sum_",
    "topsis",
    "vikor",
    "vikor_result",
    "waspas",
]


def _avail_weights(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights with missing children zeroed, and their row totals."""
    wa = np.where(np.isnan(x), 0.0, w)
    total = wa.sum(axis=-1)
    return wa, np.where(total > 0, total, np.nan)


def amean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted arithmetic mean ``Σ wᵢxᵢ / Σ wᵢ`` over available children (COINr ``a_amean``)."""
    wa, total = _avail_weights(x, w)
    return np.nansum(x * wa, axis=-1) / total


def gmean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted geometric mean ``exp(Σ wᵢ ln xᵢ / Σ wᵢ)``; needs ``x > 0`` (COINr ``a_gmean``).

    Handbook (2008) §6.2: partially compensatory.
    """
    wa, total = _avail_weights(x, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(np.isnan(x), 0.0, np.log(np.where(np.isnan(x), 1.0, x)))
    return np.exp((logs * wa).sum(axis=-1) / total)


def hmean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted harmonic mean ``Σ wᵢ / Σ (wᵢ/xᵢ)``; needs ``x ≠ 0`` (COINr ``a_hmean``)."""
    wa, total = _avail_weights(x, w)
    inv = np.where(np.isnan(x), 0.0, 1.0 / np.where(np.isnan(x), 1.0, x))
    return total / (inv * wa).sum(axis=-1)


def genmean(x: np.ndarray, w: np.ndarray, p: float = 2.0) -> np.ndarray:
    """Weighted generalised (power) mean ``(Σ wᵢxᵢᵖ / Σ wᵢ)^(1/p)`` (COINr ``a_genmean``).

    ``p = 1`` is the arithmetic mean, ``p = −1`` the harmonic; ``p = 0`` is the
    geometric limit and is refused, as in COINr. Unlike COINr (which returns NA
    when a child is missing) the weights are renormalised over available children,
    like every other method here.
    """
    if p == 0:
        raise ValidationError(
            [
                Problem(
                    "genmean with p = 0 is the geometric-mean limit: use method gmean",
                    source="spec",
                    column="aggregate.p",
                    value="0",
                )
            ],
            title="invalid aggregation",
        )
    wa, total = _avail_weights(x, w)
    powered = np.where(np.isnan(x), 0.0, np.power(np.where(np.isnan(x), 1.0, x), p))
    return np.power((powered * wa).sum(axis=-1) / total, 1.0 / p)


def sum_(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted sum ``Σ wᵢxᵢ`` over available children, weights not rescaled.

    The additive scoring of points-based systems (e.g. PAPI: dimension = sum of
    sub-dimensions; Jiangyin 002_93c988d6af699336.txt: base score plus points).
    """
    wa, total = _avail_weights(x, w)
    out = np.nansum(x * wa, axis=-1)
    return np.where(np.isnan(total), np.nan, out)


def points(
    x: np.ndarray, w: np.ndarray, base: float = 0.0, bonus_cap: float | None = None
) -> np.ndarray:
    """Points total ``base + min(bonus_cap, Σ bonus) − Σ deductions`` (002 积分制).

    002_93c988d6af699336.txt §二.(二).3: "对诚信行为形成加分、对失信行为形成减分". ``x``
    holds the (clipped, direction-adjusted) points of every *item* under the aggregate
    — the build passes the level-1 descendants, not the children, so that the bonus cap
    applies to the bonus total — bonus points positive, deducted points negative;
    ``w`` the items' weights (1 = the points as recorded, 0 = left out). Missing items
    count for nothing, as in :func:`sum_`; a unit with no item gets NaN.
    """
    wx = np.where(np.isnan(x), 0.0, x) * w
    bonus = np.where(wx > 0, wx, 0.0).sum(axis=-1)
    if bonus_cap is not None:
        bonus = np.minimum(bonus, bonus_cap)
    out = base + bonus + np.where(wx < 0, wx, 0.0).sum(axis=-1)
    return np.where(np.all(np.isnan(x), axis=-1), np.nan, out)


def copeland(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Copeland scores from the weighted outranking matrix (COINr ``a_copeland``).

    For units *j* ≠ *k*: ``e_jk = Σ w[x_j > x_k] + ½ Σ w[x_j = x_k]`` with weights
    scaled to sum to 1 over all children (comparisons with a missing value count
    for nothing); COINr computes the upper triangle and sets ``e_kj = 1 − e_jk``.
    Each pair scores +1 if ``e_jk > 0.5``, −1 if below, 0 if equal; the Copeland
    score is the row sum. Handbook (2008) §6.3 (non-compensatory multi-criteria
    approach; Munda & Nardo 2009).
    """
    ws = w / w.sum()
    a = x[..., :, None, :]
    b = x[..., None, :, :]
    gt = np.where(a > b, ws, 0.0).sum(axis=-1)
    eq = np.where(a == b, ws, 0.0).sum(axis=-1)
    e = gt + 0.5 * eq
    n = x.shape[-2]
    upper = np.triu(np.ones((n, n), dtype=bool), k=1)
    e = np.where(upper, e, 1.0 - np.swapaxes(e, -1, -2))
    # exact halves, allowing for the rounding of summed weights
    tie = np.isclose(e, 0.5, rtol=0.0, atol=1e-12)
    score = np.where(tie, 0.0, np.sign(e - 0.5))
    score = np.where(np.eye(n, dtype=bool), 0.0, score)
    all_missing = np.all(np.isnan(x), axis=-1)
    return np.where(all_missing, np.nan, score.sum(axis=-1))


METHODS: dict[str, Callable[..., np.ndarray]] = {
    "amean": amean,
    "gmean": gmean,
    "hmean": hmean,
    "genmean": genmean,
    "copeland": copeland,
    "sum": sum_,
    "points": points,
    "mpi": mpi,
    "ampi": ampi,
    "bod": bod,
}
# Methods that need strictly positive (gmean, genmean with p < 0) or non-zero values.
POSITIVE_ONLY = {"gmean"}
NONZERO_ONLY = {"hmean"}
