#!/usr/bin/env bash
# The merge gate as a required check where main lives (.github/workflows/mlp.yml and
# .gitlab-ci.yml both run this script, so GitHub and GitLab check the same thing). Local git hooks
# can be skipped (`git merge --no-verify`, a clone without `mlp hooks install`); this check cannot,
# once branch protection requires it. It:
#   1. fetches the run notes (refs/notes/mlflow) and the main branch from the remote;
#   2. installs mlp at a pinned version from the team's mlp repository, with the Deno and the
#      Copier that mlp's own scripts/install_tools.sh pins (Deno from npm, as mlp's CI does;
#      Copier from PyPI into a venv, for the audit's template drift check);
#   3. runs `mlp verify-run` on the commit to prove, against the team's tracking server;
#   4. runs `mlp audit` on the main branch's whole history.
# mlp reads only git objects, the tracking server and the template here: it runs no project code,
# and needs neither uv nor the project's Python environment (git, bash, npm and python3 do).
#
# Environment (set by the CI file; docs: "The required check" in mlp's docs/governance.md):
#   MLP_REPOSITORY       git URL of the team's mlp repository (a CI variable, or a secret when the
#                        URL carries a read token)
#   MLP_VERSION          the mlp tag or commit to use (a CI variable): pinned, so the check only
#                        changes when the team moves it
#   MLFLOW_TRACKING_URI  the team's tracking server (a CI secret); it must be the tracking_store of
#                        configs/project_standards.yaml, or mlp refuses it
#   MLP_CHECK_COMMIT     the commit to prove: the pull request's head, or the commit pushed to main
#   MLP_CHECK_BRANCH     the main branch (default: main)
#   MLP_PR_DESCRIPTION   the pull request's description (optional): its first `MLflow-Run: <id>`
#                        line names the run to verify; without one, the run noted on the commit
#   MLP_CHECK_TOOLS      where mlp is installed (default: $RUNNER_TEMP or $TMPDIR, /mlp-check)
# MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, authenticate
# to the server when it asks. Exits 0 when the commit is proven and the audit is clean, 1 when a
# check fails, 2 when the check is not set up.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

setup_error() {
  echo "mlp-check: error: $1" >&2
  exit 2
}
for name in MLP_REPOSITORY MLP_VERSION MLFLOW_TRACKING_URI MLP_CHECK_COMMIT; do
  if [ -z "${!name:-}" ]; then
    setup_error "$name is not set: the CI file passes it from a CI variable or secret (see the header of scripts/ci/mlp_check.sh)"
  fi
done
branch="${MLP_CHECK_BRANCH:-main}"
tools="${MLP_CHECK_TOOLS:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/mlp-check}"

# 1. The notes carry the run that proves each commit (`mlp run` notes it; developers push them
# with `git push origin refs/notes/mlflow`). A checkout never fetches them by itself.
status=0
git ls-remote --exit-code origin refs/notes/mlflow >/dev/null || status=$?
if [ "$status" -eq 0 ]; then
  git fetch --quiet --no-tags origin "+refs/notes/mlflow:refs/notes/mlflow"
elif [ "$status" -eq 2 ]; then
  echo "mlp-check: origin has no refs/notes/mlflow yet (a run's note is pushed with \`git push origin refs/notes/mlflow\`)" >&2
else
  setup_error "cannot list origin's refs (git ls-remote exited $status)"
fi
# mlp audit reads the main branch as a local branch; a CI checkout is often detached.
git fetch --quiet --no-tags origin "+refs/heads/$branch:refs/remotes/origin/$branch"
if [ "$(git symbolic-ref --quiet --short HEAD || true)" != "$branch" ]; then
  git update-ref "refs/heads/$branch" "refs/remotes/origin/$branch"
fi

# 2. mlp at the pinned version, run from source by its bin/mlp.
mlp_home="$tools/mlp"
rm -rf "$mlp_home"
mkdir -p "$tools"
git clone --quiet --no-checkout "$MLP_REPOSITORY" "$mlp_home"
git -C "$mlp_home" -c advice.detachedHead=false checkout --quiet --detach "$MLP_VERSION^{commit}"
deno_version="$(sed -n 's/^DENO_VERSION=//p' "$mlp_home/scripts/install_tools.sh")"
[ -n "$deno_version" ] || setup_error "mlp $MLP_VERSION pins no DENO_VERSION in scripts/install_tools.sh"
npm install --silent --no-save --no-audit --no-fund --prefix "$mlp_home/.tools/deno" "deno@$deno_version"
(cd "$mlp_home" && .tools/deno/node_modules/.bin/deno install --frozen --quiet)
# Copier, at the version mlp pins, for `mlp audit`'s drift check: it renders the template at the
# version .copier-answers.yml records and compares the scaffold files with it.
copier_version="$(sed -n 's/^COPIER_VERSION=//p' "$mlp_home/scripts/install_tools.sh")"
[ -n "$copier_version" ] || setup_error "mlp $MLP_VERSION pins no COPIER_VERSION in scripts/install_tools.sh"
python3 -m venv "$tools/copier" ||
  setup_error "python3 -m venv failed: the check needs Python 3 with venv (Debian: python3-venv) for Copier"
"$tools/copier/bin/pip" install --quiet --disable-pip-version-check "copier==$copier_version"
export PATH="$tools/copier/bin:$PATH"
mlp="$mlp_home/bin/mlp"
echo "mlp-check: mlp $(git -C "$mlp_home" rev-parse --short=12 HEAD) ($MLP_VERSION), deno $deno_version" >&2

# 3. The commit's proof, as the pre-merge hook checks it.
run_args=()
run_id="$(printf '%s\n' "${MLP_PR_DESCRIPTION:-}" | tr -d '\r' |
  sed -n -E 's/^[[:space:]]*[Mm][Ll][Ff][Ll][Oo][Ww]-[Rr][Uu][Nn][[:space:]]*:[[:space:]]*([0-9a-fA-F]{32})[[:space:]]*$/\1/p' |
  head -n 1 | tr 'A-F' 'a-f')"
if [ -n "$run_id" ]; then
  echo "mlp-check: the description names MLflow run $run_id" >&2
  run_args=(--run "$run_id")
fi
"$mlp" verify-run --commit "$MLP_CHECK_COMMIT" "${run_args[@]}"

# 4. Everything the rules promise over main's history.
"$mlp" audit
