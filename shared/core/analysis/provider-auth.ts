/**
 * The credentials a prometheus or web metric asks for, checked before any request: OAuth2 client credentials need
 * all of `tokenUrl`, `clientId` and `clientSecret` (Argo's message), and a metric uses one way to authenticate. A
 * custom `Authorization` header is applied last (innermost) by Argo, so next to basicAuth, OAuth2 or SigV4 it would
 * silently replace their credentials: refused instead. Pure module: no I/O imports.
 */
import type { Metric, PrometheusMetric, WebMetric } from './types.js';

/** Argo's message for an incomplete `oauth2` block. */
export const OAUTH2_MISSING = 'missing mandatory parameter in metric for OAuth2 setup';

/** OAuth2 client credentials of a metric, complete. */
export interface OAuth2Settings {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
}

type OAuth2Block = NonNullable<NonNullable<WebMetric['authentication']>['oauth2']>;

const filled = (v: unknown): boolean =>
  v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);

/** True when the block sets anything (an empty `oauth2: {}` is no OAuth2, as in Argo). */
export function oauth2Requested(block: OAuth2Block | undefined): boolean {
  return block !== undefined && block !== null && Object.values(block).some(filled);
}

/**
 * The OAuth2 settings of a block, `undefined` when none are requested, or Argo's error when one of `tokenUrl`,
 * `clientId`, `clientSecret` is missing. (Argo ignores a block without `tokenUrl` and sends the query without
 * credentials; sluice refuses it, since the template clearly meant to authenticate.)
 *
 * @example oauth2Settings({ tokenUrl: 'https://idp/token', clientId: 'a' }) // { error: 'missing mandatory ...' }
 */
export function oauth2Settings(
  block: OAuth2Block | undefined,
): OAuth2Settings | undefined | { error: string } {
  if (!oauth2Requested(block) || !block) return undefined;
  const { tokenUrl, clientId, clientSecret } = block;
  if (!tokenUrl || !clientId || !clientSecret) return { error: OAUTH2_MISSING };
  return { tokenUrl, clientId, clientSecret, scopes: (block.scopes ?? []).filter((s) => s !== '') };
}

/** True when Argo would sign the Prometheus query with SigV4: an AMP address and a non-empty `sigv4` block. */
export function sigv4Applies(p: PrometheusMetric): boolean {
  const s = p.authentication?.sigv4;
  return !!p.address?.includes('aps-workspaces') && !!s && Object.values(s).some((v) => !!v);
}

const hasAuthorizationHeader = (headers: { key: string }[] | undefined): boolean =>
  (headers ?? []).some((h) => h.key.toLowerCase() === 'authorization');

function prometheusProblem(p: PrometheusMetric): string | undefined {
  const basic = p.authentication?.basicAuth;
  const used = [
    ...(basic && (basic.username || basic.password) ? ['basicAuth'] : []),
    ...(oauth2Requested(p.authentication?.oauth2) ? ['oauth2'] : []),
    ...(sigv4Applies(p) ? ['sigv4'] : []),
  ];
  if (used.length > 1)
    return `prometheus authentication: use one of basicAuth, oauth2 and sigv4, not ${used.join(' and ')}`;
  const oauth = oauth2Settings(p.authentication?.oauth2);
  if (oauth && 'error' in oauth) return oauth.error;
  if (!hasAuthorizationHeader(p.headers) || used.length === 0) return undefined;
  if (used[0] === 'sigv4')
    return 'prometheus sigv4 and an Authorization header cannot be combined: the header would replace the signature';
  return `prometheus authentication.${used[0]} and an Authorization header cannot be combined: the header would replace its credentials`;
}

function webProblem(w: WebMetric): string | undefined {
  const oauth = oauth2Settings(w.authentication?.oauth2);
  if (oauth && 'error' in oauth) return oauth.error;
  if (oauth && hasAuthorizationHeader(w.headers))
    return 'web authentication.oauth2 and an Authorization header cannot be combined: the header would replace the token';
  return undefined;
}

/**
 * What is wrong with a metric's credentials settings, or `undefined`. The measurement's Error message and
 * `sluice validate`'s finding.
 *
 * @example authenticationProblem({ name: 'm', provider: { web: { authentication: { oauth2: { clientId: 'a' } } } } })
 * // 'missing mandatory parameter in metric for OAuth2 setup'
 */
export function authenticationProblem(metric: Metric): string | undefined {
  const p = metric.provider ?? {};
  if (p.prometheus) return prometheusProblem(p.prometheus);
  if (p.web) return webProblem(p.web);
  return undefined;
}
