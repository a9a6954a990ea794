/**
 * A quick look at an MLflow tracking server before a run starts. MLflow's own client retries an
 * unreachable server with exponential backoff for about four minutes; mlp refuses in seconds
 * instead, before anything is recorded or any project code runs.
 *
 * @module
 */
import { CheckError } from "../errors.ts";
import { redactUri, splitCredentials } from "./redact.ts";

/** How long the server may take to answer its health check. */
const TIMEOUT_MS = 5_000;

/**
 * Checks that the MLflow server behind an `http(s)://` tracking URI answers `GET /health`.
 * Other URIs (`sqlite:///…`) are not servers and pass.
 *
 * @throws {CheckError} when the server does not answer, or answers with an error status
 */
export async function checkTrackingServer(uri: string): Promise<void> {
  if (!/^https?:\/\//i.test(uri)) return;
  const { uri: bare, username, password } = splitCredentials(uri);
  const url = `${bare.replace(/\/+$/, "")}/health`;
  const headers: Record<string, string> = {};
  if (username !== undefined) {
    headers.authorization = `Basic ${btoa(`${username}:${password ?? ""}`)}`;
  }
  let status: number;
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
    await response.body?.cancel();
    status = response.status;
  } catch (error) {
    throw unreachable(uri, describe(error));
  }
  if (status >= 400) throw unreachable(uri, `GET ${redactUri(url)} answered HTTP ${status}`);
}

/** The most specific reason of a failed fetch ("fetch failed" alone says little). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return redactUri(`${error.message}${cause}`);
}

function unreachable(uri: string, why: string): CheckError {
  return new CheckError(`The MLflow server "${redactUri(uri)}" is not reachable: ${why}`, {
    hint: "check MLFLOW_TRACKING_URI (unset it to use the project's mlflow.db) and that the " +
      "server is up; nothing was recorded and no project code ran",
  });
}
