/**
 * The analysis core stays pure: no Kubernetes client, AWS SDK, middy, file system or network imports, and nothing
 * from the runtime layers.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(process.cwd(), 'shared/core/analysis');
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );

describe('shared/core/analysis imports', () => {
  const all = files(ROOT);

  it('has the modules it should', () => {
    expect(all.length).toBeGreaterThan(20);
  });

  it.each(all.map((f) => [f.slice(ROOT.length + 1), f]))('%s imports only pure modules', (_name, file) => {
    const imports = [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1] ?? '');
    for (const spec of imports) {
      expect(spec).toMatch(/^\.{1,2}\//);
      expect(spec).not.toMatch(/adapters|runtimes|\/app\//);
    }
  });
});
