/**
 * The time expressions Argo evaluates for Prometheus `rangeQuery.start` / `end` (expr-lang's `now()`, `duration()`,
 * `date()`): a sum of terms, each `now()`, `duration("<Go duration>")` or `date("<text>"[, "<Go layout>"[, "UTC"]])`,
 * joined by `+` and `-`. The outcome must be a time. Pure module: no I/O imports.
 */
import { goQuote } from '../../model/field-error.js';
import { parseInterval } from '../time.js';
import { ExprError } from './errors.js';

type Term = { kind: 'time' | 'duration'; ms: number };

const LAYOUT_TOKENS: [string, string][] = [
  ['2006', '(?<year>\\d{4})'],
  ['01', '(?<month>\\d{2})'],
  ['02', '(?<day>\\d{2})'],
  ['15', '(?<hour>\\d{2})'],
  ['04', '(?<minute>\\d{2})'],
  ['05', '(?<second>\\d{2})'],
];
const DEFAULT_LAYOUTS = ['2006-01-02T15:04:05Z', '2006-01-02 15:04:05', '2006-01-02'];

function parseDate(text: string, layout: string | undefined, pos: number): number {
  for (const l of layout !== undefined ? [layout] : DEFAULT_LAYOUTS) {
    let pattern = '';
    for (let rest = l; rest !== '';) {
      const token = LAYOUT_TOKENS.find(([t]) => rest.startsWith(t));
      pattern += token ? token[1] : rest[0]?.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      rest = rest.slice(token ? token[0].length : 1);
    }
    const g = new RegExp(`^${pattern}$`).exec(text)?.groups;
    if (g) {
      const n = (k: string): number => Number(g[k] ?? 0);
      return Date.UTC(
        n('year'),
        (g['month'] ? n('month') : 1) - 1,
        g['day'] ? n('day') : 1,
        n('hour'),
        n('minute'),
        n('second'),
      );
    }
  }
  throw new ExprError(
    'runtime',
    `cannot parse ${goQuote(text)} as a date${layout ? ` with layout ${goQuote(layout)}` : ''}`,
    pos,
  );
}

function term(src: string, pos: number, now: number): { term: Term; end: number } {
  const m = /^\s*(now|duration|date)\s*\(([^()]*)\)\s*/.exec(src.slice(pos));
  if (!m)
    throw new ExprError('syntax', `unexpected token ${src.slice(pos).trim().split(/\s/)[0] ?? ''}`, pos);
  const args = [...(m[2] ?? '').matchAll(/"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'/g)].map(
    (a) => a[1] ?? a[2] ?? '',
  );
  const end = pos + m[0].length;
  if (m[1] === 'now') return { term: { kind: 'time', ms: now }, end };
  if (m[1] === 'duration') {
    const d = parseInterval(args[0] ?? '');
    if ('error' in d) throw new ExprError('runtime', d.error, pos);
    return { term: { kind: 'duration', ms: d.ms }, end };
  }
  if (args[2] !== undefined && args[2] !== 'UTC')
    throw new ExprError('runtime', `unsupported time zone ${goQuote(args[2])}`, pos);
  return { term: { kind: 'time', ms: parseDate(args[0] ?? '', args[1], pos) }, end };
}

/**
 * Evaluates a time expression at `now` (epoch milliseconds).
 *
 * @returns epoch milliseconds of the resulting time.
 * @throws ExprError, including `expected time.Time, but got <type>` when the outcome is not a time.
 */
export function evaluateTime(source: string, now: number): number {
  let { term: acc, end } = term(source, 0, now);
  while (end < source.length) {
    const op = source[end];
    if (op !== '+' && op !== '-') throw new ExprError('syntax', `unexpected token ${op ?? ''}`, end);
    const next = term(source, end + 1, now);
    const sign = op === '+' ? 1 : -1;
    if (acc.kind === 'time' && next.term.kind === 'time' && op === '-')
      acc = { kind: 'duration', ms: acc.ms - next.term.ms };
    else if (next.term.kind === 'duration') acc = { kind: acc.kind, ms: acc.ms + sign * next.term.ms };
    else
      throw new ExprError(
        'runtime',
        `invalid operation: ${acc.kind === 'time' ? 'time.Time' : 'time.Duration'} ${op} time.Time`,
        end,
      );
    end = next.end;
  }
  if (acc.kind !== 'time') throw new ExprError('runtime', 'expected time.Time, but got time.Duration', 0);
  return acc.ms;
}
