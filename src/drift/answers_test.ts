import assert from "node:assert/strict";
import { InputError } from "../errors.ts";
import { answersDiffer, parseAnswers } from "./answers.ts";

const TEXT = "# Written by Copier\n_commit: v1.0.0\n_src_path: gh:bank/mlp\nproject_name: p\n" +
  "positive_class: 1\n";

Deno.test("parseAnswers reads the source, the version and the answers", () => {
  assert.deepEqual(parseAnswers(TEXT), {
    src: "gh:bank/mlp",
    commit: "v1.0.0",
    data: { project_name: "p", positive_class: 1 },
  });
});

Deno.test("parseAnswers refuses a file without a source or a version, naming the field", () => {
  assert.throws(
    () => parseAnswers("_src_path: /opt/mlp\nproject_name: p\n"),
    (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.message, "the answers file records no template version");
      assert.deepEqual(error.location, {
        file: ".copier-answers.yml",
        line: undefined,
        field: "_commit",
      });
      return true;
    },
  );
  assert.throws(
    () => parseAnswers("_commit: 1\n_src_path: /opt/mlp\n"),
    (error: unknown) =>
      error instanceof InputError && error.location?.line === 1 &&
      error.message === "the answers file records no template version",
  );
  assert.throws(() => parseAnswers("- a\n"), /the answers file is not a YAML mapping/);
});

Deno.test("answers differ by value, not by comments or order", () => {
  const a = parseAnswers(TEXT);
  assert.equal(answersDiffer(a, parseAnswers(`# another comment\n${TEXT}`)), false);
  assert.equal(
    answersDiffer(
      a,
      parseAnswers("positive_class: 1\nproject_name: p\n_src_path: gh:bank/mlp\n_commit: v1.0.0\n"),
    ),
    false,
  );
  assert.equal(answersDiffer(a, parseAnswers(TEXT.replace("v1.0.0", "v1.1.0"))), true);
  assert.equal(answersDiffer(a, parseAnswers(TEXT.replace("class: 1", "class: bad"))), true);
});
