/**
 * Hyperparameters keep the type their spec in project_standards.yaml gives them, from YAML to the
 * estimator and to the record. JavaScript has one number type and JSON writes `1.0` as `1`, which
 * Python reads as an int, and estimators tell the two apart (scikit-learn's `max_samples=1` is one
 * row, `1.0` all rows). So the plan carries each hyperparameter's spec type for the trainer, and a
 * `number` is logged as a float (`"1.0"`).
 *
 * @module
 */
import type { HyperparameterValue } from "../config/experiment.ts";
import type { HyperparameterSpec } from "../config/standards.ts";
import type { HyperparameterType } from "../contract/lists.ts";

/**
 * The spec type of each hyperparameter the config sets.
 *
 * @param values The validated config's `hyperparameters`.
 * @param specs The standards' table for the config's model type.
 * @throws {Error} when a value has no spec: the config was not validated against these standards,
 *   a bug in mlp.
 */
export function hyperparameterTypes(
  values: Record<string, HyperparameterValue>,
  specs: Record<string, HyperparameterSpec>,
): Record<string, HyperparameterType> {
  const types: Record<string, HyperparameterType> = {};
  for (const name of Object.keys(values)) {
    if (!Object.hasOwn(specs, name)) {
      throw new Error(`hyperparameter "${name}" has no spec: the config was not validated`);
    }
    types[name] = specs[name].type;
  }
  return types;
}

/**
 * The MLflow params of the hyperparameters, `hyperparameters.<name>` → text; a `number` is written
 * as Python writes a float, with a decimal point or an exponent (`1` → `"1.0"`).
 *
 * @example Usage
 * ```ts
 * import { hyperparameterParams } from "./hyperparameters.ts";
 * hyperparameterParams({ max_samples: 1, max_depth: 4 }, { max_samples: "number", max_depth: "integer" });
 * // => { "hyperparameters.max_samples": "1.0", "hyperparameters.max_depth": "4" }
 * ```
 */
export function hyperparameterParams(
  values: Record<string, HyperparameterValue>,
  types: Record<string, HyperparameterType>,
): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    const text = String(value);
    const float = types[name] === "number" && !/[.eE]/.test(text);
    params[`hyperparameters.${name}`] = float ? `${text}.0` : text;
  }
  return params;
}
