import { equal } from "node:assert/strict";
import { defaultRunName, RUN_NAME_MAX } from "./run_name.ts";

Deno.test("defaultRunName() is the category and the first words of the change, in kebab case", () => {
  equal(
    defaultRunName({
      hypothesis_category: "feature_engineering",
      change_description: "Add the debt-to-income ratio; it should separate defaulters.",
    }),
    "feature_engineering-add-the-debt-to-income-ratio",
  );
});

Deno.test("defaultRunName() drops what is not a letter or digit, apostrophes joining", () => {
  equal(
    defaultRunName({
      hypothesis_category: "model_architecture",
      change_description: "Baseline: the template's «features» & défaut\n\tparams",
    }),
    "model_architecture-baseline-the-templates-features-d-faut",
  );
});

Deno.test("defaultRunName() cuts at a word boundary within RUN_NAME_MAX characters", () => {
  const name = defaultRunName({
    hypothesis_category: "hyperparameter_tuning",
    change_description: "supercalifragilistic ".repeat(10),
  });
  equal(name, "hyperparameter_tuning-supercalifragilistic-supercalifragilistic");
  equal(name.length <= RUN_NAME_MAX, true);
});

Deno.test("defaultRunName() is the category alone when the change has no word", () => {
  equal(
    defaultRunName({ hypothesis_category: "data_quality", change_description: " … " }),
    "data_quality",
  );
});
