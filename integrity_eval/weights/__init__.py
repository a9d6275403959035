"""Weights: nominal and effective weights of a build, and the weighting models.

The weighting models (spec key ``weights``, ``docs/spec.md``) each live in a module of
this subpackage and return a result object with ``.weights``.
"""

from .nominal import effective_weights, nominal_weights

__all__ = ["effective_weights", "nominal_weights"]
