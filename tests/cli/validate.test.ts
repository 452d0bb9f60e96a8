/**
 * `sluice validate`: every invalid input listed in docs/rollout-fields.md ("Validation checks") is caught from files alone, with the
 * engine's message, the file and the field named; missing referenced objects are warnings unless --strict.
 * Fixtures: tests/fixtures/validate/*.yaml, each headed by `# expect: <message>` (and `# strict`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { main } from '../../shared/runtimes/cli/main.js';
import type { Io } from '../../shared/runtimes/cli/args.js';
import { parseManifests } from '../../shared/runtimes/cli/validate.js';
import { validationError } from '../../shared/core/engine/validation.js';
import type { Observed } from '../../shared/core/engine/types.js';
import { parseVirtualServiceName, virtualServiceRefs } from '../../shared/core/istio/names.js';
import { parseRollout } from '../../shared/core/model/parse.js';
import { workloadRefOf } from '../../shared/core/model/workload-ref.js';
import { resolveObserved } from '../../shared/core/engine/workload.js';
import { validateMetrics } from '../../shared/core/analysis/validate.js';
import type { KubeObject, Service } from '../../shared/core/model/types.js';

const DIR = 'tests/fixtures/validate';

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env: {} };
}

interface Fixture {
  file: string;
  expected: string;
  strict: boolean;
}

const fixtures: Fixture[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => {
    const text = readFileSync(join(DIR, f), 'utf8');
    const expected = /^# expect: (.*)$/m.exec(text)?.[1];
    if (!expected) throw new Error(`${f} has no "# expect:" line`);
    return { file: join(DIR, f), expected, strict: /^# strict$/m.test(text) };
  });
const invalid = fixtures.filter((f) => f.expected !== 'valid');
const valid = fixtures.filter((f) => f.expected === 'valid');

/** What the engine would observe in a cluster holding exactly the file's objects. */
function observedFrom(file: string): Observed {
  const objects = parseManifests(file, readFileSync(file, 'utf8')).map(
    (m) => m.object as unknown as KubeObject,
  );
  const find = (kind: string, ns: string, name: string): KubeObject | undefined =>
    objects.find((o) => o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name);
  const rollout = parseRollout(objects.find((o) => o.kind === 'Rollout'));
  const ns = rollout.metadata.namespace;
  const canary = rollout.spec.strategy?.canary ?? {};
  const services: Record<string, Service | undefined> = {};
  for (const name of [canary.canaryService, canary.stableService].filter((n): n is string => !!n))
    services[name] = find('Service', ns, name) as Service | undefined;
  const istio = canary.trafficRouting?.istio;
  const virtualServices = (istio ? virtualServiceRefs(istio) : []).map((ref, index) => {
    const key = parseVirtualServiceName(ref.name, ns);
    const object = find('VirtualService', key.namespace, key.name);
    return object ? { key, index, object } : { key, index };
  });
  const dr = istio?.destinationRule ? find('DestinationRule', ns, istio.destinationRule.name) : undefined;
  const ref = workloadRefOf(rollout);
  const deployment = ref ? find('Deployment', ns, ref.name ?? '') : undefined;
  const observed: Observed = {
    rollout,
    replicaSets: [],
    services,
    virtualServices,
    ...(dr ? { destinationRule: dr } : {}),
    analysis: {
      runs: [],
      templates: objects.filter((o) => o.kind === 'AnalysisTemplate') as never,
      clusterTemplates: objects.filter((o) => o.kind === 'ClusterAnalysisTemplate') as never,
    },
    now: new Date(0),
    ...(ref ? { workload: deployment ? { object: deployment } : {} } : {}),
  };
  // The engine resolves a workloadRef before it validates (plan); an unresolvable one is its own message.
  const resolved = resolveObserved(observed);
  if ('error' in resolved) throw new Error(`${file}: ${resolved.error}`);
  return resolved.observed;
}

