// Jest reporter for the reliability figures. It creates a fresh run folder and names it in SLUICE_FIGURES_DIR
// before any test worker starts (workers inherit the variable); each reliability test file writes its figures
// there (support/figures.ts). At the end of the run it adds them up, prints them once, removes the folder, and
// fails the run (getLastError) when a figure that must hold does not. Runs without a reliability file print nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const COUNTS = [
  'faultsInjected',
  'faultsSurvived',
  'crashPoints',
  'crashPointsConverged',
  'badInputs',
  'badInputsRejected',
  'lostSteps',
  'duplicatedSteps',
  'ledgers',
  'statusCommits',
  'weightWrites',
  'versions',
  'dryRunWrites',
  'dryRunPersisted',
  'sequences',
  'sequenceCommands',
  'replays',
  'replaysRefused',
  'sameStepRaces',
  'sameStepOneWinner',
  'slowClientAttacks',
  'slowClientAnswered',
  'measurementRaces',
  'measurementRacesRecordedOnce',
  'crossTenantWrites',
  'crossTenantRefused',
];

/** Adds up the figures of several files: counts summed, violations and files concatenated, rows united. */
export function sumFigures(list) {
  const t = Object.fromEntries(COUNTS.map((k) => [k, 0]));
  t.ledgerViolations = [];
  t.files = [];
  const rows = new Set();
  for (const f of list) {
    for (const k of COUNTS) t[k] += Number(f[k] ?? 0);
    t.ledgerViolations.push(...(f.ledgerViolations ?? []));
    for (const r of f.rows ?? []) rows.add(r);
    t.files.push(f.file);
  }
  const order = 'AKFCIO';
  t.rows = [...rows].sort(
    (a, b) => order.indexOf(a[0]) - order.indexOf(b[0]) || Number(a.slice(1)) - Number(b.slice(1)),
  );
  return t;
}

/** The figures that do not hold, one sentence each (empty when all hold). */
export function failedFigures(t) {
  const out = [];
  if (t.faultsSurvived !== t.faultsInjected)
    out.push(`${t.faultsInjected - t.faultsSurvived} injected fault(s) not survived`);
  if (t.crashPointsConverged !== t.crashPoints)
    out.push(`${t.crashPoints - t.crashPointsConverged} crash point(s) did not converge`);
  if (t.badInputsRejected !== t.badInputs)
    out.push(`${t.badInputs - t.badInputsRejected} bad input(s) not rejected with the right error`);
  if (t.lostSteps !== 0) out.push(`${t.lostSteps} lost step(s)`);
  if (t.duplicatedSteps !== 0) out.push(`${t.duplicatedSteps} duplicated step(s)`);
  if (t.ledgerViolations.length !== 0) out.push(`${t.ledgerViolations.length} ledger violation(s)`);
  if (t.dryRunPersisted !== 0) out.push(`${t.dryRunPersisted} dry-run write(s) persisted`);
  if (t.replaysRefused !== t.replays) out.push(`${t.replays - t.replaysRefused} replay(s) not refused`);
  if (t.sameStepOneWinner !== t.sameStepRaces)
    out.push(`${t.sameStepRaces - t.sameStepOneWinner} same-step race(s) without exactly one winner`);
  if (t.slowClientAnswered !== t.slowClientAttacks)
    out.push(
      `${t.slowClientAttacks - t.slowClientAnswered} slow-client attack(s) left the API not answering`,
    );
  if (t.measurementRacesRecordedOnce !== t.measurementRaces)
    out.push(
      `${t.measurementRaces - t.measurementRacesRecordedOnce} measurement race(s) not recorded exactly once`,
    );
  if (t.crossTenantRefused !== t.crossTenantWrites)
    out.push(`${t.crossTenantWrites - t.crossTenantRefused} cross-tenant write(s) not refused`);
  return out;
}

/** The printed block. */
export function formatFigures(t) {
  return [
    '',
    `=== sluice reliability figures (${t.files.length} file(s): ${t.files.join(', ')}) ===`,
    `faults injected / survived:            ${t.faultsInjected} / ${t.faultsSurvived}`,
    `crash points run / converged:          ${t.crashPoints} / ${t.crashPointsConverged}`,
    `bad inputs / rejected with right error: ${t.badInputs} / ${t.badInputsRejected}`,
    `lost steps:                            ${t.lostSteps}`,
    `duplicated steps:                      ${t.duplicatedSteps}`,
    `ledger violations:                     ${t.ledgerViolations.length}`,
    `ledgers checked: ${t.ledgers} (${t.versions} object versions, ${t.statusCommits} status commits, ${t.weightWrites} weight changes)`,
    `action sequences run:                 ${t.sequences} (${t.sequenceCommands} actions and pass batches)`,
    `dry-run writes sent / persisted:      ${t.dryRunWrites} / ${t.dryRunPersisted}`,
    `replays tried / refused:              ${t.replays} / ${t.replaysRefused}`,
    `same-step action races / one winner:  ${t.sameStepRaces} / ${t.sameStepOneWinner}`,
    `slow-client attacks / API still answering: ${t.slowClientAttacks} / ${t.slowClientAnswered}`,
    `measurement races / recorded once:    ${t.measurementRaces} / ${t.measurementRacesRecordedOnce}`,
    `cross-tenant writes tried / refused:  ${t.crossTenantWrites} / ${t.crossTenantRefused}`,
    `catalogue rows exercised: ${t.rows.join(', ')}`,
    ...t.ledgerViolations.slice(0, 20).map((v) => `  violation: ${v}`),
    '',
  ].join('\n');
}

export default class FiguresReporter {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-figures-'));
    process.env.SLUICE_FIGURES_DIR = this.dir;
    this.error = undefined;
  }

  onRunStart() {
    fs.mkdirSync(this.dir, { recursive: true });
    this.error = undefined;
  }

  onRunComplete() {
    const files = fs.readdirSync(this.dir).filter((f) => f.endsWith('.json'));
    const list = files.sort().map((f) => JSON.parse(fs.readFileSync(path.join(this.dir, f), 'utf8')));
    fs.rmSync(this.dir, { recursive: true, force: true });
    if (list.length === 0) return;
    const total = sumFigures(list);
    process.stdout.write(`${formatFigures(total)}\n`);
    const failed = failedFigures(total);
    if (failed.length > 0) {
      this.error = new Error(`reliability figures do not hold: ${failed.join('; ')}`);
      process.stdout.write(`${this.error.message}\n`);
    }
  }

  getLastError() {
    return this.error;
  }
}
