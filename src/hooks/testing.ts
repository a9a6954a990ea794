/**
 * Test support: a client project in a temporary git repository, with the real hook scripts from
 * `hooks/` installed by `mlp hooks install`, and helpers that run real git and `bin/mlp` in it.
 * Git runs isolated from the machine's configuration, with a fixed identity.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";
import { gitCode, projectCodeHash } from "../fingerprint/code_hash.ts";
import { featurePipelineHash, gitTreeReader } from "../fingerprint/feature_hash.ts";
import { DATASET } from "../config/testing.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** The environment every git and mlp call of a test runs with. */
export const TEST_ENV: Record<string, string> = {
  PATH: `${join(REPO, "bin")}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
  HOME: Deno.env.get("HOME") ?? "/tmp",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Ana Test",
  GIT_AUTHOR_EMAIL: "ana@example.com",
  GIT_COMMITTER_NAME: "Ana Test",
  GIT_COMMITTER_EMAIL: "ana@example.com",
  MLFLOW_TRACKING_URI: "",
};

/** What a process printed and how it exited. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `command args` in `cwd` with {@linkcode TEST_ENV}, capturing output. */
export async function run(cwd: string, command: string, args: string[]): Promise<Ran> {
  const output = await new Deno.Command(command, {
    args,
    cwd,
    env: TEST_ENV,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Runs git in `root`; throws with git's stderr when it fails unless `allowFailure`. */
export async function git(root: string, args: string[], allowFailure = false): Promise<Ran> {
  const ran = await run(root, "git", args);
  if (ran.code !== 0 && !allowFailure) {
    throw new Error(`git ${args.join(" ")} failed (${ran.code}):\n${ran.stderr}`);
  }
  return ran;
}

/** Runs `bin/mlp` in `root`. */
export function mlp(root: string, args: string[]): Promise<Ran> {
  return run(root, join(REPO, "bin/mlp"), args);
}

/** Writes files (project-relative path → text), creating folders. */
export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(dirname(join(root, path)), { recursive: true });
    await Deno.writeTextFile(join(root, path), text);
  }
}

/** A valid experiment config for mlp's default standards, naming {@linkcode DATASET}. */
export const EXPERIMENT = (await Deno.readTextFile(
  join(REPO, "src/config/testdata/experiment.yaml"),
)).replace(/^dataset_version: .*$/m, `dataset_version: ${DATASET.hash}`);

/**
 * Creates a client project with one commit on `main`: the default standards, a valid experiment
 * config and reasoning, the dataset the config names, src/features.py and src/model.py, uv.lock, an empty override log, and the hook scripts
 * installed with `mlp hooks install`. Returns its root.
 */
export async function makeProject(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "mlp-hooks-" });
  await git(root, ["init", "-q", "-b", "main"]);
  await writeFiles(root, {
    "configs/project_standards.yaml": await Deno.readTextFile(
      join(REPO, "configs/project_standards.yaml"),
    ),
    "configs/experiment.yaml": EXPERIMENT,
    "configs/reasoning.yaml": await Deno.readTextFile(
      join(REPO, "src/config/testdata/reasoning.yaml"),
    ),
    "src/features.py": "import helpers\n\n\ndef build_features(df, config):\n    return df\n",
    "src/helpers.py": "def lag(x):\n    return x\n",
    "src/model.py": "def build_model(model_type, hyperparameters, random_seed):\n    return None\n",
    "uv.lock": "version = 1\n",
    "logs/protected_overrides.log": "",
    "data/shadow/.gitkeep": "",
    ...Object.fromEntries(
      Object.entries(DATASET.files).map(([path, text]) => [
        `data/shadow/${DATASET.hash}/${path}`,
        text,
      ]),
    ),
    ".gitignore": "mlflow.db\nmlruns/\n",
  });
  await Deno.mkdir(join(root, ".githooks"), { recursive: true });
  for (const name of ["pre-commit", "pre-merge-commit", "commit-msg"]) {
    await Deno.copyFile(join(REPO, "hooks", name), join(root, ".githooks", name));
  }
  const installed = await mlp(root, ["hooks", "install"]);
  if (installed.code !== 0) throw new Error(`mlp hooks install failed:\n${installed.stderr}`);
  await git(root, ["add", "-A"]);
  await git(root, ["commit", "-q", "-m", "Initial commit"]);
  return root;
}

/** Stages everything and commits through the real hooks; returns git's result. */
export async function commitAll(root: string, message = "Change"): Promise<Ran> {
  await git(root, ["add", "-A"]);
  return await git(root, ["commit", "-q", "-m", message], true);
}

/**
 * The params a run needs to prove `commit` of a project made by {@linkcode makeProject}, with
 * `configs/experiment.yaml` unchanged: fingerprints computed from the commit's tree.
 */
export async function provingParams(root: string, commit: string): Promise<Record<string, string>> {
  const sha = (await git(root, ["rev-parse", commit])).stdout.trim();
  const lock = (await git(root, ["show", `${sha}:uv.lock`])).stdout;
  const features = await featurePipelineHash(gitTreeReader(root, sha), {
    windows: [7, 30],
    drop_columns: [],
  });
  const dataset = /dataset_version: (\w+)/.exec(EXPERIMENT)![1];
  return {
    git_commit: sha,
    git_dirty: "false",
    dependency_lock_hash: createHash("sha256").update(lock).digest("hex"),
    dataset_hash: dataset,
    dataset_version: dataset,
    feature_pipeline_hash: features.hash,
    project_code_hash: (await projectCodeHash(gitCode(root, sha))).hash,
    "protected.metric_definition": "roc_auc",
    "protected.split_strategy": "stratified_kfold",
    "protected.target_column": "default",
    "protected.positive_class": "1",
    model_type: "xgboost",
  };
}
