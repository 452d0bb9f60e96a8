import { describe, expect, it } from '@jest/globals';
import { invalidSpecMessage, validateRolloutSpec } from '../../../../shared/core/model/validate.js';
import type { Rollout } from '../../../../shared/core/model/types.js';
import { canaryOf, istioRollout } from './fixtures.js';

type Mutate = (r: Rollout) => void;
const C = 'spec.strategy.canary';
/** Argo's canary validation paths have no `.canary.` (it is called with the path `spec.strategy`). */
const S = 'spec.strategy';
const STEP_MSG =
  'Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause';
const SAME_SVC =
  'This rollout uses the same service for the stable and canary services, but two different services are required.';
const NEED_SVC = 'Canary service and Stable service must to be set to use Traffic Routing';
const PING = 'Ping service and Pong service must to be set to use Ping-Pong feature';
const MISSED = 'StringMatch value missed, match value must have one of the following: exact, regex, prefix';
const MULTI = 'StringMatch match value must have exactly one of the following: exact, regex, prefix';
const NOT_MANAGED =
  'Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes';

const noRouting: Mutate = (r) => {
  delete canaryOf(r).trafficRouting;
};
const managed =
  (...names: string[]): Mutate =>
  (r) => {
    canaryOf(r).trafficRouting = {
      ...canaryOf(r).trafficRouting,
      managedRoutes: names.map((name) => ({ name })),
    };
  };
const steps =
  (...s: NonNullable<ReturnType<typeof canaryOf>['steps']>): Mutate =>
  (r) => {
    canaryOf(r).steps = s;
  };
const both =
  (...fns: Mutate[]): Mutate =>
  (r) =>
    fns.forEach((f) => f(r));

describe('validateRolloutSpec accepts', () => {
  it.each<[string, Mutate]>([
    [
      'background analysis (its templates are checked by the engine against the cluster)',
      (r) => void (canaryOf(r)['analysis'] = { templates: [{ templateName: 'ok' }] }),
    ],
    [
      'an analysis step',
      steps({ setWeight: 10 }, { pause: {} }, { analysis: { templates: [{ templateName: 'ok' }] } }),
    ],
    ['the host-split Istio canary fixture', () => {}],
    [
      'a subset-level split with a DestinationRule and no Services',
      (r) => {
        const c = canaryOf(r);
        delete c.canaryService;
        delete c.stableService;
        c.trafficRouting = {
          istio: {
            virtualService: { name: 'reviews' },
            destinationRule: { name: 'reviews', canarySubsetName: 'canary', stableSubsetName: 'stable' },
          },
        };
      },
    ],
    [
      'managed header and mirror routes with one match value each',
      both(
        managed('hdr', 'mirror'),
        steps(
          {
            setHeaderRoute: {
              name: 'hdr',
              match: [{ headerName: 'x-canary', headerValue: { exact: 'yes' } }],
            },
          },
          { setMirrorRoute: { name: 'mirror', percentage: 50, match: [{ method: { exact: 'GET' } }] } },
        ),
      ),
    ],
    [
      'setCanaryScale steps with traffic routing',
      steps({ setCanaryScale: { replicas: 2 } }, { setCanaryScale: { matchTrafficWeight: true } }),
    ],
    [
      'pause durations 0, "10" and "1h30m"',
      steps({ pause: { duration: 0 } }, { pause: { duration: '10' } }, { pause: { duration: '1h30m' } }),
    ],
    ['setWeight at both ends of 0..100', steps({ setWeight: 0 }, { setWeight: 100 })],
    [
      'a selector with matchExpressions the template labels satisfy',
      (r) => {
        r.spec.selector = {
          matchExpressions: [
            { key: 'app', operator: 'In', values: ['reviews'] },
            { key: 'x', operator: 'DoesNotExist' },
          ],
        };
      },
    ],
    ['maxSurge 0 when maxUnavailable is left at its default', (r) => void (canaryOf(r)['maxSurge'] = 0)],
    [
      'dynamicStableScale with Istio traffic routing and an abort scale-down delay',
      (r) => void Object.assign(canaryOf(r), { dynamicStableScale: true, abortScaleDownDelaySeconds: 10 }),
    ],
  ])('%s', (_name, mutate) => {
    expect(validateRolloutSpec(istioRollout(mutate))).toBeUndefined();
  });
});

