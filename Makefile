# Two entry points: `make demo` (the main job) and `make test` (everything CI checks).
# Each builds .venv from pyproject.toml first, and rebuilds it when pyproject.toml changes.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: demo test lint format bench clean system-deps test-tools

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# WeasyPrint (PDF reports) needs Pango and HarfBuzz's subsetter (font subsets; WeasyPrint >= 70
# warns without it); install Debian's packages only when missing.
system-deps:
	@ldconfig -p | grep -q 'libpango-1.0.so' && ldconfig -p | grep -q 'libpangoft2-1.0.so' && \
	  ldconfig -p | grep -q 'libharfbuzz-subset.so' || \
	  (apt-get update && apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)

# The browser check of the HTML reports (tests/test_report_browser.py) uses Debian's chromium.
test-tools:
	@command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y chromium) || \
	  echo "chromium 无法安装，浏览器检查将跳过 / chromium cannot be installed: the browser check will be skipped"

# The default evaluation with its rating (the framework's block) and 1,000 Monte Carlo draws.
demo: $(STAMP) system-deps
	$(BIN)/integrity-eval run --draws 1000

test: $(STAMP) system-deps test-tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest tests notebooks --nbval-lax -p no:cacheprovider

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP) system-deps
	for f in benchmarks/*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV)
