"""Outlier treatment: COINr's winsorisation with the log fallback, exactly.

Procedure (COINr 1.1.14 ``Treat.numeric`` with ``f1 = winsorise``,
``f2 = log_CT``, ``f_pass = check_SkewKurt``; OECD/JRC Handbook (2008) §1.4 and
the JRC COIN audits' rule of thumb):

1. An indicator *fails* iff ``|skew| ≥ skew_thresh`` **and** ``kurt ≥ kurt_thresh``
   (sample-adjusted skew G1 and excess kurtosis G2, as ``e1071`` type 2 / Excel).
2. A failing indicator is winsorised one step at a time: if skew ≥ 0 the maximum
   value(s) are set to the next-highest value, else the minimum value(s) to the
   next-lowest; ties move together and count as several points. After each step
   the test is repeated; it stops on passing or once the number of winsorised
   points (high plus low) reaches ``winmax``.
3. If it still fails, the winsorisation is discarded and
   ``log(x − min + 0.01·(max − min))`` (COINr ``log_CT``) is applied to the
   *original* column.

One departure from COINr: a winsorisation step that would leave the indicator
constant is not taken. A yes/no item or a count of rare events (most units 0,
a few 1) fails the test, and winsorising its few non-zero values would erase
it; COINr then has no skew to test and stops with an error. Here the indicator
stays failing and goes to the log fallback, which keeps its order.

The loop is vectorised over indicators: each winsorisation step is one pass over the
indicators still failing, laid out one indicator per contiguous row, and computes their
mean, skewness and kurtosis together once (the next step's direction reuses them). An
indicator's treatment never depends on the other indicators, bit for bit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import problem_error

#: What ``winsorise`` may do with an indicator winsorising could not fix.
FALLBACKS = ("log_CT", None)
FALLBACK_RULE = (
    "fallback 须为 'log_CT'（对数变换，COINr 默认）或 null（不做对数变换） / "
    "fallback must be 'log_CT' (log transform, COINr's default) or null (no log step)"
)

__all__ = ["kurt", "log_ct", "skew", "winsorise"]


def _shape_stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Skewness G1 and excess kurtosis G2 of each row of ``x`` (NaN-aware), computed together.

    The formulas of :func:`skew` and :func:`kurt` on one set of deviations from the
    mean; each row is reduced on its own (pairwise summation of one contiguous row), so
    a row's figures do not depend on the other rows. NaN where a row has too few values
    (3 for G1, 4 for G2) or no spread.
    """
    x = np.ascontiguousarray(x, dtype=float)
    missing = np.isnan(x)
    n = x.shape[-1] - missing.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        varies = np.fmax.reduce(x, axis=-1) > np.fmin.reduce(x, axis=-1)
        d = x.copy()
        np.copyto(d, 0.0, where=missing)
        d -= d.sum(axis=-1, keepdims=True) / n[..., None]
        np.copyto(d, 0.0, where=missing)
        d2 = d * d
        m2 = d2.sum(axis=-1)
        m3 = np.multiply(d2, d, out=d).sum(axis=-1)
        m4 = np.multiply(d2, d2, out=d2).sum(axis=-1)
        g1 = np.sqrt(n) * m3 / m2**1.5 * np.sqrt(n * (n - 1.0)) / (n - 2.0)
        r = n * m4 / m2**2
        g2 = ((n + 1.0) * (r - 3.0) + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0))
    return np.where((n >= 3) & varies, g1, np.nan), np.where((n >= 4) & varies, g2, np.nan)


def skew(x: np.ndarray, axis: int = -2) -> np.ndarray:
    """Sample-adjusted skewness G1 = √(n(n−1))/(n−2) · m₃/m₂^{3/2}; NaN-aware.

    COINr ``skew`` (= ``e1071::skewness(type = 2)`` = Excel ``SKEW``). NaN when
    fewer than 3 values or no spread.
    """
    return _shape_stats(np.moveaxis(np.asarray(x, dtype=float), axis, -1))[0]


def kurt(x: np.ndarray, axis: int = -2) -> np.ndarray:
    """Sample-adjusted excess kurtosis G2 = ((n+1)(r−3)+6)(n−1)/((n−2)(n−3)), r = n·m₄/m₂².

    COINr ``kurt`` (= ``e1071::kurtosis(type = 2)`` = Excel ``KURT``). NaN when
    fewer than 4 values or no spread.
    """
    return _shape_stats(np.moveaxis(np.asarray(x, dtype=float), axis, -1))[1]


def _passes(sk: np.ndarray, kt: np.ndarray, skew_thresh: float, kurt_thresh: float) -> np.ndarray:
    """COINr ``check_SkewKurt``: pass iff |skew| < skew_thresh or kurt < kurt_thresh.

    Columns whose skew or kurtosis cannot be computed pass (COINr leaves them
    untreated with a warning).
    """
    undefined = np.isnan(sk) | np.isnan(kt)
    return (np.abs(sk) < skew_thresh) | (kt < kurt_thresh) | undefined


def log_ct(x: np.ndarray) -> np.ndarray:
    """COIN Tool log transform ``log(x − min + 0.01·(max − min))`` per column (COINr ``log_CT``)."""
    lo = np.nanmin(x, axis=-2, keepdims=True)
    hi = np.nanmax(x, axis=-2, keepdims=True)
    return np.log(x - lo + 0.01 * (hi - lo))


