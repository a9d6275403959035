"""Equal weights and expert budget allocation.

Sources: OECD/JRC *Handbook on Constructing Composite Indicators* (2008): equal
weighting (§1.6, pp. 31–32; Table 22, "EW"), and the budget allocation process
(BAP, §6.5, p. 96), in which experts distribute a budget of points over the
indicators and the weights are the average allocation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ProblemList
from .result import WeightResult

__all__ = ["budget", "equal"]

_HANDBOOK = "OECD/JRC Handbook on Constructing Composite Indicators (2008)"


def equal(X: pd.DataFrame | pd.Index | list[str]) -> WeightResult:
    """Equal weights ``1/m`` for the ``m`` columns of ``X`` (or a list of codes).

    Handbook (2008) §1.6: equal weighting, the default of most composite indicators.
    """
    codes = pd.Index(X.columns if isinstance(X, pd.DataFrame) else X, name="iCode")
    w = pd.Series(1.0 / len(codes), index=codes)
    return WeightResult(
        w,
        method="equal",
        source=_HANDBOOK + " §1.6 (equal weighting)",
        conventions="every indicator gets 1/m; data values are not used",
    )


def budget(allocations: pd.DataFrame, *, total: float | None = None) -> WeightResult:
    """Budget allocation: the mean of several experts' allocations, as shares.

    ``allocations``: one row per expert (index = expert id), one column per
    indicator, non-negative points (e.g. 100 points each). Each expert's row
    is turned into shares; the weights are the mean share (Handbook 2008 §6.5,
    budget allocation process). ``total``: if given, every row must add up to
    it. Diagnostics: ``spread`` (mean, sd, min, max share per indicator),
    ``distance`` (each expert's L1 distance from the mean of the *other*
    experts) and ``outliers``, the experts whose distance lies above Tukey's
    fence Q3 + 1.5 IQR of the distances (Tukey 1977, *Exploratory Data
    Analysis*, §2), named in the warnings.
    """
    problems = ProblemList()
    a = allocations
    for c in a.columns:
        if not pd.api.types.is_numeric_dtype(a[c]):
            problems.add("allocation must be numeric", source="budget", column=c)
    problems.raise_if_any("invalid budget allocations")
    for (expert, code), v in a.stack(future_stack=True).items():
        if pd.isna(v):
            problems.add("missing allocation", source="budget", row=expert, column=code)
        elif v < 0:
            problems.add(
                "allocation must be ≥ 0", source="budget", row=expert, column=code, value=v
            )
    sums = a.sum(axis=1)
    for expert, s in sums.items():
        if s <= 0:
            problems.add("expert allocated nothing", source="budget", row=expert, value=s)
        elif total is not None and not np.isclose(s, total):
            problems.add(
                f"allocations must add up to {total:g}", source="budget", row=expert, value=s
            )
    if len(a) < 1:
        problems.add("no expert allocations", source="budget")
    problems.raise_if_any("invalid budget allocations")
    shares = a.div(sums, axis=0)
    w = shares.mean(axis=0)
    w.index.name = "iCode"
    n = len(shares)
    if n > 1:
        others = (shares.sum(axis=0).to_numpy() - shares.to_numpy()) / (n - 1)
        distance = pd.Series(np.abs(shares.to_numpy() - others).sum(axis=1), index=shares.index)
        q1, q3 = np.percentile(distance, [25, 75])
        outliers = list(distance.index[distance > q3 + 1.5 * (q3 - q1)])
    else:
        distance, outliers = pd.Series(0.0, index=shares.index), []
    spread = pd.DataFrame(
        {
            "mean": w,
            "sd": shares.std(axis=0, ddof=1) if n > 1 else 0.0,
            "min": shares.min(),
            "max": shares.max(),
        }
    )
    warnings = [
        f"专家 {e} 的分配明显偏离其他专家 / expert {e} allocates far from the others "
        f"(L1 distance {distance[e]:.3f})"
        for e in outliers
    ]
    return WeightResult(
        w,
        method="budget",
        source=_HANDBOOK + " §6.5 (budget allocation process)",
        conventions="each expert's points are turned into shares before averaging",
        tables={"spread / 离散度": spread, "expert distance / 专家偏离": distance.to_frame("L1")},
        warnings=warnings,
        n_experts=n,
        spread=spread,
        distance=distance,
        outliers=outliers,
        shares=shares,
    )
