/** sluice's writes carry its field manager, so managedFields tell sluice's writes from a foreign rewrite (drift). */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createGateway } from '../../shared/adapters/kube/client-gateway.js';
import { FIELD_MANAGER, lastWrittenBySluice } from '../../shared/adapters/kube/field-manager.js';
import { parseKubeconfig, toKubeConfig } from '../../shared/adapters/kube/kubeconfig.js';
import type { KubeGateway } from '../../shared/app/kube-port/gateway.js';
import type { KubeObject } from '../../shared/core/model/types.js';
import { adminRequest, clusterInfo, createNamespace } from '../support/cluster.js';
import { virtualService } from './fixtures.js';

let ns: string;
let gw: KubeGateway;

beforeAll(async () => {
  ns = await createNamespace('field-manager');
  gw = createGateway(toKubeConfig(parseKubeconfig(clusterInfo().kubeconfigYaml)));
});

describe('field manager', () => {
  it('records sluice as the manager of its writes, and a later foreign write as newer', async () => {
    const vs = await gw.create('virtualservices', ns, {
      ...virtualService('reviews'),
      metadata: { name: 'reviews' },
    } as KubeObject);
    expect((vs.metadata.managedFields as { manager: string }[]).map((m) => m.manager)).toEqual([
      FIELD_MANAGER,
    ]);
    expect(lastWrittenBySluice(vs)).toBe(true);
    // Managed-field times have one-second resolution: let the foreign write land in a later second.
    await new Promise((ok) => setTimeout(ok, 1100));
    const path = `/apis/networking.istio.io/v1/namespaces/${ns}/virtualservices/reviews`;
    const foreign = await adminRequest(
      'PATCH',
      path,
      { metadata: { labels: { 'synced-by': 'gitops' } } },
      'application/merge-patch+json',
    );
    expect(foreign.status).toBe(200);
    expect(lastWrittenBySluice(foreign.body as KubeObject)).toBe(false);
  });
});
