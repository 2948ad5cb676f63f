# Two commands for a newcomer: `make report` and `make test`. Both bootstrap .venv by themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report test lab lint notebooks screenshots clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when pyproject.toml changed (the stamp is older than it).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (opsanalysis)" >/dev/null
	touch $(STAMP)

# Marketplaces run in parallel local processes; JOBS=1 for a sequential run.
JOBS ?= 2
NBVAL_FLAGS := --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	--nbval-kernel-startup-timeout 180 --nbval-cell-timeout 600

report: $(STAMP)
	$(BIN)/opsanalysis run --data data/sample --out reports --jobs $(JOBS)

# Unit tests + papermill runs of every notebook (tests/) and nbval over the committed notebooks,
# in one pytest session spread over TEST_WORKERS processes (pytest-xdist): each test file, each
# notebook and the files sharing the sample run are one unit of work, the long ones handed out
# first (tests/conftest.py). Any failure fails make, and so does pytest's exit code 5 ("no tests
# collected"). TEST_WORKERS=0 runs everything in this one process.
TEST_WORKERS ?= 2
test: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope $(NBVAL_FLAGS) \
		tests notebooks

# Re-execute the committed notebooks in place on the bundled sample: their stored outputs are
# what nbval compares, so refresh them after a change that moves a printed figure. No cell
# timings are recorded, so a refresh that moves no figure leaves `git diff` empty.
notebooks: $(STAMP)
	MPLBACKEND=Agg $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.record_timing=False notebooks/*.ipynb

# --allow-root only as root (Jupyter refuses root otherwise); --no-browser only without a display
# (no X11/Wayland on Linux: open the printed http://localhost:8888/lab?token=... URL instead).
LAB_FLAGS ?= $(if $(filter 0,$(shell id -u)),--allow-root) \
	$(if $(or $(DISPLAY),$(WAYLAND_DISPLAY),$(filter Darwin,$(shell uname -s))),,--no-browser)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. $(LAB_FLAGS)

# Full-page PNGs of the latest run's index and of every US and JP report, in headless Chromium
# (Debian's package, installed here when missing; root or sudo needed for that), into
# screenshots/. `make report` runs first only when reports/ holds no run yet.
screenshots: $(STAMP)
	@command -v chromium >/dev/null 2>&1 || { apt-get update && apt-get install -y chromium; }
	@ls reports/*/index.html >/dev/null 2>&1 || $(MAKE) report
	$(BIN)/python scripts/screenshots.py --reports reports --out screenshots -m US -m JP

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

clean-venv:
	rm -rf $(VENV)
