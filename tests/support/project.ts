/**
 * End-to-end fixture: a real client project generated from the template with the real Copier,
 * a real git repository with mlp's hooks installed, the project's locked uv environment, and a
 * dataset stored with the real `mlp data add`. Nothing here is mocked.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import { exists } from "../../src/project/exists.ts";
import { checkEnvironment } from "../../src/venv/check.ts";

/** The mlp repository (this checkout). */
export const MLP_ROOT = resolve(import.meta.dirname!, "../..");

/** Output of a finished process. */
export interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

/** A generated client project and helpers to drive it. */
export interface TestProject {
  root: string;
  datasetHash: string;
  /** Runs `bin/mlp` in the project. */
  mlp(args: string[], options?: RunOptions): Promise<Output>;
  /** Runs git in the project; throws on a non-zero exit unless `allowFailure`. */
  git(args: string[], options?: RunOptions & { allowFailure?: boolean }): Promise<Output>;
  /** Runs Python code in the project's locked environment and parses its stdout as JSON. */
  python<T = unknown>(code: string): Promise<T>;
  /** Reads a run with the official MLflow client. */
  readRun(runId: string): Promise<MlflowRun>;
  /** Every run in the project's store (the official MLflow client), oldest first. */
  runs(): Promise<StoredRun[]>;
  /** Replaces text in a project file (the text must occur). */
  edit(path: string, from: string | RegExp, to: string): Promise<void>;
}

/** Options for a process started in the project. */
export interface RunOptions {
  env?: Record<string, string>;
}

/** A run as the official MLflow client returns it. */
export interface MlflowRun {
  status: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, number>;
  artifacts: string[];
}

/** One run of the store, as listed by the official MLflow client. */
export interface StoredRun {
  runId: string;
  status: string;
  tags: Record<string, string>;
}

/** Options of {@linkcode createProject}. */
export interface ProjectOptions {
  /** Copier answers beyond project_name and client_name. */
  answers?: Record<string, string>;
  /** Rows of the synthetic credit dataset (small keeps tests fast). */
  rows?: number;
  /**
   * Another mlp checkout whose template, dataset generator and `bin/mlp` make and drive the
   * project (a benchmark compares an older commit's mlp with this one); this checkout by default.
   */
  mlpRoot?: string;
  /**
   * The template source Copier generates from (a git repository holding copier.yml) and the
   * version (`--vcs-ref`); the mlp checkout and its working tree by default.
   */
  template?: { src: string; ref: string };
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: "Test Operator",
  GIT_AUTHOR_EMAIL: "operator@bank.test",
  GIT_COMMITTER_NAME: "Test Operator",
  GIT_COMMITTER_EMAIL: "operator@bank.test",
  GIT_CONFIG_NOSYSTEM: "1",
};

/**
 * The locked environment every test project uses (`UV_PROJECT_ENVIRONMENT`): the template's
 * uv.lock installed once, with its bytecode compiled (scripts/platform_env.sh), instead of one
 * 900 MB environment per test project that recompiles scikit-learn and MLflow on every import.
 * uv still checks each project's lock against it (`uv run --locked`). A test that must change
 * the environment passes its own `UV_PROJECT_ENVIRONMENT`.
 */
