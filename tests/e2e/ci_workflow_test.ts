/**
 * The template's required check (scripts/ci/mlp_check.sh, which .github/workflows/mlp.yml and
 * .gitlab-ci.yml run) run as CI runs it: in a fresh clone of the project's remote, with the
 * environment the workflow gives it, installing mlp from a repository at a pinned commit (this
 * checkout's HEAD) and Deno from npm, against an MLflow tracking server on PostgreSQL. The PATH has
 * no uv: the check needs neither uv nor the project's Python environment.
 *
 * Needs PostgreSQL on 127.0.0.1:5432 with trust auth for user postgres (MLP_TEST_POSTGRES
 * overrides the server URL) and the server environment of scripts/server_env.sh.
 */
import { equal, match } from "node:assert/strict";
import { join } from "node:path";
import { createProject, exec, MLP_ROOT, type Output } from "../support/project.ts";
import { type MlflowServer, startMlflowServer } from "../../src/tracking/testing.ts";
import { exists } from "../../src/project/exists.ts";

const POSTGRES = Deno.env.get("MLP_TEST_POSTGRES") ?? "postgresql://postgres@127.0.0.1:5432";
const SERVER_PYTHON = join(MLP_ROOT, ".cache/mlflow-server/bin/python");

/** Runs SQL on the server's `postgres` database; throws with psql's message on failure. */
async function psql(sql: string): Promise<void> {
  const out = await exec("psql", [`${POSTGRES}/postgres`, "-v", "ON_ERROR_STOP=1", "-c", sql], "/");
  if (out.code !== 0) throw new Error(`psql failed: ${out.stderr}`);
}

/** The directories of `name` on PATH, for a PATH with exactly the tools a CI image has. */
async function dirOf(name: string): Promise<string> {
  const out = await exec("bash", ["-c", `dirname "$(command -v ${name})"`], "/");
  if (out.code !== 0) throw new Error(`${name} is not on PATH`);
  return out.stdout.trim();
}

