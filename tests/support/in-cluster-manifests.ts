/**
 * The shipped `deploy/in-cluster` manifests as kustomize would gather them: the files its kustomization.yaml lists,
 * and for a listed folder the files of that folder's kustomization (deploy/rbac). Tests parse the Deployment's
 * args, ports, probes and volumes from here instead of repeating them.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { repoRoot } from '../../tools/test-cluster/cluster.js';
import type { Json } from '../../tools/test-cluster/kube-http.js';

/** The folder of the in-cluster manifests. */
export const IN_CLUSTER_DIR = path.join(repoRoot, 'deploy', 'in-cluster');

/** One manifest document and the file it came from. */
export interface ManifestDoc {
  file: string;
  doc: Json;
}

/** Every document of the kustomization in `dir`, in its `resources` order. */
export function kustomizationDocs(dir: string = IN_CLUSTER_DIR): ManifestDoc[] {
  const k = parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as { resources?: string[] };
  if (!k.resources?.length) throw new Error(`${dir}/kustomization.yaml lists no resources`);
  return k.resources.flatMap((r) => {
    const p = path.resolve(dir, r);
    if (statSync(p).isDirectory()) return kustomizationDocs(p);
    return parseAllDocuments(readFileSync(p, 'utf8'))
      .map((d) => d.toJS() as Json)
      .filter((d) => d !== null)
      .map((doc) => ({ file: path.relative(repoRoot, p), doc }));
  });
}

/** The one object of `kind` (and `name`, when given); throws when there is not exactly one. */
export function only(docs: ManifestDoc[], kind: string, name?: string): Json {
  const found = docs.filter(
    (d) => d.doc.kind === kind && (name === undefined || d.doc.metadata?.name === name),
  );
  if (found.length !== 1)
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0]?.doc;
}

/** The value after `flag` in `args`; throws when the flag is missing. */
export function flagValue(args: string[], flag: string): string {
  const i = args.indexOf(flag);
  const v = i < 0 ? undefined : args[i + 1];
  if (v === undefined) throw new Error(`${flag} is not in the args ${JSON.stringify(args)}`);
  return v;
}

/** `args` with the value after `flag` replaced by `value`. */
export function withFlag(args: string[], flag: string, value: string): string[] {
  flagValue(args, flag);
  return args.map((a, i) => (args[i - 1] === flag ? value : a));
}
