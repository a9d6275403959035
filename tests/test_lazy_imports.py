"""Start-up (issue 23): ``import integrity_eval`` and ``integrity-eval --help`` load none of
the heavy libraries; names load on first use and stay what they were."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ["scipy", "sklearn", "statsmodels", "matplotlib", "weasyprint", "duckdb"]


def loaded_after(code: str, libraries: list[str] = HEAVY) -> list[str]:
    """The ``libraries`` (default: the heavy ones) a fresh interpreter has imported after
    running ``code``."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps([m for m in {libraries!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "code",
    [
        "import integrity_eval",
        "import integrity_eval as ie; ie.__version__; dir(ie)",
        "from integrity_eval.cli.main import build_parser; build_parser().format_help()",
        "import integrity_eval.records, integrity_eval.weights",
        # a build, a scheme: SciPy (0.5 s) and scikit-learn only when a method needs them
        "import integrity_eval.build, integrity_eval.rating; integrity_eval.rating.load_scheme",
    ],
)
def test_start_up_imports_no_heavy_library(code):
    assert loaded_after(code) == []


def test_a_build_and_its_checks_import_no_scipy():
    """`validate` and a notebook's first build (issue 23's start-up): the optimisers, the
    MILP solver, Kendall's τ and the calibration load with the methods that use them."""
    code = (
        "import integrity_eval as ie\n"
        "ev = ie.build('shanghai-2018', ie.datasets.load('shanghai-districts').idata)\n"
        "ie.rating.load_scheme('four-grade')"
    )
    assert loaded_after(code, ["scipy", "sklearn", "statsmodels"]) == []


def test_help_loads_neither_pandas_nor_numpy():
    # issue 23: --help within 1.5 × `import pandas`; without pandas it takes a fraction of it
    help_text = "from integrity_eval.cli.main import build_parser; build_parser().format_help()"
    assert loaded_after(help_text, ["pandas", "numpy"]) == []
    assert loaded_after("import integrity_eval.cli.run", ["pandas"]) == []


def test_a_heavy_library_loads_on_first_use():
    # the probe sees the import: the test above could not pass by not looking
    assert "scipy" in loaded_after("import integrity_eval as ie; ie.analysis")


def test_names_load_on_first_use_and_keep_their_meaning():
    import integrity_eval as ie
    import integrity_eval.build
    import integrity_eval.records.read
    import integrity_eval.weights.bod

    # a function named like its module stays the function once the module is imported
    assert callable(ie.build) and ie.build.__module__ == "integrity_eval.build"
    assert callable(ie.records.read) and callable(ie.weights.bod)
    assert ie.weights.reweight.__module__ == "integrity_eval.weights.reweighting"
    assert set(ie.__all__) <= set(dir(ie)) | {"__version__"}
    assert {"build", "weights", "Framework"} <= set(ie.__all__)
    assert ie.pipeline.__name__ == "integrity_eval.pipeline"  # any submodule, as before
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        ie.nope  # noqa: B018
