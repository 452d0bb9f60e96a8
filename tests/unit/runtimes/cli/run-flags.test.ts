import { describe, expect, it } from '@jest/globals';
import { UsageError } from '../../../../shared/runtimes/cli/args.js';
import { main } from '../../../../shared/runtimes/cli/run.js';

describe('sluice run --istio-primary-secret', () => {
  it.each([
    [['--istio-primary-secret-key', 'config'], '--istio-primary-secret-key needs --istio-primary-secret'],
    [
      ['--istio-primary-secret', 'a/b/c'],
      '--istio-primary-secret must be <namespace>/<name> or <namespace>, got "a/b/c"',
    ],
    [
      ['--istio-primary-secret', 'istio-system/p', '--istio-primary-secret-key', 'a/b'],
      '--istio-primary-secret-key is not a Secret data key: "a/b"',
    ],
  ])('%j is refused before any cluster is read', async (flags, message) => {
    const run = main(['--kubeconfig', '/nonexistent/kubeconfig', ...flags]);
    await expect(run).rejects.toThrow(UsageError);
    await expect(main(['--kubeconfig', '/nonexistent/kubeconfig', ...flags])).rejects.toThrow(message);
  });
});
