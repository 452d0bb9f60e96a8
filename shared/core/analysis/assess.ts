/**
 * The verdict of one measurement from its metric's conditions: Argo Rollouts' decision table.
 *
 * | successCondition | failureCondition | phase |
 * |---|---|---|
 * | unset | unset | Successful |
 * | true / false | unset | Successful / Failed |
 * | unset | true / false | Failed / Successful |
 * | any | true | Failed (failure wins) |
 * | true | false | Successful |
 * | false | false | Inconclusive |
 * | error in either | | Error |
 *
 * The success condition is evaluated first and its error stops evaluation. NaN is a float like any other: it fails
 * every ordering comparison, so `result < 0.95` as a failure condition lets NaN pass unless the condition says
 * `isNaN(result)`. Pure module: no I/O imports.
 */
import { goQuote } from '../model/field-error.js';
import { evaluateCondition } from './expr/index.js';
import type { Metric } from './types.js';

/** A measurement's verdict; `message` is set for Error. */
export interface Assessment {
  phase: 'Successful' | 'Failed' | 'Inconclusive' | 'Error';
  message?: string;
}

/** Whether a result is nil or an empty list (Argo's "no data returned from the metric provider"). */
function isEmpty(result: unknown): boolean {
  return result === null || result === undefined || (Array.isArray(result) && result.length === 0);
}

function run(
  which: 'successCondition' | 'failureCondition',
  source: string,
  result: unknown,
): boolean | Assessment {
  try {
    return evaluateCondition(source, result);
  } catch (e) {
    const detail = isEmpty(result)
      ? 'metric result is nil or empty: no data returned from the metric provider'
      : e instanceof Error
        ? e.message
        : String(e);
    return { phase: 'Error', message: `could not evaluate ${which} ${goQuote(source)}: ${detail}` };
  }
}

/**
 * Decides a measurement's phase from the metric's `successCondition` / `failureCondition` and the provider's result.
 *
 * @example
 * ```ts
 * assess({ successCondition: 'result[0] >= 0.95' }, [0.99]) // { phase: 'Successful' }
 * assess({ successCondition: 'result[0] >= 0.95' }, [])     // { phase: 'Error', message: 'could not evaluate ... no data returned ...' }
 * ```
 */
export function assess(
  metric: Pick<Metric, 'successCondition' | 'failureCondition'>,
  result: unknown,
): Assessment {
  const s = metric.successCondition ?? '';
  const f = metric.failureCondition ?? '';
  let success = false;
  let failure = false;
  if (s !== '') {
    const out = run('successCondition', s, result);
    if (typeof out !== 'boolean') return out;
    success = out;
  }
  if (f !== '') {
    const out = run('failureCondition', f, result);
    if (typeof out !== 'boolean') return out;
    failure = out;
  }
  if (s === '' && f === '') return { phase: 'Successful' };
  if (s !== '' && f === '') failure = !success;
  if (s === '' && f !== '') success = !failure;
  if (failure) return { phase: 'Failed' };
  return success ? { phase: 'Successful' } : { phase: 'Inconclusive' };
}
