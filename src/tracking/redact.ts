/**
 * Credentials never reach a record or a message: a tracking URI such as
 * `http://user:password@mlflow:5000` or `https://mlflow/?token=…` is shown, logged and handed on
 * only with its user info and secret query values replaced by `***`. Python has the same rule in
 * `mlp_platform.redact` (tested on the same cases).
 *
 * @module
 */

/** What stands in for a removed secret. */
export const REDACTED = "***";

/** `scheme://user:password@`: the user info of every URL in a text, up to the host. */
const USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]*(?:@[^\s/?#@"'<>]*)*@/gi;

/** `?token=…` / `&password=…`: query values whose name says they are secret. */
const SECRET_QUERY =
  /([?&][^\s=&#"'<>]*(?:token|secret|password|passwd|pwd|credential|auth|signature|sig|key)[^\s=&#"'<>]*=)[^\s&#"'<>]*/gi;

/**
 * `text` with the user info of every URL in it (`user:password@`, `user@`) and every secret query
 * value (`token=`, `password=`, `access_key=`, …) replaced by `***`. Works on a bare URI and on a
 * message or traceback that quotes one; text without URLs comes back unchanged.
 *
 * @example Usage
 * ```ts
 * import { redactUri } from "./redact.ts";
 * redactUri("http://ana:pw@mlflow:5000/?token=t"); // => "http://***@mlflow:5000/?token=***"
 * ```
 */
export function redactUri(text: string): string {
  return text.replace(USER_INFO, `$1${REDACTED}@`).replace(SECRET_QUERY, `$1${REDACTED}`);
}

/** A URL's user info, split off: the URL without it, and the decoded user name and password. */
export interface SplitCredentials {
  /** The URL without user info (unchanged when it had none, or is not a URL). */
  uri: string;
  /** The decoded user name, `undefined` without user info. */
  username?: string;
  /** The decoded password, `undefined` without one. */
  password?: string;
}

/**
 * Splits the user info off an `http(s)://` URL, so that it travels as credentials (MLflow's
 * MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD, an Authorization header) and never as
 * part of a URL that a library might print or record.
 */
export function splitCredentials(uri: string): SplitCredentials {
  if (!/^https?:\/\//i.test(uri)) return { uri };
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { uri };
  }
  if (url.username === "" && url.password === "") return { uri };
  const username = decodeURIComponent(url.username);
  const password = url.password === "" ? undefined : decodeURIComponent(url.password);
  const scheme = uri.slice(0, uri.indexOf("://") + 3);
  const rest = uri.slice(scheme.length);
  return {
    uri: scheme + rest.slice(rest.lastIndexOf("@", authorityEnd(rest)) + 1),
    username,
    password,
  };
}

/** Where the authority of `rest` (a URL after `scheme://`) ends. */
function authorityEnd(rest: string): number {
  const end = rest.search(/[/?#]/);
  return end < 0 ? rest.length : end;
}

/**
 * The environment that hands MLflow's Python client the store at `uri`: MLFLOW_TRACKING_URI
 * without user info, which travels as MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD instead
 * (MLflow sends them as HTTP basic auth), so that no URL MLflow prints or stores carries them.
 */
export function trackingEnv(uri: string): Record<string, string> {
  const split = splitCredentials(uri);
  const env: Record<string, string> = { MLFLOW_TRACKING_URI: split.uri };
  if (split.username !== undefined) env.MLFLOW_TRACKING_USERNAME = split.username;
  if (split.password !== undefined) env.MLFLOW_TRACKING_PASSWORD = split.password;
  return env;
}
