"""Ratings: grade bands, stars, veto rules, points models and their calibration (DESIGN §5b).

>>> import integrity_eval as ie                                   # doctest: +SKIP
>>> rated = ie.rating.rate(ev, "tax-credit")                      # doctest: +SKIP
>>> rated.table          # score, grade_by_score, grade, veto     # doctest: +SKIP
"""

from .grade import Rated, rate
from .scheme import OPS, Scheme, Veto, available_schemes, load_scheme, resolve, scheme_from_rating

__all__ = [
    "OPS",
    "Rated",
    "Scheme",
    "Veto",
    "available_schemes",
    "load_scheme",
    "rate",
    "resolve",
    "scheme_from_rating",
]
