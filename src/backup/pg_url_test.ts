import { deepEqual, equal, throws } from "node:assert/strict";
import { InputError } from "../errors.ts";
import { otherDatabase, parseDatabaseUrl, quoteIdentifier, versionProblem } from "./pg_url.ts";

const VARIABLE = "MLP_BACKUP_DATABASE_URL";

Deno.test("parseDatabaseUrl(): the credentials leave the URI for PGUSER / PGPASSWORD", () => {
  deepEqual(parseDatabaseUrl("postgresql+psycopg://ana:p%40ss@db:5432/mlflow", VARIABLE), {
    uri: "postgresql://db:5432/mlflow",
    name: "mlflow",
    env: { PGUSER: "ana", PGPASSWORD: "p@ss" },
  });
  deepEqual(
    parseDatabaseUrl("postgres://db/mlflow?sslmode=require&password=s3cret&user=bo", VARIABLE),
    {
      uri: "postgresql://db/mlflow?sslmode=require",
      name: "mlflow",
      env: { PGUSER: "bo", PGPASSWORD: "s3cret" },
    },
  );
  deepEqual(parseDatabaseUrl("postgresql://127.0.0.1:5432/runs", VARIABLE).env, {});
});

Deno.test("parseDatabaseUrl(): a URL that names no PostgreSQL database is refused, redacted", () => {
  for (
    const [value, why] of [
      ["mysql://ana:pw@db/mlflow", "it must start with postgresql://"],
      ["postgresql://ana:pw@db:5432/", "it names no database"],
      ["postgresql://ana:pw@db:port/x", "it is not a valid URL"],
    ]
  ) {
    throws(() => parseDatabaseUrl(value, VARIABLE), (error: unknown) => {
      equal(error instanceof InputError, true);
      equal(
        (error as Error).message,
        `${VARIABLE} "${
          value.replace("ana:pw@", "***@")
        }" is not a PostgreSQL database URL: ${why}`,
      );
      return true;
    });
  }
});

Deno.test("otherDatabase(), quoteIdentifier(), versionProblem()", () => {
  const source = parseDatabaseUrl("postgresql://ana:pw@db:5432/mlflow?sslmode=require", VARIABLE);
  deepEqual(otherDatabase(source, "postgres"), {
    uri: "postgresql://db:5432/postgres?sslmode=require",
    name: "postgres",
    env: { PGUSER: "ana", PGPASSWORD: "pw" },
  });
  equal(quoteIdentifier('we"ird'), '"we""ird"');
  equal(versionProblem(15, 15), undefined);
  equal(versionProblem(16, 15), undefined);
  equal(
    versionProblem(15, 16),
    "pg_dump is version 15, the server 16: pg_dump cannot dump a newer server",
  );
});
