import { describe, expect, it } from '@jest/globals';
import { instanceIdSelector, matchesInstanceId } from '../../../../shared/core/model/instance-id.js';
import { istioRollout } from './fixtures.js';

const KEY = 'argo-rollouts.argoproj.io/controller-instance-id';

describe('instanceIdSelector', () => {
  it.each([
    ['selects the label value when an id is set', 'sluice-prod', `${KEY}=sluice-prod`],
    ['selects Rollouts without the label when no id is set', undefined, `!${KEY}`],
    ['treats an empty id as no id', '', `!${KEY}`],
  ])('%s', (_name, id, expected) => {
    expect(instanceIdSelector(id)).toBe(expected);
  });
});

describe('matchesInstanceId', () => {
  it.each<[string, Record<string, string> | undefined, string | undefined, boolean]>([
    ['matches a Rollout labelled with this id', { [KEY]: 'a' }, 'a', true],
    ['does not match a Rollout labelled with another id', { [KEY]: 'b' }, 'a', false],
    ['does not match an unlabelled Rollout when an id is set', undefined, 'a', false],
    ['matches an unlabelled Rollout when no id is set', { app: 'x' }, undefined, true],
    ['does not match a labelled Rollout when no id is set', { [KEY]: 'a' }, undefined, false],
    ['does not match a Rollout labelled with an empty id when no id is set', { [KEY]: '' }, '', false],
  ])('%s', (_name, labels, id, expected) => {
    const r = istioRollout((ro) => {
      if (labels) ro.metadata.labels = labels;
    });
    expect(matchesInstanceId(r, id)).toBe(expected);
  });
});
