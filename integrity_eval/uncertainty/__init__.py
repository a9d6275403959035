"""Uncertainty and sensitivity analysis (DESIGN §7): vectorised Monte Carlo, Sobol indices,
multi-source scores.

``run`` (Monte Carlo), ``sobol`` / ``sobol_function`` (variance-based sensitivity),
``source_mean`` (CPI-style multi-source scores), ``default_inputs`` (the CLI's
``--draws`` inputs). Inputs are plain data (a list of dicts), validated before
anything runs.
"""

from .montecarlo import UncertaintyResult, run
from .problem import validate_inputs

__all__ = ["UncertaintyResult", "run", "validate_inputs"]
