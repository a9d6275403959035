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
    shape, n = a.shape, a.shape[-1]
    if a.size == 0:
        return np.moveaxis(np.empty(shape), -1, axis)
    a = a.reshape(-1, n)  # rows of values to rank (a view where the layout allows)
    nan = np.isnan(a)
    has_nan = bool(nan.any())
    key = -a if descending else a.copy()
    if has_nan:
        key[nan] = np.inf
    # equal values may come in any order: each takes the first position of its run
    order = np.argsort(key, axis=-1)
    # flat positions: gathers and scatters through one index array (much cheaper than
    # take_along_axis/put_along_axis, which broadcast an index per dimension)
    flat = order + (np.arange(len(order)) * n)[:, None]
    key = key.take(flat)  # sorted: a gather, not a second sort
    first = np.broadcast_to(np.arange(1.0, n + 1.0), key.shape)
    tie = key[:, 1:] == key[:, :-1]
    if tie.any():
        starts = np.ones(key.shape, dtype=bool)
        starts[:, 1:] = ~tie
        first = np.maximum.accumulate(np.where(starts, first, 0.0), axis=-1)
    ranks = np.empty(a.shape)
    ranks.reshape(-1)[flat] = first
    if has_nan:
        ranks[nan] = np.nan
    return np.moveaxis(ranks.reshape(shape), -1, axis)
