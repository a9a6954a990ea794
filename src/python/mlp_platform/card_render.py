"""The model card of a run (``mlp card``, docs/model-card.md), rendered from its record alone: pure
functions from the record ``model_card.collect`` reads through MLflow to Markdown or HTML.

The sections are built once, as blocks (a paragraph, a list, a table, a warning, the ROC image),
and each format writes the same blocks: the Markdown and the HTML card say the same things.

The record (a dict): ``run`` (run_id, run_name, experiment, status, lifecycle_stage, start_time, end_time),
``params``, ``tags``, ``metrics`` (latest values), ``folds`` (metric → per-fold values in fold
order, from the history of ``fold.<metric>``), ``seal`` (why the seal does not hold; ``[]`` when it
does), ``data_summary`` (the ``mlp/data_summary.json`` artifact, or None), ``roc`` (``points``:
(FPR, TPR, threshold) rows of the out-of-fold ROC curve or None; ``png``: the bytes of
``plots/roc_curve.png`` or None; ``image``: where the Markdown card finds that PNG, or None),
``artifacts`` (every artifact path) and ``chain`` (this run, then its baseline, then the
baseline's baseline…, each a dict of run_id, run_name, params, tags, metrics and seal; a step the
store does not hold has ``missing: True``).
"""

from __future__ import annotations

import base64
import html
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mlp_platform.contract import (
    APPROVAL_TIME_PARAM,
    APPROVER_PARAM,
    BASELINE_TAG,
    INTENDED_USE_PARAM,
    OUTCOME_METHOD_TAG,
    OUTCOME_TAG,
    PROMOTED_BY_TAG,
    PROMOTED_TAG,
    PROMOTION_TIMESTAMP_TAG,
)

Record = dict[str, Any]

NOT_RECORDED = "not recorded"
CORRECTED_TAG = "mlp.outcome.corrected"
"""A person's correction of the outcome (``mlp outcome``, src/outcome/correct.ts)."""
OVERRIDE_ENTRIES_ARTIFACT = "mlp/override_entries.txt"
"""Present when override-log entries name the run: a protected override or an unsandboxed run."""
DATA_SUMMARY_ARTIFACT = "mlp/data_summary.json"
ROC_ARTIFACT = "plots/roc_curve.png"
OOF_ARTIFACT = "mlp/oof_predictions.parquet"
ROC_FPR_POINTS = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)
"""The false positive rates at which the card reads the ROC curve off (the table beside the plot)."""


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Items:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Alert:
    text: str


@dataclass(frozen=True)
class Image:
    png: bytes | None
    reference: str | None
    alt: str


Block = Paragraph | Items | Table | Alert | Image
Section = tuple[str, list[Block]]


def number(value: float | None) -> str:
    """A metric as the card shows it: 6 decimals (as `mlp run` prints them); NaN and a missing
    value said so."""
    if value is None:
        return NOT_RECORDED
    if math.isnan(value):
        return "NaN"
    return f"{value:.6f}"


def fold_spread(values: Sequence[float]) -> dict[str, float]:
    """Mean, sample standard deviation (n - 1; 0 for one fold), min and max of per-fold values."""
    return {
        "mean": statistics.fmean(values),
        "std": statistics.stdev(values) if len(values) > 1 else 0.0,
        "min": min(values),
        "max": max(values),
    }


def roc_points(
    fpr: Sequence[float], tpr: Sequence[float], thresholds: Sequence[float]
) -> list[tuple[float, float, float]]:
    """The ROC curve read off at ``ROC_FPR_POINTS``: for each rate, the highest true positive rate
    the curve reaches without exceeding it, with its false positive rate and score threshold
    (sklearn's ``roc_curve`` output, increasing FPR)."""
    points = []
    for limit in ROC_FPR_POINTS:
        best = max((i for i, f in enumerate(fpr) if f <= limit), key=lambda i: (tpr[i], -fpr[i]))
        points.append((float(fpr[best]), float(tpr[best]), float(thresholds[best])))
    return points


def short(run_id: str) -> str:
    """The 8 characters of a run ID that `mlp run` and `mlp card` show."""
    return run_id[:8]


def _param(record: Record, key: str) -> str:
    value = record["params"].get(key)
    return NOT_RECORDED if value is None or value == "" else str(value)


def _promoted(record: Record) -> bool:
    return bool(record["tags"].get(PROMOTED_TAG) == "true")


