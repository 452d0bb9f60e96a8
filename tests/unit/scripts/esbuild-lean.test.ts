/** The lean bundle plugin's rewrites: ObjectSerializer without models, and the stand-ins of unreachable packages. */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { standIn, UNREACHABLE, withoutModels } from '../../../scripts/esbuild-lean.mjs';

const require = createRequire(import.meta.url);
const serializerPath = require
  .resolve('@kubernetes/client-node')
  .replace(/index\.js$/, 'gen/models/ObjectSerializer.js');
const serializer = readFileSync(serializerPath, 'utf8');

describe('withoutModels', () => {
  it("drops the installed client-node's model imports and re-exports and empties the type map", () => {
    const out = withoutModels(serializer, serializerPath);
    expect(out).not.toMatch(/from '\.\.\/models\//);
    expect(out).toContain('let typeMap = {};');
    expect(out).toContain('export class ObjectSerializer');
    expect(out.length).toBeLessThan(serializer.length / 2);
  });

  it.each([
    ['a file without model imports', serializer.replace(/^import \{ \w+ \} from '\.\.\/models\/.*$/gm, '')],
    ['a type map of another shape', serializer.replace('let typeMap = {', 'const typeMap = {')],
    [
      'an enum map that is not empty',
      serializer.replace('let enumsMap = new Set([]);', 'let enumsMap = new Set(["A"]);'),
    ],
  ])('refuses %s, naming the file', (_what, source) => {
    expect(() => withoutModels(source, 'ObjectSerializer.js')).toThrow(
      /ObjectSerializer\.js does not have the shape/,
    );
  });
});

describe('standIn', () => {
  it.each(Object.entries(UNREACHABLE))(
    '%s: every export throws, naming the package, when reached',
    async (pkg, names) => {
      const mod = (await import(`data:text/javascript,${encodeURIComponent(standIn(pkg))}`)) as Record<
        string,
        unknown
      >;
      expect(Object.keys(mod).sort()).toEqual([...names].sort());
      for (const name of names) {
        const stand = mod[name] as (...args: unknown[]) => unknown;
        const message = new RegExp(`^${pkg} is not in this bundle .*; ${name} was reached$`);
        expect(() => stand()).toThrow(message);
        expect(() => new (stand as unknown as new () => unknown)()).toThrow(message);
        expect(() => (stand as unknown as Record<string, unknown>).anything).toThrow(message);
      }
    },
  );
});
