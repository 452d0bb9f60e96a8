/**
 * The figures of one reliability test file (docs/reliability.md, "Figures"), accumulated by its suite. Jest gives
 * each test file its own module registry, so every file has its own `figures`. {@link reliabilityFile} checks the
 * figures that must hold in the file itself (a violation fails that file, with jest's diff) and writes them to the
 * run folder that `figures-reporter.mjs` creates; the reporter adds up every file of the run and prints the totals
 * once at the end.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { LedgerFigures } from '../../support/ledger.js';

/** Row id of docs/reliability.md's catalogue, e.g. `A1` (promote API), `F3` (faults) or `O3` (operator safety). */
export type CatalogueRow = `${'A' | 'K' | 'F' | 'C' | 'I' | 'O'}${number}`;

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
  rows = new Set<CatalogueRow>();
  dryRunWrites = 0;
  dryRunPersisted = 0;
  sequences = 0;
  sequenceCommands = 0;
  replays = 0;
  replaysRefused = 0;
  sameStepRaces = 0;
  sameStepOneWinner = 0;
  slowClientAttacks = 0;
  slowClientAnswered = 0;
  measurementRaces = 0;
  measurementRacesRecordedOnce = 0;
  crossTenantWrites = 0;
  crossTenantRefused = 0;

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

  /** One captured signed request sent again (in some spelling), and whether it was refused with nothing written. */
  replay(refused: boolean): void {
    this.replays++;
    if (refused) this.replaysRefused++;
  }

  /** N concurrent operator actions carrying the same expected step, and whether exactly one of them won. */
  sameStepRace(oneWinner: boolean): void {
    this.sameStepRaces++;
    if (oneWinner) this.sameStepOneWinner++;
  }

  /** One slow-client or connection-flood attack on the HTTP API, and whether a signed request was answered after it. */
  slowClient(answered: boolean): void {
    this.slowClientAttacks++;
    if (answered) this.slowClientAnswered++;
  }

  /** Duplicate, concurrent or crashed AnalysisRun measurement passes, and whether the measurement was recorded once. */
  measurementRace(recordedOnce: boolean): void {
    this.measurementRaces++;
    if (recordedOnce) this.measurementRacesRecordedOnce++;
  }

  /** One attempt to make sluice change an object that is not the Rollout's, and whether it was refused with zero writes. */
  crossTenant(refused: boolean): void {
    this.crossTenantWrites++;
    if (refused) this.crossTenantRefused++;
  }

  /** Catalogue rows (docs/reliability.md) this file exercised. */
  cover(...rows: CatalogueRow[]): void {
    for (const r of rows) this.rows.add(r);
  }

  /** The figures as plain JSON, the shape `figures-reporter.mjs` adds up. */
  toJSON(): Record<string, unknown> {
    return { ...(this as Record<string, unknown>), rows: [...this.rows] };
  }
}

export const figures = new Figures();

/** Environment variable naming the run folder the figures reporter created (unset: nothing is written). */
export const FIGURES_DIR_ENV = 'SLUICE_FIGURES_DIR';

/**
 * Declares one reliability test file: runs `suite`, then checks this file's figures (every fault survived, every
 * crash point converged, every bad input rejected right, no lost or duplicated step, no ledger violation, no
 * dry-run write persisted, every replay refused, exactly one winner in every same-step race, the API answering
 * after every slow-client attack; at least one
 * dry-run write persisted, every replay refused, exactly one winner in every same-step race, every cross-tenant write refused; at least one
 * ledger when `ledgers` is true) and writes them to the run folder.
 */
export function reliabilityFile(name: string, suite: () => void, opts: { ledgers: boolean }): void {
  suite();
  describe(`${name}: figures of this file`, () => {
    it('no lost or duplicated step and no ledger violation; every fault survived and bad input rejected right', () => {
      if (opts.ledgers) expect(figures.ledgers).toBeGreaterThan(0);
      expect(figures.ledgerViolations).toEqual([]);
      expect({ lost: figures.lostSteps, duplicated: figures.duplicatedSteps }).toEqual({
        lost: 0,
        duplicated: 0,
      });
      expect(figures.badInputsRejected).toBe(figures.badInputs);
      expect(figures.crashPointsConverged).toBe(figures.crashPoints);
      expect(figures.faultsSurvived).toBe(figures.faultsInjected);
      expect(figures.dryRunPersisted).toBe(0);
      expect(figures.replaysRefused).toBe(figures.replays);
      expect(figures.sameStepOneWinner).toBe(figures.sameStepRaces);
      expect(figures.slowClientAnswered).toBe(figures.slowClientAttacks);
      expect(figures.measurementRacesRecordedOnce).toBe(figures.measurementRaces);
      expect(figures.crossTenantRefused).toBe(figures.crossTenantWrites);
    });
  });
  afterAll(() => {
    const dir = process.env[FIGURES_DIR_ENV];
    if (dir)
      writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ file: name, ...figures.toJSON() }));
  });
}
