import assert from "node:assert/strict";
import { redactUri, splitCredentials } from "./redact.ts";

/** The cases both redactors are held to (src/python/tests/test_redact.py has the same). */
const REDACTION_CASES: [string, string][] = [
  ["http://ana:s3cret@127.0.0.1:5000", "http://***@127.0.0.1:5000"],
  ["https://ana@mlflow.internal/", "https://***@mlflow.internal/"],
  ["https://ana:p%40ss@mlflow.internal:443/api", "https://***@mlflow.internal:443/api"],
  ["http://ana:pa@ss@host:1/x@y", "http://***@host:1/x@y"],
  ["https://mlflow/?token=abc123&x=1", "https://mlflow/?token=***&x=1"],
  [
    "https://mlflow/api?x=1&access_key=K&Password=P#f",
    "https://mlflow/api?x=1&access_key=***&Password=***#f",
  ],
  [
    'The MLflow server "http://u:pw@h:5000" is not reachable: GET http://u:pw@h:5000/health failed',
    'The MLflow server "http://***@h:5000" is not reachable: GET http://***@h:5000/health failed',
  ],
  ["sqlite:///mlflow.db", "sqlite:///mlflow.db"],
  ["sqlite:////abs/mlflow.db?timeout=20", "sqlite:////abs/mlflow.db?timeout=20"],
  ["http://127.0.0.1:5000", "http://127.0.0.1:5000"],
  ["ana@example.com wrote http://h/a?b=c", "ana@example.com wrote http://h/a?b=c"],
];

Deno.test("redactUri replaces user info and secret query values, in a URI or in a text", () => {
  for (const [text, redacted] of REDACTION_CASES) assert.equal(redactUri(text), redacted, text);
});

Deno.test("splitCredentials takes the user info off an http(s) URL, decoded", () => {
  assert.deepEqual(splitCredentials("http://ana:p%40ss@127.0.0.1:5000/"), {
    uri: "http://127.0.0.1:5000/",
    username: "ana",
    password: "p@ss",
  });
  assert.deepEqual(splitCredentials("https://ana@mlflow"), {
    uri: "https://mlflow",
    username: "ana",
    password: undefined,
  });
  assert.deepEqual(splitCredentials("http://127.0.0.1:5000"), { uri: "http://127.0.0.1:5000" });
  assert.deepEqual(splitCredentials("sqlite:///mlflow.db"), { uri: "sqlite:///mlflow.db" });
});