describe('validateRolloutSpec reports, as Argo prints it', () => {
  it.each<[string, Mutate, string]>([
    [
      'negative replicas',
      (r) => void (r.spec.replicas = -1),
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    ],
    [
      'a missing selector',
      (r) => delete r.spec.selector,
      "spec.selector: Required value: Rollout has missing field '.spec.selector'",
    ],
    [
      'an empty selector',
      (r) => void (r.spec.selector = {}),
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ],
    [
      'an empty matchLabels map',
      (r) => void (r.spec.selector = { matchLabels: {} }),
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ],
    [
      'an In requirement without values',
      (r) => void (r.spec.selector = { matchExpressions: [{ key: 'app', operator: 'In' }] }),
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    ],
    [
      'an Exists requirement with values',
      (r) =>
        void (r.spec.selector = { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] }),
      "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    ],
    [
      'an unknown selector operator',
      (r) =>
        void (r.spec.selector = { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['x'] }] }),
      'spec.selector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator',
    ],
    [
      'a selector the template labels do not match',
      (r) => void (r.spec.selector = { matchLabels: { app: 'ratings' } }),
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"reviews", "tier":"web"}: `selector` does not match template `labels`',
    ],
    [
      'a template without labels',
      (r) => delete r.spec.template,
      'spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`',
    ],
    [
      'a template without containers',
      (r) => void (r.spec.template = { metadata: { labels: { app: 'reviews' } }, spec: { containers: [] } }),
      'spec.template.spec.containers: Required value',
    ],
    [
      'a restartPolicy other than Always',
      (r) =>
        void ((r.spec.template as { spec: Record<string, unknown> }).spec['restartPolicy'] = 'OnFailure'),
      'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    ],
    [
      'activeDeadlineSeconds on the pod template',
      (r) => void ((r.spec.template as { spec: Record<string, unknown> }).spec['activeDeadlineSeconds'] = 30),
      'spec.template.spec.activeDeadlineSeconds: Invalid value: 30: activeDeadlineSeconds in ReplicaSet is not Supported',
    ],
    [
      'negative minReadySeconds',
      (r) => void (r.spec['minReadySeconds'] = -1),
      'spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0',
    ],
    [
      'negative revisionHistoryLimit',
      (r) => void (r.spec['revisionHistoryLimit'] = -2),
      'spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0',
    ],
    [
      'a progress deadline not above minReadySeconds',
      (r) => Object.assign(r.spec, { minReadySeconds: 10, progressDeadlineSeconds: 10 }),
      'spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds',
    ],
    [
      'both strategies',
      (r) => void (r.spec.strategy = { ...r.spec.strategy, blueGreen: { activeService: 'a' } }),
      'spec.strategy.strategy: Invalid value: "blueGreen: true canary: true": Multiple Strategies can not be listed',
    ],
    [
      'maxSurge and maxUnavailable both 0',
      (r) => Object.assign(canaryOf(r), { maxSurge: 0, maxUnavailable: 0 }),
      `${S}.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: MaxSurge and MaxUnavailable both can not be zero`,
    ],
    [
      'maxSurge "0%" and maxUnavailable 0',
      (r) => Object.assign(canaryOf(r), { maxSurge: '0%', maxUnavailable: 0 }),
      `${S}.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}: MaxSurge and MaxUnavailable both can not be zero`,
    ],
    [
      'the same Service as stable and canary',
      (r) => void (canaryOf(r).stableService = 'reviews-canary'),
      `${S}.stableService: Invalid value: "reviews-canary": ${SAME_SVC}`,
    ],
    [
      'no stableService without a DestinationRule',
      (r) => delete canaryOf(r).stableService,
      `${S}.stableService: Invalid value: "": ${NEED_SVC}`,
    ],
    [
      'no canaryService without a DestinationRule',
      (r) => delete canaryOf(r).canaryService,
      `${S}.canaryService: Invalid value: "": ${NEED_SVC}`,
    ],
    [
      'a ping-pong without a pingService',
      (r) => void (canaryOf(r).pingPong = { pingService: '', pongService: 'pong' }),
      `${S}.pingPong.pingService: Invalid value: "": ${PING}`,
    ],
    [
      'a ping-pong without a pongService',
      (r) => void (canaryOf(r).pingPong = { pingService: 'ping', pongService: '' }),
      `${S}.pingPong.pongService: Invalid value: "": ${PING}`,
    ],
    [
      'a ping-pong with one Service twice',
      (r) => void (canaryOf(r).pingPong = { pingService: 'pp', pongService: 'pp' }),
      `${S}.pingPong.pingService: Invalid value: "pp": This rollout uses the same service for the ping and pong services, but two different services are required.`,
    ],
    [
      'scaleDownDelaySeconds without traffic routing',
      both(noRouting, (r) => void (canaryOf(r).scaleDownDelaySeconds = 30)),
      `${S}.scaleDownDelaySeconds: Invalid value: 30: Canary scaleDownDelaySeconds can only be used with traffic routing`,
    ],
    [
      'dynamicStableScale without traffic routing',
      both(noRouting, (r) => void (canaryOf(r).dynamicStableScale = true)),
      `${S}.dynamicStableScale: Invalid value: true: Canary dynamicStableScale can only be used with traffic routing`,
    ],
    [
      'dynamicStableScale with scaleDownDelaySeconds',
      (r) => Object.assign(canaryOf(r), { dynamicStableScale: true, scaleDownDelaySeconds: 30 }),
      `${S}.dynamicStableScale: Invalid value: true: Canary dynamicStableScale cannot be used with scaleDownDelaySeconds`,
    ],
    [
      'maxTrafficWeight with Istio',
      (r) => void (canaryOf(r).trafficRouting = { ...canaryOf(r).trafficRouting, maxTrafficWeight: 1000 }),
      `${S}.trafficRouting.maxTrafficWeight: Invalid value: 1000: Canary maxTrafficWeight in traffic routing only supported in Nginx and Plugins`,
    ],
    [
      'a step with both setWeight and pause',
      steps({ setWeight: 10 }, { setWeight: 20, pause: {} }),
      `${S}.steps[1]: Invalid value: "step.Experiment: false step.Pause: true step.SetWeight: true step.Analysis: false": ${STEP_MSG}`,
    ],
    [
      'an empty step',
      steps({}),
      `${S}.steps[0]: Invalid value: "step.Experiment: true step.Pause: true step.SetWeight: true step.Analysis: true step.SetCanaryScale: true step.SetHeaderRoute: true step.SetMirrorRoutes: true step.Plugin: true": ${STEP_MSG}`,
    ],
    [
      'setWeight above 100',
      steps({ setWeight: 120 }),
      `${S}.steps[0].setWeight: Invalid value: 120: SetWeight needs to be between 0 and 100`,
    ],
    [
      'setWeight below 0',
      steps({ pause: {} }, { setWeight: -1 }),
      `${S}.steps[1].setWeight: Invalid value: -1: SetWeight needs to be between 0 and 100`,
    ],
    [
      'a negative pause duration',
      steps({ pause: { duration: -5 } }),
      `${S}.steps[0].pause.duration: Invalid value: -5: Duration needs to be greater than 0`,
    ],
    [
      'a negative Go duration',
      steps({ pause: { duration: '-10s' } }),
      `${S}.steps[0].pause.duration: Invalid value: -10: Duration needs to be greater than 0`,
    ],
    [
      'an unparsable pause duration',
      steps({ pause: { duration: '5 minutes' } }),
      `${S}.steps[0].pause.duration: Invalid value: -1: Duration needs to be greater than 0`,
    ],
    [
      'setCanaryScale without traffic routing',
      both(noRouting, steps({ setCanaryScale: { weight: 10 } })),
      `${S}.trafficRouting: Required value: SetCanaryScale requires TrafficRouting to be set`,
    ],
    [
      'setHeaderRoute without traffic routing',
      both(noRouting, steps({ setHeaderRoute: { name: 'hdr' } })),
      `${S}.steps[0].setHeaderRoute: Invalid value: v1alpha1.SetHeaderRoute{Name:"hdr", Match:[]v1alpha1.HeaderRoutingMatch(nil)}: SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix`,
    ],
    [
      'a header match with two match kinds',
      both(
        managed('hdr'),
        steps({
          setHeaderRoute: {
            name: 'hdr',
            match: [{ headerName: 'h', headerValue: { exact: 'a', regex: 'b' } }],
          },
        }),
      ),
      `${S}.steps[0].setHeaderRoute.match[0]: Invalid value: v1alpha1.StringMatch{Exact:"a", Prefix:"", Regex:"b"}: ${MULTI}`,
    ],
    [
      'a header match without a value',
      both(managed('hdr'), steps({ setHeaderRoute: { name: 'hdr', match: [{ headerName: 'h' } as never] } })),
      `${S}.steps[0].setHeaderRoute.match[0]: Invalid value: "null": ${MISSED}`,
    ],
    [
      'setMirrorRoute without traffic routing',
      both(noRouting, steps({ setMirrorRoute: { name: 'm', percentage: 5 } })),
      `${S}.steps[0].setMirrorRoute: Invalid value: v1alpha1.SetMirrorRoute{Name:"m", Match:[]v1alpha1.RouteMatch(nil), Percentage:(*int32)(...)}: SetMirrorRoute requires TrafficRouting, supports Istio and Plugins`,
    ],
    [
      'a mirror method match with no value',
      both(managed('m'), steps({ setMirrorRoute: { name: 'm', match: [{ method: {} }] } })),
      `${S}.steps[0].setMirrorRoute.match[0]: Invalid value: v1alpha1.StringMatch{Exact:"", Prefix:"", Regex:""}: ${MISSED}`,
    ],
    [
      'a mirror path match with two values',
      both(
        managed('m'),
        steps({ setMirrorRoute: { name: 'm', match: [{ path: { prefix: '/a', regex: '.*' } }] } }),
      ),
      `${S}.steps[0].setMirrorRoute.match[0]: Invalid value: v1alpha1.StringMatch{Exact:"", Prefix:"/a", Regex:".*"}: ${MULTI}`,
    ],
    [
      'a header route step without managedRoutes',
      steps({ setHeaderRoute: { name: 'hdr' } }),
      `${S}.trafficRouting.managedRoutes: Required value: Rollout has missing field 'spec.strategy.canary.trafficRouting.managedRoutes'`,
    ],
    [
      'a header route not in managedRoutes',
      both(managed('other'), steps({ setHeaderRoute: { name: 'hdr' } })),
      `${S}.steps[0].setHeaderRoute: Invalid value: "hdr": ${NOT_MANAGED}`,
    ],
    [
      'a mirror route not in managedRoutes',
      both(managed('other'), steps({ setMirrorRoute: { name: 'm' } })),
      `${S}.steps[0].setMirrorRoute: Invalid value: "m": ${NOT_MANAGED}`,
    ],
    [
      'an experiment template weight without traffic routing',
      both(noRouting, steps({ experiment: { templates: [{ name: 'x', weight: 10 }] } })),
      `${S}.steps[0].experiment.templates[0].weight: Invalid value: 10: Experiment template weight cannot be set unless TrafficRouting is enabled`,
    ],
    [
      'antiAffinity with neither strategy',
      (r) => void (canaryOf(r)['antiAffinity'] = {}),
      `${S}.antiAffinity: Invalid value: "antiAffinity.PreferredDuringSchedulingIgnoredDuringExecution: false antiAffinity.RequiredDuringSchedulingIgnoredDuringExecution: false": AntiAffinity must have exactly one strategy listed`,
    ],
    [
      'a preferred antiAffinity weight of 0',
      (r) =>
        void (canaryOf(r)['antiAffinity'] = {
          preferredDuringSchedulingIgnoredDuringExecution: { weight: 0 },
        }),
      `${S}.antiAffinity.weight: Invalid value: 0: AntiAffinity weight must be between 1-100`,
    ],
  ])('%s', (_name, mutate, expected) => {
    expect(validateRolloutSpec(istioRollout(mutate))).toBe(expected);
  });
});

