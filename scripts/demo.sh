#!/usr/bin/env bash
# `make demo`: the main job, end to end on a fresh machine.
#   1. a client project `demo/` from the template with the real Copier, its own git repository
#      with mlp's hooks installed, and its locked uv environment;
#   2. a synthetic credit-default dataset (60,000 applications) stored by content hash;
#   3. a baseline experiment on main, then an agent-style change on a feature branch with its
#      reasoning filled in, run, and merged through the merge gate;
#   4. three more changes of other kinds (a feature added, regularization, a feature removed),
#      each run on its branch and merged the same way;
#   5. the first two runs side by side, read back with the official MLflow client, and what the
#      lab learned: `mlp query history` (with a plot), `changes` and `categories`;
#   6. a person, whose SSH key (a throwaway one) the first commit enrolled as approver,
#      promotes the confirmed change (`mlp promote --sign-key`, the approval signed; `mlp log
#      verify` checks it): the champion of the registered model demo_bank.credit_default scores
#      raw applications; its model card (`mlp card`); its run made again from the record
#      (`mlp reproduce`); `mlp audit` over the whole history; and a backup of the store that
#      tested its own restore (`mlp backup`, into demo-backups/).
# Running it again starts over from a new demo/ and demo-backups/ (the old ones are removed).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
demo="$root/demo"
backups="$root/demo-backups"
export PATH="$root/bin:$PATH" UV_PYTHON_DOWNLOADS=never
say() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

say "Generating demo/ from the template (copier copy)"
rm -rf "$demo" "$backups"
# This checkout's template (HEAD), not Copier's default of the latest release tag. Uncommitted
# changes are included by Copier under a commit that exists nowhere, which `mlp drift` (and so
# `mlp audit`, at the end) cannot render, and says so: run the demo from a clean checkout.
copier copy --quiet --trust --defaults --vcs-ref HEAD \
  --data project_name=credit_default --data client_name=demo_bank "$root" "$demo"
cd "$demo"
git init --quiet --initial-branch=main
git config user.name >/dev/null || git config user.name "mlp demo"
git config user.email >/dev/null || git config user.email "demo@mlp.invalid"
uv sync --quiet --locked
mlp hooks install

say "Creating the synthetic credit-default dataset and storing it by content hash"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
uv run --quiet --locked python "$root/scripts/make_credit_data.py" "$tmp/applications.parquet" \
  --rows 60000 --seed 7
hash="$(mlp data add "$tmp/applications.parquet" | tail -n 1)"
sed -i "s/^dataset_version:.*/dataset_version: $hash/" configs/experiment.yaml
say "An approver enrolled in the standards of the first commit: their SSH public key (a throwaway key here)"
ssh-keygen -q -t ed25519 -N "" -C "demo approver" -f "$tmp/approver"
approver="$(git config user.email)"
sed -i "s|^approvers: \[\]\$|approvers:\n  - identity: $approver\n    key: \"$(cat "$tmp/approver.pub")\"\n    may: [override, promotion]|" \
  configs/project_standards.yaml
mlp validate
git add -A
git commit --quiet -m "Credit default project from the mlp template, dataset ${hash:0:12}"

say "Baseline experiment on main (mlp run)"
baseline="$(mlp run --run-name baseline | tee /dev/stderr | tail -n 1)"

say "An agent's change on a feature branch: shallower trees, slower learning, more of them; reasoning filled in"
git checkout --quiet -b agent/slower-learning
sed -i -E 's/^(\s*)max_depth: .*/\1max_depth: 3/; s/^(\s*)learning_rate: .*/\1learning_rate: 0.05/; s/^(\s*)n_estimators: .*/\1n_estimators: 400/' \
  configs/experiment.yaml
cat > configs/reasoning.yaml <<'YAML'
# yaml-language-server: $schema=./reasoning.schema.json
hypothesis_category: hyperparameter_tuning
change_description: "Shallower trees (max_depth 4 -> 3) with half the learning rate (0.1 -> 0.05) and twice the trees (200 -> 400): the baseline overfits the 4 % default class; smaller steps over more, simpler trees should generalise better."
expected_effect: improve
YAML
git commit --quiet -am "Shallower trees, lower learning rate, more trees"
candidate="$(MLP_AGENT=1 mlp run --run-name agent-slower-learning | tee /dev/stderr | tail -n 1)"

say "Merging the branch: the pre-merge-commit hook checks that run $candidate proves the branch tip"
git checkout --quiet main
git merge --quiet --no-ff agent/slower-learning -m "Merge agent/slower-learning

MLflow-Run: $candidate"

