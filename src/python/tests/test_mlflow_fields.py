"""The MLflow UI's own fields of a run (mlflow_fields): the pure parts; tests/e2e/mlflow_ui_test.ts
reads a real run back."""

import json

from mlp_platform.mlflow_fields import description, mlflow_schema


def test_description_is_the_change_then_the_hypothesis() -> None:
    params = {
        "reasoning.change_description": "Add debt_to_income",
        "reasoning.hypothesis_category": "feature_engineering",
        "reasoning.expected_effect": "improve",
    }
    assert description(params) == (
        "Add debt_to_income\n\n- **Hypothesis category:** feature_engineering\n- **Expected effect:** improve\n"
    )


def test_description_leaves_out_what_is_missing() -> None:
    assert description({"reasoning.hypothesis_category": "data_quality"}) == (
        "(no change description)\n\n- **Hypothesis category:** data_quality\n"
    )


def test_mlflow_schema_maps_pandas_dtypes_to_mlflow_column_types() -> None:
    schema = json.dumps(
        {
            "columns": [
                {"dtype": "float64", "name": "income"},
                {"dtype": "int64", "name": "default"},
                {"dtype": "string", "name": "region"},
                {"dtype": "datetime64[ns]", "name": "application_date"},
                {"dtype": "bool", "name": "flag"},
            ]
        }
    ).encode()
    assert json.loads(mlflow_schema(schema)) == {
        "mlflow_colspec": [
            {"type": "double", "name": "income", "required": True},
            {"type": "long", "name": "default", "required": True},
            {"type": "string", "name": "region", "required": True},
            {"type": "datetime", "name": "application_date", "required": True},
            {"type": "boolean", "name": "flag", "required": True},
        ]
    }
