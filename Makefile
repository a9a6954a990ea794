# mlp: the two commands on the README's first screen are `make demo` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
TOOLS := $(CURDIR)/.tools
export UV_PYTHON_DOWNLOADS := never
export PATH := $(CURDIR)/bin:$(TOOLS)/deno/node_modules/.bin:$(TOOLS)/uv-pkg/bin:$(TOOLS)/venv/bin:$(PATH)

.PHONY: all tools demo test test-faults test-sandbox test-container check bench build clean ui-check

all: test

## tools: install Deno, uv and Copier into .tools/ (idempotent)
tools:
	@scripts/install_tools.sh

## demo: a client project from the template, a dataset, two experiments logged to MLflow
demo: tools
	@scripts/demo.sh

## test: formatting, lint, type check, Deno tests and the platform's pytest suite
test: tools
	@scripts/test.sh

## test-faults: kill mlp, uv, the supervisor and the trainer at random moments of 32 real runs
test-faults: tools
	@deno run -A tests/faults/fault_suite.ts $(FAULT_RUNS)

## test-sandbox: attack the sandbox from project code in real runs (labels, scores, model, sockets, /dev/shm)
test-sandbox: tools
	@deno run -A tests/sandbox/sandbox_suite.ts

## test-container: build the template's Dockerfile with podman and run pytest, mlp, a hook and `mlp run` inside
test-container: tools
	@deno run -A tests/container/container_suite.ts

## check: formatting, lint, type check, and the platform's contract files in step with src/contract/
check: tools
	@deno fmt --check && deno lint && deno check src/ tests/ bench/ scripts/ && \
	  deno run --allow-read scripts/contract.ts --check && \
	  ruff check src/python && ruff format --check src/python

## bench: measure and write docs/benchmarks.md
bench: tools
	@scripts/bench.sh

## ui-check: a real run shown by a real MLflow UI in headless chromium: REST + page text, screenshots in .cache/ui-check/
ui-check: tools
	@deno run -A tests/ui/ui_check.ts $(UI_CHECK_ARGS)

## build: a single `mlp` executable with the permissions baked in (needs Deno's denort download)
build: tools
	@mkdir -p dist && deno run --quiet --allow-read --allow-write=dist scripts/mlp_build.ts dist/mlp_build
	@source bin/permissions.sh && deno compile --no-prompt "$${MLP_PERMISSIONS[@]}" \
	  --include src/python --include template --include dist/mlp_build --exclude node_modules \
	  --output dist/mlp src/main.ts || { \
	  echo "build: deno compile needs its denort runtime from dl.deno.land: allow that download," \
	    "or point DENORT_BIN at a denort $$(deno --version | head -1 | cut -d' ' -f2) binary" >&2; exit 1; }

clean:
	rm -rf .cache dist demo demo-backups
