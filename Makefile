# Media Hub: `make run` serves the portal locally, `make test` runs every test.
# Both set up what they need first (virtualenvs, MiniStack).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
MS_VENV := .venv-ministack
DEPLOY_VENV := .venv-deploy
PY := $(VENV)/bin/python
PIP_FLAGS := --quiet --disable-pip-version-check
MINISTACK_PORT ?= 4566

# The local stack: MiniStack as AWS, any credentials, debug on.
LOCAL_ENV := env -u AWS_SESSION_TOKEN -u AWS_SECURITY_TOKEN -u AWS_PROFILE \
	DJANGO_DEBUG=1 AWS_ENDPOINT_URL=http://127.0.0.1:$(MINISTACK_PORT) \
	AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1 \
	MINISTACK_PORT=$(MINISTACK_PORT)
# Tests use moto in-process (a developer's AWS settings must not leak in) and
# production settings (DEBUG off), over plain HTTP.
TEST_ENV := env -u AWS_ENDPOINT_URL -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u DJANGO_DEBUG \
	DJANGO_SECRET_KEY=tests-only-not-secret DJANGO_SECURE_SSL_REDIRECT=0

.PHONY: install run test lint hooks format manage clean package layer deploy-local stop-local bench test-tools

install: $(VENV)/.installed $(MS_VENV)/.installed $(DEPLOY_VENV)/.installed static/dist/uploader.js

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install $(PIP_FLAGS) -r requirements-dev.txt
	touch $@

$(MS_VENV)/.installed: requirements-ministack.txt
	$(PYTHON) -m venv $(MS_VENV)
	$(MS_VENV)/bin/pip install $(PIP_FLAGS) -r requirements-ministack.txt
	touch $@

# Front-end packages from npm (locked), bundled into static/dist/ by esbuild.
node_modules/.installed: package.json package-lock.json
	npm ci --silent
	touch $@

static/dist/uploader.js: node_modules/.installed static/js/uploader.js
	npm run --silent build

# The browser tests drive Debian's Chromium and play a video Debian's ffmpeg makes.
test-tools:
	@command -v chromium >/dev/null && command -v ffmpeg >/dev/null || \
		(apt-get update -qq && apt-get install -y -qq chromium ffmpeg)

# Zappa zips the virtualenv it runs in, so it gets one holding only what ships.
$(DEPLOY_VENV)/.installed: requirements.txt requirements-deploy.txt
	$(PYTHON) -m venv $(DEPLOY_VENV)
	$(DEPLOY_VENV)/bin/pip install $(PIP_FLAGS) -r requirements-deploy.txt
	touch $@

run: install
	@$(LOCAL_ENV) $(PY) scripts/run_local.py

# The unit layer alone (moto in-process; no MiniStack, browser or deploy): the quick loop.
.PHONY: test-fast
test-fast: $(VENV)/.installed
	$(TEST_ENV) $(PY) -m pytest -m "not live and not e2e and not deploy" $(PYTEST_ARGS)

test: install test-tools
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

# The checks of .pre-commit-config.yaml (ruff, strict mypy, file hygiene) over every file.
lint: $(VENV)/.installed
	$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure

# Run those checks on each commit too.
hooks: $(VENV)/.installed
	$(VENV)/bin/pre-commit install

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Any manage.py command against the local stack, e.g. make manage ARGS="changepassword admin"
manage: $(VENV)/.installed
	$(LOCAL_ENV) $(PY) manage.py $(ARGS)

# The Lambda package of the dev stage, as `zappa deploy` would upload it.
package: install
	$(PY) scripts/package.py function

# A Lambda layer with the heavy dependencies (see README, "Lambda layer").
layer: install
	$(PY) scripts/package.py layer

# Benchmarks with their baselines; results go in bench/README.md.
bench: install
	$(PY) scripts/package.py function
	$(PY) scripts/package.py layer
	$(DEPLOY_VENV)/bin/python bench/cold_start.py
	$(PY) bench/direct_upload.py
	$(PY) bench/processing.py
	$(PY) bench/listing.py

# Zappa deploy (or update) of the dev stage to MiniStack's Lambda and API Gateway.
deploy-local: install
	$(PY) scripts/deploy_local.py

# Stop a MiniStack that deploy-local started (it saves its state on SIGTERM).
stop-local:
	@$(PY) scripts/ministack.py stop

clean:
	rm -rf $(VENV) $(MS_VENV) $(DEPLOY_VENV) node_modules static/dist build .pytest_cache .ruff_cache
