/** The worked signing example in docs/security.md is what signRequest computes, and what its shell lines print. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { signRequest } from '../../../../shared/app/http-api/webhook-auth.js';

const doc = readFileSync(new URL('../../../../docs/security.md', import.meta.url), 'utf8');
const block = /<!-- signing-example -->\n```sh\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
const value = (name: string): string => {
  const m = new RegExp(`(?:^|[ ;])${name}=('[^']*'|[^ ;\\n]+)`, 'm').exec(block);
  if (!m) throw new Error(`docs/security.md signing example: no ${name}= found`);
  return (m[1] as string).replace(/^'(.*)'$/, '$1');
};
const expected = /^# ([0-9a-f]{64})$/m.exec(block)?.[1];

describe('docs/security.md signing example', () => {
  it('states a signature', () => {
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the signature signRequest makes for its values', () => {
    const headers = signRequest({
      secret: value('SECRET'),
      keyId: 'doc',
      method: value('method'),
      path: value('path'),
      body: value('body'),
      idempotencyKey: value('key'),
      now: new Date(Number(value('ts')) * 1000),
    });
    expect(headers['x-sluice-signature']).toBe(`v1=${expected}`);
    expect(headers['idempotency-key']).toBe(value('key'));
  });

  it('is what its shell lines print with openssl', () => {
    const printed = execFileSync('sh', ['-c', block], { encoding: 'utf8' }).trim();
    expect(printed).toBe(expected);
  });
});
