"""Uncertainty and sensitivity analysis (docs/uncertainty.md): Monte Carlo, Sobol indices,
multi-source scores.

- :func:`run`: Monte Carlo uncertainty analysis of an Evaluation (rank intervals, R̄_S);
- :func:`sobol`, :func:`sobol_function`: Sobol first-order, total and second-order indices;
- :func:`morris`, :func:`morris_function`: Morris elementary-effects screening (μ*, σ);
- ``.convergence()`` of a Sobol or Monte Carlo result: its statistics against the sample size;
- :func:`source_mean`: CPI-style multi-source scores with standard errors;
- :func:`default_inputs`: the inputs ``integrity-eval run --draws N`` uses.

Inputs are plain data (a list of dicts), validated before anything runs.
"""

from .convergence import Convergence
from .defaults import COINR_DEFAULT_INPUTS, SAME_SCALE_INPUTS, default_inputs
from .montecarlo import UncertaintyResult, run
from .morris import MorrisResult, morris, morris_function
from .problem import validate_inputs
from .sobol import SobolResult, sobol, sobol_function
from .sources import source_mean

__all__ = [
    "COINR_DEFAULT_INPUTS",
    "SAME_SCALE_INPUTS",
    "Convergence",
    "MorrisResult",
    "SobolResult",
    "UncertaintyResult",
    "default_inputs",
    "morris",
    "morris_function",
    "run",
    "sobol",
    "sobol_function",
    "source_mean",
    "validate_inputs",
]
