/**
 * The plain-text rendering of a {@link RolloutView} for `sluice status`, laid out like
 * `kubectl argo rollouts get rollout`.
 */
import type { AnalysisRunView, MetricView } from './analysis-view.js';
import type { ReplicaSetView, RolloutView, StepView } from './status-view.js';

const pad = (label: string): string => label.padEnd(16);

/** A titled block after a blank line, or nothing when it has no rows. */
const section = (title: string, rows: string[]): string[] => (rows.length ? ['', title, ...rows] : []);

function headerLines(v: RolloutView): string[] {
  const lines = [
    `${pad('Name:')}${v.name}`,
    `${pad('Namespace:')}${v.namespace}`,
    `${pad('Status:')}${v.phase}`,
  ];
  if (v.message) lines.push(`${pad('Message:')}${v.message}`);
  lines.push(`${pad('Strategy:')}${v.strategy}`);
  if (v.step) lines.push(`${pad('  Step:')}${v.step.index}/${v.step.total}`);
  lines.push(`${pad('  SetWeight:')}${v.setWeight}`, `${pad('  ActualWeight:')}${v.actualWeight}`);
  return lines;
}

/** Every image of every ReplicaSet with its tags, one per line under `Images:`. */
function imageLines(v: RolloutView): string[] {
  const imgs = v.replicaSets.flatMap((rs) =>
    rs.images.map((i) => `${i}${rs.tags.length ? ` (${rs.tags.join(', ')})` : ''}`),
  );
  return imgs.length ? [`${pad('Images:')}${imgs.join(`\n${pad('')}`)}`] : [];
}

function replicaLines(r: RolloutView['replicas']): string[] {
  return [
    'Replicas:',
    `${pad('  Desired:')}${r.desired}`,
    `${pad('  Current:')}${r.current}`,
    `${pad('  Updated:')}${r.updated}`,
    `${pad('  Ready:')}${r.ready}`,
    `${pad('  Available:')}${r.available}`,
  ];
}

const stepMark = (st: StepView): string => (st.current ? '>' : st.done ? '✔' : ' ');

function replicaSetRow(rs: ReplicaSetView): string {
  const info = [...rs.tags, rs.scaleDownDeadline ? `delay: ${rs.scaleDownDeadline}` : '']
    .filter(Boolean)
    .join(',');
  return `${rs.name.padEnd(40)} ${`rev:${rs.revision ?? '?'}`.padEnd(9)} ${String(rs.replicas).padEnd(8)} ${String(rs.ready).padEnd(6)} ${String(rs.available).padEnd(10)} ${info}`;
}

function replicaSetTable(v: RolloutView): string[] {
  return [
    '',
    `${'NAME'.padEnd(40)} ${'REVISION'.padEnd(9)} ${'DESIRED'.padEnd(8)} ${'READY'.padEnd(6)} ${'AVAILABLE'.padEnd(10)} INFO`,
    ...v.replicaSets.map(replicaSetRow),
  ];
}

/** `✔ 2 ✖ 0 ? 0 ⚠ 0`: successful, failed, inconclusive and error measurements, as the kubectl plugin marks them. */
export function countsText(c: AnalysisRunView | MetricView): string {
  return `✔ ${c.successful} ✖ ${c.failed} ? ${c.inconclusive} ⚠ ${c.error}`;
}

/** `0.97 Successful at 2030-01-01T12:00:00Z`, or `no measurement yet`. */
export function lastMeasurementText(m: MetricView): string {
  if (!m.last) return 'no measurement yet';
  const value = m.last.value === undefined || m.last.value === '' ? '' : `${m.last.value} `;
  return `${value}${m.last.phase}${m.last.at ? ` at ${m.last.at}` : ''}${m.last.message ? ` (${m.last.message})` : ''}`;
}

function runLines(run: AnalysisRunView): string[] {
  const kind = [run.kind, run.stepIndex === undefined ? '' : `step ${run.stepIndex}`]
    .filter(Boolean)
    .join(' ');
  const head = `  ${run.name}${kind ? ` (${kind})` : ''}${run.current ? '' : ' (no longer current)'}: ${run.phase || 'New'}  ${countsText(run)}`;
  return [
    head,
    ...(run.message ? [`    Message: ${run.message}`] : []),
    ...run.metrics.map((m) => `    ${m.name}: ${m.phase}, last ${lastMeasurementText(m)}  ${countsText(m)}`),
  ];
}

/** Renders a view as plain text, laid out like `kubectl argo rollouts get rollout` (no colours). */
export function formatStatus(v: RolloutView): string {
  return [
    ...headerLines(v),
    ...imageLines(v),
    ...replicaLines(v.replicas),
    ...section(
      'STEPS',
      v.steps.map((st) => `  ${stepMark(st)} ${st.index}: ${st.text}`),
    ),
    ...replicaSetTable(v),
    ...section('ANALYSIS RUNS', v.analysisRuns.flatMap(runLines)),
    ...section(
      'CONDITIONS',
      v.conditions.map((c) => `  ${c.type}=${c.status} ${c.reason}${c.message ? `: ${c.message}` : ''}`),
    ),
    ...section(
      'EVENTS',
      v.events.map((e) => `  ${e.lastTimestamp ?? ''} ${e.type} ${e.reason}: ${e.message}`),
    ),
  ].join('\n');
}
