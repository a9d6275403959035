"""Ratings: grade bands, stars, vetoes, points models, their calibration and what it takes
to reach a better grade (``docs/rating.md``).

>>> import integrity_eval as ie                                   # doctest: +SKIP
>>> rated = ie.rating.rate(ev, "tax-credit")                      # doctest: +SKIP
>>> rated.table          # score, grade_by_score, grade, veto     # doctest: +SKIP

The points model of a points framework (Jiangyin, 002) is part of the build: its
default spec clips each item (``normalise: clip``) and totals the points
(``aggregate: points``); see :func:`integrity_eval.spec.framework_default`.

Every name is loaded on first use (:mod:`integrity_eval.lazy`): scikit-learn (calibration)
and SciPy's MILP solver (what it takes) are imported when first used, not when a scheme is
read.
"""

from .. import lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "calibrate": [
            "Agreement",
            "ExpertFit",
            "agreement",
            "calibrate_anchors",
            "calibrate_expert",
            "calibrate_shares",
        ],
        "grade": ["Rated", "lower_is_better_problem", "rate"],
        "probability": ["grade_probabilities"],
        "scheme": [
            "OPS",
            "Scheme",
            "Veto",
            "available_schemes",
            "load_scheme",
            "resolve",
            "scheme_from_rating",
        ],
        "what_it_takes": ["WhatItTakes", "grade_costs", "what_it_takes", "what_it_takes_all"],
    },
)
