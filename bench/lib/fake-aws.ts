/**
 * A loopback stand-in for the two AWS APIs the functions call (JSON 1.1 protocol): Secrets Manager GetSecretValue
 * and EventBridge PutEvents. Point the SDK at it with AWS_ENDPOINT_URL_SECRETS_MANAGER /
 * AWS_ENDPOINT_URL_EVENTBRIDGE (or `endpoint`). It counts PutEvents calls and entries.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running fake. */
export interface FakeAws {
  url: string;
  secrets: Map<string, string>;
  putEventsCalls: number;
  entries: number;
  reset(): void;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 (a free port). */
export async function startFakeAws(secrets: Record<string, string> = {}): Promise<FakeAws> {
  let counter = 0;
  const fake: FakeAws = {
    url: '',
    secrets: new Map(Object.entries(secrets)),
    putEventsCalls: 0,
    entries: 0,
    reset() {
      fake.putEventsCalls = 0;
      fake.entries = 0;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const send = (status: number, out: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(out));
      };
      if (target.endsWith('.PutEvents')) {
        const entries = (body.Entries as unknown[]) ?? [];
        fake.putEventsCalls++;
        fake.entries += entries.length;
        return send(200, {
          FailedEntryCount: 0,
          Entries: entries.map(() => ({ EventId: `e-${++counter}` })),
        });
      }
      if (target.endsWith('.GetSecretValue')) {
        const id = String(body.SecretId);
        const value = fake.secrets.get(id);
        if (value === undefined || body.VersionStage === 'AWSPREVIOUS') {
          return send(400, { __type: 'ResourceNotFoundException', message: `secret ${id} not found` });
        }
        return send(200, {
          ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}`,
          Name: id,
          SecretString: value,
          VersionId: 'v1',
        });
      }
      return send(400, { __type: 'UnknownOperationException', message: target });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** Environment for a function process talking to `fake` (dummy credentials; nothing leaves the machine). */
export function fakeAwsEnv(fake: FakeAws): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench-secret-key',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: fake.url,
    AWS_ENDPOINT_URL_EVENTBRIDGE: fake.url,
  };
}
