/**
 * `sluice plan <ns>/<name>`: what the next engine pass would write, sent to the API server with dryRun=All
 * (validated, nothing persisted), printed as a readable list of changes.
 */
import type { Observed, Plan, Write } from '../../core/engine/types.js';
import { plannedEvents } from '../../core/engine/plan.js';
import { observe } from '../../app/observe.js';
import { applyPlan, describeTarget } from '../../app/apply.js';
import { CLUSTER_FLAGS, parseFlags, parseRef, UsageError, type Io } from './args.js';
import type { Connector } from './commands.js';

/** One line per JSON Patch op (the leading resourceVersion `test` is omitted), created or deleted object. */
export function describeWrite(w: Write): string[] {
  const head = `${w.op} ${describeTarget(w.target)}: ${w.reason}`;
  if (w.op !== 'patch') return [head];
  const ops = w.patch.filter((o) => !(o.op === 'test' && o.path === '/metadata/resourceVersion'));
  return [
    head,
    ...ops.map((o) => `    ${o.op} ${o.path}${o.op === 'remove' ? '' : ` = ${JSON.stringify(o.value)}`}`),
  ];
}

/** The readable plan: effects, status transition, events, requeue. */
export function formatPlan(observed: Observed, p: Plan): string {
  const lines = [`reason: ${p.reason}`];
  for (const w of p.effects) lines.push(...describeWrite(w).map((l) => `  ${l}`));
  if (p.status) {
    const before = observed.rollout.status ?? {};
    lines.push(`  commit status (${p.transition ?? 'status-only'}):`);
    const keys = [...new Set([...Object.keys(before), ...Object.keys(p.status)])].sort();
    for (const k of keys) {
      const a = JSON.stringify((before as Record<string, unknown>)[k]);
      const b = JSON.stringify((p.status as Record<string, unknown>)[k]);
      if (a !== b) lines.push(`    ${k}: ${a ?? '(unset)'} -> ${b ?? '(unset)'}`);
    }
  }
  for (const e of plannedEvents(p)) lines.push(`  event ${e.type} ${e.reason}: ${e.message}`);
  if (p.effects.length === 0 && !p.status) lines.push('  no writes');
  if (p.requeueAfterSeconds !== undefined) lines.push(`requeue after ${p.requeueAfterSeconds}s`);
  return lines.join('\n');
}

/** Runs `sluice plan`. */
export async function main(argv: string[], io: Io, connector: Connector): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    ...CLUSTER_FLAGS,
    'no-dry-run-check': { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError('usage: sluice plan <namespace>/<name>');
  const ref = parseRef(positionals[0]);
  const { gateway, istioGateway } = await connector(values, io);
  const now = new Date();
  const observed = await observe(gateway, ref.namespace, ref.name, now, istioGateway);
  if (!observed) {
    io.err(`rollout ${ref.namespace}/${ref.name} not found`);
    return 1;
  }
  const { plan } = await import('../../core/engine/plan.js');
  const p = plan(observed);
  io.out(formatPlan(observed, p));
  if (!values['no-dry-run-check']) {
    await applyPlan(gateway, observed.rollout, p, {
      dryRun: true,
      ...(istioGateway ? { istioGateway } : {}),
    });
    io.out(`server dry run: ${p.effects.length + (p.status ? 1 : 0)} write(s) accepted, nothing persisted`);
  }
  return 0;
}
