/**
 * Section 7's rows: the same figures for the AWS shape, `sluice run` and Argo Rollouts' own controller, with the
 * issue's goals on sluice's rows (Argo's are beside them, for reference), and API requests per 6-step rollout.
 */
import type { ApiCount } from './lib/api-requests.js';
import { ms, type Row } from './lib/stats.js';
import type { Figures } from './reaction-measure.js';
import type { Measured, ReactionResult } from './reaction.js';

interface Goals {
  reaction?: boolean;
  pause?: boolean;
}

function figureRows(section: string, x: Figures, goals: Goals, limit?: string): Row[] {
  const reactionGoal = goals.reaction ? { goal: '≤ 2 s (was ≤ 60 s)' } : {};
  return [
    {
      section,
      metric: `image change → new revision committed p50 (n=${x.imageToPass.samples.length})`,
      value: ms(x.imageToPass.p50),
      ...(limit ? { limit } : {}),
      ...reactionGoal,
      ...(goals.reaction ? { met: x.imageToPass.p50 <= 2000 } : {}),
    },
    {
      section,
      metric: `canary ReplicaSet available → next step committed p50 (n=${x.availableToStep.samples.length})`,
      value: ms(x.availableToStep.p50),
      ...reactionGoal,
      ...(goals.reaction ? { met: x.availableToStep.p50 <= 2000 } : {}),
    },
    {
      section,
      metric: 'pause {duration: 30s}, seen from outside',
      value: ms(x.pause30ActualMs),
      limit: 'start time has 1 s resolution (as Argo)',
      ...(goals.pause
        ? { goal: '30–31 s', met: x.pause30ActualMs >= 30_000 && x.pause30ActualMs <= 31_000 }
        : {}),
    },
    {
      section,
      metric: '6 steps, 0 s pauses, image change → Healthy (instant kubelet)',
      value: ms(x.sixStepMs),
    },
    apiRow(section, x.api),
  ];
}

/** The API request row: the runtime's total and its largest verb/resource counts. */
function apiRow(section: string, api: ApiCount): Row {
  const top = Object.entries(api.byKey)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return {
    section,
    metric: 'API requests, 6-step rollout (apiserver_request_total, bench own subtracted)',
    value: String(api.total),
    limit: `${top}; bench's own ${api.bench}`,
  };
}

function measuredRows(section: string, m: Measured, goals: Goals): Row[] {
  if ('error' in m) {
    return [{ section, metric: 'not measured', value: 'n/a', limit: m.error.split('\n')[0] ?? '' }];
  }
  return figureRows(section, m, goals);
}

/** Section 7's rows for the three runtimes. */
export function reactionRowsAll(x: ReactionResult): Row[] {
  const q = x.stepQueue;
  const model = `EventBridge ${x.eventBridgeMs} ms, SQS pick-up ${x.sqsPickupMs} ms (modelled), through the step queue (${q.invocations} passes, at most ${q.peakConcurrency} at once)`;
  const aws = figureRows('7 reaction AWS', x, { reaction: true, pause: true }, model);
  const six = aws[3];
  if (six) six.limit = `${x.stepInvocations} step invocations, ${x.timersArmed} timers in all`;
  return [
    ...aws,
    ...measuredRows('7 reaction sluice run', x.run, { pause: true }),
    ...measuredRows('7 reaction Argo', x.argo, {}),
  ];
}
