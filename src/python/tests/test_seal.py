"""The seal's canonical form, on the Python side (the golden test compares it with mlp's)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from mlp_platform.seal import SealRecord, canonical_seal, encode_metric, hash_artifacts, seal_digest


def test_metrics_are_spelled_as_the_sql_store_keeps_them() -> None:
    assert encode_metric(float("nan")) == "NaN"
    assert encode_metric(1.0) == "3ff0000000000000"
    assert encode_metric(-0.0) == encode_metric(0.0) == "0000000000000000"
    assert encode_metric(float("inf")) == encode_metric(1.7976931348623157e308) == "7fefffffffffffff"
    assert encode_metric(float("-inf")) == "ffefffffffffffff"


def test_the_canonical_form_sorts_escapes_and_keeps_only_sealed_tags() -> None:
    record = SealRecord(
        run_id="r",
        status="FINISHED",
        params={"b": 'say "é"\n', "a": "\\"},
        tags={"client_name": "acme", "mlflow.note.content": "someone"},
        metrics={"m": 0.5},
        metric_history={"m": [0.5]},
        artifacts={"mlp/plan.json": "0" * 64},
    )
    assert canonical_seal(record) == (
        '{"artifacts":{"mlp/plan.json":"' + "0" * 64 + '"},"metric_history":{"m":["3fe0000000000000"]},'
        '"metrics":{"m":"3fe0000000000000"},"params":{"a":"\\\\","b":"say \\"\\u00e9\\"\\u000a"},'
        '"run_id":"r","seal_version":1,"status":"FINISHED","tags":{"client_name":"acme"}}'
    )
    assert seal_digest(record) == hashlib.sha256(canonical_seal(record).encode()).hexdigest()


def test_artifacts_are_hashed_by_the_path_log_artifacts_gives_them(tmp_path: Path) -> None:
    (tmp_path / "code").mkdir()
    (tmp_path / "MLmodel").write_bytes(b"flavors: {}\n")
    (tmp_path / "code" / "features.py").write_bytes(b"")
    assert hash_artifacts(tmp_path, "model") == {
        "model/MLmodel": hashlib.sha256(b"flavors: {}\n").hexdigest(),
        "model/code/features.py": hashlib.sha256(b"").hexdigest(),
    }
