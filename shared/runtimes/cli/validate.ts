/**
 * `sluice validate [--strict] [-n NS] <files|dirs>...`: lints Rollout manifests offline, before they are applied:
 * each Rollout with the Services, VirtualServices and DestinationRules found in the same files, with the engine's
 * checks and messages (validate-check.ts). Exit 0 when there is no error, 1 on any error (or unreadable file),
 * 2 on bad usage. A referenced object missing from the files is a warning unless `--strict`.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { readBoundedFile } from '../../adapters/kube/bounded-file.js';
import { parseFlags, UsageError, type Io } from './args.js';
import { checkManifests, type Manifest } from './validate-check.js';

const USAGE = 'usage: sluice validate [--strict] [--namespace NS] <files|dirs>...';

/** Every `.yaml`/`.yml`/`.json` file under the given paths (directories recursively, sorted; dotfiles skipped). */
async function manifestFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch {
      throw new UsageError(`${p}: no such file or directory`);
    }
    if (!st.isDirectory()) {
      out.push(p);
      continue;
    }
    const entries = (await readdir(p)).filter((e) => !e.startsWith('.')).sort();
    const nested = await manifestFiles(entries.map((e) => join(p, e)));
    out.push(...nested.filter((f) => /\.(ya?ml|json)$/.test(f)));
  }
  return out;
}

/** The documents of one file (a `kind: List` is expanded); throws with the first YAML error and its line. */
export function parseManifests(file: string, text: string): Manifest[] {
  const lines = new LineCounter();
  const out: Manifest[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter: lines })) {
    const line = lines.linePos(doc.range[0]).line;
    const error = doc.errors[0];
    if (error) {
      const at = error.linePos?.[0]?.line ?? line;
      throw new Error(`line ${at}: ${error.message.split('\n')[0]}`);
    }
    const value = doc.toJS() as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const object = value as Record<string, unknown>;
    if (object.kind === 'List' && Array.isArray(object.items)) {
      for (const item of object.items as unknown[])
        if (typeof item === 'object' && item !== null)
          out.push({ file, line, object: item as Record<string, unknown> });
    } else out.push({ file, line, object });
  }
  return out;
}

/** Largest manifest file `sluice validate` reads (a FIFO, a device or a bigger file is refused before reading). */
const MAX_MANIFEST_FILE_BYTES = 16 * 1024 * 1024;

/** Parses every file; an unreadable one is reported on stderr and counted. */
async function readAll(files: string[], io: Io): Promise<{ manifests: Manifest[]; unreadable: number }> {
  const manifests: Manifest[] = [];
  let unreadable = 0;
  for (const file of files) {
    try {
      const text = await readBoundedFile(file, 'manifest', MAX_MANIFEST_FILE_BYTES);
      manifests.push(...parseManifests(file, text));
    } catch (err) {
      io.err(`${file}: cannot parse: ${err instanceof Error ? err.message : String(err)}`);
      unreadable++;
    }
  }
  return { manifests, unreadable };
}

/** One `valid` line per Rollout without an error. */
function printValid(
  manifests: Manifest[],
  errors: { file: string; line: number }[],
  namespace: string,
  io: Io,
): void {
  for (const m of manifests) {
    if (m.object.kind !== 'Rollout') continue;
    const meta = (m.object.metadata ?? {}) as { name?: string; namespace?: string };
    const subject = `Rollout ${meta.namespace ?? namespace}/${meta.name ?? '?'}`;
    if (!errors.some((e) => e.file === m.file && e.line === m.line)) io.out(`${m.file}: ${subject}: valid`);
  }
}

/** Runs `sluice validate`. */
export async function main(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    strict: { type: 'boolean' },
    namespace: { type: 'string', short: 'n' },
  });
  if (positionals.length === 0) throw new UsageError(USAGE);
  const { manifests, unreadable } = await readAll(await manifestFiles(positionals), io);
  const namespace = values.namespace ?? 'default';
  const { rollouts, findings } = checkManifests(manifests, {
    strict: values.strict === true,
    defaultNamespace: namespace,
  });
  for (const f of findings)
    io.err(`${f.file}: ${f.subject}: ${f.level === 'warning' ? 'warning: ' : ''}${f.message}`);
  const errors = findings.filter((f) => f.level === 'error');
  const warnings = findings.length - errors.length;
  printValid(manifests, errors, namespace, io);
  const problems = errors.length + unreadable;
  io.out(`${rollouts} Rollout(s) checked, ${problems} problem(s), ${warnings} warning(s)`);
  return problems === 0 ? 0 : 1;
}
