import { equal, throws } from "node:assert/strict";
import { CheckError, InputError } from "../errors.ts";
import { parseRunId, resolveRunId } from "./resolve.ts";

const A = "0123456789abcdef0123456789abcdef";
const B = "0123456799999999999999999999999a";
const C = "fedcba9876543210fedcba9876543210";

Deno.test("a run ID is 8 to 32 hex characters, case folded", () => {
  equal(parseRunId("0123ABCD"), "0123abcd");
  equal(parseRunId(A), A);
  for (const bad of ["0123abc", `${A}0`, "0123abcg", ""]) {
    throws(() => parseRunId(bad), (error) => {
      equal((error as InputError).exitCode, 2);
      equal((error as Error).message, `"${bad}" is not an MLflow run ID`);
      return true;
    });
  }
});

Deno.test("a unique prefix resolves; an ambiguous one lists the runs; an unknown one suggests the closest", () => {
  equal(resolveRunId("01234567", [A, C], "mlflow.db"), A);
  equal(resolveRunId("012345678", [A, B, C], "mlflow.db"), A);
  equal(resolveRunId(A, [A, A], "mlflow.db"), A);
  throws(() => resolveRunId("01234567", [A, B, C], "mlflow.db"), (error) => {
    equal(error instanceof InputError, true);
    equal((error as InputError).message, 'Run ID prefix "01234567" is ambiguous: 2 runs start so');
    equal((error as InputError).details.join(","), `${A},${B}`);
    return true;
  });
  throws(() => resolveRunId("01234577", [A, C], "mlflow.db"), (error) => {
    equal(error instanceof CheckError, true);
    equal(
      (error as CheckError).message,
      `No run "01234577" in the store "mlflow.db" (did you mean "${A}"?)`,
    );
    return true;
  });
  throws(() => resolveRunId("99999999", [A, C], "mlflow.db"), (error) => {
    equal((error as CheckError).message, 'No run "99999999" in the store "mlflow.db"');
    equal((error as CheckError).exitCode, 1);
    return true;
  });
});
