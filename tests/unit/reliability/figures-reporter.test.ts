import { describe, expect, it } from '@jest/globals';
import { failedFigures, formatFigures, sumFigures } from '../../reliability/support/figures-reporter.mjs';

const clean = {
  file: 'faults',
  faultsInjected: 10,
  faultsSurvived: 10,
  crashPoints: 4,
  crashPointsConverged: 4,
  badInputs: 3,
  badInputsRejected: 3,
  lostSteps: 0,
  duplicatedSteps: 0,
  ledgerViolations: [],
  ledgers: 2,
  rows: ['F3', 'F1', 'C6'],
};

describe('reliability figures of a run', () => {
  it('adds up the files: counts summed, rows united in catalogue order, files listed', () => {
    const t = sumFigures([
      clean,
      { ...clean, file: 'webhook', badInputs: 5, badInputsRejected: 5, rows: ['A1', 'F1'] },
    ]);
    expect(t).toMatchObject({ faultsInjected: 20, badInputs: 8, ledgers: 4, files: ['faults', 'webhook'] });
    expect(t.rows).toEqual(['A1', 'F1', 'F3', 'C6']);
    expect(failedFigures(t)).toEqual([]);
    expect(formatFigures(t)).toContain('bad inputs / rejected with right error: 8 / 8');
  });

  it.each([
    [{ faultsSurvived: 9 }, '1 injected fault(s) not survived'],
    [{ crashPointsConverged: 3 }, '1 crash point(s) did not converge'],
    [{ badInputsRejected: 2 }, '1 bad input(s) not rejected with the right error'],
    [{ lostSteps: 1 }, '1 lost step(s)'],
    [{ duplicatedSteps: 2 }, '2 duplicated step(s)'],
    [{ ledgerViolations: ['ns-1: step index moved back'] }, '1 ledger violation(s)'],
    [{ dryRunWrites: 3, dryRunPersisted: 1 }, '1 dry-run write(s) persisted'],
    [{ replays: 8, replaysRefused: 7 }, '1 replay(s) not refused'],
    [{ sameStepRaces: 3, sameStepOneWinner: 2 }, '1 same-step race(s) without exactly one winner'],
    [{ slowClientAttacks: 4, slowClientAnswered: 3 }, '1 slow-client attack(s) left the API not answering'],
    [
      { measurementRaces: 4, measurementRacesRecordedOnce: 3 },
      '1 measurement race(s) not recorded exactly once',
    ],
    [{ crossTenantWrites: 7, crossTenantRefused: 6 }, '1 cross-tenant write(s) not refused'],
  ])('one file with %j fails the run: %s', (change, message) => {
    const t = sumFigures([clean, { ...clean, file: 'crash', ...change }]);
    expect(failedFigures(t)).toEqual([message]);
  });
});
