/**
 * The Prometheus provider: one instant query (`POST <address>/api/v1/query`, form `query` and `time`; a 403, 405 or
 * 501 answer is asked again as GET, as Prometheus' Go client does) or a range query (`rangeQuery`), with basic auth,
 * OAuth2 client credentials (oauth2.ts), custom headers, `timeout` (default 30 s), `insecure`, and SigV4 for Amazon
 * Managed Service for Prometheus (an address containing `aps-workspaces` and a `sigv4` block; signed with the
 * function's credentials, or with those of `sigv4.roleArn` when the operator allows that role). The answer goes to
 * the pure `prometheusMeasurement`; every failure is thrown as a ProviderCallError with Argo's wording.
 */
import { evaluateTime } from '../../core/analysis/expr/time-expr.js';
import { goFloatF } from '../../core/analysis/go-format.js';
import { prometheusMeasurement, type PrometheusData } from '../../core/analysis/prometheus-result.js';
import { oauth2Settings, sigv4Applies } from '../../core/analysis/provider-auth.js';
import { formatTime, parseInterval } from '../../core/analysis/time.js';
import type { Measurement, Metric, PrometheusMetric } from '../../core/analysis/types.js';
import type { MeasureResult } from '../../app/ports.js';
import { METRIC_ROLES_SETTING } from '../aws/assume-role.js';
import type { AwsCredentials } from '../aws/eks-token.js';
import { bound, type Bound, type CallContext } from './context.js';
import { ProviderCallError, send, type HttpAnswer } from './http.js';
import { authorization, type Authorization } from './oauth2.js';
import { signAps } from './sigv4.js';

/** Argo's default Prometheus timeout, in seconds. */
export const DEFAULT_PROMETHEUS_TIMEOUT_S = 30;

const fail = (message: string): never => {
  throw new ProviderCallError(message);
};

/** The query endpoint and its form parameters. */
function queryParams(p: PrometheusMetric, now: number): { path: string; form: URLSearchParams } {
  const query = p.query ?? '';
  const r = p.rangeQuery;
  if (!r) return { path: 'api/v1/query', form: new URLSearchParams({ query, time: goFloatF(now / 1000) }) };
  const at = (which: 'start' | 'end'): number => {
    try {
      return evaluateTime(r[which] ?? '', now);
    } catch (e) {
      return fail(`failed to parse rangeQuery.${which} as time: ${(e as Error).message}`);
    }
  };
  const step = parseInterval(r.step ?? '');
  if ('error' in step) fail(`failed to parse rangeQuery.step as duration: ${step.error}`);
  const seconds = (ms: number): string => goFloatF(ms / 1000);
  return {
    path: 'api/v1/query_range',
    form: new URLSearchParams({
      query,
      start: seconds(at('start')),
      end: seconds(at('end')),
      step: seconds('ms' in step ? step.ms : 0),
    }),
  };
}

function address(p: PrometheusMetric): URL {
  if (!p.address) return fail('prometheus address is not configured');
  let url: URL | undefined;
  try {
    url = new URL(p.address);
  } catch {
    url = undefined;
  }
  if (!url || !url.host) return fail('prometheus address is not is url format');
  return url;
}

/** Headers of the request, without a signature: basic auth or the OAuth2 token, then the metric's own headers. */
function plainHeaders(p: PrometheusMetric, token: Authorization | undefined): Record<string, string> {
  const auth = p.authentication ?? {};
  const headers: Record<string, string> = token ? { authorization: token.value } : {};
  const basic = auth.basicAuth;
  if (basic && (basic.username || basic.password)) {
    if (!basic.username) fail('missing mandatory parameter in metric for basic auth setup: username');
    if (!basic.password) fail('missing mandatory parameter in metric for basic auth setup: password');
    headers.authorization = `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`;
  }
  for (const h of p.headers ?? []) headers[h.key.toLowerCase()] = h.value;
  return headers;
}

/** What signs the query when it is to be signed, else undefined (Argo signs only AMP addresses). */
interface Signing {
  region: string;
  credentials: () => Promise<AwsCredentials>;
}

/**
 * The SigV4 region and credentials: the function's own, or `sigv4.roleArn`'s (assumed with STS, when the operator
 * allows that role). An Authorization header next to sigv4 was refused before (`authenticationProblem`).
 */
function sigv4Signing(p: PrometheusMetric, ctx: CallContext, b: Bound): Signing | undefined {
  const s = p.authentication?.sigv4;
  if (!s || !sigv4Applies(p)) return undefined;
  const aws = ctx.aws;
  const region = s.region || aws?.region;
  if (!region) return fail('prometheus sigv4 needs a region (sigv4.region or the function’s AWS_REGION)');
  if (!aws) return fail('prometheus sigv4: no AWS credentials are configured for this control plane');
  const roleArn = s.roleArn;
  if (!roleArn) return { region, credentials: aws.credentials };
  const roles = aws.roles;
  if (!roles)
    return fail(
      `prometheus sigv4.roleArn "${roleArn}" is not an allowed metric role of this control plane (it allows none): list it in ${METRIC_ROLES_SETTING}`,
    );
  return { region, credentials: () => roles.credentials(roleArn, region, b.signal) };
}