def _banner(record: Record) -> list[Block]:
    run = record["run"]
    blocks: list[Block] = []
    if record["seal"]:
        blocks.append(
            Alert(
                "SEAL CHECK FAILED: this record is not the one `mlp run` sealed, or was never sealed, "
                "so nothing below is proven (`mlp verify-run` refuses it): " + "; ".join(record["seal"])
            )
        )
    if run.get("lifecycle_stage") == "deleted":
        blocks.append(Alert("The run is deleted (in MLflow's trash): someone withdrew it."))
    if run["status"] != "FINISHED":
        blocks.append(Alert(f"The run ended {run['status']}, not FINISHED: it produced no model to use."))
    blocks.append(
        Items(
            (
                f"Run: {run['run_id']} ({run.get('run_name') or 'no name'}), experiment {run['experiment']}",
                f"Status: {run['status']}; started {run.get('start_time') or NOT_RECORDED}, "
                f"ended {run.get('end_time') or NOT_RECORDED}",
                f"Seal: {'holds (the record is what `mlp run` sealed)' if not record['seal'] else 'BROKEN'}",
                f"Commit: {_param(record, 'git_commit')} (dirty tree: {_param(record, 'git_dirty')})",
                f"Operator: {record['tags'].get('mlp.operator', NOT_RECORDED)}",
                f"mlp build: {_param(record, 'mlp_build')}",
            )
        )
    )
    return blocks


def _purpose(record: Record) -> list[Block]:
    if _promoted(record):
        return [Paragraph(f"Intended use: {_param(record, INTENDED_USE_PARAM)}")]
    return [
        Paragraph("Not promoted: no intended use is recorded. What this run was made to test:"),
        Items(
            (
                f"Change: {_param(record, 'reasoning.change_description')}",
                f"Hypothesis category: {_param(record, 'reasoning.hypothesis_category')}",
                f"Expected effect: {_param(record, 'reasoning.expected_effect')}",
                f"Use case: {record['tags'].get('use_case', NOT_RECORDED)}",
            )
        ),
    ]


def _target_line(summary: Record | None) -> str:
    target = summary.get("target") if summary else None
    if not target:
        return f"Target rate: {NOT_RECORDED}"
    if not target.get("present"):
        return f"Target rate: the dataset has no column {target['column']}"
    rate = target.get("positive_rate")
    shown = NOT_RECORDED if rate is None else f"{rate:.6f}"
    return (
        f"Target rate: {shown} ({target['positives']} of {target['labelled_rows']} labelled rows are "
        f"{target['column']} = {target['positive_class']})"
    )


def _column_values(column: Record) -> str:
    values = column.get("values")
    if not values:
        return ""
    shown = ", ".join(f"{v['value']} ({v['count']})" for v in values)
    return shown + (", …" if column.get("values_truncated") else "")


def _data(record: Record) -> list[Block]:
    summary = record["data_summary"]
    blocks: list[Block] = [
        Items(
            (
                f"Dataset hash: {_param(record, 'dataset_hash')}",
                f"Schema hash: {_param(record, 'dataset_schema_hash')}",
                f"Rows: {_param(record, 'dataset.rows')}; columns: {_param(record, 'dataset.columns')}",
                f"Target: {_param(record, 'protected.target_column')}, positive class "
                f"{_param(record, 'protected.positive_class')}",
                _target_line(summary),
            )
        )
    ]
    if summary is None:
        blocks.append(Paragraph(f"Data summary: {NOT_RECORDED} (the run has no artifact {DATA_SUMMARY_ARTIFACT})."))
        return blocks
    blocks.append(Paragraph(f"Data summary ({DATA_SUMMARY_ARTIFACT}, as `mlp data describe` prints it):"))
    blocks.append(
        Table(
            ("column", "type", "dtype", "missing", "missing share", "distinct", "values (count)"),
            tuple(
                (
                    c["name"],
                    c["kind"],
                    c["dtype"],
                    str(c["missing"]),
                    f"{c['missing_share']:.6f}",
                    str(c["distinct"]),
                    _column_values(c),
                )
                for c in summary["columns"]
            ),
        )
    )
    return blocks


def _prefixed(record: Record, prefix: str) -> tuple[tuple[str, str], ...]:
    return tuple((key, value) for key, value in sorted(record["params"].items()) if key.startswith(prefix))


def _features(record: Record) -> list[Block]:
    settings = _prefixed(record, "features.")
    return [
        Items(
            (
                f"Feature pipeline hash: {_param(record, 'feature_pipeline_hash')}",
                f"Project code hash: {_param(record, 'project_code_hash')}",
            )
        ),
        Table(("setting", "value"), settings) if settings else Paragraph(f"Feature settings: {NOT_RECORDED}."),
    ]


