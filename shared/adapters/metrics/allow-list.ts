/**
 * Which addresses a metric provider call may reach, per cluster. sluice is a hosted control plane: a template's
 * provider address is a request sluice makes on a tenant's behalf, so addresses that are not public (loopback,
 * link-local with the cloud metadata endpoints, private and shared ranges, their IPv6 equivalents) are refused unless
 * the operator allows them for that cluster. The check runs on the resolved IP, and the connection goes to that IP
 * (see `http.ts`), so a name that resolves differently the second time cannot slip past it.
 */
import { BlockList, isIP } from 'node:net';

/** A non-public range and what it is, for the refusal message. */
interface Range {
  net: string;
  prefix: number;
  what: string;
}

const V4: Range[] = [
  { net: '0.0.0.0', prefix: 8, what: '"this network"' },
  { net: '10.0.0.0', prefix: 8, what: 'private' },
  { net: '100.64.0.0', prefix: 10, what: 'shared address space' },
  { net: '127.0.0.0', prefix: 8, what: 'loopback' },
  { net: '169.254.0.0', prefix: 16, what: 'link-local' },
  { net: '172.16.0.0', prefix: 12, what: 'private' },
  { net: '192.0.0.0', prefix: 24, what: 'IETF protocol assignments' },
  { net: '192.168.0.0', prefix: 16, what: 'private' },
  { net: '198.18.0.0', prefix: 15, what: 'benchmarking' },
  { net: '224.0.0.0', prefix: 4, what: 'multicast' },
  { net: '240.0.0.0', prefix: 4, what: 'reserved' },
];

const V6: Range[] = [
  { net: '::', prefix: 128, what: 'unspecified' },
  { net: '::1', prefix: 128, what: 'loopback' },
  { net: '::ffff:0:0', prefix: 96, what: 'IPv4-mapped' },
  { net: '64:ff9b::', prefix: 96, what: 'IPv4/IPv6 translation' },
  { net: 'fc00::', prefix: 7, what: 'unique local (private)' },
  { net: 'fe80::', prefix: 10, what: 'link-local' },
  { net: 'ff00::', prefix: 8, what: 'multicast' },
];

/**
 * Instance and task metadata endpoints (EC2 IMDS, ECS task credentials, EKS Pod Identity): they hand out the
 * machine's credentials, so only an allow entry naming exactly that address opens them, never a wider range.
 */
const METADATA = ['169.254.169.254', '169.254.170.2', '169.254.170.23', 'fd00:ec2::254', 'fd00:ec2::23'];

/** A malformed allow-list entry. */
export class AllowListError extends Error {
  override readonly name = 'AllowListError';
}

/** The operator's allowed non-public addresses for one cluster. */
export interface AllowList {
  /** The entries as written (for messages). */
  readonly entries: readonly string[];
  readonly blocks: BlockList;
  /** Addresses allowed one by one (a `/32` or `/128` entry, or a bare address). */
  readonly exact: ReadonlySet<string>;
}

const family = (ip: string): 'ipv4' | 'ipv6' => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');

/** Canonical text of an address (`::FFFF:7f00:1` and `::ffff:127.0.0.1` compare equal). */
function canonical(ip: string): string {
  const probe = new BlockList();
  probe.addAddress(ip, family(ip));
  return JSON.stringify(probe.rules);
}

/**
 * Parses an allow-list: CIDR ranges (`10.0.0.0/8`, `fd00::/8`) or single addresses (`127.0.0.1`).
 *
 * @throws {@link AllowListError} naming the entry and what is wrong with it.
 * @example parseAllowList(['10.20.0.0/16', '127.0.0.1'])
 */
export function parseAllowList(entries: readonly string[], where = 'metric provider allow-list'): AllowList {
  const blocks = new BlockList();
  const exact = new Set<string>();
  for (const [i, raw] of entries.entries()) {
    if (typeof raw !== 'string') throw new AllowListError(`${where}[${i}] must be a string`);
    const [addr = '', bits, extra] = raw.trim().split('/');
    const v = isIP(addr);
    const max = v === 6 ? 128 : 32;
    const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
    if (v === 0 || extra !== undefined || !(prefix >= 0 && prefix <= max)) {
      throw new AllowListError(
        `${where}[${i}] "${raw}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, 127.0.0.1, fd00::/8)`,
      );
    }
    blocks.addSubnet(addr, prefix, family(addr));
    if (prefix === max) exact.add(canonical(addr));
  }
  return { entries: [...entries], blocks, exact };
}

/** The empty allow-list: only public addresses. */
export const PUBLIC_ONLY: AllowList = parseAllowList([]);

function rangeOf(ip: string): Range | undefined {
  const list = isIP(ip) === 6 ? V6 : V4;
  return list.find((r) => {
    const b = new BlockList();
    b.addSubnet(r.net, r.prefix, family(r.net));
    return b.check(ip, family(ip));
  });
}

const METADATA_KEYS = new Set(METADATA.map(canonical));

/**
 * Why `ip` may not be reached under `allow`, or `undefined` when it may. Public addresses are always allowed.
 *
 * @example refusal('127.0.0.1', PUBLIC_ONLY) // 'loopback'
 */
export function refusal(ip: string, allow: AllowList): string | undefined {
  if (isIP(ip) === 0) return 'not an IP address';
  const key = canonical(ip);
  if (METADATA_KEYS.has(key)) return allow.exact.has(key) ? undefined : 'cloud metadata endpoint';
  const range = rangeOf(ip);
  if (!range) return undefined;
  return allow.blocks.check(ip, family(ip)) ? undefined : range.what;
}
