/**
 * `make ui-check`: does the MLflow UI show what mlp recorded (issue 8, item 5; docs/mlflow-ui.md)?
 *
 * Makes a small real project (2,000 rows, 2 folds), runs `mlp run`, starts `mlflow server` on a free
 * port on its store, then checks each field twice: through MLflow's REST API (exact values), and in
 * a real browser (Debian's chromium, headless), whose rendered page text must hold each value.
 * Screenshots of the runs table, the run page and the Logged models page go to the output directory
 * (`.cache/ui-check/` unless given) for a person to look at; `--update-docs` copies the run page's to
 * docs/mlflow-ui-run.png. Exits 1 naming every field that is missing. The server and the project are
 * removed afterwards.
 *
 * Usage: `deno run -A tests/ui/ui_check.ts [OUT_DIR] [--update-docs]`
 *
 * @module
 */
import { join, resolve } from "node:path";
import { startMlflowServer } from "../../src/tracking/testing.ts";
import { CLASSIC_ML_VIEW, runsTableUrl, runUrl } from "../../src/tracking/ui_url.ts";
import { createProject, MLP_ROOT } from "../support/project.ts";

const CHANGE = "Two folds: a faster baseline for the UI check";
const WINDOW = "2400,1300";

const args = Deno.args.filter((arg) => arg !== "--update-docs");
const outDir = resolve(args[0] ?? join(MLP_ROOT, ".cache/ui-check"));
const failures: string[] = [];

/** Records a failure unless `ok`. */
function expect(ok: boolean, what: string): void {
  console.log(`${ok ? "ok  " : "FAIL"}  ${what}`);
  if (!ok) failures.push(what);
}

async function rest<T>(base: string, path: string): Promise<T> {
  const response = await fetch(`${base}/api/2.0/mlflow/${path}`);
  if (!response.ok) {
    throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
  }
  return await response.json() as T;
}

/** The page's text as chromium rendered it (scripts run, then `--dump-dom`), tags stripped. */
async function renderedText(url: string): Promise<string> {
  const out = await chromium(["--dump-dom", url]);
  return new TextDecoder().decode(out.stdout)
    .replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/g, " ")
    .replace(/<[^>]+>/g, " ").replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
    .replace(/&#39;|&apos;/g, "'").replace(/&quot;/g, '"').replace(/\s+/g, " ");
}

