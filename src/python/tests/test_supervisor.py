"""The real supervisor and trainer on a tiny project, read back through MLflow."""

from __future__ import annotations

import hashlib
import json
import os
import py_compile
import signal
import socket
import subprocess
from importlib.util import cache_from_source
from pathlib import Path

import mlflow
import numpy
import pandas
import pyarrow.parquet
import pytest
from conftest import (
    MODEL_XGBOOST,
    PLATFORM_DIR,
    Project,
    SupervisorResult,
    make_frame,
    make_project,
    parse_events,
    run_supervisor,
    supervisor_command,
    supervisor_env,
)
from mlflow.tracking import MlflowClient
from sklearn.metrics import recall_score

from mlp_platform.contract import SEALED_TAGS
from mlp_platform.metrics import compute_metrics
from mlp_platform.owner import OWNER_TAGS
from mlp_platform.sandbox import MIN_ABI, landlock_abi
from mlp_platform.seal import encode_metric

needs_landlock = pytest.mark.skipif(landlock_abi() < MIN_ABI, reason="needs Landlock ABI 4+")


def artifact_paths(client: MlflowClient, run_id: str, path: str | None = None) -> list[str]:
    """Every artifact file of the run, recursively."""
    found = []
    for info in client.list_artifacts(run_id, path):
        found += artifact_paths(client, run_id, info.path) if info.is_dir else [info.path]
    return sorted(found)


def assert_model_predicts_probabilities(project: Project, run_id: str) -> None:
    """The run's logged model loads with mlflow.pyfunc and scores raw rows of the dataset: one
    probability (of the positive class) per row (test_raw_model.py checks the values)."""
    mlflow.set_tracking_uri(project.tracking_uri)
    model = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
    scores = model.predict(make_frame().drop(columns=["default"]).head(3))
    assert scores.shape == (3,)
    assert ((scores >= 0) & (scores <= 1)).all()


def traceback_artifact(project: Project, run_id: str) -> str:
    return Path(MlflowClient(project.tracking_uri).download_artifacts(run_id, "error/traceback.txt")).read_text()


