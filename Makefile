# Set-up and everyday tasks. `make demo` and `make test` work from a clean clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
MUTATE_STAMP := $(VENV)/.installed-mutate
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: demo test lint bench fuzz mutate reference clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# PDF needs LibreOffice: the demo makes it where soffice is installed (CI installs it).
comma := ,
DEMO_FORMATS := md,docx,html$(if $(shell command -v soffice 2>/dev/null),$(comma)pdf)

## Render every sample dossier into build/ (Markdown, HTML, DOCX and, with LibreOffice, PDF).
demo: $(STAMP)
	$(BIN)/kamdocs validate --strict
	$(BIN)/kamdocs build --strict -f $(DEMO_FORMATS) -o build

## Run the test suite and the linter.
test: $(TEST_STAMP)
	$(BIN)/ruff check kamdocs tests bench scripts
	$(BIN)/ruff format --check kamdocs tests bench scripts
	$(BIN)/python -m pytest -q

## Long property-based fuzzing (`make test` runs a short version of the same test).
fuzz: $(TEST_STAMP)
	KAMDOCS_FUZZ_EXAMPLES=$${KAMDOCS_FUZZ_EXAMPLES:-2000} $(BIN)/python -m pytest -q tests/fuzz

$(MUTATE_STAMP): $(TEST_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,mutate]'
	touch $@

## Mutation testing (mutmut 3) of the guarded modules, each against its focused tests; prints
## the survivors. Not part of CI. MODULES="tailor html" for some of them, JOBS=1 for one worker.
mutate: $(MUTATE_STAMP)
	$(BIN)/python scripts/mutate.py $(MODULES) --jobs $(or $(JOBS),2)

$(BENCH_STAMP): $(TEST_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]' \
	  || echo "docxtpl could not be installed: the benchmark skips its comparison"
	touch $@

## Benchmarks: throughput, latency and memory against the tools found on this machine.
bench: $(BENCH_STAMP)
	$(BIN)/python bench/run.py

## Regenerate templates/reference.docx from scripts/make_reference_docx.py.
reference: $(STAMP)
	$(BIN)/python scripts/make_reference_docx.py

clean:
	rm -rf build .pytest_cache .mutants
