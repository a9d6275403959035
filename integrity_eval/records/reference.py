"""A plain pandas implementation of the breach display rule, for checks and comparison.

The same rule as :mod:`.rules` written the direct way: for every period end,
test every record (records × periods work, vectorised over records with
pandas/NumPy). It is the independent reference the tests compare the DuckDB
sweep against, and the baseline ``benchmarks/records.py`` times; use
:func:`.counts.breach_counts` for real work.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from . import periods as P
from .rules import resolve_rules

__all__ = ["breach_counts_pandas"]


def breach_counts_pandas(
    df: pd.DataFrame,
    period: str,
    start: Any,
    end: Any,
    *,
    measure: str = "active",
    rules: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """``uCode, Time, value`` for the units in ``df`` (typed breach records, as
    ``Records.to_frame()`` returns them), periods ``start``..``end``."""
    r = resolve_rules(rules)
    decided = pd.to_datetime(df["decided"])
    min_end = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    max_end = min_end.copy()
    for sev, span in r["display"].items():
        m = (df["severity"] == sev).to_numpy()
        min_end[m] = decided[m] + pd.DateOffset(months=span["min"])
        max_end[m] = decided[m] + pd.DateOffset(months=span["max"])
    repaired = pd.to_datetime(df.get("repaired"))
    d_end = max_end.where(repaired.isna(), np.minimum(max_end, np.maximum(repaired, min_end)))
    filed = pd.to_datetime(df.get("objection_filed"))
    closed = pd.to_datetime(df.get("objection_closed"))
    void = df.get("exempt", False).fillna(False).astype(bool) | df.get(
        "objection_upheld", False
    ).fillna(False).astype(bool)
    w = df["severity"].map(r["weights"]).astype(float) * df["mitigation"].fillna(1.0)
    w = w.where(~void, 0.0)
    p0, p1 = P.parse(start, period), P.parse(end, period)
    units = sorted(df["uCode"].unique())
    out = []
    for p in range(p0, p1 + 1):
        day = pd.Timestamp(P.period_end(p, period))
        if measure == "active":
            under = (filed <= day) & (closed.isna() | (day < closed))
            on = (decided <= day) & (day < d_end) & ~under.fillna(False)
        else:
            prev = pd.Timestamp(P.period_end(p - 1, period))
            on = (decided > prev) & (decided <= day)
        val = (w * on).groupby(df["uCode"]).sum().reindex(units, fill_value=0.0)
        out.append(pd.DataFrame({"uCode": units, "Time": P.label(p, period), "value": val.values}))
    return pd.concat(out).sort_values(["uCode", "Time"]).reset_index(drop=True)
