"""MLflow's own fields of a run, so that the MLflow UI shows what mlp recorded (docs/mlflow-ui.md).

The UI reads fields of its own, not mlp's params: the Description is the tag ``mlflow.note.content``,
Created by is ``mlflow.user``, Source is ``mlflow.source.*``, the Datasets column is the run's
dataset inputs, the Models column and the Logged models page are MLflow 3 LoggedModels linked to the
run as outputs, and the experiment's ``mlflow.experimentKind`` tag makes the experiment page open on
the runs table (the classic ML view) rather than the GenAI one. The values are copies of what mlp
already records in its params and sealed tags (those stay the authority); none holds a machine path.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from mlflow.entities import Dataset, DatasetInput, InputTag, LoggedModelOutput, Metric
from mlflow.tracking import MlflowClient

from mlp_platform.plan import Plan

EXPERIMENT_KIND_TAG = "mlflow.experimentKind"
CLASSIC_ML_KIND = "custom_model_development"
"""The experiment kind the MLflow UI (3.x) opens on the runs table for (not the GenAI view)."""

DIGEST_CHARS = 36
"""MLflow keeps at most 36 characters of a dataset digest (its SQL column and client check)."""

DATASET_HASH_INPUT_TAG = "mlp.dataset_hash"
"""The dataset input's tag with the full 64-hex dataset hash (the digest holds its first 36)."""

RUN_ARTIFACT_DIRS = ("model", "plots", "mlp", "error")
"""The run's artifact directories. A LoggedModel is named after the model type, never one of these:
MLflow lists a LoggedModel's files as the run's own under ``runs:/<run>/<its name>``."""

# pandas dtypes (schema.json, written by mlp data add through schema_probe) → MLflow column types.
_MLFLOW_TYPES = {
    "bool": "boolean",
    "boolean": "boolean",
    "int8": "integer",
    "int16": "integer",
    "int32": "integer",
    "int64": "long",
    "uint8": "integer",
    "uint16": "integer",
    "uint32": "long",
    "uint64": "long",
    "float16": "float",
    "float32": "float",
    "float64": "double",
    "object": "string",
    "string": "string",
    "category": "string",
}


def description(params: dict[str, str]) -> str:
    """The run's Description (Markdown): the change and the hypothesis from configs/reasoning.yaml,
    as logged in the params ``reasoning.*`` (those are sealed and stay the authority: the UI lets
    anyone edit the Description)."""
    change = params.get("reasoning.change_description", "").strip() or "(no change description)"
    lines = [change, ""]
    for label, key in (
        ("Hypothesis category", "reasoning.hypothesis_category"),
        ("Expected effect", "reasoning.expected_effect"),
    ):
        value = params.get(key, "").strip()
        if value:
            lines.append(f"- **{label}:** {value}")
    return "\n".join(lines).strip() + "\n"


def run_tags(plan: Plan) -> dict[str, str]:
    """MLflow's own tags of a run: Description, Created by (the operator) and Source (the project,
    of type LOCAL; the commit is ``mlflow.source.git.commit``, set beside these)."""
    tags = {
        "mlflow.note.content": description(plan.params),
        "mlflow.source.type": "LOCAL",
        "mlflow.source.name": plan.tags.get("project_name") or plan.experiment_name,
    }
    operator = plan.tags.get("mlp.operator")
    if operator:
        tags["mlflow.user"] = operator
    return tags


def mark_classic_ml(client: MlflowClient, experiment_id: str) -> None:
    """Sets the experiment's kind to classic ML unless someone chose a kind already."""
    experiment = client.get_experiment(experiment_id)
    if EXPERIMENT_KIND_TAG not in experiment.tags:
        client.set_experiment_tag(experiment_id, EXPERIMENT_KIND_TAG, CLASSIC_ML_KIND)


def mlflow_type(dtype: str) -> str:
    """MLflow's column type of a pandas dtype; a type MLflow has no name for is shown as a string."""
    if dtype.startswith("datetime64"):
        return "datetime"
    return _MLFLOW_TYPES.get(dtype.lower(), "string")


