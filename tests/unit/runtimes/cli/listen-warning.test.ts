import { describe, expect, it } from '@jest/globals';
import { isLoopback, listenWarning } from '../../../../shared/runtimes/cli/run-control-plane.js';

describe('--listen on a non-loopback address', () => {
  it.each(['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])(
    '%s is loopback: no warning',
    (host) => {
      expect(isLoopback(host)).toBe(true);
      expect(listenWarning(host)).toBeUndefined();
    },
  );

  it.each(['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'example.internal', '128.0.0.1'])(
    '%s warns that the API is plain HTTP and should sit behind TLS',
    (host) => {
      expect(listenWarning(host)).toBe(
        `WARNING: the HTTP API listens on ${host}, reachable from other machines, over plain HTTP: requests are ` +
          'signed but not encrypted (status and reasons can be read on the way). Put it behind a TLS-terminating ' +
          'proxy, or use --listen 127.0.0.1.',
      );
    },
  );
});
