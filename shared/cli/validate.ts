/**
 * `sluice validate <files|dirs>...`: checks Rollout manifests offline with the engine's validators (no cluster).
 * Exit 0 when every Rollout is valid, 1 when any is invalid or unreadable, 2 on bad usage.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Rollout } from '../rollout/types.js';
import { parseRollout } from '../rollout/parse.js';
import { argoStepError, unsupportedStepError } from '../rollout/validate-steps.js';
import { UsageError, type Io } from './args.js';

/** Every `.yaml`/`.yml`/`.json` file under the given paths, in sorted order. */
async function manifestFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch {
      throw new UsageError(`${p}: no such file or directory`);
    }
    if (st.isDirectory()) {
      const entries = (await readdir(p)).sort();
      out.push(
        ...(await manifestFiles(entries.map((e) => join(p, e)).filter((e) => !/\/\.[^/]*$/.test(e)))).filter(
          (f) => /\.(ya?ml|json)$/.test(f),
        ),
      );
    } else out.push(p);
  }
  return out;
}

/** The first problem of one Rollout document, or undefined when valid. */
export function rolloutProblem(doc: unknown): string | undefined {
  const withNs = structuredClone(doc) as { metadata?: { namespace?: string } };
  if (withNs.metadata && !withNs.metadata.namespace) withNs.metadata.namespace = 'default';
  let r: Rollout;
  try {
    r = parseRollout(withNs);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  const canary = r.spec.strategy?.canary;
  if (!canary) return 'spec.strategy.canary: Required value: sluice runs the canary strategy only';
  return argoStepError(canary) ?? unsupportedStepError(canary);
}

/** Runs `sluice validate`. */
export async function main(argv: string[], io: Io): Promise<number> {
  if (argv.length === 0 || argv.some((a) => a.startsWith('-')))
    throw new UsageError('usage: sluice validate <files|dirs>...');
  const files = await manifestFiles(argv);
  let rollouts = 0;
  let bad = 0;
  for (const file of files) {
    let docs: unknown[];
    try {
      docs = parseAllDocuments(await readFile(file, 'utf8')).map((d) => {
        if (d.errors.length > 0) throw new Error(d.errors[0]?.message ?? 'YAML error');
        return d.toJS() as unknown;
      });
    } catch (err) {
      io.err(`${file}: cannot parse: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      bad++;
      continue;
    }
    for (const doc of docs) {
      if ((doc as { kind?: string } | null)?.kind !== 'Rollout') continue;
      rollouts++;
      const name = (doc as { metadata?: { name?: string } }).metadata?.name ?? '?';
      const problem = rolloutProblem(doc);
      if (problem) {
        bad++;
        io.err(`${file}: Rollout ${name}: ${problem}`);
      } else io.out(`${file}: Rollout ${name}: valid`);
    }
  }
  io.out(`${rollouts} Rollout(s) checked, ${bad} problem(s)`);
  return bad === 0 ? 0 : 1;
}
