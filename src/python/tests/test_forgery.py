"""Project code never holds what it could forge: each attack below ran from src/features.py inside
the one trainer process, which also held the labels, the out-of-fold predictions, the model and
result.json. Each test runs the real supervisor and checks that the attack changed nothing that is
scored or logged (the attack swallows its own failure, so the run itself finishes)."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import mlflow
import pytest
import skops.io
from conftest import Project, SupervisorResult, run_supervisor
from mlflow.tracking import MlflowClient

from mlp_platform.sandbox import MIN_ABI, landlock_abi

pytestmark = pytest.mark.skipif(landlock_abi() < MIN_ABI, reason="needs Landlock ABI 4+")

HONEST = """
import atexit, gc, glob, inspect, os, sys, time
import pandas

ROOT = {root!r}
OUT = ROOT + "/.mlp/runs/run1/out"

def honest(df):
    out = df[["income", "age"]].astype(float)
    out["ratio"] = out["income"] / (out["age"] + 1)
    return out

def blocked(what, error):
    print(f"ATTACK BLOCKED: {{what}}: {{type(error).__name__}}", flush=True)
"""


def attack(project: Project, code: str) -> SupervisorResult:
    """Writes features.py = the honest features plus `code` (which defines build_features) and runs."""
    project.write_src("features.py", HONEST.format(root=str(project.root)) + code)
    return run_supervisor(project)


def finished_metrics(result: SupervisorResult) -> dict[str, float]:
    assert result.code == 0, result.stderr[-3000:]
    finished = result.event("finished")
    assert finished["status"] == "FINISHED"
    metrics: dict[str, float] = finished["metrics"]
    return metrics


def assert_scores_are_honest(result: SupervisorResult) -> None:
    """The honest features score about 0.8 on this data; labels leaked into them score 1.0."""
    roc_auc = finished_metrics(result)["roc_auc"]
    assert 0.6 < roc_auc < 0.95, roc_auc


LEAK = """
def build_features(df, params):
    out = honest(df)
    labels = find_labels()
    if labels is not None:
        out["leak"] = pandas.Series(labels).to_numpy().astype(float)
    return out
"""


def test_the_labels_cannot_be_read_back_from_the_dataset_file(project: Project) -> None:
    result = attack(
        project,
        f"""
DATASET = {str(project.dataset_dir / "data.parquet")!r}

def find_labels():
    try:
        return pandas.read_parquet(DATASET)["default"]
    except Exception as error:
        blocked("read the dataset", error)
"""
        + LEAK,
    )
    assert_scores_are_honest(result)
    assert "ATTACK BLOCKED: read the dataset: PermissionError" in result.stderr


def test_the_labels_cannot_be_found_in_the_frames_up_the_stack(project: Project) -> None:
    result = attack(
        project,
        """
def find_labels():
    for info in inspect.stack():
        for value in list(info.frame.f_locals.values()):
            if isinstance(value, pandas.DataFrame) and "default" in value.columns:
                return value["default"]
    return None
"""
        + LEAK,
    )
    assert_scores_are_honest(result)


def test_the_labels_cannot_be_found_by_the_garbage_collector(project: Project) -> None:
    result = attack(
        project,
        """
def find_labels():
    for value in gc.get_objects():
        if isinstance(value, pandas.DataFrame) and "default" in value.columns:
            return value["default"]
    return None
"""
        + LEAK,
    )
    assert_scores_are_honest(result)


FORGE_OOF = """
def forge_oof():
    path = OUT + "/oof.parquet"
    oof = pandas.read_parquet(path)
    if (oof["y_score"] != oof["y_true"]).any():
        oof["y_score"] = oof["y_true"].astype(float)
        oof.to_parquet(path, index=False)
"""


def test_the_out_of_fold_predictions_cannot_be_rewritten_at_exit(project: Project) -> None:
    result = attack(
        project,
        FORGE_OOF
        + """
def at_exit():
    try:
        forge_oof()
    except Exception as error:
        blocked("rewrite oof", error)

atexit.register(at_exit)

def build_features(df, params):
    return honest(df)
""",
    )
    assert_scores_are_honest(result)


def escaped_child(body: str) -> str:
    """features.py whose build_features leaves a double-forked child in its own session running `body`."""
    indented = "\n".join("            " + line for line in body.strip().splitlines())
    return f"""