@needs_landlock
def test_a_run_is_recorded_finished_with_params_metrics_artifacts_and_a_loadable_model(project: Project) -> None:
    result = run_supervisor(project)
    assert result.code == 0, result.stderr[-3000:]
    created, finished = result.event("run_created"), result.event("finished")
    run_id = created["run_id"]
    assert result.events == [created, finished]
    assert finished["status"] == "FINISHED"
    assert set(finished["metrics"]) == {
        "roc_auc",
        "f1",
        "precision",
        "recall",
        "log_loss",
        "training_time_s",
        "inference_latency_ms",
    }

    client = MlflowClient(project.tracking_uri)
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED"
    assert run.info.experiment_id == created["experiment_id"]
    experiment = client.get_experiment(created["experiment_id"])
    # Relative to the project root: a moved or copied project keeps its artifacts.
    assert (experiment.name, experiment.artifact_location) == ("acme/scorecard", "mlartifacts")
    assert run.info.artifact_uri == f"mlartifacts/{run_id}/artifacts"
    tags = run.data.tags
    assert {k: tags[k] for k in project.plan["tags"]} == project.plan["tags"]
    assert tags["mlp.owner.lock"] == ".mlp/runs/run1/supervisor.lock"
    assert tags["mlp.owner.pid"].isdigit()
    assert tags["mlflow.source.git.commit"] == "0123456789abcdef0123456789abcdef01234567"
    params = run.data.params
    assert {k: params[k] for k in project.plan["params"]} == project.plan["params"]
    assert (params["dataset.rows"], params["dataset.columns"]) == ("240", "4")
    sandbox = [params[f"sandbox.{layer}"] for layer in ("landlock_abi", "network", "shm", "unix_sockets")]
    assert sandbox == [str(landlock_abi()), "netns", "private", "blocked"]
    for key in (
        "system.python_version",
        "system.platform",
        "system.cpu",
        "system.cpu_count",
        "system.ram_gb",
        "system.gpu",
        "system.pkg.mlflow",
        "system.pkg.sklearn",
        "system.pkg.xgboost",
        "system.pkg.lightgbm",
        "system.pkg.pandas",
        "system.pkg.numpy",
    ):
        assert params[key], key
    assert params["system.pkg.mlflow"] == mlflow.__version__
    pooled = {k: v for k, v in run.data.metrics.items() if not k.startswith("fold.")}
    assert pooled == finished["metrics"]
    assert 0.5 < run.data.metrics["roc_auc"] <= 1.0
    # Each allowed metric per fold (step = fold index), scored on that fold's rows of the
    # out-of-fold predictions, which are stored by row id.
    oof_file = Path(client.download_artifacts(run_id, "mlp/oof_predictions.parquet"))
    oof = pyarrow.parquet.read_table(oof_file)
    assert [(f.name, str(f.type)) for f in oof.schema] == [
        ("row_id", "int64"),
        ("fold", "int32"),
        ("label", "int8"),
        ("score", "double"),
    ]
    frame = oof.to_pandas()
    assert frame["row_id"].tolist() == list(range(240)) and sorted(set(frame["fold"])) == [0, 1, 2]
    for name in ("roc_auc", "f1", "precision", "recall", "log_loss"):
        history = sorted(client.get_metric_history(run_id, f"fold.{name}"), key=lambda m: m.step)
        assert [m.step for m in history] == [0, 1, 2]
        parts = [part for _, part in frame.groupby("fold")]
        expected = [compute_metrics(part["label"], part["score"], [name], 0.5)[name] for part in parts]
        assert [m.value for m in history] == pytest.approx(expected)
        assert run.data.metrics[f"fold.{name}"] == history[-1].value
    assert run.data.metrics["training_time_s"] > 0

    artifacts = artifact_paths(client, run_id)
    assert {
        "mlp/plan.json",
        "plots/roc_curve.png",
        "plots/feature_importance.png",
        "model/MLmodel",
        "mlp/data_summary.json",
    } <= set(artifacts)
    assert not [a for a in artifacts if a.startswith("error/")]
    # The model scores raw rows with the run's code snapshot (test_raw_model.py).
    assert {"model/code/src/features.py", "model/raw_model.py", "model/artifacts/estimator.skops"} <= set(artifacts)
    plan_copy = Path(client.download_artifacts(run_id, "mlp/plan.json"))
    assert json.loads(plan_copy.read_text()) == project.plan

    # Sealed last: the seal is the SHA-256 of the sealed record, which covers every param, the
    # sealed tags, the metrics and every other artifact's hash, and is what mlp was told.
    assert finished["seal"] == tags["mlp.seal"]
    assert tags["use_case"] == "credit_risk"  # on every run, and sealed (below)
    sealed_bytes = Path(client.download_artifacts(run_id, "mlp/seal.json")).read_bytes()
    assert hashlib.sha256(sealed_bytes).hexdigest() == tags["mlp.seal"]
    sealed = json.loads(sealed_bytes)
    assert (sealed["seal_version"], sealed["run_id"], sealed["status"]) == (1, run_id, "FINISHED")
    assert sealed["params"] == params
    assert sealed["tags"] == {k: v for k, v in tags.items() if k in SEALED_TAGS}
    ui_tags = {"mlflow.user", "mlflow.source.type", "mlflow.source.name"}  # mlflow_fields.run_tags
    assert set(sealed["tags"]) == {
        *project.plan["tags"],
        *OWNER_TAGS,
        "mlflow.source.git.commit",
        "mlflow.runName",
        *ui_tags,
    }
    assert sealed["metrics"] == {k: encode_metric(v) for k, v in run.data.metrics.items()}
    assert sealed["metric_history"] == {
        k: [encode_metric(m.value) for m in sorted(client.get_metric_history(run_id, k), key=lambda m: m.step)]
        for k in run.data.metrics
    }
    assert set(sealed["artifacts"]) == set(artifacts) - {"mlp/seal.json"}
    model_file = Path(client.download_artifacts(run_id, "model/MLmodel")).read_bytes()
    assert sealed["artifacts"]["model/MLmodel"] == hashlib.sha256(model_file).hexdigest()

    assert_model_predicts_probabilities(project, run_id)


