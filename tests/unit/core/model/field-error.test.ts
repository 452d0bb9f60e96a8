/** Field errors worded and quoted as Kubernetes' `field.Error` and Go's `%#v` print them. */
import { describe, expect, it } from '@jest/globals';
import {
  forbidden,
  goEmptyLabelSelector,
  goIntOrString,
  goQuote,
  goStringMap,
  goStringMatch,
  internal,
  invalid,
  notSupported,
  required,
  GoLiteral,
} from '../../../../shared/core/model/field-error.js';

describe('goQuote', () => {
  it.each<{ s: string; want: string }>([
    { s: 'abc', want: '"abc"' },
    { s: '', want: '""' },
    { s: 'a"b', want: '"a\\"b"' },
    { s: 'a\\b', want: '"a\\\\b"' },
    { s: 'a\nb\tc\rd', want: '"a\\nb\\tc\\rd"' },
    { s: '\u0001\u007f', want: '"\\x01\\x7f"' },
    { s: 'héllo', want: '"héllo"' },
  ])('$s → $want', ({ s, want }) => {
    expect(goQuote(s)).toBe(want);
  });
});

describe('field errors', () => {
  it.each<{ case: string; got: string; want: string }>([
    { case: 'invalid string', got: invalid('spec.x', 'a', 'bad'), want: 'spec.x: Invalid value: "a": bad' },
    {
      case: 'invalid number',
      got: invalid('spec.x', 120, 'too big'),
      want: 'spec.x: Invalid value: 120: too big',
    },
    { case: 'invalid boolean', got: invalid('spec.x', true, 'no'), want: 'spec.x: Invalid value: true: no' },
    { case: 'invalid null', got: invalid('spec.x', null, 'no'), want: 'spec.x: Invalid value: "null": no' },
    {
      case: 'invalid Go literal',
      got: invalid('spec.x', new GoLiteral('[]int{}'), 'no'),
      want: 'spec.x: Invalid value: []int{}: no',
    },
    { case: 'invalid without detail', got: invalid('spec.x', 1, ''), want: 'spec.x: Invalid value: 1' },
    { case: 'required', got: required('spec.x'), want: 'spec.x: Required value' },
    {
      case: 'required with detail',
      got: required('spec.x', 'must be set'),
      want: 'spec.x: Required value: must be set',
    },
    { case: 'internal', got: internal('spec.x', 'boom'), want: 'spec.x: Internal error: boom' },
    { case: 'forbidden', got: forbidden('spec.x', 'not here'), want: 'spec.x: Forbidden: not here' },
    {
      case: 'not supported',
      got: notSupported('spec.op', 'Near', ['In', 'NotIn']),
      want: 'spec.op: Unsupported value: "Near": supported values: "In", "NotIn"',
    },
  ])('$case', ({ got, want }) => {
    expect(got).toBe(want);
  });
});

describe('Go literals', () => {
  it.each<{ case: string; got: GoLiteral | string | number | boolean | null; want: string | null }>([
    { case: 'nil map', got: goStringMap(undefined), want: 'map[string]string(nil)' },
    {
      case: 'map with sorted keys',
      got: goStringMap({ b: '2', a: '1' }),
      want: 'map[string]string{"a":"1", "b":"2"}',
    },
    { case: 'empty map', got: goStringMap({}), want: 'map[string]string{}' },
    {
      case: 'StringMatch',
      got: goStringMatch({ prefix: '/api' }),
      want: 'v1alpha1.StringMatch{Exact:"", Prefix:"/api", Regex:""}',
    },
    {
      case: 'int IntOrString',
      got: goIntOrString(5),
      want: 'intstr.IntOrString{Type:0, IntVal:5, StrVal:""}',
    },
    {
      case: 'string IntOrString',
      got: goIntOrString('5s'),
      want: 'intstr.IntOrString{Type:1, IntVal:0, StrVal:"5s"}',
    },
    {
      case: 'nil selector parts',
      got: goEmptyLabelSelector({}),
      want: 'v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}',
    },
    {
      case: 'empty selector parts',
      got: goEmptyLabelSelector({ matchLabels: {}, matchExpressions: [] }),
      want: 'v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement{}}',
    },
  ])('$case', ({ got, want }) => {
    expect(got instanceof GoLiteral ? got.text : got).toBe(want);
  });

  it('an absent StringMatch is null', () => {
    expect(goStringMatch(undefined)).toBeNull();
  });
});
