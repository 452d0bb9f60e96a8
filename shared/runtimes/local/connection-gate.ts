/**
 * Admission of connections to `sluice run`'s HTTP API: counts the open connections in total and per source
 * address, and answers a connection past either cap at once with `503 Service Unavailable`, `Connection: close`
 * and `Retry-After`, then closes it, so a flood of connections never takes the descriptors the API needs.
 */
import type { Socket } from 'node:net';

/** The caps of {@link ConnectionGate}. */
export interface GateCaps {
  maxConnections: number;
  maxConnectionsPerSource: number;
  /** Seconds a refused client is told to wait (`Retry-After`). */
  retryAfterSeconds: number;
  /** A refused connection is destroyed after this long if the client has not closed it (ms). */
  lingerMs: number;
}

/** `::ffff:127.0.0.2` and `127.0.0.2` are one source. */
export function sourceOf(socket: Pick<Socket, 'remoteAddress'>): string {
  const address = socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** The raw answer to a refused connection (written before any request is read). */
export function refusalBytes(retryAfterSeconds: number, why: string): string {
  const body = JSON.stringify({ message: `server busy: ${why}; retry later` });
  return [
    'HTTP/1.1 503 Service Unavailable',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    `Retry-After: ${retryAfterSeconds}`,
    '',
    body,
  ].join('\r\n');
}

/** Counts connections and refuses those past the caps. */
export class ConnectionGate {
  private open = 0;
  private readonly perSource = new Map<string, number>();
  private readonly refusedSockets = new WeakSet<Socket>();
  /** Connections refused so far. */
  refused = 0;

  constructor(private readonly caps: GateCaps) {}

  /** Connections currently admitted. */
  get admitted(): number {
    return this.open;
  }

  /** Whether `socket` was refused (its requests are not served). */
  isRefused(socket: Socket): boolean {
    return this.refusedSockets.has(socket);
  }

  /**
   * Admits `socket` (counted until it closes) or refuses it: 503 written, write side closed, destroyed when the
   * client closes or after `lingerMs`. Returns whether it was admitted.
   */
  admit(socket: Socket): boolean {
    const source = sourceOf(socket);
    const fromSource = this.perSource.get(source) ?? 0;
    const why =
      this.open >= this.caps.maxConnections
        ? `${this.caps.maxConnections} connections open`
        : fromSource >= this.caps.maxConnectionsPerSource
          ? `${this.caps.maxConnectionsPerSource} connections open from ${source}`
          : undefined;
    if (why !== undefined) {
      this.refuse(socket, why);
      return false;
    }
    this.open++;
    this.perSource.set(source, fromSource + 1);
    socket.once('close', () => {
      this.open--;
      const left = (this.perSource.get(source) ?? 1) - 1;
      if (left === 0) this.perSource.delete(source);
      else this.perSource.set(source, left);
    });
    return true;
  }

  private refuse(socket: Socket, why: string): void {
    this.refused++;
    this.refusedSockets.add(socket);
    socket.on('error', () => undefined);
    const timer = setTimeout(() => socket.destroy(), this.caps.lingerMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.end(refusalBytes(this.caps.retryAfterSeconds, why));
  }
}
