/**
 * The container suite (issue 9, item 5; plan §7.5's `docker build … && docker run … pytest tests/`):
 * a real client project from the template (tests/support), its Dockerfile linted with hadolint,
 * built with podman against the local `python:3.11-slim` stand-in (tests/container/engine.ts),
 * then run: the default command (`pytest tests/`), `mlp --version`, the files .dockerignore keeps
 * out and the pre-commit hook refusing a protected change, inside the container and without
 * network; then a real `mlp run` inside, recorded in a store mounted from the host and read back
 * with the MLflow client (README, "Container").
 *
 * Prints one `ok: …` or `FAILED: …` line per check, the build and run times, and last
 * `N passed, N failed`; exits 1 if any check failed.
 *
 * Run: `deno run -A tests/container/container_suite.ts` (`make test-container`). The build reaches
 * PyPI and npm through the host's network (`--network=host`); the runs have none.
 *
 * @module
 */
import { join } from "node:path";
import { createProject, exec, MLP_ROOT } from "../support/project.ts";
import { MLP_VERSION } from "../../src/version.ts";
import { podman, setUpEngine } from "./engine.ts";

/** The image the suite builds; kept after the run so that its layers cache the next build. */
const IMAGE = "localhost/mlp-container-test:latest";

/**
 * Files a workstation's project holds that .dockerignore must keep out of the image: the MLflow
 * store, the artifact store, production data, mlp's working area and the local environment. Each
 * is git-ignored, so planting them leaves the project's git tree clean.
 */
const IGNORED = [
  "mlflow.db",
  "mlflow.db-wal",
  "mlruns/0/meta.yaml",
  "mlartifacts/1/model.pkl",
  "data/production/applications.csv",
  "data/shadow/.staging-1/part.parquet",
  ".mlp/runs/old/plan.json",
  ".venv/workstation-marker",
];

let passed = 0;
let failed = 0;

/** Records one check: `ok` when `problem` is empty, else `FAILED` with the problem. */
function check(name: string, problem: string): void {
  if (problem === "") {
    passed++;
    console.log(`ok: ${name}`);
  } else {
    failed++;
    console.log(`FAILED: ${name}: ${problem}`);
  }
}

/** What an unexpected exit says: the code and both streams. */
function exited(out: { code: number; stdout: string; stderr: string }): string {
  return `exited ${out.code}\n${out.stdout}\n${out.stderr}`;
}

/** Runs a shell script inside a fresh container of the image, without network. */
function inContainer(engine: Record<string, string>, script: string) {
  return podman(engine, ["run", "--rm", "--network=none", IMAGE, "sh", "-c", script]);
}

const seconds = (start: number) => ((performance.now() - start) / 1000).toFixed(0);

const engineStart = performance.now();
const engine = await setUpEngine();
console.log(`container engine ready in ${seconds(engineStart)} s`);

const project = await createProject({ rows: 2000 });
for (const path of IGNORED) {
  await Deno.mkdir(join(project.root, path, ".."), { recursive: true });
  await Deno.writeTextFile(join(project.root, path), "must not reach the image\n");
}
const head = (await project.git(["rev-parse", "HEAD"])).stdout.trim();
const status = (await project.git(["status", "--porcelain"])).stdout;
check("the planted files are git-ignored (the project is clean)", status);

const lint = await exec("hadolint", ["--no-color", "Dockerfile"], project.root);
check(
  "hadolint is clean on the generated Dockerfile",
  lint.code === 0 && lint.stdout === "" ? "" : exited(lint),
);

const buildStart = performance.now();
const build = await podman(engine, [
  "build",
  "--pull=never",
  "--network=host",
  "--build-context",
  `mlp=${MLP_ROOT}`,
  "--tag",
  IMAGE,
  project.root,
], { inherit: true });
const buildTime = seconds(buildStart);
check("podman build of the generated project", build.code === 0 ? "" : `exited ${build.code}`);

