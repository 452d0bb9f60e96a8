/** A {@link World} that also holds AnalysisRuns and templates, applying the plan's run writes like the API server. */
import type {
  AnalysisRun,
  AnalysisTemplate,
  AnalysisPhase,
} from '../../../../../shared/core/analysis/types.js';
import type { Observed, Plan } from '../../../../../shared/core/engine/types.js';
import type { CanaryStep } from '../../../../../shared/core/model/types.js';
import { applyPatch } from './apply-patch.js';
import { NS, World } from './fixtures.js';

/** A template with one bounded metric (a step may use it: it ends). */
export function template(name: string, metric = 'success-rate', cluster = false): AnalysisTemplate {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: cluster ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate',
    metadata: { name, ...(cluster ? {} : { namespace: NS }) },
    spec: {
      args: [{ name: 'service' }],
      metrics: [
        {
          name: metric,
          count: 3,
          interval: '10s',
          successCondition: 'result[0] >= 0.95',
          provider: { prometheus: { address: 'http://prom:9090', query: 'rate({{args.service}})' } },
        },
      ],
    },
  };
}

/** Steps with an `analysis` step at index 1. */
export const ANALYSIS_STEPS: CanaryStep[] = [
  { setWeight: 20 },
  { analysis: { templates: [{ templateName: 'success-rate' }], args: [{ name: 'service', value: 'demo' }] } },
  { setWeight: 50 },
  { pause: {} },
];

export class AnalysisWorld extends World {
  runs: AnalysisRun[] = [];
  templates: AnalysisTemplate[] = [template('success-rate')];
  clusterTemplates: AnalysisTemplate[] = [];
  private runRv = 1000;

  constructor(steps: CanaryStep[] = ANALYSIS_STEPS, background?: object) {
    super('host', steps);
    if (background) {
      const canary = this.rollout.spec.strategy?.canary as Record<string, unknown>;
      canary['analysis'] = background;
    }
  }

  override observed(): Observed {
    return {
      ...super.observed(),
      analysis: {
        runs: structuredClone(this.runs),
        templates: structuredClone(this.templates),
        clusterTemplates: structuredClone(this.clusterTemplates),
      },
    };
  }

  override apply(p: Plan): void {
    for (const w of p.effects) {
      if (w.target.resource !== 'analysisruns') continue;
      if (w.op === 'create') {
        if (this.run(w.target.name)) throw new Error(`AnalysisRun ${w.target.name} exists`);
        const body = structuredClone(w.body) as unknown as AnalysisRun;
        body.metadata['resourceVersion'] = String(++this.runRv);
        this.runs.push(body);
      } else if (w.op === 'patch') {
        const i = this.runs.findIndex((r) => r.metadata.name === w.target.name);
        if (i < 0) throw new Error(`no AnalysisRun ${w.target.name}`);
        this.runs[i] = applyPatch(this.runs[i] as AnalysisRun, w.patch);
      }
    }
    super.apply({ ...p, effects: p.effects.filter((w) => w.target.resource !== 'analysisruns') });
  }

  run(name: string): AnalysisRun | undefined {
    return this.runs.find((r) => r.metadata.name === name);
  }

  /** What the measurement pass would have written: the run's phase (and message). */
  setRunPhase(name: string, phase: AnalysisPhase, message?: string): void {
    const run = this.run(name);
    if (!run) throw new Error(`no AnalysisRun ${name}`);
    run.status = { ...(run.status ?? {}), phase, ...(message ? { message } : {}) };
  }

  /** Names of the runs whose `spec.terminate` is set. */
  terminated(): string[] {
    return this.runs.filter((r) => r.spec.terminate === true).map((r) => r.metadata.name ?? '');
  }
}
