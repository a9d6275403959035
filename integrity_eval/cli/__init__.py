"""The ``integrity-eval`` command line (docs/cli.md): ``main`` is its entry point."""

from .common import SYNTHETIC_NOTE
from .inputs import DEFAULT_DATASET
from .main import build_parser, main
from .run import run_id

__all__ = ["DEFAULT_DATASET", "SYNTHETIC_NOTE", "build_parser", "main", "run_id"]
