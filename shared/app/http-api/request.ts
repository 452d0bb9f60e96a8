/**
 * The promotion API's request checks, in the order the function applies them: body size (before anything else),
 * route, content type, body schema. Each failure is an {@link HttpError} with the status from
 * docs/security.md; nothing here touches Kubernetes.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError } from './response.js';
import { OPERATOR_ACTIONS, type OperatorActionName } from '../../core/model/actions.js';

/** Largest accepted body, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** A parsed route. `action` is undefined for `GET .../rollouts/{name}`. */
export interface ApiRoute {
  cluster: string;
  namespace: string;
  name: string;
  /** Every operator action is a route: POST .../rollouts/{name}/{action}. */
  action?: OperatorActionName;
}

/** The accepted body. */
export interface ActionBody {
  expectedStep?: number;
  reason?: string;
}

/**
 * The raw body bytes, refusing anything over {@link MAX_BODY_BYTES} before decoding or parsing it (413).
 * The length of the string is checked first, so an oversized base64 body is never decoded.
 */
export function rawBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): Buffer {
  const body = event.body ?? '';
  const limit = event.isBase64Encoded ? Math.ceil(MAX_BODY_BYTES / 3) * 4 : MAX_BODY_BYTES;
  // A UTF-16 string of n units is at least n bytes as UTF-8: over the limit in units means over in bytes.
  if (body.length > limit) throw new HttpError(413, 'request body too large');
  const bytes = event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw new HttpError(413, 'request body too large');
  return bytes;
}

const NAME = '[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?';
const ROUTE = new RegExp(
  `^/v1/clusters/([A-Za-z0-9_.-]{1,128})/namespaces/(${NAME})/rollouts/(${NAME})(?:/(${OPERATOR_ACTIONS.join('|')}))?/?$`,
);

/** Parses `/v1/clusters/{cluster}/namespaces/{ns}/rollouts/{name}[/{action}]` for the method; 404/405 otherwise. */
export function parseRoute(method: string, path: string): ApiRoute {
  const m = ROUTE.exec(path);
  if (!m) throw new HttpError(404, 'no such route');
  const [, cluster = '', namespace = '', , name = '', , action] = m;
  if (action === undefined) {
    if (method !== 'GET') throw new HttpError(405, 'method not allowed', { allow: 'GET' });
    return { cluster, namespace, name };
  }
  if (method !== 'POST') throw new HttpError(405, 'method not allowed', { allow: 'POST' });
  return { cluster, namespace, name, action: action as OperatorActionName };
}

/** 415 unless the body is empty or the content type is JSON (`application/json`, any parameters). */
export function requireJson(headers: Record<string, string | undefined>, body: Buffer): void {
  if (body.length === 0) return;
  const type = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'content type must be application/json');
}

/**
 * Parses and checks `{expectedStep?: integer >= 0, reason?: string <= 256}`; any other key or shape is a 400.
 * Unknown keys are rejected without looking inside them, so a deeply nested value costs nothing more.
 */
export function parseActionBody(body: Buffer): ActionBody {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'body must be a JSON object');
  }
  const v = value as Record<string, unknown>;
  const unknown = Object.keys(v).filter((k) => k !== 'expectedStep' && k !== 'reason');
  if (unknown.length > 0)
    throw new HttpError(400, `unknown field ${JSON.stringify(unknown[0]).slice(0, 80)}`);
  const out: ActionBody = {};
  if (v.expectedStep !== undefined) {
    if (!Number.isSafeInteger(v.expectedStep) || (v.expectedStep as number) < 0) {
      throw new HttpError(400, 'expectedStep must be an integer >= 0');
    }
    out.expectedStep = v.expectedStep as number;
  }
  if (v.reason !== undefined) {
    if (typeof v.reason !== 'string' || v.reason.length > 256) {
      throw new HttpError(400, 'reason must be a string of at most 256 characters');
    }
    out.reason = v.reason;
  }
  return out;
}
