"""The default uncertain inputs (``docs/uncertainty.md``), used by ``integrity-eval run --draws N``.

COINr 1.1.14's sensitivity example (vignette "Sensitivity analysis"): each weight
× U(0.75, 1.25) at every level (``get_noisy_weights``, noise factor 0.25),
normalisation min-max onto [1, 100] or z-scores with mean 10 and SD 2, and the
arithmetic or geometric mean. A framework's or spec's ``uncertainty:`` block
replaces them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["COINR_DEFAULT_INPUTS", "SAME_SCALE_INPUTS", "default_inputs"]

COINR_DEFAULT_INPUTS: list[dict[str, Any]] = [
    {"path": "weights", "noise": 0.25},
    {
        "path": "normalise",
        "values": [{"method": "minmax", "l_u": [1, 100]}, {"method": "zscore", "m_sd": [10, 2]}],
    },
    {"path": "aggregate__method", "values": ["amean", "gmean"]},
]
# For graded scores: alternatives that keep the score on the nominal scale, where a rating
# scheme's fixed edges apply (each weight × U(0.75, 1.25); one indicator left out at a time).
SAME_SCALE_INPUTS: list[dict[str, Any]] = [
    {"path": "weights", "noise": 0.25},
    {"path": "exclude", "values": "each_indicator"},
]
# Aggregations for which the normalisation and mean alternatives above make sense.
_MEANS = {"amean", "gmean"}


def default_inputs(ev: Any, block: Any = None, *, graded: bool = False) -> list[dict[str, Any]]:
    """The inputs for ``run --draws``: ``block``, else the spec's ``uncertainty:`` list
    (a framework carries its own in its ``spec:`` block), else
    COINr's defaults. For an index that is not a weighted mean (e.g. a weighted sum),
    the defaults are the weights noise only: other normalisations or means would
    change what the score means. A points total (002_93c988d6af699336.txt §二.(二).3)
    has no methodological alternatives — its items and caps are the rules themselves —
    so its default is no input at all (an empty list: nothing to analyse).

    ``graded=True`` (the scores will be graded against a rating scheme's fixed edges):
    the defaults are :data:`SAME_SCALE_INPUTS` instead, because another normalisation
    (z-scores around 10) or mean puts the score on another scale, where the edges mean
    nothing — a grade probability or score interval would mix scales.
    """
    for candidate in (block, ev.spec.get("uncertainty")):
        if candidate:
            inputs = candidate.get("inputs") if isinstance(candidate, Mapping) else candidate
            return [dict(i) for i in inputs]
    method = ev.spec.get("aggregate", {}).get("method", "amean")
    methods = set(method) if isinstance(method, list) else {method}
    if "points" in methods:
        return []
    if graded:
        return [dict(i) for i in SAME_SCALE_INPUTS]
    if not methods <= _MEANS:
        return [dict(COINR_DEFAULT_INPUTS[0])]
    return [dict(i) for i in COINR_DEFAULT_INPUTS]
