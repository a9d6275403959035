"""Grades under uncertainty: the probability of each grade from score draws.

Given Monte Carlo draws of the scores (draws × units, e.g. the ``scores`` of an
uncertainty analysis), the probability of grade g for a unit is the share of its
draws that fall in g's band (same edge rule as :class:`Scheme`); a unit is
*borderline* when its 5–95 % score interval (the empirical percentiles,
``numpy.quantile`` with linear interpolation) spans more than one band — the JRC's
practice of reporting rank intervals rather than single ranks (OECD/JRC Handbook
2008, §7), applied to grades.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, ValidationError
from .grade import CANNOT_GRADE, apply_caps, check_raw, lower_is_better_problem, veto_matrix
from .scheme import Scheme, load_scheme

__all__ = ["grade_probabilities"]


def grade_probabilities(
    score_draws: pd.DataFrame,
    scheme: Scheme | str | Path | Mapping[str, Any],
    *,
    raw: pd.DataFrame | None = None,
    interval: tuple[float, float] = (0.05, 0.95),
) -> pd.DataFrame:
    """Units × grades probabilities (best first), plus ``borderline`` (bool).

    ``score_draws``: DataFrame, draws (rows) × units (columns). Missing draws of a unit
    are left out of its shares; a unit with no draw at all is an error. Vectorised
    over draws and units (one comparison against the edges). When the scheme has veto
    rules, ``raw`` (the raw indicator values by uCode, e.g. ``ev.get_dset("Raw")``) is
    required: every draw's grade is capped as in :func:`rate`, and ``borderline`` compares
    the capped grades at the two ends of the interval.

    Scores an uncertainty analysis marks (``score_draws.attrs["integrity_eval"]``, set by
    ``UncertaintyResult.scores``) are refused when the alternatives put them on different
    scales (one set of edges cannot grade min-max and z-scores alike:
    ``ua.nominal_scale_scores`` holds the replications on the nominal evaluation's scale)
    or when they are better when lower (VIKOR's Q, as :func:`rate` refuses).
    """
    scheme = load_scheme(scheme)
    _check_gradable(score_draws)
    if not isinstance(score_draws, pd.DataFrame) or score_draws.empty:
        raise ValidationError(
            [
                Problem(
                    "须为非空的 DataFrame（抽样 × 单位）/ need a non-empty DataFrame, draws × units"
                )
            ],
            "无法计算等级概率 / cannot compute grade probabilities",
        )
    x = score_draws.to_numpy(dtype=float)
    ok = ~np.isnan(x)
    empty = ~ok.any(axis=0)
    if empty.any():
        raise ValidationError(
            [
                Problem("该单位没有任何有效抽样 / no valid draw for this unit", column=str(u))
                for u in score_draws.columns[empty]
            ],
            "无法计算等级概率 / cannot compute grade probabilities",
        )
    idx = scheme.grade_index(x)  # draws × units, −1 where missing
    # np.nanquantile loops over columns in Python: only where draws are missing
    quantile = np.nanquantile if not ok.all() else np.quantile
    lo, hi = quantile(x, interval, axis=0)
    ends = scheme.grade_index(np.stack([lo, hi]))
    if scheme.vetoes:
        fires, _ = veto_matrix(
            scheme, check_raw(raw, scheme, score_draws.columns), score_draws.columns
        )
        idx, ends = apply_caps(scheme, idx, fires), apply_caps(scheme, ends, fires)
    k = len(scheme.grades)
    counts = np.stack([(idx == g).sum(axis=0) for g in range(k)], axis=1)  # units × grades
    probs = counts / ok.sum(axis=0)[:, None]
    borderline = ends[0] != ends[1]
    out = pd.DataFrame(
        probs, index=pd.Index(score_draws.columns, name="uCode"), columns=scheme.grades
    )
    out["borderline"] = borderline
    return out


def _check_gradable(score_draws: Any) -> None:
    """Refuse draws an uncertainty analysis marked as mixing scales or lower = better."""
    meta = getattr(score_draws, "attrs", {}).get("integrity_eval", {})
    if meta.get("mixed_scales"):
        raise ValidationError(
            [
                Problem(
                    "这些模拟得分来自处于不同量纲的备选方案（例如最小-最大与 z 分数标准化），同一组"
                    "等级线无法评级；请改用 ua.nominal_scale_scores（与名义评价同一量纲的模拟）/ "
                    "these score draws come from alternatives on different scales (e.g. min-max "
                    "and z-score normalisation), which one set of grade edges cannot grade; use "
                    "ua.nominal_scale_scores (the replications on the nominal evaluation's scale)",
                    source="score_draws",
                )
            ],
            "无法计算等级概率 / cannot compute grade probabilities",
        )
    refusal = lower_is_better_problem(meta.get("method"), source="score_draws")
    if refusal is not None:
        raise ValidationError([refusal], CANNOT_GRADE)
