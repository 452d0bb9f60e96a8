/** Argo's step checks, first error in Argo's order, and the steps sluice does not run yet. */
import { describe, expect, it } from '@jest/globals';
import {
  argoStepError,
  INVALID_STEP_MESSAGE,
  unsupportedStepError,
} from '../../../../shared/core/model/validate-steps.js';
import type { CanaryStep, CanaryStrategy } from '../../../../shared/core/model/types.js';

const istio = {
  istio: { virtualService: { name: 'vs' } },
  managedRoutes: [{ name: 'hdr' }, { name: 'mir' }],
};
const canary = (steps: unknown[], trafficRouting: unknown = istio): CanaryStrategy =>
  ({ steps: steps as CanaryStep[], ...(trafficRouting ? { trafficRouting } : {}) }) as CanaryStrategy;
/** Argo's step paths have no `.canary.`; sluice's own messages name the field as written. */
const S0 = 'spec.strategy.steps[0]';
const SLUICE_S0 = 'spec.strategy.canary.steps[0]';

describe('argoStepError', () => {
  it.each<{ case: string; c: CanaryStrategy; want: string | undefined }>([
    {
      case: 'valid steps',
      c: canary([{ setWeight: 20 }, { pause: {} }, { pause: { duration: '1m' } }, { setWeight: 100 }]),
      want: undefined,
    },
    { case: 'no steps', c: canary([]), want: undefined },
    {
      case: 'empty step',
      c: canary([{}]),
      want: `${S0}: Invalid value: "step.Experiment: true step.Pause: true step.SetWeight: true step.Analysis: true step.SetCanaryScale: true step.SetHeaderRoute: true step.SetMirrorRoutes: true step.Plugin: true": ${INVALID_STEP_MESSAGE}`,
    },
    {
      case: 'two kinds in one step',
      c: canary([{ setWeight: 10, pause: {} }]),
      want: `${S0}: Invalid value: "step.Experiment: false step.Pause: true step.SetWeight: true step.Analysis: false": ${INVALID_STEP_MESSAGE}`,
    },
    {
      case: 'setWeight above 100',
      c: canary([{ setWeight: 101 }]),
      want: `${S0}.setWeight: Invalid value: 101: SetWeight needs to be between 0 and 100`,
    },
    {
      case: 'setWeight below 0',
      c: canary([{ setWeight: -1 }]),
      want: `${S0}.setWeight: Invalid value: -1: SetWeight needs to be between 0 and 100`,
    },
    {
      case: 'unreadable pause duration',
      c: canary([{ pause: { duration: 'soon' } }]),
      want: `${S0}.pause.duration: Invalid value: -1: Duration needs to be greater than 0`,
    },
    {
      case: 'negative pause duration',
      c: canary([{ pause: { duration: -5 } }]),
      want: `${S0}.pause.duration: Invalid value: -5: Duration needs to be greater than 0`,
    },
    {
      case: 'setCanaryScale without traffic routing',
      c: canary([{ setCanaryScale: { replicas: 1 } }], null),
      want: 'spec.strategy.trafficRouting: Required value: SetCanaryScale requires TrafficRouting to be set',
    },
    {
      case: 'header route without traffic routing',
      c: canary([{ setHeaderRoute: { name: 'hdr' } }], null),
      want: `${S0}.setHeaderRoute: Invalid value: v1alpha1.SetHeaderRoute{Name:"hdr", Match:[]v1alpha1.HeaderRoutingMatch(nil)}: SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix`,
    },
    {
      case: 'header match with two values',
      c: canary([
        {
          setHeaderRoute: {
            name: 'hdr',
            match: [{ headerName: 'x', headerValue: { exact: 'a', prefix: 'b' } }],
          },
        },
      ]),
      want: `${S0}.setHeaderRoute.match[0]: Invalid value: v1alpha1.StringMatch{Exact:"a", Prefix:"b", Regex:""}: StringMatch match value must have exactly one of the following: exact, regex, prefix`,
    },
    {
      case: 'header match with no value',
      c: canary([{ setHeaderRoute: { name: 'hdr', match: [{ headerName: 'x', headerValue: {} }] } }]),
      want: `${S0}.setHeaderRoute.match[0]: Invalid value: v1alpha1.StringMatch{Exact:"", Prefix:"", Regex:""}: StringMatch value missed, match value must have one of the following: exact, regex, prefix`,
    },
    {
      case: 'mirror route without traffic routing',
      c: canary([{ setMirrorRoute: { name: 'mir' } }], null),
      want: `${S0}.setMirrorRoute: Invalid value: v1alpha1.SetMirrorRoute{Name:"mir", Match:[]v1alpha1.RouteMatch(nil), Percentage:(*int32)(nil)}: SetMirrorRoute requires TrafficRouting, supports Istio and Plugins`,
    },
    {
      case: 'header route without managedRoutes',
      c: canary([{ setHeaderRoute: { name: 'hdr' } }], { istio: {} }),
      want: "spec.strategy.trafficRouting.managedRoutes: Required value: Rollout has missing field 'spec.strategy.canary.trafficRouting.managedRoutes'",
    },
    {
      case: 'header route not managed',
      c: canary([{ setHeaderRoute: { name: 'other' } }]),
      want: `${S0}.setHeaderRoute: Invalid value: "other": Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes`,
    },
    {
      case: 'mirror route not managed',
      c: canary([{ setMirrorRoute: { name: 'other' } }]),
      want: `${S0}.setMirrorRoute: Invalid value: "other": Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes`,
    },
    {
      case: 'managed header and mirror routes',
      c: canary([{ setHeaderRoute: { name: 'hdr' } }, { setMirrorRoute: { name: 'mir' } }]),
      want: undefined,
    },
    {
      case: 'experiment weight without traffic routing',
      c: canary([{ experiment: { templates: [{ weight: 5 }] } }], null),
      want: `${S0}.experiment.templates[0].weight: Invalid value: 5: Experiment template weight cannot be set unless TrafficRouting is enabled`,
    },
    {
      case: 'first error is the earliest step',
      c: canary([{ setWeight: 10 }, { setWeight: 200 }, {}]),
      want: 'spec.strategy.steps[1].setWeight: Invalid value: 200: SetWeight needs to be between 0 and 100',
    },
  ])('$case', ({ c, want }) => {
    expect(argoStepError(c)).toBe(want);
  });
});

describe('unsupportedStepError', () => {
  it.each<{ step: unknown; want: string | undefined }>([
    { step: { setWeight: 10 }, want: undefined },
    {
      step: { analysis: {} },
      want: undefined,
    },
    {
      step: { experiment: {} },
      want: `${SLUICE_S0}.experiment: Invalid value: "experiment": sluice does not support experiment steps yet`,
    },
    {
      step: { plugin: {} },
      want: `${SLUICE_S0}.plugin: Invalid value: "plugin": sluice does not support plugin steps yet`,
    },
  ])('$step', ({ step, want }) => {
    expect(unsupportedStepError(canary([step]))).toBe(want);
  });
});
