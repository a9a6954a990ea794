import assert from "node:assert/strict";
import { listFiles, TEMPLATE_DIR } from "./files.ts";
import { generatedPath, inTemplateOnlyFolder, isScaffoldPath, scaffoldFiles } from "./scaffold.ts";

Deno.test("the project's own folders are not scaffold; everything else the template makes is", () => {
  for (const path of ["src/features.py", "configs/experiment.yaml", "configs/reasoning.yaml"]) {
    assert.equal(isScaffoldPath(path), false, path);
  }
  for (const path of ["configs/project_standards.yaml", "data/shadow/.gitkeep"]) {
    assert.equal(isScaffoldPath(path), false, path);
  }
  assert.equal(isScaffoldPath("logs/protected_overrides.log"), false);
  for (const path of ["README.md", ".githooks/pre-commit", "uv.lock", "tests/test_model.py"]) {
    assert.equal(isScaffoldPath(path), true, path);
  }
  assert.equal(isScaffoldPath(".copier-answers.yml"), true);
  // "src" alone is a file name, not the folder.
  assert.equal(isScaffoldPath("srcs/x"), true);
  assert.equal(inTemplateOnlyFolder(".githooks/post-checkout"), true);
  assert.equal(inTemplateOnlyFolder("skills/mine.md"), false);
});

Deno.test("template paths map to the files Copier writes", () => {
  assert.equal(generatedPath("AGENTS.md.jinja"), "AGENTS.md");
  assert.equal(generatedPath("CLAUDE.md"), "CLAUDE.md");
  assert.equal(generatedPath("{{_copier_conf.answers_file}}.jinja"), ".copier-answers.yml");
  assert.equal(generatedPath("configs/experiment.yaml.jinja"), "configs/experiment.yaml");
});

Deno.test("the scaffold of mlp's own template", async () => {
  assert.deepEqual(scaffoldFiles(await listFiles(TEMPLATE_DIR)), [
    ".claude/settings.json",
    ".copier-answers.yml",
    ".dockerignore",
    ".githooks/commit-msg",
    ".githooks/pre-commit",
    ".githooks/pre-merge-commit",
    ".github/pull_request_template.md",
    ".github/workflows/mlp.yml",
    ".gitignore",
    ".gitlab-ci.yml",
    ".pre-commit-config.yaml",
    ".python-version",
    "AGENTS.md",
    "CLAUDE.md",
    "Dockerfile",
    "README.md",
    "pyproject.toml",
    "scripts/ci/mlp_check.sh",
    "skills/backup_and_restore.md",
    "skills/hyperparameter_search.md",
    "skills/model_comparison.md",
    "skills/new_feature.md",
    "skills/promote_model.md",
    "tests/conftest.py",
    "tests/test_configs.py",
    "tests/test_features.py",
    "tests/test_model.py",
    "tests/test_src_guard.py",
    "uv.lock",
  ]);
});
