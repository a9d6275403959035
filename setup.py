"""Build hook: ship the repository's ``datasets/`` folder inside the wheel.

Everything else is configured in ``pyproject.toml``. The bundled datasets live at the top of
the repository (``datasets/<name>/``, where users and contributors find them); a regular
(non-editable) build copies the whole folder, every file in it, into the package as
``integrity_eval/_datasets`` so that ``pip install .`` gives a working ``datasets.load``.
An editable install reads ``datasets/`` in place instead (see ``integrity_eval.datasets``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
DATASETS = HERE / "datasets"
TARGET = Path("integrity_eval") / "_datasets"


class BuildPyWithDatasets(build_py):
    """``build_py`` that also copies ``datasets/`` into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False) or not DATASETS.is_dir():
            return
        target = Path(self.build_lib) / TARGET
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(
            DATASETS, target, ignore=shutil.ignore_patterns("__pycache__", ".*", "*.pyc")
        )


setup(cmdclass={"build_py": BuildPyWithDatasets})
