"""The registry side of ``mlp promote`` on a real MLflow SQLite store: a version per promoted run,
the champion alias, a second call finishing an interrupted one, a LoggedModel that differs from the
sealed model refused, and revocation walking back past revoked versions."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import mlflow
import pytest
from mlflow.entities import LoggedModelOutput
from mlflow.tracking import MlflowClient

from mlp_platform import promotion

NAME = "acme.credit"


@pytest.fixture()
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MlflowClient:
    monkeypatch.chdir(tmp_path)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    # As promotion.main does (another test may have set MLflow's global tracking URI).
    mlflow.set_tracking_uri(uri)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def _run_with_model(client: MlflowClient, tmp_path: Path, content: str) -> tuple[str, dict[str, str]]:
    experiment = client.get_experiment_by_name("acme/credit") or client.get_experiment(
        client.create_experiment("acme/credit", artifact_location=str(tmp_path / "artifacts"))
    )
    run = client.create_run(experiment.experiment_id)
    model_dir = tmp_path / f"model-{run.info.run_id}"
    model_dir.mkdir()
    (model_dir / "MLmodel").write_text(content)
    model = client.create_logged_model(experiment.experiment_id, name="xgboost", source_run_id=run.info.run_id)
    client.log_model_artifacts(model.model_id, str(model_dir))
    client.finalize_logged_model(model.model_id, "READY")
    client.log_outputs(run.info.run_id, [LoggedModelOutput(model.model_id, step=0)])
    client.set_terminated(run.info.run_id, "FINISHED")
    return run.info.run_id, {"MLmodel": hashlib.sha256(content.encode()).hexdigest()}


def _registration(run_id: str, hashes: dict[str, str], use: str = "underwriting") -> dict[str, Any]:
    card = {"card.intended_use": use, "card.approver": "ana"}
    return {
        "run_id": run_id,
        "name": NAME,
        "params": card,
        "run_tags": {"promoted": "true"},
        "version_tags": card,
        "model_hashes": hashes,
        "version_tag": "mlp.registered_version",
    }


def test_promotions_make_versions_and_move_the_champion(client: MlflowClient, tmp_path: Path) -> None:
    first, first_hashes = _run_with_model(client, tmp_path, "one")
    second, second_hashes = _run_with_model(client, tmp_path, "two")
    assert promotion.register(client, _registration(first, first_hashes)) == {
        "run_id": first,
        "name": NAME,
        "version": "1",
        "previous": None,
    }
    assert promotion.register(client, _registration(second, second_hashes))["previous"] == "1"
    assert str(client.get_model_version_by_alias(NAME, "champion").version) == "2"
    version = client.get_model_version(NAME, "2")
    assert version.run_id == second
    assert version.tags["card.intended_use"] == "underwriting"
    assert version.tags["mlp.previous_champion"] == "1"
    run = client.get_run(second)
    assert run.data.params["card.approver"] == "ana"
    assert run.data.tags["promoted"] == "true"
    assert run.data.tags["mlp.registered_version"] == "2"


def test_a_second_call_finishes_the_same_promotion(client: MlflowClient, tmp_path: Path) -> None:
    run_id, hashes = _run_with_model(client, tmp_path, "one")
    promotion.register(client, _registration(run_id, hashes))
    again = promotion.register(client, _registration(run_id, hashes))
    assert again["version"] == "1"
    assert len(client.search_model_versions(f"name='{NAME}'")) == 1


def test_a_logged_model_that_differs_from_the_sealed_one_is_refused(client: MlflowClient, tmp_path: Path) -> None:
    run_id, _ = _run_with_model(client, tmp_path, "one")
    with pytest.raises(promotion.PromotionError, match="differs from its sealed model/ artifacts"):
        promotion.register(client, _registration(run_id, {"MLmodel": "0" * 64}))
    assert client.search_model_versions(f"name='{NAME}'") == []


def test_revoking_walks_back_past_revoked_versions(client: MlflowClient, tmp_path: Path) -> None:
    runs = [_run_with_model(client, tmp_path, text) for text in ("one", "two", "three")]
    for run_id, hashes in runs:
        promotion.register(client, _registration(run_id, hashes))
    revocation = {"name": NAME, "run_tags": {"promotion_revoked": "true"}, "version_tags": {"why": "drift"}}
    middle = promotion.revoke(client, {**revocation, "run_id": runs[1][0]})
    assert middle["champion"] == "3"  # v2 was not champion: the alias stays
    newest = promotion.revoke(client, {**revocation, "run_id": runs[2][0]})
    assert newest["champion"] == "1"  # v3's previous is v2, revoked: back to v1
    assert str(client.get_model_version_by_alias(NAME, "champion").version) == "1"
    assert client.get_model_version(NAME, "3").tags["mlp.revoked"] == "true"
    assert client.get_run(runs[2][0]).data.tags["promotion_revoked"] == "true"
    oldest = promotion.revoke(client, {**revocation, "run_id": runs[0][0]})
    assert oldest["champion"] is None
    assert promotion.listing(client, {"name": NAME})["champion"] is None


def test_the_listing_has_every_version_oldest_first(client: MlflowClient, tmp_path: Path) -> None:
    assert promotion.listing(client, {"name": NAME}) == {"name": NAME, "champion": None, "versions": []}
    run_id, hashes = _run_with_model(client, tmp_path, "one")
    promotion.register(client, _registration(run_id, hashes))
    listed = promotion.listing(client, {"name": NAME})
    assert listed["champion"] == "1"
    shown = [(v["version"], v["run_id"], v["intended_use"], v["promoted_by"], v["revoked"]) for v in listed["versions"]]
    assert shown == [("1", run_id, "underwriting", "ana", False)]
