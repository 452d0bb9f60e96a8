/**
 * The rollout view: steps timeline (current step and what it waits for), analysis runs and their measurements,
 * weights over time, ReplicaSets,
 * conditions, recent Events and the audit trail, and the operator actions, each sent with the step the page
 * shows. The actions bar and the answer region stay in place across polls (focus is kept); the rest is redrawn.
 */
import type { RolloutDetail, WeightPoint } from '../app/http-api/dashboard/views.js';
import type { EventView } from '../app/status-view.js';
import * as api from './api.js';
import { weightChart } from './chart.js';
import { analysisSection } from './analysis.js';
import { fill, h } from './dom.js';

type Ref = { cluster: string; namespace: string; name: string };
type Detail = RolloutDetail & { canAct: boolean };

const ACTIONS: { action: string; label: string; confirm?: string }[] = [
  { action: 'promote', label: 'Promote' },
  {
    action: 'promote-full',
    label: 'Promote full',
    confirm: 'Skip every remaining step and pause, and go to 100%?',
  },
  { action: 'abort', label: 'Abort', confirm: 'Abort the rollout and send all traffic back to stable?' },
  { action: 'retry', label: 'Retry' },
  { action: 'pause', label: 'Pause' },
  { action: 'resume', label: 'Resume' },
];

function table(caption: string, head: string[], rows: (string | number)[][]): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted' }, `${caption}: none.`);
  return h(
    'table',
    {},
    h('caption', { class: 'muted' }, caption),
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, String(c)))))),
  );
}

const eventRows = (events: EventView[]): string[][] =>
  events.map((e) => [
    e.lastTimestamp ? new Date(e.lastTimestamp).toLocaleTimeString() : '',
    e.type,
    e.reason,
    e.message,
  ]);

function steps(d: Detail): HTMLElement {
  const list = h(
    'ol',
    { class: 'steps', 'aria-label': 'Steps' },
    ...d.view.steps.map((st) =>
      h(
        'li',
        {
          class: st.current ? 'current' : st.done ? 'done' : '',
          ...(st.current ? { 'aria-current': 'step' } : {}),
        },
        `${st.index + 1}. ${st.text}`,
      ),
    ),
  );
  return h(
    'section',
    {},
    h('h2', {}, 'Steps'),
    list,
    h('p', { 'data-testid': 'waiting' }, `Waiting for: ${d.waitingFor}`),
  );
}

/** A mounted rollout view. */
export interface RolloutPage {
  update(d: Detail): void;
  /** Polls stop while an action is in flight. */
  busy(): boolean;
}

/** Mounts the rollout view of `ref` into `root`; `refresh` re-fetches after an action. */
export function mountRollout(root: HTMLElement, ref: Ref, refresh: () => Promise<void>): RolloutPage {
  let current: Detail | undefined;
  let inFlight = false;
  const seen: WeightPoint[] = [];
  const answer = h('div', {
    class: 'answer',
    role: 'status',
    'aria-live': 'polite',
    'data-testid': 'answer',
  });
  const head = h('p', { 'data-testid': 'summary' });
  const body = h('div');
  const run = async (a: (typeof ACTIONS)[number]): Promise<void> => {
    if (!current) return;
    if (a.confirm && !window.confirm(a.confirm)) return;
    const expected = current.view.step?.index ?? 0;
    inFlight = true;
    answer.className = 'answer';
    answer.textContent = `${a.label}: sending (expected step ${expected + 1})…`;
    try {
      const res = await api.act(ref, a.action, expected);
      const ok = res.status === 200;
      answer.className = `answer ${ok ? 'ok' : 'refused'}`;
      const stale =
        res.status === 409
          ? ' This page was out of date: it has been refreshed, check the state and try again.'
          : '';
      answer.textContent = `${a.label}: ${ok ? 'done' : `refused (${res.status})`}: ${res.body.message ?? ''}.${stale}`;
    } finally {
      inFlight = false;
    }
    await refresh().catch(() => undefined);
  };
  const bar = h(
    'div',
    { class: 'actions', role: 'group', 'aria-label': 'Operator actions' },
    ...ACTIONS.map((a) =>
      h(
        'button',
        {
          type: 'button',
          class: a.confirm ? 'danger' : '',
          'data-action': a.action,
          onclick: () => void run(a),
        },
        a.label,
      ),
    ),
  );
  const role = h('p', { class: 'muted' });
  fill(
    root,
    h('p', {}, h('a', { href: '#/' }, '← All rollouts')),
    h('h2', {}, `${ref.cluster} / ${ref.namespace} / ${ref.name}`),
    head,
    bar,
    role,
    answer,
    body,
  );
  return {
    busy: () => inFlight,
    update(d) {
      current = d;
      const v = d.view;
      const step = v.step ? `step ${Math.min(v.step.index + 1, v.step.total)}/${v.step.total}` : 'no step';
      head.className = `phase-${v.phase}`;
      head.textContent = `${v.phase}${v.message ? ` (${v.message})` : ''} · ${step} · canary ${v.actualWeight}% (set ${v.setWeight}%)`;
      role.textContent = d.canAct ? '' : 'You have the viewer role here: actions will be refused.';
      for (const p of d.weights.slice(0, -1)) if (!seen.some((q) => q.at === p.at)) seen.push(p);
      const now = d.weights.at(-1);
      if (now && seen.at(-1)?.canary !== now.canary) seen.push(now);
      const points = [...seen, ...(now ? [now] : [])].sort((a, b) => a.at.localeCompare(b.at));
      fill(
        body,
        steps(d),
        analysisSection(v.analysisRuns),
        h(
          'section',
          {},
          h('h2', {}, 'Traffic weights'),
          h(
            'p',
            { class: 'muted' },
            h('span', { class: 'legend-canary' }, '— canary'),
            ' ',
            h('span', { class: 'legend-stable' }, '- - stable'),
          ),
          weightChart(points),
        ),
        h(
          'section',
          {},
          h('h2', {}, 'ReplicaSets'),
          table(
            'ReplicaSets, newest revision first',
            ['Name', 'Revision', 'Role', 'Images', 'Available / desired'],
            v.replicaSets.map((r) => [
              r.name,
              r.revision ?? '',
              r.tags.join(', '),
              r.images.join(', '),
              `${r.available}/${r.replicas}`,
            ]),
          ),
        ),
        h(
          'section',
          {},
          h('h2', {}, 'Conditions'),
          table(
            'Status conditions',
            ['Type', 'Status', 'Reason', 'Message'],
            v.conditions.map((c) => [c.type, c.status, c.reason, c.message]),
          ),
        ),
        h(
          'section',
          {},
          h('h2', {}, 'Audit trail'),
          table('Operator actions, oldest first', ['Time', 'Type', 'Reason', 'Message'], eventRows(d.audit)),
        ),
        h(
          'section',
          {},
          h('h2', {}, 'Recent events'),
          table(
            'Kubernetes Events, oldest first',
            ['Time', 'Type', 'Reason', 'Message'],
            eventRows(d.events),
          ),
        ),
      );
    },
  };
}