def _extreme_step(rows: np.ndarray, high: np.ndarray) -> np.ndarray:
    """One winsorisation step on each row of ``rows`` (one indicator per row), in place.

    Where ``high``, the row's maximum value(s) move to the next-highest value, elsewhere
    the minimum value(s) to the next-lowest; ties move together. A step that would leave
    the row constant, or that has no next value, is not taken. Returns the mask of the
    points moved (empty for a row that did not step).
    """
    sign = np.where(high, 1.0, -1.0)[:, None]
    s = rows * sign  # the extreme to move is always the maximum of s
    moved = s == np.fmax.reduce(s, axis=1, keepdims=True)
    np.copyto(s, np.nan, where=moved)  # the values that stay
    with np.errstate(invalid="ignore"):
        nxt = np.fmax.reduce(s, axis=1)
        # there is a next value, and a lower one remains after the step (it still varies)
        moved &= (np.fmin.reduce(s, axis=1) < nxt)[:, None]
    np.copyto(rows, (nxt * sign[:, 0])[:, None], where=moved)
    return moved


def winsorise(
    x: np.ndarray,
    winmax: int | None = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    force_win: bool = False,
    fallback: str | None = "log_CT",
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Treat a ``(units, indicators)`` matrix; see the module docstring for the procedure.

    Returns the treated matrix, a string matrix of treated points (``"winhi"``,
    ``"winlo"``, ``"log"`` or ``""``) and a per-indicator details table with the
    skew/kurtosis before (``Skew0``, ``Kurt0``, ``Pass0``), after winsorising
    (``nwin``, ``Skew1``, ``Kurt1``, ``Pass1``) and after the log step
    (``log``, ``Skew2``, ``Kurt2``, ``Pass2``). ``winmax=None`` means no limit;
    ``fallback=None`` skips the log step. ``force_win`` keeps winsorising a
    *failing* indicator up to ``winmax`` even once it passes; an indicator that
    passes the first test is never touched (COINr ``Treat.numeric`` only calls
    ``winsorise`` when ``f_pass`` fails).
    """
    if fallback not in FALLBACKS:
        raise problem_error(
            FALLBACK_RULE, "invalid spec", source="treat", column="fallback", value=fallback
        )
    orig = np.array(x, dtype=float)
    n, m = orig.shape
    rows_of = np.ascontiguousarray(orig.T)  # one indicator per contiguous row
    sk0, kt0 = _shape_stats(rows_of)
    pass0 = _passes(sk0, kt0, skew_thresh, kurt_thresh)
    limit = np.inf if winmax is None else winmax
    treated = ~pass0
    failing = np.flatnonzero(treated)
    # the failing indicators, one per row, winsorised in place
    w = rows_of[failing]
    hi_mask = np.zeros(w.shape, dtype=bool)
    lo_mask = np.zeros(w.shape, dtype=bool)
    sk, kt = sk0[failing], kt0[failing]
    nwin = np.zeros(len(failing), dtype=int)
    active = nwin < limit
    for _ in range(n):  # each step moves at least one point; n bounds it
        rows = np.flatnonzero(active)
        if not rows.size:
            break
        sub = w[rows]
        up = np.nan_to_num(sk[rows], nan=0.0) >= 0
        moved = _extreme_step(sub, up)
        w[rows] = sub
        # COINr keeps the positions of the current extreme(s): the points moved before
        # are tied with it, so this is the running total on that side
        stepped = moved.any(axis=1)
        hi_mask[rows[stepped & up]] = moved[stepped & up]
        lo_mask[rows[stepped & ~up]] = moved[stepped & ~up]
        nwin[rows] = hi_mask[rows].sum(axis=1) + lo_mask[rows].sum(axis=1)
        sk[rows], kt[rows] = _shape_stats(sub)
        passing = _passes(sk[rows], kt[rows], skew_thresh, kurt_thresh)
        active[rows] = stepped & (~passing | force_win) & (nwin[rows] < limit)
    pass1 = np.zeros(m, dtype=bool)
    sk1 = np.full(m, np.nan)
    kt1 = np.full(m, np.nan)
    pass1[failing] = _passes(sk, kt, skew_thresh, kurt_thresh)
    sk1[failing], kt1[failing] = sk, kt
    nwin_all = np.zeros(m)
    nwin_all[failing] = nwin
    points = np.full((n, m), "", dtype=object)
    out = orig.copy()
    out[:, failing] = w.T
    for mask, label in ((hi_mask, "winhi"), (lo_mask, "winlo")):
        r, i = np.nonzero(mask)
        points[i, failing[r]] = label
    use_log = treated & ~pass1 & (fallback is not None)
    sk2 = np.full(m, np.nan)
    kt2 = np.full(m, np.nan)
    pass2 = np.full(m, np.nan, dtype=object)
    if use_log.any():
        logged = log_ct(orig[:, use_log])
        out[:, use_log] = logged
        points[:, use_log] = "log"
        r, i = np.nonzero(np.isnan(orig[:, use_log]))
        points[r, np.flatnonzero(use_log)[i]] = ""
        s2, k2 = _shape_stats(logged.T)
        sk2[use_log], kt2[use_log] = s2, k2
        pass2[use_log] = _passes(s2, k2, skew_thresh, kurt_thresh)
    details = pd.DataFrame(
        {
            "Pass0": pass0,
            "Skew0": sk0,
            "Kurt0": kt0,
            "nwin": np.where(treated, nwin_all, np.nan),
            "Pass1": np.where(treated, pass1, None),
            "Skew1": sk1,
            "Kurt1": kt1,
            "log": use_log,
            "Pass2": pass2,
            "Skew2": sk2,
            "Kurt2": kt2,
        }
    )
    return out, points, details


METHODS = {"winsorise": winsorise}
