/**
 * The AWS wiring of the functions: EventBridge, Secrets Manager and the cluster registry, built once per container
 * from the environment. Tests build {@link FunctionDeps} themselves and never load this.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { KubeGateway } from '../kube/gateway.js';
import { createGateway } from '../kube/client-gateway.js';
import { parseKubeconfig, toKubeConfig } from '../kube/kubeconfig.js';
import { EVENT_SOURCE, type BusEvent, type EventSink } from './bus.js';
import { lambdaConfig } from './config.js';
import { memoDeps, type ClusterDirectory, type DepsProvider } from './deps.js';
import { webhookSecretsLoader } from './secrets.js';

/** EventBridge accepts at most 10 entries per PutEvents. */
const BATCH = 10;
const ATTEMPTS = 4;

/**
 * Puts events on the bus in batches of 10; entries EventBridge reports as failed are resent (up to 4 attempts,
 * with backoff). Rejects naming the failed entries when some never got through: nothing is dropped silently.
 */
export function eventBridgeSink(client: EventBridgeClient, busName: string): EventSink {
  return {
    async send(events: BusEvent[]): Promise<void> {
      const entries: PutEventsRequestEntry[] = events.map((e) => ({
        EventBusName: busName,
        Source: EVENT_SOURCE,
        DetailType: e.detailType,
        Detail: JSON.stringify(e.detail),
      }));
      for (let i = 0; i < entries.length; i += BATCH) await putBatch(client, entries.slice(i, i + BATCH));
    },
  };
}

async function putBatch(client: EventBridgeClient, batch: PutEventsRequestEntry[]): Promise<void> {
  let pending = batch;
  let lastError = '';
  for (let attempt = 0; attempt < ATTEMPTS && pending.length > 0; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    const out = await client.send(new PutEventsCommand({ Entries: pending }));
    if (!out.FailedEntryCount) return;
    const results = out.Entries ?? [];
    const failed = pending.filter(
      (_, i) => results[i]?.ErrorCode !== undefined || results[i]?.EventId === undefined,
    );
    lastError = results.find((r) => r.ErrorCode)?.ErrorCode ?? 'unknown';
    pending = failed;
  }
  if (pending.length > 0) {
    throw new Error(
      `PutEvents: ${pending.length} entries not accepted after ${ATTEMPTS} attempts (${lastError})`,
    );
  }
}

/** One entry of `SLUICE_CLUSTERS`: a name and the Secrets Manager id of its kubeconfig. */
interface RegistryEntry {
  name: string;
  kubeconfigSecret: string;
  context?: string;
}

function registryEntries(raw: unknown): RegistryEntry[] {
  if (!Array.isArray(raw))
    throw new Error('SLUICE_CLUSTERS must be a JSON array of {name, kubeconfigSecret}');
  return raw.map((e: unknown, i) => {
    const entry = e as Record<string, unknown>;
    if (typeof entry?.name !== 'string' || typeof entry.kubeconfigSecret !== 'string') {
      throw new Error(`SLUICE_CLUSTERS[${i}] must have string fields name and kubeconfigSecret`);
    }
    return entry as unknown as RegistryEntry;
  });
}

/** Clusters from the registry; each kubeconfig is fetched and validated once per container. */
function secretsDirectory(raw: unknown, secrets: SecretsManagerClient): ClusterDirectory {
  const entries = new Map(registryEntries(raw).map((e) => [e.name, e]));
  const gateways = new Map<string, Promise<KubeGateway>>();
  return {
    names: () => [...entries.keys()],
    gateway(cluster) {
      const entry = entries.get(cluster);
      if (!entry) return Promise.resolve(undefined);
      let gw = gateways.get(cluster);
      if (!gw) {
        gw = secrets.send(new GetSecretValueCommand({ SecretId: entry.kubeconfigSecret })).then((out) => {
          const safe = parseKubeconfig(
            out.SecretString ?? '',
            entry.context ? { context: entry.context } : {},
          );
          return createGateway(toKubeConfig(safe));
        });
        gw.catch(() => gateways.delete(cluster));
        gateways.set(cluster, gw);
      }
      return gw;
    },
  };
}

/** The production dependencies, built on first use. */
export const defaultDeps: DepsProvider = memoDeps(() => {
  const config = lambdaConfig();
  const secrets = new SecretsManagerClient({});
  return {
    config,
    clusters: secretsDirectory(config.clusters, secrets),
    bus: eventBridgeSink(new EventBridgeClient({}), config.eventBusName),
    now: () => new Date(),
    webhookSecrets: webhookSecretsLoader(secrets, config.webhookSecretId, config.secretsCacheSeconds),
  };
});