describe('sluice validate', () => {
  it('has a fixture for each validation check of docs/rollout-fields.md', () => {
    expect(invalid.length).toBeGreaterThanOrEqual(35);
  });

  it.each(invalid)('$file is rejected (exit 1) naming the file, the Rollout and the field', async (f) => {
    const io = capture();
    const code = await main(['validate', ...(f.strict ? ['--strict'] : []), f.file], io);
    expect(code).toBe(1);
    expect(io.stderr).toHaveLength(1);
    const prefix = `${f.file}: Rollout default/reviews: `;
    expect(io.stderr[0]?.startsWith(prefix)).toBe(true);
    const message = io.stderr[0]?.slice(prefix.length) ?? '';
    expect(message).toMatch(/^spec\.[^:]+: /); // the field is named
    expect(message).toContain(f.expected);
    expect(io.stdout.at(-1)).toMatch(/^1 Rollout\(s\) checked, 1 problem\(s\)/);
  });

  it.each(valid)('$file is valid (exit 0, no warning)', async (f) => {
    const io = capture();
    expect(await main(['validate', f.file], io)).toBe(0);
    expect(io.stderr).toEqual([]);
    expect(io.stdout).toContain(`${f.file}: Rollout default/reviews: valid`);
  });

  it.each(invalid.filter((f) => !f.strict))(
    '$file gets the message the engine puts in the InvalidSpec condition',
    async (f) => {
      const engine = validationError(observedFrom(f.file));
      expect(engine).toBeDefined();
      const io = capture();
      await main(['validate', f.file], io);
      const ours = io.stderr.join('\n').replace(`${f.file}: Rollout default/reviews: `, '');
      // The DestinationRule message is prefixed with its field by validate; the engine's text follows it.
      expect(`The Rollout "reviews" is invalid: ${ours}`).toContain(
        (engine ?? '').replace('The Rollout "reviews" is invalid: ', ''),
      );
      expect(engine).toBe(`The Rollout "reviews" is invalid: ${ours}`);
    },
  );

  it('a referenced object missing from the files is a warning (exit 0), an error with --strict (exit 1)', async () => {
    const file = 'examples/reviews/rollout.yaml';
    const io = capture();
    expect(await main(['validate', file], io)).toBe(0);
    expect(io.stderr).toEqual([
      expect.stringContaining(
        `${file}: Rollout default/reviews: warning: spec.strategy.canary.stableService: Invalid value: "reviews-stable": services "reviews-stable" not found`,
      ),
      expect.stringContaining('warning: spec.strategy.canary.canaryService'),
      expect.stringContaining(
        'warning: spec.strategy.canary.trafficRouting.istio.virtualService.name: Invalid value: "reviews": virtualservices.networking.istio.io "reviews" not found',
      ),
      expect.stringContaining(
        `warning: spec.strategy.canary.steps[1].analysis.templates: Invalid value: "success-rate": AnalysisTemplate 'success-rate' not found`,
      ),
    ]);
    expect(io.stdout.at(-1)).toBe('1 Rollout(s) checked, 0 problem(s), 4 warning(s)');
    const strict = capture();
    expect(await main(['validate', '--strict', file], strict)).toBe(1);
    expect(strict.stderr).toEqual([
      `${file}: Rollout default/reviews: spec.strategy.canary.stableService: Invalid value: "reviews-stable": services "reviews-stable" not found`,
    ]);
  });

  it('a directory of multi-document files is checked as one set (examples/reviews: valid, no warning)', async () => {
    const io = capture();
    expect(await main(['validate', 'examples/reviews'], io)).toBe(0);
    expect(io.stderr).toEqual([]);
    expect(io.stdout).toEqual([
      'examples/reviews/rollout.yaml: Rollout default/reviews: valid',
      '1 Rollout(s) checked, 0 problem(s), 0 warning(s)',
    ]);
  });

  it('a YAML syntax error names the file and line (exit 1); a missing path is bad usage (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-validate-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: v1\nkind: Service\n---\nkind: [unclosed\n');
    const io = capture();
    expect(await main(['validate', bad], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(new RegExp(`^${bad}: cannot parse: line \\d+: `));
    const usage = capture();
    expect(await main(['validate', join(dir, 'absent.yaml')], usage)).toBe(2);
    expect(usage.stderr.join('\n')).toContain('no such file or directory');
    expect(await main(['validate'], capture())).toBe(2);
  });

  it('a device or a FIFO named as a manifest is refused before reading, not read without end (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-validate-'));
    const fifo = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    for (const [file, kind] of [
      ['/dev/zero', 'a character device'],
      [fifo, 'a FIFO'],
    ] as const) {
      const io = capture();
      expect(await main(['validate', file], io)).toBe(1);
      expect(io.stderr.join('\n')).toContain(`cannot read manifest ${file}: ${kind}, not a regular file`);
    }
  });

  it('a namespace-less manifest takes --namespace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-validate-'));
    const text = readFileSync(join(DIR, 'setweight-range.yaml'), 'utf8').replaceAll(
      '  namespace: default\n',
      '',
    );
    writeFileSync(join(dir, 'r.yaml'), text);
    const io = capture();
    expect(await main(['validate', '-n', 'shop', dir], io)).toBe(1);
    expect(io.stderr.join('\n')).toContain(
      `${join(dir, 'r.yaml')}: Rollout shop/reviews: spec.strategy.steps[0].setWeight`,
    );
  });
});

