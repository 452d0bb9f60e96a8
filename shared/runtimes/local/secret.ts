/**
 * The webhook signing key of the local control plane's HTTP API (and of `sluice <action> --server`): from a file
 * (`{"id","secret"}` JSON, or the secret alone), from `$SLUICE_WEBHOOK_SECRET`, or generated at start and written
 * to a private file whose path is printed (the secret itself never is) and which is removed when the run stops.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebhookSecret } from '../../app/http-api/webhook-auth.js';
import { readBoundedFile } from '../../adapters/kube/bounded-file.js';

/** Largest webhook secret file read, in bytes. */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** Key id used when the secret comes without one. */
export const LOCAL_KEY_ID = 'local';
/** Shortest accepted secret (as for the deployed function). */
export const MIN_SECRET_LENGTH = 16;

/** Where the secret came from, for the start banner. */
export interface LocalSecret {
  secret: WebhookSecret;
  source: 'file' | 'env' | 'generated';
  /** The file holding it (given or generated). */
  file?: string;
  /** Generated only: removes the file and its private directory (called on a clean stop). Idempotent. */
  remove?: () => Promise<void>;
}

/** Parses a secret file's text: `{"id","secret"}` JSON or the bare secret. Throws naming the problem. */
export function parseSecretText(text: string, where: string): WebhookSecret {
  const trimmed = text.trim();
  let parsed: WebhookSecret = { id: LOCAL_KEY_ID, secret: trimmed };
  if (trimmed.startsWith('{')) {
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(trimmed) as Record<string, unknown>;
    } catch {
      throw new Error(`${where}: not valid JSON (expected {"id": ..., "secret": ...} or the bare secret)`);
    }
    if (typeof v.id !== 'string' || v.id === '' || typeof v.secret !== 'string')
      throw new Error(`${where}: expected {"id": string, "secret": string}`);
    parsed = { id: v.id, secret: v.secret };
  }
  if (parsed.secret.length < MIN_SECRET_LENGTH)
    throw new Error(`${where}: the secret must be at least ${MIN_SECRET_LENGTH} characters`);
  return parsed;
}

/** The secret from `file`, else `$SLUICE_WEBHOOK_SECRET`, else undefined. Throws naming a bad source. */
export async function readWebhookSecret(
  file: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<LocalSecret | undefined> {
  if (file) {
    const text = await readBoundedFile(file, 'webhook secret file', MAX_SECRET_FILE_BYTES);
    return { secret: parseSecretText(text, file), source: 'file', file };
  }
  const fromEnv = env.SLUICE_WEBHOOK_SECRET;
  if (fromEnv) return { secret: parseSecretText(fromEnv, 'SLUICE_WEBHOOK_SECRET'), source: 'env' };
  return undefined;
}

/**
 * A fresh random secret written (mode 0600) to a new private temporary directory (mode 0700), for clients on the
 * same machine to sign with; `remove` deletes both, so no key is left in the temporary directory after the run.
 */
export async function generateWebhookSecret(base = tmpdir()): Promise<LocalSecret> {
  const dir = await mkdtemp(join(base, 'sluice-run-'));
  const file = join(dir, 'webhook-secret');
  const secret: WebhookSecret = { id: LOCAL_KEY_ID, secret: randomBytes(32).toString('hex') };
  await writeFile(file, JSON.stringify(secret) + '\n', { mode: 0o600 });
  return { secret, source: 'generated', file, remove: () => rm(dir, { recursive: true, force: true }) };
}
