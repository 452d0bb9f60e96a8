import { describe, expect, it } from '@jest/globals';
import {
  LabelSelectorError,
  matchesLabels,
  parseLabelSelector,
} from '../../../../shared/runtimes/sandbox/label-selector.js';

const labels = { app: 'reviews', tier: 'web', 'argo-rollouts.argoproj.io/controller-instance-id': 'sluice' };

describe('label selectors', () => {
  it.each([
    { selector: '', want: true },
    { selector: 'app=reviews', want: true },
    { selector: 'app==reviews', want: true },
    { selector: 'app=ratings', want: false },
    { selector: 'app=', want: false },
    { selector: 'app!=ratings', want: true },
    { selector: 'missing!=x', want: true },
    { selector: 'tier', want: true },
    { selector: 'missing', want: false },
    { selector: '!missing', want: true },
    { selector: '!tier', want: false },
    { selector: 'tier in (web,api)', want: true },
    { selector: 'tier in (db)', want: false },
    { selector: 'tier notin (db, cache)', want: true },
    { selector: 'missing notin (db)', want: true },
    { selector: 'app=reviews,tier in (web),!canary', want: true },
    { selector: 'app=reviews,tier=db', want: false },
    { selector: 'argo-rollouts.argoproj.io/controller-instance-id=sluice', want: true },
  ])('"$selector" matches the labels: $want', ({ selector, want }) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(want);
  });

  it.each(['=x', 'a b', 'tier in web', 'app=re views'])('rejects the malformed selector "%s"', (selector) => {
    expect(() => parseLabelSelector(selector)).toThrow(LabelSelectorError);
  });
});
