# kslive: `make run` to try it, `make test` to check it. See README.md.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
SYSTEM_PACKAGES := chromium fonts-noto-cjk nginx libnginx-mod-rtmp ffmpeg gettext

# kslive reads its settings from the environment and from .env (see .env.example), whatever
# runs it: make, manage.py, gunicorn or celery. The test suite reads no .env.

.PHONY: help setup run admin test screenshots deps-system messages clean

help:
	@echo "make run          start web, worker, beat and the Kuaishou sandbox"
	@echo "make admin        create an admin who logs in at /admin/ with a password"
	@echo "make test         run the whole test suite"
	@echo "make screenshots  run the browser journeys and save docs/screenshots/*.png"
	@echo "make deps-system  install the Debian packages the browser and RTMP tests need (root)"
	@echo "make messages     update and compile the translations"

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create $(VENV): install Python 3.11 with venv (Debian: apt-get install python3-venv)."; \
	  rm -rf $(VENV); exit 1; }

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

setup: $(VENV)/.installed

# Development settings: the sandbox's demo app plays Kuaishou. Edit .env to change them.
.env:
	@cp .env.example .env
	@echo "Wrote .env from .env.example: development settings, the sandbox plays Kuaishou."

run: export PATH := $(BIN):$(PATH)
run: setup .env
	@mkdir -p var
	python manage.py migrate --noinput -v0
	@echo ""
	@echo "  kslive    http://127.0.0.1:8000"
	@echo "  sandbox   http://127.0.0.1:8001   (local Kuaishou: consent page, demo users, streams)"
	@if python -m sandbox.rtmp --check; then \
	  echo "  ingest    rtmp://127.0.0.1:1935/gifshow/   (nginx-rtmp: push here with ffmpeg or OBS)"; \
	  echo "  relay     rtmp://127.0.0.1:1936/rehearse/  (kslive's own ingest for relay sessions: Rehearse first)"; \
	  echo "  Ctrl-C stops everything."; echo ""; \
	  SANDBOX_RTMP_URL=rtmp://127.0.0.1:1935/gifshow SANDBOX_RTMP_CONTROL_URL=http://127.0.0.1:8089/control \
	    honcho start -f Procfile; \
	else \
	  echo "  No nginx-rtmp (make deps-system installs it): no RTMP ingest, and no Rehearse first."; \
	  echo "  Ctrl-C stops everything."; echo ""; \
	  KSLIVE_RELAY_INGEST_URL= honcho start -f Procfile sandbox web worker beat ready; \
	fi

admin: setup .env
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py createsuperuser

test: setup
	$(BIN)/pytest

# The screenshots come from the same browser journeys the tests run.
screenshots: setup
	KSLIVE_SCREENSHOTS=1 $(BIN)/pytest tests/e2e -q

deps-system:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES)

messages: setup
	cd $(CURDIR) && DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore "./sandbox/*" --ignore "./kuaishou/*" --ignore "./docs/*" --ignore "./.venv/*"
	cd $(CURDIR) && DEBUG=1 $(BIN)/python manage.py compilemessages --ignore .venv

clean:
	rm -rf var .pytest_cache
