"""Sphinx configuration of the integrity-eval documentation site (``make docs``).

The site is built from ``docs/*.md`` (MyST), the notebooks in ``notebooks/`` (through the
``docs/notebooks`` link, executed at build time by myst-nb) and an API reference written
from the package's ``__all__`` lists (``_ext/apipages.py``) and its numpydoc docstrings.
It is opened as files (``docs/_build/html/index.html``): no server, no network, and the
search (Sphinx's own index, Chinese words cut by jieba) works offline.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import integrity_eval  # noqa: E402

project = "integrity-eval"
author = "integrity-eval contributors"
copyright = "integrity-eval contributors, MIT licence"
release = version = integrity_eval.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "apipages",
]

exclude_patterns = ["_build", "jupyter_execute", "**.ipynb_checkpoints", "README.md"]
templates_path = ["_templates"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"

# ---- HTML: the theme of NumPy, pandas and SciPy; nothing loaded from the network -----------
html_theme = "pydata_sphinx_theme"
html_title = f"integrity-eval {release}"
html_static_path: list[str] = []
html_show_sourcelink = False
html_copy_source = False
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}
html_context = {"default_mode": "light"}
language = "en"
# The pages mix Chinese and English: jieba cuts the Chinese into words, English words are
# stemmed as usual. The index is a script file, so the search works from file:// too.
html_search_language = "zh"

# ---- MyST and the notebooks --------------------------------------------------------------
myst_heading_anchors = 3  # links such as data.md#unit-codes
myst_enable_extensions = ["colon_fence"]
# Every notebook is executed at each build. make test builds with "force" (tests/test_site.py);
# make docs uses the cache in docs/_build/.jupyter_cache, so only changed notebooks run again.
nb_execution_mode = "cache"
nb_execution_cache_path = str(HERE / "_build" / ".jupyter_cache")
nb_execution_timeout = 600
# A cell that raises is a warning with the cell's traceback (an error under -W); with
# --keep-going every failing notebook is reported, not only the first.
nb_execution_raise_on_error = False
nb_execution_show_tb = True
nb_output_stderr = "warn"  # anything a cell writes to stderr is a warning, an error under -W
nb_merge_streams = True
# Widgets (notebook 03's sliders) need a kernel: the site shows their text form and loads
# no JavaScript from the network.
nb_ipywidgets_js: dict[str, dict[str, str]] = {}

# ---- The API reference -------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
python_maximum_signature_line_length = 88
add_module_names = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
# numpydoc validation, as errors under -W: every public function and class documents its
# parameters and what it returns.
numpydoc_validation_checks = {"GL08", "PR01", "PR02", "PR07", "RT01"}
# Modules whose docstrings do not have numpydoc sections yet: rendered as they are, not
# validated. Remove a module from this list once its docstrings are complete.
NUMPYDOC_PENDING = [
    "analysis.py",
    "build.py",
    "cli/",
    "evaluation.py",
    "framework.py",
    "io.py",
    "mcda.py",
    "normalise.py",
    "plots.py",
    "spec.py",
    "records/",
    "report/",
    "uncertainty/engine.py",
    "uncertainty/montecarlo.py",
    "uncertainty/sobol.py",
    "weights/ahp.py",
    "weights/models.py",
    "weights/objective.py",
    "weights/balance.py",
    "weights/questionnaire.py",
    "weights/reweighting.py",
    # TODO(docs branch): numpydoc sections being written
    "errors.py",
    "aggregate.py",
    "schemas.py",
    "compare.py",
    "datasets.py",
    "impute.py",
    "monitor.py",
    "panel.py",
    "fonts.py",
    "treat.py",
    "template.py",
    "rating/",
    "uncertainty/defaults.py",
    "uncertainty/sources.py",
    "uncertainty/problem.py",
    "weights/compare.py",
    "weights/result.py",
    "weights/bod.py",
    "weights/simple.py",
    "weights/nominal.py",
    "weights/explore.py",
    "weights/factor.py",
    "weights/regression.py",
    # merged from main (issue 16 structure, issue 22 MCDA): sections not written yet
    "dea.py",
    "display.py",
    "manifest.py",
    "methods.py",
    "pipeline.py",
    "progress.py",
    "synthetic.py",
    "unitcodes.py",
    "weights/bwm.py",
    # merged in the second part of 2026-12-06 (engagements, strict readers, Morris,
    # convergence): sections not written yet
    "corrections.py",
    "engagement.py",
    "idata.py",
    "uncertainty/convergence.py",
    "uncertainty/morris.py",
    "lazy.py",
    "params.py",
]
# numpydoc matches these against the path inside the package: "./build.py", "weights/ahp.py".
numpydoc_validation_exclude_files = {
    "^" + re.escape(p if "/" in p else "./" + p) + ("" if p.endswith("/") else "$")
    for p in NUMPYDOC_PENDING
}

# Attributes documented by a ``#:`` comment are validated as their value (None), which has no
# docstring: the comment is their documentation.
numpydoc_validation_exclude = {
    r"^integrity_eval\.Evaluation\.(builder|source_framework)$",
    r"^integrity_eval\.uncertainty\.UncertaintyResult\.(bases|problem|sign_draws|rank_draws|nominal_scale_draws|method)$",
}

# analysis.indicator_stats writes the absolute value as |Skew|, which reST reads as a
# substitution: define it as itself until that docstring writes ``|Skew|``.
rst_epilog = r"""
.. |Skew| replace:: \|Skew\|
"""


def _chinese_search() -> type:
    """Sphinx's Chinese search (jieba for the Chinese words, the English stemmer for the
    rest), with its stemmer named as ``english-stemmer.js`` defines it.

    Sphinx 9.0 writes ``window.Stemmer = ChineseStemmer`` into ``language_data.js``
    (``language_name`` + "Stemmer"), a name no script defines, so the search page stops
    with a ReferenceError (``tests/test_site.py`` searches in chromium).
    """
    from sphinx.search.zh import SearchChinese

    class ChineseSearch(SearchChinese):
        language_name = "English"

    return ChineseSearch


def setup(app) -> None:
    app.add_search_language(_chinese_search())
