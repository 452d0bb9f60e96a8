/** Percentiles and formatting for the bench table. */

/** Nearest-rank percentile of `xs` (0 < p ≤ 100). */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

/** Median (p50). */
export const median = (xs: number[]): number => percentile(xs, 50);

/** Milliseconds with one decimal. */
export const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : 'n/a');

/** A ratio as `1.23×`. */
export const times = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}×` : 'n/a');

/** Elapsed milliseconds of `fn`. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** One line of the printed table. */
export interface Row {
  section: string;
  metric: string;
  value: string;
  limit?: string;
  ratio?: string;
  goal?: string;
  met?: boolean;
}

/** Renders rows as an aligned text table. */
export function table(rows: Row[]): string {
  const head = ['section', 'metric', 'value', 'limit', 'ratio', 'goal', 'met'];
  const cells = rows.map((r) => [
    r.section,
    r.metric,
    r.value,
    r.limit ?? '',
    r.ratio ?? '',
    r.goal ?? '',
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]): string =>
    c
      .map((x, i) => x.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
