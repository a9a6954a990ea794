"""src/ builds features and estimators only: fitting and MLflow logging belong to `mlp run`.
mlp's pre-commit training guard is the real check; this one fails early, in pytest."""

from __future__ import annotations

import re

FORBIDDEN = re.compile(
    r"\.(fit|partial_fit|fit_transform|fit_predict|train)\(|\bmlflow\.|\bimport mlflow|\bfrom mlflow\b"
)


def test_src_neither_trains_nor_logs(root):
    offending = []
    for path in sorted((root / "src").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line):
                offending.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert offending == [], "training or MLflow calls in src/ (mlp run does these):\n" + "\n".join(offending)
