"""integrity-eval: composite indicators for government integrity (政务诚信) evaluation.

Every name below is imported on first use (:mod:`integrity_eval.lazy`), so that
``import integrity_eval`` stays cheap.
"""

from . import lazy
from ._version import __version__ as __version__

__getattr__, __dir__, _names = lazy.attach(
    __name__,
    submodules=[
        "aggregate",
        "analysis",
        "compare",
        "datasets",
        "impute",
        "monitor",
        "normalise",
        "panel",
        "plots",
        "rating",
        "records",
        "report",
        "treat",
        "uncertainty",
        "weights",
    ],
    submod_attrs={
        "build": ["build", "check"],
        "errors": ["Problem", "ValidationError"],
        "evaluation": ["Evaluation"],
        "framework": ["Framework", "Node", "available_frameworks", "load_framework"],
        "idata": ["read_idata"],
        "io": ["read_table"],
        "schemas": ["check_idata", "validate_idata"],
        "spec": ["load_spec"],
        "template": ["write_template"],
    },
)
__all__ = sorted([*_names, "__version__"])
