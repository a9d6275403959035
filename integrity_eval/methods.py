"""The stage methods a spec can name, and each method's parameters.

One registry per stage (``METHODS["normalise"]["minmax"]`` is
:func:`integrity_eval.normalise.minmax`), the method a stage uses when the spec names
none, and :func:`method_params`: a method's spec parameters and their defaults, read from
the function's signature so that the defaults live in one place (the function). Both the
spec vocabulary (:mod:`integrity_eval.spec`) and the pipeline
(:mod:`integrity_eval.pipeline`) read them.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from . import aggregate, impute, normalise, treat

__all__ = ["CONTEXT_ARGS", "DATA_ARGS", "DEFAULT_METHOD", "METHODS", "method_params"]

METHODS: dict[str, dict[str, Callable]] = {
    "impute": impute.METHODS,
    "treat": treat.METHODS,
    "normalise": normalise.METHODS,
    "aggregate": aggregate.METHODS,
}
DEFAULT_METHOD = {
    "impute": "mean",
    "treat": "winsorise",
    "normalise": "minmax",
    "aggregate": "amean",
}
# Leading positional arguments that carry data, not parameters.
DATA_ARGS = frozenset({"x", "w", "units"})
# Arguments the pipeline fills from context (panel history, framework targets, posts, bounds).
CONTEXT_ARGS = frozenset(impute.CONTEXT_PARAMS | normalise.CONTEXT_PARAMS)


@functools.cache
def _signature_params(fn: Callable) -> tuple[tuple[str, Any], ...]:
    return tuple(
        (name, p.default)
        for name, p in inspect.signature(fn).parameters.items()
        if name not in DATA_ARGS and name not in CONTEXT_ARGS
    )


def method_params(fn: Callable) -> dict[str, Any]:
    """A method's spec parameters and defaults (``inspect.Parameter.empty``: required)."""
    return dict(_signature_params(fn))
