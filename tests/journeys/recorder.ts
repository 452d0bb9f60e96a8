/**
 * Deterministic journeys for parity: a manual kubelet (pods start only between passes, when asked), a fixed clock,
 * and a log of every pass — what runStep returned and what the API server then held — normalised only for what
 * an API server assigns (uids, resourceVersions, timestamps, generated Event names) and the random namespace.
 */
import type { KubeObject } from '../../shared/core/model/types.js';
import type { OperatorActionName } from '../../shared/core/model/actions.js';
import { runStep } from '../../shared/app/step.js';
import type { Journey } from './harness.js';

/** One entry of a journey log. */
export type LogEntry = Record<string, unknown> & { at: string };

/** What a recorder looks at after each pass. */
export interface Watched {
  rollout: string;
  virtualServices: { namespace?: string; name: string }[];
  services: string[];
  destinationRule?: string;
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const SERVER_FIELDS = new Set(['uid', 'resourceVersion', 'creationTimestamp', 'managedFields']);

/** Replaces timestamps by `<time>` and drops server-assigned identity fields, at any depth. */
export function normalise(value: unknown): unknown {
  if (typeof value === 'string') return ISO_TIME.test(value) ? '<time>' : value;
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !SERVER_FIELDS.has(k))
      .map(([k, v]) => [k, normalise(v)]),
  );
}

const meta = (o: KubeObject) => ({ labels: o.metadata.labels, annotations: o.metadata.annotations });

/** Records a journey pass by pass. */
export class Recorder {
  readonly log: LogEntry[] = [];
  private readonly seenEvents = new Set<string>();

  constructor(
    private readonly j: Journey,
    private readonly watched: Watched,
  ) {}

  /** The observable world now: Rollout status, VirtualServices, Services, DestinationRule, ReplicaSets. */
  async world(): Promise<Record<string, unknown>> {
    const { j, watched } = this;
    const r = await j.rollout(watched.rollout);
    const vs = await Promise.all(
      watched.virtualServices.map(async (v) => {
        const o = await j.gw.get('virtualservices', v.namespace ?? j.ns, v.name);
        return o && { ...meta(o), spec: o.spec };
      }),
    );
    const services = await Promise.all(
      watched.services.map(async (name) => {
        const o = await j.get('services', name);
        return { name, ...meta(o), selector: (o.spec as { selector?: unknown }).selector };
      }),
    );
    const dr = watched.destinationRule ? await j.get('destinationrules', watched.destinationRule) : undefined;
    const rs = (await j.gw.list('replicasets', j.ns)).items.map((o) => ({
      name: o.metadata.name,
      ...meta(o),
      replicas: (o.spec as { replicas?: number }).replicas,
      available: (o.status as { availableReplicas?: number } | undefined)?.availableReplicas,
    }));
    return normalise({
      generation: r.metadata.generation,
      status: r.status,
      vs,
      services,
      ...(dr ? { dr: { ...meta(dr), spec: dr.spec } } : {}),
      rs,
    }) as Record<string, unknown>;
  }

  /** Events of the Rollout not seen before, sorted (Events of one pass share a timestamp). */
  async newEvents(): Promise<string[]> {
    const res = await this.j.backend.request('GET', `/api/v1/namespaces/${this.j.ns}/events`);
    const items = (
      res.body as {
        items: {
          metadata: { name: string };
          involvedObject: { name: string };
          type: string;
          reason: string;
          message: string;
          count?: number;
        }[];
      }
    ).items;
    const fresh = items.filter(
      (e) => e.involvedObject.name === this.watched.rollout && !this.seenEvents.has(e.metadata.name),
    );
    fresh.forEach((e) => this.seenEvents.add(e.metadata.name));
    return fresh.map((e) => `${e.type} ${e.reason} x${e.count ?? 1}: ${e.message}`).sort();
  }

  private async push(at: string, entry: Record<string, unknown>): Promise<void> {
    const full = { at, ...entry, events: await this.newEvents(), world: await this.world() };
    // Namespace names are random per journey.
    this.log.push(JSON.parse(JSON.stringify(full).replaceAll(this.j.ns, '<ns>')) as LogEntry);
  }

  /**
   * Runs passes until a fixpoint: after a pass without follow-up the kubelet starts the pods that are due; when it
   * has nothing to do either, the journey waits for the operator or the clock. Fails after `maxPasses`.
   */
  async settle(label: string, maxPasses = 40): Promise<void> {
    const { j, watched } = this;
    for (let i = 0; i < maxPasses; i++) {
      const res = await runStep(j.deps, { namespace: j.ns, name: watched.rollout });
      const { rollout: _id, ...result } = res;
      await this.push(`${label} pass ${i + 1}`, { result });
      if (res.followUp) continue;
      const started = await j.kubelet.sync();
      if (started === 0) return;
      this.log.push({ at: `${label} kubelet`, started });
    }
    throw new Error(`${label}: no fixpoint after ${maxPasses} passes`);
  }

  /** An operator action, recorded with its answer. */
  async action(action: OperatorActionName, expectedStep?: number): Promise<void> {
    const res = await this.j.action(this.watched.rollout, action, expectedStep);
    await this.push(`${action}${expectedStep === undefined ? '' : ` @${expectedStep}`}`, {
      ok: res.ok,
      outcome: res.outcome,
      message: res.message,
    });
  }

  /** Any admin change (new image, GitOps sync), recorded. */
  async change(label: string, fn: () => Promise<void>): Promise<void> {
    await fn();
    await this.push(label, {});
  }

  /** Moves the controllable clock. */
  advance(seconds: number): void {
    this.j.clock.advance(seconds);
    this.log.push({ at: `clock +${seconds}s` });
  }
}