export const SHARED_ENVIRONMENT: string = await (async () => {
  const out = await new Deno.Command(join(MLP_ROOT, "scripts/platform_env.sh"), {
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("scripts/platform_env.sh failed: see its output above");
  return resolve(new TextDecoder().decode(out.stdout).trim(), "../..");
})();

/** The environment of every command a test starts: git identity, the shared locked environment. */
export function testEnv(env: Record<string, string> = {}): Record<string, string> {
  return {
    ...GIT_ENV,
    UV_PYTHON_DOWNLOADS: "never",
    UV_PROJECT_ENVIRONMENT: SHARED_ENVIRONMENT,
    ...env,
  };
}

/** Runs a command and collects its output. */
export async function exec(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<Output> {
  const output = await new Deno.Command(cmd, {
    args,
    cwd,
    env: testEnv(env),
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

async function mustExec(cmd: string, args: string[], cwd: string): Promise<Output> {
  const out = await exec(cmd, args, cwd);
  if (out.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} exited ${out.code}:\n${out.stdout}\n${out.stderr}`);
  }
  return out;
}

/**
 * Generates a project with Copier, installs its locked environment, stores a synthetic credit
 * dataset with `mlp data add`, points the config at it, installs the hooks and commits.
 *
 * The first project of a kind (answers, rows, and the template, scripts and mlp source it is
 * made from) is generated once into .cache/e2e-projects/; every later one is a copy of it in a new
 * directory, as a user copies a project folder (tests/e2e/relocation_test.ts proves a copy is a
 * working project). Generating costs some 10 s of Copier, uv, pandas and mlp; copying, a fraction
 * of a second. Any change to what a project is made from makes a new kind.
 */
export async function createProject(options: ProjectOptions = {}): Promise<TestProject> {
  const mlpRoot = options.mlpRoot ?? MLP_ROOT;
  const answers = { project_name: "credit_risk", client_name: "acme_bank", ...options.answers };
  const rows = options.rows ?? 4000;
  const parent = await Deno.makeTempDir({ prefix: "mlp-e2e-" });
  if (options.template) {
    // A template repository of the test's own: generated from it, never cached.
    const hash = await generateProject(
      { mlpRoot, answers, rows, template: options.template },
      parent,
    );
    return makeProject(join(parent, "project"), hash, join(mlpRoot, "bin/mlp"));
  }
  const kind = await projectKind(mlpRoot, answers, rows);
  const cached = join(mlpRoot, ".cache/e2e-projects", kind);
  if (!(await exists(join(cached, "done")))) await cacheProject({ mlpRoot, answers, rows }, cached);
  const root = join(parent, "project");
  await mustExec("cp", ["-a", join(cached, "project"), root], parent);
  const datasetHash = (await Deno.readTextFile(join(cached, "dataset"))).trim();
  return makeProject(root, datasetHash, join(mlpRoot, "bin/mlp"));
}

/** The files a generated project is made of: the template, the data generator and mlp itself. */
const PROJECT_SOURCES = ["copier.yml", "template", "scripts/make_credit_data.py", "bin", "src"];

/**
 * A name for what a project would be generated from: the answers, the rows, the checkout's commit
 * and the bytes of `PROJECT_SOURCES` (tests beside the code left out, as they change no project).
 */
async function projectKind(
  mlpRoot: string,
  answers: Record<string, string>,
  rows: number,
): Promise<string> {
  // The commit too: Copier records it in .copier-answers.yml, which `mlp drift` renders from.
  const head = (await mustExec("git", ["rev-parse", "HEAD"], mlpRoot)).stdout.trim();
  const hash = createHash("sha256").update(JSON.stringify({ mlpRoot, head, answers, rows }));
  const walk = async (path: string): Promise<void> => {
    const info = await Deno.lstat(join(mlpRoot, path));
    if (info.isDirectory) {
      const names: string[] = [];
      for await (const entry of Deno.readDir(join(mlpRoot, path))) names.push(entry.name);
      for (const name of names.sort()) {
        if (name === "__pycache__" || name.endsWith("_test.ts")) continue;
        await walk(`${path}/${name}`);
      }
    } else if (info.isSymlink) {
      hash.update(`${path}\0link\0${await Deno.readLink(join(mlpRoot, path))}\0`);
    } else {
      hash.update(`${path}\0${info.mode}\0`).update(await Deno.readFile(join(mlpRoot, path)));
    }
  };
  for (const source of PROJECT_SOURCES) await walk(source);
  return hash.digest("hex").slice(0, 16);
}

/** What a project is generated from. */
interface ProjectSource {
  mlpRoot: string;
  answers: Record<string, string>;
  rows: number;
  template?: { src: string; ref: string };
}

/**
 * Generates a project into `cached` (its `project/`, and `dataset` holding the dataset's hash),
 * built beside it and renamed into place, so a test running at the same time sees a whole one
 * or none (and the loser of two that built at once throws its copy away).
 */
async function cacheProject(source: ProjectSource, cached: string): Promise<void> {
  await Deno.mkdir(resolve(cached, ".."), { recursive: true });
  const parent = await Deno.makeTempDir({ dir: resolve(cached, ".."), prefix: ".building-" });
  const datasetHash = await generateProject(source, parent);
  await Deno.writeTextFile(join(parent, "dataset"), `${datasetHash}\n`);
  await Deno.writeTextFile(join(parent, "done"), "");
  try {
    await Deno.rename(parent, cached);
  } catch (error) {
    // Another test built the same kind first: keep its copy.
    if (!(await exists(join(cached, "done")))) throw error;
    await mustExec("chmod", ["-R", "u+w", parent], "/");
    await mustExec("rm", ["-rf", parent], "/");
  }
}

/** Generates a project into `parent/project` and returns its dataset's hash. */
async function generateProject(source: ProjectSource, parent: string): Promise<string> {
  const { mlpRoot, answers, rows, template } = source;
  const mlp = join(mlpRoot, "bin/mlp");
  const root = join(parent, "project");
  await mustExec("copier", [
    "copy",
    "--quiet",
    "--trust",
    "--defaults",
    ...Object.entries(answers).flatMap(([k, v]) => ["--data", `${k}=${v}`]),
    // HEAD (with its uncommitted changes, as Copier takes them), not Copier's default of the
    // latest release tag: the tests test this checkout's template.
    ...(template ? ["--vcs-ref", template.ref, template.src] : ["--vcs-ref", "HEAD", mlpRoot]),
    root,
  ], parent);
  await mustExec("git", ["init", "--quiet", "--initial-branch=main"], root);
  await mustExec("git", ["config", "user.email", GIT_ENV.GIT_AUTHOR_EMAIL], root);
  await mustExec("git", ["config", "user.name", GIT_ENV.GIT_AUTHOR_NAME], root);
  await mustExec("uv", ["sync", "--quiet", "--locked"], root);

  const table = join(parent, "applications.parquet");
  await mustExec("uv", [
    "run",
    "--quiet",
    "--locked",
    "python",
    join(mlpRoot, "scripts/make_credit_data.py"),
    table,
    "--rows",
    String(rows),
    "--seed",
    "7",
  ], root);
  const added = await mustExec(mlp, ["data", "add", table], root);
  const datasetHash = added.stdout.trim().split("\n").at(-1)!;
  await Deno.remove(table);
  const project = makeProject(root, datasetHash, mlp);
  await project.edit(
    "configs/experiment.yaml",
    /^dataset_version:.*$/m,
    `dataset_version: ${datasetHash}`,
  );
  await mustExec(mlp, ["hooks", "install"], root);
  await project.git(["add", "-A"]);
  await project.git(["commit", "--quiet", "-m", "Initial project from the mlp template"]);
  // What the first `mlp run` of every copy would do first: hash the shared environment's 15,000
  // files against uv.lock and keep the stat cache in .mlp/ (a copy keeps it; its stamps hold).
  if (mlpRoot === MLP_ROOT) await checkEnvironment(root, SHARED_ENVIRONMENT);
  return datasetHash;
}

function makeProject(root: string, datasetHash: string, mlp: string): TestProject {
  const project: TestProject = {
    root,
    datasetHash,
    mlp: (args, options = {}) => exec(mlp, args, root, options.env),
    async git(args, options = {}) {
      const out = await exec("git", args, root, options.env);
      if (out.code !== 0 && !options.allowFailure) {
        throw new Error(`git ${args.join(" ")} exited ${out.code}:\n${out.stdout}\n${out.stderr}`);
      }
      return out;
    },
    async python<T>(code: string): Promise<T> {
      const out = await mustExec("uv", ["run", "--quiet", "--locked", "python", "-c", code], root);
      return JSON.parse(out.stdout.trim().split("\n").at(-1)!) as T;
    },
    readRun(runId: string): Promise<MlflowRun> {
      return project.python<MlflowRun>(`
import json, mlflow
from mlflow.tracking import MlflowClient
mlflow.set_tracking_uri("sqlite:///${root}/mlflow.db")
client = MlflowClient()
run = client.get_run("${runId}")
def walk(path=None):
    out = []
    for f in client.list_artifacts("${runId}", path):
        out.extend(walk(f.path) if f.is_dir else [f.path])
    return out
print(json.dumps({"status": run.info.status, "params": run.data.params, "tags": run.data.tags,
                  "metrics": run.data.metrics, "artifacts": sorted(walk())}))
`);
    },
    async runs(): Promise<StoredRun[]> {
      try {
        await Deno.stat(join(root, "mlflow.db"));
      } catch {
        return [];
      }
      return await project.python<StoredRun[]>(`
import json
from mlflow.tracking import MlflowClient
from mlflow.entities import ViewType
client = MlflowClient("sqlite:///${root}/mlflow.db")
ids = [e.experiment_id for e in client.search_experiments(view_type=ViewType.ALL)]
runs = client.search_runs(ids, run_view_type=ViewType.ALL, order_by=["attributes.start_time ASC"])
print(json.dumps([{"runId": r.info.run_id, "status": r.info.status, "tags": r.data.tags} for r in runs]))
`);
    },
    async edit(path, from, to) {
      const file = join(root, path);
      const text = await Deno.readTextFile(file);
      const next = text.replace(from, to);
      if (next === text) throw new Error(`edit(): ${String(from)} not found in ${path}`);
      await Deno.writeTextFile(file, next);
    },
  };
  return project;
}
