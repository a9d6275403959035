"""Ratings: grade bands, stars, veto rules, points models and their calibration (DESIGN §5b)."""

from .scheme import OPS, Scheme, Veto, available_schemes, load_scheme, resolve, scheme_from_rating

__all__ = [
    "OPS",
    "Scheme",
    "Veto",
    "available_schemes",
    "load_scheme",
    "resolve",
    "scheme_from_rating",
]
