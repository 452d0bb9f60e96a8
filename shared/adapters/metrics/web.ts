/**
 * The web provider: one HTTP request (`method`, default GET; `headers`; `body` or `jsonBody` with POST or PUT;
 * `timeoutSeconds`, default 10 s for the whole request, the token request included; `insecure`; OAuth2 client
 * credentials, oauth2.ts), redirects followed within the allow-list. The answer goes to the pure `webMeasurement`, which judges JSON through `jsonPath` and any other body as a string
 * (Argo 1.10 and earlier passed non-JSON bodies whatever the conditions said, #4535).
 */
import { oauth2Settings } from '../../core/analysis/provider-auth.js';
import { webMeasurement } from '../../core/analysis/web-result.js';
import { formatTime } from '../../core/analysis/time.js';
import type { Metric, WebMetric } from '../../core/analysis/types.js';
import type { MeasureResult } from '../../app/ports.js';
import { bound, type Bound, type CallContext } from './context.js';
import { ProviderCallError, send } from './http.js';
import { authorization, type Authorization } from './oauth2.js';

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

const goMethod = (m: string): string => m.charAt(0).toUpperCase() + m.slice(1).toLowerCase();

/**
 * The OAuth2 token of the request, if the metric has `authentication.oauth2`; a failure reads as Go's transport
 * error of the request (`Get "<url>": oauth2: cannot fetch token: 401 Unauthorized`).
 */
async function token(
  w: WebMetric,
  method: string,
  ctx: CallContext,
  b: Bound,
): Promise<Authorization | undefined> {
  const oauth = oauth2Settings(w.authentication?.oauth2);
  if (oauth && 'error' in oauth) throw new ProviderCallError(oauth.error);
  if (!oauth) return undefined;
  try {
    return await authorization(oauth, ctx, b, ctx.tokens);
  } catch (err) {
    throw new ProviderCallError(`${goMethod(method)} "${w.url ?? ''}": ${(err as Error).message}`);
  }
}

/**
 * Takes one web measurement.
 *
 * @throws {@link ProviderCallError} when the request cannot be made or answered (the caller records an Error).
 */
export async function measureWeb(metric: Metric, ctx: CallContext): Promise<MeasureResult> {
  const w = metric.provider.web ?? {};
  const started = ctx.now();
  const method = w.method || 'GET';
  const { body, json } = payload(w, method);
  const timeout =
    w.timeoutSeconds !== undefined && w.timeoutSeconds > 0 ? w.timeoutSeconds : DEFAULT_WEB_TIMEOUT_S;
  const b = bound(ctx, timeout * 1000);
  try {
    const auth = await token(w, method, ctx, b);
    const headers: Record<string, string> = auth ? { authorization: auth.value } : {};
    for (const h of w.headers ?? []) headers[h.key.toLowerCase()] = h.value;
    if (json) headers['content-type'] = 'application/json';
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
    if (answer.status === 401 && auth) ctx.tokens.drop(auth.key);
    const m = webMeasurement(metric, { status: answer.status, body: answer.body }, ctx.now());
    return { measurement: { ...m, startedAt: formatTime(started) } };
  } finally {
    b.clear();
  }
}
