"""What ``score_check`` accepts as a model's scores, and how it words a model's failure."""

from __future__ import annotations

import numpy
import pandas

from mlp_platform.score_check import failure_line, scores_problem


def test_one_probability_per_row_is_accepted_in_every_shape() -> None:
    assert scores_problem(numpy.array([0.1, 0.9]), 2) is None
    assert scores_problem(pandas.Series([0.0, 1.0]), 2) is None
    assert scores_problem(pandas.DataFrame({"p": [0.2, 0.3]}), 2) is None


def test_wrong_shapes_and_values_are_named() -> None:
    assert scores_problem(numpy.array([[0.1, 0.9], [0.2, 0.8]]), 2) == (
        "predict returned shape (2, 2) for 2 rows: expected one score per row"
    )
    assert scores_problem([0.1], 2) == "predict returned shape (1,) for 2 rows: expected one score per row"
    assert scores_problem([0.1, float("nan")], 2) == "predict returned NaN or infinite scores"
    assert scores_problem([0.1, 1.5], 2) == (
        "predict returned scores from 0.1 to 1.5: expected probabilities of the positive class, between 0 and 1"
    )
    assert scores_problem(["a", "b"], 2) == (
        "predict returned values that are not numbers: expected the probability of the positive class"
    )


def test_a_failure_is_one_line_ending_with_the_reason() -> None:
    error = ValueError("Failed to enforce schema of data\n   a  b\n0  1  2\nError: Model is missing inputs ['c']")
    assert failure_line(error) == "ValueError: Error: Model is missing inputs ['c']"
    assert failure_line(PermissionError()) == "PermissionError: no message"
    assert len(failure_line(RuntimeError("x" * 1000))) == 300
