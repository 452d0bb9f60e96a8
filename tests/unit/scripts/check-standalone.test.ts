import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { checkRepository, outsideReferences } from '../../../scripts/check-standalone.mjs';

const reasons = (file: string, text: string): string[] => outsideReferences(file, text).map((r) => r.reason);
const LEAVES = 'relative path leaves the repository';
const SHARED = 'path to a shared folder beside the repository';
const DOC = 'cites a document that is not in the repository';
const SECTION = 'cites a numbered section of a document that is not in the repository';

describe('check-standalone: one file', () => {
  it.each([
    ['tests/cli/a.test.ts', "import { x } from '../../../shared/spec/x.js';", [LEAVES]],
    ['bin/a.mjs', "await import('../../shared/crds/rollout.yaml');", [LEAVES]],
    ['docs/a.md', 'See [the spec](../../shared/spec/reliability.md).', [LEAVES]],
    ['README.md', 'the CRDs in ../shared/crds', [LEAVES]],
    // Samples of what is refused are assembled from parts, so this file does not itself read as a citation.
    ['tools/test-cluster/crds.ts', "const dir = path.join(ROOT, '..', " + "'shared', 'crds');", [SHARED]],
    ['jest.config.js', "crds: '<rootDir>/../shared/crds',", [SHARED]],
    ['.ci/run', 'cp -r "$ROOT/../shared" "$tmp/"', [SHARED]],
    ['shared/a.ts', ' * Retry policy (reliability-' + 'security.md §4).', [DOC, SECTION]],
    ['tests/cli/v.test.ts', "it('has a fixture for each spec §3 check')", [SECTION]],
    ['docs/a.md', 'The rules are in design.md and toolchain.md.', [DOC, DOC]],
    ['docs/a.md', 'as argo-rollouts-istio describes', [DOC]],
  ])('%s: %s is refused', (file, text, expected) => {
    expect(reasons(file, text)).toEqual(expected);
  });

  it.each([
    ['tests/cli/a.test.ts', "import { main } from '../../shared/runtimes/cli/main.js';"],
    ['bin/sluice.mjs', "await import('../shared/runtimes/cli/main.ts');"],
    [
      'docs/a.md',
      'See [the CLI](cli.md), [the README](../README.md) and [a test](../tests/cli/validate.test.ts).',
    ],
    ['.ci/run', 'cd "$(dirname "$0")/.."'],
    ['tools/test-cluster/a.ts', "const root = path.join(here, '..', '..');"],
    ['docs/a.md', 'https://github.com/argoproj/argo-rollouts/blob/v1.10.1/docs/features/../index.md'],
    ['docs/a.md', 'A redesign.md or designs.md of our own, section 3, step 5.'],
  ])('%s: %s is clean', (file, text) => {
    expect(reasons(file, text)).toEqual([]);
  });

  it('names the line of each reference', () => {
    const refs = outsideReferences('docs/a.md', 'fine\nsee ../../x\nfine\nspec §5');
    expect(refs.map((r) => r.line)).toEqual([2, 4]);
  });
});

describe('check-standalone: a repository', () => {
  it('reports each offending tracked file by path and line, and nothing for a clean one', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'standalone-'));
    mkdirSync(path.join(root, 'docs'));
    writeFileSync(path.join(root, 'docs', 'ok.md'), 'See [the CLI](cli.md).\n');
    writeFileSync(path.join(root, 'docs', 'bad.md'), 'intro\nSee ../../shared/spec/x.md\n');
    writeFileSync(path.join(root, 'untracked.md'), 'See ../../shared/spec/x.md\n');
    // Without the GIT_* variables of a hook or `git rebase --exec` (GIT_DIR would make this init re-initialise
    // that repository, as bare, instead of creating one here).
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));
    execFileSync('git', ['init', '-q'], { cwd: root, env });
    execFileSync('git', ['add', 'docs'], { cwd: root, env });
    expect(checkRepository(root)).toEqual([
      'docs/bad.md:2: relative path leaves the repository: ../../shared/spec/x.md',
    ]);
  });
});
