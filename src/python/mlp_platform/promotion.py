"""``python -m mlp_platform.promotion register|revoke|list < request.json``: the Model Registry side
of ``mlp promote`` and ``mlp models``, through the official MLflow client.

mlp (src/promote/) makes every check and decides every value first; this writes them, in an order
that a second call can finish when the first was interrupted:

``register`` ``{"run_id", "name", "params", "run_tags", "version_tags", "model_hashes"}``: logs the
model card ``params`` (write-once in MLflow: logging the same value again is a no-op) and the
``run_tags`` in one batch, finds the run's MLflow 3 LoggedModel, checks that its files hash to
``model_hashes`` (the sealed ``model/`` artifacts, relative path → SHA-256: the LoggedModel is an
unsealed copy, so it is compared before the registry points at it), registers it as a new version of
``name`` (or takes the version that an interrupted call registered for this run) with the
``version_tags`` and ``mlp.previous_champion``, points the alias ``champion`` at it, and last sets
the run tag ``version_tag`` to the version (its presence says the promotion finished). Sends
``promoted``.

``revoke`` ``{"run_id", "name", "run_tags", "version_tags"}``: tags the run's version revoked,
when it is the champion moves the alias to the version that was champion before it (following
``mlp.previous_champion`` past revoked versions) or removes the alias when there is none, and last
sets the ``run_tags``. Sends ``revoked``.

``list`` ``{"name"}``: sends ``model_versions``, every version of ``name`` oldest first.

Exit code 0 when the event was sent, 1 when MLflow refused (the message on stderr), 2 for a
malformed request.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from mlp_platform.events import claim_stdout, emit
from mlp_platform.lifecycle import tolerant_stderr

ALIAS = "champion"
PREVIOUS_TAG = "mlp.previous_champion"
REVOKED_TAG = "mlp.revoked"
RUN_ID_TAG = "mlp.run_id"

_SHAPES: dict[str, dict[str, type]] = {
    "register": {
        "run_id": str,
        "name": str,
        "params": dict,
        "run_tags": dict,
        "version_tags": dict,
        "model_hashes": dict,
        "version_tag": str,
    },
    "revoke": {"run_id": str, "name": str, "run_tags": dict, "version_tags": dict},
    "list": {"name": str},
}


class PromotionError(Exception):
    """A promotion that MLflow's record does not allow (a LoggedModel missing or changed)."""


def _request(command: str, text: str) -> dict[str, Any]:
    value: Any = json.loads(text)
    shape = _SHAPES[command]
    if not isinstance(value, dict) or any(not isinstance(value.get(k), t) for k, t in shape.items()):
        raise ValueError(f"{command} expects {{{', '.join(f'{k}: {t.__name__}' for k, t in shape.items())}}}")
    for key, expected in shape.items():
        if expected is dict and not all(isinstance(k, str) and isinstance(v, str) for k, v in value[key].items()):
            raise ValueError(f'{command}: "{key}" must map strings to strings')
    return value


