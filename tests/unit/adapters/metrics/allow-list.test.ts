/**
 * The metric provider allow-list: which resolved addresses a provider call may reach, as a table.
 */
import { describe, expect, it } from '@jest/globals';
import {
  AllowListError,
  parseAllowList,
  PUBLIC_ONLY,
  refusal,
} from '../../../../shared/adapters/metrics/allow-list.js';

describe('refusal with no allow entries (public addresses only)', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.169.254', 'cloud metadata endpoint'],
    ['169.254.170.2', 'cloud metadata endpoint'],
    ['fd00:ec2::254', 'cloud metadata endpoint'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared address space'],
    ['fd12:3456::1', 'unique local (private)'],
    ['0.0.0.0', '"this network"'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'IPv4-mapped'],
    ['::ffff:7f00:1', 'IPv4-mapped'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['not-an-ip', 'not an IP address'],
  ])('%s is refused (%s)', (ip, why) => {
    expect(refusal(ip, PUBLIC_ONLY)).toBe(why);
  });

  it.each(['8.8.8.8', '52.94.1.1', '172.32.0.1', '2600:1f18::1', '192.169.0.1'])('%s is allowed', (ip) => {
    expect(refusal(ip, PUBLIC_ONLY)).toBeUndefined();
  });
});

describe('refusal with operator entries', () => {
  const allow = parseAllowList(['127.0.0.1', '10.20.0.0/16', 'fd00:1::/32', '169.254.0.0/16']);

  it.each([
    ['127.0.0.1', undefined],
    ['::ffff:127.0.0.1', undefined],
    ['127.0.0.2', 'loopback'],
    ['10.20.30.40', undefined],
    ['10.21.0.1', 'private'],
    ['fd00:1:2::3', undefined],
    ['fd00:2::1', 'unique local (private)'],
    ['169.254.10.10', undefined],
    // a range never opens a metadata endpoint: only an entry naming it does
    ['169.254.169.254', 'cloud metadata endpoint'],
  ])('%s → %s', (ip, why) => {
    expect(refusal(ip, allow)).toBe(why);
  });

  it('opens a metadata endpoint only when named exactly', () => {
    expect(refusal('169.254.169.254', parseAllowList(['169.254.169.254/32']))).toBeUndefined();
  });
});

describe('parseAllowList', () => {
  it.each([
    ['10.0.0.0/33', '[0] "10.0.0.0/33" is not an IP address or CIDR range'],
    ['example.com', '[0] "example.com" is not an IP address or CIDR range'],
    ['10.0.0.0/8/1', '[0] "10.0.0.0/8/1" is not an IP address or CIDR range'],
    ['::/129', '[0] "::/129" is not an IP address or CIDR range'],
    ['10.0.0.0/x', '[0] "10.0.0.0/x" is not an IP address or CIDR range'],
  ])('refuses %s naming the entry', (entry, msg) => {
    expect(() => parseAllowList([entry], 'clusters[0].allowMetricAddresses')).toThrow(AllowListError);
    expect(() => parseAllowList([entry], 'clusters[0].allowMetricAddresses')).toThrow(
      `clusters[0].allowMetricAddresses${msg}`,
    );
  });
});
