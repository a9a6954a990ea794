/**
 * Credentials in MLFLOW_TRACKING_URI never reach a record: a real run, a failed run and the merge
 * gate against a real MLflow server named as `http://user:<password>@127.0.0.1:<port>`, then every
 * file of the server's store and artifacts and of the project (logs/, .mlp/, mlruns/, the run
 * directories), and everything mlp printed, are searched for the password.
 */
import { deepEqual, equal } from "node:assert/strict";
import { join, relative } from "node:path";
import { createProject } from "../support/project.ts";
import { type MlflowServer, startMlflowServer } from "../../src/tracking/testing.ts";

const PASSWORD = "s3cr3t-pa55word";
const USER = "ana-operator";

/** Every file under `dir` (symlinks not followed) whose bytes contain `needle`. */
async function filesHolding(dir: string, needle: string): Promise<string[]> {
  const bytes = new TextEncoder().encode(needle);
  const found: string[] = [];
  const walk = async (path: string): Promise<void> => {
    for await (const entry of Deno.readDir(path)) {
      const child = join(path, entry.name);
      if (entry.isDirectory) await walk(child);
      else if (entry.isFile && contains(await Deno.readFile(child), bytes)) found.push(child);
    }
  };
  await walk(dir);
  return found.map((path) => relative(dir, path));
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

Deno.test("the password in MLFLOW_TRACKING_URI is in no file, record or output of mlp", async () => {
  let server: MlflowServer | undefined;
  const project = await createProject({ rows: 1500 });
  const serverDir = join(project.root, "..", "server");
  await Deno.mkdir(serverDir);
  try {
    server = await startMlflowServer(`sqlite:///${join(serverDir, "mlflow.db")}`, {
      artifactsDir: join(serverDir, "artifacts"),
    });
    // The team's store is committed (without credentials); the environment carries them.
    await project.edit(
      "configs/project_standards.yaml",
      /^tracking_store: .*$/m,
      `tracking_store: ${server.url}`,
    );
    await project.git(["commit", "--quiet", "-am", "The team's MLflow server holds the runs"]);
    const url = server.url.replace("http://", `http://${USER}:${PASSWORD}@`);
    const env = { MLFLOW_TRACKING_URI: url };
    const shown = server.url.replace("http://", "http://***@");
    const printed: string[] = [];
    const mlp = async (args: string[]) => {
      const out = await project.mlp(args, { env });
      printed.push(out.stdout, out.stderr);
      return out;
    };

    const run = await mlp(["run", "--json"]);
    equal(run.code, 0, run.stderr);
    const runId = JSON.parse(run.stdout).runId;
    const head = (await project.git(["rev-parse", "HEAD"])).stdout.trim();
    const verified = await mlp(["verify-run", "--commit", head, "--run", runId]);
    equal(verified.code, 0, verified.stderr);
    await mlp(["runs", "ls"]);

    // A failing run: project code raises, the traceback is recorded.
    await project.edit(
      "src/model.py",
      /^def build_model\(.*\n/m,
      '$&    raise ValueError("boom")\n',
    );
    const failed = await mlp(["run"]);
    equal(failed.code, 1, failed.stderr);
    // A server that answers nothing: the refusal names the server.
    await server.stop();
    server = undefined;
    const unreachable = await mlp(["run"]);
    equal(unreachable.code, 1, unreachable.stderr);

    const lines = printed.flatMap((text) => text.split("\n"));
    deepEqual({
      server: await filesHolding(serverDir, PASSWORD),
      project: await filesHolding(project.root, PASSWORD),
      printed: lines.filter((line) => line.includes(PASSWORD)),
    }, { server: [], project: [], printed: [] });
    // The redacted form is what mlp shows instead.
    equal(JSON.parse(run.stdout).trackingUri, shown);
  } finally {
    await server?.stop();
    await Deno.remove(join(project.root, ".."), { recursive: true });
  }
});