def _hash_tree(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _logged_model_id(client: Any, run_id: str, expected: dict[str, str]) -> str:
    """The run's LoggedModel whose files are exactly the sealed ``model/`` artifacts."""
    import mlflow.artifacts

    outputs = client.get_run(run_id).outputs
    model_ids = [output.model_id for output in (outputs.model_outputs if outputs else [])]
    if not model_ids:
        raise PromotionError(f"run {run_id} has no LoggedModel: it was recorded before mlp logged one")
    for model_id in model_ids:
        model = client.get_logged_model(model_id)
        with tempfile.TemporaryDirectory() as scratch:
            local = mlflow.artifacts.download_artifacts(artifact_uri=model.artifact_location, dst_path=scratch)
            if _hash_tree(Path(local)) == expected:
                return str(model_id)
    raise PromotionError(
        f"run {run_id}'s LoggedModel differs from its sealed model/ artifacts: the copy the registry would "
        "point at was changed after the run"
    )


def _champion(client: Any, name: str) -> Any | None:
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(name, ALIAS)
    except MlflowException:
        return None


def _versions(client: Any, name: str) -> list[Any]:
    return sorted(client.search_model_versions(f"name='{name}'"), key=lambda v: int(v.version))


def _ensure_registered_model(client: Any, name: str) -> None:
    from mlflow.exceptions import MlflowException

    try:
        client.get_registered_model(name)
    except MlflowException:
        client.create_registered_model(name, description="Promoted by mlp promote; the champion alias is in use.")


def register(client: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Writes a promotion (see the module doc); returns the ``promoted`` event's fields."""
    from mlflow.entities import Param, RunTag

    run_id, name = request["run_id"], request["name"]
    client.log_batch(
        run_id,
        params=[Param(k, v) for k, v in request["params"].items()],
        tags=[RunTag(k, v) for k, v in request["run_tags"].items()],
    )
    model_id = _logged_model_id(client, run_id, request["model_hashes"])
    _ensure_registered_model(client, name)
    champion = _champion(client, name)
    existing = [v for v in _versions(client, name) if v.run_id == run_id and v.tags.get(REVOKED_TAG) != "true"]
    if existing:
        version = existing[-1]
        previous = version.tags.get(PREVIOUS_TAG) or None
    else:
        previous = str(champion.version) if champion is not None else None
        tags = {**request["version_tags"], RUN_ID_TAG: run_id, PREVIOUS_TAG: previous or ""}
        version = client.create_model_version(
            name,
            source=f"models:/{model_id}",
            run_id=run_id,
            tags=tags,
            description=request["params"].get("card.intended_use"),
            model_id=model_id,
        )
    client.set_registered_model_alias(name, ALIAS, str(version.version))
    client.set_tag(run_id, request["version_tag"], str(version.version))
    return {"run_id": run_id, "name": name, "version": str(version.version), "previous": previous}


def _tag_run(client: Any, run_id: str, tags: dict[str, str]) -> None:
    """Sets the run's tags last, so that a revoked run tag says the alias has moved already."""
    for key, value in tags.items():
        client.set_tag(run_id, key, value)


def revoke(client: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Revokes the run's versions (see the module doc); returns the ``revoked`` event's fields."""
    run_id, name = request["run_id"], request["name"]
    versions = _versions(client, name)
    mine = [v for v in versions if v.run_id == run_id]
    if not mine:
        raise PromotionError(f'run {run_id} has no version of the registered model "{name}"')
    for version in mine:
        for key, value in {**request["version_tags"], REVOKED_TAG: "true"}.items():
            client.set_model_version_tag(name, version.version, key, value)
    champion = _champion(client, name)
    revoked_numbers = {str(v.version) for v in mine}
    newest = str(mine[-1].version)
    if champion is None or str(champion.version) not in revoked_numbers:
        _tag_run(client, run_id, request["run_tags"])
        return {
            "run_id": run_id,
            "name": name,
            "version": newest,
            "champion": str(champion.version) if champion is not None else None,
        }
    by_number = {str(v.version): v for v in _versions(client, name)}
    candidate = by_number[newest].tags.get(PREVIOUS_TAG) or None
    seen: set[str] = set()
    while candidate is not None and candidate not in seen:
        seen.add(candidate)
        found = by_number.get(candidate)
        if found is None:
            candidate = None
        elif found.tags.get(REVOKED_TAG) == "true":
            candidate = found.tags.get(PREVIOUS_TAG) or None
        else:
            break
    if candidate is None:
        client.delete_registered_model_alias(name, ALIAS)
    else:
        client.set_registered_model_alias(name, ALIAS, candidate)
    _tag_run(client, run_id, request["run_tags"])
    return {"run_id": run_id, "name": name, "version": newest, "champion": candidate}


def listing(client: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Every version of the registered model (none when it does not exist); the ``model_versions`` fields."""
    name = request["name"]
    champion = _champion(client, name)
    versions = [
        {
            "version": str(v.version),
            "run_id": v.run_id or "",
            "created_ms": int(v.creation_timestamp),
            "intended_use": v.tags.get("card.intended_use", ""),
            "promoted_by": v.tags.get("card.approver", ""),
            "revoked": v.tags.get(REVOKED_TAG) == "true",
        }
        for v in _versions(client, name)
    ]
    return {"name": name, "champion": str(champion.version) if champion is not None else None, "versions": versions}


COMMANDS = {"register": ("promoted", register), "revoke": ("revoked", revoke), "list": ("model_versions", listing)}


def main(argv: list[str]) -> int:
    """Runs the command named in `argv` on the request on stdin; returns the exit code."""
    claim_stdout()
    tolerant_stderr()
    uri = os.environ.get("MLFLOW_TRACKING_URI", "")
    if len(argv) != 1 or argv[0] not in COMMANDS or not uri:
        print("usage: MLFLOW_TRACKING_URI=… python -m mlp_platform.promotion register|revoke|list", file=sys.stderr)
        return 2
    event, command = COMMANDS[argv[0]]
    try:
        request = _request(argv[0], sys.stdin.read())
    except ValueError as error:
        print(f"promotion: {error}", file=sys.stderr)
        return 2
    import mlflow
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    # The registry is the tracking store's own, and MLflow resolves a version's `models:/` source
    # through the global tracking URI: both are this store, named here.
    mlflow.set_tracking_uri(uri)
    try:
        fields = command(MlflowClient(tracking_uri=uri, registry_uri=uri), request)
    except (PromotionError, MlflowException) as error:
        print(f"promotion: {error}", file=sys.stderr)
        return 1
    emit(event, **fields)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
