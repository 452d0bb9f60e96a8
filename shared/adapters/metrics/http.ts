/**
 * The one HTTP client of the metric providers: every hop's host is resolved once, each resolved address checked
 * against the cluster's allow-list, and the connection made to that checked address (a DNS answer that changes
 * between the check and the connect cannot redirect it). Redirects are followed only to allowed addresses, the
 * response body is read up to a cap, and the whole call (all hops) ends when its signal aborts.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { refusal, type AllowList } from './allow-list.js';

/** Resolves a host name to its addresses (default: the system resolver, all addresses). */
export type Resolver = (host: string) => Promise<string[]>;

/** The system resolver. */
export const systemResolver: Resolver = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** A provider call that failed: the message is what the Error measurement says. */
export class ProviderCallError extends Error {
  override readonly name = 'ProviderCallError';
}

/** One HTTP exchange. */
export interface HttpCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Skip TLS certificate verification (the metric's `insecure`). */
  insecure?: boolean;
  /** Aborts the call (the provider timeout or the invocation's deadline, whichever is first). */
  signal: AbortSignal;
  /** Why the signal aborted, for the message (`context deadline exceeded`, as Go says it). */
  abortReason: () => string;
}

/** What the caller gets: status and the (capped) body. */
export interface HttpAnswer {
  status: number;
  body: string;
  /** The URL that answered (after redirects). */
  url: string;
}

/** Settings shared by every call of one provider set. */
export interface HttpPolicy {
  allow: AllowList;
  /** Cluster name, for refusal messages. */
  cluster: string;
  resolve: Resolver;
  maxBodyBytes: number;
  maxRedirects: number;
}

/** Go's method spelling in transport errors (`Get "…": …`, `Post "…": …`). */
const goMethod = (m: string): string => m.charAt(0).toUpperCase() + m.slice(1).toLowerCase();

/** The checked address to connect to for `url`. */
async function pinnedAddress(url: URL, policy: HttpPolicy): Promise<string> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host) !== 0) addresses = [host];
  else {
    try {
      addresses = await policy.resolve(host);
    } catch (err) {
      throw new ProviderCallError(`cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
  }
  if (addresses.length === 0) throw new ProviderCallError(`cannot resolve ${host}: no address`);
  for (const ip of addresses) {
    const why = refusal(ip, policy.allow);
    if (why) {
      throw new ProviderCallError(
        `metric provider address ${url.host} resolves to ${ip} (${why}), which is not in the allowed ` +
          `metric provider addresses of cluster "${policy.cluster}"`,
      );
    }
  }
  return addresses[0] as string;
}

/** A `lookup` that answers every query with the pinned address. */
function pinnedLookup(ip: string): LookupFunction {
  const fam = isIP(ip) === 6 ? 6 : 4;
  return ((_host: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) => {
    if (opts?.all) cb(null, [{ address: ip, family: fam }]);
    else cb(null, ip, fam);
  }) as unknown as LookupFunction;
}

/** Reads the body up to `max` bytes; a longer body is an error (the connection is dropped). */
function readCapped(res: IncomingMessage, max: number, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        fail(new ProviderCallError(`response body of ${url} exceeds ${max} bytes`));
        res.destroy();
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => {
      if (!settled) resolve(Buffer.concat(chunks).toString('utf8'));
      settled = true;
    });
    res.on('error', fail);
    res.on('aborted', () => fail(new Error('response aborted')));
  });
}

function exchange(call: HttpCall, url: URL, ip: string): Promise<IncomingMessage> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method: call.method,
      headers: call.headers,
      lookup: pinnedLookup(ip),
      agent: false,
      signal: call.signal,
      ...(url.protocol === 'https:' ? { rejectUnauthorized: call.insecure !== true } : {}),
    });
    req.on('response', resolve);
    req.on('error', reject);
    req.end(call.body);
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The next hop of a redirect, as Go's client makes it: 307/308 resend the method and body, the others become a GET
 * without a body; credentials (`Authorization`) are not sent to another host.
 */
function redirected(call: HttpCall, from: URL, to: URL, status: number): HttpCall {
  const headers: Record<string, string> = {};
  const keepBody = status === 307 || status === 308;
  for (const [k, v] of Object.entries(call.headers)) {
    const key = k.toLowerCase();
    if (key === 'authorization' && to.host !== from.host) continue;
    if (!keepBody && (key === 'content-type' || key === 'content-length')) continue;
    headers[k] = v;
  }
  const { body, ...rest } = call;
  const next = { ...rest, url: to.toString(), headers };
  return keepBody ? { ...next, ...(body !== undefined ? { body } : {}) } : { ...next, method: 'GET' };
}

/** What a transport failure reads like: Go's `Post "<url>": <reason>`. */
function transportError(call: HttpCall, url: string, err: unknown): ProviderCallError {
  if (err instanceof ProviderCallError) return err;
  const reason = call.signal.aborted
    ? call.abortReason()
    : ((err as Error)?.message ?? String(err)).replace(/^read /, '');
  return new ProviderCallError(`${goMethod(call.method)} "${url}": ${reason}`);
}

/**
 * Sends `call`, following redirects (301/302/303 as GET without a body, 307/308 as sent) while each target is an
 * allowed address and the hop count stays within the policy.
 *
 * @throws {@link ProviderCallError} with the message the Error measurement records.
 */
export async function send(call: HttpCall, policy: HttpPolicy): Promise<HttpAnswer> {
  let current = call;
  for (let hop = 0; ; hop++) {
    let url: URL;
    try {
      url = new URL(current.url);
    } catch {
      throw new ProviderCallError(`${goMethod(current.method)} "${current.url}": not a valid URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ProviderCallError(
        `${goMethod(current.method)} "${current.url}": unsupported protocol scheme "${url.protocol.replace(':', '')}"`,
      );
    try {
      const ip = await pinnedAddress(url, policy);
      const res = await exchange(current, url, ip);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && location) {
        res.resume();
        if (hop >= policy.maxRedirects)
          throw new ProviderCallError(`${goMethod(current.method)} "${url}": stopped after ${hop} redirects`);
        current = redirected(current, url, new URL(location, url), status);
        continue;
      }
      return {
        status,
        body: await readCapped(res, policy.maxBodyBytes, url.toString()),
        url: url.toString(),
      };
    } catch (err) {
      throw transportError(current, url.toString(), err);
    }
  }
}
