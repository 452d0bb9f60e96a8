import { describe, expect, it } from '@jest/globals';
import { RolloutParseError } from '../../../../shared/core/model/errors.js';
import { parseRollout } from '../../../../shared/core/model/parse.js';
import { istioRollout } from './fixtures.js';

type Obj = Record<string, unknown>;
/** The fixture as plain JSON, mutated by `edit`. */
const raw = (edit: (o: Obj & { spec: Obj; metadata: Obj }) => void = () => {}): unknown => {
  const o = JSON.parse(JSON.stringify(istioRollout())) as Obj & { spec: Obj; metadata: Obj };
  edit(o);
  return o;
};
const canary = (o: { spec: Obj }) => (o.spec['strategy'] as { canary: Obj }).canary;
const steps = (o: { spec: Obj }) => canary(o)['steps'] as Obj[];

describe('parseRollout accepts', () => {
  it('a valid Rollout, returning an equal deep copy', () => {
    const input = raw();
    const out = parseRollout(input);
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
    expect(out.spec).not.toBe((input as Obj)['spec']);
  });

  it('unknown fields at every level, kept as they are', () => {
    const input = raw((o) => {
      o['extra'] = { a: [1, 2] };
      o.spec['workloadRef'] = { name: 'x' };
      canary(o)['antiAffinity'] = { requiredDuringSchedulingIgnoredDuringExecution: {} };
      steps(o)[0] = { setWeight: 20, future: true };
    });
    expect(parseRollout(input)).toEqual(input);
  });

  it('null members, dropped from the copy as the API server and Go treat them', () => {
    const out = parseRollout(
      raw((o) => {
        o.spec['replicas'] = null;
        o['status'] = { pauseConditions: null, currentStepIndex: 1 };
      }),
    );
    expect('replicas' in out.spec).toBe(false);
    expect(out.status).toEqual({ currentStepIndex: 1 });
  });

  it.each<[string, (o: Obj & { spec: Obj }) => void]>([
    ['a string pause duration', (o) => void (steps(o)[1] = { pause: { duration: '10m' } })],
    ['an integer pause duration', (o) => void (steps(o)[1] = { pause: { duration: 600 } })],
    ['a percentage maxSurge', (o) => void (canary(o)['maxSurge'] = '25%')],
    [
      'a full status',
      (o) =>
        void (o['status'] = {
          observedGeneration: '3',
          currentStepIndex: 2,
          conditions: [],
          canary: { weights: { canary: { weight: 20 }, stable: { weight: 80 } } },
        }),
    ],
  ])('%s', (_name, edit) => {
    expect(() => parseRollout(raw(edit))).not.toThrow();
  });
});

