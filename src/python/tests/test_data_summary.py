"""The data summary (data_summary): exact counts on a small frame, and the command line."""

import json
import subprocess
import sys
from pathlib import Path

import pandas
import pytest

from mlp_platform.data_summary import MAX_VALUES, summarize, to_json
from mlp_platform.json_schema import Invalid

PLATFORM = Path(__file__).resolve().parents[1]


def test_summarize_counts_missing_distinct_values_and_the_target_rate() -> None:
    df = pandas.DataFrame(
        {
            "income": [1.0, None, 3.0, 3.0],
            "region": pandas.array(["n", "s", "n", None], dtype="string"),
            "bad": [0, 1, 0, 0],
        }
    )
    summary = summarize(df, "f" * 64, "bad", 1)
    assert summary["rows"] == 4
    assert summary["columns"] == [
        {"name": "income", "dtype": "float64", "kind": "numeric", "missing": 1, "missing_share": 0.25, "distinct": 2},
        {
            "name": "region",
            "dtype": "string",
            "kind": "categorical",
            "missing": 1,
            "missing_share": 0.25,
            "distinct": 2,
            "values": [{"value": "n", "count": 2}, {"value": "s", "count": 1}],
            "values_truncated": False,
        },
        {"name": "bad", "dtype": "int64", "kind": "numeric", "missing": 0, "missing_share": 0.0, "distinct": 2},
    ]
    assert summary["target"] == {
        "column": "bad",
        "positive_class": 1,
        "present": True,
        "labelled_rows": 4,
        "positives": 1,
        "positive_rate": 0.25,
    }


def test_summarize_caps_the_values_and_says_so() -> None:
    df = pandas.DataFrame({"code": [f"c{i:02d}" for i in range(MAX_VALUES + 5)]})
    (column,) = summarize(df, "f" * 64)["columns"]
    assert len(column["values"]) == MAX_VALUES
    assert column["values"][0] == {"value": "c00", "count": 1}
    assert column["values_truncated"] is True
    assert column["distinct"] == MAX_VALUES + 5


def test_a_target_missing_from_the_dataset_is_said_not_guessed() -> None:
    summary = summarize(pandas.DataFrame({"x": [1]}), "f" * 64, "default", "yes")
    assert summary["target"] == {"column": "default", "positive_class": "yes", "present": False}
    assert summarize(pandas.DataFrame({"x": [1]}), "f" * 64)["target"] is None


def test_the_command_line_refuses_a_dataset_whose_manifest_does_not_match(tmp_path: Path) -> None:
    (tmp_path / "MANIFEST.sha256").write_text("x\n")
    result = subprocess.run(
        [sys.executable, "-m", "mlp_platform.data_summary", str(tmp_path), "0" * 64, "t.parquet"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(PLATFORM)},
    )
    assert result.returncode == 1
    assert "the dataset was changed after mlp verified it" in result.stderr


def test_to_json_writes_no_nan() -> None:
    assert json.loads(to_json({"x": float("nan"), "y": [1.5]})) == {"x": None, "y": [1.5]}


def test_a_summary_that_does_not_fit_the_contract_is_never_written() -> None:
    with pytest.raises(Invalid, match="dataset_hash"):
        summarize(pandas.DataFrame({"x": [1]}), "not-a-hash")
