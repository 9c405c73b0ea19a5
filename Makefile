# Planner: `make run` starts the app with demo data; `make test` runs every check.
# Both install what is missing first (uv, the locked dependencies, and for tests Chromium,
# gettext and docker-compose from Debian when run as root).

SHELL := /bin/bash
PORT ?= 8000
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
VENV := .venv
PY := $(VENV)/bin/python
PO := locale/de/LC_MESSAGES/django.po
MO := $(PO:.po=.mo)
APT_PACKAGES_TEST := chromium:/usr/bin/chromium gettext:msgfmt docker-compose:docker-compose prometheus:promtool npm:npm default-jre-headless:java spamassassin:spamassassin
# The Nu HTML Checker (npm's vnu-jar), which the page audit runs on every main page.
VNU := var/tools/node_modules/vnu-jar/build/dist/vnu.jar

.PHONY: run test test-clock lint typecheck pytest bench load messages compilemessages deps uv system-deps clean

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || { \
		echo "Installing uv with pip..."; python3 -m pip install --quiet uv; }

deps: uv
	@$(UV) sync --frozen --quiet

# Debian packages the checks need; installed only when missing and when we are root.
system-deps:
	@missing=""; for entry in $(APT_PACKAGES_TEST); do \
		pkg=$${entry%%:*}; cmd=$${entry#*:}; \
		command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing from Debian:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "Missing:$$missing (install them, e.g. sudo apt-get install$$missing)"; exit 1; \
		fi; \
	fi

$(MO): $(PO)
	@command -v msgfmt >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq gettext >/dev/null; }
	@msgfmt --check -o $@ $<

compilemessages: $(MO)

$(VNU):
	@echo "Installing the Nu HTML Checker (vnu-jar) from npm into var/tools/..."
	@npm install --prefix var/tools --no-audit --no-fund --silent vnu-jar >/dev/null

messages: deps
	DEBUG=true $(PY) manage.py makemessages -l de --no-location --no-obsolete --ignore 'var/*' --ignore 'benchmarks/*' --ignore 'tests/*'

run: export DEBUG ?= true
# Links in emails follow the port the app runs on, unless SITE_URL is set.
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
# Webhooks to a receiver on this machine (http://127.0.0.1:...), for trying them out.
run: export WEBHOOKS_ALLOW_PRIVATE ?= true
run: deps compilemessages
	@$(PY) manage.py migrate --no-input -v 0
	@$(PY) manage.py demo
	@echo
	@echo "Planner runs at http://127.0.0.1:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	@echo "Sign in as lead@example.com, engineer@example.com or engineer2@example.com, password planner-demo"
	@echo "Emails are written to var/mail/; their links point at $(SITE_URL)."
	@echo
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho start -f Procfile -p $(PORT)

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: deps
	DEBUG=true $(VENV)/bin/mypy

# Unit and page tests on two processes; then the browser and integration tests one at a
# time (a real Celery worker and Redis database 15, Chromium, live servers).
pytest: deps system-deps compilemessages $(VNU)
	DEBUG=true $(PY) -m pytest -n 2 --ignore=tests/browser --ignore=tests/integration
	DEBUG=true $(PY) -m pytest -p no:xdist tests/browser tests/integration

# The suite again at instants where calendar bugs show (tests/clock.py lists them and why):
# around the reminder hour, at midnight on a Sunday, a month's and a year's end, on both
# clock-change days. `PLANNER_TEST_NOW=<ISO instant> make pytest` runs it all at one.
test-clock: deps system-deps compilemessages
	DEBUG=true $(PY) -m tests.clock

test: deps system-deps compilemessages lint typecheck pytest test-clock

bench: export DEBUG ?= true
bench: deps compilemessages
	$(PY) -m benchmarks

# The engineer's loop against gunicorn and a scratch PostgreSQL database, bounded to two
# minutes (issue 16). Options as LOAD_* variables, e.g. `make load LOAD_PLANS=50`; all of
# them in `$(PY) -m benchmarks.load --help`.
load: deps compilemessages
	$(PY) -m benchmarks.load

clean:
	rm -rf var/celery var/mail var/screenshots var/static .pytest_cache .mypy_cache