async function chromium(extra: string[]): Promise<Deno.CommandOutput> {
  const out = await new Deno.Command("chromium", {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--hide-scrollbars",
      `--window-size=${WINDOW}`,
      "--virtual-time-budget=20000",
      ...extra,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output().catch((error) => {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error("chromium is not installed: apt-get install -y chromium");
    }
    throw error;
  });
  if (!out.success) throw new Error(`chromium exited ${out.code}`);
  return out;
}

/** The GenAI view's side bar has this entry; the classic ML view's has not. */
const GENAI_ONLY = "Evaluation runs";

async function page(name: string, url: string, wanted: Record<string, string>): Promise<void> {
  const text = await renderedText(url);
  for (const [field, value] of Object.entries(wanted)) {
    expect(text.includes(value), `browser, ${name}: ${field} shows "${value}"`);
  }
  expect(!text.includes(GENAI_ONLY), `browser, ${name}: the classic ML view (no "${GENAI_ONLY}")`);
  await chromium([`--screenshot=${join(outDir, `${name}.png`)}`, url]);
  console.log(`      screenshot ${join(outDir, `${name}.png`)}`);
}

interface RestRun {
  run: {
    info: { run_id: string; run_name: string; user_id: string; experiment_id: string };
    data: {
      tags: { key: string; value: string }[];
      metrics: { key: string; value: number }[];
      params: { key: string; value: string }[];
    };
    inputs: { dataset_inputs?: { dataset: Record<string, string> }[] };
    outputs: { model_outputs?: { model_id: string }[] };
  };
}

await Deno.mkdir(outDir, { recursive: true });
const project = await createProject({ rows: 2000 });
try {
  await project.edit("configs/experiment.yaml", "n_splits: 5", "n_splits: 2");
  await project.edit(
    "configs/reasoning.yaml",
    /^change_description: .*$/m,
    `change_description: "${CHANGE}"`,
  );
  await project.git(["commit", "--quiet", "-am", "two folds"]);
  const ran = await project.mlp(["run"]);
  if (ran.code !== 0) throw new Error(`mlp run exited ${ran.code}:\n${ran.stderr}`);
  const runId = ran.stdout.trim().split("\n").at(-1)!;
  const commit = (await project.git(["rev-parse", "HEAD"])).stdout.trim();
  const server = await startMlflowServer(`sqlite:///${project.root}/mlflow.db`, {
    cwd: project.root,
  });
  try {
    const { run } = await rest<RestRun>(server.url, `runs/get?run_id=${runId}`);
    const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
    const params = Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
    const metrics = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
    const operator = tags["mlp.operator"];
    const primary = tags.primary_metric;
    console.log(`run ${runId}, experiment ${run.info.experiment_id}`);
    expect(run.info.run_name.startsWith("model_architecture-two-folds"), "REST: run name");
    expect(
      tags["mlflow.note.content"]?.startsWith(CHANGE),
      "REST: Description (mlflow.note.content)",
    );
    expect(tags["mlflow.user"] === operator && run.info.user_id === operator, "REST: Created by");
    expect(tags["mlflow.source.type"] === "LOCAL", "REST: mlflow.source.type");
    expect(tags["mlflow.source.name"] === params.project_name, "REST: mlflow.source.name");
    expect(tags["mlflow.source.git.commit"] === commit, "REST: mlflow.source.git.commit");
    expect(typeof metrics[primary] === "number", `REST: primary metric ${primary}`);
    const dataset = run.inputs.dataset_inputs?.[0]?.dataset;
    expect(dataset?.digest === project.datasetHash.slice(0, 36), "REST: dataset digest");
    expect((dataset?.schema ?? "").includes("mlflow_colspec"), "REST: dataset schema");
    const modelId = run.outputs.model_outputs?.[0]?.model_id ?? "";
    expect(modelId !== "", "REST: the run's model output");
    const model = modelId === "" ? undefined : (await rest<{
      model: { info: { name: string; source_run_id: string; status: string } };
    }>(server.url, `logged-models/${modelId}`)).model;
    expect(model?.info.source_run_id === runId, "REST: the LoggedModel's source run");
    const experiment = await rest<{ experiment: { tags?: { key: string; value: string }[] } }>(
      server.url,
      `experiments/get?experiment_id=${run.info.experiment_id}`,
    );
    expect(
      (experiment.experiment.tags ?? []).some((t) =>
        t.key === "mlflow.experimentKind" && t.value === "custom_model_development"
      ),
      "REST: the experiment opens in the classic ML view (mlflow.experimentKind)",
    );
    const recorded = JSON.stringify({ tags, dataset });
    expect(!recorded.includes(project.root), "REST: no machine path in the tags or the dataset");

    const modelName = model?.info.name ?? "(none)";
    const table = runsTableUrl(server.url, run.info.experiment_id);
    await page("runs-table", table, {
      "Run Name": run.info.run_name,
      "Dataset": `${dataset?.name} (${dataset?.digest})`,
      "Source": String(tags["mlflow.source.name"]),
      "Models": modelName,
    });
    await page("run", runUrl(server.url, run.info.experiment_id, runId), {
      "Description": CHANGE,
      "Created by": operator,
      "Source": String(tags["mlflow.source.name"]),
      "Source commit": commit.slice(0, 7),
      "Datasets": `${dataset?.name} (${dataset?.digest})`,
      "primary metric": primary,
      "Models": modelName,
    });
    await page(
      "logged-models",
      `${server.url}/#/experiments/${run.info.experiment_id}/models?${CLASSIC_ML_VIEW}`,
      {
        "Model name": modelName,
        "Source run": run.info.run_name.slice(0, 24),
      },
    );
    if (Deno.args.includes("--update-docs")) {
      await Deno.copyFile(join(outDir, "run.png"), join(MLP_ROOT, "docs/mlflow-ui-run.png"));
      console.log("      copied run.png to docs/mlflow-ui-run.png");
    }
  } finally {
    await server.stop();
  }
} finally {
  await Deno.remove(resolve(project.root, ".."), { recursive: true });
}
if (failures.length > 0) {
  console.error(`ui-check: ${failures.length} field(s) missing:\n  ${failures.join("\n  ")}`);
  Deno.exit(1);
}
console.log("ui-check: every field is in the REST API and on the page");
