"""plan.load_plan: the typed run plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Project

from mlp_platform.plan import PlanError, load_plan


def test_load_plan_reads_every_section(project: Project) -> None:
    plan = load_plan(project.plan_path, project.root)
    assert plan.experiment_name == "acme/scorecard"
    assert plan.run_name is None
    assert plan.tags["sandbox"] == "landlock"
    assert plan.dataset.files() == [project.dataset_dir / "data.parquet"]
    assert plan.training.n_splits == 3
    assert plan.training.metrics == ["roc_auc", "f1", "precision", "recall", "log_loss"]
    assert plan.sandbox.min_landlock_abi == 4
    assert plan.out_dir == project.root / ".mlp" / "runs" / "run1" / "out"
    read, write = plan.trainer_paths()
    assert str(project.root) not in read
    assert write == [str(project.root / ".mlp" / "runs" / "run1")]


def test_load_plan_applies_documented_defaults(project: Project) -> None:
    for key in ("n_splits", "test_fraction", "threshold"):
        del project.plan["training"][key]
    project.write_plan()
    training = load_plan(project.plan_path, project.root).training
    assert (training.n_splits, training.test_fraction, training.threshold) == (5, 0.2, 0.5)


def test_load_plan_resolves_every_path_against_the_project_root(project: Project) -> None:
    plan = load_plan(project.plan_path, project.root)
    assert plan.project_root == project.root
    assert plan.project_src == project.root / "src"
    assert plan.dataset.dir == project.dataset_dir
    assert plan.scratch_dir == project.root / ".mlp" / "runs" / "run1"
    assert plan.platform_dir == project.root / ".mlp" / "platform" / "p1"
    assert plan.sandbox.read_paths[0] == project.root / "src"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"plan_version": 1}, 'field "plan_version" must be 2, got 1'),
        ({"training__n_splits": 1}, 'field "training.n_splits" must be an integer >= 2, got 1'),
        (
            {"training__metrics": ["roc_auc", "gini"]},
            'field "training.metrics" must be a list of roc_auc, pr_auc, log_loss, brier, f1, precision, recall, '
            "accuracy",
        ),
        (
            {"training__split_strategy": "random"},
            'field "training.split_strategy" must be one of stratified_kfold, temporal_split, got "random"',
        ),
        ({"dataset__tables": ["../other/data.csv"]}, 'field "dataset.tables" must be a non-empty list of file names'),
        ({"sandbox__mode": "docker"}, 'field "sandbox.mode" must be one of landlock, none, got "docker"'),
        ({"project_src": "/p/src"}, 'field "project_src" must be a path relative to the project root, got "/p/src"'),
        ({"scratch_dir": "../elsewhere"}, 'field "scratch_dir" must be a path relative to the project root'),
        (
            {"sandbox__read_paths": ["/etc"]},
            'field "sandbox.read_paths" must be a list of paths relative to the project root',
        ),
        (
            {"training__primary_metric": "accuracy"},
            'field "training.primary_metric" ("accuracy") must be one of "training.metrics"',
        ),
    ],
)
def test_load_plan_names_the_bad_field(project: Project, change: dict[str, object], message: str) -> None:
    project.write_plan(**change)
    with pytest.raises(PlanError) as caught:
        load_plan(project.plan_path, project.root)
    assert str(caught.value).startswith(f'plan "{project.plan_path}"')
    assert message in str(caught.value)


def test_hyperparameters_take_the_type_of_their_spec(project: Project) -> None:
    # JSON writes the number 1.0 as 1; the spec type says it is a float all the same.
    project.write_plan(
        training__hyperparameters={"max_samples": 1, "max_depth": 4, "class_weight": "none", "warm_start": False},
        training__hyperparameter_types={
            "max_samples": "number",
            "max_depth": "integer",
            "class_weight": "string",
            "warm_start": "boolean",
        },
    )
    values = load_plan(project.plan_path, project.root).training.hyperparameters
    assert values == {"max_samples": 1.0, "max_depth": 4, "class_weight": "none", "warm_start": False}
    assert [type(v) for v in values.values()] == [float, int, str, bool]


@pytest.mark.parametrize(
    ("values", "types", "message"),
    [
        (
            {"max_depth": 4},
            {},
            'field "training.hyperparameter_types" must name the type of every hyperparameter, missing "max_depth"',
        ),
        (
            {},
            {"max_depth": "integer"},
            'field "training.hyperparameter_types" names "max_depth", which is not in "training.hyperparameters"',
        ),
        ({"max_depth": 4.5}, {"max_depth": "integer"}, 'field "training.hyperparameters.max_depth" must be an integer'),
        ({"C": True}, {"C": "number"}, 'field "training.hyperparameters.C" must be a number, got true'),
        ({"C": 1}, {"C": "float"}, 'field "training.hyperparameter_types.C" must be one of integer, number, string'),
    ],
)
def test_hyperparameters_that_do_not_fit_their_type_are_refused(
    project: Project, values: dict[str, object], types: dict[str, str], message: str
) -> None:
    project.write_plan(training__hyperparameters=values, training__hyperparameter_types=types)
    with pytest.raises(PlanError) as caught:
        load_plan(project.plan_path, project.root)
    assert message in str(caught.value)


def test_temporal_split_requires_a_date_column(project: Project) -> None:
    project.write_plan(training__split_strategy="temporal_split", training__date_column=None)
    with pytest.raises(PlanError, match=r'field "training\.date_column" must be a non-empty string, got null'):
        load_plan(project.plan_path, project.root)


def test_load_plan_reports_unreadable_json(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text("{")
    with pytest.raises(PlanError, match=r'^plan ".*plan\.json" cannot be read: '):
        load_plan(tmp_path / "plan.json", tmp_path)
    (tmp_path / "plan.json").write_text(json.dumps([]))
    with pytest.raises(PlanError, match=r'field "\(root\)" must be an object'):
        load_plan(tmp_path / "plan.json", tmp_path)


@pytest.mark.parametrize("positive", [0, 1, -1, "bad", "1"])
def test_the_positive_class_is_an_integer_or_a_string(project: Project, positive: object) -> None:
    project.write_plan(training__positive_class=positive)
    assert load_plan(project.plan_path, project.root).training.positive_class == positive


def test_the_positive_class_is_1_when_absent(project: Project) -> None:
    del project.plan["training"]["positive_class"]
    project.write_plan()
    assert load_plan(project.plan_path, project.root).training.positive_class == 1


@pytest.mark.parametrize("positive", [True, 1.5, "", None, [1]])
def test_a_positive_class_of_another_kind_is_refused(project: Project, positive: object) -> None:
    project.write_plan(training__positive_class=positive)
    with pytest.raises(PlanError, match=r'field "training\.positive_class" must be an integer or a non-empty string'):
        load_plan(project.plan_path, project.root)


def test_a_field_the_plan_does_not_define_is_refused(project: Project) -> None:
    # A field mlp writes and the platform would ignore is the drift the contract exists to stop.
    project.write_plan(training__class_weights={"1": 2})
    with pytest.raises(PlanError) as caught:
        load_plan(project.plan_path, project.root)
    assert str(caught.value) == (
        f'plan "{project.plan_path}": field "training.class_weights" is unknown: the fields here are model_type, '
        "hyperparameters, hyperparameter_types, random_seed, features, target_column, date_column, split_strategy, "
        "n_splits, test_fraction, threshold, positive_class, metrics, primary_metric"
    )


def test_a_missing_field_is_named_with_what_it_must_be(project: Project) -> None:
    del project.plan["dataset"]["hash"]
    project.write_plan()
    with pytest.raises(PlanError) as caught:
        load_plan(project.plan_path, project.root)
    assert (
        str(caught.value)
        == f'plan "{project.plan_path}": field "dataset.hash" is missing: it must be a non-empty string'
    )


def test_a_raised_landlock_floor_is_read_and_the_floor_is_4_when_absent(project: Project) -> None:
    assert load_plan(project.plan_path, project.root).sandbox.min_landlock_abi == 4
    project.write_plan(sandbox__min_landlock_abi=6)
    assert load_plan(project.plan_path, project.root).sandbox.min_landlock_abi == 6
