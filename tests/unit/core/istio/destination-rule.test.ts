import { describe, expect, it } from '@jest/globals';
import {
  releaseDestinationRule,
  updateDestinationRule,
} from '../../../../shared/core/istio/destination-rule.js';
import { IstioError } from '../../../../shared/core/istio/errors.js';
import type { KubeObject } from '../../../../shared/core/model/types.js';
import { load, yaml } from './helpers.js';

const REF = { name: 'istio-destrule', canarySubsetName: 'canary', stableSubsetName: 'stable' };
const HASH = 'rollouts-pod-template-hash';
const MANAGED = 'argo-rollouts.argoproj.io/managed-by-rollouts';

type Subset = { name: string; labels?: Record<string, string>; trafficPolicy?: unknown };
const subsets = (dr: KubeObject): Subset[] => (dr.spec as { subsets: Subset[] }).subsets;
const labelsOf = (dr: KubeObject): Record<string, Record<string, string> | undefined> =>
  Object.fromEntries(subsets(dr).map((s) => [s.name, s.labels]));

describe('updateDestinationRule', () => {
  it('TestUpdateHashAdditionalFieldsWithListers: labels injected, annotation added, trafficPolicy and other subsets kept', () => {
    const dr = load('dr-extra-fields.yaml', 'DestinationRule');
    const { object, modified } = updateDestinationRule(dr, REF, 'def456', 'abc123', 'rollout');
    expect(modified).toBe(true);
    expect(object).toEqual({
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'DestinationRule',
      metadata: {
        name: 'istio-destrule',
        namespace: 'default',
        annotations: { team: 'payments', [MANAGED]: 'rollout' },
      },
      spec: {
        host: 'root-service',
        trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' } },
        subsets: [
          {
            name: 'stable',
            labels: { version: 'v3', [HASH]: 'abc123' },
            trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } },
          },
          {
            name: 'canary',
            labels: { [HASH]: 'def456' },
            trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } },
          },
          { name: 'legacy', labels: { version: 'v1' } },
        ],
      },
    });
  });

  it('TestUpdateHashNoChange, unlike Argo even with subset trafficPolicy: the same hashes again are not a modification', () => {
    const first = updateDestinationRule(
      load('dr-extra-fields.yaml', 'DestinationRule'),
      REF,
      'def456',
      'abc123',
      'rollout',
    );
    const second = updateDestinationRule(first.object, REF, 'def456', 'abc123', 'rollout');
    expect(second.modified).toBe(false);
    expect(second.object).toEqual(first.object);
  });

  it.each([
    ['initial deploy: both subsets point at the one ReplicaSet', 'h1', 'h1', { canary: 'h1', stable: 'h1' }],
    [
      'during an update: canary at the new hash, stable at the old',
      'h2',
      'h1',
      { canary: 'h2', stable: 'h1' },
    ],
    [
      'abort: canary subset points at the stable hash (canaryHash = stableHash)',
      'h1',
      'h1',
      { canary: 'h1', stable: 'h1' },
    ],
    ['an empty hash removes the label', '', 'h1', { canary: undefined, stable: 'h1' }],
  ])('guide subset split, %s', (_, canaryHash, stableHash, expected) => {
    const dr = load('guide-subset-split.yaml', 'DestinationRule');
    const updated = updateDestinationRule(
      dr,
      { ...REF, name: 'rollout-destrule' },
      'h2',
      'h2',
      'rollout-example',
    ).object;
    const { object } = updateDestinationRule(
      updated,
      { ...REF, name: 'rollout-destrule' },
      canaryHash,
      stableHash,
      'rollout-example',
    );
    const labels = labelsOf(object);
    expect({ canary: labels['canary']?.[HASH], stable: labels['stable']?.[HASH] }).toEqual(expected);
    expect(labels['canary']?.['app']).toBe('rollout-example');
    expect(object.metadata.annotations?.[MANAGED]).toBe('rollout-example');
  });

  it('keeps subsets the Rollout does not name (#3125: Argo drops them)', () => {
    const { object } = updateDestinationRule(
      load('dr-extra-fields.yaml', 'DestinationRule'),
      REF,
      'h2',
      'h1',
      'rollout',
    );
    expect(subsets(object).map((s) => s.name)).toEqual(['stable', 'canary', 'legacy']);
    expect(labelsOf(object)['legacy']).toEqual({ version: 'v1' });
  });

  it('a canary subset missing from the DestinationRule is not invented', () => {
    const dr = yaml(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: istio-destrule, namespace: default}
spec:
  host: svc
  subsets:
  - name: stable`);
    const { object } = updateDestinationRule(dr, REF, 'h2', 'h1', 'rollout');
    expect(subsets(object)).toEqual([{ name: 'stable', labels: { [HASH]: 'h1' } }]);
  });

  it.each([
    [
      'subsets is not a list',
      'subsets: oops',
      'DestinationRule istio-destrule is malformed: spec.subsets must be a list, found string "oops"',
    ],
    [
      'a label is a number',
      'subsets: [{name: stable, labels: {version: 3}}]',
      'DestinationRule istio-destrule is malformed: spec.subsets[0].labels.version must be a string, found number 3',
    ],
    [
      'a subset has no name',
      'subsets: [{labels: {}}]',
      'DestinationRule istio-destrule is malformed: spec.subsets[0].name must be a string, found nothing',
    ],
  ])('refuses a DestinationRule whose %s', (_, specLine, message) => {
    const dr = yaml(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: istio-destrule, namespace: default}
spec:
  ${specLine}`);
    expect(() => updateDestinationRule(dr, REF, 'h2', 'h1', 'rollout')).toThrow(
      new IstioError(message, 'Malformed'),
    );
  });
});

describe('releaseDestinationRule', () => {
  it('TestSyncDestinationRule: removes the annotation and every hash label, keeps everything else', () => {
    const dr = load('dr-extra-fields.yaml', 'DestinationRule');
    const managed = updateDestinationRule(dr, REF, 'h2', 'h1', 'rollout').object;
    const { object, modified } = releaseDestinationRule(managed, REF);
    expect(modified).toBe(true);
    expect(object.metadata.annotations).toEqual({ team: 'payments' });
    expect(labelsOf(object)).toEqual({ stable: { version: 'v3' }, canary: {}, legacy: { version: 'v1' } });
    expect(object.spec).toMatchObject({
      host: 'root-service',
      trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' } },
    });
  });

  it('an unmanaged DestinationRule is not a modification', () => {
    const dr = load('dr-extra-fields.yaml', 'DestinationRule');
    const { object, modified } = releaseDestinationRule(dr);
    expect(modified).toBe(false);
    expect(object).toEqual(dr);
  });
});
