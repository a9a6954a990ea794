"""The seal of a run (docs/seal.md): a SHA-256 over its canonical record, as mlp's
``src/contract/seal.ts`` defines it. The supervisor computes it from what it logged, sets it as the
last tag before the run ends FINISHED and reports it to mlp, which notes it on the commit; mlp
recomputes it from the store before the run proves anything. The golden test checks that both
sides write the same bytes for the same record.

Canonical form: JSON with object keys sorted by code point, no whitespace, every character outside
printable ASCII escaped as ``\\uXXXX`` (UTF-16 units, lowercase hex), ``"`` and ``\\`` escaped with a
backslash; metric values as strings (``encode_metric``).
"""

from __future__ import annotations

import hashlib
import math
import struct
from dataclasses import dataclass
from pathlib import Path

from mlp_platform.contract import CARD_PARAM_PREFIX, SEALED_TAGS

SEAL_VERSION = 1
_DOUBLE_MAX = 1.7976931348623157e308
"""What MLflow's SQL store writes for +Infinity (and its negative for -Infinity)."""


@dataclass(frozen=True)
class SealRecord:
    """What a seal covers: one run as it was recorded."""

    run_id: str
    status: str
    params: dict[str, str]
    tags: dict[str, str]
    """Only the tags in the contract's ``SEALED_TAGS`` count."""
    metrics: dict[str, float]
    metric_history: dict[str, list[float]]
    artifacts: dict[str, str]
    """Artifact path (``/``-separated, relative to the run's root) → SHA-256 hex of its bytes."""


def encode_metric(value: float) -> str:
    """``NaN``, or the 16 lowercase hex digits of the binary64 value, big-endian, taken as MLflow's
    SQL store keeps it: ±Infinity as ±1.7976931348623157e308, -0.0 as 0.0."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        value = _DOUBLE_MAX if value > 0 else -_DOUBLE_MAX
    if value == 0:
        value = 0.0
    return struct.pack(">d", float(value)).hex()


def canonical_seal(record: SealRecord) -> str:
    """The canonical JSON of ``record``."""
    tags = {key: value for key, value in record.tags.items() if key in SEALED_TAGS}
    document: dict[str, object] = {
        "seal_version": SEAL_VERSION,
        "run_id": record.run_id,
        "status": record.status,
        "params": {key: value for key, value in record.params.items() if not key.startswith(CARD_PARAM_PREFIX)},
        "tags": tags,
        "metrics": {key: encode_metric(value) for key, value in record.metrics.items()},
        "metric_history": {key: [encode_metric(v) for v in values] for key, values in record.metric_history.items()},
        "artifacts": record.artifacts,
    }
    return _canonical(document)


def seal_digest(record: SealRecord) -> str:
    """The seal of ``record``: SHA-256 (lowercase hex) of its canonical JSON in UTF-8."""
    return hashlib.sha256(canonical_seal(record).encode("utf-8")).hexdigest()


def hash_artifacts(local_dir: Path, artifact_path: str) -> dict[str, str]:
    """Artifact path → SHA-256 of every file under ``local_dir``, as ``log_artifacts(…, artifact_path)``
    stores them."""
    hashes: dict[str, str] = {}
    for file in sorted(p for p in local_dir.rglob("*") if p.is_file()):
        hashes[f"{artifact_path}/{file.relative_to(local_dir).as_posix()}"] = hash_file(file)
    return hashes


def hash_file(path: Path) -> str:
    """SHA-256 hex of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _canonical(value: object) -> str:
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, bool) or not isinstance(value, (int, list, dict)):
        raise TypeError(f"the seal holds strings, lists, objects and its version, not {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ",".join(_canonical(item) for item in value) + "]"
    return "{" + ",".join(f"{_quote(key)}:{_canonical(value[key])}" for key in sorted(value)) + "}"


def _quote(text: str) -> str:
    out = ['"']
    data = text.encode("utf-16-be", "surrogatepass")
    for index in range(0, len(data), 2):
        unit = int.from_bytes(data[index : index + 2], "big")
        if unit == 0x22:
            out.append('\\"')
        elif unit == 0x5C:
            out.append("\\\\")
        elif 0x20 <= unit < 0x7F:
            out.append(chr(unit))
        else:
            out.append(f"\\u{unit:04x}")
    out.append('"')
    return "".join(out)
