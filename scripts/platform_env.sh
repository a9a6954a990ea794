#!/usr/bin/env bash
# Prints the python of a client environment made from the template (cached in .cache/), the
# environment the platform's Python runs in for real.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
env_dir="$root/.cache/platform-env"
stamp="$(cat "$root/template/uv.lock.jinja" "$root/template/pyproject.toml.jinja" | sha256sum | cut -c1-16)"
mkdir -p "$root/.cache"
# Test files run in parallel, and each may ask for the environment first: one builds it.
exec 9>"$root/.cache/platform-env.lock"
flock 9
if [ ! -f "$env_dir/.stamp-$stamp" ]; then
  rm -rf "$env_dir"
  copier copy --quiet --trust --defaults --vcs-ref HEAD \
    --data project_name=platform_env --data client_name=mlp "$root" "$env_dir" >&2 ||
    copier copy --quiet --trust --defaults \
      --data project_name=platform_env --data client_name=mlp "$root" "$env_dir" >&2
  (cd "$env_dir" && uv sync --quiet --locked --compile-bytecode >&2)
  touch "$env_dir/.stamp-$stamp"
fi
echo "$env_dir/.venv/bin/python"
