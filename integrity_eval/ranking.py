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
    nan = np.isnan(a)
    key = np.where(nan, np.inf, -a if descending else a)
    # equal values may come in any order: each takes the first position of its run
    order = np.argsort(key, axis=-1)
    key = np.take_along_axis(key, order, axis=-1)  # sorted: a gather, not a second sort
    first = np.broadcast_to(np.arange(1.0, a.shape[-1] + 1.0), key.shape)
    tie = key[..., 1:] == key[..., :-1]
    if tie.any():
        starts = np.ones(key.shape, dtype=bool)
        starts[..., 1:] = ~tie
        first = np.maximum.accumulate(np.where(starts, first, 0.0), axis=-1)
    ranks = np.empty(key.shape)
    np.put_along_axis(ranks, order, first, axis=-1)
    ranks[nan] = np.nan
    return np.moveaxis(ranks, -1, axis)
