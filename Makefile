# PPAOS: `make demo` to try it, `make test` to check it. See README.md.
# Both install exactly uv.lock (`uv sync --locked`): what CI tested is what a user gets.
VENV ?= .venv
PY := $(VENV)/bin/python
PPAOS := $(VENV)/bin/ppaos
HOST ?= 127.0.0.1:8000
DEMO_SEED ?= 2566
DEMO_VAR := var/demo
# uv itself: the one on PATH, else this pinned release installed into .tools/ with pip.
UV_VERSION := 0.13.9
UV ?= $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
# A local interpreter that satisfies pyproject's requires-python; empty: uv provides one.
PYTHON ?= $(shell scripts/find-python)
UPGRADE_VENV := .upgrade-check

.PHONY: demo test checks bench lint format install serve lock upgrade-check clean-demo messages

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

# pyproject's optional extras to install; CI adds Spark: `make test EXTRAS="dev spark"`.
EXTRAS ?= dev
# One stamp per set of extras (`.installed`, `.installed-spark`): changing EXTRAS re-syncs.
INSTALLED := $(VENV)/.installed$(subst $(eval) ,,$(addprefix -,$(filter-out dev,$(EXTRAS))))

# --compile-bytecode: every package's .pyc written once, here. Where PYTHONDONTWRITEBYTECODE is
# set (as on CI's machines) each process otherwise compiled its imports again: 3.8 s instead of
# 1.4 s to load the project, paid by every test worker, server process and command.
$(INSTALLED): uv.lock pyproject.toml | $(UV)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --locked --compile-bytecode $(addprefix --extra ,$(EXTRAS)) $(if $(PYTHON),--python $(PYTHON))
	rm -f $(VENV)/.installed*
	touch $@

install: $(INSTALLED)

# The demo runs like production (DEBUG off, gunicorn, worker, scheduler) on its own secrets.
demo: export PPAOS_DEBUG := false
demo: export PPAOS_DEMO_MODE := true
# The demo serves Bangkok and one upcountry province (Samut Songkhram, `ppaos demo-province`).
demo: export PPAOS_PROVINCES := 10,75
demo: export PPAOS_SECURE_COOKIES := false
demo: export PPAOS_SECRET_KEY_FILE := $(CURDIR)/$(DEMO_VAR)/secrets/secret_key
demo: export PPAOS_ID_KEYS_FILE := $(CURDIR)/$(DEMO_VAR)/secrets/id_keys
demo: export PPAOS_ID_HASH_KEY_FILE := $(CURDIR)/$(DEMO_VAR)/secrets/id_hash_key
demo: export PPAOS_PSEUDONYM_KEY_FILE := $(CURDIR)/$(DEMO_VAR)/secrets/pseudonym_key
demo: export PPAOS_BACKUP_DIR := $(CURDIR)/$(DEMO_VAR)/backups
demo: install
	scripts/make-secrets $(DEMO_VAR)/secrets
	$(PPAOS) migrate --no-input
	$(PPAOS) load-geography
	$(PPAOS) load-boundaries ../shared/reference/boundaries/th_adm2_districts.geojson || echo "boundaries not found: the map stays empty"
	$(PPAOS) load-boundaries ../shared/reference/boundaries/th_adm1_provinces.geojson || echo "province boundaries not found"
	$(PPAOS) demo --seed $(DEMO_SEED)
	$(PPAOS) collectstatic --no-input --verbosity 0
	@$(PPAOS) demo-logins
	$(PPAOS) serve --bind $(HOST)

# Production on one machine: the environment (README "Running it for a district office")
# holds the settings and secrets; this runs gunicorn, the task worker and the scheduler.
serve: install
	$(PPAOS) collectstatic --no-input --verbosity 0
	$(PPAOS) serve

test: install
	@$(MAKE) --no-print-directory checks

# pytest-xdist workers for the suite (`auto`: one per core); `PYTEST_WORKERS=0` runs in-process.
PYTEST_WORKERS ?= auto

# The suite on an environment that is already installed ($(VENV)).
checks:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -c pyproject.toml -r ppaos -ll -q
	PPAOS_DEBUG=true $(PPAOS) makemigrations --check --dry-run
	$(PY) -m compileall -q ppaos
	$(PY) -m pytest -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$status

# Re-resolve every pin to the newest release pyproject's ranges allow. Run upgrade-check first.
lock: | $(UV)
	$(UV) lock --upgrade $(if $(PYTHON),--python $(PYTHON))

# The newest releases in a scratch environment ($(UPGRADE_VENV)), the suite run there; the lock
# and .venv are untouched. Not part of CI: it tells whether `make lock` is safe today.
upgrade-check: | $(UV)
	rm -rf $(UPGRADE_VENV)
	$(UV) venv $(UPGRADE_VENV) $(if $(PYTHON),--python $(PYTHON))
	$(UV) pip install --python $(UPGRADE_VENV)/bin/python --upgrade --quiet -e '.[dev]'
	$(UV) pip list --python $(UPGRADE_VENV)/bin/python --outdated 2>/dev/null || true
	@$(MAKE) --no-print-directory checks VENV=$(UPGRADE_VENV)

bench: export PPAOS_SECRET_KEY_FILE := $(CURDIR)/var/bench/secrets/secret_key
bench: export PPAOS_ID_KEYS_FILE := $(CURDIR)/var/bench/secrets/id_keys
bench: export PPAOS_ID_HASH_KEY_FILE := $(CURDIR)/var/bench/secrets/id_hash_key
bench: export PPAOS_PSEUDONYM_KEY_FILE := $(CURDIR)/var/bench/secrets/pseudonym_key
# The benchmarks include linkage on Spark (the `spark` extra, Java 17).
bench:
	@$(MAKE) --no-print-directory install EXTRAS="dev spark"
	scripts/make-secrets var/bench/secrets
	$(PY) bench/run.py
	$(PY) bench/linkage.py --stored-keys
	$(PY) bench/linkage.py --backend duckdb,spark --sizes 100000,300000 --no-peer
	$(PY) bench/linkage.py --national
	$(PY) bench/importexport.py
	$(PY) bench/assessment.py
	$(PY) bench/load.py --seconds 300 --restart-postgres --killed-import
	$(PY) bench/latency.py
	$(PY) bench/dashboards.py

lint: install
	$(VENV)/bin/ruff check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: export PPAOS_DEBUG := true
messages: install
	cd ppaos && ../$(PPAOS) makemessages -l th --no-obsolete -i "tests/*" -i "*/tests/*"
	$(PY) scripts/th_translations.py

# Forget the demo: its database, uploads, backups and secrets (the next `make demo` starts anew).
clean-demo:
	rm -rf ppaos.sqlite3 ppaos.sqlite3-wal ppaos.sqlite3-shm media $(DEMO_VAR)
