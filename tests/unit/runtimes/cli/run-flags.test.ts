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

describe('sluice run --in-cluster', () => {
  it.each([
    [['--kubeconfig', '/nonexistent/kubeconfig'], '--in-cluster and --kubeconfig cannot be combined'],
    [['--context', 'prod'], '--context applies to --kubeconfig, not to --in-cluster'],
    [['--cluster-name', 'a', '--cluster-name', 'b'], '--in-cluster takes one --cluster-name'],
    [['--cluster-name', 'a/b'], '--cluster-name "a/b" is not usable in the API route'],
  ])('%j is refused before the ServiceAccount is read', async (flags, message) => {
    // No KUBERNETES_SERVICE_HOST here either: these refusals come first.
    await expect(main(['--in-cluster', ...flags])).rejects.toThrow(UsageError);
    await expect(main(['--in-cluster', ...flags])).rejects.toThrow(message);
  });
});
