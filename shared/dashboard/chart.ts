/** The weights-over-time chart of the rollout view: canary and stable weight as two SVG step lines. */
import type { WeightPoint } from '../app/http-api/dashboard/views.js';
import { s } from './dom.js';

const W = 600;
const H = 180;
const PAD = { left: 36, right: 10, top: 10, bottom: 24 };

function path(
  points: WeightPoint[],
  key: 'canary' | 'stable',
  x: (t: number) => number,
  y: (w: number) => number,
): string {
  let d = '';
  let prev: number | undefined;
  for (const p of points) {
    const px = x(Date.parse(p.at));
    const py = y(p[key]);
    d += d === '' ? `M${px},${py}` : `H${px}V${py}`;
    prev = py;
  }
  return prev === undefined ? '' : `${d}H${W - PAD.right}`;
}

/** The chart of `points` (oldest first), described for screen readers by its last values. */
export function weightChart(points: WeightPoint[]): SVGElement {
  const times = points.map((p) => Date.parse(p.at));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1000);
  const x = (t: number): number => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (w: number): number => PAD.top + (1 - w / 100) * (H - PAD.top - PAD.bottom);
  const last = points.at(-1);
  const label = last
    ? `Traffic weights over time: ${points.length} points; now canary ${last.canary}%, stable ${last.stable}%`
    : 'No weight history';
  return s(
    'svg',
    { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label },
    ...[0, 50, 100].map((w) =>
      s('line', { class: 'axis', x1: PAD.left, x2: W - PAD.right, y1: y(w), y2: y(w) }),
    ),
    ...[0, 50, 100].map((w) => s('text', { x: 4, y: y(w) + 4 }, `${w}%`)),
    s('text', { x: PAD.left, y: H - 6 }, new Date(t0).toLocaleTimeString()),
    s('text', { x: W - PAD.right - 60, y: H - 6 }, new Date(t1).toLocaleTimeString()),
    s('path', { class: 'stable', d: path(points, 'stable', x, y) }),
    s('path', { class: 'canary', d: path(points, 'canary', x, y) }),
  );
}
