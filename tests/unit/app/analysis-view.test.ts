/**
 * The AnalysisRuns part of the status view: which runs a Rollout shows, their counters and last measurements, and
 * how `sluice status` prints them.
 */
import { describe, expect, it } from '@jest/globals';
import { analysisRunViews, MAX_RUN_VIEWS } from '../../../shared/app/analysis-view.js';
import { describeRollout, formatStatus } from '../../../shared/app/status-view.js';
import type { KubeObject, Rollout } from '../../../shared/core/model/types.js';
import { NS, rollout } from './fixtures.js';
import { MemoryGateway } from './memory-gateway.js';

const owner = [
  {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    name: 'reviews',
    uid: 'uid-reviews',
    controller: true,
  },
];

function run(
  name: string,
  opts: { hash?: string; created?: string; owned?: boolean; status?: unknown } = {},
): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name,
      namespace: NS,
      creationTimestamp: opts.created ?? '2030-01-01T12:00:00Z',
      labels: { 'rollouts-pod-template-hash': opts.hash ?? 'new', 'rollout-type': 'Step', 'step-index': '1' },
      ...(opts.owned === false ? {} : { ownerReferences: owner }),
    },
    spec: { metrics: [{ name: 'success-rate', provider: { prometheus: {} } }] },
    ...(opts.status === undefined ? {} : { status: opts.status }),
  } as unknown as KubeObject;
}

const FAILED = {
  phase: 'Failed',
  message: 'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)',
  startedAt: '2030-01-01T12:00:00Z',
  runSummary: { count: 2, successful: 1, failed: 1 },
  metricResults: [
    {
      name: 'success-rate',
      phase: 'Failed',
      count: 2,
      successful: 1,
      failed: 1,
      measurements: [
        {
          phase: 'Successful',
          value: '[0.99]',
          startedAt: '2030-01-01T12:00:02Z',
          finishedAt: '2030-01-01T12:00:02Z',
        },
        {
          phase: 'Failed',
          value: '[0.71]',
          startedAt: '2030-01-01T12:00:05Z',
          finishedAt: '2030-01-01T12:00:05Z',
        },
      ],
    },
  ],
};

function withAnalysis(refs: Record<string, unknown> = {}): Rollout {
  const r = rollout({
    currentPodHash: 'new',
    stableRS: 'old',
    currentStepIndex: 1,
    canary: refs,
  } as Rollout['status']);
  r.spec.strategy!.canary!.steps = [
    { setWeight: 20 },
    { analysis: { templates: [{ templateName: 'success-rate' }] } },
  ];
  return r;
}

describe('analysisRunViews', () => {
  it('shows the run the status names, with its counters and the last measurement of each metric', () => {
    const r = withAnalysis({ currentStepAnalysisRunStatus: { name: 'reviews-new-2-1', status: 'Failed' } });
    expect(analysisRunViews([run('reviews-new-2-1', { status: FAILED })], r)).toEqual([
      {
        name: 'reviews-new-2-1',
        kind: 'Step',
        stepIndex: 1,
        phase: 'Failed',
        message: FAILED.message,
        current: true,
        startedAt: '2030-01-01T12:00:00Z',
        count: 2,
        successful: 1,
        failed: 1,
        inconclusive: 0,
        error: 0,
        metrics: [
          {
            name: 'success-rate',
            phase: 'Failed',
            count: 2,
            successful: 1,
            failed: 1,
            inconclusive: 0,
            error: 0,
            last: { phase: 'Failed', value: '[0.71]', at: '2030-01-01T12:00:05Z' },
          },
        ],
      },
    ]);
  });

  it.each<[string, KubeObject, boolean]>([
    ['an owned run of the current revision released from the status', run('a', {}), true],
    ['an owned run of an older revision', run('b', { hash: 'old' }), false],
    ['a run of the current hash that another object controls', run('c', { owned: false }), false],
  ])('%s: shown %s', (_, item, shown) => {
    expect(analysisRunViews([item], withAnalysis()).map((v) => v.name)).toEqual(
      shown ? [item.metadata.name] : [],
    );
  });

  it('a new run (no status yet) has phase "" and zero counters; counters sum the metrics without a runSummary', () => {
    const [fresh] = analysisRunViews([run('a')], withAnalysis());
    expect([fresh?.phase, fresh?.count, fresh?.metrics]).toEqual(['', 0, []]);
    const { runSummary: _none, ...noSummary } = FAILED;
    const [summed] = analysisRunViews([run('b', { status: noSummary })], withAnalysis());
    expect([summed?.count, summed?.successful, summed?.failed]).toEqual([2, 1, 1]);
  });

  it(`keeps the newest ${MAX_RUN_VIEWS}, newest first`, () => {
    const items = Array.from({ length: 7 }, (_, i) => run(`r${i}`, { created: `2030-01-01T12:00:0${i}Z` }));
    expect(analysisRunViews(items, withAnalysis()).map((v) => v.name)).toEqual([
      'r6',
      'r5',
      'r4',
      'r3',
      'r2',
    ]);
  });
});

describe('describeRollout and formatStatus with analysis', () => {
  it('reads the runs of a Rollout that uses analysis and prints them under ANALYSIS RUNS', async () => {
    const gw = new MemoryGateway();
    gw.put(
      'rollouts',
      withAnalysis({ currentStepAnalysisRunStatus: { name: 'reviews-new-2-1', status: 'Failed' } }),
    );
    gw.put('analysisruns', run('reviews-new-2-1', { status: FAILED }));
    const view = await describeRollout(gw, NS, 'reviews');
    expect(view?.analysisRuns.map((v) => v.name)).toEqual(['reviews-new-2-1']);
    const text = formatStatus(view!).split('\n');
    const at = text.indexOf('ANALYSIS RUNS');
    expect(text.slice(at, at + 4)).toEqual([
      'ANALYSIS RUNS',
      '  reviews-new-2-1 (Step step 1): Failed  ✔ 1 ✖ 1 ? 0 ⚠ 0',
      `    Message: ${FAILED.message}`,
      '    success-rate: Failed, last [0.71] Failed at 2030-01-01T12:00:05Z  ✔ 1 ✖ 1 ? 0 ⚠ 0',
    ]);
  });

  it('does not list AnalysisRuns for a Rollout without analysis', async () => {
    const gw = new MemoryGateway();
    gw.put('rollouts', rollout({ currentPodHash: 'new' } as Rollout['status']));
    gw.put('analysisruns', run('stray'));
    const view = await describeRollout(gw, NS, 'reviews');
    expect(view?.analysisRuns).toEqual([]);
    expect(gw.calls.filter((c) => c.resource === 'analysisruns')).toEqual([]);
    expect(formatStatus(view!)).not.toContain('ANALYSIS RUNS');
  });
});
