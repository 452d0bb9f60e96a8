/**
 * Loads the seed example (`examples/reviews/*.yaml`) into the sandbox store.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { SERVED } from './resources.js';
import type { ObjectStore, StoredObject } from './store.js';

/** Directory of the seed example, relative to the repository root. */
export const EXAMPLE_DIR = new URL('../../../examples/reviews/', import.meta.url);

/** Reads every object from the YAML files of a directory (sorted by file name). */
export async function readManifests(dir: URL | string): Promise<StoredObject[]> {
  const path = typeof dir === 'string' ? dir : dir.pathname;
  const files = (await readdir(path)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const objects: StoredObject[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(join(path, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      const obj = doc.toJS() as StoredObject | null;
      if (obj) objects.push(obj);
    }
  }
  return objects;
}

/** Creates each object in the store (as a POST would). Returns what was created. */
export function loadObjects(store: ObjectStore, objects: StoredObject[]): StoredObject[] {
  return objects.map((obj) => {
    const [group, version] = (obj.apiVersion ?? '').includes('/')
      ? (obj.apiVersion ?? '').split('/')
      : ['', obj.apiVersion];
    const res = SERVED.find(
      (r) => r.group === group && r.kind === obj.kind && r.versions.includes(version ?? ''),
    );
    if (!res)
      throw new Error(
        `the sandbox does not serve ${obj.apiVersion} ${obj.kind} (object ${obj.metadata?.name})`,
      );
    const namespace = res.clusterScoped ? '' : (obj.metadata.namespace ?? 'default');
    return store.create(res, namespace, {
      ...obj,
      apiVersion: `${group ? `${group}/` : ''}${res.versions[0]}`,
    });
  });
}
