/**
 * Watch streams for the sandbox API server: newline-delimited JSON events, as kube-apiserver sends them.
 * `resourceVersion` unset or "0": ADDED for every current object, then changes. `resourceVersion=N`: every change
 * after N, or an ERROR event carrying a 410 Expired Status when those changes are no longer kept.
 */
import type { ServerResponse } from 'node:http';
import { matchesLabels, type Requirement } from './label-selector.js';
import { ApiStatusError, apiVersionOf } from './resources.js';
import { atVersion, type ResourcePath } from './routes.js';
import type { ObjectStore, StoreEvent } from './store.js';

/** What a watch request asked for. */
export interface WatchRequest {
  url: URL;
  selector: Requirement[];
  res: ServerResponse;
  bookmarkIntervalMs: number;
}

function matches(path: ResourcePath, selector: Requirement[], event: StoreEvent): boolean {
  if (event.resource !== path.resource) return false;
  if (path.namespace !== undefined && event.namespace !== path.namespace) return false;
  return matchesLabels(selector, (event.object.metadata.labels ?? {}) as Record<string, string>);
}

/** Streams a watch until the client disconnects or `timeoutSeconds` passes. */
export function serveWatch(store: ObjectStore, path: ResourcePath, request: WatchRequest): void {
  const { url, selector, res } = request;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  const line = (type: string, object: unknown): boolean => res.write(`${JSON.stringify({ type, object })}\n`);
  const emit = (event: StoreEvent): void => {
    if (matches(path, selector, event))
      line(event.type, atVersion(event.object, path.resource, path.version));
  };
  const requested = url.searchParams.get('resourceVersion') ?? '';
  let unsubscribe = (): void => undefined;
  try {
    if (requested === '' || requested === '0') {
      for (const obj of store.list(path.resource, path.namespace)) {
        if (matchesLabels(selector, (obj.metadata.labels ?? {}) as Record<string, string>)) {
          line('ADDED', atVersion(obj, path.resource, path.version));
        }
      }
    } else {
      const from = Number(requested);
      if (!Number.isInteger(from) || from < 0) throw new Error(`invalid resourceVersion "${requested}"`);
      store.eventsSince(from, requested).forEach(emit);
    }
    unsubscribe = store.subscribe(emit);
  } catch (err) {
    if (err instanceof ApiStatusError) line('ERROR', err.status);
    res.end();
    return;
  }
  const timers: NodeJS.Timeout[] = [];
  if (url.searchParams.get('allowWatchBookmarks') === 'true') {
    const bookmark = setInterval(() => {
      line('BOOKMARK', {
        kind: path.resource.kind,
        apiVersion: apiVersionOf(path.resource, path.version),
        metadata: { resourceVersion: String(store.currentRevision) },
      });
    }, request.bookmarkIntervalMs);
    timers.push(bookmark);
  }
  const timeout = Number(url.searchParams.get('timeoutSeconds') ?? '0');
  if (timeout > 0) timers.push(setTimeout(() => res.end(), timeout * 1000));
  const stop = (): void => {
    unsubscribe();
    timers.forEach((t) => clearTimeout(t));
  };
  res.on('close', stop);
  res.on('finish', stop);
}
