"""Unit screening by data availability (COINr 1.1.14 ``Screen``).

Per unit: ``N_missing``, ``N_zero``, ``Dat_Avail = 1 − N_missing/k`` and
``Non_Zero = 1 − N_zero/(k − N_missing)`` over the ``k`` indicators (COINr
``get_data_avail``). A unit is flagged ``LowData`` when ``Dat_Avail <
dat_thresh`` and ``LowNonZero`` when ``Non_Zero < nonzero_thresh``; with
``unit_screen`` = ``"byNA"``, ``"byzeros"`` or ``"byNAandzeros"`` the flagged
units are removed. ``force`` maps uCodes to True/False to force inclusion or
exclusion, overriding the rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import problem_error, suggest

UNIT_SCREEN = ("byNA", "byzeros", "byNAandzeros")


def screen(
    x: np.ndarray,
    units: Sequence[str],
    dat_thresh: float = 2 / 3,
    unit_screen: str = "byNA",
    nonzero_thresh: float = 0.05,
    force: Mapping[str, bool] | None = None,
) -> pd.DataFrame:
    """The screening table (COINr ``Screen``'s ``DataSummary``), indexed by uCode.

    Column ``Included`` says which units are kept.
    """
    if unit_screen not in UNIT_SCREEN:
        raise problem_error(
            f"unit_screen must be one of {list(UNIT_SCREEN)}",
            "invalid screening",
            source="screen",
            column="unit_screen",
            value=suggest(unit_screen, UNIT_SCREEN),
        )
    k = x.shape[1]
    n_missing = np.isnan(x).sum(axis=1)
    n_zero = (x == 0).sum(axis=1)
    dat_avail = 1.0 - n_missing / k
    with np.errstate(divide="ignore", invalid="ignore"):
        non_zero = 1.0 - n_zero / (k - n_missing)
    low_data = dat_avail < dat_thresh
    low_nonzero = non_zero < nonzero_thresh
    either = low_data | low_nonzero
    flagged = {"byNA": low_data, "byzeros": low_nonzero, "byNAandzeros": either}[unit_screen]
    table = pd.DataFrame(
        {
            "N_missing": n_missing,
            "N_zero": n_zero,
            "N_miss_or_zero": n_missing + n_zero,
            "Dat_Avail": dat_avail,
            "Non_Zero": non_zero,
            "LowData": low_data,
            "LowNonZero": low_nonzero,
            "LowDatOrZeroFlag": either,
            "Included": ~flagged,
        },
        index=pd.Index(list(units), name="uCode"),
    )
    for code, include in (force or {}).items():
        table.loc[code, "Included"] = bool(include)
    return table
