"""Nominal weights a build uses, and effective weights in the index.

Nominal weights are relative within each parent (COINr renormalises them over
the available children when aggregating). A weight may be 0: the element stays
in every table but does not enter its parent's aggregate, and its effective
weight (and that of everything under it) is 0.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pandas as pd

from ..errors import ProblemList, suggest
from ..framework import Framework, zero_weight_parents

__all__ = ["effective_weights", "nominal_weights"]


def nominal_weights(
    fw: Framework,
    cfg: Mapping[str, Any] | None,
    problems: ProblemList,
    *,
    excluded: Collection[str] = (),
) -> pd.Series:
    """The framework's weights, overridden by the spec's ``weights`` settings.

    ``{method: equal}`` sets every weight to 1; ``values: {code: w}`` sets
    single weights (values for ``excluded`` codes are ignored). Codes not in the
    framework, and aggregates whose children all weigh 0, are recorded in
    ``problems``.
    """
    w = fw.weights
    if cfg is None:
        return w
    # a plain dict while settings apply (a reweight does this on every slider move)
    codes = w.index.tolist()
    if cfg["method"] == "equal":
        values = dict.fromkeys(codes, 1.0)
    else:
        values = dict(zip(codes, w.tolist(), strict=True))
    for code, value in cfg.get("values", {}).items():
        if code in excluded:
            continue
        if code not in values:
            problems.add(
                "权重所指代码不在框架中（或为总指数，或已被 exclude 排除）/ weight given for a "
                "code that is not in the framework (or is the root, or is excluded)",
                source="spec",
                column=f"weights.values.{code}",
                value=suggest(code, w.index),
            )
        else:
            values[code] = float(value)
    zero_weight_parents(fw.children, values, problems, source="spec")
    return pd.Series(list(values.values()), index=w.index, name=w.name, dtype=float)


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