/** Argo's (Prometheus client's) error for a non-2xx answer or an error document. */
function answerError(a: HttpAnswer): string | undefined {
  let doc: { status?: string; errorType?: string; error?: string } | undefined;
  try {
    doc = JSON.parse(a.body) as typeof doc;
  } catch {
    doc = undefined;
  }
  const apiError = doc?.status === 'error' ? `${doc.errorType ?? ''}: ${doc.error ?? ''}` : undefined;
  if (a.status === 400 || a.status === 422) return apiError ?? `client_error: client error: ${a.status}`;
  if (a.status >= 400 && a.status < 500) return `client_error: client error: ${a.status}`;
  if (a.status >= 500) return `server_error: server error: ${a.status}`;
  if (a.status < 200 || a.status > 299) return `bad_response: unexpected status ${a.status}`;
  return apiError;
}

function parseData(body: string): { data: PrometheusData; warnings: string[] } {
  let doc: { data?: unknown; warnings?: unknown };
  try {
    doc = JSON.parse(body) as typeof doc;
  } catch (e) {
    return fail(`bad_response: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || typeof doc.data !== 'object' || doc.data === null)
    return fail('bad_response: the answer has no data object');
  const warnings = Array.isArray(doc.warnings) ? doc.warnings.map(String) : [];
  return { data: doc.data as PrometheusData, warnings };
}

/** How each exchange of one measurement authenticates. */
interface Credentials {
  token?: Authorization;
  signing?: Signing;
}

async function exchange(
  p: PrometheusMetric,
  ctx: CallContext,
  method: 'POST' | 'GET',
  target: { url: URL; form: URLSearchParams; creds: Credentials },
  signal: Bound,
): Promise<HttpAnswer> {
  const url = new URL(target.url);
  const headers = plainHeaders(p, target.creds.token);
  let body: string | undefined;
  if (method === 'POST') {
    body = target.form.toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else url.search = target.form.toString();
  const signing = target.creds.signing;
  const signed = signing
    ? await signAps({
        method,
        url,
        headers,
        ...(body !== undefined ? { body } : {}),
        region: signing.region,
        credentials: await signing.credentials(),
      })
    : headers;
  return send(
    {
      method,
      url: url.toString(),
      headers: signed,
      ...(body !== undefined ? { body } : {}),
      insecure: p.insecure === true,
      signal: signal.signal,
      abortReason: signal.reason,
    },
    ctx.policy,
  );
}

/**
 * The measurement's credentials: the OAuth2 token (fetched once, before the first exchange; a failure reads as Go's
 * transport error of the query, `Post "<url>": oauth2: cannot fetch token: 401 Unauthorized`) and the SigV4 signing.
 */
async function credentials(p: PrometheusMetric, ctx: CallContext, b: Bound, url: URL): Promise<Credentials> {
  const signing = sigv4Signing(p, ctx, b);
  const oauth = oauth2Settings(p.authentication?.oauth2);
  if (oauth && 'error' in oauth) return fail(oauth.error);
  if (!oauth) return signing ? { signing } : {};
  try {
    return { token: await authorization(oauth, ctx, b, ctx.tokens) };
  } catch (err) {
    return fail(`Post "${url.toString()}": ${(err as Error).message}`);
  }
}

/**
 * Takes one Prometheus measurement.
 *
 * @throws {@link ProviderCallError} for anything that keeps it from being judged (the caller records an Error).
 */
export async function measurePrometheus(metric: Metric, ctx: CallContext): Promise<MeasureResult> {
  const p = metric.provider.prometheus ?? {};
  const started = ctx.now();
  const base = address(p);
  const timeout = p.timeout ?? DEFAULT_PROMETHEUS_TIMEOUT_S;
  if (timeout < 0) fail('prometheus timeout should not be negative');
  const { path, form } = queryParams(p, started);
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path}`;
  const b = bound(ctx, timeout * 1000);
  try {
    const creds = await credentials(p, ctx, b, url);
    let answer = await exchange(p, ctx, 'POST', { url, form, creds }, b);
    if ([403, 405, 501].includes(answer.status))
      answer = await exchange(p, ctx, 'GET', { url, form, creds }, b);
    if (answer.status === 401 && creds.token) ctx.tokens.drop(creds.token.key);
    const problem = answerError(answer);
    if (problem) fail(problem);
    const { data, warnings } = parseData(answer.body);
    const m: Measurement = prometheusMeasurement(metric, data, ctx.now(), warnings);
    return {
      measurement: { ...m, startedAt: formatTime(started) },
      metadata: { ResolvedPrometheusQuery: p.query ?? '' },
    };
  } finally {
    b.clear();
  }
}