describe('sluice validate: AnalysisTemplates', () => {
  const template = (kind: string, metrics: unknown[]): string =>
    JSON.stringify({
      apiVersion: 'argoproj.io/v1alpha1',
      kind,
      metadata: { name: 'success-rate', ...(kind === 'AnalysisTemplate' ? { namespace: 'shop' } : {}) },
      spec: { metrics },
    });
  const prometheus = { prometheus: { address: 'http://prometheus:9090', query: 'vector(1)' } };
  const check = async (text: string): Promise<{ code: number; stderr: string[]; file: string }> => {
    const file = join(mkdtempSync(join(tmpdir(), 'sluice-validate-')), 't.yaml');
    writeFileSync(file, text);
    const io = capture();
    const code = await main(['validate', file], io);
    return { code, stderr: io.stderr, file };
  };

  it.each([
    [
      'count below failureLimit',
      [{ name: 'm', count: 1, failureLimit: 2, provider: prometheus }],
      `Analysis spec invalid: ${validateMetrics([{ name: 'm', count: 1, failureLimit: 2, provider: prometheus }])}`,
    ],
    [
      'two providers',
      [{ name: 'm', provider: { ...prometheus, web: { url: 'https://x' } } }],
      'Analysis spec invalid: metrics[0]: multiple providers specified',
    ],
    [
      'a duplicate metric name',
      [
        { name: 'm', provider: prometheus },
        { name: 'm', provider: prometheus },
      ],
      "Analysis spec invalid: metrics[1]: duplicate name 'm'",
    ],
    [
      'an unreadable interval',
      [{ name: 'm', count: 3, interval: 'often', provider: prometheus }],
      'Analysis spec invalid: metrics[0]: invalid interval string: ',
    ],
    [
      'a provider sluice does not measure with',
      [{ name: 'm', provider: { datadog: { query: 'avg:x' } } }],
      `metric provider "datadog" is not supported by sluice (metric 'm')`,
    ],
    [
      'OAuth2 without a client secret',
      [
        {
          name: 'm',
          provider: {
            web: {
              url: 'https://x',
              authentication: { oauth2: { tokenUrl: 'https://idp/t', clientId: 'c' } },
            },
          },
        },
      ],
      'missing mandatory parameter in metric for OAuth2 setup',
    ],
  ])('%s is an error (exit 1) with the message the run would report', async (_what, metrics, expected) => {
    for (const [kind, subject] of [
      ['AnalysisTemplate', 'AnalysisTemplate shop/success-rate'],
      ['ClusterAnalysisTemplate', 'ClusterAnalysisTemplate success-rate'],
    ] as const) {
      const { code, stderr, file } = await check(template(kind, metrics));
      expect(code).toBe(1);
      expect(stderr).toHaveLength(1);
      expect(stderr[0]).toContain(`${file}: ${subject}: ${expected}`);
    }
  });

  it('OAuth2 with its secret from an argument and sigv4.roleArn are valid (the role list is the run’s to check)', async () => {
    const ok = await check(
      template('AnalysisTemplate', [
        {
          name: 'web',
          provider: {
            web: {
              url: 'https://metrics.example/api',
              authentication: {
                oauth2: {
                  tokenUrl: 'https://idp.example/token',
                  clientId: 'sluice',
                  clientSecret: '{{args.client-secret}}',
                  scopes: ['metrics:read'],
                },
              },
            },
          },
        },
        {
          name: 'amp',
          provider: {
            prometheus: {
              address: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1',
              query: 'vector(1)',
              authentication: {
                sigv4: { region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/amp' },
              },
            },
          },
        },
      ]),
    );
    expect(ok).toMatchObject({ code: 0, stderr: [] });
  });

  it('limits and times still holding {{args...}} placeholders are left to the run; the rest is checked', async () => {
    const ok = await check(
      template('AnalysisTemplate', [
        {
          name: 'm',
          count: '{{args.count}}',
          failureLimit: 2,
          interval: '{{args.every}}',
          provider: prometheus,
        },
      ]),
    );
    expect(ok.code).toBe(0);
    expect(ok.stderr).toEqual([]);
    const bad = await check(
      template('AnalysisTemplate', [
        { name: 'm', count: '{{args.count}}', provider: prometheus },
        { name: 'n', provider: { job: {} } },
      ]),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr[0]).toContain(`metric provider "job" is not supported by sluice (metric 'n')`);
  });

  it("the example's template is valid", async () => {
    const io = capture();
    expect(await main(['validate', 'examples/reviews/analysistemplate.yaml'], io)).toBe(0);
    expect(io.stderr).toEqual([]);
  });
});
