"""src/features.py is deterministic and never passes the target or a raw date through."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import features
from features import build_features


def synthetic_frame(rows: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:06d}" for i in range(rows)],
            features.DATE_COLUMN: pd.date_range("2023-01-01", periods=rows, freq="D"),
            "income": rng.lognormal(10.8, 0.5, rows),
            "loan_amount": rng.integers(1_000, 40_000, rows).astype(float),
            "num_delinquencies": rng.poisson(0.3, rows),
            "num_open_accounts": rng.poisson(3, rows),
            "region": rng.choice(["north", "south", "east"], rows),
            "employment_type": rng.choice(["salaried", "retired", "astronaut"], rows),
            "home_ownership": rng.choice(["rent", "own"], rows),
            "loan_purpose": rng.choice(["car", "medical"], rows),
            features.TARGET_COLUMN: rng.integers(0, 2, rows),
        }
    )
    frame.loc[::7, "income"] = np.nan
    frame.loc[::11, "region"] = None
    return frame


def params(experiment) -> dict:
    return experiment.get("features", {})


def test_gives_the_same_columns_whichever_values_a_batch_contains(experiment):
    frame = synthetic_frame()
    whole = build_features(frame, params(experiment))
    one_row = build_features(frame.head(1), params(experiment))
    assert list(one_row.columns) == list(whole.columns)
    assert whole["employment_type__other"].sum() > 0  # "astronaut" is not in the vocabulary
    assert whole["region__missing"].sum() > 0


def test_refuses_a_text_column_without_a_vocabulary(experiment):
    frame = synthetic_frame().assign(channel="branch")
    with pytest.raises(ValueError, match=r"features.categories: text column\(s\) \['channel'\] have no vocabulary"):
        build_features(frame, params(experiment))


def test_is_deterministic(experiment):
    frame = synthetic_frame()
    first = build_features(frame.copy(), params(experiment))
    second = build_features(frame.copy(), params(experiment))
    pd.testing.assert_frame_equal(first, second)


def test_never_returns_the_target_or_the_raw_date(experiment):
    result = build_features(synthetic_frame(), params(experiment))
    assert features.TARGET_COLUMN not in result.columns
    assert features.DATE_COLUMN not in result.columns
    assert not any(pd.api.types.is_datetime64_any_dtype(result[c]) for c in result.columns)


def test_returns_numbers_only_one_row_per_input_row(experiment):
    frame = synthetic_frame()
    result = build_features(frame, params(experiment))
    assert len(result) == len(frame)
    assert result.index.equals(frame.index)
    assert all(pd.api.types.is_numeric_dtype(result[c]) for c in result.columns)


def test_leaves_the_input_unchanged(experiment):
    frame = synthetic_frame()
    before = frame.copy()
    build_features(frame, params(experiment))
    pd.testing.assert_frame_equal(frame, before)


def test_drops_the_configured_columns(experiment):
    result = build_features(synthetic_frame(), {**params(experiment), "drop_columns": ["customer_id"]})
    assert not any(c.startswith("customer_id") for c in result.columns)


def test_rejects_an_unknown_parameter():
    with pytest.raises(ValueError, match="unknown parameter"):
        build_features(synthetic_frame(), {"drop_column": ["customer_id"]})
