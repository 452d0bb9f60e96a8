/** Installs CustomResourceDefinitions with POST (the Rollout CRD is too big for client-side apply). */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { kubeRequest, type Connection } from './kube-http.js';

interface Crd {
  metadata: { name: string };
  spec: { group: string; names: { plural: string }; versions: { name: string; served: boolean }[] };
}

/** Reads every CustomResourceDefinition from the `*.yaml` files of `dir`. */
export function readCrds(dir: string): Crd[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
  if (files.length === 0) throw new Error(`no CRD files (*.yaml) in ${dir}`);
  const crds: Crd[] = [];
  for (const f of files) {
    for (const doc of parseAllDocuments(readFileSync(path.join(dir, f), 'utf8'))) {
      if (doc.errors.length) throw new Error(`cannot parse ${f}: ${doc.errors[0]?.message}`);
      const obj = doc.toJS() as { kind?: string } | null;
      if (obj?.kind === 'CustomResourceDefinition') crds.push(obj as unknown as Crd);
    }
  }
  return crds;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function poll(what: string, check: () => Promise<boolean>, budgetMs: number): Promise<void> {
  const deadline = Date.now() + budgetMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not true after ${budgetMs / 1000} s`);
    await sleep(100);
  }
}

/**
 * Creates each CRD (an existing one is left as is), waits until it is Established, then until every served
 * version lists the plural in discovery, then until a LIST of it answers 200: an Established CRD's storage may
 * still answer 429 "storage is (re)initializing" for a moment, which a test's first request would see. Returns the
 * CRD names.
 */
export async function installCrds(conn: Connection, dir: string, budgetMs = 30_000): Promise<string[]> {
  const crds = readCrds(dir);
  const base = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  for (const crd of crds) {
    const res = await kubeRequest(conn, 'POST', base, crd);
    if (res.status !== 201 && res.status !== 409) {
      throw new Error(
        `create CRD ${crd.metadata.name}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`,
      );
    }
  }
  for (const crd of crds) {
    const name = crd.metadata.name;
    await poll(
      `CRD ${name} Established`,
      async () => {
        const r = await kubeRequest(conn, 'GET', `${base}/${name}`);
        const conds = (r.body?.status?.conditions ?? []) as { type: string; status: string }[];
        return conds.some((c) => c.type === 'Established' && c.status === 'True');
      },
      budgetMs,
    );
    for (const v of crd.spec.versions.filter((x) => x.served)) {
      await poll(
        `CRD ${name} ${v.name} in discovery`,
        async () => {
          const r = await kubeRequest(conn, 'GET', `/apis/${crd.spec.group}/${v.name}`);
          const list = (r.body?.resources ?? []) as { name: string }[];
          return r.status === 200 && list.some((x) => x.name === crd.spec.names.plural);
        },
        budgetMs,
      );
      await poll(
        `CRD ${name} ${v.name} storage ready (LIST answers 200)`,
        async () =>
          (
            await kubeRequest(
              conn,
              'GET',
              `/apis/${crd.spec.group}/${v.name}/${crd.spec.names.plural}?limit=1`,
            )
          ).status === 200,
        budgetMs,
      );
    }
  }
  return crds.map((c) => c.metadata.name);
}
