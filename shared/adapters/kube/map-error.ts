/**
 * Map whatever `@kubernetes/client-node` throws to a {@link KubeApiError}, once, in the I/O layer.
 *
 * - `ApiException` (`{code, body, headers}`; `body` is a JSON *string* of a `Status`) → its code, with reason and
 *   message from the Status.
 * - undici network failures (`TypeError('fetch failed')` with `cause.code`) → code 0, reason = the cause code.
 * - AbortSignal timeouts (`DOMException` named `TimeoutError`/`AbortError`) → code 0, reason `Timeout`.
 * Duck-typed on purpose, so this module does not import client-node.
 */
import { STATUS_CODES } from 'node:http';
import { KubeApiError, type KubeCall } from '../../app/kube-port/errors.js';

/** A `metav1.Status` as far as we read it. */
interface StatusBody {
  reason?: string;
  message?: string;
  code?: number;
}

function parseStatus(body: unknown): StatusBody {
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      return typeof parsed === 'object' && parsed !== null ? (parsed as StatusBody) : { message: body };
    } catch {
      return { message: body.slice(0, 500) };
    }
  }
  return typeof body === 'object' && body !== null ? (body as StatusBody) : {};
}

/** The `Retry-After` header value of an HTTP error, if any. */
export function retryAfterOf(err: unknown): string | undefined {
  const headers = (err as { headers?: Record<string, string> } | undefined)?.headers;
  if (!headers || typeof headers !== 'object') return undefined;
  const v = headers['retry-after'] ?? headers['Retry-After'];
  return typeof v === 'string' ? v : undefined;
}

/** An `ApiException` (not a `DOMException`, whose numeric `code` is a legacy DOM error code). */
function isHttpError(err: unknown): err is { code: number; body?: unknown } {
  if (typeof err !== 'object' || err === null || (err as { name?: string }).name === 'DOMException')
    return false;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' && code >= 100 && code < 600 && 'headers' in err;
}

/** Build the error for an HTTP status and a Status body (also used for watch ERROR events). */
export function statusError(call: KubeCall, code: number, body: unknown, cause?: unknown): KubeApiError {
  const st = parseStatus(body);
  const reason = st.reason || STATUS_CODES[code] || 'Unknown';
  const detail = st.message || STATUS_CODES[code] || 'no detail';
  return new KubeApiError(call, code, reason, detail, cause === undefined ? undefined : { cause });
}

type Thrown = { name?: string; message?: string; cause?: { code?: string; message?: string; name?: string } };

/** A timeout or an abort (fetch's AbortSignal.timeout), as a `Timeout` error; else undefined. */
function timeoutError(call: KubeCall, e: Thrown, err: unknown): KubeApiError | undefined {
  if (e?.name !== 'TimeoutError' && e?.name !== 'AbortError' && e?.cause?.name !== 'TimeoutError')
    return undefined;
  return new KubeApiError(call, 0, 'Timeout', e.message ?? 'request timed out', { cause: err });
}

/** A socket-level failure (the cause carries a code such as ECONNREFUSED); else undefined. */
function socketError(call: KubeCall, e: Thrown, err: unknown): KubeApiError | undefined {
  if (!e?.cause?.code) return undefined;
  return new KubeApiError(call, 0, e.cause.code, e.cause.message ?? e.message ?? 'network error', {
    cause: err,
  });
}

/** Map any thrown value from a client-node call to a {@link KubeApiError} naming the call. */
export function toKubeApiError(call: KubeCall, err: unknown): KubeApiError {
  if (err instanceof KubeApiError) return err;
  if (isHttpError(err)) return statusError(call, err.code, err.body, err);
  const e = err as Thrown;
  const early = timeoutError(call, e, err) ?? socketError(call, e, err);
  if (early) return early;
  if (e?.name === 'RequiredError' || e?.name === 'Error' || e?.name === 'TypeError') {
    const network = e.message === 'fetch failed';
    return new KubeApiError(call, 0, network ? 'NetworkError' : 'ClientError', e.message ?? String(err), {
      cause: err,
    });
  }
  return new KubeApiError(call, 0, 'ClientError', String(e?.message ?? err), { cause: err });
}
