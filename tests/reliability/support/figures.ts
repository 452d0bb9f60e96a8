/**
 * The run's figures (reliability-security.md §5 "Figures to report"), accumulated by the suites of the one
 * reliability test file and printed by its afterAll.
 */
import type { LedgerFigures } from '../../support/ledger.js';

class Figures {
  faultsInjected = 0;
  faultsSurvived = 0;
  crashPoints = 0;
  crashPointsConverged = 0;
  badInputs = 0;
  badInputsRejected = 0;
  lostSteps = 0;
  duplicatedSteps = 0;
  ledgerViolations: string[] = [];
  ledgers = 0;
  statusCommits = 0;
  weightWrites = 0;
  versions = 0;
  rows = new Set<number>();
  dryRunWrites = 0;
  dryRunPersisted = 0;
  sequences = 0;
  sequenceCommands = 0;

  /** Faults injected by one scenario, and whether it ended converged with its invariants holding. */
  fault(injected: number, survived: boolean): void {
    this.faultsInjected += injected;
    if (survived) this.faultsSurvived += injected;
  }

  crash(converged: boolean): void {
    this.crashPoints++;
    if (converged) this.crashPointsConverged++;
  }

  badInput(rejectedRight: boolean): void {
    this.badInputs++;
    if (rejectedRight) this.badInputsRejected++;
  }

  addLedger(f: LedgerFigures): void {
    this.ledgers++;
    this.lostSteps += f.lostSteps;
    this.duplicatedSteps += f.duplicatedSteps;
    this.ledgerViolations.push(...f.violations);
    this.statusCommits += f.statusCommits;
    this.weightWrites += f.weightWrites;
    this.versions += f.versions;
  }

  /** Writes `sluice plan` sent with dryRun=All, and how many of them changed a resourceVersion (target 0). */
  dryRun(sent: number, persisted: number): void {
    this.dryRunWrites += sent;
    this.dryRunPersisted += persisted;
  }

  /** One random operator-action sequence run on the real cluster, with its number of commands. */
  sequence(commands: number): void {
    this.sequences++;
    this.sequenceCommands += commands;
  }

  cover(...rows: number[]): void {
    for (const r of rows) this.rows.add(r);
  }

  report(): string {
    const rows = [...this.rows].sort((a, b) => a - b);
    return [
      '',
      '=== sluice reliability figures ===',
      `faults injected / survived:            ${this.faultsInjected} / ${this.faultsSurvived}`,
      `crash points run / converged:          ${this.crashPoints} / ${this.crashPointsConverged}`,
      `bad inputs / rejected with right error: ${this.badInputs} / ${this.badInputsRejected}`,
      `lost steps:                            ${this.lostSteps}`,
      `duplicated steps:                      ${this.duplicatedSteps}`,
      `ledger violations:                     ${this.ledgerViolations.length}`,
      `ledgers checked: ${this.ledgers} (${this.versions} object versions, ${this.statusCommits} status commits, ${this.weightWrites} weight changes)`,
      `action sequences run:                 ${this.sequences} (${this.sequenceCommands} actions and pass batches)`,
      `dry-run writes sent / persisted:      ${this.dryRunWrites} / ${this.dryRunPersisted}`,
      `catalogue rows exercised: ${rows.join(', ')}`,
      ...this.ledgerViolations.slice(0, 20).map((v) => `  violation: ${v}`),
      '',
    ].join('\n');
  }
}

export const figures = new Figures();
