/**
 * The mlp command tree. Each capability contributes its commands through a `register…` function;
 * commands stay thin: parse arguments, call the capability, print, return.
 *
 * @module
 */
import type { Command } from "commander";
import { baseProgram } from "./program_base.ts";
import { registerSchema } from "./schema.ts";
import { registerValidate } from "./validate.ts";
import { registerGuard } from "./guard.ts";
import { registerRun } from "./run.ts";
import { registerData } from "./data.ts";
import { registerHooks } from "./hooks.ts";
import { registerLog } from "./log.ts";
import { registerVerifyRun } from "./verify_run.ts";
import { registerRuns } from "./runs.ts";
import { registerBackup } from "./backup.ts";
import { registerCost } from "./cost.ts";
import { registerOutcome } from "./outcome.ts";
import { registerQuery } from "./query.ts";
import { registerPromote } from "./promote.ts";
import { registerCard } from "./card.ts";
import { registerAudit } from "./audit.ts";
import { registerReproduce } from "./reproduce.ts";
import { registerDrift } from "./drift.ts";

/** Builds the full `mlp` command tree (`baseProgram` and every command), ready for `parseAsync`. */
export function buildProgram(): Command {
  const program = baseProgram();
  registerRun(program);
  registerValidate(program);
  registerSchema(program);
  registerData(program);
  registerGuard(program);
  registerHooks(program);
  registerLog(program);
  registerVerifyRun(program);
  registerRuns(program);
  registerBackup(program);
  registerCost(program);
  registerOutcome(program);
  registerQuery(program);
  registerPromote(program);
  registerCard(program);
  registerAudit(program);
  registerReproduce(program);
  registerDrift(program);
  return program;
}
