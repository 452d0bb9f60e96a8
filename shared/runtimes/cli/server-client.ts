/**
 * `sluice promote|abort|retry|pause|resume ... --server URL`: the operator actions through the signed HTTP API
 * (the promote function, or `sluice run`'s local server) instead of a kubeconfig.
 */
import { callApi } from '../local/api-client.js';
import { readWebhookSecret } from '../local/secret.js';
import { UsageError, type Io } from './args.js';

/** Flags of the API client. */
export const SERVER_FLAGS = {
  server: { type: 'string' },
  cluster: { type: 'string' },
  'webhook-secret-file': { type: 'string' },
  reason: { type: 'string' },
} as const;

/** One action to send. */
export interface ServerActionRequest {
  namespace: string;
  name: string;
  action: string;
  verb: string;
  expectedStep?: number;
}

/**
 * Sends the action to `--server` for `--cluster` (or `$SLUICE_CLUSTER`), signed with `--webhook-secret-file` (or
 * `$SLUICE_WEBHOOK_SECRET`). Exit 0 on 200, 1 on any other answer; bad flags are a UsageError (exit 2).
 */
export async function serverAction(
  values: { server?: string; cluster?: string; 'webhook-secret-file'?: string; reason?: string },
  req: ServerActionRequest,
  io: Io,
): Promise<number> {
  const server = values.server ?? '';
  if (!/^https?:\/\/[^/]+\/?$/.test(server))
    throw new UsageError(`--server must be an http(s) origin like http://127.0.0.1:8417, got "${server}"`);
  const cluster = values.cluster ?? io.env.SLUICE_CLUSTER;
  if (!cluster) throw new UsageError('--server needs --cluster NAME (or $SLUICE_CLUSTER)');
  let secret;
  try {
    secret = await readWebhookSecret(values['webhook-secret-file'], io.env);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (!secret)
    throw new UsageError(
      '--server needs a signing key: --webhook-secret-file FILE or $SLUICE_WEBHOOK_SECRET',
    );
  const res = await callApi({
    server,
    cluster,
    namespace: req.namespace,
    name: req.name,
    action: req.action,
    secret: secret.secret,
    ...(req.expectedStep === undefined ? {} : { expectedStep: req.expectedStep }),
    ...(values.reason === undefined ? {} : { reason: values.reason }),
  });
  const text = typeof res.body.message === 'string' ? res.body.message : JSON.stringify(res.body);
  if (res.status === 200) {
    io.out(text);
    return 0;
  }
  io.err(`${req.verb} ${req.namespace}/${req.name} failed (HTTP ${res.status}): ${text}`);
  return 1;
}
