import { describe, expect, it } from '@jest/globals';
import {
  connectionCap,
  DEFAULT_HTTP_LIMITS,
  readHttpLimits,
  softOpenFileLimit,
} from '../../../../shared/runtimes/local/http-limits.js';
import { refusalBytes, sourceOf } from '../../../../shared/runtimes/local/connection-gate.js';

describe('readHttpLimits', () => {
  it('defaults when nothing is set, values as given otherwise', () => {
    expect(readHttpLimits({})).toEqual(DEFAULT_HTTP_LIMITS);
    expect(
      readHttpLimits({ SLUICE_HTTP_MAX_CONNECTIONS: '50', SLUICE_HTTP_HEADERS_TIMEOUT_MS: '2000' }),
    ).toMatchObject({ maxConnections: 50, headersTimeoutMs: 2000, requestTimeoutMs: 30_000 });
  });

  it.each([
    [
      { SLUICE_HTTP_MAX_CONNECTIONS: '0' },
      'SLUICE_HTTP_MAX_CONNECTIONS must be an integer in 1..100000, got "0"',
    ],
    [{ SLUICE_HTTP_IDLE_TIMEOUT_MS: '1.5' }, 'SLUICE_HTTP_IDLE_TIMEOUT_MS must be an integer'],
    [
      { SLUICE_HTTP_HEADERS_TIMEOUT_MS: '40000' },
      'SLUICE_HTTP_HEADERS_TIMEOUT_MS (40000) must not exceed SLUICE_HTTP_REQUEST_TIMEOUT_MS (30000)',
    ],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => readHttpLimits(env)).toThrow(message);
  });
});

describe('connectionCap', () => {
  it.each([
    [256, undefined, 256],
    [256, 1024, 256],
    [256, 300, 150],
    [256, 1, 1],
  ])('configured %d with a soft limit of %p: %d', (configured, soft, cap) => {
    expect(connectionCap(configured, soft)).toBe(cap);
  });
});

describe('softOpenFileLimit', () => {
  const limits = (soft: string) =>
    `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                 4096                 files\n`;
  it('reads the soft limit; unlimited or absent is unknown', () => {
    expect(softOpenFileLimit(limits('1024'))).toBe(1024);
    expect(softOpenFileLimit(limits('unlimited'))).toBeUndefined();
    expect(softOpenFileLimit('')).toBeUndefined();
  });
});

describe('connection refusal', () => {
  it('is a complete 503 with Connection: close and Retry-After', () => {
    const text = refusalBytes(5, '64 connections open');
    const [head, body] = text.split('\r\n\r\n') as [string, string];
    expect(head.split('\r\n')).toEqual([
      'HTTP/1.1 503 Service Unavailable',
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      'Retry-After: 5',
    ]);
    expect(JSON.parse(body)).toEqual({ message: 'server busy: 64 connections open; retry later' });
  });

  it('counts an IPv4-mapped address as the IPv4 source', () => {
    expect(sourceOf({ remoteAddress: '::ffff:127.0.0.2' })).toBe('127.0.0.2');
    expect(sourceOf({ remoteAddress: '::1' })).toBe('::1');
  });
});
