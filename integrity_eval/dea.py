"""Benefit of the Doubt (BoD) scores: the DEA linear programme per unit, solved by HiGHS.

Sources: OECD/JRC *Handbook on Constructing Composite Indicators* (2008) §6.3
("Benefit of the doubt approach", pp. 92–94, Eqs. 19–22; Table 19 for TAI, with each
indicator's relative weight bounded to 10–15 %, note 29); Cherchye, Moesen,
Rogge & Van Puyenbroeck (2007) *Social Indicators Research* 82: 111–145 (weight
restrictions on the shares ``w_j y_ij / CI_i``); Melyn & Moesen (1991).

For unit ``i`` with values ``y_i ≥ 0``::

    CI_i = max_w  Σ_j w_j y_ij
           s.t.   Σ_j w_j y_kj ≤ 1   for every unit k      (no unit scores above 1)
                  w_j ≥ 0
                  lo_j ≤ w_j y_ij / Σ_l w_l y_il ≤ hi_j  (optional share bounds)
                  lo_j ≤ w_j / Σ_l w_l ≤ hi_j            (optional weight bounds)

so ``0 ≤ CI_i ≤ 1``. Solved by scipy's HiGHS (``linprog(method="highs")``)
after an exact, vectorised certification of efficient units (a weight vector
proving score 1 makes the programme unnecessary; see :func:`bod_scores`). The
aggregation method (:func:`integrity_eval.mcda.bod`) and the weighting model
(:func:`integrity_eval.weights.bod`) both solve it here.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .errors import Problem, ProblemList, ValidationError

__all__ = ["bod_scores", "bounds_arrays"]

_TOL = 1e-9


def bounds_arrays(
    given,
    codes: pd.Index,
    problems: ProblemList,
    source: str = "bod",
    name: str = "share_bounds",
) -> tuple[np.ndarray, np.ndarray] | None:
    """Bounds (``(lo, hi)`` for all, or a mapping code → (lo, hi)) as arrays.

    ``name``: the option checked, ``share_bounds`` or ``weight_bounds`` (both
    bound parts of a whole that sums to 1, so the same checks apply).
    """
    if given is None:
        return None
    what = "shares" if name == "share_bounds" else "relative weights"
    m = len(codes)
    lo, hi = np.zeros(m), np.ones(m)
    if isinstance(given, Mapping):
        for code in given:
            if code not in codes:
                problems.add(
                    f"{name} names a code that is not an indicator here",
                    source=source,
                    column=code,
                )
        pairs = {c: given[c] for c in codes if c in given}
    else:
        pairs = dict.fromkeys(codes, given)
    for j, code in enumerate(codes):
        if code not in pairs:
            continue
        try:
            a, b = (float(v) for v in pairs[code])
        except (TypeError, ValueError):
            problems.add(
                f"{name} must be a pair (lo, hi)", source=source, column=code, value=pairs[code]
            )
            continue
        if not 0 <= a <= b <= 1:
            problems.add(f"{name} need 0 ≤ lo ≤ hi ≤ 1", source=source, column=code, value=(a, b))
        lo[j], hi[j] = a, b
    if lo.sum() > 1 + _TOL:
        problems.add(
            f"infeasible {name}: the lower bounds add up to {lo.sum():.3g} > 1 ({what} "
            "must sum to 1); lower them",
            source=source,
            column=name,
            value=given,
        )
    if hi.sum() < 1 - _TOL:
        problems.add(
            f"infeasible {name}: the upper bounds add up to {hi.sum():.3g} < 1 ({what} "
            "must sum to 1); raise them",
            source=source,
            column=name,
            value=given,
        )
    return lo, hi


def bod_scores(
    y: np.ndarray,
    bounds: tuple[np.ndarray, np.ndarray] | None = None,
    *,
    weight_bounds: tuple[np.ndarray, np.ndarray] | None = None,
    iterations: int = 50,
) -> tuple[np.ndarray, np.ndarray]:
    """BoD scores and one optimal weight vector per unit, for ``y ≥ 0`` (units × indicators).

    ``bounds``: share bounds, ``weight_bounds``: relative-weight bounds, as
    ``(lo, hi)`` arrays (see :func:`bod`). Without bounds, units are first
    *certified* efficient (score 1)
    without a programme: any ``w ≥ 0`` gives the lower bound
    ``w·y_i / max_k w·y_k`` of the score, and when it reaches 1 that ``w`` is an
    optimal solution. Candidates are the power weights ``w = y_i^p`` (p = 1, 2,
    4, 8, 16) and powers of the unit's percentile ranks, then ``iterations``
    multiplicative (Winnow-type, Littlestone 1988) updates away from the unit
    that beats ``i``; all vectorised over units. Every unit not certified is
    solved exactly by HiGHS (constraint generation, see :func:`_solve`). With
    bounds every unit is solved by HiGHS.
    Returns ``(scores, weights)``.
    """
    n, m = y.shape
    scores = np.zeros(n)
    weights = np.zeros((n, m))
    todo = np.flatnonzero(y.any(axis=1))  # a unit that is zero everywhere scores 0
    if bounds is None and weight_bounds is None and len(todo):
        done, w = _certify(y, todo, iterations)
        weights[todo[done]] = w[done]
        scores[todo[done]] = 1.0
        todo = todo[~done]
    seeds = np.unique(np.argmax(y, axis=0))
    fixed = _bound_rows(np.ones(m), weight_bounds)
    for i in todo:
        rows = [r for r in (_bound_rows(y[i], bounds), fixed) if r is not None]
        w = _solve(y, i, seeds, np.vstack(rows) if rows else None)
        weights[i] = w
        scores[i] = min(float(y[i] @ w), 1.0)
    return scores, weights


def _solve(
    y: np.ndarray, i: int, seeds: np.ndarray, extra: np.ndarray | None, rounds: int = 10
) -> np.ndarray:
    """Unit ``i``'s programme by constraint generation, exact: start from the units best on
    some indicator and the 50 most similar to ``i``, add the 50 most violated constraints
    per round; after ``rounds`` rounds solve the full programme."""
    from scipy.optimize import linprog  # imported when a programme is solved, not by build

    n = len(y)
    rows = np.zeros(n, dtype=bool)
    rows[seeds] = True
    rows[i] = True
    rows[np.argsort(-(y @ y[i]))[:50]] = True
    for attempt in range(rounds + 1):
        if attempt == rounds:
            rows[:] = True
        a_ub = y[rows] if extra is None else np.vstack([y[rows], extra])
        b_ub = np.concatenate([np.ones(rows.sum()), np.zeros(0 if extra is None else len(extra))])
        res = linprog(-y[i], A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
        if res.status != 0:
            raise ValidationError(
                [Problem(f"BoD programme failed: {res.message}", source="bod", row=str(i))],
                title="Benefit of the Doubt failed",
            )
        v = y @ res.x
        violated = np.flatnonzero((v > 1 + 1e-9) & ~rows)
        if not len(violated):
            return res.x
        rows[violated[np.argsort(-v[violated])[:50]]] = True
    return res.x


def _certify(
    y: np.ndarray, units: np.ndarray, iterations: int, chunk: int = 512
) -> tuple[np.ndarray, np.ndarray]:
    """Which ``units`` have a weight vector proving score 1, and those vectors (scaled).

    Candidates: ``y_i^p`` and ``q_i^p`` (``q`` = the unit's percentile rank on each
    indicator), then multiplicative updates; only the units not yet certified are
    carried from one step to the next.
    """
    done = np.zeros(len(units), dtype=bool)
    out = np.zeros((len(units), y.shape[1]))
    q = (np.argsort(np.argsort(y, axis=0), axis=0) + 1.0) / len(y)
    for start in range(0, len(units), chunk):
        rows = np.arange(start, min(start + chunk, len(units)))
        idx = units[rows]
        yi = y[idx] + 1e-12
        cands = [q[idx] ** p for p in (4, 16, 64)] + [yi**p for p in (1, 2, 4, 8, 16)]
        w = cands[0]
        for it in range(len(cands) + iterations):
            if it < len(cands):
                w = cands[it][: len(rows)] if it else w
            w = w / w.sum(axis=1, keepdims=True)
            v = w @ y.T
            own = np.einsum("ij,ij->i", w, y[idx])
            top = v.max(axis=1)
            ok = own >= top * (1 - 1e-12)
            done[rows[ok]] = True
            out[rows[ok]] = w[ok] / top[ok, None]
            keep = ~ok
            if not keep.any():
                break
            rows, idx, yi, w, v = rows[keep], idx[keep], yi[keep], w[keep], v[keep]
            cands = [c[keep] for c in cands]
            if it >= len(cands) - 1:
                k = v.argmax(axis=1)
                w = w * np.sqrt(yi / (y[k] + 1e-12))
    return done, out


def _bound_rows(c: np.ndarray, bounds: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray | None:
    """Linear rows ``A w ≤ 0`` for ``lo_j ≤ c_j w_j / Σ_l c_l w_l ≤ hi_j``.

    ``c = y_i``: bounds on the shares of unit ``i``'s score (Cherchye et al.
    2007); ``c = 1``: bounds on the relative weights (Handbook 2008 p. 94).
    """
    if bounds is None:
        return None
    lo, hi = bounds
    m = len(c)
    eye = np.diag(c)
    total = np.tile(c, (m, 1))
    rows = []
    has_lo, has_hi = lo > 0, hi < 1
    if has_lo.any():
        rows.append((lo[:, None] * total - eye)[has_lo])  # lo·Σ − c_j w_j ≤ 0
    if has_hi.any():
        rows.append((eye - hi[:, None] * total)[has_hi])  # c_j w_j − hi·Σ ≤ 0
    return np.vstack(rows) if rows else None
