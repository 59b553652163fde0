# PPAOS: `make demo` to try it, `make test` to check it. See README.md.
VENV ?= .venv
PY := $(VENV)/bin/python
PPAOS := $(VENV)/bin/ppaos
HOST ?= 127.0.0.1:8000
DEMO_SEED ?= 2566

.PHONY: demo test bench lint format install serve clean-demo messages

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(PPAOS) migrate --no-input
	$(PPAOS) load-geography
	$(PPAOS) load-boundaries ../shared/reference/boundaries/th_adm2_districts.geojson || echo "boundaries not found: the map stays empty"
	$(PPAOS) load-boundaries ../shared/reference/boundaries/th_adm1_provinces.geojson || echo "province boundaries not found"
	$(PPAOS) load-indicators
	$(PPAOS) demo-data --seed $(DEMO_SEED)
	$(PPAOS) demo-livelihoods --seed $(DEMO_SEED)
	$(PPAOS) assess --round 2568-1
	$(PPAOS) assess --round 2568-2
	$(PPAOS) demo-targeting --seed $(DEMO_SEED)
	$(PPAOS) load-services
	$(PPAOS) demo-referrals --seed $(DEMO_SEED)
	$(PPAOS) demo-community --seed $(DEMO_SEED)
	$(PPAOS) demo-coordinates --seed $(DEMO_SEED)
	$(PPAOS) refresh-dashboards
	$(PPAOS) collectstatic --no-input --verbosity 0
	@$(PPAOS) demo-logins
	@echo "Serving http://$(HOST)/ with a background task worker  (Ctrl-C to stop)"
	$(PPAOS) db_worker --interval 1 --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PPAOS) runserver $(HOST)

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -c pyproject.toml -r ppaos -ll -q
	$(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$status

bench: install
	$(PY) bench/run.py
	$(PY) bench/linkage.py
	$(PY) bench/assessment.py
	$(PY) bench/load.py --seconds 300 --restart-postgres --killed-import
	$(PY) bench/latency.py
	$(PY) bench/dashboards.py

lint: install
	$(VENV)/bin/ruff check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install
	cd ppaos && ../$(PPAOS) makemessages -l th --no-obsolete -i "tests/*" -i "*/tests/*"
	$(PY) scripts/th_translations.py
