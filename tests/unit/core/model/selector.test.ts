/** LabelSelector operator checks and matching. */
import { describe, expect, it } from '@jest/globals';
import {
  isEmptySelector,
  labelSelectorError,
  selectorMatches,
} from '../../../../shared/core/model/selector.js';
import type { LabelSelector } from '../../../../shared/core/model/types.js';

type Req = NonNullable<LabelSelector['matchExpressions']>[number];
const expr = (operator: string, values?: string[], key = 'tier'): LabelSelector => ({
  matchExpressions: [{ key, operator, ...(values ? { values } : {}) } as Req],
});

describe('labelSelectorError', () => {
  it.each<{ case: string; sel: LabelSelector; want: string | undefined }>([
    { case: 'matchLabels only', sel: { matchLabels: { app: 'demo' } }, want: undefined },
    { case: 'In with values', sel: expr('In', ['a']), want: undefined },
    { case: 'NotIn with values', sel: expr('NotIn', ['a']), want: undefined },
    { case: 'Exists without values', sel: expr('Exists'), want: undefined },
    { case: 'DoesNotExist with empty values', sel: expr('DoesNotExist', []), want: undefined },
    {
      case: 'In without values',
      sel: expr('In'),
      want: "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    },
    {
      case: 'NotIn with empty values',
      sel: expr('NotIn', []),
      want: "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    },
    {
      case: 'Exists with values',
      sel: expr('Exists', ['a']),
      want: "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    },
    {
      case: 'unknown operator',
      sel: expr('Near', ['a']),
      want: 'spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator',
    },
  ])('$case', ({ sel, want }) => {
    expect(labelSelectorError(sel, 'spec.selector')).toBe(want);
  });

  it('names the index of the first bad requirement', () => {
    const sel: LabelSelector = {
      matchExpressions: [{ key: 'a', operator: 'Exists' } as Req, { key: 'b', operator: 'In' } as Req],
    };
    expect(labelSelectorError(sel, 'x')).toMatch(/^x\.matchExpressions\[1\]\.values: /);
  });
});

describe('isEmptySelector', () => {
  it.each<{ sel: LabelSelector; want: boolean }>([
    { sel: {}, want: true },
    { sel: { matchLabels: {}, matchExpressions: [] }, want: true },
    { sel: { matchLabels: { app: 'demo' } }, want: false },
    { sel: expr('Exists'), want: false },
  ])('$sel → $want', ({ sel, want }) => {
    expect(isEmptySelector(sel)).toBe(want);
  });
});

describe('selectorMatches', () => {
  const labels = { app: 'demo', tier: 'web' };
  it.each<{ case: string; sel: LabelSelector; labels?: Record<string, string>; want: boolean }>([
    { case: 'empty selector matches everything', sel: {}, labels, want: true },
    { case: 'empty selector matches no labels', sel: {}, want: true },
    { case: 'matchLabels equal', sel: { matchLabels: { app: 'demo' } }, labels, want: true },
    { case: 'matchLabels differ', sel: { matchLabels: { app: 'other' } }, labels, want: false },
    { case: 'matchLabels missing label', sel: { matchLabels: { zone: 'a' } }, labels, want: false },
    { case: 'In hit', sel: expr('In', ['web', 'api']), labels, want: true },
    { case: 'In miss', sel: expr('In', ['api']), labels, want: false },
    { case: 'In on a missing label', sel: expr('In', ['web'], 'zone'), labels, want: false },
    { case: 'NotIn hit', sel: expr('NotIn', ['web']), labels, want: false },
    { case: 'NotIn miss', sel: expr('NotIn', ['api']), labels, want: true },
    { case: 'NotIn on a missing label', sel: expr('NotIn', ['web'], 'zone'), labels, want: true },
    { case: 'Exists present', sel: expr('Exists'), labels, want: true },
    { case: 'Exists absent', sel: expr('Exists', undefined, 'zone'), labels, want: false },
    { case: 'DoesNotExist absent', sel: expr('DoesNotExist', undefined, 'zone'), labels, want: true },
    { case: 'DoesNotExist present', sel: expr('DoesNotExist'), labels, want: false },
    {
      case: 'every requirement must hold',
      sel: { matchLabels: { app: 'demo' }, ...expr('In', ['api']) },
      labels,
      want: false,
    },
  ])('$case', ({ sel, labels: l, want }) => {
    expect(selectorMatches(sel, l)).toBe(want);
  });
});
