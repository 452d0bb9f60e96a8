/** Watch semantics: bookmarks, and 410 Gone / Expired for resourceVersions the server no longer has. */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readClusterFile } from '../../tools/test-cluster/cluster.js';
import { kubeRequest, kubeStream, type Connection } from '../../tools/test-cluster/kube-http.js';
import { requestAs } from '../support/rbac.js';
import {
  adminConnectionInfo,
  applyObjects,
  createNamespace,
  startExtraCluster,
  type ExtraCluster,
} from '../support/cluster.js';
import { rollout } from './fixtures.js';

let ns: string;
let admin: Connection;
const roList = (n: string): string => `/apis/argoproj.io/v1alpha1/namespaces/${n}/rollouts`;

beforeAll(async () => {
  ns = await createNamespace('watch');
  admin = adminConnectionInfo();
});

describe('watch with allowWatchBookmarks', () => {
  it('streams the existing objects, then a BOOKMARK marking the end of the initial events', async () => {
    await applyObjects(ns, [rollout('w1'), rollout('w2')]);
    const q = 'watch=1&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan';
    const res = await kubeStream(admin, `${roList(ns)}?${q}`, (ev) => ev.some((e) => e.type === 'BOOKMARK'));
    expect(res.status).toBe(200);
    expect(res.timedOut).toBe(false);
    const types = res.events.map((e) => `${e.type} ${e.object.metadata.name ?? ''}`.trim());
    expect(types.slice(0, 2).sort()).toEqual(['ADDED w1', 'ADDED w2']);
    const bookmark = res.events[2];
    expect(bookmark.type).toBe('BOOKMARK');
    expect(bookmark.object.metadata.annotations['k8s.io/initial-events-end']).toBe('true');
    expect(Number(bookmark.object.metadata.resourceVersion)).toBeGreaterThan(0);
  });

  it('delivers a change made after the watch started from a resourceVersion', async () => {
    const list = await kubeRequest(admin, 'GET', roList(ns));
    const rv = list.body.metadata.resourceVersion as string;
    const watching = kubeStream(
      admin,
      `${roList(ns)}?watch=1&allowWatchBookmarks=true&resourceVersion=${rv}`,
      (ev) => ev.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'w3'),
    );
    await applyObjects(ns, [rollout('w3')]);
    const res = await watching;
    expect(res.timedOut).toBe(false);
    expect(res.events.filter((e) => e.type !== 'BOOKMARK').map((e) => e.object.metadata.name)).toEqual([
      'w3',
    ]);
  });
});

describe('too-old resourceVersion', () => {
  it('ends a watch of a custom resource from resourceVersion 1 with an ERROR event: 410 Expired', async () => {
    const res = await kubeStream(
      admin,
      `${roList(ns)}?watch=1&allowWatchBookmarks=true&resourceVersion=1`,
      (ev) => ev.length > 0,
    );
    // The HTTP status is 200: the error arrives as the first (and only) watch event.
    expect(res.status).toBe(200);
    expect(res.events).toHaveLength(1);
    expect(res.events[0].type).toBe('ERROR');
    expect(res.events[0].object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    expect(res.events[0].object.message).toMatch(/^too old resource version: 1 \(\d+\)$/);
  });

  describe('after etcd compaction (own cluster, so other tests are not disturbed)', () => {
    let extra: ExtraCluster;
    beforeAll(async () => {
      extra = await startExtraCluster();
    }, 90_000);
    afterAll(async () => {
      await extra?.stop();
    });

    it('answers a list at an exact compacted resourceVersion with HTTP 410 Expired', async () => {
      const ns2 = 'compaction';
      expect(
        (await requestAs(extra.kubeconfigYaml, 'POST', '/api/v1/namespaces', { metadata: { name: ns2 } }))
          .status,
      ).toBe(201);
      const created = await requestAs(extra.kubeconfigYaml, 'POST', roList(ns2), {
        ...rollout('c1'),
        metadata: { name: 'c1' },
      });
      const oldRv = created.body.metadata.resourceVersion as string;
      const exact = `${roList(ns2)}?resourceVersion=${oldRv}&resourceVersionMatch=Exact`;
      expect((await requestAs(extra.kubeconfigYaml, 'GET', exact)).status).toBe(200);
      await requestAs(extra.kubeconfigYaml, 'PATCH', `${roList(ns2)}/c1`, { spec: { replicas: 5 } });
      // Compact the way a peer kube-apiserver's compactor does: record the revision under compact_rev_key, then
      // compact etcd. The API server notices (watch on that key), and its watch cache follows within ~16 s.
      const etcdPort = readClusterFile(extra.dir).ports.etcd;
      const head = await etcd(etcdPort, '/v3/kv/range', { key: b64('/') });
      const rev = head.header.revision;
      await etcd(etcdPort, '/v3/kv/put', { key: b64('compact_rev_key'), value: b64(rev) });
      await etcd(etcdPort, '/v3/kv/compaction', { revision: rev, physical: true });
      let res = await requestAs(extra.kubeconfigYaml, 'GET', exact);
      for (const deadline = Date.now() + 40_000; res.status === 200 && Date.now() < deadline;) {
        await new Promise((r) => setTimeout(r, 500));
        res = await requestAs(extra.kubeconfigYaml, 'GET', exact);
      }
      expect(res.status).toBe(410);
      expect(res.body.reason).toBe('Expired');
    }, 60_000);
  });
});

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** One call to etcd's JSON gateway (v3 API over HTTP). */
function etcd(port: number, path: string, body: unknown): Promise<{ header: { revision: string } }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST' }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`etcd ${path}: ${text}`)),
      );
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
