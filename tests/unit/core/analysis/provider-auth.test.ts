/**
 * The credentials settings of prometheus and web metrics, checked before any request: a table of metrics and the
 * message each gets (none when it may be measured).
 */
import { describe, expect, it } from '@jest/globals';
import {
  authenticationProblem,
  OAUTH2_MISSING,
  oauth2Settings,
} from '../../../../shared/core/analysis/provider-auth.js';
import { sluiceProvider } from '../../../../shared/core/analysis/validate.js';
import type { Metric } from '../../../../shared/core/analysis/types.js';

const oauth2 = { tokenUrl: 'https://idp.example/token', clientId: 'sluice', clientSecret: 's3cret' };
const AMP = 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1';
const AUTH_HEADER = [{ key: 'authorization', value: 'Bearer x' }];

const prom = (p: Record<string, unknown>): Metric => ({ name: 'm', provider: { prometheus: p } });
const web = (w: Record<string, unknown>): Metric => ({
  name: 'm',
  provider: { web: { url: 'https://x', ...w } },
});

describe('authenticationProblem', () => {
  it.each<[string, Metric, string | undefined]>([
    ['prometheus with complete oauth2', prom({ authentication: { oauth2 } }), undefined],
    [
      'web with complete oauth2 and scopes',
      web({ authentication: { oauth2: { ...oauth2, scopes: ['a'] } } }),
      undefined,
    ],
    [
      'an empty oauth2 block (no OAuth2, as in Argo)',
      web({ authentication: { oauth2: { scopes: [] } } }),
      undefined,
    ],
    [
      'oauth2 without tokenUrl',
      web({ authentication: { oauth2: { ...oauth2, tokenUrl: '' } } }),
      OAUTH2_MISSING,
    ],
    [
      'oauth2 without clientId',
      prom({ authentication: { oauth2: { ...oauth2, clientId: '' } } }),
      OAUTH2_MISSING,
    ],
    [
      'oauth2 without clientSecret',
      web({ authentication: { oauth2: { ...oauth2, clientSecret: undefined } } }),
      OAUTH2_MISSING,
    ],
    [
      'web oauth2 and an Authorization header',
      web({ headers: AUTH_HEADER, authentication: { oauth2 } }),
      'web authentication.oauth2 and an Authorization header cannot be combined: the header would replace the token',
    ],
    ['web with only an Authorization header', web({ headers: AUTH_HEADER }), undefined],
    [
      'prometheus oauth2 and an Authorization header',
      prom({ headers: [{ key: 'Authorization', value: 'x' }], authentication: { oauth2 } }),
      'prometheus authentication.oauth2 and an Authorization header cannot be combined: the header would replace its credentials',
    ],
    [
      'prometheus basicAuth and an Authorization header',
      prom({ headers: AUTH_HEADER, authentication: { basicAuth: { username: 'u', password: 'p' } } }),
      'prometheus authentication.basicAuth and an Authorization header cannot be combined: the header would replace its credentials',
    ],
    [
      'sigv4 on an AMP address and an Authorization header',
      prom({ address: AMP, headers: AUTH_HEADER, authentication: { sigv4: { region: 'eu-west-1' } } }),
      'prometheus sigv4 and an Authorization header cannot be combined: the header would replace the signature',
    ],
    [
      'sigv4 off an AMP address (not applied, as in Argo) and an Authorization header',
      prom({
        address: 'https://prom',
        headers: AUTH_HEADER,
        authentication: { sigv4: { region: 'eu-west-1' } },
      }),
      undefined,
    ],
    [
      'oauth2 and basicAuth',
      prom({ authentication: { oauth2, basicAuth: { username: 'u', password: 'p' } } }),
      'prometheus authentication: use one of basicAuth, oauth2 and sigv4, not basicAuth and oauth2',
    ],
    [
      'oauth2 and sigv4 on an AMP address',
      prom({
        address: AMP,
        authentication: { oauth2, sigv4: { roleArn: 'arn:aws:iam::123456789012:role/r' } },
      }),
      'prometheus authentication: use one of basicAuth, oauth2 and sigv4, not oauth2 and sigv4',
    ],
    [
      'sigv4.roleArn alone',
      prom({ address: AMP, authentication: { sigv4: { roleArn: 'arn:aws:iam::1:role/r' } } }),
      undefined,
    ],
    ['a cloudWatch metric', { name: 'm', provider: { cloudWatch: {} } }, undefined],
  ])('%s', (_what, metric, expected) => {
    expect(authenticationProblem(metric)).toBe(expected);
    // the run and `sluice validate` both get it through sluiceProvider
    const kind = sluiceProvider(metric);
    expect(typeof kind === 'string' ? undefined : kind.error).toBe(expected);
  });
});

describe('oauth2Settings', () => {
  it('keeps the scopes in order, without empty ones; undefined when nothing is requested', () => {
    expect(oauth2Settings({ ...oauth2, scopes: ['read', '', 'metrics'] })).toEqual({
      ...oauth2,
      scopes: ['read', 'metrics'],
    });
    expect(oauth2Settings(undefined)).toBeUndefined();
    expect(oauth2Settings({})).toBeUndefined();
    expect(oauth2Settings({ clientId: 'a' })).toEqual({ error: OAUTH2_MISSING });
  });
});
