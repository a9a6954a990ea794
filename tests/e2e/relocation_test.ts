/**
 * A project folder can be moved or copied (issue 6, item 5): every run's artifacts resolve inside
 * the project the store belongs to, for mlp, for the MLflow client run from the project root and
 * for `mlflow ui` started as the client README says; no machine path is stored anywhere.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { dirname, join } from "node:path";
import {
  createProject,
  exec,
  MLP_ROOT,
  SHARED_ENVIRONMENT,
  type TestProject,
} from "../support/project.ts";
import { startMlflowServer } from "../../src/tracking/testing.ts";

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

async function run(root: string): Promise<string> {
  const out = await exec(join(MLP_ROOT, "bin/mlp"), ["run"], root);
  equal(out.code, 0, out.stderr);
  return lastLine(out.stdout);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Every file below `dir` whose bytes contain `needle`. */
async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  const bytes = new TextEncoder().encode(needle);
  async function walk(path: string) {
    for await (const entry of Deno.readDir(path)) {
      const child = join(path, entry.name);
      if (entry.isDirectory) await walk(child);
      else if (entry.isFile && contains(await Deno.readFile(child), bytes)) found.push(child);
    }
  }
  await walk(dir);
  return found;
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

async function loadsModel(root: string, runId: string): Promise<number> {
  const out = await exec(`${SHARED_ENVIRONMENT}/bin/python`, [
    "-c",
    `import mlflow; mlflow.set_tracking_uri("sqlite:///mlflow.db")
m = mlflow.pyfunc.load_model("runs:/${runId}/model"); print(len(m.metadata.get_input_schema().inputs))`,
  ], root);
  equal(out.code, 0, out.stderr);
  return Number(lastLine(out.stdout));
}

Deno.test("a copied or moved project keeps its artifacts and records no machine path", async (t) => {
  const original: TestProject = await createProject({ rows: 600 });
  const first = await run(original.root);
  const parent = dirname(original.root);
  const copy = join(parent, "copy");
  const moved = join(parent, "moved");

  let second = "";
  await t.step("cp -a and run: the copy's artifacts stay in the copy", async () => {
    equal((await exec("cp", ["-a", original.root, copy], parent)).code, 0);
    second = await run(copy);
    ok(await exists(join(copy, "mlartifacts", second, "artifacts", "model", "MLmodel")));
    ok(!(await exists(join(original.root, "mlartifacts", second))));
  });

  await t.step(
    "mv and run: old runs load from the new place, the old path is not re-created",
    async () => {
      equal((await exec("mv", [copy, moved], parent)).code, 0);
      ok((await loadsModel(moved, first)) > 10);
      ok((await loadsModel(moved, second)) > 10);
      await run(moved);
      ok(!(await exists(copy)), `${copy} was re-created`);
    },
  );

  await t.step(
    "no path of any of the three places in the store, the artifacts or .mlp",
    async () => {
      for (const place of [original.root, copy, moved]) {
        deepEqual(await filesContaining(join(moved, "mlartifacts"), place), []);
        deepEqual(await filesContaining(join(moved, ".mlp", "runs"), place), []);
        ok(
          !contains(await Deno.readFile(join(moved, "mlflow.db")), new TextEncoder().encode(place)),
          `mlflow.db holds "${place}"`,
        );
      }
    },
  );

  await t.step(
    "mlflow ui started in the project root serves the moved runs' artifacts",
    async () => {
      const ui = await startMlflowServer("sqlite:///mlflow.db", {
        python: `${SHARED_ENVIRONMENT}/bin/python`,
        ui: true,
        cwd: moved,
      });
      try {
        const list = await fetch(`${ui.url}/ajax-api/2.0/mlflow/artifacts/list?run_id=${second}`);
        equal(list.status, 200);
        const files = ((await list.json()).files as { path: string }[]).map((f) => f.path).sort();
        deepEqual(files, ["mlp", "model", "plots"]);
        const plan = await fetch(`${ui.url}/get-artifact?path=mlp/plan.json&run_uuid=${first}`);
        equal(plan.status, 200);
        equal((await plan.json()).plan_version, 2);
      } finally {
        await ui.stop();
      }
    },
  );
});
