import assert from "node:assert/strict";
import { join } from "node:path";
import { parseStandards } from "../config/standards.ts";
import { CheckError, MlpError } from "../errors.ts";
import { git, makeProject, writeFiles } from "../hooks/testing.ts";
import { STANDARDS_PATH } from "../project/paths.ts";
import { writeMlflowRuns } from "../tracking/testing.ts";
import { openGateStore, sameStore } from "./gate_store.ts";

Deno.test("sameStore() compares SQLite files by path and servers without credentials", () => {
  const root = "/work/p";
  assert.ok(sameStore(root, "sqlite:///mlflow.db", "sqlite:////work/p/mlflow.db"));
  assert.ok(sameStore(root, "sqlite:///./mlflow.db", "sqlite:///mlflow.db"));
  assert.ok(!sameStore(root, "sqlite:///other.db", "sqlite:///mlflow.db"));
  assert.ok(!sameStore(root, "sqlite:///mlflow.db", "http://127.0.0.1:5000"));
  assert.ok(sameStore(root, "http://ana:pw@mlflow.bank:5000/", "http://mlflow.bank:5000"));
  assert.ok(!sameStore(root, "http://mlflow.bank:5000", "http://mlflow.bank:5001"));
  assert.ok(!sameStore(root, "https://mlflow.bank", "http://mlflow.bank"));
});

Deno.test("tracking_store is 'project' or a server address without credentials", () => {
  const standards = (value: string) =>
    Deno.readTextFileSync(join(import.meta.dirname!, "../../configs/project_standards.yaml"))
      .replace(/^tracking_store: .*$/m, `tracking_store: ${value}`);
  assert.equal(parseStandards(standards("project"), STANDARDS_PATH).tracking_store, "project");
  assert.equal(
    parseStandards(standards("https://mlflow.bank:5000"), STANDARDS_PATH).tracking_store,
    "https://mlflow.bank:5000",
  );
  assert.throws(
    () => parseStandards(standards("https://ana:secret@mlflow.bank"), STANDARDS_PATH),
    (error: unknown) => {
      assert.ok(error instanceof MlpError);
      assert.match(error.details.join("\n"), /tracking_store.*with no\s+user name or password/s);
      assert.doesNotMatch(`${error.message}${error.details}`, /secret/);
      return true;
    },
  );
});

Deno.test("the merge gate reads only the store the committed standards name", async (t) => {
  const root = await makeProject();
  const other = await Deno.makeTempDir({ prefix: "mlp-other-store-" });
  await writeMlflowRuns(`sqlite:///${join(root, "mlflow.db")}`, [{ status: "FINISHED" }]);
  const refused = (uri: string, named: string) => (error: unknown) => {
    assert.ok(error instanceof CheckError);
    assert.equal(
      error.message,
      `MLFLOW_TRACKING_URI "${uri}" is not the store this project's runs must be in: ` +
        `configs/project_standards.yaml at HEAD names ${named}`,
    );
    assert.equal(
      error.hint,
      "unset MLFLOW_TRACKING_URI (mlp then reads the committed store), or change tracking_store " +
        "in configs/project_standards.yaml and merge that change (it applies once it is at HEAD)",
    );
    return true;
  };

  await t.step("by default the project's mlflow.db, however the URI spells it", async () => {
    for (const uri of [undefined, "sqlite:///mlflow.db", `sqlite:///${join(root, "mlflow.db")}`]) {
      const reader = await openGateStore(root, { MLFLOW_TRACKING_URI: uri }, () => {});
      assert.equal(reader.location, join(root, "mlflow.db"));
      reader.close();
    }
  });

  await t.step("another store named by MLFLOW_TRACKING_URI is refused", async () => {
    const uri = `sqlite:///${join(other, "mlflow.db")}`;
    await assert.rejects(
      () => openGateStore(root, { MLFLOW_TRACKING_URI: uri }, () => {}),
      refused(uri, `"project" (the project's mlflow.db)`),
    );
  });

  await t.step("a committed server address refuses the project's own file", async () => {
    const standards = await Deno.readTextFile(join(root, STANDARDS_PATH));
    await writeFiles(root, {
      [STANDARDS_PATH]: standards.replace(
        /^tracking_store: .*$/m,
        "tracking_store: https://mlflow.bank:5000",
      ),
    });
    await git(root, ["commit", "-q", "--no-verify", "-am", "Team store"]);
    await assert.rejects(
      () => openGateStore(root, { MLFLOW_TRACKING_URI: "sqlite:///mlflow.db" }, () => {}),
      refused("sqlite:///mlflow.db", '"https://mlflow.bank:5000"'),
    );
  });
  await Deno.remove(root, { recursive: true });
  await Deno.remove(other, { recursive: true });
});
