"""Ratings: grade bands, stars, vetoes, points models, their calibration and what it takes
to reach a better grade (``docs/rating.md``).

>>> import integrity_eval as ie                                   # doctest: +SKIP
>>> rated = ie.rating.rate(ev, "tax-credit")                      # doctest: +SKIP
>>> rated.table          # score, grade_by_score, grade, veto     # doctest: +SKIP

The points model of a points framework (Jiangyin, 002) is part of the build: its
default spec clips each item (``normalise: clip``) and totals the points
(``aggregate: points``); see :func:`integrity_eval.spec.framework_default`.
"""

from .calibrate import (
    Agreement,
    ExpertFit,
    agreement,
    calibrate_anchors,
    calibrate_expert,
    calibrate_shares,
)
from .grade import Rated, lower_is_better_problem, rate
from .probability import grade_probabilities
from .scheme import OPS, Scheme, Veto, available_schemes, load_scheme, resolve, scheme_from_rating
from .what_it_takes import WhatItTakes, grade_costs, what_it_takes, what_it_takes_all

__all__ = [
    "OPS",
    "Agreement",
    "ExpertFit",
    "Rated",
    "Scheme",
    "Veto",
    "WhatItTakes",
    "agreement",
    "available_schemes",
    "calibrate_anchors",
    "calibrate_expert",
    "calibrate_shares",
    "grade_costs",
    "grade_probabilities",
    "load_scheme",
    "lower_is_better_problem",
    "rate",
    "resolve",
    "scheme_from_rating",
    "what_it_takes",
    "what_it_takes_all",
]
