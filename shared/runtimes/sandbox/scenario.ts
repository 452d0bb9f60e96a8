/**
 * The sandbox's stories (`npm start -- --scenario NAME`): how v2's simulated requests behave, how the story should
 * end, and the seed example's AnalysisTemplates pointed at the sandbox's own metrics endpoint.
 */
import type { StoredObject } from './store.js';

/** The scenarios `--scenario` accepts. */
export const SCENARIOS = ['default', 'bad-canary'] as const;

/** One of {@link SCENARIOS}. */
export type Scenario = (typeof SCENARIOS)[number];

/** How a scenario runs and should end. */
export interface ScenarioPlan {
  /** Share (0..1) of the requests reaching v2's pods that fail with a 5xx. */
  v2FailureRate: number;
  /** The ending the story is expected to reach (exit code 0): Healthy on v2, or aborted back to v1. */
  expected: 'done' | 'aborted';
  /** One line that says what happens, printed at start. */
  summary: string;
}

/** Each scenario's plan. */
export const SCENARIO_PLANS: Record<Scenario, ScenarioPlan> = {
  default: {
    v2FailureRate: 0,
    expected: 'done',
    summary: 'v2 answers every request: the success-rate analysis passes and the rollout completes',
  },
  'bad-canary': {
    v2FailureRate: 0.3,
    expected: 'aborted',
    summary: "30% of v2's requests fail (5xx): the success-rate analysis fails and the rollout aborts",
  },
};

/**
 * Parses a `--scenario` value.
 * @throws Error naming the value and the scenarios there are.
 */
export function parseScenario(value: string | undefined): Scenario {
  if (value === undefined) return 'default';
  const found = SCENARIOS.find((s) => s === value);
  if (!found) throw new Error(`unknown scenario "${value}" (one of: ${SCENARIOS.join(', ')})`);
  return found;
}

/**
 * The objects with every AnalysisTemplate's and ClusterAnalysisTemplate's `prometheus` providers pointed at
 * `address` (the sandbox's metrics endpoint); everything else as it is. Returns how many providers it pointed.
 */
export function pointPrometheusAt(
  objects: StoredObject[],
  address: string,
): { objects: StoredObject[]; pointed: number } {
  let pointed = 0;
  const out = objects.map((obj) => {
    if (obj.kind !== 'AnalysisTemplate' && obj.kind !== 'ClusterAnalysisTemplate') return obj;
    const copy = structuredClone(obj) as StoredObject & {
      spec?: { metrics?: { provider?: { prometheus?: { address?: string } } }[] };
    };
    for (const metric of copy.spec?.metrics ?? []) {
      const prometheus = metric.provider?.prometheus;
      if (prometheus) {
        prometheus.address = address;
        pointed += 1;
      }
    }
    return copy;
  });
  return { objects: out, pointed };
}