def _model(record: Record) -> list[Block]:
    hyper = tuple((key.removeprefix("hyperparameters."), value) for key, value in _prefixed(record, "hyperparameters."))
    return [
        Items(
            (
                f"Model type: {_param(record, 'model_type')}",
                f"Random seed: {_param(record, 'random_seed')}",
                f"Dependency lock hash (uv.lock): {_param(record, 'dependency_lock_hash')}",
                f"Sandbox: {record['tags'].get('sandbox', NOT_RECORDED)}",
            )
        ),
        Table(("hyperparameter", "value"), hyper) if hyper else Paragraph(f"Hyperparameters: {NOT_RECORDED}."),
    ]


def _evaluation(record: Record) -> list[Block]:
    metrics, folds = record["metrics"], record["folds"]
    split = _param(record, "protected.split_strategy")
    how = (
        f"{_param(record, 'evaluation.n_splits')} folds"
        if split == "stratified_kfold"
        else f"the latest {_param(record, 'evaluation.test_fraction')} of rows held out"
    )
    rows = []
    for name in sorted(folds, key=lambda m: (m != record["tags"].get("primary_metric"), m)):
        spread = fold_spread(folds[name])
        rows.append(
            (
                name,
                number(metrics.get(name)),
                number(spread["mean"]),
                number(spread["std"]),
                number(spread["min"]),
                number(spread["max"]),
                str(len(folds[name])),
            )
        )
    others = [name for name in sorted(metrics) if name not in folds and _is_evaluation_metric(name)]
    for name in others:
        rows.append((name, number(metrics[name]), "", "", "", "", ""))
    blocks: list[Block] = [
        Paragraph(
            f"Primary metric: {record['tags'].get('primary_metric', NOT_RECORDED)}; split: {split} ({how}); "
            f"threshold for f1, precision, recall: {_param(record, 'evaluation.threshold')}. Pooled: over all "
            "out-of-fold predictions; the spread is over the folds (std: sample, n - 1)."
        )
    ]
    if rows:
        blocks.append(
            Table(("metric", "pooled", "fold mean", "fold std", "fold min", "fold max", "folds"), tuple(rows))
        )
    else:
        blocks.append(Paragraph(f"Metrics: {NOT_RECORDED}."))
    return blocks


def _is_evaluation_metric(name: str) -> bool:
    return not (name.startswith(("fold.", "outcome.")) or name == "metric_delta")


def _roc(record: Record) -> list[Block]:
    roc = record["roc"]
    blocks: list[Block] = []
    if roc["png"] is None:
        blocks.append(Paragraph(f"ROC plot: {NOT_RECORDED} (the run has no artifact {ROC_ARTIFACT})."))
    else:
        blocks.append(Image(roc["png"], roc["image"], f"ROC curve of run {short(record['run']['run_id'])}"))
    if roc["points"] is None:
        blocks.append(Paragraph(f"ROC curve points: {NOT_RECORDED} (the run has no artifact {OOF_ARTIFACT})."))
        return blocks
    blocks.append(
        Paragraph(
            f"The curve read off the out-of-fold predictions ({OOF_ARTIFACT}): the highest true positive "
            "rate at each false positive rate."
        )
    )
    blocks.append(
        Table(
            ("FPR at most", "FPR", "TPR", "score threshold"),
            tuple(
                (f"{limit:.2f}", number(fpr), number(tpr), "inf" if math.isinf(t) else number(t))
                for limit, (fpr, tpr, t) in zip(ROC_FPR_POINTS, roc["points"], strict=True)
            ),
        )
    )
    return blocks


def _outcome(step: Record) -> str:
    tags = step["tags"]
    computed = tags.get(OUTCOME_TAG, NOT_RECORDED)
    corrected = tags.get(CORRECTED_TAG)
    return f"{corrected} (corrected; computed {computed})" if corrected else computed


