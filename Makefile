# Entry points: `make demo` (the main job), `make lab` (the notebooks in JupyterLab),
# `make docs` (the documentation site) and `make test` (everything CI checks).
# Each builds .venv from pyproject.toml first, and rebuilds it when pyproject.toml changes.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
LAB_STAMP = $(VENV)/.installed-lab
SITE    = docs/_build/html

.PHONY: demo lab docs test lint format bench bench-all clean system-deps test-tools

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,docs]"
	touch $(STAMP)

# JupyterLab, papermill and nbconvert (the `lab` extra), on top of the same .venv.
$(LAB_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	touch $(LAB_STAMP)

# WeasyPrint (PDF reports) needs Pango and HarfBuzz's subsetter (font subsets; WeasyPrint >= 70
# warns without it); install Debian's packages only when missing.
system-deps:
	@ldconfig -p | grep -q 'libpango-1.0.so' && ldconfig -p | grep -q 'libpangoft2-1.0.so' && \
	  ldconfig -p | grep -q 'libharfbuzz-subset.so' || \
	  (apt-get update && apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
# The fallback fonts of charts and PDFs (integrity_eval/fonts.py): Noto Sans Mongolian, Noto Sans
# Yi, Noto Serif Tibetan and Noto Sans Symbols (fonts-noto-core), Symbola's monochrome emoji
# (fonts-symbola); installed only when missing. Without them the kit still runs: characters no
# font covers are drawn as a white square and the units are named in a warning.
	@fc-list : file 2>/dev/null | grep -q 'NotoSansMongolian-Regular' && \
	  fc-list : file 2>/dev/null | grep -q 'NotoSansYi-Regular' && \
	  fc-list : file 2>/dev/null | grep -q 'Symbola' || \
	  (apt-get update && apt-get install -y fonts-noto-core fonts-symbola) || \
	  echo "无法安装后备字体，藏、蒙、彝文与表情符号将显示为 □ / fallback fonts cannot be installed: Tibetan, Mongolian, Yi and emoji will be drawn as □"

# The browser checks of the HTML reports and of the documentation site use Debian's chromium.
test-tools:
	@command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y chromium) || \
	  echo "chromium 无法安装，浏览器检查将跳过 / chromium cannot be installed: the browser check will be skipped"

# The default evaluation with its rating (the framework's block) and 1,000 Monte Carlo draws.
demo: $(STAMP) system-deps
	$(BIN)/integrity-eval run --draws 1000

# JupyterLab in notebooks/; the notebooks' kernel ("python3") is this .venv's Python, with
# the kit installed. LAB_ARGS passes options, e.g. make lab LAB_ARGS="--no-browser --port 8899".
LAB_ARGS ?=
lab: $(LAB_STAMP) system-deps
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_ARGS)

# The documentation site in docs/_build/html (open index.html as a file): docs/*.md, every
# notebook executed (notebooks whose code did not change come from the cache), the API
# reference; any warning fails the build.
docs: $(STAMP) system-deps
	$(BIN)/python -m sphinx -W --keep-going -j auto -b html docs $(SITE)
	@echo "文档网站 / site: $(SITE)/index.html"

# pytest runs the docs build once (tests/test_site.py: every notebook executed, warnings
# are errors), checks the site's links and opens it in chromium; --doctest-modules runs
# the docstrings' examples; -n auto (pytest-xdist, one module per worker at a time) runs
# the tests on every core, so the site build and the full `run` tests overlap with the rest.
test: $(STAMP) system-deps test-tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest tests integrity_eval --doctest-modules -p no:cacheprovider -n auto

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every speed target of issue 23 in one table (a few minutes): target, measured, baseline,
# ratio, met. BIG=1 adds 100 million records from Parquet (several minutes more). The other
# scripts in benchmarks/ give the detailed figures of each part (bench-all runs them, without
# the 100 million records).
BIG ?=
bench: $(STAMP) system-deps
	IE_BENCH_BIG=$(BIG) $(BIN)/python benchmarks/targets.py

bench-all: $(STAMP) system-deps
	for f in benchmarks/*.py; do \
	  case $$f in */targets.py) ;; */records.py) $(BIN)/python $$f --big 0 ;; *) $(BIN)/python $$f ;; esac || exit 1; \
	done

clean:
	rm -rf $(VENV) docs/_build docs/api
