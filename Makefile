# Media Hub: `make run` serves the portal locally, `make test` runs every test.
# Both set up what they need first (uv, virtualenvs, MiniStack).

# Python 3.13, what Lambda runs (zappa_settings.json's runtime). Each candidate must
# answer: a pyenv shim for a version that is not pyenv's global one only prints an error.
# Looked for once per make run (`make PYTHON=/path/to/python3.13 …` skips the search).
ifndef PYTHON
PYTHON := $(shell for p in python3.13 $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13*/bin/python3.13 \
	/usr/local/bin/python3.13 /usr/bin/python3.13; do "$$p" -c 'import sys; \
	print(sys.executable) if sys.version_info[:2] == (3, 13) else sys.exit(1)' 2>/dev/null && break; done)
endif
VENV := .venv
MS_VENV := .venv-ministack
DEPLOY_VENV := .venv-deploy
PY := $(VENV)/bin/python
MINISTACK_PORT ?= 4566

# uv installs every virtualenv from the hashed lock files in requirements/ (`make lock`
# writes them). It comes from PyPI itself, pinned and hash-checked, into .uv/.
UV := .uv/bin/uv
export UV_PYTHON_DOWNLOADS := never
UV_SYNC := $(UV) pip sync --quiet --require-hashes
UV_VENV := $(UV) venv --quiet --clear --python $(PYTHON)
# Lock files are resolved for Lambda's platform whatever machine runs `make lock`.
UV_COMPILE := $(UV) pip compile --quiet --generate-hashes --python-version 3.13 \
	--python-platform x86_64-manylinux_2_28 --custom-compile-command "make lock"

# The local stack: MiniStack as AWS, any credentials, debug on.
LOCAL_ENV := env -u AWS_SESSION_TOKEN -u AWS_SECURITY_TOKEN -u AWS_PROFILE \
	DJANGO_DEBUG=1 AWS_ENDPOINT_URL=http://127.0.0.1:$(MINISTACK_PORT) \
	AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1 \
	MINISTACK_PORT=$(MINISTACK_PORT)
# Tests use moto in-process (a developer's AWS settings must not leak in) and
# production settings (DEBUG off), over plain HTTP.
TEST_ENV := env -u AWS_ENDPOINT_URL -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u DJANGO_DEBUG \
	DJANGO_SECRET_KEY=tests-only-not-secret DJANGO_SECURE_SSL_REDIRECT=0

.PHONY: install run test lint hooks format manage clean package layer deploy-local stop-local bench test-tools lock package-sizes

install: $(VENV)/.installed $(MS_VENV)/.installed $(DEPLOY_VENV)/.installed static/dist/uploader.js

$(UV): requirements/uv.txt
	@test -n "$(PYTHON)" || { echo "Python 3.13 not found: install it (e.g. pyenv install 3.13) or pass PYTHON=/path/to/python3.13." >&2; exit 1; }
	rm -rf .uv
	$(PYTHON) -m pip install --quiet --quiet --disable-pip-version-check --root-user-action=ignore \
		--require-hashes --no-deps --target .uv -r requirements/uv.txt

# `uv pip sync` leaves each virtualenv holding exactly its lock file, nothing more. A new
# lock file re-syncs its virtualenv; a new uv alone does not.
$(VENV)/.installed: requirements/dev.txt | $(UV)
	$(UV_VENV) $(VENV)
	$(UV_SYNC) --python $(VENV)/bin/python requirements/dev.txt
	touch $@

$(MS_VENV)/.installed: requirements/ministack.txt | $(UV)
	$(UV_VENV) $(MS_VENV)
	$(UV_SYNC) --python $(MS_VENV)/bin/python requirements/ministack.txt
	touch $@

# Pin and hash every dependency again from requirements/*.in, keeping the current versions
# where they still fit; `make lock LOCK_ARGS=--upgrade` moves everything to the newest.
lock: $(UV)
	cd requirements && for name in uv runtime deploy dev ministack; do \
		../$(UV_COMPILE) $(LOCK_ARGS) $$name.in -o $$name.txt || exit 1; done

# Front-end packages from npm (locked), bundled into static/dist/ by esbuild.
node_modules/.installed: package.json package-lock.json
	npm ci --silent
	touch $@

static/dist/uploader.js: node_modules/.installed $(wildcard static/js/*.js)
	npm run --silent build

# The browser tests drive Debian's Chromium and play a video Debian's ffmpeg makes.
test-tools:
	@command -v chromium >/dev/null && command -v ffmpeg >/dev/null || \
		(apt-get update -qq && apt-get install -y -qq chromium ffmpeg)

# Zappa zips the virtualenv it runs in, so it gets one holding only what ships.
$(DEPLOY_VENV)/.installed: requirements/deploy.txt | $(UV)
	$(UV_VENV) $(DEPLOY_VENV)
	$(UV_SYNC) --python $(DEPLOY_VENV)/bin/python requirements/deploy.txt
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

# The Lambda package of the dev stage, as `zappa deploy` would upload it, against its budget.
package: install
	$(PY) scripts/package.py function

# The same, recording each part's size in deploy/package-sizes.json (what the budget check
# compares against): commit it with a change that moves the package's size on purpose.
package-sizes: install
	$(PY) scripts/package.py function --record

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
	$(PY) bench/cli_push.py

# Zappa deploy (or update) of the dev stage to MiniStack's Lambda and API Gateway.
deploy-local: install
	$(PY) scripts/deploy_local.py

# Stop a MiniStack that deploy-local started (it saves its state on SIGTERM).
stop-local:
	@$(PY) scripts/ministack.py stop

clean:
	rm -rf .uv $(VENV) $(MS_VENV) $(DEPLOY_VENV) node_modules static/dist build .pytest_cache .ruff_cache
