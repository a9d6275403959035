"""Weights: nominal and effective weights of a build, and the weighting models (docs/weights.md).

Each model returns a :class:`~integrity_eval.weights.result.WeightResult` with
``.weights`` (summing to 1), its diagnostics, ``summary()`` and ``_repr_html_``.

Two layers live here. The models on data and the nominal weights sit below the core (the
build and the spec use them); the tools that take an Evaluation — :func:`reweight`,
:func:`rank_changes`, :func:`optimise`, :func:`explore`, :func:`compare_schemes` — sit
above it and are loaded on first use (PEP 562), so that importing a model never imports
the core back.
"""

import importlib
from typing import Any

from .ahp import RI_TABLES, SAATY_SCALE, ahp, ahp_group, synthesise
from .bod import bod
from .bwm import BwmResponses, bwm, bwm_consistency_index, bwm_group, bwm_template, read_bwm
from .factor import factor, pca
from .nominal import effective_weights, nominal_weights
from .objective import angle, cilos, critic, entropy, gini, idocriw, lopcow, merec, std, variance
from .questionnaire import AhpResponses, ahp_template, group_weights, read_ahp
from .regression import regression
from .result import WeightResult
from .simple import budget, equal

__all__ = [
    "RI_TABLES",
    "SAATY_SCALE",
    "AhpResponses",
    "BwmResponses",
    "SchemeComparison",
    "WeightResult",
    "ahp",
    "ahp_group",
    "ahp_template",
    "angle",
    "bod",
    "budget",
    "bwm",
    "bwm_consistency_index",
    "bwm_group",
    "bwm_template",
    "cilos",
    "compare_schemes",
    "critic",
    "effective_weights",
    "entropy",
    "equal",
    "explore",
    "factor",
    "gini",
    "group_weights",
    "idocriw",
    "lopcow",
    "merec",
    "nominal_weights",
    "optimise",
    "pca",
    "rank_changes",
    "read_ahp",
    "read_bwm",
    "regression",
    "reweight",
    "std",
    "synthesise",
    "variance",
]

# Tools on an Evaluation (above the core), loaded on first use: name → module.
_ON_EVALUATION = {
    "SchemeComparison": "compare",
    "compare_schemes": "compare",
    "explore": "explore",
    "optimise": "reweighting",
    "rank_changes": "reweighting",
    "reweight": "reweighting",
}


def __getattr__(name: str) -> Any:
    if name in _ON_EVALUATION:
        value = getattr(importlib.import_module(f".{_ON_EVALUATION[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