describe('parseRollout rejects, naming the Rollout and the field', () => {
  it.each<[string, unknown, string, string]>([
    ['a non-object', 'hello', '', 'Rollout: expected an object, got "hello"'],
    ['a list', [], '', 'Rollout: expected an object, got a list'],
    [
      'another apiVersion',
      raw((o) => void (o['apiVersion'] = 'argoproj.io/v1')),
      'apiVersion',
      'Rollout shop/reviews: apiVersion: expected "argoproj.io/v1alpha1", got "argoproj.io/v1"',
    ],
    [
      'another kind',
      raw((o) => void (o['kind'] = 'Deployment')),
      'kind',
      'Rollout shop/reviews: kind: expected "Rollout", got "Deployment"',
    ],
    [
      'missing metadata',
      raw((o) => delete (o as Obj)['metadata']),
      'metadata',
      'Rollout: metadata: expected an object, got nothing',
    ],
    [
      'a missing name',
      raw((o) => delete o.metadata['name']),
      'metadata.name',
      'Rollout: metadata.name: expected a non-empty string, got nothing',
    ],
    [
      'a missing namespace',
      raw((o) => delete o.metadata['namespace']),
      'metadata.namespace',
      'Rollout reviews: metadata.namespace: expected a non-empty string, got nothing',
    ],
    [
      'a numeric label value',
      raw((o) => void (o.metadata['labels'] = { v: 2 })),
      'metadata.labels.v',
      'Rollout shop/reviews: metadata.labels.v: expected a string, got 2',
    ],
    [
      'a missing spec',
      raw((o) => delete (o as Obj)['spec']),
      'spec',
      'Rollout shop/reviews: spec: expected an object, got nothing',
    ],
    [
      'replicas as a string',
      raw((o) => void (o.spec['replicas'] = '3')),
      'spec.replicas',
      'Rollout shop/reviews: spec.replicas: expected a number, got "3"',
    ],
    [
      'fractional replicas',
      raw((o) => void (o.spec['replicas'] = 2.5)),
      'spec.replicas',
      'Rollout shop/reviews: spec.replicas: expected an integer, got 2.5',
    ],
    [
      'paused as a string',
      raw((o) => void (o.spec['paused'] = 'true')),
      'spec.paused',
      'Rollout shop/reviews: spec.paused: expected a boolean, got "true"',
    ],
    [
      'a selector list',
      raw((o) => void (o.spec['selector'] = ['app'])),
      'spec.selector',
      'Rollout shop/reviews: spec.selector: expected an object, got a list',
    ],
    [
      'steps as an object',
      raw((o) => void (canary(o)['steps'] = { setWeight: 1 })),
      'spec.strategy.canary.steps',
      'Rollout shop/reviews: spec.strategy.canary.steps: expected a list, got an object',
    ],
    [
      'a string setWeight',
      raw((o) => void (steps(o)[0] = { setWeight: '20' })),
      'spec.strategy.canary.steps[0].setWeight',
      'Rollout shop/reviews: spec.strategy.canary.steps[0].setWeight: expected a number, got "20"',
    ],
    [
      'a boolean pause duration',
      raw((o) => void (steps(o)[1] = { pause: { duration: true } })),
      'spec.strategy.canary.steps[1].pause.duration',
      'Rollout shop/reviews: spec.strategy.canary.steps[1].pause.duration: expected an integer or a string, got true',
    ],
    [
      'a numeric header value',
      raw(
        (o) =>
          void (steps(o)[0] = {
            setHeaderRoute: { name: 'h', match: [{ headerName: 'x', headerValue: { exact: 1 } }] },
          }),
      ),
      'spec.strategy.canary.steps[0].setHeaderRoute.match[0].headerValue.exact',
      'Rollout shop/reviews: spec.strategy.canary.steps[0].setHeaderRoute.match[0].headerValue.exact: expected a string, got 1',
    ],
    [
      'a numeric VirtualService name',
      raw((o) => void (canary(o)['trafficRouting'] = { istio: { virtualService: { name: 7 } } })),
      'spec.strategy.canary.trafficRouting.istio.virtualService.name',
      'Rollout shop/reviews: spec.strategy.canary.trafficRouting.istio.virtualService.name: expected a string, got 7',
    ],
    [
      'a string route list',
      raw(
        (o) =>
          void (canary(o)['trafficRouting'] = {
            istio: { virtualServices: [{ name: 'a', routes: 'primary' }] },
          }),
      ),
      'spec.strategy.canary.trafficRouting.istio.virtualServices[0].routes',
      'Rollout shop/reviews: spec.strategy.canary.trafficRouting.istio.virtualServices[0].routes: expected a list, got "primary"',
    ],
    [
      'a numeric managed route name',
      raw((o) => void (canary(o)['trafficRouting'] = { managedRoutes: [{ name: 1 }] })),
      'spec.strategy.canary.trafficRouting.managedRoutes[0].name',
      'Rollout shop/reviews: spec.strategy.canary.trafficRouting.managedRoutes[0].name: expected a string, got 1',
    ],
    [
      'a numeric observedGeneration',
      raw((o) => void (o['status'] = { observedGeneration: 3 })),
      'status.observedGeneration',
      'Rollout shop/reviews: status.observedGeneration: expected a string, got 3',
    ],
    [
      'a string currentStepIndex',
      raw((o) => void (o['status'] = { currentStepIndex: '1' })),
      'status.currentStepIndex',
      'Rollout shop/reviews: status.currentStepIndex: expected a number, got "1"',
    ],
    [
      'a malformed condition',
      raw((o) => void (o['status'] = { conditions: [{ type: 'Available', status: true }] })),
      'status.conditions[0].status',
      'Rollout shop/reviews: status.conditions[0].status: expected a string, got true',
    ],
    [
      'a status that is not an object',
      raw((o) => void (o['status'] = 'ok')),
      'status',
      'Rollout shop/reviews: status: expected an object, got "ok"',
    ],
  ])('%s', (_name, input, path, message) => {
    let caught: unknown;
    try {
      parseRollout(input);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RolloutParseError);
    expect((caught as RolloutParseError).path).toBe(path);
    expect((caught as RolloutParseError).message).toBe(message);
  });

  it('does not modify its input', () => {
    const input = raw((o) => void (o.spec['replicas'] = null));
    const before = JSON.stringify(input);
    parseRollout(input);
    expect(JSON.stringify(input)).toBe(before);
  });
});