def _chain(record: Record) -> list[Block]:
    primary = record["tags"].get("primary_metric", "")
    rows = []
    for depth, step in enumerate(reversed(record["chain"])):
        if step.get("missing"):
            rows.append((str(depth + 1), short(step["run_id"]), "not in the store", "", "", "", "", ""))
            continue
        params, metrics, tags = step["params"], step["metrics"], step["tags"]
        method = tags.get(OUTCOME_METHOD_TAG, "")
        rows.append(
            (
                str(depth + 1),
                short(step["run_id"]),
                params.get("reasoning.change_description", NOT_RECORDED),
                params.get("reasoning.hypothesis_category", NOT_RECORDED),
                number(metrics.get(primary)),
                "" if "metric_delta" not in metrics else f"{metrics['metric_delta']:+.6f}",
                _outcome(step) + (f" ({method})" if method and method != "none" else ""),
                "holds" if not step["seal"] else "BROKEN",
            )
        )
    first = record["chain"][-1]
    end = (
        f"It begins at run {first['run_id']}, which the store does not hold."
        if first.get("missing")
        else f"It begins at run {first['run_id']}, whose outcome is {_outcome(first)}."
    )
    return [
        Paragraph(
            f"Each run's baseline is the sealed tag {BASELINE_TAG}: the best earlier comparable run, which "
            f"mlp chose. {len(record['chain'])} run(s), oldest first, the last is this run's. {end} "
            f"Delta: the change in {primary or 'the primary metric'} against the step before, in the "
            "metric's direction (positive = better)."
        ),
        Table(("step", "run", "change", "category", primary or "primary", "delta", "outcome", "seal"), tuple(rows)),
    ]


def _missing_columns(summary: Record | None) -> str:
    if summary is None:
        return f"data summary {NOT_RECORDED}"
    missing = [f"{c['name']} {c['missing_share']:.6f}" for c in summary["columns"] if c["missing"]]
    return "columns with missing values (share): " + (", ".join(missing) if missing else "none")


def _escape_hatches(record: Record) -> list[str]:
    hatches = []
    if record["tags"].get("sandbox") == "none":
        hatches.append("the trainer ran unsandboxed (`mlp run --unsandboxed`)")
    if OVERRIDE_ENTRIES_ARTIFACT in record["artifacts"]:
        hatches.append(
            f"entries of logs/protected_overrides.log name this run ({OVERRIDE_ENTRIES_ARTIFACT}): a protected "
            "override or an unsandboxed run, approved by a person"
        )
    return hatches


def _checklist(record: Record) -> list[Block]:
    summary = record["data_summary"]
    protected = ", ".join(f"{key} = {value}" for key, value in _prefixed(record, "protected."))
    hatches = _escape_hatches(record)
    return [
        Paragraph(
            "The answered Modeling Risk Checklist (AGENTS.md) is not part of the run record: it is in the "
            "pull request that merged the run's commit. What the record shows for each point:"
        ),
        Table(
            ("point", "what the record shows"),
            (
                ("1. Missing data", _missing_columns(summary)),
                (
                    "2. Data leakage",
                    f"not decidable from the record: review the feature code at commit {_param(record, 'git_commit')} "
                    f"(feature pipeline hash {_param(record, 'feature_pipeline_hash')}); dropped columns: "
                    f"{_param(record, 'features.drop_columns')}",
                ),
                ("3. Temporal validation", f"split strategy {_param(record, 'protected.split_strategy')}"),
                (
                    "4. Class imbalance",
                    f"{_target_line(summary)}; primary metric {record['tags'].get('primary_metric', NOT_RECORDED)}",
                ),
                (
                    "5. Protected fields",
                    (protected or NOT_RECORDED)
                    + ("; escape hatches: " + "; ".join(hatches) if hatches else "; no escape hatch used"),
                ),
            ),
        ),
    ]


def _limitations(record: Record) -> list[Block]:
    items = []
    if record["seal"]:
        items.append("The seal check failed: " + "; ".join(record["seal"]))
    if record["run"]["status"] != "FINISHED":
        items.append(f"The run ended {record['run']['status']}.")
    split = _param(record, "protected.split_strategy")
    items.append(
        "Temporal split: the score is of the latest rows, held out."
        if split == "temporal_split"
        else f"Not a temporal split ({split}): the score says nothing of performance on later data."
    )
    items.append(
        f"Trained and scored on {_param(record, 'dataset.rows')} rows of dataset {_param(record, 'dataset_hash')}."
    )
    if _param(record, "git_dirty") != "false":
        items.append(
            f"Dirty tree: git_dirty = {_param(record, 'git_dirty')}; the commit does not hold the code that ran."
        )
    items.extend("Escape hatch: " + hatch for hatch in _escape_hatches(record))
    if record["tags"].get(CORRECTED_TAG):
        items.append(
            f"The outcome was corrected by {record['tags'].get('mlp.outcome.corrected_by', NOT_RECORDED)}: "
            f"{record['tags'].get('mlp.outcome.corrected_reason', NOT_RECORDED)}"
        )
    if not _promoted(record):
        items.append("Not promoted: no one has approved this model for use.")
    return [Items(tuple(items))]


