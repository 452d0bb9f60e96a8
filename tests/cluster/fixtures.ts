/** Small valid objects for the API-semantics tests (they pass the canonical Argo/Istio CRD schemas). */

export function rollout(name: string, replicas = 2): Record<string, unknown> {
  const labels = { app: name };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: 'registry.local/app:1' }] },
      },
      strategy: {
        canary: {
          canaryService: `${name}-canary`,
          stableService: `${name}-stable`,
          steps: [{ setWeight: 20 }],
        },
      },
    },
  };
}

export function virtualService(name: string, weight: unknown = 100): Record<string, unknown> {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name },
    spec: {
      hosts: [name],
      http: [
        {
          name: 'primary',
          route: [
            { destination: { host: `${name}-stable` }, weight },
            { destination: { host: `${name}-canary` }, weight: 0 },
          ],
        },
      ],
    },
  };
}

export function replicaSet(name: string, replicas = 3): Record<string, unknown> {
  const labels = { app: name, 'rollouts-pod-template-hash': 'abc123' };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: 'registry.local/app:1' }] },
      },
    },
  };
}

export function service(name: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
  };
}
