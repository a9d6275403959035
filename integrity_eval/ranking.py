"""Ranks with ties taking the minimum rank (R's ``rank(ties.method = "min")``).

One implementation serves the rank-based normalisations (ascending: the lowest
value gets rank 1) and the league tables (descending: the highest score gets
rank 1), as in COINr 1.1.14 (``n_rank``, ``get_results``).
"""

from __future__ import annotations

import numpy as np


def min_rank(x: np.ndarray, *, descending: bool = False, axis: int = -2) -> np.ndarray:
    """Competition ("1224") ranks along ``axis``; NaN stays NaN.

    ``descending=False`` ranks the smallest value 1 (R ``rank(x, ties.method="min",
    na.last="keep")``); ``descending=True`` ranks the largest value 1, as COINr ranks
    scores. Works on arrays of any shape; the default axis is the unit axis of a
    ``(..., units, indicators)`` array.
    """
    a = np.moveaxis(np.asarray(x, dtype=float), axis, -1)
    key = -a if descending else a
    nan = np.isnan(a)
    key = np.where(nan, np.inf, key)
    order = np.argsort(key, axis=-1, kind="stable")
    sorted_key = np.take_along_axis(key, order, axis=-1)
    n = a.shape[-1]
    # position of the first element of each run of equal values
    new_run = np.ones(sorted_key.shape, dtype=bool)
    new_run[..., 1:] = sorted_key[..., 1:] != sorted_key[..., :-1]
    idx = np.broadcast_to(np.arange(n), sorted_key.shape)
    first = np.maximum.accumulate(np.where(new_run, idx, 0), axis=-1) + 1.0
    ranks = np.empty_like(first)
    np.put_along_axis(ranks, order, first, axis=-1)
    ranks[nan] = np.nan
    return np.moveaxis(ranks, -1, axis)
