# Two commands do all the set-up: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
SCALE ?= state
PYTHON ?= python3
export FLASK_APP := wsgi.py

.PHONY: run test test-pg test-concurrency bench translations extract-messages install install-dev lint clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

translations: install
	$(VENV)/bin/pybabel compile -d app/translations --statistics

extract-messages: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs ".*" -o app/translations/messages.pot .
	$(VENV)/bin/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete

# The port to serve on: `make run PORT=5050` when 5000 is taken.
PORT ?= 5000
PORT_FREE := import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); sys.exit(s.connect_ex(("127.0.0.1", $(PORT))) == 0)
PORT_UP := import socket, sys, time; sys.exit(next((0 for _ in range(600) if not socket.socket().connect_ex(("127.0.0.1", $(PORT))) or time.sleep(0.2)), 1))

run: install translations
	@$(PY) -c '$(PORT_FREE)' || { echo "Port $(PORT) is taken: run make run PORT=5050 (or another free port)."; exit 1; }
	$(FLASK) db upgrade
	$(FLASK) seed-demo --scale $(SCALE) --if-empty
	@trap 'kill $$consumer $$server 2>/dev/null; wait' EXIT INT TERM; \
	$(VENV)/bin/huey_consumer app.worker.huey --workers 2 & consumer=$$!; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT) & server=$$!; \
	$(PY) -c '$(PORT_UP)' && echo "Serving at http://127.0.0.1:$(PORT), with one job-queue consumer"; \
	wait $$server

lint: install-dev
	$(PY) -m ruff check .

# The slowest 15 tests are printed on every run, so a test that grows slow is seen.
test: install-dev translations lint
	$(PY) -m pytest --durations=15

# The second database runs what depends on it: tests that ask for no database (marked no_database
# from their fixtures by tests/conftest.py) and browser tests ran already on SQLite.
test-pg: install-dev translations
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
	$(PY) -m pytest --durations=15 -m "not no_database and not browser"

# Races sent with real threads to real gunicorn servers (tests/concurrency/, left out of the runs
# above): on SQLite (one server, 2 workers), then on PostgreSQL when it answers (two servers, the
# queue and the rate limits in Redis). `python -m bench.race_loop` says how often each race collided.
test-concurrency: install-dev translations
	TEST_DATABASE_URL= $(PY) -m pytest -m concurrency tests/concurrency
	@if $(PY) -c 'import socket; socket.create_connection(("127.0.0.1", 5432), 2).close()' 2>/dev/null; then \
	  echo "== the concurrency suite on PostgreSQL =="; \
	  TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
	  $(PY) -m pytest -m concurrency tests/concurrency; \
	else \
	  echo "NOTICE: PostgreSQL at 127.0.0.1:5432 does not answer; the concurrency suite ran on SQLite only."; \
	fi

bench: install-dev translations
	$(PY) -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
