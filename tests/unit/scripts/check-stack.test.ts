/**
 * The static checks' suppressions stay explained: every check skipped in deploy/aws/checkov.yaml and every rule
 * ignored in deploy/aws/cfn-lint.yaml has a comment giving its reason right above it.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';

/** Entries of the YAML list under `key`, each with the comment lines just above it. */
function entriesWithReasons(file: string, key: string): { id: string; reason: string }[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${key}:`));
  expect(start).toBeGreaterThanOrEqual(0);
  const out: { id: string; reason: string }[] = [];
  let comment: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const c = /^\s+#\s?(.*)$/.exec(line);
    const e = /^\s+-\s+(\S+)\s*$/.exec(line);
    if (c) comment.push(c[1]!);
    else if (e) {
      out.push({ id: e[1]!, reason: comment.join(' ').trim() });
      comment = [];
    }
  }
  return out;
}

describe('stack check suppressions', () => {
  it.each([
    ['deploy/aws/checkov.yaml', 'skip-check', /^CKV_AWS_\d+$/],
    ['deploy/aws/cfn-lint.yaml', 'ignore_checks', /^[EWI]\d{4}$/],
  ])('%s: each entry under %s has a reason', (file, key, idPattern) => {
    const entries = entriesWithReasons(file, key);
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) {
      expect(e.id).toMatch(idPattern);
      expect({ id: e.id, reason: e.reason.length >= 40 }).toEqual({ id: e.id, reason: true });
    }
  });
});
