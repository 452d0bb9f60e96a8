/**
 * The web provider: one HTTP request (`method`, default GET; `headers`; `body` or `jsonBody` with POST or PUT;
 * `timeoutSeconds`, default 10 s for the whole request; `insecure`), redirects followed within the allow-list. The
 * answer goes to the pure `webMeasurement`, which judges JSON through `jsonPath` and any other body as a string
 * (Argo 1.10 and earlier passed non-JSON bodies whatever the conditions said, #4535).
 */
import { webMeasurement } from '../../core/analysis/web-result.js';
import { formatTime } from '../../core/analysis/time.js';
import type { Metric, WebMetric } from '../../core/analysis/types.js';
import type { MeasureResult } from '../../app/ports.js';
import { bound, type CallContext } from './context.js';
import { ProviderCallError, send } from './http.js';

/** Argo's web timeout when `timeoutSeconds` is unset or not positive. */
export const DEFAULT_WEB_TIMEOUT_S = 10;

function payload(w: WebMetric, method: string): { body?: string; json: boolean } {
  const hasBody = w.body !== undefined && w.body !== '';
  const hasJson = w.jsonBody !== undefined && w.jsonBody !== null;
  if (hasBody && hasJson)
    throw new ProviderCallError('use either Body or JSONBody; both cannot exists for WebMetric payload');
  if ((hasBody || hasJson) && method !== 'POST' && method !== 'PUT')
    throw new ProviderCallError('Body/JSONBody can only be used with POST or PUT WebMetric Method types');
  if (hasJson) return { body: JSON.stringify(w.jsonBody), json: true };
  return hasBody ? { body: w.body as string, json: false } : { json: false };
}

/**
 * Takes one web measurement.
 *
 * @throws {@link ProviderCallError} when the request cannot be made or answered (the caller records an Error).
 */
export async function measureWeb(metric: Metric, ctx: CallContext): Promise<MeasureResult> {
  const w = metric.provider.web ?? {};
  const started = ctx.now();
  if (w.authentication?.oauth2 && Object.keys(w.authentication.oauth2).length > 0)
    throw new ProviderCallError('web authentication.oauth2 is not supported by sluice: use headers');
  const method = w.method || 'GET';
  const { body, json } = payload(w, method);
  const headers: Record<string, string> = {};
  for (const h of w.headers ?? []) headers[h.key.toLowerCase()] = h.value;
  if (json) headers['content-type'] = 'application/json';
  const timeout =
    w.timeoutSeconds !== undefined && w.timeoutSeconds > 0 ? w.timeoutSeconds : DEFAULT_WEB_TIMEOUT_S;
  const b = bound(ctx, timeout * 1000);
  try {
    const answer = await send(
      {
        method,
        url: w.url ?? '',
        headers,
        ...(body !== undefined ? { body } : {}),
        insecure: w.insecure === true,
        signal: b.signal,
        abortReason: b.reason,
      },
      ctx.policy,
    );
    const m = webMeasurement(metric, { status: answer.status, body: answer.body }, ctx.now());
    return { measurement: { ...m, startedAt: formatTime(started) } };
  } finally {
    b.clear();
  }
}
