/** The status selector string, as `metav1.FormatLabelSelector` prints it. (Conditions: journeys and progress tests.) */
import { describe, expect, it } from '@jest/globals';
import { formatSelector } from '../../../../shared/core/engine/status-builder.js';
import type { LabelSelector } from '../../../../shared/core/model/types.js';

type Req = NonNullable<LabelSelector['matchExpressions']>[number];
const e = (key: string, operator: string, values?: string[]): Req =>
  ({ key, operator, ...(values ? { values } : {}) }) as Req;

describe('formatSelector', () => {
  it.each<{ case: string; sel: LabelSelector | undefined; want: string }>([
    { case: 'no selector', sel: undefined, want: '' },
    { case: 'empty selector', sel: {}, want: '' },
    {
      case: 'labels sorted by key',
      sel: { matchLabels: { tier: 'web', app: 'demo' } },
      want: 'app=demo,tier=web',
    },
    {
      case: 'In with sorted values',
      sel: { matchExpressions: [e('env', 'In', ['prod', 'dev'])] },
      want: 'env in (dev,prod)',
    },
    { case: 'NotIn', sel: { matchExpressions: [e('env', 'NotIn', ['qa'])] }, want: 'env notin (qa)' },
    { case: 'Exists', sel: { matchExpressions: [e('canary', 'Exists')] }, want: 'canary' },
    { case: 'DoesNotExist', sel: { matchExpressions: [e('canary', 'DoesNotExist')] }, want: '!canary' },
    { case: 'unknown operator dropped', sel: { matchExpressions: [e('x', 'Near', ['a'])] }, want: '' },
    {
      case: 'labels first, then expressions in order',
      sel: { matchLabels: { app: 'demo' }, matchExpressions: [e('b', 'Exists'), e('a', 'In', ['1'])] },
      want: 'app=demo,b,a in (1)',
    },
  ])('$case', ({ sel, want }) => {
    expect(formatSelector(sel)).toBe(want);
  });
});
