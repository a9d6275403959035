"""Denomination: divide indicators by a size variable (COINr 1.1.14 ``Denominate``).

Each indicator whose framework node names a ``denominator`` is divided by that
iData column (e.g. breach records per 10,000 residents), so that units of
different sizes are comparable (OECD/JRC Handbook (2008) §1.2, "scaling").
"""

from __future__ import annotations

import numpy as np


def denominate(x: np.ndarray, denominators: np.ndarray) -> np.ndarray:
    """``x / d`` column by column; ``denominators`` holds NaN where a column has none.

    Both arrays have shape ``(units, indicators)``; columns without a
    denominator (all-NaN) are returned unchanged.
    """
    none = np.all(np.isnan(denominators), axis=0)
    return np.where(none, x, x / np.where(none, 1.0, denominators))
