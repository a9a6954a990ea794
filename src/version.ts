/** The version of mlp, logged as `mlp_version` on every run. Kept in step with deno.json. */
export const MLP_VERSION = "0.1.0";