def _approval(record: Record) -> list[Block]:
    tags = record["tags"]
    fields = (
        f"Promoted ({PROMOTED_TAG}): {tags.get(PROMOTED_TAG, 'no')}",
        f"Promotion time ({PROMOTION_TIMESTAMP_TAG}): {tags.get(PROMOTION_TIMESTAMP_TAG, NOT_RECORDED)}",
        f"Promoted by ({PROMOTED_BY_TAG}): {tags.get(PROMOTED_BY_TAG, NOT_RECORDED)}",
        f"Approver ({APPROVER_PARAM}): {_param(record, APPROVER_PARAM)}",
        f"Approval time ({APPROVAL_TIME_PARAM}): {_param(record, APPROVAL_TIME_PARAM)}",
    )
    lead = [] if _promoted(record) else [Paragraph("Not promoted: `mlp promote` has not approved this run.")]
    return [*lead, Items(fields)]


SECTIONS: tuple[tuple[str, Callable[[Record], list[Block]]], ...] = (
    ("Purpose", _purpose),
    ("Data", _data),
    ("Features", _features),
    ("Model and hyperparameters", _model),
    ("Evaluation", _evaluation),
    ("ROC curve", _roc),
    ("Chain of experiments", _chain),
    ("Risk checklist", _checklist),
    ("Limitations", _limitations),
    ("Approval", _approval),
)
"""The card's sections, in order."""


def title(record: Record) -> str:
    """The card's title: the project and the short run ID."""
    project = "/".join(record["tags"].get(key, "?") for key in ("client_name", "project_name"))
    return f"Model card: {project}, run {short(record['run']['run_id'])}"


def sections(record: Record) -> list[Section]:
    """Every section of the card as blocks, the run's summary (and any warning) first."""
    return [("", _banner(record)), *((name, build(record)) for name, build in SECTIONS)]


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return block.text
    if isinstance(block, Alert):
        return f"> **WARNING:** {block.text}"
    if isinstance(block, Items):
        return "\n".join(f"- {item}" for item in block.items)
    if isinstance(block, Table):
        lines = ["| " + " | ".join(block.header) + " |", "|" + "---|" * len(block.header)]
        lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in block.rows]
        return "\n".join(lines)
    if block.reference is None:
        return f"ROC plot: the run's artifact {ROC_ARTIFACT} (`mlp card --output FILE` writes it beside the card)."
    return f"![{block.alt}]({block.reference})"


def render_markdown(record: Record) -> str:
    """The card as Markdown."""
    parts = [f"# {title(record)}"]
    for name, blocks in sections(record):
        if name:
            parts.append(f"## {name}")
        parts.extend(_md_block(block) for block in blocks)
    return "\n\n".join(parts) + "\n"


def _html_block(block: Block) -> str:
    esc = html.escape
    if isinstance(block, Paragraph):
        return f"<p>{esc(block.text)}</p>"
    if isinstance(block, Alert):
        return f'<p class="warning"><strong>WARNING:</strong> {esc(block.text)}</p>'
    if isinstance(block, Items):
        return "<ul>\n" + "\n".join(f"<li>{esc(item)}</li>" for item in block.items) + "\n</ul>"
    if isinstance(block, Table):
        head = "".join(f"<th>{esc(cell)}</th>" for cell in block.header)
        body = "\n".join("<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>" for row in block.rows)
        return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"
    data = base64.b64encode(block.png or b"").decode("ascii")
    return f'<img alt="{esc(block.alt)}" src="data:image/png;base64,{data}">'


_STYLE = (
    "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
    "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em;text-align:left}"
    ".warning{border:3px solid #c00;background:#fee;padding:.5em;font-size:1.2em}"
)


def render_html(record: Record) -> str:
    """The card as one self-contained HTML page (the ROC plot inlined as a data URI)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        f'<head><meta charset="utf-8"><title>{html.escape(title(record))}</title><style>{_STYLE}</style></head>',
        "<body>",
        f"<h1>{html.escape(title(record))}</h1>",
    ]
    for name, blocks in sections(record):
        if name:
            parts.append(f"<h2>{html.escape(name)}</h2>")
        parts.extend(_html_block(block) for block in blocks)
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"
