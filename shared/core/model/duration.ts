/**
 * Pause durations as Argo Rollouts reads them (`RolloutPause.DurationSeconds`): an integer number of seconds, a
 * numeric string (`"30"`), or a Go duration string (`"30s"`, `"10m"`, `"1h30m"`, `"1.5h"`), truncated to whole
 * seconds. Pure module: no I/O imports.
 */

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

/** Nanoseconds per unit, as Go's `time.ParseDuration` accepts them. */
const UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  '\u00b5s': 1e3,
  '\u03bcs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Largest Go `time.Duration` (int64 nanoseconds). */
const MAX_DURATION_NS = 2 ** 63 - 1;

/**
 * Go's `time.ParseDuration`, returning nanoseconds (as a float; exact up to ~104 days) or `undefined` when Go
 * would return an error: empty string, a number without a unit (other than `0`), an unknown unit, overflow.
 */
export function parseGoDuration(input: string): number | undefined {
  const sign = input.startsWith('-') ? -1 : 1;
  let s = input.startsWith('-') || input.startsWith('+') ? input.slice(1) : input;
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  while (s !== '') {
    const part = leadingPart(s);
    if (part === undefined) return undefined;
    total += part.ns;
    if (total > MAX_DURATION_NS) return undefined;
    s = s.slice(part.length);
  }
  return sign * total;
}

/** One `<number><unit>` at the start of `s`: its length and value in nanoseconds. */
function leadingPart(s: string): { length: number; ns: number } | undefined {
  const m = /^(\d*)(?:\.(\d*))?([^\d.]+)/.exec(s);
  if (!m) return undefined;
  const [whole, intDigits = '', fracDigits, unitText = ''] = m;
  if (intDigits === '' && !fracDigits) return undefined;
  const unit = UNITS[unitText];
  if (unit === undefined) return undefined;
  return { length: whole.length, ns: Number(`${intDigits || '0'}.${fracDigits || '0'}`) * unit };
}

/**
 * A pause duration in whole seconds, as `RolloutPause.DurationSeconds` computes it, or `undefined` when no
 * duration is set (an indefinite pause) or the value is not a valid duration (Argo's `-1`).
 *
 * Negative values are returned as they are; {@link validateRolloutSpec} rejects them
 * ("Duration needs to be greater than 0"). Numeric strings must fit in an int32 (Go's `ParseInt(s, 10, 32)`),
 * otherwise they fall through to the Go duration parser, which rejects them for lack of a unit.
 *
 * @example
 * ```ts
 * parseDuration(30) // 30
 * parseDuration('1h30m') // 5400
 * parseDuration('1.5s') // 1 (truncated)
 * parseDuration('10x') // undefined
 * ```
 */
export function parseDuration(d: number | string | undefined): number | undefined {
  if (d === undefined) return undefined;
  if (typeof d === 'number') return Number.isInteger(d) && d >= INT32_MIN && d <= INT32_MAX ? d : undefined;
  if (/^[+-]?\d+$/.test(d)) {
    const n = Number(d);
    if (n >= INT32_MIN && n <= INT32_MAX) return n === 0 ? 0 : n;
  }
  const ns = parseGoDuration(d);
  if (ns === undefined) return undefined;
  const seconds = Math.trunc(ns / 1e9);
  return seconds === 0 ? 0 : seconds;
}