if (build.code === 0) {
  const runStart = performance.now();
  const tests = await podman(engine, ["run", "--rm", "--network=none", IMAGE]);
  const runTime = seconds(runStart);
  check(
    "the default command, pytest tests/, passes",
    tests.code === 0 && / \d+ passed/.test(tests.stdout) && !/failed|error/.test(tests.stdout)
      ? ""
      : exited(tests),
  );
  console.log(`build: ${buildTime} s; pytest tests/ in the container: ${runTime} s`);

  const version = await podman(engine, [
    "run",
    "--rm",
    "--network=none",
    IMAGE,
    "mlp",
    "--version",
  ]);
  check(
    "mlp --version works inside",
    version.code === 0 && version.stdout === `${MLP_VERSION}\n` ? "" : exited(version),
  );

  const present = await inContainer(
    engine,
    `for p in ${IGNORED.join(" ")}; do [ ! -e "$p" ] || echo "in the image: $p"; done; ` +
      "test -f configs/experiment.yaml && test -f .git/HEAD && test -x .venv/bin/python && echo present",
  );
  check(
    ".dockerignore keeps the store, artifacts, production data, .mlp/ and .venv/ out",
    present.code === 0 && present.stdout === "present\n" ? "" : exited(present),
  );

  const hook = await inContainer(
    engine,
    "git config --local --get mlp.path && " +
      "sed -i 's/split_strategy: stratified_kfold/split_strategy: temporal_split/' configs/experiment.yaml && " +
      "git commit --quiet -am 'change split'",
  );
  check(
    "the pre-commit hook runs the image's mlp and refuses a protected change",
    hook.code === 1 && hook.stdout === "/opt/mlp/bin/mlp\n" &&
      /configs\/experiment\.yaml:\d+: protected field "protected\.split_strategy"/.test(hook.stderr)
      ? ""
      : exited(hook),
  );

  // The store a workstation mounts (README, "Container"): `mlp run` inside records into it.
  const store = join(project.root, "..", "store");
  await Deno.mkdir(join(store, "mlartifacts"), { recursive: true });
  // A store as a workstation has it after its first run (mlp refuses a file without MLflow's tables).
  const created = await exec("uv", [
    "run",
    "--quiet",
    "--locked",
    "python",
    "-c",
    "import sys; from mlflow.tracking import MlflowClient; MlflowClient(sys.argv[1]).search_experiments()",
    `sqlite:///${store}/mlflow.db`,
  ], project.root);
  if (created.code !== 0) throw new Error(`creating the MLflow store: ${exited(created)}`);
  const mount = [
    "-v",
    `${store}/mlflow.db:/project/mlflow.db`,
    "-v",
    `${store}/mlartifacts:/project/mlartifacts`,
  ];
  const run = await podman(engine, [
    "run",
    "--rm",
    "--network=none",
    ...mount,
    IMAGE,
    "mlp",
    "run",
    "--run-name",
    "in-container",
  ]);
  const runId = run.stdout.trim().split("\n").at(-1) ?? "";
  const recorded = await exec("uv", [
    "run",
    "--quiet",
    "--locked",
    "python",
    "-c",
    "import json, sys; from mlflow.tracking import MlflowClient; " +
    "r = MlflowClient(sys.argv[1]).get_run(sys.argv[2]); " +
    'print(json.dumps([r.info.status, r.data.params["git_commit"], r.data.params["git_dirty"]], ' +
    'separators=(",", ":")))',
    `sqlite:///${store}/mlflow.db`,
    runId,
  ], project.root);
  const artifacts = await Array.fromAsync(Deno.readDir(join(store, "mlartifacts")));
  check(
    "mlp run inside records a FINISHED run of the clean commit in the mounted store",
    run.code === 0 && recorded.code === 0 &&
      recorded.stdout.trim() === JSON.stringify(["FINISHED", head, "false"]) &&
      artifacts.length > 0
      ? ""
      : `${exited(run)}\n${exited(recorded)}\nartifact folders: ${artifacts.length}`,
  );
}

await Deno.remove(join(project.root, ".."), { recursive: true });
console.log(`${passed} passed, ${failed} failed`);
Deno.exit(failed === 0 ? 0 : 1);
