"""Weights: nominal and effective weights of a build, and the weighting models (docs/weights.md).

Each model returns a :class:`~integrity_eval.weights.result.WeightResult` with
``.weights`` (summing to 1), its diagnostics, ``summary()`` and ``_repr_html_``.

Two layers live here. The models on data and the nominal weights sit below the core (the
build and the spec use them); the tools that take an Evaluation — :func:`reweight`,
:func:`rank_changes`, :func:`optimise`, :func:`explore`, :func:`compare_schemes` — sit
above it. Every name is loaded on first use (:mod:`integrity_eval.lazy`), so that importing a
model never imports the core back, nor the other models' libraries.
"""

from .. import lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "ahp": [
            "RI_TABLES",
            "SAATY_SCALE",
            "ConsistencyWarning",
            "ahp",
            "ahp_consistency",
            "ahp_group",
            "synthesise",
        ],
        "bod": ["bod"],
        "bwm": [
            "BwmResponses",
            "bwm",
            "bwm_consistency_index",
            "bwm_group",
            "bwm_template",
            "read_bwm",
        ],
        "compare": ["SchemeComparison", "compare_schemes"],
        "explore": ["explore"],
        "factor": ["factor", "pca"],
        "nominal": ["effective_weights", "nominal_weights"],
        "objective": [
            "angle",
            "cilos",
            "critic",
            "entropy",
            "gini",
            "idocriw",
            "lopcow",
            "merec",
            "std",
            "variance",
        ],
        "questionnaire": ["AhpResponses", "ahp_template", "group_weights", "read_ahp"],
        "regression": ["regression"],
        "result": ["WeightResult"],
        "reweighting": ["optimise", "rank_changes", "reweight"],
        "simple": ["budget", "equal"],
    },
)
