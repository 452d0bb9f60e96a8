/**
 * The cost table of docs/deploy.md ("Cost") is `npm run cost`'s output (scripts/cost.mjs), and that output follows
 * the stack's files: a memory size changed in serverless.yml changes the table, and `--results` takes the
 * durations from a bench results file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

/** `node scripts/cost.mjs ...args` with the Node running the tests (the node@22 devDependency under npm). */
function cost(...args: string[]): string {
  return execFileSync(process.execPath, ['scripts/cost.mjs', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The table between the doc's cost-table markers. */
function docTable(): string {
  const doc = readFileSync('docs/deploy.md', 'utf8');
  const m = /<!-- cost-table:begin -->\n([\s\S]*?)\n<!-- cost-table:end -->/.exec(doc);
  if (!m) throw new Error('docs/deploy.md has no cost-table markers');
  return m[1]!;
}

/** The cells of the row whose label starts with `label`. */
function row(table: string, label: string): string[] {
  const line = table.split('\n').find((l) => l.startsWith(`| ${label}`));
  if (!line) throw new Error(`no row ${label} in:\n${table}`);
  return line
    .split('|')
    .slice(2, -1)
    .map((c) => c.trim());
}

const tmp = mkdtempSync(path.join(tmpdir(), 'sluice-cost-'));

describe('npm run cost', () => {
  it('prints exactly the table docs/deploy.md shows', () => {
    expect(docTable()).toEqual(cost().trimEnd());
  });

  it("reads the functions' memory sizes from serverless.yml", () => {
    const sls = readFileSync('serverless.yml', 'utf8');
    const watchAt = sls.indexOf('\n  watch:\n');
    const changed = sls.slice(0, watchAt) + sls.slice(watchAt).replace('memorySize: 256', 'memorySize: 512');
    expect(changed).not.toEqual(sls);
    const file = path.join(tmp, 'serverless.yml');
    writeFileSync(file, changed);
    const before = row(cost(), 'Lambda GB-s, `watch`');
    const after = row(cost('--serverless', file), 'Lambda GB-s, `watch`');
    expect(before[0]).toMatch(/^635,100 = \$8\.47$/);
    expect(after[0]).toMatch(/^1,270,200 = \$16\.94$/);
    expect(row(cost('--serverless', file), 'Lambda GB-s, `step`')).toEqual(
      row(cost(), 'Lambda GB-s, `step`'),
    );
  });

  it('takes the durations from a bench results file with --results', () => {
    const results = {
      step: [{ mode: 'host', case: 'weight-change', sluiceMs: { p50: 200 } }],
      cold: [{ fn: 'promote', handlerMs: 100 }],
      fleet: [
        { clusters: 1, dueFraction: 0, rollouts: 100, wallMs: 60 },
        { clusters: 1, dueFraction: 0.1, rollouts: 100, wallMs: 999 },
      ],
      drift: { driftCheckMedianMs: 40 },
      reaction: { stepInvocations: 50, timersArmed: 10 },
    };
    const file = path.join(tmp, 'results.json');
    writeFileSync(file, JSON.stringify(results));
    const out = cost('--results', file);
    expect(out).toContain(
      'step pass 200, promote 100, drift-check 40, schedule tick 100: 60; per update 50 step invocations, 10 timers.',
    );
    // 43,800 ticks × 0.5 GB × 0.06 s
    expect(row(out, 'Lambda GB-s, `schedule`')[0]).toBe('1,314 = $0.02');
    writeFileSync(file, JSON.stringify({ ...results, reaction: undefined }));
    expect(() => cost('--results', file)).toThrow(/not a full bench run/);
  });
});
