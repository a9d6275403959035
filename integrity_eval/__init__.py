"""integrity-eval: composite indicators for government integrity (政务诚信) evaluation."""

from ._version import __version__
from .errors import Problem, ValidationError
from .framework import Framework, Node, available_frameworks, load_framework

__all__ = [
    "Framework",
    "Node",
    "Problem",
    "ValidationError",
    "__version__",
    "available_frameworks",
    "load_framework",
]
