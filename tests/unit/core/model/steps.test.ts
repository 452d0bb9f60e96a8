import { describe, expect, it } from '@jest/globals';
import {
  activeCanaryScale,
  currentSetWeight,
  currentStep,
  parseDuration,
  previousSetWeight,
  stepString,
} from '../../../../shared/core/model/steps.js';
import type { CanaryStep, RolloutStatus } from '../../../../shared/core/model/types.js';
import { canaryOf, istioRollout } from './fixtures.js';

/* Expected DurationSeconds values were printed by Go (strconv.ParseInt + time.ParseDuration), as Argo computes them. */
describe('parseDuration', () => {
  it.each<[string | number | undefined, number | undefined]>([
    [30, 30],
    [0, 0],
    [-5, -5],
    ['30', 30],
    ['+30', 30],
    ['-5', -5],
    ['0', 0],
    ['-0', 0],
    ['30s', 30],
    ['10m', 600],
    ['1h', 3600],
    ['1h30m', 5400],
    ['1.5h', 5400],
    ['90m', 5400],
    ['2h45m30s', 9930],
    ['.5m', 30],
    ['5.s', 5],
    ['1.5s', 1],
    ['500ms', 0],
    ['1µs', 0],
    ['0.0s', 0],
    ['-10s', -10],
    [undefined, undefined],
    [2.5, undefined],
    ['', undefined],
    ['abc', undefined],
    ['10x', undefined],
    ['1d', undefined],
    [' 30', undefined],
    ['30 s', undefined],
    ['3000000000', undefined],
    ['1e3s', undefined],
    ['1h-30m', undefined],
  ])('reads %p as %p seconds', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });
});

const STEPS: CanaryStep[] = [
  { setWeight: 10 },
  { pause: {} },
  { setCanaryScale: { replicas: 3 } },
  { setWeight: 40 },
  { pause: { duration: '1m' } },
];
const at = (status: RolloutStatus | undefined, steps: CanaryStep[] | undefined) =>
  istioRollout((r) => {
    canaryOf(r).steps = steps;
    if (status) r.status = status;
  });

describe('currentStep', () => {
  it.each<
    [string, RolloutStatus | undefined, CanaryStep[] | undefined, { step?: CanaryStep; index?: number }]
  >([
    ['starts at step 0 when the index is unset', undefined, STEPS, { step: STEPS[0], index: 0 }],
    ['reads status.currentStepIndex', { currentStepIndex: 3 }, STEPS, { step: STEPS[3], index: 3 }],
    ['has no step once past the last one', { currentStepIndex: 5 }, STEPS, { index: 5 }],
    ['has neither step nor index without steps', { currentStepIndex: 0 }, undefined, {}],
    ['has neither step nor index with an empty list', undefined, [], {}],
    ['reads a negative index as 0', { currentStepIndex: -2 }, STEPS, { step: STEPS[0], index: 0 }],
  ])('%s', (_name, status, steps, expected) => {
    expect(currentStep(at(status, steps))).toEqual(expected);
  });
});

describe('currentSetWeight', () => {
  it.each<[string, RolloutStatus | undefined, CanaryStep[] | undefined, number]>([
    ['is the setWeight of the current step', { currentStepIndex: 0 }, STEPS, 10],
    ['walks back over a pause to the previous setWeight', { currentStepIndex: 1 }, STEPS, 10],
    ['walks back over several non-weight steps', { currentStepIndex: 2 }, STEPS, 10],
    ['takes the later setWeight once reached', { currentStepIndex: 4 }, STEPS, 40],
    [
      'is 0 when no setWeight precedes the current step',
      { currentStepIndex: 1 },
      [{ pause: {} }, { pause: {} }, { setWeight: 50 }],
      0,
    ],
    ['is 100 past the last step', { currentStepIndex: 5 }, STEPS, 100],
    ['is 100 without steps', undefined, undefined, 100],
    ['is 0 when aborted, even past the last step', { currentStepIndex: 5, abort: true }, STEPS, 0],
    ['is 0 when aborted mid-way', { currentStepIndex: 3, abort: true }, STEPS, 0],
  ])('%s', (_name, status, steps, expected) => {
    expect(currentSetWeight(at(status, steps))).toBe(expected);
  });
});

describe('previousSetWeight', () => {
  it.each<[string, number, number]>([
    ['is 0 before the first step', 0, 0],
    ['excludes the step at the index itself', 3, 10],
    ['finds the nearest earlier setWeight', 4, 40],
    ['clamps an index past the end', 99, 40],
  ])('%s', (_name, index, expected) => {
    expect(previousSetWeight(STEPS, index)).toBe(expected);
  });
});

describe('activeCanaryScale', () => {
  const scaled: CanaryStep[] = [
    { setWeight: 10 },
    { setCanaryScale: { weight: 50 } },
    { setWeight: 20 },
    { setCanaryScale: { matchTrafficWeight: true } },
    { setWeight: 30 },
    { setCanaryScale: { replicas: 1 } },
  ];
  it.each<[string, CanaryStep[] | undefined, number | undefined, CanaryStep['setCanaryScale'] | undefined]>([
    ['is unset before any setCanaryScale', scaled, 0, undefined],
    ['applies from its own step', scaled, 1, { weight: 50 }],
    ['stays in force over later setWeight steps', scaled, 2, { weight: 50 }],
    ['is reset by matchTrafficWeight', scaled, 3, undefined],
    ['stays reset after matchTrafficWeight', scaled, 4, undefined],
    ['takes the newest setCanaryScale', scaled, 5, { replicas: 1 }],
    ['is unset past the last step', scaled, 6, undefined],
    ['is unset without steps', undefined, 0, undefined],
    ['is unset without an index', scaled, undefined, undefined],
  ])('%s', (_name, steps, index, expected) => {
    expect(activeCanaryScale(steps, index)).toEqual(expected);
  });
});

describe('stepString', () => {
  it.each<[CanaryStep, string]>([
    [{ setWeight: 20 }, 'setWeight: 20'],
    [{ setWeight: 0 }, 'setWeight: 0'],
    [{ pause: {} }, 'pause'],
    [{ pause: { duration: '30s' } }, 'pause: 30s'],
    [{ pause: { duration: 30 } }, 'pause: 30'],
    [{ pause: { duration: '1m' } }, 'pause: 1m'],
    [{ experiment: {} }, 'experiment'],
    [{ analysis: {} }, 'analysis'],
    [{ setCanaryScale: { weight: 50 } }, 'setCanaryScale{weight: 50}'],
    [{ setCanaryScale: { weight: 50, replicas: 2 } }, 'setCanaryScale{weight: 50}'],
    [{ setCanaryScale: { matchTrafficWeight: true } }, 'setCanaryScale{matchTrafficWeight: true}'],
    [{ setCanaryScale: { replicas: 2 } }, 'setCanaryScale{replicas: 2}'],
    [{ setHeaderRoute: { name: 'hdr' } }, 'setHeaderRoute: hdr'],
    [{ setMirrorRoute: { name: 'mirror' } }, 'setMirrorRoute: mirror'],
    [{ plugin: { name: 'argoproj-labs/step' } }, 'plugin: argoproj-labs/step'],
    [{}, 'invalid'],
  ])('names %j as %p', (step, expected) => {
    expect(stepString(step)).toBe(expected);
  });
});
