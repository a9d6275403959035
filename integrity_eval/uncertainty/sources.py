"""Multi-source scores in the style of Transparency International's CPI.

A unit's score is the mean of its sources' rescaled scores, given at least
``min_sources`` sources; its standard error is the sources' standard deviation
over √n and its 90 % interval is the (rounded) score ± 1.64·SE; units are ranked
by competition ranking of the score (equal scores share the best rank).

Source: Transparency International, *Corruption Perceptions Index 2019: Technical
Methodology Note* (rescaling of each source to mean 45 and standard deviation 20
against the 2012 baseline, ≥ 3 sources, simple average, rounding to integers,
standard error and 90 % confidence interval); checked against TI's published
CPI 2019 workbook (tests/reference/cpi).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import ProblemList
from ..ranking import min_rank
from ..schemas import numeric_frame

__all__ = ["source_mean"]


def source_mean(
    sources: pd.DataFrame,
    min_sources: int = 3,
    z: float = 1.64,
    *,
    baseline: Mapping[str, tuple[float, float]] | None = None,
    decimals: int | None = 0,
) -> pd.DataFrame:
    """CPI-style score, standard error, interval and rank from a units × sources table.

    ``sources``: one row per unit, one column per source, NaN where a source does
    not cover the unit; values already on the common scale unless ``baseline``
    gives, per source, the baseline ``(mean, sd)``: then each source is rescaled
    as ``45 + 20·(x − mean)/sd`` (CPI). ``decimals``: rounding of the published
    score (CPI: integers, halves rounded up; ``None`` keeps full precision).
    Returns, by unit: ``score``, ``se`` (SD/√n, n − 1 in the SD), ``n_sources``,
    ``lower``, ``upper`` (score ± z·SE), ``rank`` (competition ranks, 1 = highest)
    and ``reason`` (why a unit has no score: fewer than ``min_sources`` sources).
    """
    problems = ProblemList()
    x = numeric_frame(
        sources,
        source="sources",
        rule="来源分数须为数值 / a source score must be a number",
        problems=problems,
    )
    if baseline is not None:
        for col in sources.columns:
            if col not in baseline:
                problems.add(
                    "缺少该来源的基准均值与标准差 / no baseline (mean, sd) for this source",
                    source="baseline",
                    column=col,
                )
    problems.raise_if_any("来源分数无效 / invalid source scores")
    if baseline is not None:
        for col in x.columns:
            mean, sd = baseline[col]
            x[col] = 45.0 + 20.0 * (x[col] - mean) / sd
    n = x.notna().sum(axis=1)
    ok = n >= min_sources
    mean = x.mean(axis=1)
    score = np.floor(mean * 10**decimals + 0.5) / 10**decimals if decimals is not None else mean
    se = x.std(axis=1, ddof=1) / np.sqrt(n)
    score, se = score.where(ok), se.where(ok)
    ranks = min_rank(score.to_numpy()[:, None], descending=True)[:, 0]
    return pd.DataFrame(
        {
            "score": score,
            "se": se,
            "n_sources": n,
            "lower": score - z * se,
            "upper": score + z * se,
            "rank": ranks,
            "reason": np.where(
                ok, "", f"少于 {min_sources} 个来源 / fewer than {min_sources} sources"
            ),
        },
        index=sources.index,
    )