def build_features(df, params):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
{indented}
        os._exit(0)
    os.wait()
    return honest(df)
"""


def test_a_child_in_its_own_session_cannot_rewrite_the_outputs_after_the_trainer_ends(project: Project) -> None:
    body = """
deadline = time.time() + 30
while time.time() < deadline:
    try:
        forge_oof()
    except Exception:
        pass
    time.sleep(0.005)
os._exit(0)
"""
    result = attack(project, FORGE_OOF + escaped_child(body))
    assert_scores_are_honest(result)


def test_a_child_in_its_own_session_does_not_outlive_the_run(project: Project) -> None:
    body = """
import tempfile
with open(os.path.join(tempfile.gettempdir(), "outlive.pid"), "w") as marker:
    marker.write(str(os.getpid()))
time.sleep(600)
os._exit(0)
"""
    result = attack(project, escaped_child(body))
    finished_metrics(result)
    markers = list(project.root.rglob("outlive.pid"))
    assert len(markers) == 1, markers
    pid = int(markers[0].read_text())
    alive = Path(f"/proc/{pid}/stat").is_file() and ") Z" not in Path(f"/proc/{pid}/stat").read_text()
    if alive:
        os.kill(pid, signal.SIGKILL)  # the old trainer left it behind: do not leave it to the machine
    assert not alive, f"process {pid} of the project outlived the run"


def logged_model_class(project: Project, run_id: str) -> str:
    """The class of the estimator in the run's logged model, read without running the model's code
    (which is the attacker's features.py)."""
    mlflow.set_tracking_uri(project.tracking_uri)
    folder = Path(mlflow.artifacts.download_artifacts(f"runs:/{run_id}/model"))
    settings = json.loads((folder / "artifacts" / "model_settings.json").read_text())
    estimator = skops.io.load(folder / "artifacts" / "estimator.skops", trusted=settings["skops_trusted_types"])
    return type(estimator).__name__


def test_the_model_file_cannot_be_swapped_at_exit(project: Project) -> None:
    result = attack(
        project,
        """
def swap_model():
    try:
        import skops.io
        from sklearn.dummy import DummyClassifier
        dummy = DummyClassifier(strategy="prior").fit([[0.0, 0.0, 0.0]] * 2, [0, 1])
        skops.io.dump(dummy, OUT + "/estimator.skops")
    except Exception as error:
        blocked("swap the model", error)

atexit.register(swap_model)

def build_features(df, params):
    return honest(df)
""",
    )
    finished_metrics(result)
    assert logged_model_class(project, result.event("finished")["run_id"]) == "LogisticRegression"


def test_the_estimator_cannot_be_patched_after_fitting(project: Project) -> None:
    result = attack(
        project,
        """
from sklearn.dummy import DummyClassifier

def patch():
    for module in list(sys.modules.values()):
        original = getattr(module, "save_estimator", None)
        if getattr(module, "__name__", "").startswith("mlp_platform") and original is not None:
            def patched(estimator, path, *args, _original=original, **kwargs):
                dummy = DummyClassifier(strategy="prior").fit([[0.0, 0.0, 0.0]] * 2, [0, 1])
                return _original(dummy, path, *args, **kwargs)
            module.save_estimator = patched

def build_features(df, params):
    patch()
    return honest(df)
""",
    )
    finished_metrics(result)
    assert logged_model_class(project, result.event("finished")["run_id"]) == "LogisticRegression"


def test_the_dataset_rows_cannot_be_forged_in_result_json(project: Project) -> None:
    result = attack(
        project,
        """
import json

def forge_rows():
    try:
        path = OUT + "/result.json"
        result = json.loads(open(path).read())
        result["rows"] = 1000000
        open(path, "w").write(json.dumps(result))
    except Exception as error:
        blocked("forge rows", error)

atexit.register(forge_rows)

def build_features(df, params):
    return honest(df)
""",
    )
    finished_metrics(result)
    params = MlflowClient(project.tracking_uri).get_run(result.event("finished")["run_id"]).data.params
    assert (params["dataset.rows"], params["dataset.columns"]) == ("240", "4")
