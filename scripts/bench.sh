#!/usr/bin/env bash
# `make bench`: measures runs, the split's cost, hashing, the .venv check and hooks in one go and
# rewrites docs/benchmarks.md. Every number is a ratio against a baseline measured in the same run
# on the same machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export NO_COLOR=1
bench_venv="$root/.tools/bench-venv"
if [ ! -x "$bench_venv/bin/dvc" ]; then
  echo "bench: installing DVC from PyPI (the peer we compare hashing against)" >&2
  uv venv --quiet --python 3.11 "$bench_venv"
  VIRTUAL_ENV="$bench_venv" uv pip install --quiet "dvc==3.67.1"
fi
export PATH="$bench_venv/bin:$PATH"
out="$(mktemp)"
{
  echo "# Benchmarks"
  echo
  echo "Written by \`make bench\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB RAM,"
  echo "$(uname -sr), deno $(deno --version | head -n1 | cut -d' ' -f2). Each table's ratios are against the"
  echo "baseline measured in the same run."
  echo
  deno run -A bench/run_overhead.ts
  echo
  deno run -A bench/split_cost.ts
  echo
  deno run -A bench/hashing.ts
  echo
  deno run -A bench/venv_check.ts
  echo
  deno run -A bench/hooks.ts
  echo
  deno run -A bench/query.ts
} >"$out"
mv "$out" docs/benchmarks.md
echo "bench: wrote docs/benchmarks.md" >&2
