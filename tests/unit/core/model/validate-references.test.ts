import { describe, expect, it } from '@jest/globals';
import { validateServiceReferences } from '../../../../shared/core/model/validate-references.js';
import type { Rollout, Service } from '../../../../shared/core/model/types.js';
import { canaryOf, istioRollout, service } from './fixtures.js';

const C = 'spec.strategy.canary';
const stable = service('reviews-stable', { app: 'reviews' });
const canary = service('reviews-canary', { app: 'reviews', 'rollouts-pod-template-hash': 'abc123' });
const pingPong = (r: Rollout) => {
  const c = canaryOf(r);
  delete c.canaryService;
  delete c.stableService;
  c.pingPong = { pingService: 'ping', pongService: 'pong' };
};

describe('validateServiceReferences', () => {
  it.each<[string, (r: Rollout) => void, Record<string, Service | undefined>, string | undefined]>([
    [
      'accepts Services whose selectors the pod template satisfies',
      () => {},
      { 'reviews-stable': stable, 'reviews-canary': canary },
      undefined,
    ],
    [
      'ignores the rollouts-pod-template-hash key in a selector',
      () => {},
      {
        'reviews-stable': service('reviews-stable', { 'rollouts-pod-template-hash': 'x' }),
        'reviews-canary': canary,
      },
      undefined,
    ],
    [
      'accepts a Service annotated as managed by this Rollout',
      () => {},
      {
        'reviews-stable': service(
          'reviews-stable',
          { app: 'reviews' },
          { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'reviews' },
        ),
        'reviews-canary': canary,
      },
      undefined,
    ],
    [
      'accepts a subset-level Rollout that names no Services',
      (r) => {
        const c = canaryOf(r);
        delete c.canaryService;
        delete c.stableService;
      },
      {},
      undefined,
    ],
    [
      'reports a missing stable Service first',
      () => {},
      { 'reviews-stable': undefined, 'reviews-canary': undefined },
      `${C}.stableService: Invalid value: "reviews-stable": services "reviews-stable" not found`,
    ],
    [
      'reports a missing canary Service',
      () => {},
      { 'reviews-stable': stable },
      `${C}.canaryService: Invalid value: "reviews-canary": services "reviews-canary" not found`,
    ],
    [
      'reports a missing Service before a mismatched one (all are looked up first)',
      () => {},
      { 'reviews-stable': service('reviews-stable', { app: 'other' }) },
      `${C}.canaryService: Invalid value: "reviews-canary": services "reviews-canary" not found`,
    ],
    [
      'reports a selector label the pod template lacks',
      () => {},
      {
        'reviews-stable': service('reviews-stable', { app: 'reviews', version: 'v1' }),
        'reviews-canary': canary,
      },
      `${C}.stableService: Invalid value: "reviews-stable": Service "reviews-stable" has unmatch label "version" in rollout`,
    ],
    [
      'reports a selector label with another value, first key in sorted order',
      () => {},
      {
        'reviews-stable': stable,
        'reviews-canary': service('reviews-canary', { tier: 'db', app: 'ratings' }),
      },
      `${C}.canaryService: Invalid value: "reviews-canary": Service "reviews-canary" has unmatch label "app" in rollout`,
    ],
    [
      'reports a Service managed by another Rollout',
      () => {},
      {
        'reviews-stable': stable,
        'reviews-canary': service(
          'reviews-canary',
          { app: 'reviews' },
          { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'ratings' },
        ),
      },
      `${C}.canaryService: Invalid value: "reviews-canary": Service "reviews-canary" is managed by another Rollout`,
    ],
    [
      'reports a missing ping Service',
      pingPong,
      { pong: service('pong', {}) },
      `${C}.pingPong.pingService: Invalid value: "ping": services "ping" not found`,
    ],
    [
      'reports a mismatched pong Service',
      pingPong,
      { ping: service('ping', { app: 'reviews' }), pong: service('pong', { app: 'x' }) },
      `${C}.pingPong.pongService: Invalid value: "pong": Service "pong" has unmatch label "app" in rollout`,
    ],
  ])('%s', (_name, mutate, services, expected) => {
    expect(validateServiceReferences(istioRollout(mutate), services)).toBe(expected);
  });
});
