import { describe, expect, it } from '@jest/globals';
import {
  canonicalJson,
  fnv1a32,
  goStepsJson,
  legacyPodTemplateHash,
  podTemplateHash,
  safeEncode,
  stepsHash,
} from '../../../../shared/core/model/hash.js';
import type { CanaryStep, JsonObject } from '../../../../shared/core/model/types.js';

/*
 * Expected hashes below were computed independently with Go (hash/fnv, encoding/json and the
 * SafeEncodeString alphabet) over structs declaring the json tags of Argo Rollouts' CanaryStep types;
 * the FNV vectors are the published FNV-1a 32-bit test vectors.
 */

const utf8 = (s: string) => new TextEncoder().encode(s);
const TEMPLATE: JsonObject = {
  metadata: { labels: { app: 'reviews' } },
  spec: { containers: [{ name: 'app', image: 'reviews:1' }] },
};

describe('fnv1a32', () => {
  it.each([
    ['the empty input', '', 0x811c9dc5],
    ['"a"', 'a', 0xe40c292c],
    ['"foobar"', 'foobar', 0xbf9cf968],
  ])('matches the published vector for %s', (_name, input, expected) => {
    expect(fnv1a32(utf8(input))).toBe(expected);
  });
});

describe('safeEncode', () => {
  it('maps the decimal digits 0-9 to 4,5,6,7,8,9,b,c,d,f', () => {
    expect(safeEncode('0123456789')).toBe('456789bcdf');
  });
});

describe("legacyPodTemplateHash (the hash sluice wrote before it computed Argo's)", () => {
  it.each<[string, JsonObject, number | undefined, string]>([
    ['a one-key object', { a: 1 }, undefined, '67868497f7'],
    ['a one-key object with collisionCount 3', { a: 1 }, 3, '5df77c76bb'],
    ['a pod template', TEMPLATE, undefined, '5c77bf4969'],
    ['a pod template with collisionCount 0', TEMPLATE, 0, '54994798f'],
    ['a pod template with collisionCount 1', TEMPLATE, 1, '6d77d4d856'],
  ])(
    'hashes %s like FNV-1a over its sorted-key JSON (+ collision bytes)',
    (_name, template, count, expected) => {
      expect(legacyPodTemplateHash(template, count)).toBe(expected);
    },
  );
});

describe("podTemplateHash (Argo's; byte-for-byte checks against Go in go-json.test.ts)", () => {
  it('is independent of key order at every level', () => {
    const reordered: JsonObject = {
      spec: { containers: [{ image: 'reviews:1', name: 'app' }] },
      metadata: { labels: { app: 'reviews' } },
    };
    expect(podTemplateHash(reordered)).toBe(podTemplateHash(TEMPLATE));
    expect(canonicalJson(reordered)).toBe(canonicalJson(TEMPLATE));
  });

  it.each<[string, JsonObject]>([
    ['another image', { ...TEMPLATE, spec: { containers: [{ name: 'app', image: 'reviews:2' }] } }],
    ['another label', { ...TEMPLATE, metadata: { labels: { app: 'reviews', v: '2' } } }],
    ['containers in another order', { ...TEMPLATE, spec: { containers: [{ name: 'b' }, { name: 'a' }] } }],
  ])('changes with %s', (_name, changed) => {
    expect(podTemplateHash(changed)).not.toBe(podTemplateHash(TEMPLATE));
  });

  it('changes with every collisionCount, and a count of 0 differs from no count', () => {
    const hashes = [undefined, 0, 1, 2, 255, 256].map((c) => podTemplateHash(TEMPLATE, c));
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('uses only the safe alphabet', () => {
    const hashes = Array.from({ length: 50 }, (_, i) =>
      podTemplateHash({ metadata: { labels: { i: `${i}` } } }),
    );
    expect(new Set(hashes).size).toBe(50);
    for (const h of hashes) expect(h).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });
});

describe('stepsHash (status.currentStepHash)', () => {
  const mixed: CanaryStep[] = [
    { setWeight: 20 },
    { pause: { duration: '30s' } },
    { pause: {} },
    { pause: { duration: 10 } },
    { setCanaryScale: { replicas: 2, weight: 5, matchTrafficWeight: false } },
    {
      setHeaderRoute: {
        name: 'h',
        match: [{ headerName: 'x<y', headerValue: { regex: 'a&b', exact: 'e' } }],
      },
    },
    {
      setMirrorRoute: {
        name: 'm',
        percentage: 0,
        match: [{ path: { prefix: '/' }, headers: { z: { exact: '1' }, a: { prefix: '2' } } }],
      },
    },
    { setHeaderRoute: { name: 'h2' } },
  ];
  it.each<[string, CanaryStep[] | undefined, string, string]>([
    [
      'typical weight and pause steps',
      [{ setWeight: 20 }, { pause: { duration: '30s' } }, { setWeight: 50 }, { pause: {} }],
      '[{"setWeight":20},{"pause":{"duration":"30s"}},{"setWeight":50},{"pause":{}}]',
      'd9d66458b',
    ],
    [
      'an integer pause duration',
      [{ setWeight: 20 }, { pause: { duration: 30 } }, { setWeight: 50 }, { pause: {} }],
      '[{"setWeight":20},{"pause":{"duration":30}},{"setWeight":50},{"pause":{}}]',
      '78c6df9479',
    ],
    [
      'every supported step type, Go field order and HTML escaping',
      mixed,
      '[{"setWeight":20},{"pause":{"duration":"30s"}},{"pause":{}},{"pause":{"duration":10}},{"setCanaryScale":{"weight":5,"replicas":2}},{"setHeaderRoute":{"name":"h","match":[{"headerName":"x\\u003cy","headerValue":{"exact":"e","regex":"a\\u0026b"}}]}},{"setMirrorRoute":{"name":"m","match":[{"path":{"prefix":"/"},"headers":{"a":{"prefix":"2"},"z":{"exact":"1"}}}],"percentage":0}},{"setHeaderRoute":{"name":"h2"}}]',
      '6448cf46b8',
    ],
    [
      'omitempty fields',
      [
        { setCanaryScale: { matchTrafficWeight: true } },
        { setMirrorRoute: { name: '' } },
        { setHeaderRoute: { name: '', match: [] } },
      ],
      '[{"setCanaryScale":{"matchTrafficWeight":true}},{"setMirrorRoute":{"name":""}},{"setHeaderRoute":{}}]',
      '5d6f5f676b',
    ],
    ['no steps', undefined, 'null', '5ffbfbbd64'],
    ['an empty step list', [], '[]', '5f8cb5778f'],
  ])('writes Go JSON and Argo’s hash for %s', (_name, steps, json, hash) => {
    expect(goStepsJson(steps)).toBe(json);
    expect(stepsHash(steps)).toBe(hash);
  });

  it('changes when a step changes', () => {
    expect(stepsHash([{ setWeight: 20 }])).not.toBe(stepsHash([{ setWeight: 21 }]));
  });
});
