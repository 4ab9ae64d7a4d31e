# Two entry points for a fresh Linux machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run test install index lint bench clean i18n-extract

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch is pinned and installed first: an unpinned torch pulls a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

index: install
	$(BIN)/jpo-bot index

run: install
	$(BIN)/jpo-bot start

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/python -m mypy

# The bot's texts → bot/locales/messages.pot → the en/fr/es catalogs (then translate the new
# entries; see README "Translations"). Texts inside f-strings are found too (babel.cfg).
i18n-extract: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ --project=jpo-bot --no-location --sort-by-file \
		-o bot/locales/messages.pot .
	$(BIN)/pybabel update -i bot/locales/messages.pot -d bot/locales -D messages \
		--ignore-obsolete

bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf data .pytest_cache
