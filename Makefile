# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUTPUT ?= newsbeam-output

.PHONY: demo test install lint bench clean model

$(VENV)/.installed: setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

# The gcp extra lets the tests build the job for Dataflow (--dry_run) offline.
$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test,gcp]"
	touch $@

install: $(VENV)/.installed

# The run's summary ends with a query to try (pipeline/summary.py, quoted in the README's Quickstart).
demo: $(VENV)/.installed
	$(BIN)/newsbeam run --sample --output $(OUTPUT)

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/pytest -q

# Rebuild the coder's syntax model from ../shared/nlp/ud-english-ewt (about 40 minutes on 2 cores, as the README says)
# and print its tagging and parsing accuracy on the treebank's test split.
model: $(VENV)/.installed
	$(BIN)/python -m training.syntax.train

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

clean:
	rm -rf $(OUTPUT) .pytest_cache
