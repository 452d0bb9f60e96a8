import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { goJsonString, goMarshal } from '../../../../shared/core/model/go-json.js';
import { GO_STRUCTS, POD_TEMPLATE_SPEC } from '../../../../shared/core/model/go-pod-template.generated.js';
import { legacyPodTemplateHash, podTemplateHash } from '../../../../shared/core/model/hash.js';
import { canonicalQuantity } from '../../../../shared/core/model/quantity.js';
import type { JsonObject } from '../../../../shared/core/model/types.js';

/*
 * Every expected value here was computed by Go, not written by hand: tools/argo-rollouts/gojson.sh decodes each
 * case of tests/fixtures/go-json/cases.json with the k8s.io/api and apimachinery versions Argo Rollouts v1.10.1
 * builds with, and records Go's json.Marshal output and Argo's own hash.ComputePodTemplateHash
 * (tests/fixtures/go-json/vectors.json). tests/differential/go-json-drift.test.ts runs Go again and fails when the
 * committed table or vectors differ from what Go writes today.
 */
interface Vectors {
  quantities: { in: string; out?: string; error?: boolean }[];
  templates: { template: JsonObject; goJson: string; hash: string; hashCollision7: string }[];
}
const here = path.dirname(fileURLToPath(import.meta.url));
const vectors = JSON.parse(
  readFileSync(path.join(here, '../../../fixtures/go-json/vectors.json'), 'utf8'),
) as Vectors;

describe('canonicalQuantity (resource.Quantity decoded, then marshalled, by Go)', () => {
  it('has vectors for canonical, rewritten and invalid texts', () => {
    expect(vectors.quantities.filter((q) => q.error).length).toBeGreaterThan(5);
    expect(vectors.quantities.filter((q) => q.out !== undefined && q.out !== q.in).length).toBeGreaterThan(
      30,
    );
  });

  it.each(vectors.quantities.map((q) => [q.in, q.error ? undefined : q.out] as const))(
    '%j → %j',
    (input, expected) => {
      expect(canonicalQuantity(input)).toBe(expected);
    },
  );
});

describe('goMarshal of a PodTemplateSpec, and podTemplateHash', () => {
  it.each(vectors.templates.map((t, i) => [i, t] as const))('template %i: Go JSON and Argo hash', (_i, t) => {
    expect(goMarshal(GO_STRUCTS, POD_TEMPLATE_SPEC, t.template)).toBe(t.goJson);
    expect(podTemplateHash(t.template)).toBe(t.hash);
    expect(podTemplateHash(t.template, 7)).toBe(t.hashCollision7);
  });

  it('writes zero structs and drops unknown fields, as Go does', () => {
    expect(goMarshal(GO_STRUCTS, POD_TEMPLATE_SPEC, { spec: { containers: [{ name: 'a', x: 1 }] } })).toBe(
      '{"metadata":{},"spec":{"containers":[{"name":"a","resources":{}}]}}',
    );
  });

  it.each<[string, JsonObject]>([
    ['a string where Go wants an integer', { spec: { terminationGracePeriodSeconds: '30' } }],
    ['a malformed quantity', { spec: { containers: [{ name: 'a', resources: { limits: { cpu: '1x' } } }] } }],
    ['an object where Go wants a list', { spec: { containers: { name: 'a' } } }],
    ['a malformed time', { metadata: { creationTimestamp: 'yesterday' } }],
    ['a fractional integer', { spec: { priority: 1.5 } }],
  ])('gives no Go JSON for %s; the hash falls back to the legacy one', (_name, template) => {
    expect(goMarshal(GO_STRUCTS, POD_TEMPLATE_SPEC, template)).toBeUndefined();
    expect(podTemplateHash(template)).toBe(legacyPodTemplateHash(template));
  });

  it('differs from the legacy hash for a valid template', () => {
    const t = vectors.templates[0]!.template;
    expect(podTemplateHash(t)).not.toBe(legacyPodTemplateHash(t));
  });
});

describe('goJsonString', () => {
  it.each([
    ['<a&b>', '"\\u003ca\\u0026b\\u003e"'],
    ['\u2028\u2029', '"\\u2028\\u2029"'],
    ['\ud800x', '"\ufffdx"'],
    ['\b\f\n\u0001', '"\\b\\f\\n\\u0001"'],
  ])('escapes %j as Go does', (input, expected) => {
    expect(goJsonString(input)).toBe(expected);
  });
});
