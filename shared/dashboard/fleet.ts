/**
 * The fleet view: every sluice Rollout the caller may see, in every registered cluster, with filters. The table
 * body is redrawn on every poll; the filters keep their state and focus.
 */
import type { Fleet, FleetRow } from '../app/http-api/dashboard/views.js';
import { age, fill, h } from './dom.js';

const MARK_TEXT: Record<string, string> = {
  degraded: 'Degraded',
  aborted: 'Aborted',
  'paused-for-promotion': 'Paused for promotion',
};

/** The filters' state. */
interface Filters {
  text: string;
  cluster: string;
  phase: string;
  attention: boolean;
}

function matches(r: FleetRow, f: Filters): boolean {
  if (f.cluster && r.cluster !== f.cluster) return false;
  if (f.phase && r.phase !== f.phase) return false;
  if (f.attention && r.marks.length === 0) return false;
  return !f.text || `${r.namespace}/${r.name}`.includes(f.text);
}

function row(r: FleetRow, at: number): HTMLElement {
  const href = `#/r/${encodeURIComponent(r.cluster)}/${encodeURIComponent(r.namespace)}/${encodeURIComponent(r.name)}`;
  const since = r.since ? age((at - Date.parse(r.since)) / 1000) : '–';
  return h(
    'tr',
    { 'data-rollout': `${r.cluster}/${r.namespace}/${r.name}` },
    h('td', {}, r.cluster),
    h('td', {}, r.namespace),
    h('td', {}, h('a', { href }, r.name)),
    h('td', { class: `phase-${r.phase}` }, r.phase),
    h('td', {}, r.step ? `${Math.min(r.step.index + 1, r.step.total)}/${r.step.total}` : '–'),
    h('td', { 'data-col': 'weight' }, `${r.weight}%`),
    h('td', {}, since),
    h('td', {}, ...r.marks.map((m) => h('span', { class: `mark mark-${m}` }, MARK_TEXT[m] ?? m))),
  );
}

function option(value: string, label: string): HTMLElement {
  return h('option', { value }, label);
}

/** A mounted fleet view: `update` redraws it from a fetched fleet. */
export interface FleetView {
  update(fleet: Fleet): void;
}

/** Mounts the fleet view into `root`. */
export function mountFleet(root: HTMLElement): FleetView {
  const f: Filters = { text: '', cluster: '', phase: '', attention: false };
  let last: Fleet | undefined;
  const redraw = (): void => last && draw(last);
  const text = h('input', {
    type: 'search',
    id: 'f-text',
    oninput: (e) => ((f.text = (e.target as HTMLInputElement).value), redraw()),
  });
  const cluster = h('select', {
    id: 'f-cluster',
    onchange: (e) => ((f.cluster = (e.target as HTMLSelectElement).value), redraw()),
  });
  const phase = h(
    'select',
    { id: 'f-phase', onchange: (e) => ((f.phase = (e.target as HTMLSelectElement).value), redraw()) },
    option('', 'any'),
    ...['Progressing', 'Paused', 'Healthy', 'Degraded'].map((p) => option(p, p)),
  );
  const attention = h('input', {
    type: 'checkbox',
    id: 'f-attention',
    onchange: (e) => ((f.attention = (e.target as HTMLInputElement).checked), redraw()),
  });
  const body = h('tbody');
  const summary = h('p', { class: 'muted', role: 'status' });
  const problems = h('div', { role: 'alert' });
  fill(
    root,
    h('h2', {}, 'Rollouts'),
    h(
      'div',
      { class: 'filters', role: 'search', 'aria-label': 'Filter rollouts' },
      h('label', { for: 'f-text' }, 'Namespace/name contains', text),
      h('label', { for: 'f-cluster' }, 'Cluster', cluster),
      h('label', { for: 'f-phase' }, 'Phase', phase),
      h('label', { for: 'f-attention' }, 'Needs attention only', attention),
    ),
    problems,
    h(
      'table',
      { 'aria-label': 'Rollouts in every registered cluster' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[
            'Cluster',
            'Namespace',
            'Name',
            'Phase',
            'Step',
            'Canary weight',
            'Current step for',
            'Marks',
          ].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      body,
    ),
    summary,
  );
  function draw(fleet: Fleet): void {
    const at = Date.parse(fleet.at);
    const rows = fleet.rows.filter((r) => matches(r, f));
    fill(body, ...rows.map((r) => row(r, at)));
    if (rows.length === 0) fill(body, h('tr', {}, h('td', { colspan: 8 }, 'No rollout matches.')));
    summary.textContent = `${rows.length} of ${fleet.rows.length} rollouts · updated ${new Date(at).toLocaleTimeString()}`;
    fill(
      problems,
      ...fleet.unreachable.map((u) => h('p', {}, `Cluster ${u.cluster} could not be read: ${u.error}`)),
    );
  }
  return {
    update(fleet) {
      const clusters = [...new Set(fleet.rows.map((r) => r.cluster))].sort();
      const known = [...cluster.querySelectorAll('option')].map((o) => o.value).join(',');
      if (known !== ['', ...clusters].join(','))
        fill(cluster, option('', 'any'), ...clusters.map((c) => option(c, c)));
      (cluster as HTMLSelectElement).value = f.cluster;
      last = fleet;
      draw(fleet);
    },
  };
}