def mlflow_schema(schema_json: bytes) -> str:
    """The dataset's schema in MLflow's format (``{"mlflow_colspec": [...]}``, as mlflow.data's
    pandas datasets write it) from mlp's schema.json (pandas dtypes per column)."""
    columns = json.loads(schema_json)["columns"]
    spec = [
        {"type": mlflow_type(str(column["dtype"])), "name": str(column["name"]), "required": True} for column in columns
    ]
    return json.dumps({"mlflow_colspec": spec})


def dataset_input(plan: Plan) -> DatasetInput:
    """The run's dataset input: named after its tables, its digest the dataset hash (cut to MLflow's
    36 characters; the full hash is the input tag ``mlp.dataset_hash`` and the param
    ``dataset_hash``), its source the project-relative dataset directory, its schema from the
    dataset's schema.json when that file has the plan's ``dataset_schema_hash``. Otherwise the input
    has no schema and stderr says why: the trainer, which checks the schema of what it loads, decides
    whether the run goes on."""
    file = plan.dataset.dir / "schema.json"
    schema = None
    try:
        data = file.read_bytes()
    except OSError as error:
        print(f'supervisor: "{file}" cannot be read ({error}): the MLflow dataset input has no schema', file=sys.stderr)
    else:
        found = hashlib.sha256(data).hexdigest()
        if found == plan.dataset.schema_hash:
            schema = mlflow_schema(data)
        else:
            print(
                f'supervisor: "{file}" has SHA-256 "{found}", not the plan\'s dataset_schema_hash '
                f'"{plan.dataset.schema_hash}": the MLflow dataset input has no schema',
                file=sys.stderr,
            )
    relative = plan.dataset.dir.relative_to(plan.project_root).as_posix()
    name = "+".join(Path(table).stem for table in plan.dataset.tables)
    dataset = Dataset(
        name=name,
        digest=plan.dataset.hash[:DIGEST_CHARS],
        source_type="local",
        source=json.dumps({"uri": relative}),
        schema=schema,
        profile=json.dumps({"tables": plan.dataset.tables, "dataset_hash": plan.dataset.hash}),
    )
    tags = [InputTag("mlflow.data.context", "training"), InputTag(DATASET_HASH_INPUT_TAG, plan.dataset.hash)]
    return DatasetInput(dataset, tags)


MODEL_SOURCE_TAGS = ("mlflow.user", "mlflow.source.type", "mlflow.source.name", "mlflow.source.git.commit")
"""The run's tags a LoggedModel carries too: the Logged models page shows them (Logged from)."""


def log_logged_model(
    client: MlflowClient,
    experiment_id: str,
    run_id: str,
    model_dir: Path,
    model_type: str,
    metric_keys: list[str],
    run_tags: dict[str, str],
) -> str:
    """Copies the run's model directory (``model_export.save_raw_model``) into an MLflow 3
    LoggedModel named after the model type, made by this run and linked to it as an output (the
    Models column and the Logged models page), with the run's metrics ``metric_keys`` linked to it;
    returns its model ID. It carries the run's ``MODEL_SOURCE_TAGS``. Nothing is loaded or
    unpickled. The run's ``model/`` artifacts stay the sealed copy.

    The metrics are logged again with the model's ID and their original timestamp and step: MLflow's
    SQL store keeps one row per identical (key, value, timestamp, step) in the run's history, and adds
    the model's link (what ``mlflow.sklearn.log_model`` does, too)."""
    name = model_type if model_type not in RUN_ARTIFACT_DIRS else f"{model_type}_model"
    tags = {key: run_tags[key] for key in MODEL_SOURCE_TAGS if key in run_tags}
    model = client.create_logged_model(experiment_id, name=name, source_run_id=run_id, model_type=model_type, tags=tags)
    client.log_model_artifacts(model.model_id, str(model_dir))
    client.finalize_logged_model(model.model_id, "READY")
    client.log_outputs(run_id, [LoggedModelOutput(model.model_id, step=0)])
    linked = [
        Metric(m.key, m.value, m.timestamp, m.step, model_id=model.model_id, run_id=run_id)
        for key in metric_keys
        for m in client.get_metric_history(run_id, key)
    ]
    for start in range(0, len(linked), 1000):
        client.log_batch(run_id, metrics=linked[start : start + 1000])
    return model.model_id
