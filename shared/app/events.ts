/**
 * Record a Kubernetes Event (core/v1) on a Rollout, the way client-go's recorder does for Argo Rollouts:
 * `involvedObject` with uid and resourceVersion, `source.component`, and a name `<rollout>.<hex>`.
 */
import { randomInt } from 'node:crypto';
import type { KubeObject, Rollout } from '../core/model/types.js';
import type { EventRecord } from '../core/model/resources.js';
import type { KubeGateway } from './kube-port/gateway.js';

/** The component name sluice records Events under. */
export const EVENT_COMPONENT = 'sluice';

/** The Event object for `ev` on `rollout` at `now` (pure apart from the random name suffix in `nanos`). */
export function buildEvent(
  rollout: Rollout,
  ev: EventRecord,
  now: Date,
  nanos: number = randomInt(1_000_000),
): KubeObject {
  const ns = rollout.metadata.namespace;
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const hex = (BigInt(now.getTime()) * 1_000_000n + BigInt(nanos)).toString(16);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${rollout.metadata.name}.${hex}`, namespace: ns },
    involvedObject: {
      apiVersion: rollout.apiVersion,
      kind: rollout.kind,
      name: rollout.metadata.name,
      namespace: ns,
      ...(rollout.metadata.uid ? { uid: rollout.metadata.uid } : {}),
      ...(rollout.metadata.resourceVersion ? { resourceVersion: rollout.metadata.resourceVersion } : {}),
    },
    type: ev.type,
    reason: ev.reason,
    message: ev.message,
    source: { component: EVENT_COMPONENT },
    reportingComponent: EVENT_COMPONENT,
    reportingInstance: EVENT_COMPONENT,
    firstTimestamp: stamp,
    lastTimestamp: stamp,
    count: 1,
  };
}

/**
 * Create the Event for `ev` on `rollout`. A 409 means the name exists: when that Event is this one (the gateway
 * retried a create whose first attempt landed but whose answer was lost), it is returned, so the Event is recorded
 * once; on a real name collision it retries once with a new suffix.
 * @throws KubeApiError when the API refuses it.
 */
export async function recordEvent(
  gw: KubeGateway,
  rollout: Rollout,
  ev: EventRecord,
  now: Date,
): Promise<KubeObject> {
  const ns = rollout.metadata.namespace;
  const event = buildEvent(rollout, ev, now);
  try {
    return await gw.create('events', ns, event);
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
    const existing = await gw.get('events', ns, event.metadata.name);
    if (existing && sameEvent(existing, event)) return existing;
    return gw.create('events', ns, buildEvent(rollout, ev, now));
  }
}

function sameEvent(a: KubeObject, b: KubeObject): boolean {
  const key = (e: KubeObject): string =>
    JSON.stringify([e['reason'], e['message'], e['type'], (e['involvedObject'] as { uid?: string })?.uid]);
  return key(a) === key(b);
}
