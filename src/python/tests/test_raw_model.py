"""The run's logged model scores raw rows: the real supervisor and trainer on a tiny project, the
model loaded back with mlflow.pyfunc, and what saving it may and may not do."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import mlflow
import numpy
import pandas
import pytest
import skops.io
from conftest import FEATURES_OK, MODEL_XGBOOST, Project, make_frame, make_project, run_supervisor
from mlflow.tracking import MlflowClient
from sklearn.linear_model import LogisticRegression

from mlp_platform.model_export import save_raw_model
from mlp_platform.plan import load_plan
from mlp_platform.project_import import assert_no_project_modules
from mlp_platform.raw_model import ScoringRefused, restore_dtypes

FEATURES_WITH_REGION = """
import pandas

REGIONS = ["north", "south"]

def build_features(df, params):
    out = df[["income", "age"]].astype(float)
    out["ratio"] = out["income"] / (out["age"] + 1)
    region = df["region"].astype("object")
    for value in REGIONS:
        out[f"region__{value}"] = (region == value).astype(float)
    out["region__other"] = (~region.isin(REGIONS) & region.notna()).astype(float)
    out["region__missing"] = region.isna().astype(float)
    return out
"""

MARKER_ON_IMPORT = """
import os
with open(os.path.join({folder!r}, "imported-by-" + str(os.getpid())), "w") as marker:
    marker.write(open("/proc/self/comm").read().strip())