@needs_landlock
def test_an_xgboost_model_with_a_temporal_split_is_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "client", model=MODEL_XGBOOST)
    monkeypatch.chdir(project.root)
    project.write_plan(
        training__model_type="xgboost",
        params__model_type="xgboost",
        training__split_strategy="temporal_split",
        training__hyperparameters={"n_estimators": 10},
        training__hyperparameter_types={"n_estimators": "integer"},
    )
    result = run_supervisor(project)
    assert result.code == 0, result.stderr[-3000:]
    run_id = result.event("run_created")["run_id"]
    oof = pandas.read_parquet(project.root / ".mlp" / "runs" / "run1" / "out" / "oof.parquet")
    # Rows are dated one per day, so the latest 25% of 240 rows are rows 180..239.
    assert oof["row"].tolist() == list(range(180, 240))
    importance = json.loads((project.root / ".mlp" / "runs" / "run1" / "out" / "importance.json").read_text())
    assert set(importance) == {"income", "age", "ratio"}
    mlflow.set_tracking_uri(project.tracking_uri)
    model = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
    requirements = Path(mlflow.artifacts.download_artifacts(f"runs:/{run_id}/model/requirements.txt")).read_text()
    assert "xgboost-cpu==" in requirements
    rows = pandas.DataFrame({"income": [40_000.0], "age": [30], "application_date": [pandas.Timestamp("2024-05-01")]})
    assert model.predict(rows).shape == (1,)


def test_a_failing_features_py_ends_the_run_failed_with_its_traceback(project: Project) -> None:
    project.write_src(
        "features.py",
        """
        def build_features(df, params):
            raise ValueError("income column is broken")
    """,
    )
    project.write_plan(sandbox__mode="none")
    result = run_supervisor(project)
    assert result.code == 1
    finished = result.event("finished")
    assert (finished["status"], finished["error"]) == ("FAILED", "ValueError: income column is broken")
    run = MlflowClient(project.tracking_uri).get_run(finished["run_id"])
    assert run.info.status == "FAILED"
    sandbox = [run.data.params[f"sandbox.{layer}"] for layer in ("landlock_abi", "network", "shm", "unix_sockets")]
    assert sandbox == ["0", "none", "shared", "allowed"]
    text = traceback_artifact(project, finished["run_id"])
    assert text.startswith("Traceback (most recent call last):")
    assert 'features.py", line 3, in build_features' in text


@needs_landlock
def test_project_code_runs_from_source_not_from_a_stale_pycache_and_writes_no_bytecode(project: Project) -> None:
    # A .pyc whose header matches features.py's mtime and size: Python alone would run it.
    features = project.root / "src" / "features.py"
    cached = features.read_text().replace("    return out", '    raise ValueError("the cached code ran")')
    real = features.read_text().ljust(len(cached))
    features.write_text(cached)
    os.utime(features, (1_700_000_000, 1_700_000_000))
    py_compile.compile(str(features), cfile=cache_from_source(str(features)), doraise=True)
    features.write_text(real)
    os.utime(features, (1_700_000_000, 1_700_000_000))
    before = sorted(p.relative_to(project.root).as_posix() for p in (project.root / "src").rglob("*"))

    result = run_supervisor(project)
    assert result.code == 0, result.stderr
    assert result.event("finished")["status"] == "FINISHED"
    assert sorted(p.relative_to(project.root).as_posix() for p in (project.root / "src").rglob("*")) == before


def test_a_dataset_whose_schema_differs_from_the_plan_is_refused_by_the_trainer(project: Project) -> None:
    project.write_plan(dataset__schema_hash="0" * 64, sandbox__mode="none")
    result = run_supervisor(project)
    assert result.code == 1
    error = result.event("finished")["error"]
    assert error.startswith(
        f'mlp_platform.fitting.TrainingRefused: the loaded dataset "{project.dataset_dir}" has schema hash "'
    )
    assert error.endswith(f'but the plan expects "{"0" * 64}": re-add the dataset with mlp data add')


