# liandong developer tasks. `make` (or `make help`) lists them.
# Every task first runs `setup`, which is fast (< 3 s) when nothing changed.

.DEFAULT_GOAL := help

VENV        := .venv
VENV_PYTHON := $(VENV)/bin/python
# Extra arguments for pytest, e.g.  make test PYTEST_ARGS='-k linkage -x'
PYTEST_ARGS ?=

.PHONY: help setup run test bench bench-district bench-calibration docs findings findings-tables district-findings levers sensitivity calibration clean

help:
	@echo 'liandong make targets:'
	@echo '  make setup   create/refresh .venv (scripts/bootstrap.sh; PYTHON=... to pick the interpreter)'
	@echo '  make run     setup, then serve the dashboard on http://127.0.0.1:8765 (Ctrl-C stops it)'
	@echo '  make test    setup, then pytest on a worker per core (TEST_WORKERS=..., PYTEST_ARGS="...")'
	@echo '  make bench   setup, then benchmarks/bench_model.py, written to docs/performance.md'
	@echo '  make bench-district  setup, then benchmarks/bench_district.py --city (about ten minutes on 2 cores)'
	@echo '  make bench-calibration  setup, then benchmarks/bench_calibration.py --dask, quoted in docs/calibration.md'
	@echo '  make docs    setup, then regenerate the scenario and district references (scenarios.reference)'
	@echo '  make findings setup, then rebuild every generated page the README and docs/ quote: findings-tables,'
	@echo '                district-findings, levers and sensitivity (over an hour: the lever audit takes 30-45 minutes)'
	@echo '  make district-findings  docs/findings/district/ (jianghan_2020 and classroom_district, about 17 minutes)'
	@echo '  make findings-tables  docs/findings/ (presets, fidelity, every figure docs/odd.md and the README quote,'
	@echo '                written back into them) and docs/targets.md (a few minutes on 2 quiet cores)'
	@echo '  make levers  setup, then regenerate the lever audit docs/levers.md (about 30 minutes on 2 quiet cores)'
	@echo '  make sensitivity  setup, then regenerate docs/sensitivity.md (the patterns across the assumed ranges)'
	@echo '  make calibration  setup, then calibrate wuhan_2020 against calibration/targets.toml into'
	@echo '                calibration/wuhan_2020/ (the posterior compare --posterior reads; a few minutes on 2 cores)'
	@echo '  make clean   remove .venv and caches'

setup:
	@bash scripts/bootstrap.sh

run: setup
	$(VENV)/bin/liandong dashboard

# One pytest worker per core (on 2 cores a third worker made the suite slower and used more CPU).
TEST_WORKERS ?= auto

test: setup
	$(VENV_PYTHON) -m pytest -n $(TEST_WORKERS) --dist loadgroup -q $(PYTEST_ARGS)

bench: setup
	$(VENV_PYTHON) benchmarks/bench_model.py --markdown docs/performance.md

docs: setup
	$(VENV_PYTHON) -m scenarios.reference --write
	$(VENV_PYTHON) -m scenarios.reference --district --write

findings: findings-tables district-findings levers sensitivity

findings-tables: setup
	$(VENV_PYTHON) -m experiments.findings --write docs/findings
	$(VENV_PYTHON) -m experiments.targets --write docs/targets.md
	$(VENV_PYTHON) -m experiments.odd_figures --write

district-findings: setup
	$(VENV_PYTHON) -m experiments.district jianghan_2020 --seeds 10 --workers 2 --write docs/findings/district
	$(VENV_PYTHON) -m experiments.district classroom_district --seeds 10 --workers 2 --write docs/findings/district
	$(VENV_PYTHON) -m experiments.odd_figures --fill

bench-district: setup
	$(VENV_PYTHON) benchmarks/bench_district.py --city --markdown docs/performance-district.md
	$(VENV_PYTHON) -m experiments.odd_figures --fill

bench-calibration: setup
	$(VENV_PYTHON) benchmarks/bench_calibration.py --population-size 40 --generations 4 --dask --markdown docs/performance-calibration.md
	$(VENV_PYTHON) -m experiments.odd_figures --fill

levers: setup
	$(VENV_PYTHON) -m experiments.lever_audit --write docs/levers.md

sensitivity: setup
	$(VENV_PYTHON) -m experiments.pattern_sensitivity --seeds 3 --write docs/sensitivity.md

calibration: setup
	rm -rf calibration/wuhan_2020
	$(VENV)/bin/liandong calibrate calibration/targets.toml --params calibration/params.toml --out calibration/wuhan_2020 --workers 2 --quiet
	rm -f calibration/wuhan_2020/.lock

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
