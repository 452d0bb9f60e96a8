/**
 * Webhook signing secrets from Secrets Manager, cached (at most 5 minutes). Both the AWSCURRENT and the
 * AWSPREVIOUS version are returned, so a sender still signing with the old key keeps working during a rotation.
 * (@middy/secrets-manager 6.4.5 fetches only AWSCURRENT, hence this small loader.)
 *
 * Secret string format: `{"id": "<key id sent as x-sluice-key-id>", "secret": "<shared secret>"}`.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** One accepted signing key. */
export interface WebhookSecret {
  id: string;
  secret: string;
}

function parseSecret(secretId: string, stage: string, text: string | undefined): WebhookSecret {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    throw new Error(`secret ${secretId} (${stage}) is not JSON {"id","secret"}`);
  }
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'string' || v.id === '' || typeof v.secret !== 'string' || v.secret.length < 16) {
    throw new Error(`secret ${secretId} (${stage}) must be {"id": string, "secret": string of >= 16 chars}`);
  }
  return { id: v.id, secret: v.secret };
}

async function fetchStage(
  client: SecretsManagerClient,
  secretId: string,
  stage: string,
): Promise<WebhookSecret | undefined> {
  const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
    return parseSecret(secretId, stage, out.SecretString);
  } catch (err) {
    // No previous version yet (first deployment): only AWSCURRENT is accepted.
    if (stage === 'AWSPREVIOUS' && (err as { name?: string }).name === 'ResourceNotFoundException')
      return undefined;
    throw err;
  }
}

/**
 * A cached loader of the accepted webhook secrets (current first). A failed fetch is not cached.
 *
 * @example
 * const secrets = webhookSecretsLoader(new SecretsManagerClient({}), 'sluice/webhook', 300);
 * const keys = await secrets(); // [{id: 'k2', secret: '...'}, {id: 'k1', secret: '...'}]
 */
export function webhookSecretsLoader(
  client: SecretsManagerClient,
  secretId: string,
  cacheSeconds: number,
  clock: () => number = Date.now,
): () => Promise<WebhookSecret[]> {
  const ttl = Math.min(cacheSeconds, 300) * 1000;
  let cached: { at: number; value: Promise<WebhookSecret[]> } | undefined;
  return () => {
    const now = clock();
    if (cached && now - cached.at < ttl) return cached.value;
    const value = Promise.all([
      fetchStage(client, secretId, 'AWSCURRENT'),
      fetchStage(client, secretId, 'AWSPREVIOUS'),
    ]).then((all) => all.filter((s): s is WebhookSecret => s !== undefined));
    cached = { at: now, value };
    value.catch(() => {
      if (cached?.value === value) cached = undefined;
    });
    return value;
  };
}
