/**
 * The supervisor reports to mlp through JSON lines on its stdout (everything human goes to its
 * stderr). This module parses that channel with the contract's schemas (`src/contract/events.ts`);
 * it touches nothing.
 *
 * @module
 */
import { parseEventLine, type SupervisorEvent, supervisorEventSchema } from "../contract/events.ts";

/**
 * Parses one line of the supervisor's event channel.
 *
 * @returns the event, or `undefined` for a blank line
 * @throws {SyntaxError} when the line is not an event of the contract: the supervisor and mlp
 * disagree, which is a bug in mlp; the message holds the line
 */
export function parseEvent(line: string): SupervisorEvent | undefined {
  return parseEventLine(supervisorEventSchema, line, "supervisor");
}
