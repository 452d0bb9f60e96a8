/**
 * The rollout view's analysis section: the AnalysisRuns of the current revision, newest first, each with its phase,
 * message and counters, and per metric the last measurement.
 */
import type { AnalysisCounts, AnalysisRunView } from '../app/analysis-view.js';
import { h } from './dom.js';

const counts = (c: AnalysisCounts): string =>
  `${c.successful} successful, ${c.failed} failed, ${c.inconclusive} inconclusive, ${c.error} error`;

function runBlock(run: AnalysisRunView): HTMLElement {
  const kind = [run.kind, run.stepIndex === undefined ? '' : `step ${run.stepIndex + 1}`]
    .filter(Boolean)
    .join(' ');
  const rows = run.metrics.map((m) =>
    h(
      'tr',
      {},
      ...[
        m.name,
        m.phase,
        m.last?.value ?? '',
        m.last?.phase ?? 'no measurement yet',
        m.last?.at ? new Date(m.last.at).toLocaleTimeString() : '',
        counts(m),
      ].map((c) => h('td', {}, c)),
    ),
  );
  return h(
    'div',
    { 'data-testid': 'analysis-run', 'data-run': run.name },
    h(
      'p',
      { class: `phase-${run.phase}` },
      h('strong', {}, run.name),
      ` ${kind ? `(${kind}) ` : ''}· ${run.phase || 'New'}${run.current ? '' : ' · no longer current'} · ${counts(run)}`,
    ),
    ...(run.message ? [h('p', { 'data-testid': 'analysis-message' }, run.message)] : []),
    h(
      'table',
      {},
      h('caption', { class: 'muted' }, `Metrics of ${run.name}`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Metric', 'Phase', 'Last value', 'Last measurement', 'At', 'Measurements'].map((c) =>
            h('th', { scope: 'col' }, c),
          ),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
  );
}

/** The section, or a muted line when the revision has no run. */
export function analysisSection(runs: AnalysisRunView[]): HTMLElement {
  return h(
    'section',
    { 'aria-label': 'Analysis runs' },
    h('h2', {}, 'Analysis runs'),
    ...(runs.length === 0 ? [h('p', { class: 'muted' }, 'Analysis runs: none.')] : runs.map(runBlock)),
  );
}
