/**
 * The published CRDs, fetched from their publishers' Go modules through the Go module proxy at the versions pinned
 * in `crds.lock.json`, checked against the sha256 sums committed there, and cached beside the test cluster's
 * binaries. Nothing outside the repository is read except the module cache and that cache folder.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));

/** One module's CRD files in `crds.lock.json`. */
export interface CrdSource {
  module: string;
  version: string;
  /** Path inside the module → expected sha256 (hex) of the file as published. */
  files: Record<string, string>;
  /** Keep only these CRD names (metadata.name); all when absent. */
  only?: string[];
}

/** The lock file's sources. */
export function crdSources(lockFile = path.join(here, 'crds.lock.json')): CrdSource[] {
  return (JSON.parse(readFileSync(lockFile, 'utf8')) as { sources: CrdSource[] }).sources;
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** Where the module's files are on disk: `go mod download -json module@version` (through GOPROXY). */
function moduleDir(src: CrdSource): string {
  const ref = `${src.module}@${src.version}`;
  let out: string;
  try {
    out = execFileSync('go', ['mod', 'download', '-json', ref], {
      cwd: os.tmpdir(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GO111MODULE: 'on', GOFLAGS: '-mod=mod' },
    });
  } catch (e) {
    const err = e as { stdout?: string; message: string };
    throw new Error(`cannot download ${ref} from the Go module proxy: ${err.stdout || err.message}`);
  }
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (info.Error || !info.Dir)
    throw new Error(`cannot download ${ref}: ${info.Error ?? 'no Dir in the answer'}`);
  return info.Dir;
}

/** The YAML documents of one source that are CRDs it keeps, each checked against its sum. */
function readSource(src: CrdSource): { name: string; yaml: string }[] {
  const dir = moduleDir(src);
  const wanted = src.only ? new Set(src.only) : undefined;
  const out: { name: string; yaml: string }[] = [];
  for (const [file, sum] of Object.entries(src.files)) {
    const data = readFileSync(path.join(dir, file));
    const got = sha256(data);
    if (got !== sum) {
      throw new Error(`${src.module}@${src.version}/${file}: sha256 ${got}, crds.lock.json expects ${sum}`);
    }
    for (const doc of parseAllDocuments(data.toString('utf8'))) {
      const obj = doc.toJS() as { kind?: string; metadata?: { name?: string } } | null;
      const name = obj?.metadata?.name;
      if (obj?.kind !== 'CustomResourceDefinition' || !name) continue;
      if (wanted && !wanted.has(name)) continue;
      out.push({ name, yaml: stringify(obj, { lineWidth: 0 }) });
    }
  }
  const missing = [...(wanted ?? [])].filter((n) => !out.some((c) => c.name === n));
  if (missing.length) throw new Error(`${src.module}@${src.version} has no CRD named ${missing.join(', ')}`);
  return out;
}

/** The cache folder for a lock: keyed by the lock's own digest, so a changed pin never reuses old files. */
export function crdCacheDir(lockFile = path.join(here, 'crds.lock.json')): string {
  const base = process.env.SLUICE_CRD_CACHE ?? path.join(os.homedir(), '.cache', 'sluice', 'crds');
  return path.join(base, sha256(readFileSync(lockFile)).slice(0, 16));
}

/**
 * Returns a folder holding one `*.yaml` per pinned CRD: the cache when it is complete, else fetched anew (module
 * download, sum check, the kept CRDs written to a temporary folder then renamed into place).
 */
export function ensureCrdDir(lockFile = path.join(here, 'crds.lock.json')): string {
  const dir = crdCacheDir(lockFile);
  if (existsSync(path.join(dir, 'COMPLETE'))) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const names: string[] = [];
  for (const src of crdSources(lockFile)) {
    for (const crd of readSource(src)) {
      writeFileSync(path.join(tmp, `${crd.name}.yaml`), crd.yaml);
      names.push(crd.name);
    }
  }
  writeFileSync(path.join(tmp, 'COMPLETE'), `${names.sort().join('\n')}\n`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  renameSync(tmp, dir);
  return dir;
}
