"""Nominal weights a build uses, and effective weights in the index.

Nominal weights are relative within each parent (COINr renormalises them over
the available children when aggregating).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..errors import ProblemList
from ..framework import Framework

__all__ = ["effective_weights", "nominal_weights"]


def nominal_weights(
    fw: Framework, cfg: Mapping[str, Any] | None, problems: ProblemList
) -> pd.Series:
    """The framework's weights, overridden by the spec's ``weights`` settings.

    ``{method: equal}`` sets every weight to 1; ``values: {code: w}`` sets
    single weights. Codes not in the framework are recorded in ``problems``.
    """
    w = fw.weights.copy()
    if cfg is None:
        return w
    if cfg["method"] == "equal":
        w[:] = 1.0
    for code, value in cfg.get("values", {}).items():
        if code not in w.index:
            problems.add(
                "weight given for a code that is not in the framework (or is the root)",
                source="spec",
                column=f"weights.values.{code}",
                value=value,
            )
        else:
            w[code] = float(value)
    return w


def effective_weights(fw: Framework, weights: pd.Series) -> pd.Series:
    """Each node's weight in the root: the product of sibling-normalised weights up the tree.

    COINr ``get_eff_weights``; the root has effective weight 1.
    """
    norm = pd.Series(1.0, index=[n.code for n in fw.nodes])
    for kids in fw.children.values():
        if kids:
            w = weights[kids].astype(float)
            norm[kids] = w / w.sum()
    eff = {}
    for n in fw.nodes:
        value, cur = 1.0, n.code
        while cur is not None:
            value *= norm[cur]
            cur = fw[cur].parent
        eff[n.code] = value
    return pd.Series(eff, name="EffWeight")
