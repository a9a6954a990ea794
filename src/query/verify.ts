/**
 * `--verify`: the full seal check (`tracking/seal.ts` `checkSeal`: params, tags, metric history
 * and every artifact's hash against the `mlp.seal` digest) of each run a query counts. Too slow
 * for every query of 10,000 runs, so it is asked for; the git note on the run's commit, which the
 * merge gate also compares, is not read here (the stores may belong to other projects' clones).
 *
 * @module
 */
import { dirname } from "node:path";
import { openRestRunReader } from "../tracking/rest_reader.ts";
import { checkSeal } from "../tracking/seal.ts";
import { openSqliteRunReader } from "../tracking/sqlite_reader.ts";
import type { RunReader } from "../tracking/run_record.ts";
import type { QueryRun } from "./record.ts";

/** The runs whose seal holds, and the broken ones with why. */
export async function verifyRuns(
  runs: readonly QueryRun[],
  env: Record<string, string | undefined>,
): Promise<{ kept: QueryRun[]; broken: { run: QueryRun; why: string[] }[] }> {
  const readers = new Map<string, RunReader>();
  const kept: QueryRun[] = [];
  const broken: { run: QueryRun; why: string[] }[] = [];
  try {
    for (const run of runs) {
      let reader = readers.get(run.store);
      if (!reader) {
        reader = /^https?:\/\//.test(run.store)
          ? openRestRunReader(run.store, env)
          : openSqliteRunReader(run.store, dirname(run.store));
        readers.set(run.store, reader);
      }
      const record = await reader.getRun(run.runId);
      const why = record ? await checkSeal(reader, record) : ["the run is no longer in the store"];
      if (why.length === 0) kept.push(run);
      else broken.push({ run, why });
    }
  } finally {
    for (const reader of readers.values()) reader.close();
  }
  return { kept, broken };
}
