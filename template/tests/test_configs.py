"""The configs parse and agree with the standards. `mlp validate` is the full check; these catch the
common mistakes without mlp installed."""

from __future__ import annotations

import json

from conftest import load_yaml


def test_every_config_parses(root):
    for path in sorted((root / "configs").glob("*.yaml")):
        assert isinstance(load_yaml(f"configs/{path.name}"), dict), path.name
    for path in sorted((root / "configs").glob("*.schema.json")):
        assert isinstance(json.loads(path.read_text(encoding="utf-8")), dict), path.name


def test_protected_block_equals_the_standards(experiment, standards):
    assert experiment["protected"] == standards["protected_fields"]


def test_evaluation_uses_the_protected_metric_and_split(experiment):
    assert experiment["evaluation"]["metric"] == experiment["protected"]["metric_definition"]
    assert experiment["evaluation"]["split_strategy"] == experiment["protected"]["split_strategy"]


def test_model_type_and_hyperparameters_are_allowed(experiment, standards):
    assert experiment["model_type"] in standards["allowed_model_types"]
    specs = standards["hyperparameters"][experiment["model_type"]]
    assert set(experiment["hyperparameters"]) <= set(specs)


def test_hypothesis_category_is_allowed(standards):
    assert load_yaml("configs/reasoning.yaml")["hypothesis_category"] in standards["hypothesis_categories"]