describe('validateRolloutSpec with a workloadRef (Argo: selector never checked, template only once resolved)', () => {
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'reviews' };
  const noTemplate: Mutate = (r) => {
    r.spec['workloadRef'] = ref;
    delete r.spec.template;
    delete r.spec.selector;
  };
  it.each<[string, Mutate, { workloadResolved?: boolean }, string | undefined]>([
    ['no template, no selector, unresolved: nothing to check yet', noTemplate, {}, undefined],
    [
      'template labels next to the workloadRef',
      (r) => void (r.spec['workloadRef'] = ref),
      {},
      'spec.template: Internal error: template must be empty for workload reference rollout',
    ],
    [
      'resolved: the template is checked as any template (no containers)',
      (r) => {
        r.spec['workloadRef'] = ref;
        r.spec.template = { metadata: { labels: { app: 'reviews' } }, spec: { containers: [] } };
      },
      { workloadResolved: true },
      'spec.template.spec.containers: Required value',
    ],
    [
      "resolved: an empty selector is not Argo's concern with a workloadRef",
      (r) => {
        r.spec['workloadRef'] = ref;
        r.spec.selector = {};
      },
      { workloadResolved: true },
      undefined,
    ],
  ])('%s', (_name, mutate, opts, expected) => {
    expect(validateRolloutSpec(istioRollout(mutate), opts)).toBe(expected);
  });
});

