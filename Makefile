# Newsroom: `make run` to try it, `make test` for the whole suite.
PYTHON ?= python
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PG_URL ?= postgres://postgres@127.0.0.1:5432/newsroom
HOST ?= 127.0.0.1
PORT ?= 8000
# The address printed and used in every email's links follows HOST and PORT.
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: help venv run serve front migrate demo test tools fonts lighthouse bench bench-search bench-digest test-sqlite test-postgres lint format migrations-check clean

help:
	@echo "make run               set up and serve the demo site on SQLite at http://$(HOST):$(PORT)/"
	@echo "make serve             the same site under gunicorn with DEBUG off (production mode)"
	@echo "make front             make serve behind nginx (deploy/nginx/) at http://$(HOST):$(FRONT_PORT)/"
	@echo "make test              ruff, then pytest on SQLite and (when reachable) PostgreSQL"
	@echo "make bench             page throughput at 1,000 and 100,000 stories, then through the nginx front"
	@echo "make bench-search      search at 100,000 stories: p50/p95 per kind of query (PostgreSQL)"
	@echo "make bench-digest      the newsletter digest benchmark (PostgreSQL, SMTP sink)"
	@echo "make lighthouse        Lighthouse (mobile) on home, article, section, search (bench/lighthouse.py)"
	@echo "make lint | format | migrations-check | fonts | clean"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 13) else "Python 3.13 is required (pyenv reads .python-version), found " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,s3]'
	rm -f $(VENV)/.installed-*
	touch $@

venv: $(STAMP)

migrate: venv
	DEBUG=1 $(BIN)/python manage.py migrate --no-input

demo: migrate
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py load_demo

# Under runserver nothing is cached (LOCAL_CACHE=none is DEBUG's default): an import or a
# command run in another process shows on the next request.
run: demo
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production mode on plain http://$(HOST):$(PORT): the HTTPS redirect and HTTPS-only cookies are
# off (nothing answers HTTPS here); everything else is as deployed. The two workers share the
# page cache through Redis when it answers at REDIS_URL or $(LOCAL_REDIS); without Redis each
# worker would keep its own copy, which an edit handled by the other cannot reach, so nothing is
# cached then (LOCAL_CACHE=none). Mail goes to the outbox unless EMAIL_BACKEND says otherwise.
LOCAL_REDIS ?= redis://127.0.0.1:6379/1
export REDIS_PROBE := import sys, redis; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()

serve: demo
	@redis="$${REDIS_URL:-$(LOCAL_REDIS)}"; \
	if $(BIN)/python -c "$$REDIS_PROBE" "$$redis" 2>/dev/null; then cache=600; local=memory; \
	  echo "Page cache: Redis at $$redis"; \
	else redis=""; cache=0; local=none; echo "Page cache: off (Redis does not answer at $(LOCAL_REDIS))"; fi; \
	echo "Serving $(SITE_URL)/ (admin $(SITE_URL)/admin/, mail in $(SITE_URL)/admin/outbox/)"; \
	DEBUG=0 SECRET_KEY=$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')} \
	  SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 \
	  SITE_URL=$(SITE_URL) EMAIL_BACKEND=$${EMAIL_BACKEND:-outbox} LOCAL_CACHE=$${LOCAL_CACHE:-$$local} \
	  REDIS_URL="$$redis" PAGE_CACHE_SECONDS="$${PAGE_CACHE_SECONDS:-$$cache}" \
	  sh -c '$(BIN)/python manage.py collectstatic --no-input -v0 && \
	  exec $(BIN)/gunicorn -c gunicorn.conf.py newsroom.wsgi --workers 2 --bind $(HOST):$(PORT)'

# The production front: nginx (Debian's package) with deploy/nginx/ on $(FRONT_PORT), in front of
# `make serve` on $(PORT), which then believes nginx's forwarded headers (and only nginx's).
# nginx runs from .front/ (config, pid, logs, microcache) and is stopped by its PID on exit.
FRONT_PORT ?= 8080

