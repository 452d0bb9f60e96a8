/**
 * The bounds of `sluice run`'s HTTP API on everything a client controls (docs/security.md, "Bounds of the HTTP
 * API"): how long headers and a whole request may take, how long a connection may sit idle (before its first byte
 * or between keep-alive requests), and how many connections may be open, in total and per source address. Read
 * once at start from the environment; a malformed variable fails the start naming it.
 */
import { readFileSync } from 'node:fs';

/** The bounds of the local HTTP API. */
export interface HttpLimits {
  /** `SLUICE_HTTP_HEADERS_TIMEOUT_MS`: from a request's first byte to the end of its headers (default 10 000). */
  readonly headersTimeoutMs: number;
  /** `SLUICE_HTTP_REQUEST_TIMEOUT_MS`: from a request's first byte to the end of its body (default 30 000). */
  readonly requestTimeoutMs: number;
  /**
   * `SLUICE_HTTP_IDLE_TIMEOUT_MS`: a connection that sends nothing for this long, before its first request or
   * between keep-alive requests, is closed (default 5 000).
   */
  readonly idleTimeoutMs: number;
  /**
   * `SLUICE_HTTP_MAX_CONNECTIONS`: connections open at once (default 256), further lowered to half the process's
   * soft open-file limit when that is known. A connection past the cap is answered 503 and closed.
   */
  readonly maxConnections: number;
  /** `SLUICE_HTTP_MAX_CONNECTIONS_PER_SOURCE`: connections open at once from one address (default 32). */
  readonly maxConnectionsPerSource: number;
}

/** The defaults (docs/security.md). */
export const DEFAULT_HTTP_LIMITS: HttpLimits = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 5_000,
  maxConnections: 256,
  maxConnectionsPerSource: 32,
});

/** A malformed `SLUICE_HTTP_*` variable. */
export class HttpLimitsError extends Error {
  override readonly name = 'HttpLimitsError';
}

type Env = Record<string, string | undefined>;

function integer(env: Env, key: string, fallback: number, range: [number, number]): number {
  const raw = env[key]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range[0] || value > range[1])
    throw new HttpLimitsError(
      `environment variable ${key} must be an integer in ${range[0]}..${range[1]}, got "${raw}"`,
    );
  return value;
}

/**
 * The limits from the environment (defaults for unset variables). The headers timeout may not exceed the request
 * timeout (node:http would then apply the headers timeout to the body as well).
 *
 * @example
 * const limits = readHttpLimits(process.env); // limits.requestTimeoutMs === 30000
 */
export function readHttpLimits(env: Env): HttpLimits {
  const d = DEFAULT_HTTP_LIMITS;
  const limits: HttpLimits = Object.freeze({
    headersTimeoutMs: integer(env, 'SLUICE_HTTP_HEADERS_TIMEOUT_MS', d.headersTimeoutMs, [100, 600_000]),
    requestTimeoutMs: integer(env, 'SLUICE_HTTP_REQUEST_TIMEOUT_MS', d.requestTimeoutMs, [100, 600_000]),
    idleTimeoutMs: integer(env, 'SLUICE_HTTP_IDLE_TIMEOUT_MS', d.idleTimeoutMs, [100, 600_000]),
    maxConnections: integer(env, 'SLUICE_HTTP_MAX_CONNECTIONS', d.maxConnections, [1, 100_000]),
    maxConnectionsPerSource: integer(
      env,
      'SLUICE_HTTP_MAX_CONNECTIONS_PER_SOURCE',
      d.maxConnectionsPerSource,
      [1, 100_000],
    ),
  });
  if (limits.headersTimeoutMs > limits.requestTimeoutMs)
    throw new HttpLimitsError(
      `SLUICE_HTTP_HEADERS_TIMEOUT_MS (${limits.headersTimeoutMs}) must not exceed SLUICE_HTTP_REQUEST_TIMEOUT_MS (${limits.requestTimeoutMs})`,
    );
  return limits;
}

/**
 * The connection cap in force: the configured one, lowered to half the soft open-file limit when that is known, so
 * the other half stays for the Kubernetes connections, watches and files; at least 1.
 */
export function connectionCap(configured: number, softOpenFiles: number | undefined): number {
  if (softOpenFiles === undefined) return configured;
  return Math.max(1, Math.min(configured, Math.floor(softOpenFiles / 2)));
}

/**
 * The soft `RLIMIT_NOFILE` of this process from `/proc/self/limits` (Node has no API for it); undefined where that
 * file does not exist or says "unlimited".
 */
export function softOpenFileLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return undefined;
    }
  }
  const m = /^Max open files\s+(\d+)\s/m.exec(text);
  return m ? Number(m[1]) : undefined;
}