def run_with_target(
    project: Project, labels: dict[int, object], positive: object
) -> tuple[SupervisorResult, pandas.DataFrame]:
    """Runs the supervisor (unsandboxed: the sandbox is not what is tested) on the fixture's data
    with the 0/1 target relabelled by `labels` and `positive` as the positive class."""
    df = make_frame()
    df["default"] = df["default"].map(labels)
    project.write_dataset(df)
    project.write_plan(training__positive_class=positive, sandbox__mode="none")
    return run_supervisor(project), df


def oof_and_scores(project: Project, run_id: str) -> tuple[pandas.DataFrame, numpy.ndarray]:
    """The trainer's out-of-fold rows and the logged model's score (the probability of the positive
    class) of every raw row."""
    oof = pandas.read_parquet(project.root / ".mlp" / "runs" / "run1" / "out" / "oof.parquet")
    mlflow.set_tracking_uri(project.tracking_uri)
    model = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
    return oof, numpy.asarray(model.predict(make_frame().drop(columns=["default"])))


@pytest.mark.parametrize(
    ("labels", "positive"),
    [({0: "good", 1: "bad"}, "bad"), ({0: 0, 1: 1}, 0)],
    ids=["German-credit-style strings, bad is the event", "integers, 0 is the event"],
)
def test_every_metric_and_the_model_score_the_positive_class(
    project: Project, labels: dict[int, object], positive: object
) -> None:
    result, df = run_with_target(project, labels, positive)
    assert result.code == 0, result.stderr[-3000:]
    finished = result.event("finished")
    is_positive = (df["default"] == positive).to_numpy()
    oof, scores = oof_and_scores(project, finished["run_id"])
    assert (oof["y_true"].to_numpy() == is_positive[oof["row"]]).all()
    # The model's probability is of the positive class: higher on its rows than on the others.
    assert scores[is_positive].mean() > scores[~is_positive].mean()
    assert 0.5 < finished["metrics"]["roc_auc"] <= 1.0
    # The threshold metrics are of the positive class too.
    predicted = oof["y_score"].to_numpy() >= 0.5
    assert finished["metrics"]["recall"] == pytest.approx(recall_score(is_positive[oof["row"]], predicted))
    # The model says which class its output is the probability of.
    negative = next(label for label in labels.values() if label != positive)
    info = mlflow.models.get_model_info(f"runs:/{finished['run_id']}/model")
    metadata = info.metadata or {}
    assert (metadata["positive_class"], metadata["classes"]) == (positive, [negative, positive])


@pytest.mark.parametrize(
    ("labels", "positive", "message"),
    [
        (
            {0: 0, 1: 1},
            "1",
            'protected.positive_class is "1", which is not one of the two classes of target column "default", '
            "0 and 1: set it to the class of the event the model predicts (a string in quotes, a number without)",
        ),
        (
            {0: "good", 1: "bad"},
            1,
            'protected.positive_class is 1, which is not one of the two classes of target column "default", '
            '"bad" and "good": set it to the class of the event the model predicts (a string in quotes, a number '
            "without)",
        ),
    ],
)
def test_a_positive_class_that_is_not_a_class_of_the_target_is_refused_naming_the_classes(
    project: Project, labels: dict[int, object], positive: object, message: str
) -> None:
    result, _ = run_with_target(project, labels, positive)
    assert result.code == 1, result.stderr[-3000:]
    finished = result.event("finished")
    assert finished["status"] == "FAILED"
    assert finished["error"] == f"mlp_platform.fitting.TrainingRefused: {message}"


ESCAPES = {
    "read production data": ('open(ROOT + "/data/production/x.csv").read()', "PermissionError: [Errno 13]"),
    "read another dataset": (
        'open(ROOT + "/data/shadow/" + "b" * 64 + "/data.csv").read()',
        "PermissionError: [Errno 13]",
    ),
    "write mlflow.db": ('open(ROOT + "/mlflow.db", "ab").write(b"x")', "PermissionError: [Errno 13]"),
    "tcp connect": ('socket.create_connection(("127.0.0.1", PORT), 5)', "PermissionError: [Errno 13]"),
    "read a secret from the environment": (
        'os.environ["MLP_TEST_SECRET"] + os.environ["AWS_SECRET_ACCESS_KEY"]',
        "KeyError: 'MLP_TEST_SECRET'",
    ),
}


