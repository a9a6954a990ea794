"""redact_uri: the cases mlp's redactUri is held to (src/tracking/redact_test.ts)."""

from __future__ import annotations

import pytest

from mlp_platform.redact import redact_strings, redact_uri

CASES = [
    ("http://ana:s3cret@127.0.0.1:5000", "http://***@127.0.0.1:5000"),
    ("https://ana@mlflow.internal/", "https://***@mlflow.internal/"),
    ("https://ana:p%40ss@mlflow.internal:443/api", "https://***@mlflow.internal:443/api"),
    ("http://ana:pa@ss@host:1/x@y", "http://***@host:1/x@y"),
    ("https://mlflow/?token=abc123&x=1", "https://mlflow/?token=***&x=1"),
    ("https://mlflow/api?x=1&access_key=K&Password=P#f", "https://mlflow/api?x=1&access_key=***&Password=***#f"),
    (
        'The MLflow server "http://u:pw@h:5000" is not reachable: GET http://u:pw@h:5000/health failed',
        'The MLflow server "http://***@h:5000" is not reachable: GET http://***@h:5000/health failed',
    ),
    ("sqlite:///mlflow.db", "sqlite:///mlflow.db"),
    ("sqlite:////abs/mlflow.db?timeout=20", "sqlite:////abs/mlflow.db?timeout=20"),
    ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
    ("ana@example.com wrote http://h/a?b=c", "ana@example.com wrote http://h/a?b=c"),
]


@pytest.mark.parametrize(("text", "redacted"), CASES)
def test_redact_uri(text: str, redacted: str) -> None:
    assert redact_uri(text) == redacted


def test_redact_strings_reaches_nested_strings_only() -> None:
    event = {"message": "GET http://u:pw@h/ failed", "metrics": {"auc": 0.5}, "lines": ["http://u@h"], "n": 3}
    assert redact_strings(event) == {
        "message": "GET http://***@h/ failed",
        "metrics": {"auc": 0.5},
        "lines": ["http://***@h"],
        "n": 3,
    }
