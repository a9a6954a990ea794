#!/usr/bin/env bash
# Prints the python of an MLflow tracking-server environment (cached in .cache/): the client
# template's MLflow version plus the PostgreSQL driver, for the tests of the team-scale path
# (an MLflow server backed by PostgreSQL). Client projects never install this.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
env_dir="$root/.cache/mlflow-server"
mlflow_pin="$(grep -o '"mlflow==[^"]*"' "$root/template/pyproject.toml.jinja" | tr -d '"')"
requirements=("$mlflow_pin" "psycopg[binary]==3.3.9")
stamp="$(echo "${requirements[*]}" | sha256sum | cut -c1-16)"
if [ ! -f "$env_dir/.stamp-$stamp" ]; then
  rm -rf "$env_dir"
  python311="$(command -v python3.11 || command -v python3)"
  uv venv --quiet --python "$python311" "$env_dir" >&2
  VIRTUAL_ENV="$env_dir" uv pip install --quiet "${requirements[@]}" >&2
  touch "$env_dir/.stamp-$stamp"
fi
echo "$env_dir/bin/python"
