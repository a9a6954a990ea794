"""``python -m mlp_platform.score_check < request.json``: does a run's model load and score raw rows?

``mlp promote`` asks this before it promotes anything. Loading the model runs project code (the
model applies the project's ``build_features`` to raw rows), so this process confines itself
first, before it imports anything that starts threads: the trainer's sandbox (sandbox.py: no TCP,
no Unix sockets, a private /dev/shm), reading only the Python runtime, the platform code, the model
directory and the dataset directory, writing only its scratch directory. Its environment is
reduced to the trainer's allow-list, so no credential of the operator's reaches project code.

It reads the dataset itself, each file hashed against the manifest as it is read, takes up to
``rows`` rows (a fixed sample, the same every time), drops the target column, and scores them
with ``mlflow.pyfunc.load_model(model_dir).predict``. The scores must be one finite probability per
row. This is a sanity check of the model, not a security boundary: the code that could lie about
the scores is the code being checked, and it can reach nothing outside this process.

Input (stdin, JSON): ``{"model_dir", "dataset_dir", "dataset_hash", "tables": [...],
"target_column", "rows", "scratch_dir"}``. Output (the event channel): one ``scored`` event with
``rows``, ``ok`` and, when not ok, ``problem`` (the first exception line or what was wrong with the
scores). Exit code 0 when the event was sent, 2 for a malformed request, 3 when the sandbox cannot
be set up (nothing ran).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from mlp_platform.child_env import trainer_env
from mlp_platform.events import claim_stdout, emit
from mlp_platform.lifecycle import tolerant_stderr
from mlp_platform.sandbox import SandboxUnavailable, apply_sandbox

REQUEST_KEYS = {
    "model_dir": str,
    "dataset_dir": str,
    "dataset_hash": str,
    "tables": list,
    "target_column": str,
    "rows": int,
    "scratch_dir": str,
}


def _request(text: str) -> dict[str, Any]:
    value: Any = json.loads(text)
    if not isinstance(value, dict) or any(not isinstance(value.get(k), t) for k, t in REQUEST_KEYS.items()):
        shown = ", ".join(f"{k}: {t.__name__}" for k, t in REQUEST_KEYS.items())
        raise ValueError(f"expected {{{shown}}}")
    return value


def scores_problem(scores: Any, rows: int) -> str | None:
    """What is wrong with a model's output for `rows` input rows, or None: it must be one finite
    number in [0, 1] per row (a 1-D array, a Series, or a one-column frame)."""
    import numpy

    values = numpy.asarray(scores, dtype=object)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1 or len(values) != rows:
        return f"predict returned shape {tuple(numpy.shape(scores))} for {rows} rows: expected one score per row"
    try:
        numbers = values.astype(float)
    except (TypeError, ValueError):
        return "predict returned values that are not numbers: expected the probability of the positive class"
    if not numpy.isfinite(numbers).all():
        return "predict returned NaN or infinite scores"
    if numbers.min() < 0 or numbers.max() > 1:
        return (
            f"predict returned scores from {numbers.min():g} to {numbers.max():g}: expected probabilities "
            "of the positive class, between 0 and 1"
        )
    return None


def failure_line(error: BaseException) -> str:
    """One line for why the model failed: the last line of its message (MLflow's schema errors put
    the data first and the reason last), at most 300 characters."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = f"{type(error).__name__}: {lines[-1] if lines else 'no message'}"
    return text if len(text) <= 300 else text[:297] + "..."


def _score(request: dict[str, Any]) -> tuple[int, str | None]:
    from mlp_platform.dataset import TableError, read_verified

    try:
        frame = read_verified(Path(request["dataset_dir"]), request["dataset_hash"], list(request["tables"]))
    except TableError as error:
        return 0, f"the dataset cannot be read: {error}"
    sample = frame.sample(n=min(request["rows"], len(frame)), random_state=0) if len(frame) else frame
    raw = sample.drop(columns=[request["target_column"]], errors="ignore").reset_index(drop=True)
    try:
        import mlflow.pyfunc

        model = mlflow.pyfunc.load_model(request["model_dir"])
        scores = model.predict(raw)
    except Exception as error:  # the model's own failure is the answer, whatever it is
        return len(raw), failure_line(error)
    return len(raw), scores_problem(scores, len(raw))


def main(argv: list[str]) -> int:
    """Confines the process, scores the sample, sends ``scored``; returns the exit code."""
    claim_stdout()
    tolerant_stderr()
    try:
        request = _request(sys.stdin.read())
    except ValueError as error:
        print(f"score_check: {error}", file=sys.stderr)
        return 2
    if argv:
        print("usage: python -m mlp_platform.score_check < request.json", file=sys.stderr)
        return 2
    scratch = Path(request["scratch_dir"])
    (scratch / "tmp").mkdir(parents=True, exist_ok=True)
    platform_dir = Path(__file__).resolve().parent.parent
    env = trainer_env(os.environ, scratch, platform_dir)
    os.environ.clear()
    os.environ.update(env)
    try:
        apply_sandbox(
            [str(platform_dir), request["model_dir"], request["dataset_dir"]],
            [str(scratch)],
        )
    except SandboxUnavailable as error:
        print(f"score_check: the sandbox cannot be set up: {error}", file=sys.stderr)
        return 3
    rows, problem = _score(request)
    emit("scored", rows=rows, ok=problem is None, problem=problem)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
