#!/usr/bin/env bash
# `make test`: static checks, the Deno suite (unit + end-to-end with real git, uv, MLflow, Copier)
# and the pytest suite of the Python that ships inside mlp. Ends with `N passed, N failed`.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
export NO_COLOR=1
mkdir -p .cache
passed=0
failed=0

check() {
  local name="$1"
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    echo "FAILED: $name" >&2
    failed=$((failed + 1))
  fi
}

check "deno fmt --check" deno fmt --check
check "deno lint" deno lint
check "deno check" deno check src/ tests/ bench/ scripts/
# The JSON the platform Python reads is generated from src/contract/: it must be in step.
check "contract files" deno run --allow-read scripts/contract.ts --check

# The platform's Python runs in a client project's locked environment: test it in one.
python_env="$(scripts/platform_env.sh)" || { echo "FAILED: platform Python environment" >&2; failed=$((failed + 1)); }
# An MLflow server environment with the PostgreSQL driver, for the team-scale tests.
scripts/server_env.sh >/dev/null || { echo "FAILED: MLflow server environment" >&2; failed=$((failed + 1)); }
check "ruff check" ruff check src/python
check "ruff format --check" ruff format --check src/python
if [ -n "${python_env:-}" ]; then
  # Type-check against the client environment's packages (mlflow, pandas, sklearn), which is
  # where this Python runs.
  check "mypy" mypy --config-file src/python/pyproject.toml --python-executable "$python_env" \
    src/python/mlp_platform src/python/tests
fi

deno test -A --parallel 2>&1 | tee .cache/deno-test.log
summary="$(grep -E '^(ok|FAILED) \| ' .cache/deno-test.log | tail -n 1)"
if [[ "$summary" =~ ([0-9]+)\ passed.*\|\ ([0-9]+)\ failed ]]; then
  passed=$((passed + BASH_REMATCH[1]))
  failed=$((failed + BASH_REMATCH[2]))
else
  echo "FAILED: deno test printed no summary" >&2
  failed=$((failed + 1))
fi

if [ -n "${python_env:-}" ]; then
  PYTHONPATH="$root/src/python" "$python_env" -m pytest -q -p no:cacheprovider src/python/tests 2>&1 |
    tee .cache/pytest.log
  summary="$(tail -n 1 .cache/pytest.log)"
  py_passed=0
  py_failed=0
  [[ "$summary" =~ ([0-9]+)\ passed ]] && py_passed="${BASH_REMATCH[1]}"
  [[ "$summary" =~ ([0-9]+)\ (failed|error) ]] && py_failed="${BASH_REMATCH[1]}"
  if [ "$py_passed" -eq 0 ] && [ "$py_failed" -eq 0 ]; then
    echo "FAILED: pytest ran no test" >&2
    py_failed=1
  fi
  passed=$((passed + py_passed))
  failed=$((failed + py_failed))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