"""


def module_of(code: str) -> ModuleType:
    """The project code `code` as a module of this test (to compute what the model should give)."""
    module = ModuleType("expected_features")
    exec(textwrap.dedent(code), module.__dict__)
    return module


def finished_run(project: Project) -> str:
    result = run_supervisor(project)
    assert result.code == 0, result.stderr[-3000:]
    finished = result.event("finished")
    assert finished["status"] == "FINISHED"
    run_id: str = finished["run_id"]
    mlflow.set_tracking_uri(project.tracking_uri)
    return run_id


def logged_estimator(run_id: str) -> Any:
    """The estimator inside the run's logged model, read without the model's code."""
    folder = Path(mlflow.artifacts.download_artifacts(f"runs:/{run_id}/model"))
    settings = json.loads((folder / "artifacts" / "model_settings.json").read_text())
    return skops.io.load(folder / "artifacts" / "estimator.skops", trusted=settings["skops_trusted_types"])


def unsandboxed(project: Project) -> Project:
    project.write_plan(sandbox__mode="none")
    return project


def test_the_model_scores_raw_rows_as_the_final_estimator_scores_their_features(project: Project) -> None:
    run_id = finished_run(unsandboxed(project))
    mlflow.set_tracking_uri(project.tracking_uri)
    model = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
    rows = make_frame()  # the dataset's rows, target included: a column the model does not know is ignored
    scores = model.predict(rows)
    assert scores.shape == (240,) and scores.dtype == numpy.float64
    features = module_of(FEATURES_OK).build_features(rows.drop(columns=["default"]), {})
    expected = logged_estimator(run_id).predict_proba(features)[:, 1]
    assert numpy.array_equal(scores, expected)
    # The final model is the pipeline refitted on every row.
    refit = LogisticRegression(max_iter=200, random_state=42).fit(features, rows["default"])
    assert numpy.abs(scores - refit.predict_proba(features)[:, 1]).max() < 1e-9
    # Without the target, and one row alone, score the same.
    assert numpy.array_equal(model.predict(rows.drop(columns=["default"]).head(1)), scores[:1])


def test_the_model_says_what_it_takes_and_what_it_returns(project: Project) -> None:
    run_id = finished_run(unsandboxed(project))
    info = mlflow.models.get_model_info(f"runs:/{run_id}/model")
    # The dataset's columns less the target; an integer column is "any" so that it may be missing.
    assert info.signature.inputs.to_dict() == [
        {"type": "double", "name": "income", "required": True},
        {"type": "any", "name": "age", "required": True},
        {"type": "datetime", "name": "application_date", "required": True},
    ]
    assert info.signature.outputs.to_dict() == [{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": (-1,)}}]
    params = MlflowClient(project.tracking_uri).get_run(run_id).data.params
    assert info.metadata == {
        "positive_class": 1,
        "classes": [0, 1],
        "target_column": "default",
        "output": "probability of the positive class",
        "dataset_hash": params["dataset_hash"],
        "dataset_schema_hash": params["dataset_schema_hash"],
        "dependency_lock_hash": params["dependency_lock_hash"],
    }
    folder = Path(mlflow.artifacts.download_artifacts(f"runs:/{run_id}/model"))
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert files == [
        "MLmodel",
        "artifacts/estimator.skops",
        "artifacts/model_settings.json",
        "code/src/features.py",
        "code/src/model.py",
        "conda.yaml",
        "pyproject.toml",
        "python_env.yaml",
        "raw_model.py",
        "requirements.txt",
        "uv.lock",
    ]
    assert (folder / "uv.lock").read_bytes() == (project.root / "uv.lock").read_bytes()
    requirements = (folder / "requirements.txt").read_text().splitlines()
    assert any(line.startswith("scikit-learn==") for line in requirements)
    assert not any(line.startswith("pytest==") for line in requirements)  # the lock's dev group
    settings = json.loads((folder / "artifacts" / "model_settings.json").read_text())
    assert settings == {
        "features": {},
        "input_columns": [
            {"name": "income", "dtype": "float64"},
            {"name": "age", "dtype": "int64"},
            {"name": "application_date", "dtype": "datetime64[us]"},
        ],
        "feature_names": ["income", "age", "ratio"],
        "skops_trusted_types": [],
    }
    # No machine path: the model is a record, copied and moved with its project.
    for file in folder.rglob("*"):
        if file.is_file() and file.name != "uv.lock":
            assert str(project.root) not in file.read_text(errors="replace"), file


def test_a_missing_value_and_an_unknown_category_score_without_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "client", features=FEATURES_WITH_REGION, model=MODEL_XGBOOST)
    monkeypatch.chdir(project.root)
    df = make_frame()
    df["region"] = numpy.resize(numpy.array(["north", "south", "east"], dtype=object), len(df))
    project.write_dataset(df)
    project.write_plan(
        training__model_type="xgboost",
        params__model_type="xgboost",
        training__hyperparameters={"n_estimators": 10},
        training__hyperparameter_types={"n_estimators": "integer"},
        sandbox__mode="none",
    )
    run_id = finished_run(project)
    mlflow.set_tracking_uri(project.tracking_uri)
    model = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
    rows = df.drop(columns=["default"]).head(4).astype({"region": object})
    rows.loc[0, "region"] = "atlantis"  # a category never seen
    rows.loc[1, "region"] = None
    rows["age"] = rows["age"].astype(float)
    rows.loc[2, "age"] = numpy.nan  # a missing integer: the column arrives as float
    rows.loc[3, "income"] = numpy.nan
    scores = model.predict(rows)
    assert scores.shape == (4,) and numpy.isfinite(scores).all()
    expected_rows = rows.astype({"region": object})
    features = module_of(FEATURES_WITH_REGION).build_features(expected_rows, {})
    assert features.loc[0, "region__other"] == 1.0 and features.loc[1, "region__missing"] == 1.0
    assert numpy.array_equal(scores, logged_estimator(run_id).predict_proba(features)[:, 1])


@pytest.mark.parametrize(
    ("labels", "positive"),
    [({0: "good", 1: "bad"}, "bad"), ({0: 0, 1: 1}, 0)],
    ids=["strings, bad is the event", "integers, 0 is the event"],
)
def test_the_probability_is_of_the_positive_class_whichever_label_it_is(
    project: Project, labels: dict[int, object], positive: object
) -> None:
    df = make_frame()
    df["default"] = df["default"].map(labels)
    project.write_dataset(df)
    project.write_plan(training__positive_class=positive, sandbox__mode="none")
    run_id = finished_run(project)
    mlflow.set_tracking_uri(project.tracking_uri)
    scores = mlflow.pyfunc.load_model(f"runs:/{run_id}/model").predict(df)
    features = module_of(FEATURES_OK).build_features(df, {})
    is_positive = (df["default"] == positive).to_numpy()
    refit = LogisticRegression(max_iter=200, random_state=42).fit(features, is_positive.astype(int))
    assert numpy.abs(scores - refit.predict_proba(features)[:, 1]).max() < 1e-9
    assert scores[is_positive].mean() > scores[~is_positive].mean()
    negative = next(label for label in labels.values() if label != positive)
    info = mlflow.models.get_model_info(f"runs:/{run_id}/model")
    metadata = info.metadata or {}
    assert (metadata["positive_class"], metadata["classes"]) == (positive, [negative, positive])


def test_saving_the_model_imports_no_project_code_and_loading_it_does(project: Project) -> None:
    run_id = finished_run(unsandboxed(project))
    markers = project.root / "markers"
    markers.mkdir()
    project.write_src("features.py", MARKER_ON_IMPORT.format(folder=str(markers)) + FEATURES_OK)
    plan = load_plan(project.plan_path, project.root)
    saved = project.root / "saved_again"
    before = set(sys.modules)
    save_raw_model(plan, saved, project.root / "staging")
    assert sorted(markers.iterdir()) == []
    assert_no_project_modules(plan.project_src)
    assert not [name for name in set(sys.modules) - before if "features" in name]
    assert (saved / "code" / "src" / "features.py").read_text().startswith("\nimport os\nwith open(")
    # Loading it runs the project's feature code, from the model's own copy.
    rows = make_frame().head(3)
    scores = mlflow.pyfunc.load_model(str(saved)).predict(rows)
    assert [p.name for p in markers.iterdir()] == [f"imported-by-{os.getpid()}"]
    mlflow.set_tracking_uri(project.tracking_uri)
    assert numpy.array_equal(scores, mlflow.pyfunc.load_model(f"runs:/{run_id}/model").predict(rows))


def test_in_a_whole_run_only_the_feature_stage_imports_project_code(project: Project) -> None:
    markers = project.root / "markers"
    markers.mkdir()
    project.write_src("features.py", MARKER_ON_IMPORT.format(folder=str(markers)) + FEATURES_OK)
    finished_run(unsandboxed(project))  # unsandboxed: any process could write the marker
    assert [p.read_text() for p in markers.iterdir()] == ["mlp-features"]


def test_restore_dtypes_rebuilds_the_training_dtypes_and_refuses_what_it_cannot() -> None:
    columns = [
        {"name": "age", "dtype": "int64"},
        {"name": "flag", "dtype": "bool"},
        {"name": "city", "dtype": "str"},
        {"name": "kind", "dtype": "string"},
    ]
    rows = pandas.DataFrame(
        {"city": ["a", None], "age": [30.0, 41.0], "flag": [True, False], "extra": [1, 2], "kind": ["x", None]}
    )
    frame = restore_dtypes(rows, columns)
    assert list(frame.columns) == ["age", "flag", "city", "kind"]
    assert [str(t) for t in frame.dtypes] == ["int64", "bool", "str", "string"]
    assert frame["kind"].tolist()[0] == "x" and frame["kind"].isna().tolist() == [False, True]
    missing = restore_dtypes(rows.assign(age=[30.0, None], flag=[True, None]), columns)
    assert [str(t) for t in missing.dtypes[:2]] == ["float64", "object"]
    with pytest.raises(ScoringRefused) as lacking:
        restore_dtypes(rows.drop(columns=["age"]), columns)
    assert str(lacking.value) == (
        "the rows lack the column(s) ['age'] of the model's input: pass every column of the dataset but the target"
    )
    with pytest.raises(ScoringRefused) as fraction:
        restore_dtypes(rows.assign(age=[30.5, 41.0]), columns)
    assert str(fraction.value) == (
        'column "age" cannot be read as int64, its type in training (a value is not a whole number): '
        "pass values of that type"
    )
