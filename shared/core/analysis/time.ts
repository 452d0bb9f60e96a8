/**
 * Durations and timestamps as the analysis objects hold them: Go duration strings with Go's error texts, and
 * `metav1.Time` (RFC 3339, one-second precision). Pure module: no I/O imports.
 */
import { goQuote } from '../model/field-error.js';
import { parseGoDuration } from '../model/duration.js';

/** The retry interval after an Error measurement (Argo's `DefaultErrorRetryInterval`). */
export const ERROR_RETRY_MS = 10_000;

/**
 * Go's `time.ParseDuration` in milliseconds, or the error text Go gives (`time: invalid duration "??"`,
 * `time: missing unit in duration "60"`, `time: unknown unit "s-typo" in duration "60s-typo"`).
 */
export function parseInterval(s: string): { ms: number } | { error: string } {
  const ns = parseGoDuration(s);
  if (ns !== undefined) return { ms: ns / 1e6 };
  const body = s.replace(/^[+-]/, '');
  let rest = body;
  while (rest !== '') {
    const num = /^(\d*)(\.\d*)?/.exec(rest)?.[0] ?? '';
    if (num === '' || num === '.') return { error: `time: invalid duration ${goQuote(s)}` };
    rest = rest.slice(num.length);
    const unit = /^[^\d.]*/.exec(rest)?.[0] ?? '';
    if (unit === '') return { error: `time: missing unit in duration ${goQuote(s)}` };
    if (!['ns', 'us', '\u00b5s', '\u03bcs', 'ms', 's', 'm', 'h'].includes(unit)) {
      return { error: `time: unknown unit ${goQuote(unit)} in duration ${goQuote(s)}` };
    }
    rest = rest.slice(unit.length);
  }
  return { error: `time: invalid duration ${goQuote(s)}` };
}

/** Milliseconds of a valid duration string, else `undefined`. */
export function intervalMs(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  const p = parseInterval(s);
  return 'ms' in p ? p.ms : undefined;
}

/** A `metav1.Time` as Argo writes it: RFC 3339 in UTC, truncated to the second. */
export function formatTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** Milliseconds since the epoch of an RFC 3339 timestamp, `undefined` when absent or unreadable. */
export function parseTime(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}