describe('validateRolloutSpec reports what sluice cannot run', () => {
  it.each<[string, Mutate, string]>([
    [
      'the blueGreen strategy',
      (r) => void (r.spec.strategy = { blueGreen: { activeService: 'a' } }),
      'spec.strategy.blueGreen: Invalid value: "blueGreen": sluice runs only the canary strategy; blueGreen is not supported',
    ],
    [
      'no strategy',
      (r) => delete r.spec.strategy,
      'spec.strategy.canary: Required value: sluice runs only the canary strategy; set spec.strategy.canary with trafficRouting.istio',
    ],
    [
      'a canary without traffic routing',
      noRouting,
      `${C}.trafficRouting.istio: Required value: sluice requires Istio traffic routing (spec.strategy.canary.trafficRouting.istio)`,
    ],
    [
      'a canary routed by another provider only',
      (r) => void (canaryOf(r).trafficRouting = { nginx: { stableIngress: 'x' } }),
      `${C}.trafficRouting.istio: Required value: sluice requires Istio traffic routing (spec.strategy.canary.trafficRouting.istio)`,
    ],
    [
      'Istio together with another provider',
      (r) => void (canaryOf(r).trafficRouting = { ...canaryOf(r).trafficRouting, smi: {} }),
      `${C}.trafficRouting.smi: Invalid value: "smi": sluice supports only Istio traffic routing`,
    ],
    [
      'ping-pong services (a valid Argo spec sluice does not drive yet)',
      (r) => {
        const c = canaryOf(r);
        delete c.canaryService;
        delete c.stableService;
        c.pingPong = { pingService: 'ping', pongService: 'pong' };
      },
      `${C}.pingPong: Invalid value: "pingPong": sluice does not support ping-pong services yet`,
    ],
    [
      'an experiment step, even one Argo accepts with Istio',
      steps({ experiment: { templates: [{ name: 'x', weight: 10 }] } }),
      `${C}.steps[0].experiment: Invalid value: "experiment": sluice does not support experiment steps yet`,
    ],
    [
      'a plugin step',
      steps({ plugin: { name: 'p' } }),
      `${C}.steps[0].plugin: Invalid value: "plugin": sluice does not support plugin steps yet`,
    ],
    [
      'an Argo error in a later step before a sluice limit in an earlier one',
      steps({ experiment: { templates: [] } }, { setWeight: 150 }),
      `${S}.steps[1].setWeight: Invalid value: 150: SetWeight needs to be between 0 and 100`,
    ],
  ])('%s', (_name, mutate, expected) => {
    expect(validateRolloutSpec(istioRollout(mutate))).toBe(expected);
  });
});

describe('invalidSpecMessage', () => {
  it.each([
    [
      'reviews',
      'spec.replicas: Invalid value: -1: x',
      'The Rollout "reviews" is invalid: spec.replicas: Invalid value: -1: x',
    ],
    ['odd"name', 'e', 'The Rollout "odd\\"name" is invalid: e'],
  ])('quotes the name %s as Go does', (name, error, expected) => {
    expect(invalidSpecMessage(name, error)).toBe(expected);
  });
});
