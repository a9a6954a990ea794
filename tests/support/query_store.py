"""Test and benchmark support for `mlp query`.

`build`: writes a store of runs across several clients and projects with the official MLflow
client (one create_run, one log_batch and one set_terminated per run), as `mlp run` would have
recorded them, plus runs a query must leave out (failed, killed, deleted, unsealed).

`answer`: answers each query independently of mlp, with `mlflow.search_runs` and pandas.

Usage: python query_store.py build URI RUNS PROJECTS SEED
       python query_store.py answer URI '<json list of questions>'   (prints JSON answers)
       python query_store.py time URI '<json list of questions>'     (prints seconds per question)
"""

import json
import math
import random
import sys
import time

import mlflow
from mlflow.entities import Metric, Param, RunTag, ViewType
from mlflow.tracking import MlflowClient

CATEGORIES = [
    "feature_addition",
    "feature_transformation",
    "hyperparameter_tuning",
    "regularization",
    "model_architecture",
    "data_cleaning",
]
MODEL_TYPES = ["xgboost", "lightgbm", "logistic_regression", "random_forest"]
USE_CASES = ["credit_risk", "fraud_detection", "churn"]
BASE_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
LOWER = {"log_loss"}


def fast_sqlite() -> None:
    """Writes without fsync: the same rows MLflow writes, minutes faster on a shared disk."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _no_sync(connection, _record):
        connection.execute("PRAGMA synchronous=OFF")


def build(uri: str, n_runs: int, n_projects: int, seed: int, first: int = 0) -> None:
    fast_sqlite()
    rng = random.Random(seed)
    client = MlflowClient(tracking_uri=uri)
    experiments = []
    for p in range(first, first + n_projects):
        client_name = f"client_{p % 4}"
        project = f"project_{p:02d}"
        metric = "log_loss" if p % 5 == 4 else "roc_auc"
        use_case = USE_CASES[p % 3]
        eid = client.create_experiment(f"{client_name}/{project}")
        experiments.append((eid, client_name, project, metric, use_case))
    state = {e[0]: {"best": None, "n": 0} for e in experiments}
    for i in range(n_runs):
        eid, client_name, project, metric, use_case = experiments[i % n_projects]
        i += first * n_runs
        s = state[eid]
        start = BASE_MS + i * 60_000 + rng.randrange(0, 50_000)
        roll = rng.random()
        status = "FAILED" if roll < 0.04 else "KILLED" if roll < 0.07 else "FINISHED"
        sealed = status == "FINISHED" and rng.random() > 0.05
        category = rng.choice(CATEGORIES)
        change = rng.choice(
            [
                f"Try {category} #{s['n']}",
                f'Add "ratio" features, drop {rng.randrange(9)} columns',
                f"Tune depth to {rng.randrange(2, 12)}; lower learning rate",
            ]
        )
        tags = {
            "client_name": client_name,
            "project_name": project,
            "primary_metric": metric,
            "use_case": use_case,
            "mlp.operator": "human",
        }
        commit = f"{rng.getrandbits(160):040x}"
        if rng.random() < 0.5:
            tags["mlflow.source.git.commit"] = commit
        if sealed:
            tags["mlp.seal"] = f"{rng.getrandbits(256):064x}"
        # A project's runs wander around its best so far: most changes do not help.
        start_value = 0.7 if metric == "roc_auc" else 0.45
        step = rng.gauss(-0.004, 0.015)
        prior = s["best"] if s["best"] is not None else start_value
        value = round(prior + (step if metric == "roc_auc" else -step), 6)
        metrics = {metric: value, "f1": round(rng.random(), 6)}
        if status == "FINISHED":
            if s["best"] is None:
                tags["mlp.outcome"] = "first"
            else:
                delta = (s["best"] - value) if metric in LOWER else (value - s["best"])
                metrics["metric_delta"] = round(delta, 6)
                tags["mlp.outcome"] = (
                    "confirmed"
                    if delta > 0.01
                    else "negative"
                    if delta < -0.01
                    else "neutral"
                )
                if rng.random() < 0.1:
                    tags["mlp.outcome.corrected"] = rng.choice(
                        ["confirmed", "neutral", "negative"]
                    )
            better = s["best"] is None or (
                value < s["best"] if metric in LOWER else value > s["best"]
            )
            if better and sealed:
                s["best"] = value
        s["n"] += 1
        run = client.create_run(eid, start_time=start, tags=tags)
        rid = run.info.run_id
        params = {
            "reasoning.hypothesis_category": category,
            "reasoning.change_description": change,
            "model_type": rng.choice(MODEL_TYPES),
            "git_commit": commit,
        }
        client.log_batch(
            rid,
            metrics=[Metric(k, v, start, 0) for k, v in metrics.items()],
            params=[Param(k, v) for k, v in params.items()],
            tags=[RunTag("mlflow.runName", f"run-{i}")],
        )
        client.set_terminated(rid, status, end_time=start + 30_000)
        if rng.random() < 0.01:
            client.delete_run(rid)


def frame(uris: str):
    """Every active run of the stores (comma-separated URIs) as one pandas DataFrame."""
    import pandas as pd

    frames = []
    for uri in uris.split(","):
        mlflow.set_tracking_uri(uri)
        exps = mlflow.search_experiments(view_type=ViewType.ALL)
        names = {e.experiment_id: e.name for e in exps}
        df = mlflow.search_runs(search_all_experiments=True, max_results=100_000)
        df["experiment"] = df["experiment_id"].map(names)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def col(df, name):
    return df[name] if name in df.columns else None


def counted(df, scope):
    d = df[(df["status"] == "FINISHED") & df["tags.mlp.seal"].notna()].copy()
    if scope.get("projects"):
        d = d[d["tags.project_name"].isin(scope["projects"])]
    if scope.get("clients"):
        d = d[d["tags.client_name"].isin(scope["clients"])]
    if scope.get("use_case"):
        d = d[d["tags.use_case"] == scope["use_case"]]
    if scope.get("since"):
        d = d[d["start_time"] >= scope["since"]]
    d["outcome"] = d["tags.mlp.outcome.corrected"].fillna(d["tags.mlp.outcome"])
    d["commit"] = d["tags.mlflow.source.git.commit"].fillna(d["params.git_commit"])
    d["start_ms"] = d["start_time"].astype("int64") // 1_000_000
    d["date"] = d["start_time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    d["category"] = d["params.reasoning.hypothesis_category"].fillna("(none)")
    d["value"] = (
        [
            r[f"metrics.{m}"]
            if isinstance(m, str) and f"metrics.{m}" in d.columns
            else math.nan
            for m, (_, r) in zip(d["tags.primary_metric"], d.iterrows())
        ]
        if len(d)
        else []
    )
    return d.sort_values(["start_ms", "run_id"])


def clean(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
    return value


def judged(g):
    counts = {
        o: int((g["outcome"] == o).sum()) for o in ["confirmed", "neutral", "negative"]
    }
    total = sum(counts.values())
    deltas = g["metrics.metric_delta"].dropna()
    return {
        **counts,
        "confirmation_rate": counts["confirmed"] / total if total else None,
        "mean_delta": clean(deltas.mean()) if len(deltas) else None,
        "median_delta": clean(deltas.median()) if len(deltas) else None,
    }


def q_changes(d, top):
    c = d[d["metrics.metric_delta"].notna()].copy()
    c["neg"] = -c["metrics.metric_delta"]
    c = c.sort_values(["neg", "start_ms", "run_id"]).head(top)
    return [
        {
            "run": r["run_id"],
            "date": r["date"],
            "experiment": r["experiment"],
            "category": r["params.reasoning.hypothesis_category"],
            "change": r["params.reasoning.change_description"],
            "delta": r["metrics.metric_delta"],
            "outcome": r["outcome"],
            "commit": r["commit"],
        }
        for _, r in c.iterrows()
    ]


def nulls_last(x, sign=1):
    return (1, 0) if x is None else (0, sign * x)


def q_categories(d):
    rows = [
        {"category": k, "runs": len(g), **judged(g)} for k, g in d.groupby("category")
    ]
    rows.sort(
        key=lambda r: (
            nulls_last(r["confirmation_rate"], -1),
            -r["runs"],
            r["category"],
        )
    )
    return rows


def best_runs(d):
    best = {}
    for _, r in d.iterrows():
        v = r["value"]
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        cur = best.get(r["experiment"])
        lower = r["tags.primary_metric"] in LOWER
        if cur is None or (v < cur["value"] if lower else v > cur["value"]):
            best[r["experiment"]] = r
    return list(best.values())


def q_approaches(d):
    d = d.copy()
    d["use_case"] = d["tags.use_case"].fillna("(none)")
    d["model_type"] = d["params.model_type"].fillna("(none)")
    best = best_runs(d)
    rows = []
    for uc, g in d.groupby("use_case"):
        for dim in ["model_type", "category"]:
            for value, m in g.groupby(dim):
                j = judged(m)
                rows.append(
                    {
                        "use_case": uc,
                        "dimension": dim,
                        "value": value,
                        "runs": len(m),
                        "projects": m["experiment"].nunique(),
                        "clients": m["tags.client_name"].nunique(),
                        "best_in": sum(
                            1 for b in best if b["use_case"] == uc and b[dim] == value
                        ),
                        "confirmed": j["confirmed"],
                        "confirmation_rate": j["confirmation_rate"],
                        "mean_delta": j["mean_delta"],
                    }
                )
    rows.sort(
        key=lambda r: (
            r["use_case"],
            0 if r["dimension"] == "model_type" else 1,
            -r["best_in"],
            nulls_last(r["confirmation_rate"], -1),
            nulls_last(r["mean_delta"], -1),
            r["value"],
        )
    )
    return rows


def q_runs_to_target(d, metric, target):
    lower = metric in LOWER
    col = f"metrics.{metric}"
    rows = []
    for exp, g in d.groupby("experiment"):
        values = g[col] if col in g.columns else None
        hit = None
        for i, (_, r) in enumerate(g.iterrows()):
            v = r[col] if values is not None else math.nan
            if not math.isnan(v) and (v <= target if lower else v >= target):
                hit = (i + 1, r)
                break
        vals = values.dropna() if values is not None else []
        rows.append(
            {
                "experiment": exp,
                "runs": len(g),
                "runs_to_target": hit[0] if hit else None,
                "run": hit[1]["run_id"] if hit else None,
                "date": hit[1]["date"] if hit else None,
                "best": clean(vals.min() if lower else vals.max())
                if len(vals)
                else None,
            }
        )
    rows.sort(key=lambda r: (nulls_last(r["runs_to_target"]), r["experiment"]))
    import pandas as pd

    reached = pd.Series(
        [r["runs_to_target"] for r in rows if r["runs_to_target"] is not None]
    )
    summary = {
        "metric": metric,
        "target": target,
        "projects": len(rows),
        "reached": len(reached),
        "mean_runs_to_target": clean(reached.mean()) if len(reached) else None,
        "median_runs_to_target": clean(reached.median()) if len(reached) else None,
    }
    return {"rows": rows, "summary": summary}


def q_history(d):
    d = d[d["value"].notna()]
    rows = []
    for exp, g in d.groupby("experiment"):
        lower = g["tags.primary_metric"].iloc[0] in LOWER
        best = g["value"].cummin() if lower else g["value"].cummax()
        prev = None
        for (_, r), b in zip(g.iterrows(), best):
            rows.append(
                {
                    "date": r["date"],
                    "run": r["run_id"],
                    "experiment": exp,
                    "category": r["params.reasoning.hypothesis_category"],
                    "change": r["params.reasoning.change_description"],
                    "metric": r["tags.primary_metric"],
                    "value": r["value"],
                    "best_so_far": b,
                    "new_best": bool(r["value"] == b and b != prev),
                    "outcome": r["outcome"],
                }
            )
            prev = b
    return rows


def answer(df, question):
    d = counted(df, question.get("scope", {}))
    name = question["query"]
    if name == "changes":
        out = {"rows": q_changes(d, question["top"])}
    elif name == "categories":
        out = {"rows": q_categories(d)}
    elif name == "approaches":
        out = {"rows": q_approaches(d)}
    elif name == "runs-to-target":
        out = q_runs_to_target(d, question["metric"], question["target"])
    else:
        out = {"rows": q_history(d)}
    out["counted"] = len(d)
    return out


def main() -> None:
    command, uri = sys.argv[1], sys.argv[2]
    if command == "build":
        first = int(sys.argv[6]) if len(sys.argv) > 6 else 0
        build(uri, int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), first)
        return
    questions = json.loads(sys.argv[3])
    if command == "answer":
        df = frame(uri)
        out = [answer(df, q) for q in questions]
        print(json.dumps(out, default=clean))
        return
    # time: each question answered from scratch (search_runs included), as an analyst would.
    times = []
    for q in questions:
        t0 = time.perf_counter()
        answer(frame(uri), q)
        times.append(time.perf_counter() - t0)
    print(json.dumps(times))


if __name__ == "__main__":
    main()