front: demo
	@command -v nginx >/dev/null || { echo "nginx is missing: apt-get install -y nginx" >&2; exit 1; }
	$(BIN)/python -m newsroom.front run --prefix .front --listen $(HOST):$(FRONT_PORT) \
	  --upstream $(HOST):$(PORT) --static-root staticfiles --media-root media
	@trap '$(BIN)/python -m newsroom.front stop --prefix .front' EXIT INT TERM; \
	FORWARDED_ALLOW_IPS=127.0.0.1 TRUSTED_PROXY_COUNT=1 \
	  SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https $(MAKE) --no-print-directory serve

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: venv
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

test: lint migrations-check tools test-sqlite test-postgres

# The page checkers the suite uses (Nu HTML checker, axe-core), from the npm registry.
tools: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --ignore-scripts --loglevel=error; \
	else echo "npm is missing: the HTML and accessibility checks will be skipped"; fi

test-sqlite: venv
	DATABASE_URL=sqlite:// $(BIN)/python -m pytest

# PostgreSQL runs when it answers at DATABASE_URL (if that is a PostgreSQL URL) or at $(PG_URL);
# with REQUIRE_POSTGRES=1 a missing server fails the run instead of skipping it.
test-postgres: venv
	@url="$${DATABASE_URL:-}"; case "$$url" in postgres*) ;; *) url="$(PG_URL)";; esac; \
	if $(BIN)/python -c 'import sys, psycopg; from urllib.parse import urlsplit; u = urlsplit(sys.argv[1]); psycopg.connect(u._replace(path="/postgres").geturl(), connect_timeout=3).close()' "$$url" 2>/dev/null; then \
	  echo "PostgreSQL answers at $$url: running the suite on it"; \
	  DATABASE_URL="$$url" $(BIN)/python -m pytest; \
	elif [ "$${REQUIRE_POSTGRES:-0}" = "1" ]; then \
	  echo "REQUIRE_POSTGRES=1 but PostgreSQL does not answer at $$url" >&2; exit 1; \
	else \
	  echo "PostgreSQL does not answer at $$url: skipped the PostgreSQL run (REQUIRE_POSTGRES=1 makes this fail)"; \
	fi

# The self-hosted fonts (committed in static/fonts with their licences), copied again from the
# @fontsource packages after an upgrade.
FONTS := source-serif-4/files/source-serif-4-latin-400-normal source-serif-4/files/source-serif-4-latin-700-normal \
	source-sans-3/files/source-sans-3-latin-400-normal source-sans-3/files/source-sans-3-latin-700-normal
fonts: tools
	for f in $(FONTS); do cp node_modules/@fontsource/$$f.woff2 static/fonts/; done
	cp node_modules/@fontsource/source-serif-4/LICENSE static/fonts/LICENSE-source-serif-4.txt
	cp node_modules/@fontsource/source-sans-3/LICENSE static/fonts/LICENSE-source-sans-3.txt
	$(BIN)/python bench/font_fallbacks.py --write  # the fallback faces' metrics follow the files

# Lighthouse (mobile) on the demo's home, article, section and search pages under gunicorn in
# production mode; its npm package goes to .lighthouse/, apart from the suite's tools.
LIGHTHOUSE_PORT ?= 8010
lighthouse: demo
	@# A package.json of its own, or npm walks up and installs into the project's package.json.
	mkdir -p .lighthouse && test -f .lighthouse/package.json || echo '{"private": true}' > .lighthouse/package.json
	test -f .lighthouse/node_modules/lighthouse/cli/index.js || \
	  npm install --prefix .lighthouse --no-audit --no-fund --ignore-scripts --loglevel=error lighthouse@12
	$(BIN)/python bench/lighthouse.py --serve --port $(LIGHTHOUSE_PORT)

# Benchmarks (not part of `make test`): they print their figures; see bench/.
bench: venv
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/front.py

bench-search: venv
	$(BIN)/python bench/search.py --stories 100000

bench-digest: venv
	$(BIN)/python bench/digest.py

clean:
	rm -rf $(VENV) node_modules staticfiles .front .pytest_cache .ruff_cache
