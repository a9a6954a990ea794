import assert from "node:assert/strict";
import { constantString, stringValue } from "./python_strings.ts";
import { tokenizePython } from "./python_tokens.ts";

function valueOf(literal: string): string | undefined {
  return stringValue(tokenizePython(literal)[0].value);
}

Deno.test("stringValue() decodes literals as Python does: prefixes, triple quotes, escapes", () => {
  assert.equal(valueOf("'fit'"), "fit");
  assert.equal(valueOf('"""m.fit(\nX)"""'), "m.fit(\nX)");
  assert.equal(valueOf(String.raw`"\x66\u0069\U00000074\146"`), "fitf");
  assert.equal(valueOf(String.raw`'a\nb\tc\\d\'e\"'`), "a\nb\tc\\d'e\"");
  assert.equal(valueOf(String.raw`r'a\nb'`), String.raw`a\nb`);
  assert.equal(valueOf(String.raw`b'\x66it'`), "fit");
  assert.equal(valueOf("'a\\\nb'"), "ab");
  assert.equal(valueOf(String.raw`'\q'`), String.raw`\q`);
  assert.equal(valueOf("'unterminated"), "unterminated");
});

Deno.test("stringValue() gives an f-string's literal parts, and undefined for its fields", () => {
  assert.equal(valueOf('f"data/{{x}}"'), "data/{x}");
  assert.equal(valueOf('f"data/{x}"'), undefined);
  assert.equal(stringValue('f"data/{x}/y"', { fields: "" }), "data//y");
});

Deno.test("constantString() folds literals joined by juxtaposition, + and parentheses", () => {
  const at = (source: string) => {
    const tokens = tokenizePython(source);
    return constantString(tokens, tokens.findIndex((t) => t.value === "(") + 1);
  };
  assert.deepEqual(at('f("fi" "t", 1)'), { value: "fit", end: 4 });
  assert.deepEqual(at("f('f' + ('i' + 't'))"), { value: "fit", end: 9 });
  assert.equal(at("f(x)"), undefined);
  assert.equal(at("f('a' + x)"), undefined);
  assert.equal(at("f('a'.upper())"), undefined);
  assert.equal(at("f()"), undefined);
});
