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

The loop is vectorised over indicators (one pass per winsorisation step), so a
``(units, indicators)`` matrix is treated in at most ``winmax`` array passes.
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


def _varies(x: np.ndarray, axis: int) -> np.ndarray:
    """Whether the non-missing values differ (a constant column has no skew or kurtosis)."""
    ok = ~np.isnan(x)
    hi = np.max(np.where(ok, x, -np.inf), axis=axis)
    lo = np.min(np.where(ok, x, np.inf), axis=axis)
    return hi > lo


def skew(x: np.ndarray, axis: int = -2) -> np.ndarray:
    """Sample-adjusted skewness G1 = √(n(n−1))/(n−2) · m₃/m₂^{3/2}; NaN-aware.

    COINr ``skew`` (= ``e1071::skewness(type = 2)`` = Excel ``SKEW``). NaN when
    fewer than 3 values or no spread.
    """
    x = np.asarray(x, dtype=float)
    n = np.sum(~np.isnan(x), axis=axis)
    d = x - np.nanmean(x, axis=axis, keepdims=True)
    m2 = np.nansum(d**2, axis=axis)
    m3 = np.nansum(d**3, axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.sqrt(n) * m3 / m2**1.5
        out = g * np.sqrt(n * (n - 1.0)) / (n - 2.0)
    return np.where((n >= 3) & _varies(x, axis), out, np.nan)


def kurt(x: np.ndarray, axis: int = -2) -> np.ndarray:
    """Sample-adjusted excess kurtosis G2 = ((n+1)(r−3)+6)(n−1)/((n−2)(n−3)), r = n·m₄/m₂².

    COINr ``kurt`` (= ``e1071::kurtosis(type = 2)`` = Excel ``KURT``). NaN when
    fewer than 4 values or no spread.
    """
    x = np.asarray(x, dtype=float)
    n = np.sum(~np.isnan(x), axis=axis)
    d = x - np.nanmean(x, axis=axis, keepdims=True)
    m2 = np.nansum(d**2, axis=axis)
    m4 = np.nansum(d**4, axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = n * m4 / m2**2
        out = ((n + 1.0) * (r - 3.0) + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0))
    return np.where((n >= 4) & _varies(x, axis), out, np.nan)


def _passes(x: np.ndarray, skew_thresh: float, kurt_thresh: float):
    """COINr ``check_SkewKurt``: pass iff |skew| < skew_thresh or kurt < kurt_thresh.

    Columns whose skew or kurtosis cannot be computed pass (COINr leaves them
    untreated with a warning).
    """
    sk, kt = skew(x), kurt(x)
    undefined = np.isnan(sk) | np.isnan(kt)
    ok = (np.abs(sk) < skew_thresh) | (kt < kurt_thresh) | undefined
    return ok, sk, kt


def log_ct(x: np.ndarray) -> np.ndarray:
    """COIN Tool log transform ``log(x − min + 0.01·(max − min))`` per column (COINr ``log_CT``)."""
    lo = np.nanmin(x, axis=-2, keepdims=True)
    hi = np.nanmax(x, axis=-2, keepdims=True)
    return np.log(x - lo + 0.01 * (hi - lo))


def _extreme_step(x: np.ndarray, cols: np.ndarray, high: bool) -> np.ndarray:
    """One winsorisation step on columns ``cols``: move the extreme value(s) inward.

    Returns the mask of the points moved (the current extreme, ties included).
    """
    filled = np.where(np.isnan(x), -np.inf if high else np.inf, x)
    ext = filled.max(axis=0) if high else filled.min(axis=0)
    mask = (x == ext) & cols
    rest = np.where(mask | np.isnan(x), -np.inf if high else np.inf, x)
    nxt = rest.max(axis=0) if high else rest.min(axis=0)
    finite = np.isfinite(nxt)
    mask &= finite
    x[mask] = np.broadcast_to(nxt, x.shape)[mask]
    return mask


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
    pass0, sk0, kt0 = _passes(orig, skew_thresh, kurt_thresh)
    limit = np.inf if winmax is None else winmax
    xw = orig.copy()
    hi_mask = np.zeros((n, m), dtype=bool)
    lo_mask = np.zeros((n, m), dtype=bool)
    nwin = np.zeros(m, dtype=int)
    treated = ~pass0
    passing = pass0.copy()
    active = treated & (nwin < limit)
    for _ in range(n):  # each step moves at least one point; n bounds it
        if not active.any():
            break
        sk = skew(xw)
        up = active & (np.nan_to_num(sk, nan=0.0) >= 0)
        down = active & ~up
        stuck = np.zeros(m, dtype=bool)  # nothing left to move without erasing the indicator
        for cols, mask, high in ((up, hi_mask, True), (down, lo_mask, False)):
            if cols.any():
                before = xw[:, cols].copy()
                moved = _extreme_step(xw, cols[None, :], high=high)
                flat = np.zeros(m, dtype=bool)  # steps that would make a column constant
                flat[cols] = ~_varies(xw[:, cols], axis=0)
                xw[:, flat] = before[:, flat[cols]]
                moved[:, flat] = False
                # COINr keeps the positions of the current extreme(s): the points moved
                # before are tied with it, so this is the running total on that side
                step = cols & moved.any(axis=0)
                mask[:, step] = moved[:, step]
                stuck |= cols & ~step
        nwin = hi_mask.sum(axis=0) + lo_mask.sum(axis=0)
        passing, _, _ = _passes(xw, skew_thresh, kurt_thresh)
        active = active & ~stuck & (~passing | force_win) & (nwin < limit)
    pass1, sk1, kt1 = _passes(xw, skew_thresh, kurt_thresh)
    points = np.full((n, m), "", dtype=object)
    points[hi_mask] = "winhi"
    points[lo_mask] = "winlo"
    out = np.where(treated[None, :], xw, orig)
    use_log = treated & ~pass1 & (fallback is not None)
    sk2 = np.full(m, np.nan)
    kt2 = np.full(m, np.nan)
    pass2 = np.full(m, np.nan, dtype=object)
    if use_log.any():
        logged = log_ct(orig[:, use_log])
        out[:, use_log] = logged
        points[:, use_log] = np.where(np.isnan(orig[:, use_log]), "", "log")
        ok2, s2, k2 = _passes(logged, skew_thresh, kurt_thresh)
        sk2[use_log], kt2[use_log], pass2[use_log] = s2, k2, ok2
    details = pd.DataFrame(
        {
            "Pass0": pass0,
            "Skew0": sk0,
            "Kurt0": kt0,
            "nwin": np.where(treated, nwin, np.nan),
            "Pass1": np.where(treated, pass1, None),
            "Skew1": np.where(treated, sk1, np.nan),
            "Kurt1": np.where(treated, kt1, np.nan),
            "log": use_log,
            "Pass2": pass2,
            "Skew2": sk2,
            "Kurt2": kt2,
        }
    )
    return out, points, details


METHODS = {"winsorise": winsorise}
