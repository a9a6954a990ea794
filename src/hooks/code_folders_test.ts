import assert from "node:assert/strict";
import { checkCodeFolders, dataExtension, maxFileBytes } from "./code_folders.ts";

const DEFAULTS = await Deno.readTextFile(
  new URL("../../configs/project_standards.yaml", import.meta.url),
);
const withLimit = (bytes: number) =>
  DEFAULTS.replace("max_file_bytes: 200000", `max_file_bytes: ${bytes}`);

Deno.test("dataExtension() names tables, arrays and pickles as written, compressed too", () => {
  assert.equal(dataExtension("src/rows.csv"), ".csv");
  assert.equal(dataExtension("src/Rows.PARQUET"), ".PARQUET");
  assert.equal(dataExtension("configs/rows.csv.gz"), ".csv");
  assert.equal(dataExtension("src/model.joblib"), ".joblib");
  assert.equal(dataExtension("src/features.py"), undefined);
  assert.equal(dataExtension("configs/experiment.schema.json"), undefined);
  assert.equal(dataExtension("src/archive.zip"), undefined);
});

Deno.test("maxFileBytes() takes the lower of HEAD's and the staged limit; unreadable sides count as the default", () => {
  assert.equal(maxFileBytes(withLimit(500_000), withLimit(300_000)), 300_000);
  assert.equal(maxFileBytes(withLimit(1000), withLimit(300_000)), 1000);
  assert.equal(maxFileBytes(withLimit(1000), null), 1000);
  assert.equal(maxFileBytes("not: [valid", withLimit(500_000)), 200_000);
  assert.equal(maxFileBytes(null, null), 200_000);
});

Deno.test("checkCodeFolders() judges only staged, kept files in src/ and configs/, asking the limit lazily", () => {
  let asked = 0;
  const limit = () => {
    asked++;
    return 10;
  };
  const problems = checkCodeFolders(
    [
      { status: "A", path: "src/rows.csv" },
      { status: "D", path: "src/big.txt" },
      { status: "M", path: "notebooks/big.txt" },
      { status: "A", path: "configs/small.yaml" },
      { status: "M", path: "src/big.py" },
    ],
    (path) => (path.includes("big") ? 11 : 10),
    limit,
  );
  assert.deepEqual(problems.map((p) => [p.file, p.message]), [
    ["src/rows.csv", 'a data file (".csv") in src/, which holds code and configs only'],
    [
      "src/big.py",
      "the file is 11 bytes, over the limit of 10 bytes for src/ and configs/ " +
      "(code_files.max_file_bytes in configs/project_standards.yaml)",
    ],
  ]);
  assert.equal(asked, 2);
  assert.deepEqual(checkCodeFolders([{ status: "A", path: "src/rows.csv" }], () => 1, limit), [
    checkCodeFolders([{ status: "A", path: "src/rows.csv" }], () => 1, limit)[0],
  ]);
  assert.equal(asked, 2);
});
