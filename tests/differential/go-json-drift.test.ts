/**
 * The Go type table (shared/core/model/go-pod-template.generated.ts) and the vectors Go computed
 * (tests/fixtures/go-json/vectors.json) are committed; this runs tools/argo-rollouts/gojson.sh again — Go, with the
 * k8s.io/api version and Argo Rollouts version of tools/argo-rollouts/go.mod — and fails when either differs from
 * what Go writes today (a version bump that changes the types, or a hand edit).
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(file, 'utf8');

describe('the Go type table and vectors are what Go writes', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'sluice-gojson-'));
  execFileSync('bash', [path.join(root, 'tools/argo-rollouts/gojson.sh'), out], {
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 600_000,
  });

  it('go-pod-template.generated.ts', async () => {
    const committed = path.join(root, 'shared/core/model/go-pod-template.generated.ts');
    const options = { ...(await prettier.resolveConfig(committed)), filepath: committed };
    const generated = await prettier.format(read(path.join(out, 'go-pod-template.generated.ts')), options);
    expect(generated).toBe(read(committed));
  });

  it('tests/fixtures/go-json/vectors.json', () => {
    const generated: unknown = JSON.parse(read(path.join(out, 'vectors.json')));
    expect(generated).toEqual(JSON.parse(read(path.join(root, 'tests/fixtures/go-json/vectors.json'))));
  });
});
