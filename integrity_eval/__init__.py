"""integrity-eval: composite indicators for government integrity (政务诚信) evaluation."""

from . import (
    aggregate,
    analysis,
    compare,
    datasets,
    impute,
    monitor,
    normalise,
    panel,
    plots,
    rating,
    records,
    report,
    treat,
    uncertainty,
    weights,
)
from ._version import __version__
from .build import build, check
from .errors import Problem, ValidationError
from .evaluation import Evaluation
from .framework import Framework, Node, available_frameworks, load_framework
from .idata import read_idata
from .io import read_table
from .schemas import check_idata, validate_idata
from .spec import load_spec
from .template import write_template

__all__ = [
    "Evaluation",
    "Framework",
    "Node",
    "Problem",
    "ValidationError",
    "__version__",
    "aggregate",
    "analysis",
    "available_frameworks",
    "build",
    "check",
    "check_idata",
    "compare",
    "datasets",
    "impute",
    "load_framework",
    "load_spec",
    "monitor",
    "normalise",
    "panel",
    "plots",
    "rating",
    "read_idata",
    "read_table",
    "records",
    "report",
    "treat",
    "uncertainty",
    "validate_idata",
    "weights",
    "write_template",
]