@needs_landlock
@pytest.mark.parametrize("name", list(ESCAPES))
def test_project_code_cannot_escape_the_sandbox(project: Project, name: str) -> None:
    action, expected = ESCAPES[name]
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    project.write_src(
        "features.py",
        f"""
        import os, socket
        ROOT, PORT = {str(project.root)!r}, {server.getsockname()[1]}

        def build_features(df, params):
            {action}
            return df
    """,
    )
    with server:
        result = run_supervisor(project, env={"MLP_TEST_SECRET": "hunter2", "AWS_SECRET_ACCESS_KEY": "s3cr3t"})
    assert result.code == 1, result.stderr[-3000:]
    finished = result.event("finished")
    assert finished["status"] == "FAILED"
    assert finished["error"].startswith(expected)
    assert MlflowClient(project.tracking_uri).get_run(finished["run_id"]).info.status == "FAILED"
    assert "hunter2" not in result.stderr and "s3cr3t" not in result.stderr
    assert (project.root / "data" / "production" / "x.csv").read_text() == "customer,balance\nalice,100\n"


SLOW_FEATURES = """
import time

def build_features(df, params):
    print("SLOW FEATURES STARTED", flush=True)
    time.sleep(3600)
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_is_recorded_killed_and_the_trainer_stopped(tmp_path: Path, sig: signal.Signals) -> None:
    project = make_project(tmp_path / "client", features=SLOW_FEATURES)
    process = subprocess.Popen(
        supervisor_command(project.plan_path),
        cwd=project.root,
        env=supervisor_env(project),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if "SLOW FEATURES STARTED" in line:
            break
    process.send_signal(sig)
    # The feature stage sleeps an hour: returning at all proves the supervisor stopped the trainer rather
    # than waiting for it (no wall-clock bound, which a loaded CI machine would break).
    stdout, _ = process.communicate(timeout=600)
    assert process.returncode == 130
    events = parse_events(stdout)
    assert [e["event"] for e in events] == ["run_created", "finished"]
    assert (events[1]["status"], events[1]["error"]) == ("KILLED", f"interrupted by {sig.name}")
    assert MlflowClient(project.tracking_uri).get_run(events[1]["run_id"]).info.status == "KILLED"
    leftover = subprocess.run(["pgrep", "-f", str(project.plan_path)], capture_output=True, text=True)
    assert leftover.stdout == ""


def test_the_run_is_refused_and_nothing_recorded_when_the_sandbox_is_unavailable(project: Project) -> None:
    project.write_plan(sandbox__min_landlock_abi=99)
    result = run_supervisor(project)
    found = (
        f"this kernel has Landlock ABI {landlock_abi()}" if landlock_abi() else "Landlock is not enabled in this kernel"
    )
    assert result.code == 3
    assert result.events == [
        {
            "event": "refused",
            "reason": "sandbox_unavailable",
            "message": "cannot sandbox the trainer: the trainer sandbox needs Landlock ABI 99 or newer "
            f"(Linux 6.7+, TCP restriction), but {found}",
        }
    ]
    assert not (project.root / "mlflow.db").exists()


def test_an_invalid_plan_exits_2_with_a_refusal(project: Project) -> None:
    project.write_plan(training__n_splits=1)
    result = run_supervisor(project)
    assert result.code == 2
    assert result.events == [
        {
            "event": "refused",
            "reason": "invalid_plan",
            "message": f'plan "{project.plan_path}": field "training.n_splits" must be an integer >= 2, got 1',
        }
    ]
    assert not (project.root / "mlflow.db").exists()


def test_no_project_code_runs_when_the_mlflow_run_cannot_be_created(project: Project) -> None:
    marker = project.root / ".mlp" / "runs" / "run1" / "features-ran"
    project.write_src(
        "features.py",
        f"""
        def build_features(df, params):
            open({str(marker)!r}, "w").close()
            return df
    """,
    )
    result = run_supervisor(project, env={"MLFLOW_TRACKING_URI": "sqlite:////dev/null/cannot-exist/mlflow.db"})
    assert result.code == 1
    [refused] = result.events
    assert (refused["event"], refused["reason"]) == ("refused", "tracking_unavailable")
    assert refused["message"].startswith("cannot create the MLflow run: ")
    assert not marker.exists()


TEMPLATE_MODEL = (PLATFORM_DIR.parent.parent / "template" / "src" / "model.py").read_text()
# xgboost, the template's default, runs end to end in tests/e2e/run_test.ts.
SMALL_HYPERPARAMETERS: dict[str, dict[str, object]] = {
    "lightgbm": {"n_estimators": 10, "num_leaves": 7},
    "logistic_regression": {"max_iter": 200, "class_weight": "none"},
    "random_forest": {"n_estimators": 10, "max_features": "sqrt"},
}
SPEC_TYPES = {"n_estimators": "integer", "num_leaves": "integer", "max_iter": "integer"}
"""The spec types of SMALL_HYPERPARAMETERS in the template's standards (the rest are strings)."""


