"""Weights: nominal and effective weights of a build, and the weighting models (docs/weights.md).

Each model returns a :class:`~integrity_eval.weights.result.WeightResult` with
``.weights`` (summing to 1), its diagnostics, ``summary()`` and ``_repr_html_``.
"""

from .ahp import (
    RI_TABLES,
    SAATY_SCALE,
    ConsistencyWarning,
    ahp,
    ahp_consistency,
    ahp_group,
    synthesise,
)
from .bod import bod
from .compare import SchemeComparison, compare_schemes
from .explore import explore
from .factor import factor, pca
from .nominal import effective_weights, nominal_weights
from .objective import critic, entropy, merec, std
from .optimise import optimise
from .questionnaire import AhpResponses, ahp_template, group_weights, read_ahp
from .regression import regression
from .result import WeightResult
from .reweight import rank_changes, reweight
from .simple import budget, equal

__all__ = [
    "RI_TABLES",
    "SAATY_SCALE",
    "AhpResponses",
    "ConsistencyWarning",
    "SchemeComparison",
    "WeightResult",
    "ahp",
    "ahp_consistency",
    "ahp_group",
    "ahp_template",
    "bod",
    "budget",
    "compare_schemes",
    "critic",
    "effective_weights",
    "entropy",
    "equal",
    "explore",
    "factor",
    "group_weights",
    "merec",
    "nominal_weights",
    "optimise",
    "pca",
    "rank_changes",
    "read_ahp",
    "regression",
    "reweight",
    "std",
    "synthesise",
]