Deno.test("the template's CI check proves a pull request's head on an MLflow server", async (t) => {
  const database = `mlp_test_${crypto.randomUUID().replaceAll("-", "")}`;
  await psql(`CREATE DATABASE ${database}`);
  let server: MlflowServer | undefined;
  let scratch: string | undefined;
  try {
    const project = await createProject({ rows: 1500 });
    const parent = join(project.root, "..");
    scratch = parent;
    server = await startMlflowServer(`${POSTGRES}/${database}`, {
      python: SERVER_PYTHON,
      artifactsDir: join(parent, "server-artifacts"),
    });
    const url = server.url;
    const env = { MLFLOW_TRACKING_URI: url };
    // The team's server is named in the project's first commit, so main's history starts clean.
    await project.edit(
      "configs/project_standards.yaml",
      /^tracking_store: .*$/m,
      `tracking_store: ${url}`,
    );
    await project.git(["commit", "--quiet", "--amend", "--no-edit", "-a"]);
    const origin = join(parent, "origin.git");
    await project.git(["init", "--quiet", "--bare", origin]);
    await project.git(["remote", "add", "origin", origin]);
    await project.git(["push", "--quiet", "origin", "main"]);

    await project.git(["checkout", "--quiet", "-b", "agent/shallower"]);
    await project.edit("configs/experiment.yaml", /max_depth: \d+/, "max_depth: 3");
    await project.git(["commit", "--quiet", "-am", "shallower trees"]);
    const head = (await project.git(["rev-parse", "HEAD"])).stdout.trim();
    const run = await project.mlp(["run"], { env });
    equal(run.code, 0, run.stderr);
    const runId = run.stdout.trim().split("\n").at(-1)!;
    await project.git(["push", "--quiet", "origin", "agent/shallower", "refs/notes/mlflow"]);

    // What the workflow gives the script: the team's mlp at a pinned commit, the server (a
    // secret), the commit to prove. PATH: git, npm and the shell's tools, no uv, no Deno.
    const mlpVersion = (await exec("git", ["rev-parse", "HEAD"], MLP_ROOT)).stdout.trim();
    const path = [...new Set([await dirOf("git"), await dirOf("npm"), "/usr/bin", "/bin"])]
      .join(":");
    let checkouts = 0;
    /** Clones the remote as actions/checkout does (whole history, detached at `commit`) and runs the check. */
    const check = async (commit: string, extra: Record<string, string> = {}): Promise<Output> => {
      const ci = join(parent, `ci-${++checkouts}`);
      const tools = join(parent, `tools-${checkouts}`);
      await project.git(["clone", "--quiet", origin, ci]);
      await exec("git", ["-c", "advice.detachedHead=false", "checkout", "--quiet", commit], ci);
      const out = await exec("bash", ["scripts/ci/mlp_check.sh"], ci, {
        PATH: path,
        MLP_REPOSITORY: MLP_ROOT,
        MLP_VERSION: mlpVersion,
        MLFLOW_TRACKING_URI: url,
        MLP_CHECK_COMMIT: commit,
        MLP_CHECK_BRANCH: "main",
        MLP_CHECK_TOOLS: tools,
        ...extra,
      });
      // Each check installs mlp and Deno afresh, as a CI job does (~100 MB): not kept.
      await Deno.remove(ci, { recursive: true });
      if (await exists(tools)) await Deno.remove(tools, { recursive: true });
      return out;
    };

    await t.step("the check passes for the pull request's proven head", async () => {
      const checked = await check(head);
      equal(checked.code, 0, checked.stderr);
      const lines = checked.stdout.trim().split("\n");
      equal(lines[0], `Commit ${head} is proven by MLflow run ${runId}`);
      match(lines.at(-1)!, /^audit clean: /);
      match(checked.stderr, new RegExp(`^mlp-check: mlp ${mlpVersion.slice(0, 12)} `, "m"));
    });

    await t.step("a run named in the description is the one checked", async () => {
      const named = await check(head, {
        MLP_PR_DESCRIPTION: `## Proving run\r\n\r\nMLflow-Run: ${runId}\r\n`,
      });
      equal(named.code, 0, named.stderr);
      equal(named.stdout.split("\n")[0], `Commit ${head} is proven by MLflow run ${runId}`);
      match(
        named.stderr,
        new RegExp(`^mlp-check: the description names MLflow run ${runId}$`, "m"),
      );
    });

    await t.step("the merge through the gate, pushed to main, passes the check", async () => {
      await project.git(["checkout", "--quiet", "main"]);
      const merged = await project.git(
        ["merge", "--no-ff", "agent/shallower", "-m", "Merge agent/shallower"],
        { env, allowFailure: true },
      );
      equal(merged.code, 0, merged.stderr);
      const merge = (await project.git(["rev-parse", "HEAD"])).stdout.trim();
      await project.git(["push", "--quiet", "origin", "main"]);
      const checked = await check(merge);
      equal(checked.code, 0, checked.stderr);
      const lines = checked.stdout.trim().split("\n");
      equal(lines[0], `Merge ${merge}: tip ${head} is proven by MLflow run ${runId}`);
      match(
        lines.at(-1)!,
        /^audit clean: 2 commits on main since [0-9a-f]{12} \(1 proven merge, 1 exception\)/,
      );
    });

    await project.git(["checkout", "--quiet", "-b", "agent/unproven", "main"]);
    await project.edit("configs/experiment.yaml", /max_depth: \d+/, "max_depth: 5");
    await project.git(["commit", "--quiet", "-am", "deeper, never run"]);
    const unproven = (await project.git(["rev-parse", "HEAD"])).stdout.trim();
    await project.git(["push", "--quiet", "origin", "agent/unproven"]);

    await t.step("the check fails for a head no run proves", async () => {
      const checked = await check(unproven);
      equal(checked.code, 1);
      equal(checked.stdout, "");
      match(
        checked.stderr,
        new RegExp(`^error: No MLflow run is named for commit ${unproven.slice(0, 12)}\n`, "m"),
      );
    });

    await t.step("the check fails when the description names a run of another commit", async () => {
      const checked = await check(unproven, { MLP_PR_DESCRIPTION: `MLflow-Run: ${runId}` });
      equal(checked.code, 1);
      match(
        checked.stderr,
        new RegExp(
          `^error: No MLflow run proves commit ${unproven.slice(0, 12)}: the run named does not\n`,
          "m",
        ),
      );
      match(
        checked.stderr,
        new RegExp(`run ${runId}: git_commit: run has "${head}", commit has "${unproven}"`),
      );
    });

    await t.step("without the tracking server secret the check is not set up: exit 2", async () => {
      const checked = await check(unproven, { MLFLOW_TRACKING_URI: "" });
      equal(checked.code, 2);
      equal(
        checked.stderr,
        "mlp-check: error: MLFLOW_TRACKING_URI is not set: the CI file passes it from a CI " +
          "variable or secret (see the header of scripts/ci/mlp_check.sh)\n",
      );
    });
  } finally {
    await server?.stop();
    if (scratch) await Deno.remove(scratch, { recursive: true });
    await psql(`DROP DATABASE ${database} WITH (FORCE)`);
  }
});
