/** Go durations and Argo's pause durations (`intstr`: integer seconds or a Go duration string). */
import { describe, expect, it } from '@jest/globals';
import { parseDuration, parseGoDuration } from '../../../../shared/core/model/duration.js';

describe('parseGoDuration (nanoseconds)', () => {
  it.each<{ input: string; want: number | undefined }>([
    { input: '0', want: 0 },
    { input: '-0', want: 0 },
    { input: '1s', want: 1e9 },
    { input: '+1s', want: 1e9 },
    { input: '-1s', want: -1e9 },
    { input: '1.5s', want: 1.5e9 },
    { input: '.5s', want: 0.5e9 },
    { input: '1.s', want: 1e9 },
    { input: '300ms', want: 300e6 },
    { input: '2us', want: 2e3 },
    { input: '2\u00b5s', want: 2e3 },
    { input: '2\u03bcs', want: 2e3 },
    { input: '7ns', want: 7 },
    { input: '1h30m', want: 5400e9 },
    { input: '1m1s1ms', want: 61.001e9 },
    { input: '2562047h', want: 2562047 * 3600e9 },
    { input: '2562048h', want: undefined },
    { input: '', want: undefined },
    { input: '-', want: undefined },
    { input: '1', want: undefined },
    { input: '10', want: undefined },
    { input: 's', want: undefined },
    { input: '.s', want: undefined },
    { input: '1d', want: undefined },
    { input: '1S', want: undefined },
    { input: '1s2', want: undefined },
    { input: ' 1s', want: undefined },
  ])('"$input" → $want', ({ input, want }) => {
    expect(parseGoDuration(input)).toBe(want);
  });
});

describe('parseDuration (whole seconds)', () => {
  it.each<{ input: number | string | undefined; want: number | undefined }>([
    { input: undefined, want: undefined },
    { input: 0, want: 0 },
    { input: 30, want: 30 },
    { input: -5, want: -5 },
    { input: 1.5, want: undefined },
    { input: 2 ** 31 - 1, want: 2 ** 31 - 1 },
    { input: 2 ** 31, want: undefined },
    { input: -(2 ** 31), want: -(2 ** 31) },
    { input: '30', want: 30 },
    { input: '-0', want: 0 },
    { input: '+7', want: 7 },
    { input: '2147483648', want: undefined },
    { input: '30s', want: 30 },
    { input: '1m', want: 60 },
    { input: '1h', want: 3600 },
    { input: '1.9s', want: 1 },
    { input: '-1.5s', want: -1 },
    { input: '500ms', want: 0 },
    { input: 'abc', want: undefined },
    { input: '', want: undefined },
  ])('$input → $want', ({ input, want }) => {
    expect(parseDuration(input)).toBe(want);
  });
});