@needs_landlock
@pytest.mark.parametrize("model_type", list(SMALL_HYPERPARAMETERS))
def test_each_other_model_type_of_the_template_trains_and_logs_a_loadable_model(
    tmp_path: Path, model_type: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "client", model=TEMPLATE_MODEL)
    monkeypatch.chdir(project.root)
    values = SMALL_HYPERPARAMETERS[model_type]
    project.write_plan(
        training__model_type=model_type,
        training__hyperparameters=values,
        training__hyperparameter_types={name: SPEC_TYPES.get(name, "string") for name in values},
    )
    result = run_supervisor(project)
    assert result.code == 0, result.stderr[-3000:]
    finished = result.event("finished")
    assert finished["status"] == "FINISHED"
    assert 0.5 < finished["metrics"]["roc_auc"] <= 1.0
    importance = json.loads((project.root / ".mlp" / "runs" / "run1" / "out" / "importance.json").read_text())
    assert set(importance) == {"income", "age", "ratio"}
    client = MlflowClient(project.tracking_uri)
    assert {"plots/feature_importance.png", "plots/roc_curve.png", "model/MLmodel"} <= set(
        artifact_paths(client, finished["run_id"])
    )
    assert_model_predicts_probabilities(project, finished["run_id"])


def test_a_run_ended_by_someone_else_meanwhile_is_never_relabelled(tmp_path: Path) -> None:
    project = make_project(tmp_path / "client", features=SLOW_FEATURES)
    process = subprocess.Popen(
        supervisor_command(project.plan_path),
        cwd=project.root,
        env=supervisor_env(project),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    run_id = json.loads(process.stdout.readline())["run_id"]
    for line in process.stderr:
        if "SLOW FEATURES STARTED" in line:
            break
    # What `mlp runs repair` does to a run it judges abandoned.
    MlflowClient(project.tracking_uri).set_terminated(run_id, "FAILED")
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=600)
    assert MlflowClient(project.tracking_uri).get_run(run_id).info.status == "FAILED"
    assert f"supervisor: run {run_id} was already ended FAILED; it stays so" in stderr
    finished = parse_events(stdout)[-1]
    assert (finished["event"], finished["status"]) == ("finished", "FAILED")


PROJECT_CLASS_MODEL = """
from sklearn.linear_model import LogisticRegression

class Mine(LogisticRegression):
    pass

def build_model(model_type, hyperparameters, random_seed):
    return Mine(max_iter=hyperparameters["max_iter"], random_state=random_seed)
"""


@needs_landlock
def test_an_estimator_class_defined_in_the_project_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "client", model=PROJECT_CLASS_MODEL)
    monkeypatch.chdir(project.root)
    result = run_supervisor(project)
    assert result.code == 1
    finished = result.event("finished")
    assert (finished["status"], finished["error"]) == (
        "FAILED",
        'mlp_platform.fitting.TrainingRefused: build_model() returned an estimator holding type "model.Mine", which '
        'the platform does not load: for model_type "logistic_regression" return '
        "sklearn.linear_model._logistic.LogisticRegression (alone or as the last step of a scikit-learn Pipeline of "
        "scikit-learn transformers); estimator classes defined in the project are not supported",
    )
