"""Benefit of the Doubt (BoD) weights: each unit's most favourable weights, as a model.

The linear programme and its sources are in :mod:`integrity_eval.dea` (OECD/JRC
*Handbook on Constructing Composite Indicators* (2008) §6.3, Eqs. 19–22; Cherchye et
al. 2007); this module checks the data, applies directions and bounds, and returns a
:class:`~integrity_eval.weights.result.WeightResult` with the scores and each unit's
weights.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..dea import bod_scores, bounds_arrays
from .result import WeightResult, as_directions, check_domain, check_matrix, reflect_costs

__all__ = ["bod"]


def bod(
    X: pd.DataFrame,
    *,
    share_bounds: tuple[float, float] | Mapping[str, tuple[float, float]] | None = None,
    weight_bounds: tuple[float, float] | Mapping[str, tuple[float, float]] | None = None,
    directions: Mapping[str, float] | None = None,
) -> WeightResult:
    """Benefit-of-the-Doubt scores and weights (Handbook 2008 §6.3, Eqs. 19–22).

    ``X``: units × indicators, values ≥ 0 with higher = better (e.g. the
    min-max Normalised dataset); a cost indicator (``directions`` −1) is
    reflected as ``max + min − x``. ``share_bounds``: ``(lo, hi)`` for every
    indicator or a mapping code → ``(lo, hi)``, bounds on each indicator's
    share ``w_j y_ij / CI_i`` of the unit's score (Cherchye et al. 2007).
    ``weight_bounds``: the same form, bounds on each indicator's relative
    weight ``w_j / Σ_l w_l`` (Handbook p. 94 and note 29: TAI's Table 19 keeps
    every weight within 10–15 %; meaningful when the indicators share a scale,
    e.g. min-max). Bounds that cannot add up to 1 are an error. ``.weights``
    stays the mean share of the scores either way; each unit's relative weights
    are ``unit_weights`` divided by their row sum. Returns a result whose
    ``scores`` are the BoD scores in [0, 1], ``unit_weights`` each unit's LP
    weights, ``unit_shares`` each indicator's share of each unit's score, and
    ``weights`` the mean share over units with a positive score (the
    "typical" implied weighting; BoD has no single weight vector).
    Conventions: negative values are an error (the programme assumes y ≥ 0);
    zeros are ordinary values (they earn nothing); a unit that is zero on
    every indicator scores 0.
    """
    check_matrix(X, "bod").raise_if_any("invalid data for Benefit of the Doubt")
    d = as_directions(directions, X.columns, "bod")
    x = X.to_numpy(dtype=float)
    problems = check_domain(
        x,
        X,
        "bod",
        "BoD 需要非负值，请先标准化（如 min-max） / BoD needs non-negative values; normalise "
        "first (e.g. min-max)",
    )
    bounds = bounds_arrays(share_bounds, X.columns, problems)
    wbounds = bounds_arrays(weight_bounds, X.columns, problems, name="weight_bounds")
    problems.raise_if_any("invalid input for Benefit of the Doubt")
    y = reflect_costs(x, d)
    scores, w = bod_scores(y, bounds, weight_bounds=wbounds)
    contrib = w * y
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = contrib / contrib.sum(axis=1, keepdims=True)
    pos = scores > 0
    mean_share = np.nanmean(shares[pos], axis=0) if pos.any() else np.full(len(d), 1 / len(d))
    codes = pd.Index(X.columns, name="iCode")
    return WeightResult(
        pd.Series(mean_share / mean_share.sum(), index=codes),
        method="bod",
        source="OECD/JRC Handbook (2008) §6.3 Eqs. 19–22; Cherchye et al. (2007) Soc. Indic. Res. "
        "82: 111–145; solver: scipy linprog (HiGHS)",
        conventions="y ≥ 0 required; cost indicators reflected as max+min−x; weights = mean "
        "share of each indicator in the units' scores",
        tables={"scores / 得分": pd.DataFrame({"BoD": scores}, index=X.index).describe().T},
        scores=pd.Series(scores, index=X.index, name="bod"),
        unit_weights=pd.DataFrame(w, index=X.index, columns=codes),
        unit_shares=pd.DataFrame(shares, index=X.index, columns=codes),
        share_bounds=share_bounds,
        weight_bounds=weight_bounds,
    )
