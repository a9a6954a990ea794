"""What the risk checklist needs to know of a dataset, without loading it in a notebook: per column
its type, missing share and distinct values (the category values, capped, with counts), and the
target rate. One implementation for both paths: ``mlp data describe HASH`` runs this module
(``python -m mlp_platform.data_summary``), and the trainer writes the same summary of the verified
bytes it trained on, which the supervisor logs as the artifact ``mlp/data_summary.json``.

Usage: ``python -m mlp_platform.data_summary DATASET_DIR DATASET_HASH TABLE... [--target COLUMN
--positive-class JSON]``; prints the summary as JSON. Exit 1 with the reason on stderr when the
dataset does not match its manifest or cannot be read.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import pandas
from pandas.api import types as ptypes

from mlp_platform.contract import DATA_SUMMARY_SCHEMA
from mlp_platform.dataset import TableError, read_verified
from mlp_platform.json_schema import validate

SUMMARY_VERSION = 1
MAX_VALUES = 20
"""How many category values a column lists (the most frequent first); ``distinct`` counts them all."""


def _kind(series: pandas.Series) -> str:
    """numeric, boolean, datetime or categorical (text and pandas categories)."""
    if ptypes.is_bool_dtype(series):
        return "boolean"
    if ptypes.is_numeric_dtype(series):
        return "numeric"
    if ptypes.is_datetime64_any_dtype(series):
        return "datetime"
    return "categorical"


def _plain(value: Any) -> Any:
    """A JSON value of a cell: numpy scalars as Python numbers, timestamps as ISO text."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def _column(name: str, series: pandas.Series, rows: int) -> dict[str, Any]:
    kind = _kind(series)
    missing = int(series.isna().sum())
    column: dict[str, Any] = {
        "name": name,
        "dtype": str(series.dtype),
        "kind": kind,
        "missing": missing,
        "missing_share": round(missing / rows, 6) if rows else 0.0,
        "distinct": int(series.nunique(dropna=True)),
    }
    if kind in ("categorical", "boolean"):
        counts = series.value_counts(dropna=True)
        # Most frequent first; ties in the values' text order, so the output never depends on hashing.
        ordered = sorted(counts.items(), key=lambda item: (-int(item[1]), str(item[0])))
        column["values"] = [{"value": _plain(value), "count": int(count)} for value, count in ordered[:MAX_VALUES]]
        column["values_truncated"] = len(ordered) > MAX_VALUES
    return column


def _target(df: pandas.DataFrame, column: str, positive_class: Any) -> dict[str, Any]:
    if column not in df.columns:
        return {"column": column, "positive_class": positive_class, "present": False}
    values = df[column].dropna()
    positives = int((values == positive_class).sum())
    labelled = len(values)
    return {
        "column": column,
        "positive_class": positive_class,
        "present": True,
        "labelled_rows": labelled,
        "positives": positives,
        "positive_rate": round(positives / labelled, 6) if labelled else None,
    }


def summarize(
    df: pandas.DataFrame, dataset_hash: str, target_column: str | None = None, positive_class: Any = None
) -> dict[str, Any]:
    """The summary of `df` (already verified against `dataset_hash`): rows, per column (in the
    table's order) dtype, kind, missing count and share, distinct values and, for categorical and
    boolean columns, the most frequent values with their counts; the target's positive rate when
    `target_column` is given.

    :raises json_schema.Invalid: the summary does not fit the contract (a bug here)."""
    rows = len(df)
    summary: dict[str, Any] = {
        "summary_version": SUMMARY_VERSION,
        "dataset_hash": dataset_hash,
        "rows": rows,
        "columns": [_column(str(name), df[name], rows) for name in df.columns],
        "target": None if target_column is None else _target(df, target_column, positive_class),
    }
    # The contract's schema (src/contract/data_summary.ts), which mlp checks too when it reads one.
    validate(DATA_SUMMARY_SCHEMA, json.loads(to_json(summary)))
    return summary


def to_json(summary: dict[str, Any]) -> str:
    """The summary as JSON text (keys in a fixed order, no NaN)."""

    def clean(value: Any) -> Any:
        if isinstance(value, float) and math.isnan(value):
            return None
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items()}
        if isinstance(value, list):
            return [clean(item) for item in value]
        return value

    return json.dumps(clean(summary), indent=1, ensure_ascii=False) + "\n"


def write(path: Path, df: pandas.DataFrame, dataset_hash: str, target_column: str, positive_class: Any) -> None:
    """Writes the summary of the dataset a run trained on (the trainer's call)."""
    path.write_text(to_json(summarize(df, dataset_hash, target_column, positive_class)), encoding="utf-8")


def main(argv: list[str]) -> int:
    """The command line of ``mlp data describe`` (see the module's doc)."""
    args, target, positive = list(argv), None, None
    if "--target" in args:
        at = args.index("--target")
        target = args[at + 1]
        del args[at : at + 2]
    if "--positive-class" in args:
        at = args.index("--positive-class")
        positive = json.loads(args[at + 1])
        del args[at : at + 2]
    if len(args) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    directory, dataset_hash, tables = Path(args[0]), args[1], args[2:]
    try:
        df = read_verified(directory, dataset_hash, tables)
    except TableError as error:
        print(str(error), file=sys.stderr)
        return 1
    sys.stdout.write(to_json(summarize(df, dataset_hash, target, positive)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