# One more agent change: a branch, the edit ("$4", a sed script on the file "$5"), the reasoning,
# a commit, `mlp run`, and a merge proven by the run.
experiment() {
  local branch="$1" category="$2" description="$3"
  say "An agent's change ($category): $description"
  git checkout --quiet -b "agent/$branch"
  sed -i -E "$4" "$5"
  cat > configs/reasoning.yaml <<YAML
# yaml-language-server: \$schema=./reasoning.schema.json
hypothesis_category: $category
change_description: "$description"
expected_effect: improve
YAML
  git commit --quiet -am "$description"
  local run
  run="$(MLP_AGENT=1 mlp run | tee /dev/stderr | tail -n 1)"
  git checkout --quiet main
  git merge --quiet --no-ff "agent/$branch" -m "Merge agent/$branch

MLflow-Run: $run"
}
experiment loan-per-account feature_addition \
  "Loan amount per open account: a large loan spread over few accounts should signal risk the two ratios miss." \
  's/^(\s*)delinquencies_per_open_account: .*/&\n\1loan_per_open_account: [loan_amount, num_open_accounts]/' \
  configs/experiment.yaml
experiment stronger-l2 regularization \
  "Stronger L2 (reg_lambda 1 -> 5) and larger leaves (min_child_weight 1 -> 5): fewer splits fitted to the rare defaults." \
  's/^(\s*)reg_lambda: .*/\1reg_lambda: 5.0/; s/^(\s*)min_child_weight: .*/\1min_child_weight: 5/' \
  configs/experiment.yaml
experiment no-calendar feature_removal \
  "Drop the calendar features (month, day of week): application dates should not predict default, and they drift." \
  's/^(\s*)date_parts: .*/\1date_parts: []/' configs/experiment.yaml

say "Both runs, read back from MLflow"
uv run --quiet --locked python - "$baseline" "$candidate" <<'PY'
import sys
import mlflow
from mlflow.tracking import MlflowClient

mlflow.set_tracking_uri("sqlite:///mlflow.db")
client = MlflowClient()
runs = [client.get_run(run_id) for run_id in sys.argv[1:]]
names = ["baseline", "agent change"]
print(f"{'':28}" + "".join(f"{n:>36}" for n in names))
print(f"{'run id':28}" + "".join(f"{r.info.run_id:>36}" for r in runs))
print(f"{'status':28}" + "".join(f"{r.info.status:>36}" for r in runs))
for key in ["git_commit", "git_dirty", "dataset_hash", "feature_pipeline_hash", "dependency_lock_hash",
            "hyperparameters.max_depth", "hyperparameters.learning_rate", "hyperparameters.n_estimators"]:
    print(f"{key:28}" + "".join(f"{r.data.params.get(key, '')[:34]:>36}" for r in runs))
for key in ["roc_auc", "f1", "precision", "recall", "log_loss", "training_time_s", "inference_latency_ms"]:
    print(f"{key:28}" + "".join(f"{r.data.metrics.get(key, float('nan')):>36.4f}" for r in runs))
PY

say "What the lab learned: every experiment over time, the changes ranked, the kinds of change"
mlp query history --plot "$demo/history.svg"
mlp query changes
mlp query categories


say "A person promotes the confirmed change: every check, the model scored in the sandbox, the registry; the approval signed with their key"
mlp promote "$candidate" --sign-key "$tmp/approver" \
  --intended-use "Probability of default of retail credit applications, for the underwriting team's review queue"
git add logs/protected_overrides.log
git commit --quiet -m "Promote run ${candidate:0:8} to champion of demo_bank.credit_default"
mlp log verify
mlp models

say "The champion scores raw applications (models:/demo_bank.credit_default@champion)"
uv run --quiet --locked python - "$hash" <<'PY'
import glob
import sys

import mlflow
import pandas

mlflow.set_tracking_uri("sqlite:///mlflow.db")
table = glob.glob(f"data/shadow/{sys.argv[1]}/*.parquet")[0]
applications = pandas.read_parquet(table).head(5).drop(columns=["default"])
champion = mlflow.pyfunc.load_model("models:/demo_bank.credit_default@champion")
shown = applications[["customer_id", "age", "income", "loan_amount"]].copy()
shown["p_default"] = champion.predict(applications).round(4)
print(shown.to_string(index=False))
PY

say "Its model card, from the run's record in MLflow alone (demo/model-card.md)"
mlp card "$candidate" --output "$demo/model-card.md"
sed -n 1,25p "$demo/model-card.md"

say "The champion's run made again from its record alone (mlp reproduce): same metrics, same fingerprints"
mlp reproduce "$candidate"

say "mlp audit: every commit on main proven or an exception, the log, the runs, the champion"
mlp audit

say "A backup of the store that restores itself before it is kept (demo-backups/)"
mlp backup --to "$backups"

cat >&2 <<MSG

The history is drawn in demo/history.svg, the champion's card is demo/model-card.md. Look at the
runs (every Tier 1 field is a param) and the registered model in the MLflow UI:
  cd demo && uv run mlflow ui --backend-store-uri sqlite:///mlflow.db --port 5000
then open the runs table: http://127.0.0.1:5000/#/experiments/$(uv run --quiet --locked python -c "from mlflow.tracking import MlflowClient; print(MlflowClient('sqlite:///mlflow.db').get_run('$candidate').info.experiment_id)")/runs?workflowType=machine_learning
MSG
