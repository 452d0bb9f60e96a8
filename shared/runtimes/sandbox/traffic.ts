/**
 * Simulated mesh traffic for the sandbox: N requests per tick are routed by a VirtualService's current weights,
 * as Envoy does (each destination gets weight / sum of weights), and the observed share hitting canary is reported.
 */

/** What one tick of traffic saw. */
export interface TrafficSample {
  total: number;
  canary: number;
  stable: number;
  /** Requests to any other destination (or none, when the route has no destination). */
  other: number;
  /** canary / total, 0..1 (0 when total is 0). */
  canaryShare: number;
  /** Requests per destination short host name. */
  byHost: Record<string, number>;
  /** Requests per destination short host name that failed (a simulated 5xx). */
  errorsByHost: Record<string, number>;
}

/** Which destinations count as canary and stable. */
export interface TrafficTargets {
  canaryHost: string;
  stableHost: string;
  /** HTTP route name to follow; the first route when omitted. */
  route?: string;
}

interface Destination {
  destination?: { host?: string; subset?: string };
  weight?: number;
}

/** Short host name: text before the first dot (`reviews-canary.default.svc.cluster.local` → `reviews-canary`). */
function shortHost(host: string | undefined): string {
  return (host ?? '').split('.')[0] ?? '';
}

function routeOf(vs: unknown, name: string | undefined): Destination[] {
  const http = (vs as { spec?: { http?: { name?: string; route?: Destination[] }[] } })?.spec?.http ?? [];
  const route = name === undefined ? http[0] : http.find((r) => r.name === name);
  return route?.route ?? [];
}

/**
 * Share of the sample (0..1) that reached pods with pod-template hash `hash`, following each host's Service
 * selector (`rollouts-pod-template-hash`), i.e. what users of the new version would see.
 */
export function shareOnHash(
  sample: TrafficSample,
  selectors: Record<string, string | undefined>,
  hash: string,
): number {
  if (sample.total === 0) return 0;
  const hits = Object.entries(sample.byHost)
    .filter(([host]) => selectors[host] === hash)
    .reduce((sum, [, n]) => sum + n, 0);
  return hits / sample.total;
}

/**
 * A seeded pseudo-random source (mulberry32), so a run's traffic is reproducible.
 * @example const random = seededRandom(42); random(); // 0.6011...
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Counts one request to `host` (`''`: no destination) in the sample. */
function count(sample: TrafficSample, targets: TrafficTargets, host: string, failed: boolean): void {
  if (host !== '') sample.byHost[host] = (sample.byHost[host] ?? 0) + 1;
  if (failed) sample.errorsByHost[host] = (sample.errorsByHost[host] ?? 0) + 1;
  if (host !== '' && host === targets.canaryHost) sample.canary += 1;
  else if (host !== '' && host === targets.stableHost) sample.stable += 1;
  else sample.other += 1;
}

/**
 * Sends `requests` simulated requests through the VirtualService's route.
 * A single destination without a weight takes everything; destinations with weight 0 take nothing. A request to a
 * host with a `failureRate` (0..1, by short host name) fails with that probability (one more draw of `random`, made
 * only for such hosts, so a run without failures sees the same sequence as before).
 * @example simulateTraffic(vs, { canaryHost: 'reviews-canary', stableHost: 'reviews-stable' }, 100, Math.random)
 */
export function simulateTraffic(
  vs: unknown,
  targets: TrafficTargets,
  requests: number,
  random: () => number,
  failureRate: Record<string, number> = {},
): TrafficSample {
  const route = routeOf(vs, targets.route);
  const weights = route.map((d) =>
    route.length === 1 && d.weight === undefined ? 100 : Math.max(0, d.weight ?? 0),
  );
  const sum = weights.reduce((a, b) => a + b, 0);
  const sample: TrafficSample = {
    total: requests,
    canary: 0,
    stable: 0,
    other: 0,
    canaryShare: 0,
    byHost: {},
    errorsByHost: {},
  };
  for (let i = 0; i < requests; i++) {
    let pick = random() * sum;
    const index = sum === 0 ? -1 : weights.findIndex((w) => (pick -= w) < 0);
    const host = shortHost(route[index]?.destination?.host);
    const rate = failureRate[host] ?? 0;
    count(sample, targets, host, rate > 0 && random() < rate);
  }
  sample.canaryShare = requests === 0 ? 0 : sample.canary / requests;
  return sample;
}
